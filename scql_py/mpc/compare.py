"""Secure comparison: the sign bit (MSB) of a shared int64, without a full A2B.

``x = u + v`` with ``u = x0 + x1`` known to party 0 and ``v = x2`` known to parties 1 and 2
(:func:`convert.addends`). ``msb(x) = u63 ^ v63 ^ c63`` where ``c63`` is the carry into
bit 63, i.e. the group-generate signal of bits 0..62: a parallel-prefix (Brent-Kung style)
reduction tree of the operator ``(G, P) o (G', P') = (G ^ P & G', P & P')``.

To make every level one AND round over densely packed bits, each plaintext addend is
bit-permuted before it is shared (bit p moves to the 6-bit
reversal of p) (local, by whoever knows it). Then adjacent blocks of
the carry tree sit in the high and low halves of the word: level 1 pairs the uint32
halves, level 2 the uint16 halves, level 3 the bytes, then nibbles, bit pairs, bits.
Both products of a level (``P_hi & G_lo`` and ``P_hi & P_lo``) go in one AND call.

Cost per comparison: 8 rounds; party 0 sends 1 + 27/8 words, parties 1 and 2 27/8 words
(1 word for the generate bits, 1/2 + 1/4 + 1/8 + 1/8 + 1/8 + 1/16 for the levels).

Valid when the difference fits: ``less_than(x, y)`` is ``x < y`` if ``|x - y| < 2^63``;
:func:`less_than_wide` holds for any int64 values (float keys span the whole range).

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     x = rss.share_input(rt, 0, np.array([-3, 0, 7]) if rt.party == 0 else None, 3)
...     return rss.reveal(rt, less_than_public(rt, x, 1)).tolist()
>>> run_parties(prog)[0]
[1, 1, 0]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import convert, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_63 = np.uint64(63)
_TOP = np.uint64(1 << 63)
_TOP_CLEAR = np.uint64((1 << 63) - 1)


def msb(rt: Runtime, x: AShare) -> BShare:
    """The sign bit of each element (1 iff ``x < 0`` as int64), as a secret bit."""
    u, v = convert.addends(rt, x, transform_u=convert.bit_reverse_permute,
                           transform_v=convert.bit_reverse_permute)
    p = convert.addends_xor(u, v)
    g = convert.addends_and(rt, u, v)
    # rev6(63) = 63, so original bit 63 is still bit 63: keep u63 ^ v63 (the top bit of
    # byte 7), then make position 63 the identity (G, P) = (0, 1) so that the tree
    # yields the carry into bit 63
    top_a, top_b = _top_bit(p.a), _top_bit(p.b)
    ga, gb = g.a & _TOP_CLEAR, g.b & _TOP_CLEAR
    pa, pb = p.a & _TOP_CLEAR, p.b & _TOP_CLEAR
    if rt.party == 0:
        pa |= _TOP  # the public 1 goes into share 0 (party 0's a, party 2's b)
    elif rt.party == 2:
        pb |= _TOP
    ga, gb = _group_generate(rt, ga, gb, pa, pb)
    return BShare(rt.party, convert.low_bit(top_a ^ ga), convert.low_bit(top_b ^ gb))


def _top_bit(w: np.ndarray) -> np.ndarray:
    return w.view(np.uint8)[7::8] >> np.uint8(7)  # little-endian: byte 7 holds bit 63


def addend_carry(rt: Runtime, x: AShare) -> BShare:
    """The carry out of bit 63 of ``u + v`` as unsigned words, where ``u = x0 + x1 mod
    2^64`` (what party 0 computes) and ``v = x2``: 1 iff ``u + v >= 2^64``. Same cost as
    :func:`msb`. Used by exact divisions that split ``x`` into these two addends."""
    u, v = convert.addends(rt, x, transform_u=convert.bit_reverse_permute,
                           transform_v=convert.bit_reverse_permute)
    p = convert.addends_xor(u, v)
    g = convert.addends_and(rt, u, v)
    ga, gb = _group_generate(rt, g.a, g.b, p.a, p.b)
    return BShare(rt.party, convert.low_bit(ga), convert.low_bit(gb))


def _group_generate(rt, ga, gb, pa, pb):
    """Bit 0 of the result: the generate signal of all 64 (bit-permuted) positions."""
    # levels 1..3: split words into halves by reinterpreting them as narrower integers
    for half in (np.uint32, np.uint16, np.uint8):
        ga, gb, pa, pb = _level_halves(rt, ga, gb, pa, pb, half)
    # levels 4..6 inside each byte: nibbles, bit pairs, bits
    for shift in (4, 2, 1):
        ga, gb, pa, pb = _level_in_byte(rt, ga, gb, pa, pb, shift, last=shift == 1)
    return ga, gb


def _level_halves(rt, ga, gb, pa, pb, half):
    def split(w):
        h = w.view(half)
        return h[1::2], h[0::2]  # (high half, low half): little-endian words

    (ga_hi, ga_lo), (gb_hi, gb_lo) = split(ga), split(gb)
    (pa_hi, pa_lo), (pb_hi, pb_lo) = split(pa), split(pb)
    (ma, mb), (na, nb) = rss.and_arrays_many(
        rt, [(pa_hi, pb_hi, ga_lo, gb_lo), (pa_hi, pb_hi, pa_lo, pb_lo)])
    return ga_hi ^ ma, gb_hi ^ mb, na, nb


def _level_in_byte(rt, ga, gb, pa, pb, shift, last):
    s = np.uint8(shift)
    low = np.uint8((1 << shift) - 1)
    pa_hi, pb_hi = pa >> s, pb >> s
    items = [(pa_hi, pb_hi, ga & low, gb & low)]
    if not last:  # only G is needed from the last level
        items.append((pa_hi, pb_hi, pa & low, pb & low))
    products = rss.and_arrays_many(rt, items)
    ma, mb = products[0]
    ga, gb = (ga >> s) ^ ma, (gb >> s) ^ mb
    if last:
        return ga, gb, None, None
    return ga, gb, products[1][0], products[1][1]


def less_than(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x < y`` as a secret bit (valid when ``|x - y| < 2^63``)."""
    return msb(rt, x - y)


def less_than_wide(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x < y`` for any int64 values, also when ``x - y`` wraps (float keys).

    Where the signs differ the negative one is smaller; where they agree the difference
    cannot wrap and its sign decides: ``lt = sd ^ ((sx ^ sy) & (sx ^ sd))``. One batched
    :func:`msb` of ``x``, ``y`` and ``x - y``, then one AND: 9 rounds, 3 times the words
    of :func:`less_than`.
    """
    n = len(x)
    signs = msb(rt, AShare.concat([x, y, x - y]))
    return _wide(rt, signs[:n], signs[n:2 * n], signs[2 * n:])


def less_than_wide_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x < c`` for any int64 ``x`` and a public int64 ``c``: ``c``'s sign is public,
    so two sign bits are extracted instead of three."""
    n = len(x)
    signs = msb(rt, AShare.concat([x, x.add_public(_neg_public(c))]))
    return _wide(rt, signs[:n], _public_signs(rt, c, n), signs[n:])


def greater_than_wide_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x > c``, i.e. ``c < x``, for any int64 ``x`` and a public int64 ``c``."""
    n = len(x)
    signs = msb(rt, AShare.concat([x, (-x).add_public(rss.as_u64(np.asarray(c, np.int64)))]))
    return _wide(rt, _public_signs(rt, c, n), signs[:n], signs[n:])


def _wide(rt: Runtime, sx: BShare, sy: BShare, sd: BShare) -> BShare:
    """``x < y`` from the signs of ``x``, ``y`` and ``x - y`` (possibly wrapped)."""
    return sd ^ rss.and_(rt, sx ^ sy, sx ^ sd)


def _public_signs(rt: Runtime, c, n: int) -> BShare:
    negative = np.broadcast_to(np.asarray(c, dtype=np.int64) < 0, (n,))
    return BShare.public(rt.party, negative.astype(U64))


def greater_than(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x > y`` as a secret bit."""
    return msb(rt, y - x)


def less_equal(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x <= y`` = NOT ``y < x``."""
    return convert.bit_not(msb(rt, y - x))


def greater_equal(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x >= y`` = NOT ``x < y``."""
    return convert.bit_not(msb(rt, x - y))


def _neg_public(c) -> np.ndarray:
    return -rss.as_u64(np.asarray(c, dtype=np.int64))


def less_than_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x < c`` for a public int64 scalar or array ``c`` (same cost as :func:`less_than`)."""
    return msb(rt, x.add_public(_neg_public(c)))


def greater_than_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x > c`` = ``c - x < 0``."""
    return msb(rt, (-x).add_public(rss.as_u64(np.asarray(c, dtype=np.int64))))


def less_equal_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x <= c`` = NOT ``x > c``."""
    return convert.bit_not(greater_than_public(rt, x, c))


def greater_equal_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x >= c`` = NOT ``x < c``."""
    return convert.bit_not(less_than_public(rt, x, c))
