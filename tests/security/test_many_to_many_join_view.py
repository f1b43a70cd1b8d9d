"""What a many-to-many secret join opens: the sizes, and nothing of the multiplicities.

An asker who can put rows on one side of a many-to-many join with an ENCRYPTED_ONLY key
(through a UNION ALL, a filter, a derived table) chooses the sides' shapes. The join
by expansion opens the number of result rows, as the all-pairs join did, and the
bits and ranks of shuffled rows. The attack: two inputs of the same sizes and the same
number of result rows but different multiplicities of the keys (four left rows with 3
partners each and four with none, or eight left rows with one or two partners each)
must show every computing party the same openings and the same opened values (the
opened ranks and destinations as sets; the comparisons of shuffled rows are those of
distinct keys in random order, tested with the sort).
"""

from __future__ import annotations

import threading

import pyarrow as pa
import pytest

from scql_py.engine import join as join_module
from scql_py.engine.join import secret_join, share_table
from scql_py.mpc import openings, rss, segment
from scql_py.mpc.inprocess import run_parties

KEY = b"many-to-many-view-test-key-0123!"
# per join type, two inputs of the same sizes (8 x 8 rows) and result size, different
# multiplicities: inner, 12 rows; LEFT, 16 rows (4 of them left rows without a partner,
# or none)
SHAPES = {
    "inner": (
        ([1, 1, 2, 2, 3, 3, 4, 4], [1, 1, 1, 2, 2, 2, 5, 6]),
        ([1, 1, 1, 1, 2, 2, 3, 3], [1, 5, 5, 5, 2, 2, 3, 3]),
    ),
    "left": (
        ([1, 1, 2, 2, 3, 3, 4, 4], [1, 1, 1, 2, 2, 2, 5, 6]),
        ([1, 1, 1, 1, 2, 2, 2, 2], [1, 1, 1, 2, 5, 5, 6, 6]),
    ),
}


def _seen(left_keys: list[int], right_keys: list[int], how: str) -> list[list[tuple]]:
    """Per computing party, every opening of the join (comparisons of shuffled rows left
    out) as (kind, the opened values sorted); a compaction's bits as their count."""
    local = threading.local()
    seen: dict[int, list[tuple]] = {0: [], 1: [], 2: []}
    plain_reveal, plain_bits = rss.reveal, segment._open_bits

    def reveal(rt, x, to=None, what="values"):
        out = plain_reveal(rt, x, to, what)
        if not getattr(local, "in_bits", False) and what != openings.SHUFFLED_COMPARISONS:
            seen[rt.party].append((what, tuple(sorted(out.tolist()))))
        return out

    def open_bits(rt, bit):
        local.in_bits = True
        try:
            bits = plain_bits(rt, bit)
        finally:
            local.in_bits = False
        seen[rt.party].append(("compaction bits", len(bits), int(bits.sum())))
        return bits

    def prog(rt, _):
        lt = pa.table({"k": left_keys, "x": range(len(left_keys))}) if rt.party == 0 else None
        rt_ = pa.table({"k": right_keys, "y": range(len(right_keys))}) if rt.party == 1 else None
        a = share_table(rt, 0, lt, ["int64", "int64"], KEY, ["k", "x"])
        b = share_table(rt, 1, rt_, ["int64", "int64"], KEY, ["k", "y"])
        before = len(rt.openings)
        start = len(seen[rt.party])
        out = secret_join(rt, a, b, ["k"], ["k"], how, ["k", "x", "k2", "y"])
        kinds = {o.what for o in rt.openings[before:]}
        assert kinds <= {
            openings.KEY_UNIQUENESS,
            openings.SHUFFLED_COMPARISONS,
            openings.ROW_COUNT,
        }, kinds
        assert all(o.to == (0, 1, 2) for o in rt.openings[before:])
        return out.n, seen[rt.party][start:]

    rss.reveal, segment._open_bits = reveal, open_bits
    try:
        results = run_parties(prog)
    finally:
        rss.reveal, segment._open_bits = plain_reveal, plain_bits
    return [view for _, view in results]


@pytest.mark.parametrize("how", ["inner", "left"])
def test_expanded_join_shows_the_sizes_only(how: str, monkeypatch):
    monkeypatch.setattr(join_module, "ALL_PAIRS_BELOW", 0)
    a, b = (_seen(*keys, how) for keys in SHAPES[how])
    for party in range(3):
        assert a[party] == b[party], (party, a[party], b[party])
    total = {"inner": 12, "left": 16}[how]
    view = a[0]
    assert view[0] == (openings.KEY_UNIQUENESS, (0, 0))  # neither side is unique
    assert view[1] == (openings.ROW_COUNT, (total,))
    # the expansion of both sides (2 x total slots among 2 x 16 rows + 2 x total) ...
    assert view[2] == ("compaction bits", 2 * 16 + 2 * total, 2 * total)
    # ... its ranks, and the destinations of the right copies: sets of positions only
    assert view[3] == (openings.ROW_COUNT, tuple(range(1, 2 * total + 1)))
    assert view[4] == (openings.ROW_COUNT, tuple(range(total)))
    assert len(view) == 5


def test_the_view_comparison_can_fail(monkeypatch):
    """A join that also opened the per-row partner counts (their sum is the result
    size) is told apart by the same comparison."""
    monkeypatch.setattr(join_module, "ALL_PAIRS_BELOW", 0)
    plain = join_module.expansion.expand

    def leaky(rt, counts, total, columns):
        rss.reveal(rt, counts, what=openings.ROW_COUNT)
        return plain(rt, counts, total, columns)

    monkeypatch.setattr(join_module.expansion, "expand", leaky)
    a, b = (_seen(*keys, "inner") for keys in SHAPES["inner"])
    assert a[0] != b[0]
