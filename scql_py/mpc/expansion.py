"""Oblivious expansion and routing: rows moved to places that depend on secret counts.

:func:`expand` repeats row ``i`` of a table ``counts[i]`` times (a secret count per
row, zero allowed), in order; only the total, the output size, is public. It is the
step of a many-to-many join that turns per-row multiplicities into rows (oblivious
"expansion" of Krastnikov, Kerschbaum and Stebila, VLDB 2020, done here with the
shuffle-based sort of :mod:`scql_py.mpc.sort`; ideas only):

1. Row ``i``'s copies start at output position ``s_i``, the exclusive prefix sum of
   the counts (local on additive shares).
2. The ``n`` input rows and ``total`` public *slots* ``0 .. total-1`` are sorted
   together by ``(position, kind)``: input ``i`` at ``s_i``, before slot ``s_i``. The
   sort is stable, so inputs keep their order, and a row with count 0 sits before the
   next row that has slots (or after every slot): the slots after an input row are
   exactly its copies.
3. Each input row carries its *difference* from the previous input row instead of its
   columns, each slot zeros: after the sort, a running sum (XOR for boolean words) gives
   every slot the columns of the last input above it. Local: no scan, no rounds.
4. A compaction keeps the slots, in order.

What is opened: the sort's comparisons of shuffled rows with distinct keys, and the
compaction's bits and ranks of shuffled rows -- nothing but ``n`` and ``total``.

:func:`route` moves row ``i`` to position ``dest[i]``, a secret permutation of
``0 .. n-1``: shuffle, open the destinations (after a permutation no party knows they
are a uniformly random permutation), place locally.

>>> import numpy as np
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     c = rss.share_input(rt, 0, np.array([2, 0, 1, 3]) if rt.party == 0 else None, 4)
...     v = rss.share_input(rt, 1, np.array([10, 11, 12, 13]) if rt.party == 1 else None, 4)
...     (out,), copy = expand(rt, c, 6, [v])
...     return rss.reveal(rt, out).tolist(), rss.reveal(rt, copy).tolist()
>>> run_parties(prog)[0]
([10, 10, 12, 13, 13, 13], [0, 1, 0, 0, 1, 2])
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scql_py.mpc import openings, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.segment import compact, prefix_sum
from scql_py.mpc.shuffle import shuffle
from scql_py.mpc.sort import sort

U64 = np.uint64
Column = AShare | BShare


def _differences(col: Column) -> Column:
    """Each row minus (XOR) the row before it; row 0 as it is."""
    zero = type(col).zeros(col.party, 1)
    before = type(col).concat([zero, col[:-1]])
    return col - before if isinstance(col, AShare) else col ^ before


def _running(col: Column) -> Column:
    """The inverse of :func:`_differences`: running sums (XOR for boolean words)."""
    if isinstance(col, AShare):
        return prefix_sum(col)
    return BShare(col.party, np.bitwise_xor.accumulate(col.a), np.bitwise_xor.accumulate(col.b))


def expand(
    rt: Runtime, counts: AShare, total: int, columns: Sequence[Column]
) -> tuple[list[Column], AShare]:
    """Row ``i`` of ``columns`` repeated ``counts[i]`` times, rows in order.

    ``counts`` are secret non-negative integers whose sum is the public ``total``
    (the caller has opened it). Returns the ``total`` output rows of every column and,
    per output row, its copy number (``0 .. counts[i]-1``). Reveals ``n`` and
    ``total`` only. Cost: one sort of ``n + total`` rows on one narrow key word and a
    compaction of as many.
    """
    n = len(counts)
    for col in columns:
        if len(col) != n:
            raise ValueError("expand: every column needs one row per count")
    if total < 0:
        raise ValueError("expand: the total must be non-negative")
    party = rt.party
    if total == 0 or n == 0:
        empty = [col[:0] for col in columns]
        return empty, AShare.zeros(party, 0)
    start = prefix_sum(counts) - counts  # where row i's copies begin
    slots = AShare.public(party, np.arange(total, dtype=U64))
    position = AShare.concat([start, slots])
    kind = BShare.public(party, np.concatenate([np.zeros(n, U64), np.ones(total, U64)]))
    carried = [_differences(c) for c in [*columns, start]]
    carried = [type(c).concat([c, type(c).zeros(party, total)]) for c in carried]
    bits = max(1, total.bit_length())  # positions lie in [0, total]
    (_, kind_s), moved = sort(rt, [(position, False, bits), (kind, False, 1)], carried)
    filled = [_running(c) for c in moved]
    kept = compact(rt, kind_s, filled, keep_order=True)
    *out, start_of_source = kept
    copy = AShare.public(party, np.arange(total, dtype=U64)) - start_of_source
    return out, copy


def route(rt: Runtime, dest: AShare, columns: Sequence[Column]) -> list[Column]:
    """Row ``i`` of ``columns`` moved to position ``dest[i]``, where ``dest`` is a secret
    permutation of ``0 .. n-1``. Reveals ``n`` only (the destinations are opened after
    a shuffle: a uniformly random permutation). Cost: one shuffle, one opening."""
    n = len(dest)
    mixed = shuffle(rt, [dest, *columns])
    where = rss.reveal(rt, mixed[0], what=openings.ROW_COUNT).astype(np.int64)
    if not np.array_equal(np.sort(where), np.arange(n)):
        raise ValueError("route: the destinations are not a permutation")
    order = np.empty(n, np.int64)
    order[where] = np.arange(n)
    return [c[order] for c in mixed[1:]]
