"""Ranking window functions under MPC: ROW_NUMBER, RANK, DENSE_RANK, PERCENT_RANK.

Rows (compacted first) are sorted obliviously by (partition keys, order keys). Then,
with ``starts`` marking each partition's first row and ``peers`` each run of rows equal
on all keys:

* ROW_NUMBER: the running count of rows within the partition;
* RANK: ROW_NUMBER minus the running count within the peer run, plus 1;
* DENSE_RANK: the running count of peer-run starts within the partition;
* PERCENT_RANK: (RANK - 1) / (partition size - 1), or 0 for one-row partitions; the
  size is the running count plus the running count over the reversed rows, minus 1.

Everything is prefix sums on shares except the two equality passes and one division.
"""

from __future__ import annotations

import numpy as np

from scql_py.catalog.types import FLOAT64, INT64
from scql_py.engine.ordering import flatten, sort_keys, unflatten
from scql_py.engine.relation import Quotient, SecretColumn, SecretRelation
from scql_py.mpc import equality, mux, segment
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.sort import sort


def _equal_words(col: SecretColumn) -> list[AShare | BShare]:
    """What makes two rows peers on a column (a float by its exact key while it has one,
    as the sort orders it)."""
    words: list[AShare | BShare] = [col.null] if col.null is not None else []
    return words + [col.key if col.key is not None else col.value]



def window(rt: Runtime, rel: SecretRelation, partition: list[str],
           order: list[tuple[str, bool, bool]], funcs: list[tuple[str, str]]) -> SecretRelation:
    """``rel`` (no validity bits) sorted by partition and order, with one column per
    ``(name, function)`` appended."""
    assert rel.valid is None, "compact before computing windows"
    n = rel.n
    party = rt.party
    keys = []
    for name in partition:
        keys.extend(sort_keys(rel.column(name), False, True))
    for name, desc, nulls_first in order:
        keys.extend(sort_keys(rel.column(name), desc, nulls_first))
    if n > 1 and keys:
        _, moved = sort(rt, keys, flatten(rel))
        rel = SecretRelation(n, list(rel.names), unflatten(rel, moved, n))
    if n == 0:
        cols = [SecretColumn(FLOAT64 if f == "percent_rank" else INT64, AShare.zeros(party, 0))
                for _, f in funcs]
        return SecretRelation(0, rel.names + [nm for nm, _ in funcs], rel.columns + cols)

    part_words = [w for name in partition for w in _equal_words(rel.column(name))]
    order_words = [w for name, _, _ in order for w in _equal_words(rel.column(name))]
    starts = segment.segment_starts(rt, part_words) if part_words else _first_only(party, n)
    peers = segment.segment_starts(rt, part_words + order_words) if order_words else starts
    # a peer run never crosses a partition start
    row_number = segment.segmented_count(rt, starts)
    out = []
    for _, func in funcs:
        if func == "row_number":
            out.append(SecretColumn(INT64, row_number))
        elif func == "rank":
            out.append(SecretColumn(INT64, _rank(rt, row_number, peers)))
        elif func == "dense_rank":
            out.append(SecretColumn(INT64, segment.segmented_count(rt, starts, peers)))
        elif func == "percent_rank":
            rank = _rank(rt, row_number, peers)
            after = segment.segmented_count(rt, segment.group_ends(starts).reversed()).reversed()
            size = row_number + after
            # (rank - 1) / (size - 1); a one-row partition divides 0 by 0: make it 0 / 1
            denom = size.add_public(np.full(n, -2, np.int64))
            single = equality.equal_zero(rt, denom)
            denom = mux.select(rt, single, AShare.public(party, np.ones(n, np.int64)), denom)
            numer = rank.add_public(np.full(n, -1, np.int64))
            # opened, the quotient shows more bits (see reveal)
            out.append(SecretColumn(FLOAT64, divide_rounded(rt, numer, denom, FRAC_BITS),
                                    exact=Quotient(numer, denom)))
        else:  # pragma: no cover - the planner admits only the above
            raise ValueError(func)
    return SecretRelation(n, rel.names + [nm for nm, _ in funcs], rel.columns + out)


def _rank(rt: Runtime, row_number: AShare, peers: BShare) -> AShare:
    within_peers = segment.segmented_count(rt, peers)
    return (row_number - within_peers).add_public(np.ones(len(row_number), np.int64))


def _first_only(party: int, n: int) -> BShare:
    marks = np.zeros(n, np.uint64)
    marks[0] = 1
    return BShare.public(party, marks)
