"""Quotients of doubles from their exact bits: ``/`` of reals that were only moved.

Fixed point rounds a real to a multiple of 2^-16 (off by up to 2^-17): divided by a
small real, that rounding grows without bound (-2.68 / 0.001 would be -2661.15, and a
divisor below 2^-17 would be 0). From the operands' bits (:mod:`float_parts`) the
quotient is computed as a floating-point unit does it, to 64 bits after its leading
one:

1. where ``M_a < M_b`` the dividend's significand is doubled and its exponent lowered,
   so that ``|a / b| = (M_a / M_b) 2^d`` with ``1 <= M_a / M_b < 2``: then
   ``d = floor(log2 |a / b|)``, a function of the quotient alone;
2. restoring long division (:func:`division.long_divide_base4`, exact: the remainder
   stays below ``M_b < 2^53``) gives the 64 bits after the leading one, ``F``, and
   whether anything is left, ``sticky``;
3. :func:`float_parts.finish` rounds it to the nearest double: IEEE-754's own
   ``a / b``, exactly. A quotient of 2^46 or more is past the range the engine
   computes quotients in.

About 450 rounds (32 steps of long division): as much as a fixed-point division and
the refinement its opening needs.
"""

from __future__ import annotations

from scql_py.mpc import compare, convert, division, equality, float_parts, rss
from scql_py.mpc.float_parts import FRACTION_BITS, RealWords
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

QUOTIENT_BITS = 46  # a quotient is a fixed-point word with 16 fractional bits


def divide_keys(rt: Runtime, key_a: AShare, key_b: AShare) -> RealWords:
    """``a / b`` for the doubles whose float keys are ``key_a`` and ``key_b`` (module
    doc); ``undefined`` where ``b`` is 0."""
    n = len(key_a)
    if n == 0:
        return float_parts.empty_result(rt)
    ops = float_parts.split_keys(rt, key_a, key_b)
    m = convert.b2a(rt, ops.significands)
    m_a, m_b = m[:n], m[n:]

    # the dividend's significand doubled where it is below the divisor's: 1 <= ratio < 2
    below = convert.b2a_bit(rt, compare.msb(rt, m_a - m_b))
    m_a = m_a + rss.mul(rt, below, m_a)
    d = ops.exponents[:n] - ops.exponents[n:] - below
    fraction, rest = division.long_divide_base4(
        rt, m_a - m_b, m_b, FRACTION_BITS // 2, top_3b=BShare.zeros(rt.party, n))
    sticky = convert.bit_not(equality.equal_zero(rt, rest))

    return float_parts.finish(rt, ops.negative, convert.a2b(rt, fraction), d, sticky, ops.zero[:n],
                              QUOTIENT_BITS, ops.zero[n:])
