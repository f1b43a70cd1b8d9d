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

:func:`divide_refined` adds the next bits of the quotient, from the exact remainder:
what an opened AVG shows (the nearest double, not the nearest multiple of 2^-16).
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


def divide_refined(rt: Runtime, a: AShare, b: AShare, frac_bits: int, extra_bits: int
                   ) -> tuple[AShare, AShare]:
    """``q = round(a / b * 2^frac_bits)`` (:func:`divide_rounded`) and the next
    ``extra_bits`` bits of the quotient: ``e = round((a 2^f - q b) 2^extra_bits / b)``,
    so that ``a / b = (q + e / 2^extra_bits) / 2^f`` to within ``2^-(f + extra_bits + 1)``.

    ``e`` lies in ``[-2^(extra_bits - 1), 2^(extra_bits - 1)]``, so ``(q, e)`` orders
    like the quotient. The remainder is exact, hence valid when ``|b| 2^extra_bits <
    2^62`` (besides :func:`divide_rounded`'s condition): a public bound on ``|b|`` (a row
    count) decides ``extra_bits``. Twice the rounds of :func:`divide_rounded`.
    """
    q = divide_rounded(rt, a, b, frac_bits)
    remainder = a.mul_public(1 << frac_bits) - rss.mul(rt, q, b)
    # the approximate division takes at most MAX_FRAC_BITS: scale the (small) remainder
    # up exactly by the rest
    inner = min(extra_bits, division.MAX_FRAC_BITS)
    if extra_bits > inner:
        remainder = remainder.mul_public(1 << (extra_bits - inner))
    return q, divide_rounded(rt, remainder, b, inner)


def extra_bits_for(divisor_bound: int) -> int:
    """The ``extra_bits`` that :func:`divide_refined` allows for ``|b| <= divisor_bound``."""
    return max(0, 61 - int(divisor_bound).bit_length())
