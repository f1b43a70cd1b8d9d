"""Conversions between arithmetic and boolean sharing, and logic on secret bits.

The trick every conversion here starts from: in rss3, party 0 holds ``x0`` and ``x1`` and
so knows ``u = x0 + x1``; parties 1 and 2 both hold ``v = x2``. So ``x = u + v`` with each
addend known in the clear by someone. ``v`` is boolean-shared for free (share 2 = v, the
others 0); party 0 boolean-shares ``u`` with one message to party 1 (share 0 comes from
the key it shares with party 2). A boolean adder on ``u`` and ``v`` then gives the bits
of ``x``: no 3-input carry-save layer is needed.

Bit conventions: a secret bit is a :class:`BShare` whose value is 0 or 1; the functions
here return bits whose share words are 0/1 as well, and accept bits whose share words
carry garbage above bit 0 (they mask it off, which is linear).

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     x = rss.share_input(rt, 0, np.array([5, -1]) if rt.party == 0 else None, 2)
...     return rss.reveal(rt, a2b(rt, x)).view(np.int64).tolist()
>>> run_parties(prog)[0]
[5, -1]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
ONE = np.uint64(1)

# -- local bit tricks -----------------------------------------------------------------------

def _delta_swap_mask(i: int, j: int) -> tuple[np.uint64, np.uint64]:
    """Mask and distance of the delta swap that exchanges index bits ``i < j`` of the bit
    positions: position p (bit i set, bit j clear) trades places with p + 2^j - 2^i."""
    m = sum(1 << p for p in range(64) if (p >> i) & 1 and not (p >> j) & 1)
    return np.uint64(m), np.uint64((1 << j) - (1 << i))


# reversing the 6 index bits = swapping index bits (0,5), (1,4), (2,3)
_INDEX_SWAPS = [_delta_swap_mask(0, 5), _delta_swap_mask(1, 4), _delta_swap_mask(2, 3)]


def bit_reverse_permute(x: np.ndarray) -> np.ndarray:
    """Move bit ``p`` of each word to bit ``rev6(p)`` (the 6-bit index read backwards);
    a fresh array, linear over XOR. Then bits 2k and 2k+1 land in opposite halves of
    the word at the same offset, and so on recursively.

    >>> [int(bit_reverse_permute(np.array([1 << p], np.uint64))[0]).bit_length() - 1
    ...  for p in (0, 1, 2, 62, 63)]
    [0, 32, 16, 31, 63]
    """
    y = np.array(x, dtype=U64, copy=True)
    t = np.empty_like(y)
    for mask, dist in _INDEX_SWAPS:
        np.right_shift(y, dist, out=t)
        t ^= y
        t &= mask
        y ^= t
        t <<= dist
        y ^= t
    return y


def low_bit(x: np.ndarray) -> np.ndarray:
    """``x & 1`` as uint64 words (masks a bit's share words; linear over XOR)."""
    return np.bitwise_and(x, ONE, dtype=U64)


def clean_bit(b: BShare) -> BShare:
    """The same secret bit with share words reduced to 0/1."""
    return BShare(b.party, low_bit(b.a), low_bit(b.b))


# -- party 0's addend -----------------------------------------------------------------------

def addends(rt: Runtime, x: AShare, transform_u=None, transform_v=None
            ) -> tuple[BShare, BShare]:
    """Boolean shares of ``u = x0 + x1`` and ``v = x2`` (so ``x = u + v``). One round in
    which only party 0 sends (``len(x)`` words to party 1).

    ``transform_u`` / ``transform_v`` (functions on uint64 arrays returning fresh arrays,
    e.g. :func:`bit_reverse_permute` or ``np.negative``) are applied to the plaintext
    addend by whoever knows it, before sharing. Returned shares: party 0 ``(s0, s1),
    (0, 0)``; party 1 ``(s1, 0), (0, v)``; party 2 ``(0, s0), (v, 0)``; ``s0 ^ s1 = u``.
    """
    n = len(x)
    me = rt.party
    zero = np.zeros(n, U64)
    if me == 0:
        u = x.a + x.b
        if transform_u is not None:
            u = transform_u(u)
        s0 = rt.prg_prev.uint64(n)  # from k_0, which party 2 also holds
        np.bitwise_xor(u, s0, out=u)
        rt.comm.exchange({1: u}, [])
        return BShare(me, s0, u), BShare(me, zero, zero)
    v = x.b if me == 1 else x.a  # x2, held by parties 1 and 2 alike
    if transform_v is not None:
        v = transform_v(v)
    if me == 1:
        (s1,) = rt.comm.exchange({}, [0])
        return BShare(me, np.asarray(s1), zero), BShare(me, zero, v)
    s0 = rt.prg_next.uint64(n)
    rt.comm.idle_round()
    return BShare(me, zero, s0), BShare(me, v, zero)


def addends_xor(u: BShare, v: BShare) -> BShare:
    """``u ^ v`` for the output of :func:`addends`, without computing anything: on every
    party one of the two words being combined is zero."""
    me = u.party
    return BShare(me, u.a if me != 2 else v.a, u.b if me != 1 else v.b)


def addends_and(rt: Runtime, u: BShare, v: BShare) -> BShare:
    """``u & v`` for the output of :func:`addends` (1 round, n words): the cross terms
    reduce to ``s1 & v`` on party 1, ``s0 & v`` on party 2 and nothing on party 0."""
    me = u.party
    if me == 0:
        z = np.zeros(len(u), U64)
    elif me == 1:
        z = np.bitwise_and(u.a, v.b)
    else:
        z = np.bitwise_and(u.b, v.a)
    rt.prg_prev.xor_into(z)
    rt.prg_next.xor_into(z)
    (nxt,) = rt.comm.exchange({rt.prev: z}, [rt.next])
    return BShare(me, z, np.asarray(nxt))


# -- arithmetic to boolean ------------------------------------------------------------------

def a2b(rt: Runtime, x: AShare) -> BShare:
    """Boolean shares of the same 64-bit words (full bit decomposition).

    ``u + v`` by a Kogge-Stone adder on packed words: 1 round to share ``u``, 1 for the
    generate bits, 6 prefix levels (each one AND round of 2 words per element, batched).
    8 rounds, about 13 words per element per party.
    """
    u, v = addends(rt, x)
    return _kogge_stone(rt, addends_xor(u, v), addends_and(rt, u, v))


def add_bool(rt: Runtime, u: BShare, v: BShare) -> BShare:
    """Boolean shares of ``u + v mod 2^64`` for boolean-shared words (7 rounds)."""
    return _kogge_stone(rt, u ^ v, rss.and_(rt, u, v))


def _kogge_stone(rt: Runtime, p: BShare, g: BShare) -> BShare:
    """The sum bits ``p ^ (carries << 1)`` from propagate ``p`` and generate ``g``."""
    ga, gb, pa, pb = g.a, g.b, p.a, p.b
    for level in range(6):
        s = np.uint64(1 << level)
        # G ^= P & (G << s); P &= P << s: both products in one AND round (P not needed
        # after the last level)
        gsa, gsb = ga << s, gb << s
        items = [(pa, pb, gsa, gsb)]
        if level < 5:
            items.append((pa, pb, pa << s, pb << s))
        products = rss.and_arrays_many(rt, items)
        ga, gb = ga ^ products[0][0], gb ^ products[0][1]
        if level < 5:
            pa, pb = products[1]
    one = np.uint64(1)
    return BShare(p.party, p.a ^ (ga << one), p.b ^ (gb << one))


# -- boolean to arithmetic ------------------------------------------------------------------

def b2a_bit(rt: Runtime, b: BShare) -> AShare:
    """Arithmetic shares of a secret bit (0/1). One round.

    ``b = e xor c`` with ``e = b0 ^ b1`` known to party 0 and ``c = b2`` known to parties 1
    and 2. The output shares ``y0`` (key k_0) and ``y1`` (key k_1) are pseudo-random;
    ``y2 = (e xor c) - y0 - y1`` reaches parties 1 and 2 by a three-party oblivious
    transfer (ABY3 section 5.4.1): party 0 sends both candidates, each masked with a key
    the receiver lacks, and the other receiver, who knows ``c`` and that key, sends the
    chosen mask. Party 0 sends 4 words per bit, parties 1 and 2 one each.
    """
    n = len(b)
    me = rt.party
    if me == 0:
        e = low_bit(b.a ^ b.b)
        y0 = rt.prg_prev.uint64(n)
        y1 = rt.prg_next.uint64(n)
        w = rt.prg_prev.uint64(2 * n)  # masks for party 1 (party 2 knows them)
        w2 = rt.prg_next.uint64(2 * n)  # masks for party 2 (party 1 knows them)
        m0 = e - y0 - y1
        m1 = (e ^ ONE) - y0 - y1
        to1 = np.concatenate([m0, m1])
        to1 += w
        to2 = np.concatenate([m0, m1])
        to2 += w2
        rt.comm.exchange({1: to1, 2: to2}, [])
        return AShare(me, y0, y1)
    c = low_bit(b.b if me == 1 else b.a).astype(bool)
    if me == 1:
        y1 = rt.prg_prev.uint64(n)
        mine = rt.prg_prev.uint64(2 * n)  # party 2's masks, from k_1
        send = np.where(c, mine[n:], mine[:n])
        masked, their_mask = rt.comm.exchange({2: send}, [0, 2])
    else:
        y0 = rt.prg_next.uint64(n)
        mine = rt.prg_next.uint64(2 * n)  # party 1's masks, from k_0
        send = np.where(c, mine[n:], mine[:n])
        masked, their_mask = rt.comm.exchange({1: send}, [0, 1])
    masked = np.asarray(masked)
    y2 = np.where(c, masked[n:], masked[:n]) - np.asarray(their_mask)
    return AShare(me, y1, y2) if me == 1 else AShare(me, y2, y0)


def b2a(rt: Runtime, w: BShare) -> AShare:
    """Arithmetic shares of boolean-shared 64-bit words. 8 rounds.

    Party 1 knows ``t = tau1 ^ tau2`` (tau1 from the key shared with party 0, tau2 from
    the one shared with party 2), whose boolean shares ``(0, tau1, tau2)`` cost nothing.
    The parties add ``z = w + t`` with the boolean adder and open ``z`` to parties 0 and 2
    (it is masked by ``t``, which neither knows). Output shares: ``y0 = z``, ``y1`` from
    key k_1, ``y2 = -t - y1`` which party 1 sends to party 2 in the opening round.
    """
    n = len(w)
    me = rt.party
    zero = np.zeros(n, U64)
    if me == 0:
        tau1 = rt.prg_next.uint64(n)
        t_share = BShare(me, zero, tau1)
    elif me == 1:
        tau1, tau2 = rt.prg_prev.uint64(n), rt.prg_next.uint64(n)
        t_share = BShare(me, tau1, tau2)
    else:
        tau2 = rt.prg_prev.uint64(n)
        t_share = BShare(me, tau2, zero)
    z = add_bool(rt, w, t_share)
    if me == 0:
        y1 = rt.prg_next.uint64(n)
        (z2,) = rt.comm.exchange({2: z.b}, [2])
        return AShare(me, z.a ^ z.b ^ np.asarray(z2), y1)
    if me == 1:
        y1 = rt.prg_prev.uint64(n)
        y2 = -(tau1 ^ tau2) - y1
        rt.comm.exchange({2: y2}, [])
        return AShare(me, y1, y2)
    z1, y2 = rt.comm.exchange({0: z.a}, [0, 1])
    return AShare(me, np.asarray(y2), z.a ^ z.b ^ np.asarray(z1))


# -- logic on secret bits -------------------------------------------------------------------

def _pack(bits: np.ndarray) -> np.ndarray:
    """0/1 words -> packed bytes (8 bits per byte; linear over XOR)."""
    return np.packbits(bits.astype(np.uint8, copy=False))


def _unpack(packed: np.ndarray, n: int) -> np.ndarray:
    return np.unpackbits(packed, count=n).astype(U64)


def and_bits_many(rt: Runtime, pairs: list[tuple[BShare, BShare]]) -> list[BShare]:
    """Several ANDs of secret bits in one round, 64 bits per word on the wire."""
    if not pairs:
        return []
    sizes = [len(p[0]) for p in pairs]
    total = sum(sizes)
    xa = _pack(np.concatenate([low_bit(p[0].a) for p in pairs]))
    xb = _pack(np.concatenate([low_bit(p[0].b) for p in pairs]))
    ya = _pack(np.concatenate([low_bit(p[1].a) for p in pairs]))
    yb = _pack(np.concatenate([low_bit(p[1].b) for p in pairs]))
    za, zb = rss.and_arrays(rt, xa, xb, ya, yb)
    za, zb = _unpack(za, total), _unpack(zb, total)
    out, start = [], 0
    for size in sizes:
        out.append(BShare(rt.party, za[start:start + size], zb[start:start + size]))
        start += size
    return out


def bit_and(rt: Runtime, x: BShare, y: BShare) -> BShare:
    """x AND y for secret bits (1 round, n/64 words)."""
    return and_bits_many(rt, [(x, y)])[0]


def bit_or(rt: Runtime, x: BShare, y: BShare) -> BShare:
    """x OR y = x ^ y ^ (x & y) (1 round)."""
    return clean_bit(x ^ y ^ bit_and(rt, x, y))


def bit_xor(x: BShare, y: BShare) -> BShare:
    """x XOR y (local)."""
    return clean_bit(x ^ y)


def bit_not(x: BShare) -> BShare:
    """NOT x = x XOR 1 (local; ``~`` would flip all 64 bits of the word)."""
    return clean_bit(x).xor_public(ONE)
