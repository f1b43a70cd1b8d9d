"""Quotients of doubles from their exact bits: ``/`` of reals that were only moved.

Fixed point rounds a real to a multiple of 2^-16 (off by up to 2^-17): divided by a
small real, that rounding grows without bound (-2.68 / 0.001 would be -2661.15, and a
divisor below 2^-17 would be 0). A stored real keeps its IEEE-754 bits (its float key,
:mod:`float_keys`), from which the quotient is computed the way a floating-point unit
does it, to 64 bits after the leading one:

1. each key becomes a sign, a significand ``M`` in ``[2^52, 2^53)`` (a subnormal's is
   shifted up, a secret left shift) and an exponent ``E``: ``|x| = M 2^(E - 1127)``;
2. where ``M_a < M_b`` the dividend's significand is doubled and its exponent lowered,
   so that ``|a / b| = (M_a / M_b) 2^d`` with ``1 <= M_a / M_b < 2``: then
   ``d = floor(log2 |a / b|)``, a function of the quotient alone;
3. restoring long division (:func:`division.long_divide_base4`, exact: the remainder
   stays below ``M_b < 2^53``) gives the 64 bits after the leading one, ``F``, and
   whether anything is left, ``sticky``: ``|a / b| = (1 + F / 2^64 + t) 2^d`` with
   ``0 <= t < 2^-64``, ``t > 0`` iff ``sticky``;
4. the fixed-point value, ``round(a / b 2^16)`` half away from zero (what comparisons
   and further arithmetic use), is that register shifted right by ``48 - d``, rounded
   on the last bit shifted out (exact: a tie of 2^-16 lies on the register's grid).
   ``|a / b| >= 2^46``, past the range the engine computes in, is exactly ``d >= 46``.

What a result opens is ``F``, and ``d`` with ``sticky`` and the sign in one word
(:class:`QuotientWords`): a function of the quotient alone, from which the receiver
rounds once to the nearest double, which is IEEE-754's own ``a / b``, for every
quotient, subnormal ones included. About 420 rounds (32 steps of long division), as
much as a fixed-point division and the refinement its opening needs.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scql_py.mpc import compare, convert, division, equality, mux, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

SIGNIFICAND_BITS = 52  # stored bits of a double's significand
FRACTION_BITS = 64  # bits of the quotient after its leading one
QUOTIENT_BITS = 46  # the quotient is a fixed-point word with 16 fractional bits
FIXED_POINT_BITS = 16
EXPONENT_OFFSET = 4096  # d + this > 0 for every quotient of doubles: 0 is the quotient 0
_FRACTION = np.uint64((1 << SIGNIFICAND_BITS) - 1)
_SHIFT_STAGES = 7  # the register is shifted right by less than 128; further, it is 0


@dataclass
class QuotientWords:
    """``a / b``: ``q``, rounded to 2^-16 (signed ring words); ``fraction``, ``F`` of the
    module doc (a ring word read unsigned); ``exponent``, ``±(2 (d + EXPONENT_OFFSET) +
    sticky)`` with the quotient's sign (0 for the quotient 0); ``beyond``, 1 where
    ``|a / b| >= 2^46``; ``divisor_zero``, 1 where ``b`` is 0 (the other words are then
    unspecified)."""

    q: AShare
    fraction: AShare
    exponent: AShare
    beyond: BShare
    divisor_zero: BShare


def divide_keys(rt: Runtime, key_a: AShare, key_b: AShare) -> QuotientWords:
    """``a / b`` for the doubles whose float keys are ``key_a`` and ``key_b`` (module
    doc)."""
    n = len(key_a)
    if n == 0:
        empty, no_bits = AShare.zeros(rt.party, 0), BShare.zeros(rt.party, 0)
        return QuotientWords(empty, empty, empty, no_bits, no_bits)
    keys = AShare.concat([key_a, key_b])
    signs = compare.msb(rt, keys)
    s = convert.b2a_bit(rt, BShare.concat([signs, convert.bit_xor(signs[:n], signs[n:])]))
    magnitudes = keys - rss.mul(rt, s[:2 * n], keys).mul_public(2)
    zero = equality.equal_zero(rt, keys)
    significands, exponents = _significands(rt, magnitudes)
    m = convert.b2a(rt, significands)
    m_a, m_b = m[:n], m[n:]

    # the dividend's significand doubled where it is below the divisor's: 1 <= ratio < 2
    below = convert.b2a_bit(rt, compare.msb(rt, m_a - m_b))
    m_a = m_a + rss.mul(rt, below, m_a)
    d = exponents[:n] - exponents[n:] - below
    fraction, rest = division.long_divide_base4(
        rt, m_a - m_b, m_b, FRACTION_BITS // 2, top_3b=BShare.zeros(rt.party, n))
    sticky = convert.bit_not(equality.equal_zero(rt, rest))

    # round(ratio 2^(d + 16)): the register 2^64 + F shifted right by 47 - d, and the
    # last bit of that added to the rest
    shift = (-d).add_public(FRACTION_BITS - FIXED_POINT_BITS - 1)
    below_range, kept_bits = _split(compare.msb(rt, AShare.concat([
        d.add_public(-QUOTIENT_BITS), shift.add_public(-(1 << _SHIFT_STAGES))])), n)
    beyond, gone = convert.bit_not(below_range), convert.bit_not(kept_bits)
    shift_bits = convert.a2b(rt, shift)
    _, lo = _shift_right(rt, BShare.public(rt.party, np.ones(n, np.uint64)),
                         convert.a2b(rt, fraction),
                         [(shift_bits >> i).and_public(np.uint64(1)) for i in range(_SHIFT_STAGES)])
    lo = mux.select_words(rt, gone, BShare.zeros(rt.party, n), lo)
    halves = convert.b2a(rt, lo >> 1)
    q = halves + convert.b2a_bit(rt, lo.and_public(np.uint64(1)))

    exponent = d.add_public(EXPONENT_OFFSET).mul_public(2) + convert.b2a_bit(rt, sticky)
    # the quotient 0 (a = 0): q and the exponent 0; then the quotient's sign
    keep = convert.b2a_bit(rt, convert.bit_not(zero[:n]))
    kept = rss.mul(rt, AShare.concat([keep, keep]), AShare.concat([q, exponent]))
    signed = rss.mul(rt, AShare.concat([s[2 * n:], s[2 * n:]]), kept)
    q_exp = kept - signed.mul_public(2)
    return QuotientWords(q_exp[:n], fraction, q_exp[n:], beyond, zero[n:])


def _split(bits: BShare, n: int) -> list[BShare]:
    return [bits[k * n:(k + 1) * n] for k in range(len(bits) // n)]


def _significands(rt: Runtime, magnitudes: AShare) -> tuple[BShare, AShare]:
    """For magnitudes of float keys: each one's significand in ``[2^52, 2^53)`` (XOR
    words; 0 for 0) and exponent ``E`` (ring words): ``x = M 2^(E - 1127)``."""
    bits = convert.a2b(rt, magnitudes)
    field = bits >> SIGNIFICAND_BITS  # 11 bits: a magnitude is below 2^63
    normal = field
    for s in (1, 2, 4, 8):  # OR of the field's bits, in bit 0
        normal = normal ^ (normal >> s) ^ rss.and_(rt, normal, normal >> s)
    normal = normal.and_public(np.uint64(1))
    significand = bits.and_public(_FRACTION) ^ (normal << SIGNIFICAND_BITS)
    field = field ^ normal.xor_public(np.uint64(1))  # a subnormal's exponent is 1
    # a subnormal's top bit k < 52: shift it to bit 63, then down to 52 (exponent - 52 + k)
    k_bits, _ = division.top_bit_index_bits(rt, significand)
    significand = division.shift_left_by_bits(
        rt, significand, [convert.bit_not(b) for b in k_bits]) >> 11
    exponent = convert.b2a(rt, field)
    k = convert.b2a_bit(rt, BShare.concat(k_bits))
    m = len(magnitudes)
    for i in range(6):
        exponent = exponent + k[i * m:(i + 1) * m].mul_public(1 << i)
    return significand, exponent


def _shift_right(rt: Runtime, hi: BShare, lo: BShare, bits: list[BShare]
                 ) -> tuple[BShare, BShare]:
    """The 128-bit register ``(hi, lo)`` shifted right by ``sum(bits_i 2^i)`` (below
    128), exactly, in one select per bit."""
    n = len(hi)
    for i, bit in enumerate(bits):
        step = 1 << i
        if step < 64:
            new_hi, new_lo = division.shift_pair(hi, lo, step, left=False)
        else:
            new_hi, new_lo = BShare.zeros(rt.party, n), hi
        both = mux.select_words(rt, BShare.concat([bit, bit]), BShare.concat([new_hi, new_lo]),
                                BShare.concat([hi, lo]))
        hi, lo = both[:n], both[n:]
    return hi, lo
