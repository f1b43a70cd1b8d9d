"""Whether a secret sum left the range of its ring words: the ring keeps a sum only
mod 2^64, so a SUM of int64 past 2^63 (or of fixed-point reals past 2^47) wraps around.

Each summed word ``x`` is split exactly as ``x = h 2^32 + l`` (``|l| < 2^32``, both
truncated toward zero by :func:`division.divide_public`); the caller sums the halves as
it sums the words. For fewer than 2^29 rows neither ``H = sum h`` nor ``L = sum l``
wraps, and ``S = H 2^32 + L`` is the exact sum. With ``W`` the ring's sum (``S`` mod
2^64, signed) and ``L = Lh 2^32 + Ll``, ``W = Wh 2^32 + Wl`` split alike,
``d = H + Lh - Wh`` is in ``{-1, 0, 1}`` when ``S = W`` (the low parts differ by less
than 2^33) and at least ``2^32 - 1`` in magnitude when ``S = W + k 2^64``, ``k != 0``.
So one exact division and two sign tests tell the two apart, with no error.

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     big = np.array([2**62, 2**62, 5, -3], dtype=np.int64).view(np.uint64)
...     x = rss.share_input(rt, 0, big if rt.party == 0 else None, 4)
...     h, lo = halves(rt, x)
...     sums = [AShare.concat([x[:2].sum(), x[2:].sum()]), AShare.concat([h[:2].sum(), h[2:].sum()]),
...             AShare.concat([lo[:2].sum(), lo[2:].sum()])]
...     return rss.reveal(rt, out_of_range(rt, *sums)).tolist()
>>> run_parties(prog)[0]
[1, 0]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, division, equality, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

HALF = 1 << 32
U64 = np.uint64


def halves(rt: Runtime, x: AShare) -> tuple[AShare, AShare]:
    """``(h, l)`` with ``x = h 2^32 + l`` exactly, ``|l| < 2^32`` (about 30 rounds)."""
    high = division.divide_public(rt, x, HALF)
    return high, x - high.mul_public(HALF)


def out_of_range(rt: Runtime, total: AShare, high: AShare, low: AShare) -> BShare:
    """Bit 1 where the exact sum ``high 2^32 + low`` is not the ring's ``total`` (the
    module doc): the sum left the int64 range of the words."""
    n = len(total)
    parts = division.divide_public(rt, AShare.concat([low, total]), HALF)
    d = high + parts[:n] - parts[n:]
    signs = compare.msb(rt, AShare.concat([d.add_public(U64(1)),
                                           d.add_public(U64(-2 & 0xFFFF_FFFF_FFFF_FFFF))]))
    # in range: d + 1 >= 0 and d - 2 < 0
    inside = rss.and_(rt, convert.bit_not(signs[:n]), convert.clean_bit(signs[n:]))
    return convert.bit_not(inside)


def beyond(rt: Runtime, x: AShare, bound: int) -> BShare:
    """Bit 1 where ``|x| >= bound`` (``0 < bound < 2^62``, ``x`` any int64)."""
    n = len(x)
    signs = compare.msb(rt, AShare.concat([x.add_public(U64(bound)),
                                           x.add_public(U64(-bound & 0xFFFF_FFFF_FFFF_FFFF))]))
    inside = rss.and_(rt, convert.bit_not(signs[:n]), convert.clean_bit(signs[n:]))
    return convert.bit_not(inside)


def quotient_beyond(rt: Runtime, a: AShare, b: AShare, bits: int) -> BShare:
    """Bit 1 where ``|a| >= |b| 2^bits`` (``b`` any int64 but 0, ``0 < bits < 62``),
    tested exactly as ``|trunc(a / 2^bits)| >= |b|``: no product leaves the ring."""
    n = len(a)
    both = AShare.concat([division.divide_public(rt, a, 1 << bits), b])
    signs = convert.b2a_bit(rt, compare.msb(rt, both))
    absolute = both - rss.mul(rt, signs, both).mul_public(2)
    return convert.bit_not(compare.msb(rt, absolute[:n] - absolute[n:]))


def any_set(rt: Runtime, bits: list[BShare]) -> BShare:
    """One bit: whether any of ``bits`` is 1 (their count is not 0)."""
    bits = [b for b in bits if len(b)]
    if not bits:
        return BShare.zeros(rt.party, 1)
    count = convert.b2a_bit(rt, BShare.concat(bits)).sum()
    return convert.bit_not(equality.equal_zero(rt, count))
