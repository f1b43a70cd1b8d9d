"""Sums and differences of two doubles from their exact bits: ``+`` and ``-`` of reals
that were only moved (or computed from bits).

Fixed point rounds each real to 2^-16 before it adds (``0.001 + 0.001`` is 131 2^-16,
and ``15 / (f + f)`` divides that). From the operands' bits (:mod:`float_parts`) the sum
is computed as a floating-point unit does it, one rounding per operation:

1. the operands are ordered by magnitude (the keys' magnitudes are in the doubles'
   order); the larger one's significand is placed at bits 8..60 of a word, and the
   smaller one's likewise, shifted right by the exponents' difference (a secret shift;
   by 64 or more it leaves nothing in the word). What is shifted out is only a
   ``sticky`` bit: a difference then takes one unit more off the word, so the exact
   result lies strictly between the word and the word plus one unit;
2. that is enough for the correct rounding: where the exponents differ by 2 or more,
   cancellation loses at most one bit, so the 53 kept bits, the rounding bit and the
   bits below it are all in the word; where they differ by at most 1 nothing is
   shifted out and the word is the exact result. Subnormals are integers times
   2^-1074 at their field's scale (exponent 1): no normalisation is needed;
3. the word's leading one gives ``d`` and the 64 bits after it, and
   :func:`float_parts.finish` rounds to the nearest double, ties to even: IEEE-754's
   own ``a + b``. A sum of 2^47 or more is past the range the engine computes reals in.
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, division, float_parts, mux, rss
from scql_py.mpc.float_parts import SIGNIFICAND_BITS, RealWords
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

SUM_BITS = 47  # a computed real is below 2^47 in magnitude
PLACED_AT = 8  # the larger significand's least bit in the word; its leading one is bit 60
SHIFT_STAGES = 6  # shifts below 64; further, the smaller operand is only sticky
_FRACTION = np.uint64((1 << SIGNIFICAND_BITS) - 1)


def add_keys(rt: Runtime, key_a: AShare, key_b: AShare) -> RealWords:
    """``a + b`` for the doubles whose float keys are ``key_a`` and ``key_b`` (module doc;
    ``a - b`` is ``add_keys(a, -b)``: key(-x) = -key(x)); never ``undefined``."""
    n = len(key_a)
    if n == 0:
        return float_parts.empty_result(rt)
    keys = AShare.concat([key_a, key_b])
    signs = compare.msb(rt, keys)
    mags = keys - rss.mul(rt, convert.b2a_bit(rt, signs), keys).mul_public(2)
    smaller = compare.msb(rt, mags[:n] - mags[n:])  # |a| < |b|: magnitudes are below 2^63
    big = mux.select(rt, smaller, mags[n:], mags[:n])
    small = mags[:n] + mags[n:] - big
    sign_a, sign_b = signs[:n], signs[n:]
    opposite = sign_a ^ sign_b
    negative = sign_a ^ rss.and_(rt, smaller, opposite)  # the larger one's sign

    bits = convert.a2b(rt, AShare.concat([big, small]))
    field = bits >> SIGNIFICAND_BITS  # 11 bits
    normal = float_parts.any_bit(rt, field, 11)
    significand = bits.and_public(_FRACTION) ^ (normal << SIGNIFICAND_BITS)
    fields = convert.b2a(rt, field ^ normal.xor_public(np.uint64(1)))  # a subnormal's is 1
    diff_bits = convert.a2b(rt, fields[:n] - fields[n:])  # in [0, 2^12)
    gone = float_parts.any_bit(rt, (diff_bits >> SHIFT_STAGES).and_public(np.uint64(63)), 6)
    stages = [(diff_bits >> i).and_public(np.uint64(1)) for i in range(SHIFT_STAGES)]
    placed = significand << PLACED_AT
    shifted, out = float_parts.shift_right(rt, [placed[n:], BShare.zeros(rt.party, n)], stages)
    shifted = mux.select_words(rt, gone, BShare.zeros(rt.party, n), shifted)
    # a nonzero smaller operand shifted out of the word altogether is all sticky
    sticky = convert.bit_or(rt, float_parts.any_bit(rt, out, 64),
                            rss.and_(rt, gone, float_parts.any_bit(rt, significand[n:], 64)))

    words = convert.b2a(rt, BShare.concat([placed[:n], shifted]))
    signed = convert.b2a_bit(rt, BShare.concat([opposite, sticky, negative]))
    sub, st, neg = signed[:n], signed[n:2 * n], signed[2 * n:]
    s = words[n:]
    r = words[:n] + s - rss.mul(rt, sub, s.mul_public(2) + st)
    r_bits = convert.a2b(rt, r)
    k_bits, prefix = division.top_bit_index_bits(rt, r_bits)
    top = division.shift_left_by_bits(rt, r_bits, [convert.bit_not(b) for b in k_bits])
    fraction = top << 1
    k = convert.b2a_bit(rt, BShare.concat(k_bits))
    p = sum((k[i * n:(i + 1) * n].mul_public(1 << i) for i in range(6)), AShare.zeros(rt.party, n))
    d = (p + fields[:n]).add_public(-(1075 + PLACED_AT))
    zero = convert.bit_not(prefix.and_public(np.uint64(1)))
    return float_parts.finish(rt, neg, fraction, d, sticky, zero, SUM_BITS,
                              BShare.zeros(rt.party, n))

