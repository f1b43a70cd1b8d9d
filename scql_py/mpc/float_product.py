"""Products of doubles from their exact bits: ``*`` of reals that were only moved.

Fixed point rounds each real to 2^-16 before it multiplies, so a product is off by up to
``|x| 2^-17 + |y| 2^-17`` (``19.99 * 1000`` would be 19990.0055, ``1e-6 * 1e6`` would be
0). From the operands' bits (:mod:`float_parts`) the product is exact:

1. each 53-bit significand is cut into three limbs of 18 bits; the nine limb products
   summed by weight give ``c_0 .. c_4`` with ``M_a M_b = sum c_k 2^(18 k)``, each below
   2^38: exact in the ring;
2. the 106-bit product is assembled as ``H 2^60 + L``: ``c_2`` and ``c_3``, which
   straddle bit 60, are cut there by bit decomposition, and the carry of the low parts'
   sum (below 2^62) goes to ``H``; then it is a 128-bit register of XOR words;
3. its leading bit is 105 or 104 (a 1-bit normalisation), which gives
   ``d = floor(log2 |x y|)``, ``F`` (the 64 bits below it) and ``sticky`` (whether any
   of the 41 bits further down is set);
4. :func:`float_parts.finish` rounds it to the nearest double: IEEE-754's own
   ``x * y``, exactly. A product of 2^47 or more is past the range the engine computes
   reals in.

About 130 rounds, where a fixed-point product takes about 30.
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import convert, float_parts, mux, rss
from scql_py.mpc.float_parts import RealWords
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

PRODUCT_BITS = 47  # a computed real is below 2^47 in magnitude
LIMB_BITS = 18
LEADING_BIT = 105  # of the normalised product of two significands in [2^52, 2^53)
# x y = P 2^(E_a + E_b - 2254) for the product P of the significands (float_parts): its
# leading bit is 104, plus 1 where it is 105
_EXPONENT_BIAS = 2254 - (LEADING_BIT - 1)


def _mask(bits: int) -> np.uint64:
    return np.uint64((1 << bits) - 1)


def multiply_keys(rt: Runtime, key_a: AShare, key_b: AShare) -> RealWords:
    """``a * b`` for the doubles whose float keys are ``key_a`` and ``key_b`` (module
    doc); never ``undefined``."""
    n = len(key_a)
    if n == 0:
        return float_parts.empty_result(rt)
    ops = float_parts.split_keys(rt, key_a, key_b)
    limbs = convert.b2a(rt, BShare.concat([(ops.significands >> (LIMB_BITS * i)).and_public(
        _mask(LIMB_BITS)) for i in range(3)]))
    a_limbs = [limbs[2 * n * i:2 * n * i + n] for i in range(3)]
    b_limbs = [limbs[2 * n * i + n:2 * n * (i + 1)] for i in range(3)]
    pairs = [(i, j) for i in range(3) for j in range(3)]
    products = rss.mul(rt, AShare.concat([a_limbs[i] for i, _ in pairs]),
                       AShare.concat([b_limbs[j] for _, j in pairs]))
    c = [AShare.zeros(rt.party, n) for _ in range(5)]
    for t, (i, j) in enumerate(pairs):
        c[i + j] = c[i + j] + products[t * n:(t + 1) * n]

    # c_2 sits at 2^36 and c_3 at 2^54: their bits from 2^60 on go to H
    cut = convert.a2b(rt, AShare.concat([c[2], c[3]]))
    low2, high2, low3, high3 = float_parts.split(convert.b2a(rt, BShare.concat([
        cut[:n].and_public(_mask(24)), cut[:n] >> 24, cut[n:].and_public(_mask(6)),
        cut[n:] >> 6])), n)
    low = (c[0] + c[1].mul_public(1 << 18) + low2.mul_public(1 << 36)
           + low3.mul_public(1 << 54))
    low_bits = convert.a2b(rt, low)
    high = convert.a2b(rt, high2 + high3 + c[4].mul_public(1 << 12)
                       + convert.b2a(rt, low_bits >> 60))
    hi, lo = high >> 4, (high << 60) ^ low_bits.and_public(_mask(60))

    # normalised: the leading bit at 105 (hi's bit 41), else one step left
    top = (hi >> (LEADING_BIT - 64)).and_public(np.uint64(1))
    both = mux.select_words(rt, BShare.concat([top, top]), BShare.concat([hi, lo]),
                            BShare.concat([(hi << 1) ^ (lo >> 63), lo << 1]))
    hi, lo = both[:n], both[n:]
    d = (ops.exponents[:n] + ops.exponents[n:] + convert.b2a_bit(rt, top)).add_public(
        -_EXPONENT_BIAS)
    fraction_bits = (hi << (128 - LEADING_BIT)) ^ (lo >> (LEADING_BIT - 64))
    sticky = float_parts.any_bit(rt, lo.and_public(_mask(LEADING_BIT - 64)), LEADING_BIT - 64)

    zero_a, zero_b = ops.zero[:n], ops.zero[n:]
    zero = zero_a ^ zero_b ^ rss.and_(rt, zero_a, zero_b)
    return float_parts.finish(rt, ops.negative, fraction_bits, d, sticky, zero, PRODUCT_BITS,
                              BShare.zeros(rt.party, n))
