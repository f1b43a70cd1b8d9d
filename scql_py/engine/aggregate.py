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
from scql_py.engine.real_sums import is_keyed_real, limbs_of, sums_and_averages
from scql_py.engine.relation import FloatBits, Quotient, SecretColumn, SecretRelation
from scql_py.engine.secure_expr import SecureEvaluator, bit_not
from scql_py.engine.spread import SPREADS, spreads_of_all
from scql_py.errors import NotSupportedError
from scql_py.mpc import compare, convert, equality, extremum, mux, sum_range
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.string_extreme import string_extreme
from scql_py.sql.logical import HIGH_HALF

KEY_SENTINEL = (1 << 63) - 1  # larger than any float key (+inf's is 2^63 - 2^52)


def extreme_fill(plain: bool, smallest: bool) -> int:
    """What an absent row holds for MIN (``smallest``) or MAX: a value no present one
    beats. A plain word may be any int64, so the fill is the end of the range itself (a
    present value equal to it is the same answer); float keys stay below +-2^63 - 1."""
    if plain:
        return (1 << 63) - 1 if smallest else -(1 << 63)
    return KEY_SENTINEL if smallest else -KEY_SENTINEL


Agg = tuple[str, "exp.Expression | None", SqlType, bool]  # (func, arg, out type, distinct)


def aggregates(ev: SecureEvaluator, rel: SecretRelation, aggs: list[Agg]
               ) -> list[SecretColumn]:
    """The aggregates of ``rel``, each a one-row secret column. Each kind of work runs
    once for all of them, in the same rounds: the presence bits, the counts, the sums'
    range checks, the NULL tests, the MIN/MAX trees, the AVG divisions."""
    halved = [i for i, (func, *_) in enumerate(aggs) if func == "sum_halves"]
    if halved:  # the owners' exact partial sums, merged apart (they are few)
        rest = [i for i in range(len(aggs)) if i not in halved]
        out = [None] * len(aggs)
        for i, col in zip(rest, aggregates(ev, rel, [aggs[i] for i in rest]) if rest else []):
            out[i] = col
        for i in halved:
            out[i] = _sum_of_halves(ev, rel, aggs[i][1], aggs[i][2])
        return out
    for func, _, _, distinct in aggs:
        if distinct:
            raise NotSupportedError(f"{func.upper()}(DISTINCT ...)")
        if func not in ("count", "sum", "avg", "min", "max") + SPREADS:
            raise NotSupportedError(f"aggregate {func.upper()}")
    rt, n = ev.rt, rel.n
    cols = [None if arg is None else ev.evaluate(arg) for _, arg, _, _ in aggs]
    for (func, _, _, _), col in zip(aggs, cols):
        if col is not None and col.type.kind == "string" and func not in ("count", "min",
                                                                          "max"):
            raise NotSupportedError(f"{func.upper()} of a secret string")
    presents = _presents(rt, rel, cols)
    counts = _counts(rt, presents, n)
    nullable = [i for i, (func, arg, _, _) in enumerate(aggs)
                if arg is not None and func != "count"]
    nulls: list[BShare | None] = [None] * len(aggs)
    if nullable:  # an aggregate of no values is NULL (COUNT: 0)
        zero = equality.equal_zero(rt, AShare.concat([counts[i] for i in nullable]))
        for i, bit in zip(nullable, _split(zero, [1] * len(nullable))):
            nulls[i] = bit
    # SUM and AVG of reals with their bits are exact (real_sums); others fixed point
    keyed = [i for i, (func, *_) in enumerate(aggs) if func in ("sum", "avg")
             and is_keyed_real(cols[i])]
    summed = [i for i, (func, *_) in enumerate(aggs) if func in ("sum", "avg")
              and i not in keyed]
    totals = _sums(ev, rel, [cols[i] for i in summed], [presents[i] for i in summed],
                   [(counts[i], cols[i].type) if aggs[i][0] == "avg" else None
                    for i in summed])
    out: list[SecretColumn | None] = [None] * len(aggs)
    limbs = limbs_of(rt, [(cols[i], presents[i]) for i in keyed])
    for i, col in zip(keyed, sums_and_averages(
            rt, [(aggs[i][0] == "avg", [limb.sum() for limb in row_limbs], counts[i], nulls[i])
                 for i, row_limbs in zip(keyed, limbs)], ev.out_of_range)):
        out[i] = col
    for i, (func, arg, out_type, _) in enumerate(aggs):
        if arg is None or func == "count":
            out[i] = SecretColumn(INT64, counts[i])
        elif func == "sum" and i in summed:
            out[i] = SecretColumn(out_type, totals[summed.index(i)], nulls[i])
    extremes = [i for i, (func, *_) in enumerate(aggs) if func in ("min", "max")
                and cols[i].type.kind != "string"]
    for i, (func, *_) in enumerate(aggs):
        if func in ("min", "max") and cols[i].type.kind == "string":
            out[i] = _string_extreme(ev, cols[i], presents[i], nulls[i], func == "min")
    for i, best in zip(extremes, _extremes(rt, [(cols[i], presents[i], nulls[i], aggs[i][0]
                                                  == "min") for i in extremes])):
        out[i] = replace(best, value=bit_of(rt, best.value)) \
            if cols[i].type.kind == "bool" else best
    spreads = [i for i, (func, *_) in enumerate(aggs) if func in SPREADS]
    for i, col in zip(spreads, spreads_of_all(
            rt, [(aggs[i][0], cols[i], presents[i], counts[i]) for i in spreads],
            ev.out_of_range)):
        out[i] = col
    averaged = [i for i in summed if aggs[i][0] == "avg"]
    means = average_many(rt, [(totals[summed.index(i)], counts[i], cols[i].type)
                              for i in averaged])
    for i, (mean, fine) in zip(averaged, means):
        out[i] = SecretColumn(FLOAT64, mean, nulls[i], exact=fine)
    return out


def aggregate(ev: SecureEvaluator, rel: SecretRelation, func: str, arg: exp.Expression | None,
              out_type: SqlType, distinct: bool = False) -> SecretColumn:
    """One aggregate over ``rel``; returns a one-row secret column."""
    return aggregates(ev, rel, [(func, arg, out_type, distinct)])[0]


def _split(x, sizes: list[int]) -> list:
    at = np.cumsum([0] + sizes)
    return [x[at[i]:at[i + 1]] for i in range(len(sizes))]


def _presents(rt: Runtime, rel: SecretRelation, cols: list[SecretColumn | None]
              ) -> list[BShare | None]:
    """Per aggregate, a bit per row: valid and its argument not NULL (None: every row);
    the ANDs of them all in one round."""
    out: list[BShare | None] = [rel.valid if col is None or col.null is None
                                else bit_not(col.null) for col in cols]
    both = [i for i, col in enumerate(cols) if rel.valid is not None
            and col is not None and col.null is not None]
    for i, bit in zip(both, convert.and_bits_many(rt, [(rel.valid, out[i]) for i in both])):
        out[i] = bit
    return out


def _counts(rt: Runtime, presents: list[BShare | None], n: int) -> list[AShare]:
    """Per aggregate, how many rows it counts (one bit injection for them all)."""
    secret = [i for i, p in enumerate(presents) if p is not None]
    counts = [AShare.public(rt.party, np.array([n], dtype=np.uint64))] * len(presents)
    if secret:
        bits = convert.b2a_bit(rt, BShare.concat([presents[i] for i in secret]))
        for i, part in zip(secret, _split(bits, [n] * len(secret))):
            counts[i] = part.sum()
    return counts


def _sums(ev: SecureEvaluator, rel: SecretRelation, cols: list[SecretColumn],
          presents: list[BShare | None], averaged: list[tuple[AShare, SqlType] | None]
          ) -> list[AShare]:
    """Each column's total over its present rows; the totals' range checks (and for an
    AVG, ``averaged``: its count and type, its mean's) go to ``ev.out_of_range``."""
    if not cols:
        return []
    rt, n = ev.rt, rel.n
    values = [convert.b2a_bit(rt, c.value) if c.type.kind == "bool" else c.value
              for c in cols]  # (bools are rare: one injection each)
    masked = [i for i, p in enumerate(presents) if p is not None]
    if masked:
        kept = mux.mul_bit(rt, BShare.concat([presents[i] for i in masked]),
                           AShare.concat([values[i] for i in masked]))
        for i, part in zip(masked, _split(kept, [n] * len(masked))):
            values[i] = part
    totals = [v.sum() for v in values]
    if n:
        high, low = sum_range.halves(rt, AShare.concat(values))
        ev.out_of_range.extend(range_bits(rt, [
            (total, h.sum(), lo.sum(), avg) for total, h, lo, avg in zip(
                totals, _split(high, [n] * len(cols)), _split(low, [n] * len(cols)),
                averaged)]))
    return totals


def _sum_of_halves(ev: SecureEvaluator, rel: SecretRelation, low_arg: exp.Expression,
                   out_type: SqlType) -> SecretColumn:
    """The owners' exact partial sums, each as its halves ``S = h 2^32 + l`` (the low
    ones in ``low_arg``, the high ones beside them: lp.HIGH_HALF), merged: the total's
    word from the halves' sums, and its range from them (sum_range.out_of_range), so
    that a partial sum past int64 is no error where the total is in range."""
    rt = ev.rt
    low = ev.evaluate(low_arg)
    high = ev.evaluate(exp.column(low_arg.name + HIGH_HALF, quoted=True))
    present = _presents(rt, rel, [low])[0]
    count = _counts(rt, [present], rel.n)[0]
    if present is not None:
        low, high = (mux.mul_bit(rt, present, c.value) for c in (low, high))
    else:
        low, high = low.value, high.value
    lows, highs = low.sum(), high.sum()
    total = highs.mul_public(1 << 32) + lows
    if len(low):
        ev.out_of_range.append(sum_range.out_of_range(rt, total, highs, lows))
    return SecretColumn(out_type, total, equality.equal_zero(rt, count))


# an AVG's quotient is a fixed-point word (rounded_division): |total / divisor| < 2^46
AVG_QUOTIENT_BITS = 62 - FRAC_BITS

# a SUM's total with its halves' sums (sum_range), and for an AVG its count and type
RangeCheck = tuple[AShare, AShare, AShare, "tuple[AShare, SqlType] | None"]


def range_bits(rt: Runtime, checks: list[RangeCheck]) -> list[BShare]:
    """Bits 1 where a SUM's total wrapped around the ring, and for an AVG also where the
    mean is too large for a fixed-point word, ``|total| >= divisor 2^46`` for the divisor
    ``count * unit`` it is divided by (an AVG of no values is NULL): every check in the
    same rounds. The bits, for the query's out-of-range list, say nothing of which."""
    if not checks:
        return []
    total, high, low = (AShare.concat([c[k] for c in checks]) for k in range(3))
    avgs = [(c[0], c[3][0].mul_public(_unit(c[3][1]))) for c in checks if c[3] is not None]
    empty = AShare.zeros(rt.party, 0)
    wrapped, large = sum_range.out_of_range_or_beyond(
        rt, total, high, low, AShare.concat([a for a, _ in avgs]) if avgs else empty,
        AShare.concat([b for _, b in avgs]) if avgs else empty, AVG_QUOTIENT_BITS)
    return [wrapped, large] if avgs else [wrapped]


def _extremes(rt: Runtime, items: list[tuple[SecretColumn, BShare | None, BShare, bool]]
              ) -> list[SecretColumn]:
    """MIN or MAX of each ``(column, present bits, NULL bit, smallest)``, in the same
    levels. A float with its exact key is compared by the key, and the winner's
    fixed-point value travels with it: the result is one of the doubles that went in."""
    if not items:
        return []
    n = len(items[0][0])
    if n == 0:
        return [SecretColumn(col.type, AShare.zeros(rt.party, 1), null, exact=None
                             if col.key is None else FloatBits(AShare.zeros(rt.party, 1)))
                for col, _, null, _ in items]
    keys, fills = [], []
    for col, _, _, smallest in items:
        fill = extreme_fill(col.key is None, smallest)
        fills.append(AShare.public(rt.party, np.full(n, np.int64(fill).view(np.uint64))))
        value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
        keys.append(value if col.key is None else col.key)
    masked = [i for i, (_, present, _, _) in enumerate(items) if present is not None]
    for i, picked in zip(masked, mux.select_many(rt, [(items[i][1], keys[i], fills[i])
                                                      for i in masked])):
        keys[i] = picked
    # int64 and decimal words, like float keys, span the int64 range (issue 11)
    best = extremum.extremes_many(
        rt, [(key, [] if col.key is None else [col.value], smallest)
             for key, (col, _, _, smallest) in zip(keys, items)],
        compare.less_than_wide)
    return [SecretColumn(col.type, key if col.key is None else payload[0], null,
                         exact=None if col.key is None else FloatBits(key))
            for (key, payload), (col, _, null, _) in zip(best, items)]


def bit_of(rt: Runtime, value: AShare) -> BShare:
    """A bool picked by its 0/1 word (MIN, MAX) as the secret bit every bool is, so that
    CASE, COALESCE and comparisons can take it (the low bit of its decomposition)."""
    return convert.clean_bit(convert.a2b(rt, value))


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
