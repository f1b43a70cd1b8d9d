"""Sums of doubles from their exact bits: ``SUM`` and ``AVG`` of reals that were only moved.

Fixed point rounds each real to 2^-16 before it adds, so a sum of n reals is off by up
to n 2^-17 and a sum of small reals is nothing like them: ``SUM(f)`` of one 0.001 is
66 2^-16, and ``AVG(id) / SUM(f)`` divides that (14894.5 for DuckDB's 15000; a sum
below 2^-17 would be 0 and the quotient NULL). From the doubles' bits
(:mod:`float_parts`) the sum is exact, and only the total is rounded:

1. per row, the magnitude ``M 2^(e - 1075)`` (``e`` its exponent field) is placed in
   a 128-bit window of units of 2^-80 (:data:`UNIT_BITS`) by a secret right shift of
   ``M 2^75`` (a double below 2^-80, a subnormal, 0, leaves nothing), and cut into
   four limbs of 32 bits, each a ring word signed by the double's sign (and 0 where the
   row does not count). Bits of a double below 2^-80 are truncated (toward 0): a
   double of at least 2^-28 in magnitude has none, a smaller one keeps its bits from
   2^-80 on (a subnormal, 1e-300: nothing);
2. summation is linear: every limb column is summed where the engine sums anything
   (a total, a running sum per group, one product per group), and ``n < 2^31`` signed
   limbs cannot wrap a 64-bit word;
3. :func:`total` gives the exact sum of the window from a group's four limb sums: the
   carries are normalised by exact floors by 2^32 (:func:`exact_shift.floor_shift`),
   which gives the sum's 128-bit two's complement (a top word beyond 32 bits is a sum
   of 2^47 or more); its magnitude is the ones' complement (of a negative sum) plus
   the sign bit, whose carry into each bit is a prefix AND; the leading one, the 64
   bits below it and whether anything further is set go to :func:`float_parts.finish`,
   which rounds to the nearest double, ties to even, and gives its key and fixed-point
   value. A sum of 2^47 or more is past the range the engine computes reals in.

So the result is the correctly rounded exact sum (``math.fsum``) of the window's
values, whatever the order or the cancellation; DuckDB's own ``SUM(DOUBLE)`` adds in
its order, one rounding per row. About 36 rounds per row and 160 per total (on the
few totals): 3.5 times the time of a fixed-point sum with its range check
(``bench/micro.py --cases sum_fixed,sum_reals``).
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, division, float_parts, mux, rss
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.float_parts import SHIFT_STAGES, SIGNIFICAND_BITS, RealWords
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

SUM_BITS = 47  # a computed real is below 2^47 in magnitude
UNIT_BITS = 80  # the window's unit is 2^-80: it spans [2^-80, 2^47)
LIMB_BITS = 32
LIMBS = 4  # 128 bits of the window
# M (bit 52 its leading one) placed at the top of the register's high word: M 2^75
_PLACED_AT = 64 + 64 - SIGNIFICAND_BITS - 1
# |x| = M 2^(e - 1075) is M 2^(e - 995) units: the window's least, M 2^-52, is e = 943
_FIELD_OFFSET = 1024 - (1075 - UNIT_BITS - SIGNIFICAND_BITS)
_FRACTION = np.uint64((1 << SIGNIFICAND_BITS) - 1)
_LIMB = np.uint64((1 << LIMB_BITS) - 1)


def signed_limbs(rt: Runtime, keys: AShare, present: BShare | None = None) -> list[AShare]:
    """Per row, the :data:`LIMBS` limbs (ring words, least significant first) of the
    double whose float key is in ``keys``, in units of 2^-80 (module doc), signed by its
    sign, 0 where ``present`` is 0. Valid for ``|x| < 2^48`` (every real the engine
    computes in is below 2^47: a larger one is out of range where it is made)."""
    n = len(keys)
    if n == 0:
        return [AShare.zeros(rt.party, 0) for _ in range(LIMBS)]
    negative = compare.msb(rt, keys)  # key(-x) = -key(x)
    magnitudes = keys - rss.mul(rt, convert.b2a_bit(rt, negative), keys).mul_public(2)
    # a magnitude's bits 52 on are its exponent field e (|x| = M 2^(e - 1075)): with
    # e + 81 there, bit 62 says whether x reaches the window (e >= 943, 2^-80) and bits
    # 52..58 are u = e - 943, by which M 2^-52 is shifted left (a subnormal's e is 0: it
    # is below the window, as is 0, so M's leading one is always bit 52)
    bits = convert.a2b(rt, magnitudes.add_public(_FIELD_OFFSET << SIGNIFICAND_BITS))
    inside = (bits >> (SIGNIFICAND_BITS + 10)).and_public(np.uint64(1))
    # M 2^(u - 52) is M 2^75 shifted right by 127 - u, whose bits are u's flipped
    stages = [convert.bit_not(bits >> (SIGNIFICAND_BITS + i)) for i in range(SHIFT_STAGES)]
    significand = bits.and_public(_FRACTION).xor_public(np.uint64(1 << SIGNIFICAND_BITS))
    hi, lo = float_parts.shift_right(
        rt, [significand << (_PLACED_AT - 64), BShare.zeros(rt.party, n)], stages)
    counted = inside if present is None else rss.and_(rt, present, inside)
    counts = convert.b2a_bit(rt, BShare.concat([counted, rss.and_(rt, counted, negative)]))
    factor = counts[:n] - counts[n:].mul_public(2)  # c (1 - 2 s)
    limbs = convert.b2a(rt, BShare.concat([lo.and_public(_LIMB), lo >> LIMB_BITS,
                                           hi.and_public(_LIMB), hi >> LIMB_BITS]))
    signed = rss.mul(rt, AShare.concat([factor] * LIMBS), limbs)
    return float_parts.split(signed, n)


def total(rt: Runtime, sums: list[AShare]) -> RealWords:
    """The nearest double to the sum whose limb sums (of :func:`signed_limbs`, summed
    over ``n < 2^31`` rows) are ``sums``: its fixed-point value, its key, and whether it
    is 2^47 or more in magnitude (``beyond``); never ``undefined``. A sum of nothing is
    0."""
    k = len(sums[0])
    if k == 0:
        return float_parts.empty_result(rt)
    # carries: each limb sum's floor by 2^32 goes to the next one up
    low_words, carry = [], AShare.zeros(rt.party, k)
    for limb in sums[:-1]:
        limb = limb + carry
        carry = floor_shift(rt, limb, LIMB_BITS)
        low_words.append(limb - carry.mul_public(1 << LIMB_BITS))  # in [0, 2^32)
    top = sums[-1] + carry  # signed: the sum is top 2^96 + the rest
    lo = low_words[0] + low_words[1].mul_public(1 << LIMB_BITS)
    hi = low_words[2] + top.mul_public(1 << LIMB_BITS)  # the two's complement's top word
    words = convert.a2b(rt, AShare.concat([lo, hi, top.add_public(1 << (LIMB_BITS - 1))]))
    lo, hi, shifted_top = float_parts.split(words, k)
    negative = hi >> 63
    # |S| = ~S + 1 where S < 0: the carry into bit i is the sign AND every bit below
    flip = mux.broadcast_bit(negative)
    lo, hi = lo ^ flip, hi ^ flip
    carries = _prefix_and(rt, BShare.concat([(lo << 1) ^ negative, (hi << 1) ^ (lo >> 63)]))
    into_lo, into_hi = carries[:k], carries[k:]
    into_hi = rss.and_(rt, into_hi, mux.broadcast_bit(into_lo >> 63))
    lo, hi = lo ^ into_lo, hi ^ into_hi

    # the leading one at bit p of the register: shifted up to bit 127
    p_bits, nonzero = _top_bits(rt, hi, lo)
    hi, lo = _shift_left(rt, hi, lo, [convert.bit_not(b) for b in p_bits])  # by 127 - p
    fraction = (hi << 1) ^ (lo >> 63)
    # sticky: anything below the 64 bits; out: the top word beyond 32 bits (2^47 or more)
    folded = float_parts.any_bit(rt, BShare.concat([
        lo.and_public(np.uint64((1 << 63) - 1)), shifted_top >> LIMB_BITS]), 64)
    sticky, over = folded[:k], folded[k:]
    p = convert.b2a_bit(rt, BShare.concat(p_bits + [negative]))
    d = sum((p[i * k:(i + 1) * k].mul_public(1 << i) for i in range(SHIFT_STAGES)),
            AShare.zeros(rt.party, k)).add_public(-UNIT_BITS)
    zero = convert.bit_not(nonzero)
    out = float_parts.finish(rt, p[SHIFT_STAGES * k:], fraction, d, sticky, zero, SUM_BITS,
                             BShare.zeros(rt.party, k))
    out.beyond = convert.bit_or(rt, out.beyond, over)
    return out


def sum_keys(rt: Runtime, keys: AShare, present: BShare | None = None) -> RealWords:
    """The one nearest double to the sum of the doubles whose keys are ``keys`` (where
    ``present``): :func:`total` of the column's limb sums."""
    return total(rt, [limb.sum() for limb in signed_limbs(rt, keys, present)])


def _prefix_and(rt: Runtime, x: BShare) -> BShare:
    """Bit i of each word: the AND of its bits 0..i (6 rounds)."""
    s = 1
    while s < 64:
        x = rss.and_(rt, x, (x << s).xor_public(np.uint64((1 << s) - 1)))
        s *= 2
    return x


def _top_bits(rt: Runtime, hi: BShare, lo: BShare) -> tuple[list[BShare], BShare]:
    """The 7 bits of the index of the 128-bit register's leading one (0 for 0), and
    whether any bit is set."""
    k = len(hi)
    k_bits, prefix = division.top_bit_index_bits(rt, BShare.concat([hi, lo]))
    high = prefix[:k].and_public(np.uint64(1))  # hi has a bit set
    low_any = prefix[k:].and_public(np.uint64(1))
    # the index's low 6 bits: hi's where it has a bit, else lo's
    picked = rss.and_(rt, BShare.concat([high] * 7), BShare.concat(
        [b[:k] ^ b[k:] for b in k_bits] + [low_any]))
    bits = [b[k:] ^ picked[i * k:(i + 1) * k] for i, b in enumerate(k_bits)] + [high]
    anything = high ^ low_any ^ picked[6 * k:]
    return bits, anything


def _shift_left(rt: Runtime, hi: BShare, lo: BShare, bits: list[BShare]
                ) -> tuple[BShare, BShare]:
    """The 128-bit register ``(hi, lo)`` shifted left by ``sum(bits_i 2^i)`` (below 128)."""
    k = len(hi)
    for i, bit in enumerate(bits):
        step = 1 << i
        if step < 64:
            moved = BShare.concat([(hi << step) ^ (lo >> (64 - step)), lo << step])
        else:
            moved = BShare.concat([lo, BShare.zeros(rt.party, k)])
        both = mux.select_words(rt, BShare.concat([bit, bit]), moved, BShare.concat([hi, lo]))
        hi, lo = both[:k], both[k:]
    return hi, lo
