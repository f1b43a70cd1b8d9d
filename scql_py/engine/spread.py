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
(at most 5 * 2^-16) of the variance of those values, for values within 2^15.5 of
their group's mean (a square must fit the fixed-point product, as everywhere) and
``n var < 2^47``. The result is never negative.
STDDEV is the square root of that (``scql_py.mpc.sqrt``, within a further 2^-16).
"""

from __future__ import annotations

import numpy as np

from scql_py.catalog.types import FLOAT64, SqlType
from scql_py.engine.relation import SecretColumn
from scql_py.mpc import compare, convert, division, equality, fixedpoint, mux, rss, segment
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.sqrt import sqrt_fixed

SPREADS = ("var_pop", "var_samp", "stddev_pop", "stddev_samp")


def running_spread_sums(rt: Runtime, value: AShare, present: BShare, starts: BShare,
                        kind: str) -> list[AShare]:
    """Running ``S1``, ``S2`` (see the module); at a group's last row they are the
    group's. ``kind``: the values' type."""
    n = len(value)
    if n == 0:
        return [value.copy(), value.copy()]
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
        return [total, segment.segmented_sum(rt, fixedpoint.mul(rt, d, d), starts)]
    return segment.segmented_sum(rt, [d, rss.mul(rt, d, d)], starts)


def finish_spread(rt: Runtime, func: str, arg_type: SqlType, count: AShare, s1: AShare,
                  s2: AShare) -> SecretColumn:
    """The aggregate ``func`` (one of :data:`SPREADS`) of each group from its count and
    :func:`running_spread_sums` at its end: a float64 column, NULL for a group of no
    values (or one, for the sample forms)."""
    k = len(count)
    party = rt.party
    ones = AShare.public(party, np.ones(k, np.int64))
    sample = func.endswith("_samp")
    empty = equality.equal_zero(rt, count)
    denom = count.add_public(np.full(k, -1, np.int64)) if sample else count
    no_denom = equality.equal_zero(rt, denom) if sample else empty
    null = convert.bit_or(rt, empty, no_denom) if sample else empty
    n1, d1 = mux.select_many(rt, [(empty, ones, count), (no_denom, ones, denom)])
    q, r = division.divmod_(rt, s1, n1)
    if arg_type.kind == "float64":
        # s1 is the plain sum, s2 the squares about the mean: less r^2 / n (2^32 units)
        tail = divide_rounded(rt, rss.mul(rt, r, r), n1.mul_public(1 << FRAC_BITS), 0)
        var = divide_rounded(rt, s2 - tail, d1, 0)
        var = mux.select(rt, compare.msb(rt, var), AShare.zeros(party, k), var)
    else:
        q_s1, q_q = rss.mul_many(rt, [(q, s1), (q, q)])
        centred = s2 - q_s1.mul_public(2) + rss.mul(rt, count, q_q)
        a, b = division.divmod_(rt, centred, d1)
        b_n, r_r, nd = rss.mul_many(rt, [(b, n1), (r, r), (n1, d1)])
        frac = divide_rounded(rt, b_n - r_r, nd, FRAC_BITS)
        unit2 = 10 ** (2 * arg_type.scale) if arg_type.kind == "decimal" else 1
        if unit2 == 1:
            var = a.mul_public(1 << FRAC_BITS) + frac
        else:  # a / unit^2 in two steps, so that only the result need fit the fixed point
            whole = division.divide_public(rt, a, unit2)
            rest = (a - whole.mul_public(unit2)).mul_public(1 << FRAC_BITS) + frac
            var = whole.mul_public(1 << FRAC_BITS) + division.divide_public(rt, rest, unit2)
    if func.startswith("stddev"):
        var = sqrt_fixed(rt, var)
    return SecretColumn(FLOAT64, var, null)


def _first_only(party: int, n: int) -> BShare:
    marks = np.zeros(n, np.uint64)
    marks[:1] = 1
    return BShare.public(party, marks)


def spread_of_all(rt: Runtime, func: str, col: SecretColumn, present: BShare | None,
                  count: AShare) -> SecretColumn:
    """``func`` over every row of a relation (no GROUP BY): one row."""
    n = len(col)
    value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
    if present is None:
        present = BShare.public(rt.party, np.ones(n, np.uint64))
    if n == 0:
        zero = AShare.zeros(rt.party, 1)
        return finish_spread(rt, func, col.type, count, zero, zero)
    s1, s2 = running_spread_sums(rt, value, present, _first_only(rt.party, n), col.type.kind)
    return finish_spread(rt, func, col.type, count, s1[n - 1:], s2[n - 1:])
