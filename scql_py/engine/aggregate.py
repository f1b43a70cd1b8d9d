"""Secure aggregates without GROUP BY: COUNT, SUM, AVG, MIN, MAX over a secret relation.

A row counts when its validity bit is 1 and its value is not NULL. SUM and COUNT are
sums of shares (local) after multiplying by that bit; MIN and MAX replace absent rows by
a sentinel and reduce in a log-depth tree. An aggregate over no rows is NULL (COUNT: 0).
"""

from __future__ import annotations

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64, SqlType
from scql_py.engine.relation import FineQuotient, FloatBits, SecretColumn, SecretRelation
from scql_py.engine.secure_expr import SecureEvaluator, bit_not
from scql_py.errors import NotSupportedError
from scql_py.mpc import compare, convert, equality, extremum, mux
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_refined, divide_rounded, extra_bits_for
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.runtime import Runtime

SENTINEL = 1 << 62  # larger than any value MIN/MAX accept
KEY_SENTINEL = (1 << 63) - 1  # larger than any float key (+inf's is 2^63 - 2^52)


def _present(ev: SecureEvaluator, rel: SecretRelation, col: SecretColumn | None) -> BShare | None:
    """Bit per row: valid and not NULL (None: every row)."""
    valid = rel.valid
    null = col.null if col is not None else None
    if null is None:
        return valid
    not_null = bit_not(null)
    return not_null if valid is None else and_(ev.rt, valid, not_null)


def _count(ev: SecureEvaluator, present: BShare | None, n: int) -> AShare:
    if present is None:
        return AShare.public(ev.rt.party, np.array([n], dtype=np.uint64))
    return convert.b2a_bit(ev.rt, present).sum()


def _empty_null(ev: SecureEvaluator, count: AShare) -> BShare:
    return equality.equal_zero(ev.rt, count)


def aggregate(ev: SecureEvaluator, rel: SecretRelation, func: str, arg: exp.Expression | None,
              out_type: SqlType, distinct: bool = False) -> SecretColumn:
    """One aggregate over ``rel``; returns a one-row secret column."""
    if distinct:
        raise NotSupportedError(f"{func.upper()}(DISTINCT ...)")
    rt = ev.rt
    if arg is None:  # COUNT(*)
        return SecretColumn(INT64, _count(ev, rel.valid, rel.n))
    col = ev.evaluate(arg)
    if col.type.kind == "string" and func != "count":
        raise NotSupportedError(f"{func.upper()} of a secret string")
    present = _present(ev, rel, col)
    count = _count(ev, present, rel.n)
    if func == "count":
        return SecretColumn(INT64, count)
    value = col.value
    if col.type.kind == "bool":
        value = convert.b2a_bit(rt, value)
    null = _empty_null(ev, count)
    if func in ("sum", "avg"):
        kept = value if present is None else mux.mul_bit(rt, present, value)
        total = kept.sum()
        if func == "sum":
            return SecretColumn(out_type, total, null)
        mean, fine = average(rt, total, count, col.type, rel.n)
        return SecretColumn(FLOAT64, mean, null, exact=fine)
    if func in ("min", "max"):
        return _extreme(rt, col, value, present, null, smallest=func == "min")
    raise NotSupportedError(f"aggregate {func.upper()}")


def _extreme(rt: Runtime, col: SecretColumn, value: AShare, present: BShare | None,
             null: BShare, smallest: bool) -> SecretColumn:
    """MIN or MAX. A float with its exact key is compared by the key, and the winner's
    fixed-point value travels with it: the result is one of the doubles that went in."""
    key = col.key
    compared = value if key is None else key
    if present is not None:
        fill = (SENTINEL if key is None else KEY_SENTINEL) * (1 if smallest else -1)
        sentinel = AShare.public(rt.party, np.full(len(value), np.int64(fill).view(np.uint64)))
        compared = mux.select(rt, present, compared, sentinel)
    if len(value) == 0:
        return SecretColumn(col.type, AShare.zeros(rt.party, 1), null,
                            exact=None if key is None else FloatBits(AShare.zeros(rt.party, 1)))
    if key is None:
        reduce = extremum.reduce_min if smallest else extremum.reduce_max
        return SecretColumn(col.type, reduce(rt, compared), null)
    best_key, (best,) = extremum.extreme_with(rt, compared, [value], smallest,
                                              compare.less_than_wide)
    return SecretColumn(col.type, best, null, exact=FloatBits(best_key))


def average(rt: Runtime, total: AShare, count: AShare, t: SqlType, max_count: int
            ) -> tuple[AShare, FineQuotient | None]:
    """AVG: ``total`` (a sum of values of type ``t``) over ``count``, the count first
    brought to the values' scale (every AVG path divides here). Returns the fixed-point
    quotient (correctly rounded to 2^-16: what arithmetic and comparisons use) and its
    further bits (what the opened AVG shows, the double nearest to the finer quotient).
    ``max_count``, public (the rows aggregated), bounds the count and so how many
    further bits the exact remainder leaves room for."""
    unit = 1
    if t.kind == "decimal":
        unit = 10**t.scale
    elif t.kind == "float64":
        unit = 1 << FRAC_BITS
    scaled = count.mul_public(unit) if unit != 1 else count
    extra = extra_bits_for(max(max_count, 1) * unit)
    if extra == 0:
        return divide_rounded(rt, total, scaled, FRAC_BITS), None
    mean, frac = divide_refined(rt, total, scaled, FRAC_BITS, extra)
    return mean, FineQuotient(frac, extra)
