"""Square roots of non-negative fixed-point values (STDDEV).

``sqrt(v) 2^f = sqrt(x 2^f)`` for ``x = v 2^f``: an integer square root. It is computed
bit by bit, from the top (restoring, as by hand): ``y`` grows by ``2^k`` wherever
``(y + 2^k)^2 <= X``; ``y^2`` is carried along, so each bit costs one comparison and one
selection, no product of secrets. The root of ``X < 2^62`` has 31 bits.

Values ``x >= 2^46`` (``v >= 2^30``) cannot be scaled by ``2^f`` first: their root is
``sqrt(x) 2^(f/2)``, 8 bits coarser, which is still within ``2^-22`` relative.
Bound: the result is ``floor`` of the exact root: below it by less than ``2^-16``
(``v < 2^30``), or by less than ``2^-8 <= 2^-23 sqrt(v)`` (``2^30 <= v < 2^46``).
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, mux, rss
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime

ROOT_BITS = 31
_SCALED_BELOW = 1 << (62 - FRAC_BITS)  # x below this is scaled by 2^f before the root


def isqrt(rt: Runtime, x: AShare) -> AShare:
    """``floor(sqrt(x))`` for secret integers ``0 <= x < 2^62``."""
    n = len(x)
    y = AShare.zeros(rt.party, n)
    y2 = AShare.zeros(rt.party, n)
    for k in range(ROOT_BITS - 1, -1, -1):
        cand2 = (y2 + y.mul_public(1 << (k + 1))).add_public(np.full(n, 1 << (2 * k), np.uint64))
        fits = convert.bit_not(compare.less_than(rt, x, cand2))  # cand^2 <= x
        step = convert.b2a_bit(rt, fits)
        y2 = y2 + rss.mul(rt, step, cand2 - y2)
        y = y + step.mul_public(1 << k)
    return y


def sqrt_fixed(rt: Runtime, x: AShare) -> AShare:
    """``sqrt`` of non-negative fixed-point values ``x < 2^62`` (see the module's bound)."""
    small = compare.less_than_public(rt, x, _SCALED_BELOW)
    scaled = mux.select(rt, small, x.mul_public(1 << FRAC_BITS), x)
    root = isqrt(rt, scaled)
    return mux.select(rt, small, root, root.mul_public(1 << (FRAC_BITS // 2)))
