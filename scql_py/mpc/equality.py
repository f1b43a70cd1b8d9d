"""Secure equality tests: ``x == y`` as a secret bit, without a full A2B.

``x - y = u + v`` with ``u`` known to party 0 and ``v`` to parties 1 and 2
(:func:`convert.addends`), so ``x == y`` iff ``u == -v`` iff every bit of
``e = ~(u ^ -v)`` is 1. Party 0 boolean-shares ``u`` (one message), parties 1 and 2 share
``-v`` for free, and ``e`` is a local XOR. Then an AND tree halves the bits per element
each round on densely packed words (uint32 halves, uint16, bytes, nibbles, pairs, bits):
6 AND rounds, 1.25 words per element in all. 7 rounds total; nothing is opened.

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     x = rss.share_input(rt, 0, np.array([4, -2, 0]) if rt.party == 0 else None, 3)
...     return rss.reveal(rt, equal_public(rt, x, -2)).tolist()
>>> run_parties(prog)[0]
[0, 1, 0]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import convert, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64


def equal_zero(rt: Runtime, x: AShare) -> BShare:
    """``x == 0`` as a secret bit."""
    u, neg_v = convert.addends(rt, x, transform_v=np.negative)
    e = convert.addends_xor(u, neg_v)
    # NOT flips share 0 only: party 0's a and party 2's b
    ea = ~e.a if rt.party == 0 else e.a
    eb = ~e.b if rt.party == 2 else e.b
    for half in (np.uint32, np.uint16, np.uint8):
        ha, hb = ea.view(half), eb.view(half)
        ea, eb = rss.and_arrays(rt, ha[0::2], hb[0::2], ha[1::2], hb[1::2])
    for shift in (4, 2, 1):
        s = np.uint8(shift)
        low = np.uint8((1 << shift) - 1)
        ea, eb = rss.and_arrays(rt, ea & low, eb & low, ea >> s, eb >> s)
    return BShare(rt.party, convert.low_bit(ea), convert.low_bit(eb))


def equal(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x == y`` as a secret bit (any int64 values; the difference may wrap)."""
    return equal_zero(rt, x - y)


def equal_public(rt: Runtime, x: AShare, c) -> BShare:
    """``x == c`` for a public int64 scalar or array ``c``."""
    return equal_zero(rt, x.add_public(-rss.as_u64(np.asarray(c, dtype=np.int64))))


def not_equal(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """``x != y`` = NOT ``x == y``."""
    return convert.bit_not(equal(rt, x, y))
