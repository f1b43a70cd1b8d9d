"""Doubles as exact, order-preserving int64 ring words ("float keys").

Fixed point (:mod:`fixedpoint`) rounds a double to a multiple of ``2^-16``; a value that
is only moved, compared or grouped must not be rounded. Its key is its IEEE-754 bit
pattern in sign-magnitude form read as a signed integer:
``key(x) = sign(x) * (bits(x) & (2^63 - 1))``.

* Order: for non-negative doubles the 63 low bits (exponent above mantissa) grow with
  the value, so signed-integer order of keys is the order of the doubles.
* ``-0.0`` and ``0.0`` both get key 0: SQL compares and groups them as one value (the
  key of ``-0.0`` comes back as ``0.0``).
* ``key(-x) == -key(x)``: a negation is the (local) ring negation of the key.
* NaN has no place in the order and is refused; infinities are the keys
  ``+-(2^63 - 2^52)``.

Keys span almost the whole int64 range, so the difference of two keys may wrap: order
comparisons of keys need :func:`compare.less_than_wide` rather than ``less_than``.
Equality (:mod:`equality`) and the oblivious sort (:mod:`sort`) hold for any int64.

>>> keys = encode(np.array([-2.5, -0.0, 0.0, 1e-300, 0.73]))
>>> bool((np.diff(keys) >= 0).all()), bool(keys[1] == keys[2] == 0)
(True, True)
>>> decode(keys).tolist()
[-2.5, 0.0, 0.0, 1e-300, 0.73]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, division, rss
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

_MAGNITUDE = np.int64((1 << 63) - 1)
_SIGN = np.uint64(1 << 63)


def encode(values) -> np.ndarray:
    """Doubles -> int64 keys. Raises ``ValueError`` for NaN."""
    v = np.asarray(values, dtype=np.float64)
    if np.isnan(v).any():
        raise ValueError("cannot encode NaN as an ordered float key")
    bits = v.view(np.int64)
    magnitude = bits & _MAGNITUDE
    return np.where(bits < 0, -magnitude, magnitude)


def decode(keys) -> np.ndarray:
    """int64 keys (or uint64 ring words, read as two's complement) -> doubles."""
    k = np.asarray(keys)
    if k.dtype == np.uint64:
        k = k.view(np.int64)
    k = k.astype(np.int64, copy=False)
    bits = np.abs(k).view(np.uint64) | np.where(k < 0, _SIGN, np.uint64(0))
    return bits.view(np.float64)


def key_of(value: float) -> int:
    """The key of one double, as a Python int (for public constants)."""
    return int(encode(np.array([value], dtype=np.float64))[0])


# -- a computed value's key, under MPC ----------------------------------------------------

_MANTISSA = np.uint64((1 << 52) - 1)
_LOW_TEN = np.uint64((1 << 10) - 1)


def from_fixed(rt: Runtime, x: AShare, frac_bits: int = FRAC_BITS) -> AShare:
    """The key of each fixed-point value ``x / 2^frac_bits`` (its nearest double, ties to
    even, as ``fixedpoint.decode`` gives it), for a computed value that meets values
    with keys (a UNION ALL, a comparison, a join key, a shared table).

    ``|x|`` is decomposed into bits; its top bit ``p`` (a prefix OR) gives the exponent,
    a secret left shift by ``63 - p`` puts the 53 significant bits on top, and the bits
    below round the mantissa (only ``|x| >= 2^53`` has any). The key's magnitude is then
    ``(p - f + 1023) 2^52 + mantissa`` (+1 to round up: a carry into the exponent is
    IEEE-754's own), 0 for 0, with ``x``'s sign. About 45 rounds. Valid for
    ``|x| < 2^63``.
    """
    n = len(x)
    sign = compare.msb(rt, x)
    magnitude = x - rss.mul(rt, convert.b2a_bit(rt, sign), x).mul_public(2)
    bits = convert.a2b(rt, magnitude)
    p_bits, prefix_or = division.top_bit_index_bits(rt, bits)
    top = division.shift_left_by_bits(rt, bits, [convert.bit_not(b) for b in p_bits])
    # round to nearest even on the 11 bits below the mantissa: up = r & (sticky | lsb)
    sticky = top.and_public(_LOW_TEN)
    for s in (1, 2, 4, 8):
        sticky = sticky ^ (sticky >> s) ^ rss.and_(rt, sticky, sticky >> s)  # OR
    lsb, r = (top >> 11).and_public(np.uint64(1)), (top >> 10).and_public(np.uint64(1))
    sticky_or_lsb = (sticky ^ lsb ^ rss.and_(rt, sticky, lsb)).and_public(np.uint64(1))
    up = rss.and_(rt, r, sticky_or_lsb)
    nonzero = prefix_or.and_public(np.uint64(1))  # bit 0 of the prefix OR: a bit is set
    mantissa = convert.b2a(rt, (top >> 11).and_public(_MANTISSA))
    small = convert.b2a_bit(rt, BShare.concat([*p_bits, up, nonzero]))
    exponent = sum((small[i * n:(i + 1) * n].mul_public(1 << i) for i in range(6)),
                   AShare.zeros(rt.party, n)).add_public(1023 - frac_bits)
    key = exponent.mul_public(1 << 52) + mantissa + small[6 * n:7 * n]
    key = rss.mul(rt, small[7 * n:], key)  # 0 for 0
    return key - rss.mul(rt, convert.b2a_bit(rt, sign), key).mul_public(2)
