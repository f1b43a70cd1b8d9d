"""Exact ``floor(x / 2^k)`` of shared int64 values: truncation that never fails.

The one-round truncation of :mod:`trunc` is off by about ``2^64 / 2^k`` with a small
probability; the elementary functions (:mod:`exp_log`, :mod:`trig`) truncate after
every product of a polynomial and cannot afford that. Here ``y = x + 2^63`` (as an
unsigned word, exactly ``x + 2^63``) is split into the addends ``u = y0 + y1`` (party 0)
and ``v = y2`` (parties 1 and 2): ``y = u + v - c 2^64`` with ``c`` the carry out of bit
63, and ``floor(y / 2^k) = floor(u / 2^k) + floor(v / 2^k) + c' - c 2^(64 - k)`` with
``c'`` the carry out of the low ``k`` bits, which is the carry out of bit 63 of the
same addends shifted left by ``64 - k`` (a left shift is linear on the shares). Both
carries come from one :func:`compare.addend_carry` of twice the words. About 10
rounds; exact for every int64 ``x`` and ``0 < k < 64``.
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, rss
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_OFFSET = U64(1 << 63)


def floor_shift(rt: Runtime, x: AShare, k: int | np.ndarray) -> AShare:
    """``floor(x / 2^k)`` exactly, for int64 ``x`` and ``0 <= k < 64``; ``k`` a public
    int or one per element (several shifts in the same rounds)."""
    if np.ndim(k) == 0 and int(k) == 0:
        return x
    kk = np.asarray(k, dtype=np.int64)
    if np.any(kk <= 0) or np.any(kk >= 64):
        raise ValueError("k must be in (0, 64), or 0 for every element")
    n, me = len(x), rt.party
    kk = np.broadcast_to(kk, (n,)).astype(U64) if kk.ndim else U64(int(kk))
    y = x.add_public(_OFFSET)
    s = U64(64) - kk
    low = AShare(me, y.a << s, y.b << s)
    carries = convert.b2a_bit(rt, compare.addend_carry(rt, AShare.concat([y, low])))
    c_high, c_low = carries[:n], carries[n:]
    high_u = rss.share_input(rt, 0, (y.a + y.b) >> kk if me == 0 else None, n)
    zero = np.zeros(n, U64)
    if me == 0:
        high_v = AShare(me, zero, zero)
    elif me == 1:
        high_v = AShare(me, zero, y.b >> kk)
    else:
        high_v = AShare(me, y.a >> kk, zero)
    one = U64(1)
    shifted = high_u + high_v + c_low - c_high.mul_public(one << s)
    return shifted - AShare.public(me, np.broadcast_to(one << (U64(63) - kk), (n,)))


def round_shift(rt: Runtime, x: AShare, k: int) -> AShare:
    """``x / 2^k`` rounded to nearest (halves up), exactly; ``x + 2^(k-1)`` must not
    leave the int64 range."""
    if k == 0:
        return x
    return floor_shift(rt, x.add_public(U64(1 << (k - 1))), k)


__all__ = ["floor_shift", "round_shift"]
