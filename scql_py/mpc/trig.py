"""Trigonometric functions of secret fixed-point values (SIN, COS, TAN, ATAN, ASIN, ACOS).

Sine and cosine (:func:`sin_cos`) take the angle as a *phase*: ``x / (2 pi)`` modulo 1
as a ring word (the caller multiplies the input word by the public
``round(2^64 / (2 pi scale))``, which the ring reduces modulo one turn for free). Read
as a signed word it is ``z / 2`` for ``z`` in ``[-1, 1)`` and ``x = pi z`` modulo 2 pi;
``z`` at 28 bits is its exact floor (:mod:`exact_shift`), and ``sin(pi z)``,
``cos(pi z)`` are polynomials of degree 15 and 16 on ``[-1, 1]`` (fit errors below
``2^-35``). Error of the results at 28 bits: below ``2^-24`` plus the phase's error,
``|x| 2^-46`` for a float input (the constant's rounding).

:func:`atan_ratio` is ``atan(a / b)`` for ``0 <= a <= b``, ``b > 0``: the ratio by a
correctly rounded division (:mod:`rounded_division`), then a degree-14 polynomial on
``[0, 1]`` (fit error below ``2^-35``): within ``2^-25``. ATAN, ASIN and ACOS are
built on it by the callers (an argument above 1 is ``pi/2 - atan(1/x)``; ``asin x`` is
``atan(x / sqrt(1 - x^2))``, with the smaller of the two on top).
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import polynomial
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.polynomial import FRAC, ONE
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_SIN = polynomial.chebyshev(lambda z: np.sin(np.pi * z), 15)
_COS = polynomial.chebyshev(lambda z: np.cos(np.pi * z), 16)
# atan(r) for r = (s + 1) / 2 in [0, 1]
_ATAN = polynomial.chebyshev(lambda s: np.arctan((s + 1) / 2), 14)
HALF_PI = round(np.pi / 2 * ONE)


def phase_constant(scale: int) -> int:
    """The public factor that turns an input word ``x scale`` into its phase word
    ``x / (2 pi) 2^64`` (mod 2^64), as an unsigned ring word."""
    return round((1 << 64) / (2 * np.pi * scale)) & 0xFFFF_FFFF_FFFF_FFFF


def sin_cos(rt: Runtime, phase: AShare) -> tuple[AShare, AShare]:
    """``sin`` and ``cos`` at 28 fractional bits of the angles whose phase words are
    ``phase`` (module doc)."""
    z = floor_shift(rt, phase, 63 - FRAC)  # [-1, 1) at FRAC bits
    sin, cos = polynomial.evaluate_many(rt, z, [_SIN, _COS])
    return sin, cos


def atan_ratio(rt: Runtime, a: AShare, b: AShare) -> AShare:
    """``atan(a / b)`` at 28 fractional bits for integers ``0 <= a <= b``, ``0 < b`` in
    one scale with ``a 2^28 < 2^62`` (module doc)."""
    r = divide_rounded(rt, a, b, FRAC, quotient_bits=FRAC + 1)
    s = r.mul_public(U64(2)).add_public(np.int64(-ONE))
    return polynomial.evaluate(rt, s, _ATAN)


__all__ = ["HALF_PI", "atan_ratio", "phase_constant", "sin_cos"]
