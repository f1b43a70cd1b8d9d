"""Oblivious selection: choose between shared values by a secret bit.

>>> import numpy as np
>>> from scql_py.mpc import rss, compare
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     x = rss.share_input(rt, 0, np.array([3, -8]) if rt.party == 0 else None, 2)
...     y = rss.share_input(rt, 1, np.array([5, -9]) if rt.party == 1 else None, 2)
...     smaller = select(rt, compare.less_than(rt, x, y), x, y)
...     return rss.reveal(rt, smaller).view(np.int64).tolist()
>>> run_parties(prog)[0]
[3, -9]
"""

from __future__ import annotations

from scql_py.mpc import convert, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime


def mul_bit(rt: Runtime, bit: BShare, x: AShare) -> AShare:
    """``x`` where ``bit`` is 1, else 0: bit injection then one product (2 rounds)."""
    return rss.mul(rt, convert.b2a_bit(rt, bit), x)


def select(rt: Runtime, cond: BShare, if_true: AShare, if_false: AShare) -> AShare:
    """``if_true`` where ``cond`` is 1, else ``if_false`` (2 rounds)."""
    return if_false + mul_bit(rt, cond, if_true - if_false)


def select_many(rt: Runtime, items: list[tuple[BShare, AShare, AShare]]) -> list[AShare]:
    """Several :func:`select` calls in the same 2 rounds."""
    if not items:
        return []
    bits = convert.b2a_bit(rt, BShare.concat([c for c, _, _ in items]))
    diffs = AShare.concat([t - f for _, t, f in items])
    prod = rss.mul(rt, bits, diffs)
    out, start = [], 0
    for _, _, f in items:
        out.append(f + prod[start:start + len(f)])
        start += len(f)
    return out


def select_bits(rt: Runtime, cond: BShare, if_true: BShare, if_false: BShare) -> BShare:
    """Select between secret bits: ``f ^ (cond & (t ^ f))`` (1 round, packed)."""
    return convert.bit_xor(if_false, convert.bit_and(rt, cond, if_true ^ if_false))


def broadcast_bit(b: BShare) -> BShare:
    """A bit spread over the whole word (0 -> 0, 1 -> all ones); local: each share word's
    low bit is negated in two's complement, and that commutes with XOR."""
    return BShare(b.party, -convert.low_bit(b.a), -convert.low_bit(b.b))


def select_words(rt: Runtime, cond: BShare, if_true: BShare, if_false: BShare) -> BShare:
    """Select between boolean-shared 64-bit words by a secret bit (1 AND round)."""
    return if_false ^ rss.and_(rt, broadcast_bit(cond), if_true ^ if_false)
