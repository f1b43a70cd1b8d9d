"""Doubles as sign, significand and exponent under MPC, for arithmetic on reals that
were only moved (:mod:`float_division`, :mod:`float_product`, :mod:`float_sum`).

A stored real keeps its IEEE-754 bits (its float key, :mod:`float_keys`); fixed point
would round it to a multiple of 2^-16. Arithmetic from the bits works as a
floating-point unit does:

* :func:`split_keys`: each key becomes a sign, a significand ``M`` in ``[2^52, 2^53)``
  (a subnormal's is shifted up, a secret left shift) and an exponent ``E`` with
  ``|x| = M 2^(E - 1127)``, and whether it is 0;
* the operation makes the result's 64 bits after its leading one, ``F``, its exponent
  ``d = floor(log2 |result|)`` and whether anything further is not 0 (``sticky``);
* :func:`finish` rounds that to the nearest double, ties to even (the 52 top bits of
  ``F``, then one more where bit 11 is set and anything below it, ``sticky`` or the
  last kept bit is: IEEE-754's rounding), and gives the double's key: the result is then
  a real like a stored one (opened, compared, grouped, divided and multiplied further
  exactly, as DuckDB does step by step), with the fixed-point value of that double
  (:func:`fixed_point`, a secret shift). Below 2^-1022 it keeps fewer bits, from
  2^-1074 on, as a subnormal does (a longer shift). A result past the range the engine
  computes in is out of range (an error for the asker).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from scql_py.mpc import compare, convert, division, equality, mux, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

SIGNIFICAND_BITS = 52  # stored bits of a double's significand
FRACTION_BITS = 64  # bits of a result after its leading one
FIXED_POINT_BITS = 16
EXPONENT_OFFSET = 4096  # d + this > 0 for every result of doubles: 0 is the result 0
SHIFT_STAGES = 7  # results are shifted right by less than 128; further, they are 0
_FRACTION = np.uint64((1 << SIGNIFICAND_BITS) - 1)


@dataclass
class Operands:
    """Two columns of doubles, split (:func:`split_keys`): per operand (``a`` then ``b``,
    concatenated) its significand (XOR words), exponent and whether it is 0; the sign
    of a result of both (1 where exactly one is negative, a ring word)."""

    significands: BShare
    exponents: AShare
    zero: BShare
    negative: AShare


@dataclass
class RealWords:
    """A result: ``q``, the fixed-point value of the nearest double (signed ring words);
    ``key``, that double's float key; ``beyond``, 1 where it is out of range (past
    ``2^limit``); ``undefined``, 1 where it has none (a
    division by 0: the other words are then unspecified)."""

    q: AShare
    key: AShare
    beyond: BShare
    undefined: BShare


def empty_result(rt: Runtime) -> RealWords:
    empty, no_bits = AShare.zeros(rt.party, 0), BShare.zeros(rt.party, 0)
    return RealWords(empty, empty, no_bits, no_bits)


def split_keys(rt: Runtime, key_a: AShare, key_b: AShare) -> Operands:
    """The float keys ``key_a`` and ``key_b`` as :class:`Operands`."""
    abs_a, abs_b, negative = division.magnitudes(rt, key_a, key_b)  # key(-x) = -key(x)
    zero = equality.equal_zero(rt, AShare.concat([key_a, key_b]))
    significands, exponents = significands_of(rt, AShare.concat([abs_a, abs_b]))
    return Operands(significands, exponents, zero, negative)


def fixed_point(rt: Runtime, hi: BShare, lo: BShare, shift: AShare, gone: BShare) -> AShare:
    """The magnitude rounded to 2^-16, half up, of a result whose bits are the 128-bit
    register ``(hi, lo)`` with 2^-16 at bit ``shift`` (``1 <= shift``): the register
    shifted right by ``shift - 1``, and its last bit added to the rest; 0 where
    ``gone`` (``shift >= 128``: the result is below 2^-17)."""
    n = len(hi)
    _, lo = shift_right(rt, [hi, lo], _low_bits(rt, shift.add_public(-1)))
    lo = mux.select_words(rt, gone, BShare.zeros(rt.party, n), lo)
    return convert.b2a(rt, lo >> 1) + convert.b2a_bit(rt, lo.and_public(np.uint64(1)))


def finish(rt: Runtime, negative: AShare, fraction: BShare, d: AShare, sticky: BShare,
           zero: BShare, limit: int, undefined: BShare) -> RealWords:
    """The result (:class:`RealWords`) from ``F`` (XOR words), ``d`` and ``sticky`` (module
    doc), negative where ``negative`` (a ring word, 1 or 0): 0 where ``zero``, past the
    range where the double is ``2^limit`` or more."""
    n = len(d)
    # (below 2^-29 the fixed-point value is 0: its shift would be 128 or more)
    below_limit, below_next, subnormal, tiny = split(compare.msb(rt, AShare.concat([
        d.add_public(-limit), d.add_public(1 - limit), d.add_public(1022),
        d.add_public(129 - (64 + SIGNIFICAND_BITS - FIXED_POINT_BITS))])), n)
    # the register 2^64 + F keeps 53 bits from its leading one, fewer below 2^-1022 (a
    # subnormal keeps the bits from 2^-1074 on): it is shifted right by 11 + t, and the
    # last bit shifted out, with all below it, rounds what is kept
    t = rss.mul(rt, convert.b2a_bit(rt, subnormal), (-d).add_public(-1022))
    shift = t.add_public(64 - SIGNIFICAND_BITS - 1)
    gone = convert.bit_not(compare.msb(rt, shift.add_public(-(1 << SHIFT_STAGES))))
    _, kept_bits, out = shift_right(
        rt, [BShare.public(rt.party, np.ones(n, np.uint64)), fraction,
             BShare.zeros(rt.party, n)], _low_bits(rt, shift))
    kept_bits = mux.select_words(rt, gone, BShare.zeros(rt.party, n), kept_bits)
    out = any_bit(rt, out, 64)  # what was shifted out
    out = out ^ sticky ^ rss.and_(rt, out, sticky)
    lsb = (kept_bits >> 1).and_public(np.uint64(1))
    either = out ^ lsb ^ rss.and_(rt, out, lsb)
    up = rss.and_(rt, kept_bits.and_public(np.uint64(1)), either)
    # a normal double's significand in [2^52, 2^53], 2^53 where rounding carries
    significand = convert.b2a(rt, kept_bits >> 1) + convert.b2a_bit(rt, up)
    magnitude = (d + t).add_public(1022).mul_public(1 << SIGNIFICAND_BITS) + significand

    bits = convert.a2b(rt, significand)
    carry = (bits >> (SIGNIFICAND_BITS + 1)).and_public(np.uint64(1))
    # the double is S 2^(d - 52): 2^-16 is bit 100 - d of the register S 2^64
    q = fixed_point(rt, bits, BShare.zeros(rt.party, n),
                    (-d).add_public(64 + SIGNIFICAND_BITS - FIXED_POINT_BITS), tiny)
    # past: d >= limit, or d = limit - 1 and the rounding carried to 2^limit
    past, at_edge = convert.bit_not(below_limit), rss.and_(rt, convert.bit_not(below_next), carry)
    past = past ^ at_edge ^ rss.and_(rt, past, at_edge)
    beyond = rss.and_(rt, past, convert.bit_not(zero))

    keep = convert.b2a_bit(rt, convert.bit_not(zero))
    kept_words = rss.mul(rt, AShare.concat([keep, keep]), AShare.concat([q, magnitude]))
    signed = rss.mul(rt, AShare.concat([negative, negative]), kept_words)
    words = kept_words - signed.mul_public(2)
    return RealWords(words[:n], words[n:], beyond, undefined)


def any_bit(rt: Runtime, x: BShare, width: int) -> BShare:
    """Whether any of the low ``width`` bits of ``x`` (the others 0) is set, in bit 0:
    an OR fold, one round per doubling."""
    s = 1
    while s < width:
        x = x ^ (x >> s) ^ rss.and_(rt, x, x >> s)
        s *= 2
    return x.and_public(np.uint64(1))


def _low_bits(rt: Runtime, x: AShare) -> list[BShare]:
    """The low :data:`SHIFT_STAGES` bits of ``x``, each a bit share."""
    bits = convert.a2b(rt, x)
    return [(bits >> i).and_public(np.uint64(1)) for i in range(SHIFT_STAGES)]


def split(bits: BShare, n: int) -> list[BShare]:
    """``bits`` (a concatenation of columns of ``n``) as those columns."""
    return [bits[k * n:(k + 1) * n] for k in range(len(bits) // n)]


def significands_of(rt: Runtime, magnitudes: AShare) -> tuple[BShare, AShare]:
    """For magnitudes of float keys: each one's significand in ``[2^52, 2^53)`` (XOR
    words; 0 for 0) and exponent ``E`` (ring words): ``x = M 2^(E - 1127)``."""
    bits = convert.a2b(rt, magnitudes)
    field = bits >> SIGNIFICAND_BITS  # 11 bits: a magnitude is below 2^63
    normal = any_bit(rt, field, 11)
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


def shift_right(rt: Runtime, words: list[BShare], bits: list[BShare]) -> list[BShare]:
    """The register of ``words`` (64 bits each, the most significant first) shifted right
    by ``sum(bits_i 2^i)`` (below 128), exactly, in one select per bit."""
    n, k = len(words[0]), len(words)
    for i, bit in enumerate(bits):
        step = 1 << i
        if step < 64:
            moved = [(w >> step) ^ (words[j - 1] << (64 - step) if j else BShare.zeros(rt.party, n))
                     for j, w in enumerate(words)]
        else:
            moved = [BShare.zeros(rt.party, n), *words[:-1]]
        both = mux.select_words(rt, BShare.concat([bit] * k), BShare.concat(moved),
                                BShare.concat(words))
        words = [both[j * n:(j + 1) * n] for j in range(k)]
    return words
