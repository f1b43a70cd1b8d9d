"""Fixed-point reals in Z_2^64: a real ``v`` is the int64 ``round(v * 2^f)``.

``FRAC_BITS = 16``: resolution ``2^-16`` (about 1.5e-5). Encodable range: ``|v| < 2^47``
(``2^(63 - f)``). Rounding: half away from zero (``encode(0.5 / 2**16) == 1``,
``encode(-0.5 / 2**16) == -1``).

A product of two encoded values carries ``2f`` fractional bits and is brought back by
:func:`trunc.truncate` (see :func:`mul`); that truncation is exact to 1 ulp except with
probability ``2^(l - 64)`` where ``2^l`` bounds the product *before* truncation,
i.e. ``|x * y| * 2^(2f) < 2^l``: keep ``|x * y|`` well below ``2^(62 - 2f) = 2^30``
(``|x * y| < 2^12`` gives failure probability below ``2^-20``).

>>> encode(np.array([1.5, -0.25])).tolist()
[98304, -16384]
>>> decode(encode(np.array([3.0, -2.5]))).tolist()
[3.0, -2.5]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import rss, trunc
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime

FRAC_BITS = 16


def max_abs(frac_bits: int = FRAC_BITS) -> float:
    """The largest magnitude :func:`encode` accepts: ``2^(63 - frac_bits)`` (exclusive)."""
    return float(2 ** (63 - frac_bits))


def encode(values, frac_bits: int = FRAC_BITS) -> np.ndarray:
    """Reals -> int64 ``round(v * 2^frac_bits)``, ties away from zero.

    Raises ``ValueError`` for NaN, infinities and ``|v| >= 2^(63 - frac_bits)``.
    """
    v = np.asarray(values, dtype=np.float64)
    if not np.isfinite(v).all():
        raise ValueError("cannot encode NaN or infinity as fixed point")
    scaled = np.abs(v) * float(2**frac_bits)
    if (scaled >= 2.0**63).any():
        raise ValueError(f"value out of fixed-point range (|v| < 2^{63 - frac_bits})")
    return (np.sign(v) * np.floor(scaled + 0.5)).astype(np.int64)


def decode(values, frac_bits: int = FRAC_BITS) -> np.ndarray:
    """int64 (or uint64 ring words, read as two's complement) -> float64."""
    arr = np.asarray(values)
    if arr.dtype == np.uint64:
        arr = arr.view(np.int64)
    return arr.astype(np.float64) / float(2**frac_bits)


def mul(rt: Runtime, x: AShare, y: AShare, frac_bits: int = FRAC_BITS) -> AShare:
    """Fixed-point product: multiply, then truncate by ``frac_bits`` (2 rounds). The
    result is below the exact product of the encoded values by less than 2 ulp (the
    floor, and possibly one more ulp from :func:`trunc.truncate`)."""
    return trunc.truncate(rt, rss.mul(rt, x, y), frac_bits)
