"""Oblivious shuffle: the output is the input's rows in another order (rows kept whole),
the order is random and unknown, the same secret permutation can be applied again and
undone, and what a party receives looks random whatever the input."""

from __future__ import annotations

import numpy as np
import pytest

from scql_py.mpc import rss
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.shuffle import SecretPermutation, shuffle


def _share(rt: Runtime, values: np.ndarray, boolean: bool = False, owner: int = 0):
    share = rss.share_input_bool if boolean else rss.share_input
    return share(rt, owner, values if rt.party == owner else None, len(values))


def _open_all(rt: Runtime, cols) -> list[np.ndarray]:
    return [rss.reveal(rt, c).view(np.int64) for c in cols]


@pytest.mark.parametrize("n", [0, 1, 2, 3, 17, 1000])
def test_shuffle_permutes_whole_rows(n: int):
    rng = np.random.default_rng(n)
    a = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
    b = np.arange(n, dtype=np.int64) * 7 - 3  # boolean-shared column, must follow a
    c = rng.integers(0, 5, n, dtype=np.int64)  # duplicates

    def prog(rt, _):
        cols = [_share(rt, a), _share(rt, b, boolean=True, owner=1), _share(rt, c, owner=2)]
        out = shuffle(rt, cols)
        assert [type(x) for x in out] == [type(x) for x in cols]
        return _open_all(rt, out)

    results = run_parties(prog)
    for other in results[1:]:
        for x, y in zip(results[0], other, strict=True):
            np.testing.assert_array_equal(x, y)
    sa, sb, sc = results[0]
    # the rows as a multiset are unchanged: the row (a, b, c) stays together
    expected = sorted(zip(a.tolist(), b.tolist(), c.tolist(), strict=True))
    assert sorted(zip(sa.tolist(), sb.tolist(), sc.tolist(), strict=True)) == expected
    if n >= 1000:
        assert not np.array_equal(sa, a)  # identity has probability 1/1000!


def test_shuffle_costs_three_rounds_and_linear_traffic():
    n = 5000
    x = np.arange(n, dtype=np.int64)

    def prog(rt, _):
        cols = [_share(rt, x), _share(rt, x, boolean=True)]
        rt.comm.stats.reset()
        shuffle(rt, cols)
        return rt.comm.stats.snapshot()

    stats = run_parties(prog)
    assert all(s["rounds"] == 3 for s in stats)
    # 3 passes; in each, Q sends 2 and P sends 1 message of (columns * n) words
    total = sum(s["bytes_sent"] for s in stats)
    assert total == 3 * 3 * 2 * n * 8


def test_same_permutation_applied_twice_and_undone():
    n = 500
    rng = np.random.default_rng(1)
    x = rng.permutation(n).astype(np.int64)
    y = x * 3 + 1

    def prog(rt, _):
        perm = SecretPermutation.random(rt, n)
        (sx,) = perm.apply(rt, [_share(rt, x)])
        (sy,) = perm.apply(rt, [_share(rt, y, boolean=True)])  # later, separately
        (back,) = perm.apply_inverse(rt, [sx])
        return _open_all(rt, [sx, sy, back])

    sx, sy, back = run_parties(prog)[0]
    np.testing.assert_array_equal(sy, sx * 3 + 1)  # same permutation both times
    assert not np.array_equal(sx, x)
    np.testing.assert_array_equal(back, x)


def test_no_party_knows_the_whole_permutation():
    def prog(rt, _):
        perm = SecretPermutation.random(rt, 10)
        return [p is not None for p in perm.passes]

    known = run_parties(prog)
    for party, flags in enumerate(known):
        missing = [p for p, k in enumerate(flags) if not k]
        assert missing == [(party + 1) % 3]  # the pass run by the other two parties


def test_order_is_uniform():
    """Where row 0 lands, over many shuffles of 4 rows: uniform (chi-square, p < 1e-4
    would fail; a fixed or biased permutation fails)."""
    n, runs = 4, 400
    x = np.arange(n, dtype=np.int64)

    def prog(rt, _):
        col = _share(rt, x)
        landed = []
        for _ in range(runs):
            (out,) = shuffle(rt, [col])
            landed.append(int(np.flatnonzero(rss.reveal(rt, out) == 0)[0]))
        return landed

    counts = np.bincount(run_parties(prog)[0], minlength=n)
    expected = runs / n
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    assert chi2 < 21.1, counts  # df = 3, p = 1e-4


def _received_during_shuffle(values: np.ndarray) -> list[bytes]:
    """Per party, the bytes received while shuffling ``values`` (sharing excluded)."""
    seen: list[list[bytes]] = [[], [], []]

    def body(rt: Runtime, _):
        col = _share(rt, values)
        comm = rt.comm
        plain_recv = comm.recv

        def recording_recv(frm, _plain=plain_recv):
            payload = _plain(frm)
            seen[rt.party].append(np.ascontiguousarray(payload).tobytes())
            return payload

        comm.recv = recording_recv
        shuffle(rt, [col])

    run_parties(body)
    return [b"".join(s) for s in seen]


@pytest.mark.parametrize("kind", ["zeros", "ramp"])
def test_received_bytes_look_random(kind: str):
    n = 20000
    values = np.zeros(n, np.int64) if kind == "zeros" else np.arange(n, dtype=np.int64)
    first = _received_during_shuffle(values)
    second = _received_during_shuffle(values)
    for party in range(3):
        data = np.frombuffer(first[party], np.uint8)
        assert len(data) > 0  # every party is the receiving third in one pass
        counts = np.bincount(data, minlength=256)
        expected = len(data) / 256
        chi2 = float(((counts - expected) ** 2 / expected).sum())
        assert chi2 < 400, (party, chi2)  # df = 255: mean 255, sd ~23
        assert first[party] != second[party]  # fresh masks every run
