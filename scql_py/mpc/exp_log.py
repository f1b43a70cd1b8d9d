"""Powers of two and binary logarithms of secret fixed-point values (EXP, LN, LOG, POWER).

:func:`exp2` takes ``t`` at 28 fractional bits with ``-16 <= t < 47``: ``t + 16`` is
bit-decomposed (:func:`convert.a2b`), so its low 28 bits are the fraction ``r`` and the
next 6 the integer ``k' = floor(t) + 16``; ``2^r`` is a degree-8 polynomial (fit error
below ``2^-36``, :mod:`polynomial`), and ``2^r 2^(k' - 16)`` at 16 fractional bits is
``2^r`` shifted left by ``k'`` on a 128-bit boolean register and right by 28: exact
shifts, no product. The result is the floor of ``2^t 2^16`` up to the polynomial's
error: below ``2^t`` by less than ``2^-16 + 2^-25 2^t`` and never above it by more
than ``2^-25 2^t``.

:func:`log2` takes positive int64 words ``w`` (any scale; the caller subtracts the
scale's logarithm) and returns ``log2 w`` at 28 fractional bits: ``k = floor(log2 w)``
by a prefix OR of the bits (:func:`division.top_bit_index_bits`), the mantissa ``m =
w / 2^k`` in ``[1, 2)`` by an exact boolean shift, its top 29 bits kept, and
``log2 m`` a degree-12 polynomial (fit error below ``2^-34``). Error: below ``2^-24``
absolute (the mantissa's truncation, at most ``2^-28 / ln 2``, plus the polynomial's
rounding). A ``w <= 0`` gives an unspecified value: the caller masks it.

No opening: every step is a protocol on shares (tests/mpc/test_exp_log.py counts them).
"""

from __future__ import annotations

import math

import numpy as np

from scql_py.mpc import convert, division, mux, polynomial
from scql_py.mpc.polynomial import FRAC, ONE
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
EXP2_MIN = -16  # 2^t below 2^-16 is less than one unit of the result
EXP2_MAX = 47  # 2^t 2^16 must stay below 2^63
OUT_FRAC = 16
_EXP2_OFFSET = -EXP2_MIN
_SHIFT_BITS = 6  # k' = floor(t) + 16 < 63

# 2^r for r = (s + 1) / 2 in [0, 1); log2(m) for m = 1 + (s + 1) / 2 in [1, 2)
_EXP2 = polynomial.chebyshev(lambda s: np.exp2((s + 1) / 2), 8)
_LOG2 = polynomial.chebyshev(lambda s: np.log2(1 + (s + 1) / 2), 12)

LN2 = math.log(2)
LOG2_E = 1 / LN2


def _unit_variable(rt: Runtime, r: AShare) -> AShare:
    """``s = 2 r - 1`` for ``r`` in ``[0, 1)`` at ``FRAC`` bits."""
    return r.mul_public(U64(2)).add_public(np.int64(-ONE))


def shift_left_wide(rt: Runtime, x: BShare, amount: list[BShare]) -> tuple[BShare, BShare]:
    """``x << sum(amount_i 2^i)`` on a 128-bit boolean register ``(hi, lo)``, exactly
    (one AND round per bit of the amount, both words in one call)."""
    n = len(x)
    hi, lo = BShare.zeros(rt.party, n), x
    for i, bit in enumerate(amount):
        s = 1 << i
        new_hi = (hi << s) ^ (lo >> (64 - s))
        new_lo = lo << s
        both = mux.select_words(rt, BShare.concat([bit, bit]), BShare.concat([new_hi, new_lo]),
                                BShare.concat([hi, lo]))
        hi, lo = both[:n], both[n:]
    return hi, lo


def exp2(rt: Runtime, t: AShare) -> AShare:
    """``2^t`` at 16 fractional bits (floor, module doc) for ``t`` at 28 fractional bits
    in ``[-16, 47)``; the caller clamps ``t`` to that range."""
    y = convert.a2b(rt, t.add_public(np.int64(_EXP2_OFFSET * ONE)))
    fraction = convert.b2a(rt, y.and_public(U64(ONE - 1)))
    k_bits = [(y >> (FRAC + i)).and_public(U64(1)) for i in range(_SHIFT_BITS)]
    mantissa = polynomial.evaluate(rt, _unit_variable(rt, fraction), _EXP2)  # [1, 2) at 28
    hi, lo = shift_left_wide(rt, convert.a2b(rt, mantissa), k_bits)
    # 2^r 2^28 << k' is 2^(t + 16) 2^28: bits 28 .. 91 of the register are 2^t 2^16
    drop = FRAC + _EXP2_OFFSET - OUT_FRAC
    return convert.b2a(rt, (lo >> drop) ^ (hi << (64 - drop)))


def log2(rt: Runtime, w: AShare) -> AShare:
    """``log2 w`` at 28 fractional bits for positive int64 words ``w`` (module doc)."""
    bits = convert.a2b(rt, w)
    k_bits, _ = division.top_bit_index_bits(rt, bits)
    # shift left by 63 - k (the bits of 63 - k are those of k flipped): top bit at 63
    normal = division.shift_left_by_bits(rt, bits, [convert.bit_not(b) for b in k_bits])
    fraction_bits = (normal >> (63 - FRAC)).and_public(U64(ONE - 1))
    n = len(w)
    both = convert.b2a(rt, BShare.concat([fraction_bits]))
    k = convert.b2a_bit(rt, BShare.concat(k_bits))
    whole = AShare.zeros(rt.party, n)
    for i in range(len(k_bits)):
        whole = whole + k[i * n:(i + 1) * n].mul_public(U64(1 << i))
    return whole.mul_public(U64(ONE)) + polynomial.evaluate(rt, _unit_variable(rt, both),
                                                              _LOG2)


__all__ = ["EXP2_MAX", "EXP2_MIN", "LN2", "LOG2_E", "OUT_FRAC", "exp2", "log2",
           "shift_left_wide"]
