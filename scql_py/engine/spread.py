"""VAR_POP, VAR_SAMP, STDDEV_POP and STDDEV_SAMP under MPC, per group of rows.

The textbook ``(sum x^2 - (sum x)^2 / n) / n`` cancels catastrophically (and overflows
the ring) when the mean is large against the spread. Instead, per group:

int64 and decimal inputs (exact integers):

1. every present value is shifted by a pivot ``p``, one of the group's own values (the
   last present one, brought to every row of the group by two copy scans), so that
   ``d = x - p`` spans the group's range, not its magnitude: ``S1 = sum d``,
   ``S2 = sum d^2``, exactly;
2. on the (few) groups kept, the sums are re-centred on ``q = S1 DIV n`` exactly,
   ``S2' = sum (d - q)^2 = S2 - 2 q S1 + n q^2`` (exact mod 2^64, and the true value is
   at most ``n var + n``, so it fits), with ``r = S1 - n q``, ``|r| < n``;
3. ``var = (S2' - r^2 / n) / D`` (``D = n``, or ``n - 1`` for the sample variance):
   with ``S2' = a D + b`` exactly, ``var = a + (b n - r^2) / (n D)``, an integer plus a
   fraction in (-1, 1) rounded to 2^-16. No term can be negative beyond rounding, and
   nothing is subtracted that is much larger than the result.

float64 inputs (fixed point, where a square must be truncated): every value is centred
on its group's mean ``q`` (to 2^-16, one exact division per row), ``S2 = sum
trunc((x - q)^2)``, ``var = (S2 - r^2 / n) / D``: each truncation errs downwards by less
than 2 * 2^-16, so equal values give exactly 0, and the result is clamped at 0.

Error bounds (stated in the README, tested in tests/engine/test_spread.py): int64 and
decimal inputs: within 2^-16 of the exact variance (int64: one rounding to 2^-17;
decimal: and one truncation to 2^-16), for ``n var < 2^62`` in units^2 (a decimal's
unit is 10^-s), ``var < 2^46`` and ``n < 2^23``;
float inputs: each value rounded to 2^-16 first, then within ``(1 + 2 n / D) 2^-16``
(at most 5 * 2^-16) of the variance of those values, for values within 2^23 of
their group's mean (each square over 2^16 must fit a word; it is taken exactly from
the word's 32-bit halves) and ``n var < 2^47``. The result is never negative.
STDDEV is the square root of that (``scql_py.mpc.sqrt``, within a further 2^-16).
"""

from __future__ import annotations

import numpy as np

from scql_py.catalog.types import FLOAT64, SqlType
from scql_py.engine.relation import SecretColumn
from scql_py.mpc import compare, convert, division, equality, mux, rss, segment, sum_range
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.sqrt import sqrt_fixed

SPREADS = ("var_pop", "var_samp", "stddev_pop", "stddev_samp")


# |x - pivot| (int64, decimal): its square must fit
SPREAD_BITS = 31
# |x - mean| of reals, in fixed-point words (2^23 in value): its square over 2^16 must fit
FLOAT_SPREAD_BITS = 39
# the variance of exact integers is a fixed-point word: below 2^47 in its units
VARIANCE_BITS = 63 - FRAC_BITS
ROOT_BITS = 62  # STDDEV: a variance's fixed-point word below 2^62 (scql_py.mpc.sqrt)


def running_spread_sums(rt: Runtime, value: AShare, present: BShare, starts: BShare,
                        kind: str) -> list[AShare]:
    """Running ``S1``, ``S2`` (see the module), then what tells whether the group is in
    range (:func:`spread_out_of_range`): the number of values too far from the pivot or
    mean for their square, the sums of the squares' halves. At a group's last row they
    are the group's. ``kind``: the values' type."""
    n = len(value)
    if n == 0:
        return [value.copy() for _ in range(5)]
    kept = mux.mul_bit(rt, present, value)
    ends = segment.group_ends(starts)
    if kind == "float64":
        # centred on the group's mean itself (to 2^-16, by an exact division at every
        # row, of which the group's last counts), so that the truncated squares err
        # only downwards, by 1 unit each, and equal values give exactly 0
        total, count = segment.segmented_sum(rt, [kept, convert.b2a_bit(rt, present)], starts)
        ones = AShare.public(rt.party, np.ones(n, np.int64))
        count = mux.select(rt, equality.equal_zero(rt, count), ones, count)
        centre = division.divmod_(rt, total, count)[0]
    else:
        marks = convert.bit_or(rt, starts, present)
        (centre,) = segment.copy_down(rt, marks, [kept])  # at a group's end: its last value
    (centre,) = segment.copy_down(rt, ends.reversed(), [centre.reversed()])
    d = mux.mul_bit(rt, present, value - centre.reversed())
    if kind == "float64":
        square = _fixed_square(rt, d)
        sums = [total, segment.segmented_sum(rt, square, starts)]
        far = sum_range.beyond(rt, d, 1 << FLOAT_SPREAD_BITS)
    else:
        square = rss.mul(rt, d, d)
        sums = segment.segmented_sum(rt, [d, square], starts)
        far = sum_range.beyond(rt, d, 1 << SPREAD_BITS)
    far = convert.b2a_bit(rt, far)
    high, low = sum_range.halves(rt, square)
    return sums + segment.segmented_sum(rt, [far, high, low], starts)


def _fixed_square(rt: Runtime, d: AShare) -> AShare:
    """``trunc(d^2 / 2^16)`` of fixed-point words ``|d| < 2^39`` (reals within 2^23 of
    their mean), whose square ``d^2`` would leave the ring: with ``d = h 2^32 + l``
    exactly (``|h| < 2^7``, ``|l| < 2^32``), ``d^2 / 2^16 = h^2 2^48 + h l 2^17 +
    l^2 / 2^16``, where only ``l^2 < 2^64`` (unsigned) is divided, exactly. (Divided
    exactly, not by the one-round truncation of fixedpoint.mul: that fails with
    probability 2^(l - 64) per row, and a failed one made a whole variance 0.)"""
    high, low = sum_range.halves(rt, d)
    hh, hl, ll = rss.mul_many(rt, [(high, high), (high, low), (low, low)])
    return (hh.mul_public(1 << (2 * 32 - FRAC_BITS)) + hl.mul_public(1 << (33 - FRAC_BITS))
            + division.floor_nonnegative(rt, ll, 1 << FRAC_BITS))


def spread_out_of_range(rt: Runtime, s2: AShare, far: AShare, h2: AShare, l2: AShare
                        ) -> BShare:
    """Bit 1 for a group (its running values at its end) out of the bounds: a value too
    far for its square, or a sum of squares that wrapped around."""
    return convert.bit_or(rt, convert.bit_not(equality.equal_zero(rt, far)),
                          sum_range.out_of_range(rt, s2, h2, l2))


Spread = tuple[str, SqlType, AShare, AShare, AShare]  # func, argument type, count, S1, S2


def finish_spread(rt: Runtime, func: str, arg_type: SqlType, count: AShare, s1: AShare,
                  s2: AShare) -> SecretColumn:
    """The aggregate ``func`` (one of :data:`SPREADS`) of each group from its count and
    :func:`running_spread_sums` at its end: a float64 column, NULL for a group of no
    values (or one, for the sample forms)."""
    return finish_spreads(rt, [(func, arg_type, count, s1, s2)])[0]


def finish_spreads(rt: Runtime, items: list[Spread], out_of_range: list[BShare] | None = None
                   ) -> list[SecretColumn]:
    """:func:`finish_spread` of several aggregates in the same rounds (their words side
    by side; the float and the exact ones take their own steps, one after the other).
    ``out_of_range`` gets a bit per exact variance of 2^47 or more (in its units)."""
    if not items:
        return []
    party = rt.party
    sizes = [len(count) for _, _, count, _, _ in items]
    at = np.cumsum([0] + sizes)
    k = int(at[-1])
    ones = AShare.public(party, np.ones(k, np.int64))
    count = AShare.concat([c for _, _, c, _, _ in items])
    s1 = AShare.concat([x for _, _, _, x, _ in items])
    s2 = AShare.concat([x for _, _, _, _, x in items])
    sample = np.concatenate([np.full(n, int(f.endswith("_samp")), np.int64)
                             for (f, *_), n in zip(items, sizes)])
    denom = count - AShare.public(party, sample)
    zero = equality.equal_zero(rt, AShare.concat([count, denom]))
    empty, no_denom = zero[:k], zero[k:]
    null = convert.bit_or(rt, empty, no_denom)  # no_denom: empty, for the population forms
    n1, d1 = mux.select_many(rt, [(empty, ones, count), (no_denom, ones, denom)])
    q, r = division.divmod_(rt, s1, n1)

    def rows(pick) -> np.ndarray:
        return np.concatenate([np.arange(at[i], at[i + 1]) for i, item in enumerate(items)
                               if pick(item[1])] or [np.zeros(0, np.int64)]).astype(np.int64)

    floats = np.concatenate([np.full(n, t.kind == "float64") for (_, t, *_), n in
                             zip(items, sizes)])
    units = np.concatenate([np.full(n, 10 ** (2 * t.scale) if t.kind == "decimal" else 1,
                                    np.int64) for (_, t, *_), n in zip(items, sizes)])
    var = _variances(rt, q, r, n1, d1, count, s1, s2, floats, units, out_of_range)
    roots = rows(lambda t: True)[np.concatenate(
        [np.full(n, f.startswith("stddev")) for (f, *_), n in zip(items, sizes)])]
    if len(roots):
        if out_of_range is not None:  # the root takes variances below 2^46 (sqrt)
            out_of_range.append(convert.bit_not(compare.msb(
                rt, var[roots].add_public(np.uint64(-(1 << ROOT_BITS) & (2**64 - 1))))))
        var = _scatter(var, roots, sqrt_fixed(rt, var[roots]))
    return [SecretColumn(FLOAT64, var[at[i]:at[i + 1]], null[at[i]:at[i + 1]])
            for i in range(len(items))]


def _scatter(into: AShare, where: np.ndarray, values: AShare) -> AShare:
    a, b = into.a.copy(), into.b.copy()
    a[where], b[where] = values.a, values.b
    return AShare(into.party, a, b)


def _variances(rt: Runtime, q, r, n1, d1, count, s1, s2, floats: np.ndarray,
               units: np.ndarray, out_of_range: list[BShare] | None = None) -> AShare:
    """Every group's variance, a fixed-point word; the float and the exact groups (the
    module doc) step by step in the same rounds: their products, their divisions
    (one exact, one rounded), their sign tests.

    Float groups: ``s2`` holds the squares about the mean already; less ``r^2 / n``
    (in 2^32 units, rounded: ``floor((2 r^2 + U) / 2U)`` for ``U = n 2^16``), over
    ``D``, clamped at 0. Exact groups: re-centred on ``q``, then scaled by each value's
    ``unit^2`` (``units``: 1 for int64, ``10^2s`` for decimal(p,s))."""
    party = rt.party
    fl, ex = np.flatnonzero(floats), np.flatnonzero(~floats)
    r_fl, n_fl = r[fl], n1[fl]
    q_ex, r_ex, n_ex, d_ex = q[ex], r[ex], n1[ex], d1[ex]
    r_r_fl, q_s1, q_q = rss.mul_many(rt, [(r_fl, r_fl), (q_ex, s1[ex]), (q_ex, q_ex)])
    centred = s2[ex] - q_s1.mul_public(2) + rss.mul(rt, count[ex], q_q)
    unit = n_fl.mul_public(1 << FRAC_BITS)
    quotients, remainders = division.divmod_(
        rt, AShare.concat([r_r_fl.mul_public(2) + unit, centred]),
        AShare.concat([unit.mul_public(2), d_ex]))
    tail, a, b = quotients[:len(fl)], quotients[len(fl):], remainders[len(fl):]
    b_n, r_r, nd = rss.mul_many(rt, [(b, n_ex), (r_ex, r_ex), (n_ex, d_ex)])
    # correctly rounded for any float variance's word (the exact fractions are small)
    divided = divide_rounded(rt, AShare.concat([s2[fl] - tail,
                                                (b_n - r_r).mul_public(1 << FRAC_BITS)]),
                             AShare.concat([d1[fl], nd]), 0, quotient_bits=62)
    var_fl, frac = divided[:len(fl)], divided[len(fl):]
    # (a decimal's bound capped at 2^62: an error a little early, never a wrap)
    bound = AShare.public(party, np.array([min(int(u) << VARIANCE_BITS, 1 << 62)
                                           for u in units[ex]], dtype=np.uint64))
    signs = compare.msb(rt, AShare.concat([var_fl, a - bound]))
    if out_of_range is not None and len(ex):
        out_of_range.append(convert.bit_not(signs[len(fl):]))  # a >= bound
    var = AShare.zeros(party, len(floats))
    if len(fl):
        var = _scatter(var, fl, mux.select(rt, signs[:len(fl)], AShare.zeros(party, len(fl)),
                                           var_fl))
    if len(ex):
        var = _scatter(var, ex, _exact_scaled(rt, a, frac, units[ex]))
    return var


def _exact_scaled(rt: Runtime, a: AShare, frac: AShare, units: np.ndarray) -> AShare:
    """``a + frac 2^-16`` in fixed point, over each value's ``unit^2``."""
    var = a.mul_public(1 << FRAC_BITS) + frac
    for unit2 in sorted(set(units.tolist()) - {1}):
        # a / unit^2 in two steps, so that only the result need fit the fixed point
        where = np.flatnonzero(units == unit2)
        whole = division.divide_public(rt, a[where], unit2)
        rest = (a[where] - whole.mul_public(unit2)).mul_public(1 << FRAC_BITS) + frac[where]
        var = _scatter(var, where, whole.mul_public(1 << FRAC_BITS)
                       + division.divide_public(rt, rest, unit2))
    return var


def spreads_of_all(rt: Runtime, items: list[tuple[str, SecretColumn, BShare | None, AShare]],
                   out_of_range: list[BShare] | None = None) -> list[SecretColumn]:
    """VAR/STDDEV ``(func, column, present bits, count)`` over every row of a relation
    (no GROUP BY), one row each: the columns side by side, each its own segment, so that
    all take the same rounds."""
    party = rt.party
    sums: dict[int, tuple[AShare, AShare]] = {}
    for floats in (True, False):
        chosen = [i for i, (_, col, _, _) in enumerate(items)
                  if (col.type.kind == "float64") == floats and len(col)]
        if not chosen:
            continue
        values, presents, marks = [], [], []
        for i in chosen:
            _, col, present, _ = items[i]
            n = len(col)
            values.append(col.value)
            presents.append(present if present is not None
                            else BShare.public(party, np.ones(n, np.uint64)))
            mark = np.zeros(n, np.uint64)
            mark[0] = 1
            marks.append(mark)
        s1, s2, *checks = running_spread_sums(
            rt, AShare.concat(values), BShare.concat(presents),
            BShare.public(party, np.concatenate(marks)), "float64" if floats else "int64")
        end = np.cumsum([len(v) for v in values]) - 1
        if out_of_range is not None:
            out_of_range.append(spread_out_of_range(rt, s2[end], *[c[end] for c in checks]))
        for j, i in enumerate(chosen):
            sums[i] = (s1[end[j]:end[j] + 1], s2[end[j]:end[j] + 1])
    zero = AShare.zeros(party, 1)
    return finish_spreads(rt, [(func, col.type, count, *sums.get(i, (zero, zero)))
                               for i, (func, col, _, count) in enumerate(items)], out_of_range)
