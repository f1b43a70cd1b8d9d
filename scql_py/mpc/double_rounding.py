"""A secret non-negative integer rounded as a double holds it, exactly.

A double keeps 53 significant bits: an integer ``x`` of ``53 + s`` bits (``s > 0``)
becomes the multiple of ``2^s`` nearest to it, a tie going to the even multiple
(IEEE-754 round to nearest, ties to even). DuckDB interpolates some values in doubles
(PERCENTILE_CONT of timestamps); the exact answer under MPC is its answer only where
that rounding is done too.

For ``x < 2^bits`` the shift ``s`` is how many of ``2^53, ..., 2^(bits - 1)`` ``x``
reaches (one batched comparison with public bounds); for each possible ``s`` the
rounded value is ``2^s (q + up)`` with ``q = floor(x / 2^s)``, ``r = x - 2^s q`` and
``up = [r + (q mod 2) > 2^(s - 1)]`` (above the half, or the half with an odd ``q``);
the one of the right ``s`` is selected by the comparison bits. About 25 rounds; nothing
is opened.
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, mux
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
MANTISSA_BITS = 53


def round_to_double(rt: Runtime, x: AShare, bits: int) -> AShare:
    """Each ``x`` (``0 <= x < 2^bits``, ``bits <= 62``) as the nearest double, ties to
    even (module doc)."""
    if not bits <= 62:
        raise ValueError("round_to_double holds values below 2^62")
    shifts = list(range(1, bits - MANTISSA_BITS + 1))
    if not shifts or len(x) == 0:
        return x
    n = len(x)
    # reached[t - 1]: x >= 2^(52 + t), so the double keeps x to a multiple of 2^t at least
    below = compare.less_than_public(
        rt, AShare.concat([x] * len(shifts)),
        np.repeat([np.int64(1 << (MANTISSA_BITS - 1 + t)) for t in shifts], n))
    reached = convert.bit_not(below)
    k = np.repeat(np.array([t for t in shifts] + [t + 1 for t in shifts]), n)
    quotients = floor_shift(rt, AShare.concat([x] * (2 * len(shifts))), k)
    q, q2 = quotients[: n * len(shifts)], quotients[n * len(shifts):]
    scale = np.repeat(np.array([U64(1 << t) for t in shifts]), n)
    odd = q - q2.mul_public(U64(2))
    rest = AShare.concat([x] * len(shifts)) - q.mul_public(scale)
    up = compare.greater_than_public(
        rt, rest + odd, np.repeat([np.int64(1 << (t - 1)) for t in shifts], n))
    rounded = (q + convert.b2a_bit(rt, up)).mul_public(scale)
    # exactly one shift applies where any does: reached[t - 1] and not reached[t]
    last = len(shifts) - 1
    exact_shift = BShare.concat([convert.bit_xor(reached[i * n:(i + 1) * n],
                                                 reached[(i + 1) * n:(i + 2) * n])
                                 for i in range(last)] + [reached[last * n:]])
    change = mux.mul_bit(rt, exact_shift, rounded - AShare.concat([x] * len(shifts)))
    out = x
    for i in range(len(shifts)):
        out = out + change[i * n:(i + 1) * n]
    return out


__all__ = ["MANTISSA_BITS", "round_to_double"]
