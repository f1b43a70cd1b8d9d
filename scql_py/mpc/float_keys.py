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
