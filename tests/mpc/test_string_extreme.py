"""MIN and MAX of secret strings (mpc/string_extreme.py) against Python's byte order, on
strings that are prefixes of each other, of every width, with multi-byte characters,
rows that do not count (NULL or filtered out) and groups of one row."""

from __future__ import annotations

import numpy as np
import pytest

from scql_py.mpc import rss, segment
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.string_extreme import segmented_string_extreme, string_extreme

RNG = np.random.default_rng(7)
ALPHABET = ["a", "b", "A", "é", "€", "z", "ab", ""]
WIDTH = 3


def _strings(n: int) -> list[str]:
    # at most 7 pieces of at most 3 bytes: within the width
    return ["".join(RNG.choice(ALPHABET, RNG.integers(0, 8))) for _ in range(n)]


def _packed(strings: list[str]) -> np.ndarray:
    raw = np.array([s.encode() for s in strings], dtype=f"S{8 * WIDTH}")
    return raw.view(np.uint64).reshape(len(strings), WIDTH)


def _run(fn, strings: list[str], present: np.ndarray, starts: np.ndarray | None):
    packed = _packed(strings)
    hashes = np.arange(len(strings), dtype=np.uint64) * 7919  # stands for a row's hash

    def party(rt, _):
        mine = rt.party == 0
        words = [
            rss.share_input_bool(rt, 0, packed[:, j] if mine else None, len(strings))
            for j in range(WIDTH)
        ]
        h = rss.share_input(rt, 0, hashes if mine else None, len(strings))
        p = rss.share_input_bool(rt, 0, present.astype(np.uint64) if mine else None, len(strings))
        s = (
            None
            if starts is None
            else rss.share_input_bool(
                rt, 0, starts.astype(np.uint64) if mine else None, len(strings)
            )
        )
        out_words, out_hashes = fn(rt, words, h, p, s)
        opened = list(rt.openings)
        return ([rss.reveal(rt, w) for w in out_words], rss.reveal(rt, out_hashes)), opened

    results = run_parties(party)
    assert all(opened == [] for _, opened in results)
    (words, got_hashes) = results[0][0]
    raw = np.stack(words, axis=1).astype(np.uint64).view(f"S{8 * WIDTH}").reshape(-1)
    return [b.decode() for b in raw], got_hashes // 7919


@pytest.mark.parametrize("smallest", [True, False])
def test_the_extreme_of_a_column_is_the_byte_wise_one(smallest):
    for n in (1, 2, 3, 7, 40):
        strings = _strings(n)
        present = RNG.random(n) < 0.7
        present[RNG.integers(0, n)] = True
        got, row = _run(
            lambda rt, w, h, p, s: string_extreme(rt, w, h, p, smallest), strings, present, None
        )
        kept = [s.encode() for s, keep in zip(strings, present) if keep]
        best = (min if smallest else max)(kept)
        assert got == [best.decode()]
        assert strings[int(row[0])].encode() == best and present[int(row[0])]


@pytest.mark.parametrize("smallest", [True, False])
@pytest.mark.parametrize("group_starts", [0.25, 0.0])  # small groups, one group
def test_the_running_extreme_in_groups_is_the_byte_wise_one(smallest, group_starts):
    n = 37
    strings = _strings(n)
    present = RNG.random(n) < 0.6
    starts = RNG.random(n) < group_starts
    starts[0] = True
    # the first row wins its group: the last rows see it only through the widest level
    strings[0], present[0] = ("" if smallest else "€" * 7), True
    got, rows = _run(
        lambda rt, w, h, p, s: segmented_string_extreme(rt, w, h, p, s, smallest),
        strings,
        present,
        starts,
    )
    group_start = 0
    for i in range(n):
        if starts[i]:
            group_start = i
        kept = [strings[j].encode() for j in range(group_start, i + 1) if present[j]]
        if kept:  # the running extreme of the rows that count so far
            best = (min if smallest else max)(kept)
            assert got[i].encode() == best, i
            assert strings[int(rows[i])].encode() == best and present[int(rows[i])]


def test_copying_words_down_takes_the_last_marked_row():
    """mpc/segment.py's copy_down of XOR-shared words (a window's frame end)."""
    n = 37
    values = RNG.integers(0, 2**63, (n, 2)).astype(np.uint64)
    marks = RNG.random(n) < 0.3
    marks[0] = True

    def party(rt, _):
        mine = rt.party == 0
        words = [rss.share_input_bool(rt, 0, values[:, j] if mine else None, n) for j in (0, 1)]
        m = rss.share_input_bool(rt, 0, marks.astype(np.uint64) if mine else None, n)
        return [rss.reveal(rt, w) for w in segment.copy_down_words(rt, m, words)]

    got = np.stack(run_parties(party)[0], axis=1)
    last = np.maximum.accumulate(np.where(marks, np.arange(n), 0))
    np.testing.assert_array_equal(got, values[last])
