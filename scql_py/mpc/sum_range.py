"""Whether a secret sum left the range of its ring words: the ring keeps a sum only
mod 2^64, so a SUM of int64 past 2^63 (or of fixed-point reals past 2^47) wraps around.

Each summed word ``x`` is split exactly as ``x = h 2^32 + l`` with ``0 <= l < 2^32``
(``h = floor(x / 2^32)``, :func:`exact_shift.floor_shift`: about 10 rounds); the caller
sums the halves as it sums the words. For fewer than 2^29 rows neither ``H = sum h``
nor ``L = sum l`` wraps, and ``S = H 2^32 + L`` is the exact sum. With ``W`` the ring's
sum (``S`` mod 2^64, signed) and ``L = Lh 2^32 + Ll``, ``W = Wh 2^32 + Wl`` split alike,
the low parts are equal (``S = W`` mod 2^32), so ``d = H + Lh - Wh`` is ``(S - W) / 2^32``
exactly: 0 when ``S = W`` and ``k 2^32 != 0`` when ``S = W + k 2^64``, ``0 < |k| < 2^29``.
So one exact shift of ``L`` and ``W`` together and one test for zero tell the two
apart, with no error (about 17 rounds). Every function here is vectorised: a step
checks all its sums in one call (concatenated), in the same rounds as one.

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

from scql_py.mpc import compare, convert, equality, rss
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

HALF = 1 << 32
U64 = np.uint64


def halves(rt: Runtime, x: AShare) -> tuple[AShare, AShare]:
    """``(h, l)`` with ``x = h 2^32 + l`` exactly, ``0 <= l < 2^32`` (about 10 rounds)."""
    high = floor_shift(rt, x, 32)
    return high, x - high.mul_public(HALF)


def out_of_range(rt: Runtime, total: AShare, high: AShare, low: AShare) -> BShare:
    """Bit 1 where the exact sum ``high 2^32 + low`` (sums of :func:`halves`) is not the
    ring's ``total`` (the module doc): the sum left the int64 range of the words."""
    empty = AShare.zeros(rt.party, 0)
    return out_of_range_or_beyond(rt, total, high, low, empty, empty, 1)[0]


def out_of_range_or_beyond(rt: Runtime, total: AShare, high: AShare, low: AShare,
                           dividend: AShare, divisor: AShare, bits: int
                           ) -> tuple[BShare, BShare]:
    """:func:`out_of_range` of the sums, and in the same rounds, for a non-negative
    ``divisor`` (``0 < bits < 62``): bit 1 where ``divisor > 0`` and ``|dividend| >=
    divisor 2^bits`` (a mean too large for its word; no values, no mean). About 19
    rounds, 29 with quotients.

    ``d = (S - W) / 2^32`` is 0 iff neither ``d`` nor ``-d`` is negative;
    ``floor(|a| / 2^bits)`` is ``floor(a / 2^bits)`` for ``a >= 0`` (with the sign of
    ``a``) and minus ``floor((a + 2^bits - 1) / 2^bits)`` (the ceiling) for ``a < 0``,
    and it is at least ``b`` iff ``|a| >= b 2^bits``: no product leaves the ring."""
    n, m = len(total), len(dividend)
    shifted = floor_shift(rt, AShare.concat(
        [low, total, dividend, dividend.add_public(U64((1 << bits) - 1))]),
        np.repeat([32, bits], [2 * n, 2 * m]))
    d = high + shifted[:n] - shifted[n:2 * n]
    down, up = shifted[2 * n:2 * n + m], shifted[2 * n + m:]
    signs = compare.msb(rt, AShare.concat([d, -d, down, -divisor]))
    pairs = [(convert.bit_not(signs[:n]), convert.bit_not(signs[n:2 * n]))]
    if m:
        negative = convert.b2a_bit(rt, signs[2 * n:2 * n + m])
        magnitude = down - rss.mul(rt, negative, down + up)
        large = convert.bit_not(compare.msb(rt, magnitude - divisor))
        pairs.append((large, signs[2 * n + m:]))
    zero_d, *large = convert.and_bits_many(rt, pairs)
    return convert.bit_not(zero_d), large[0] if m else BShare.zeros(rt.party, 0)


def beyond(rt: Runtime, x: AShare, bound: int) -> BShare:
    """Bit 1 where ``x < -bound`` or ``x >= bound`` (``0 < bound < 2^62``, ``x`` any
    int64)."""
    n = len(x)
    signs = compare.msb(rt, AShare.concat([x.add_public(U64(bound)),
                                           x.add_public(U64(-bound & 0xFFFF_FFFF_FFFF_FFFF))]))
    inside = rss.and_(rt, convert.bit_not(signs[:n]), convert.clean_bit(signs[n:]))
    return convert.bit_not(inside)


def quotient_beyond(rt: Runtime, a: AShare, b: AShare, bits: int) -> BShare:
    """Bit 1 where ``|a| >= |b| 2^bits`` (``b`` any int64 but 0, ``0 < bits < 62``),
    tested exactly as ``floor(|a| / 2^bits) >= |b|``: no product leaves the ring.
    ``floor(|a| / 2^bits)`` is ``floor(a / 2^bits)`` for ``a >= 0`` and
    ``-floor((a + 2^bits - 1) / 2^bits)`` (minus the ceiling) for ``a < 0``; the first
    has the sign of ``a``, and one exact shift gives both."""
    n = len(a)
    floors = floor_shift(rt, AShare.concat([a, a.add_public(U64((1 << bits) - 1))]), bits)
    down, up = floors[:n], floors[n:]
    signs = convert.b2a_bit(rt, compare.msb(rt, AShare.concat([down, b])))
    flips = rss.mul(rt, signs, AShare.concat([down + up, b.mul_public(2)]))
    magnitude_a, magnitude_b = down - flips[:n], b - flips[n:]
    return convert.bit_not(compare.msb(rt, magnitude_a - magnitude_b))


# an OR tree takes one round per level; a count's zero test 8 whatever the bits
_OR_TREE_BITS = 128


def any_set(rt: Runtime, bits: list[BShare]) -> BShare:
    """One bit: whether any of ``bits`` is 1: an OR tree of ``ceil(log2 k)`` rounds for
    ``k`` bits (none for one), for many bits whether their count is not 0 (8 rounds)."""
    bits = [b for b in bits if len(b)]
    if not bits:
        return BShare.zeros(rt.party, 1)
    every = convert.clean_bit(BShare.concat(bits))
    if len(every) > _OR_TREE_BITS:
        count = convert.b2a_bit(rt, every).sum()
        return convert.bit_not(equality.equal_zero(rt, count))
    while len(every) > 1:
        half = len(every) // 2
        every = BShare.concat([convert.bit_or(rt, every[:half], every[half:2 * half]),
                               every[2 * half:]])
    return every
