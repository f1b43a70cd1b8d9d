"""Secure aggregates without GROUP BY: COUNT, SUM, AVG, MIN, MAX over a secret relation.

A row counts when its validity bit is 1 and its value is not NULL. SUM and COUNT are
sums of shares (local) after multiplying by that bit; MIN and MAX replace absent rows by
a sentinel and reduce in a log-depth tree. An aggregate over no rows is NULL (COUNT: 0).
"""

from __future__ import annotations

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64, SqlType
from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.engine.secure_expr import SecureEvaluator, bit_not
from scql_py.errors import NotSupportedError
from scql_py.mpc import convert, equality, extremum, mux
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.runtime import Runtime

SENTINEL = 1 << 62  # larger than any value MIN/MAX accept


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
        return SecretColumn(FLOAT64, average(rt, total, count, col.type), null)
    if func in ("min", "max"):
        if present is not None:
            fill = SENTINEL if func == "min" else -SENTINEL
            sentinel = AShare.public(rt.party, np.full(len(value), np.int64(fill).view(np.uint64)))
            value = mux.select(rt, present, value, sentinel)
        if len(value) == 0:
            best = AShare.zeros(rt.party, 1)
        else:
            best = (extremum.reduce_min if func == "min" else extremum.reduce_max)(rt, value)
        return SecretColumn(col.type, best, null)
    raise NotSupportedError(f"aggregate {func.upper()}")


def average(rt: Runtime, total: AShare, count: AShare, t: SqlType) -> AShare:
    """AVG as fixed point: ``total`` (a sum of values of type ``t``) over ``count``,
    the count first brought to the values' scale (every AVG path divides here)."""
    if t.kind == "decimal":
        count = count.mul_public(10**t.scale)
    elif t.kind == "float64":
        count = count.mul_public(1 << FRAC_BITS)
    return divide_rounded(rt, total, count, FRAC_BITS)
