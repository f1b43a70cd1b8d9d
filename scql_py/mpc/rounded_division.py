"""Correctly rounded fixed-point quotients, for SQL's ``/`` and ``AVG``.

:func:`scql_py.mpc.division.divide` is accurate to about 2^-16 relative: enough for
statistics, not for a database whose ``AVG(income)`` of 5000, 6000, 7000 must print
6000.0. :func:`divide_rounded` refines it with the exact remainder:

1. ``q0 = divide(|a|, |b|)``; ``r = |a| 2^f - q0 |b|`` is exact in the ring;
2. ``q1 = q0 + divide(r, |b|, 0)`` (the correction is small, so its own relative error
   leaves ``q1`` within 2 units of the true quotient while ``|a/b| < 2^16``; beyond, the
   relative error is below 2^-32);
3. two steps down and two up while the remainder is out of ``[0, |b|)``, then one
   step up if ``2 r >= |b|``: ``q`` is ``a 2^f / b`` rounded half away from zero.

Valid for ``|a| 2^f < 2^62`` and ``b != 0`` (``b == 0`` gives an unspecified value: the
caller masks it). About 2 divisions and 5 comparisons of rounds.
"""

from __future__ import annotations

from scql_py.mpc import compare, convert, division, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def _abs(rt: Runtime, x: AShare) -> tuple[AShare, BShare]:
    sign = compare.msb(rt, x)
    s = convert.b2a_bit(rt, sign)
    return x - rss.mul(rt, s, x).mul_public(2), sign


def _step(rt: Runtime, cond: BShare, q: AShare, r: AShare, b: AShare, up: bool):
    """Where ``cond``: q += 1, r -= b (up) or q -= 1, r += b (down)."""
    c = convert.b2a_bit(rt, cond)
    cb = rss.mul(rt, c, b)
    return (q + c, r - cb) if up else (q - c, r + cb)


def divide_rounded(rt: Runtime, a: AShare, b: AShare, frac_bits: int) -> AShare:
    """``round(a / b * 2^frac_bits)`` for signed integers ``a``, ``b`` in one scale."""
    n = len(a)
    ab_abs, signs = _abs(rt, AShare.concat([a, b]))
    a_abs, b_abs = ab_abs[:n], ab_abs[n:]
    negative = convert.b2a_bit(rt, convert.bit_xor(signs[:n], signs[n:]))
    scaled = a_abs.mul_public(1 << frac_bits)

    q = division.divide(rt, a_abs, b_abs, frac_bits)
    r = scaled - rss.mul(rt, q, b_abs)
    q = q + division.divide(rt, r, b_abs, 0)
    r = scaled - rss.mul(rt, q, b_abs)
    for _ in range(2):
        q, r = _step(rt, compare.msb(rt, r), q, r, b_abs, up=False)
    for _ in range(2):
        q, r = _step(rt, convert.bit_not(compare.less_than(rt, r, b_abs)), q, r, b_abs, up=True)
    q, _ = _step(rt, convert.bit_not(compare.less_than(rt, r.mul_public(2), b_abs)),
                 q, r, b_abs, up=True)
    return q - rss.mul(rt, negative, q).mul_public(2)
