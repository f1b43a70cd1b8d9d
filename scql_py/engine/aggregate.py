"""Secure aggregates without GROUP BY: COUNT, SUM, AVG, MIN, MAX over a secret relation.

A row counts when its validity bit is 1 and its value is not NULL. SUM and COUNT are
sums of shares (local) after multiplying by that bit; MIN and MAX replace absent rows by
a sentinel and reduce in a log-depth tree. An aggregate over no rows is NULL (COUNT: 0).
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64, SqlType
from scql_py.engine.relation import FloatBits, Quotient, SecretColumn, SecretRelation
from scql_py.engine.secure_expr import SecureEvaluator, bit_not
from scql_py.engine.spread import SPREADS, spreads_of_all
from scql_py.errors import NotSupportedError
from scql_py.mpc import compare, convert, equality, extremum, mux, sum_range
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.string_extreme import string_extreme
from scql_py.sql.logical import HIGH_HALF

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


Agg = tuple[str, "exp.Expression | None", SqlType, bool]  # (func, arg, out type, distinct)


def aggregates(ev: SecureEvaluator, rel: SecretRelation, aggs: list[Agg]
               ) -> list[SecretColumn]:
    """The aggregates of ``rel``, each a one-row secret column; the divisions of every
    AVG among them run in the same rounds."""
    out: list[SecretColumn | None] = []
    pending: list[tuple[int, AShare, AShare, SqlType, BShare]] = []
    spreads: list[tuple[int, tuple]] = []  # computed together too
    for func, arg, out_type, distinct in aggs:
        col = _aggregate(ev, rel, func, arg, out_type, distinct)
        if isinstance(col, tuple) and func in SPREADS:
            spreads.append((len(out), col))
            out.append(None)
        elif isinstance(col, tuple):
            pending.append((len(out), *col))
            out.append(None)
        else:
            out.append(col)
    for (at, _), col in zip(spreads, spreads_of_all(ev.rt, [s for _, s in spreads],
                                                    ev.out_of_range)):
        out[at] = col
    means = average_many(ev.rt, [(total, count, t) for _, total, count, t, _ in pending])
    for (at, _, _, _, null), (mean, fine) in zip(pending, means):
        out[at] = SecretColumn(FLOAT64, mean, null, exact=fine)
    return out


def aggregate(ev: SecureEvaluator, rel: SecretRelation, func: str, arg: exp.Expression | None,
              out_type: SqlType, distinct: bool = False) -> SecretColumn:
    """One aggregate over ``rel``; returns a one-row secret column."""
    return aggregates(ev, rel, [(func, arg, out_type, distinct)])[0]


def _aggregate(ev: SecureEvaluator, rel: SecretRelation, func: str, arg: exp.Expression | None,
               out_type: SqlType, distinct: bool):
    """One aggregate, or for AVG what it divides: ``(total, count, type, NULL bit)``, for
    a VAR/STDDEV what :func:`finish_spreads` needs."""
    if distinct:
        raise NotSupportedError(f"{func.upper()}(DISTINCT ...)")
    rt = ev.rt
    if arg is None:  # COUNT(*)
        return SecretColumn(INT64, _count(ev, rel.valid, rel.n))
    if func == "sum_halves":
        return _sum_of_halves(ev, rel, arg, out_type)
    col = ev.evaluate(arg)
    if col.type.kind == "string" and func not in ("count", "min", "max"):
        raise NotSupportedError(f"{func.upper()} of a secret string")
    present = _present(ev, rel, col)
    count = _count(ev, present, rel.n)
    if func == "count":
        return SecretColumn(INT64, count)
    if col.type.kind == "string":
        return _string_extreme(ev, col, present, _empty_null(ev, count), func == "min")
    value = col.value
    if col.type.kind == "bool":
        value = convert.b2a_bit(rt, value)
    null = _empty_null(ev, count)
    if func in ("sum", "avg"):
        kept = value if present is None else mux.mul_bit(rt, present, value)
        total = kept.sum()
        if len(kept):
            high, low = sum_range.halves(rt, kept)
            ev.out_of_range.append(range_bit(rt, total, high.sum(), low.sum(), (
                count, col.type) if func == "avg" else None))
        if func == "sum":
            return SecretColumn(out_type, total, null)
        return total, count, col.type, null
    if func in ("min", "max"):
        best = _extreme(rt, col, value, present, null, smallest=func == "min")
        if col.type.kind == "bool":
            return replace(best, value=bit_of(rt, best.value))
        return best
    if func in SPREADS:
        return func, col, present, count
    raise NotSupportedError(f"aggregate {func.upper()}")


def _sum_of_halves(ev: SecureEvaluator, rel: SecretRelation, low_arg: exp.Expression,
                   out_type: SqlType) -> SecretColumn:
    """The owners' exact partial sums, each as its halves ``S = h 2^32 + l`` (the low
    ones in ``low_arg``, the high ones beside them: lp.HIGH_HALF), merged: the total's
    word from the halves' sums, and its range from them (sum_range.out_of_range), so
    that a partial sum past int64 is no error where the total is in range."""
    rt = ev.rt
    low = ev.evaluate(low_arg)
    high = ev.evaluate(exp.column(low_arg.name + HIGH_HALF, quoted=True))
    present = _present(ev, rel, low)
    count = _count(ev, present, rel.n)
    if present is not None:
        low, high = (mux.mul_bit(rt, present, c.value) for c in (low, high))
    else:
        low, high = low.value, high.value
    lows, highs = low.sum(), high.sum()
    total = highs.mul_public(1 << 32) + lows
    if len(low):
        ev.out_of_range.append(sum_range.out_of_range(rt, total, highs, lows))
    return SecretColumn(out_type, total, _empty_null(ev, count))


# an AVG's quotient is a fixed-point word (rounded_division): |total / divisor| < 2^46
AVG_QUOTIENT_BITS = 62 - FRAC_BITS


def range_bit(rt: Runtime, total: AShare, high: AShare, low: AShare,
              averaged: tuple[AShare, SqlType] | None = None) -> BShare:
    """Bit 1 where a SUM's ``total`` (with its halves' sums, :mod:`sum_range`) wrapped
    around the ring; for an AVG (``averaged``: its count and the values' type) also
    where the mean is too large for a fixed-point word, ``|total| >= divisor 2^46`` for
    the divisor ``count * unit`` it is divided by (an AVG of no values is NULL)."""
    wrapped = sum_range.out_of_range(rt, total, high, low)
    if averaged is None:
        return wrapped
    count, t = averaged
    large = sum_range.quotient_beyond(rt, total, count.mul_public(_unit(t)),
                                      AVG_QUOTIENT_BITS)
    large = and_(rt, large, bit_not(equality.equal_zero(rt, count)))
    return convert.bit_or(rt, wrapped, large)


def bit_of(rt: Runtime, value: AShare) -> BShare:
    """A bool picked by its 0/1 word (MIN, MAX) as the secret bit every bool is, so that
    CASE, COALESCE and comparisons can take it (the low bit of its decomposition)."""
    return convert.clean_bit(convert.a2b(rt, value))


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


def _string_extreme(ev: SecureEvaluator, col: SecretColumn, present: BShare | None,
                    null: BShare, smallest: bool) -> SecretColumn:
    """MIN or MAX of a secret string column: its bytes and its hash, as one row."""
    rt = ev.rt
    if len(col) == 0:
        return SecretColumn(col.type, AShare.zeros(rt.party, 1), null,
                            [BShare.zeros(rt.party, 1) for _ in col.chars or []])
    if present is None:
        present = BShare.public(rt.party, np.ones(len(col), np.uint64))
    words, hashes = string_extreme(rt, col.chars or [], col.value, present, smallest)
    return SecretColumn(col.type, hashes, null, words)


def _unit(t: SqlType) -> int:
    """The scale of a type's ring words: what a count is multiplied by to divide a sum."""
    if t.kind == "decimal":
        return 10**t.scale
    if t.kind == "float64":
        return 1 << FRAC_BITS
    return 1


def average_many(rt: Runtime, items: list[tuple[AShare, AShare, SqlType]]
                 ) -> list[tuple[AShare, Quotient]]:
    """AVG: each ``total`` (a sum of values of type ``t``) over its ``count``, the count
    first brought to the values' scale (every AVG path divides here), all in the same
    rounds. Returns per item the fixed-point quotient (correctly rounded to 2^-16 while
    below 2^16: what arithmetic and comparisons use) and the quotient's terms, which an
    opened AVG divides again to more bits (``reveal``)."""
    if not items:
        return []
    sizes = [len(total) for total, _, _ in items]
    scaled = [count.mul_public(_unit(t)) if _unit(t) != 1 else count for _, count, t in items]
    means = divide_rounded(rt, AShare.concat([total for total, _, _ in items]),
                           AShare.concat(scaled), FRAC_BITS)
    out, at = [], 0
    for (total, _, _), divisor, size in zip(items, scaled, sizes):
        out.append((means[at:at + size], Quotient(total, divisor)))
        at += size
    return out


def average(rt: Runtime, total: AShare, count: AShare, t: SqlType
            ) -> tuple[AShare, Quotient]:
    """One AVG (see :func:`average_many`)."""
    return average_many(rt, [(total, count, t)])[0]
