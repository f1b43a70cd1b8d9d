"""Correctly rounded fixed-point quotients, for SQL's ``/`` and ``AVG``.

:func:`scql_py.mpc.division.divide` is accurate to about 2^-16 relative: enough for
statistics, not for a database whose ``AVG(income)`` of 5000, 6000, 7000 must print
6000.0. :func:`divide_rounded` refines it with the exact remainder:

1. ``q0 = divide(|a|, |b|)``; ``r = |a| 2^f - q0 |b|`` is exact in the ring;
2. ``q1 = q0 + divide(r, |b|, 0)``: each such correction divides the error by about
   2^16 (``|q0 - Q| <= 2^-16 |Q| + 1``), so one leaves ``q1`` within 2 units of the true
   quotient ``Q`` while ``|Q| < 2^32``, and ``ceil(quotient_bits / 16) - 1`` do for a
   public bound ``|Q| < 2^quotient_bits`` (default 32);
3. twice a step down where the remainder is negative and up where it is ``|b|`` or
   more (both tests in the same rounds), then one step up if ``2 r >= |b|``: ``q`` is
   ``a 2^f / b`` rounded half away from zero.

Valid for ``|a| 2^f < 2^62`` and ``b != 0`` (``b == 0`` gives an unspecified value: the
caller masks it). About 2 divisions and 3 comparisons of rounds (one division more per
further correction).

:func:`divide_refined` adds the next bits of the quotient, from the exact remainder:
what an opened quotient shows (the nearest double, not the nearest multiple of 2^-16).
"""

from __future__ import annotations

from scql_py.mpc import compare, convert, division, equality, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def _step(rt: Runtime, cond: BShare, q: AShare, r: AShare, b: AShare, up: bool):
    """Where ``cond``: q += 1, r -= b (up) or q -= 1, r += b (down)."""
    c = convert.b2a_bit(rt, cond)
    cb = rss.mul(rt, c, b)
    return (q + c, r - cb) if up else (q - c, r + cb)


def divide_rounded(rt: Runtime, a: AShare, b: AShare, frac_bits: int,
                   quotient_bits: int = 32, start: AShare | None = None) -> AShare:
    """``round(a / b * 2^frac_bits)`` for signed integers ``a``, ``b`` in one scale,
    correctly rounded when ``|a / b * 2^frac_bits| < 2^quotient_bits`` (public; at most
    62: the quotient must fit the ring anyway). ``start``: this function's own result
    for a smaller ``quotient_bits`` (32), to go on from (two divisions fewer)."""
    n = len(a)
    a_abs, b_abs, negative = division.magnitudes(rt, a, b)
    scaled = a_abs.mul_public(1 << frac_bits)

    corrections = max(0, -(-quotient_bits // 16) - 1)
    divisor: division.Divisor | AShare = b_abs  # prepared by the first division by it
    if start is None:
        q, divisor = division.divide_unsigned(rt, a_abs, b_abs, frac_bits)
    else:  # within 2 units of the quotient below 2^32, 2^-32 relative above: as after
        q = start - rss.mul(rt, negative, start).mul_public(2)  # one correction, unsigned
        corrections -= 1
    for _ in range(max(0, corrections)):
        r = scaled - rss.mul(rt, q, b_abs)
        correction, divisor = division.divide_by(rt, r, divisor, 0)
        q = q + correction
    r = scaled - rss.mul(rt, q, b_abs)
    for _ in range(2):  # a step down where r < 0, up where r >= |b|, both at once
        signs = compare.msb(rt, AShare.concat([r, r - b_abs]))
        steps = convert.b2a_bit(rt, BShare.concat([signs[:n], convert.bit_not(signs[n:])]))
        down_less_up = steps[:n] - steps[n:]
        q, r = q - down_less_up, r + rss.mul(rt, down_less_up, b_abs)
    q, _ = _step(rt, convert.bit_not(compare.less_than(rt, r.mul_public(2), b_abs)),
                 q, r, b_abs, up=True)
    return q - rss.mul(rt, negative, q).mul_public(2)


REFINED_BITS = 44  # further bits of divide_refined


def divide_refined(rt: Runtime, a: AShare, b: AShare, frac_bits: int,
                   start: AShare | None = None) -> tuple[AShare, AShare, int]:
    """``q = round(a / b * 2^frac_bits)``, correctly rounded for any quotient that fits,
    and the quotient's next :data:`REFINED_BITS` bits, rounded to odd: ``e`` with
    ``a / b = (q + e / 2^E) / 2^f`` exactly if ``e`` is even, else strictly between the
    neighbouring multiples of ``2^-E`` (``E = REFINED_BITS + 1``). Returns ``(q, e, E)``.

    A single rounding of ``q + e / 2^E`` to a double is then the correctly rounded
    quotient whenever the double's unit is at least four units of ``e``: the midpoints
    of doubles lie on the grid of ``e``, and its odd bit says on which side of a grid
    point the quotient is (with 16 fractional bits: doubles from 2^-7 up; smaller ones
    are within 2^-60).

    The further bits come from the exact remainder ``r = a 2^f - q b``, ``|r| <= |b|/2``,
    by restoring long division of ``|r|`` by ``|b|``, two bits a step
    (:func:`division.long_divide_base4`), exact for every divisor of the range of
    :func:`divide_rounded` (``|b| < 2^62``), so what is opened is a function of the
    quotient alone. ``start``: ``divide_rounded(a, b, frac_bits)``, computed already.
    Rounds: about 2 divisions for ``q``, then 11 per two further bits.
    """
    n = len(a)
    q = divide_rounded(rt, a, b, frac_bits, quotient_bits=62, start=start)
    if n == 0:
        return q, q.copy(), REFINED_BITS + 1
    remainder = a.mul_public(1 << frac_bits) - rss.mul(rt, q, b)
    signs, top_3b = division.signs_and_top_of_3b(rt, remainder, b)
    s_arith = convert.b2a_bit(rt, signs)
    both = AShare.concat([remainder, b])
    r_b = both - rss.mul(rt, s_arith, both).mul_public(2)
    r, b_abs = r_b[:n], r_b[n:]
    frac, r = division.long_divide_base4(rt, r, b_abs, REFINED_BITS // 2, top_3b=top_3b)
    # round to odd: 1 more bit, set where something is left
    odd = frac.mul_public(2) + convert.b2a_bit(rt, convert.bit_not(equality.equal_zero(rt, r)))
    negative = convert.b2a_bit(rt, signs[:n] ^ signs[n:])
    return q, odd - rss.mul(rt, negative, odd).mul_public(2), REFINED_BITS + 1
