"""SUM and AVG of reals with their bits, exactly (:mod:`scql_py.mpc.float_sum`).

A fixed-point sum rounds every real to 2^-16 first; a real that still has its float key
(only moved since it was stored, or computed from bits) is summed exactly instead, and
the sum is a real with a key like a stored one: ``AVG(id) / SUM(f)`` then divides the
doubles' bits. Every aggregation path sums the same way: each row's limbs
(:func:`limbs_of`) are summed where it sums anything (a total, a running sum per group,
a product per group), and :func:`sums_and_averages` makes the results of all of a
step's such aggregates in one batch: the sum rounded once, an AVG the sum's double
divided by its count's (as DuckDB's ``SUM / COUNT``), each past 2^47 (an AVG past 2^46)
an out-of-range error.
"""

from __future__ import annotations

import numpy as np

from scql_py.catalog.types import FLOAT64
from scql_py.engine.relation import FloatBits, SecretColumn
from scql_py.mpc import convert, float_division, float_keys, float_sum, rss
from scql_py.mpc.float_sum import LIMBS
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def is_keyed_real(col: SecretColumn) -> bool:
    """Whether SUM and AVG of ``col`` are exact sums of its doubles' bits."""
    return col.type.kind == "float64" and isinstance(col.exact, FloatBits)


def limbs_of(rt: Runtime, items: list[tuple[SecretColumn, BShare | None]]) -> list[list[AShare]]:
    """Per ``(column, present bits)``: its rows' :data:`LIMBS` limbs (0 where not present),
    every column's in the same rounds."""
    if not items:
        return []
    sizes = [len(col) for col, _ in items]
    keys = AShare.concat([col.key for col, _ in items])
    present = None
    if any(p is not None for _, p in items):
        present = BShare.concat([BShare.public(rt.party, np.ones(len(col), np.uint64))
                                 if p is None else p for col, p in items])
    limbs = float_sum.signed_limbs(rt, keys, present)
    at = np.cumsum([0] + sizes)
    return [[limb[at[i]:at[i + 1]] for limb in limbs] for i in range(len(items))]


def sums_and_averages(rt: Runtime, items: list[tuple[bool, list[AShare], AShare, BShare]],
                      out_of_range: list[BShare]) -> list[SecretColumn]:
    """Per ``(is an AVG, limb sums, count, NULL bit)`` (one word per group), the SUM or AVG
    as a real with its key; their range checks go to ``out_of_range``."""
    if not items:
        return []
    sizes = [len(count) for _, _, count, _ in items]
    if not sum(sizes):  # no groups
        return [SecretColumn(FLOAT64, count, null, exact=FloatBits(count))
                for _, _, count, null in items]
    sums = float_sum.total(rt, [AShare.concat([limbs[j] for _, limbs, _, _ in items])
                                for j in range(LIMBS)])
    at = np.cumsum([0] + sizes)
    averaged = [i for i, (avg, *_) in enumerate(items) if avg]
    q, key = sums.q, sums.key
    beyond = [sums.beyond]
    if averaged:
        dividends = AShare.concat([key[at[i]:at[i + 1]] for i in averaged])
        # the count's double (exact: below 2^31), divided from the bits
        counts = float_keys.from_fixed(rt, AShare.concat([items[i][2] for i in averaged]), 0)
        means = float_division.divide_keys(rt, dividends, counts)
        nulls = BShare.concat([items[i][3] for i in averaged])
        beyond.append(rss.and_(rt, means.beyond, convert.bit_not(nulls)))
    out, done = [], 0
    for i, (avg, _, _, null) in enumerate(items):
        if avg:
            size = sizes[i]
            value, exact = means.q[done:done + size], means.key[done:done + size]
            done += size
        else:
            value, exact = q[at[i]:at[i + 1]], key[at[i]:at[i + 1]]
        out.append(SecretColumn(FLOAT64, value, null, exact=FloatBits(exact)))
    out_of_range.extend(beyond)
    return out
