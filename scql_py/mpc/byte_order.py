"""The order of secret strings: byte-wise lexicographic, as DuckDB compares VARCHARs.

A string is its UTF-8 bytes packed little-endian into XOR-shared words, zero padded
(engine/encoding.py; no NUL byte inside, so a shorter string that is a prefix of a
longer one sorts first, as its padding zeros come before any byte). Swapping the bytes
of each word (local: a permutation of bits is linear over XOR) makes the words
big-endian, so that string order is the order of the sequence of words. Each word is
split into two 32-bit halves, converted to arithmetic shares (:func:`convert.b2a`) and
compared (``<`` and ``=``, valid on values below ``2^32``); the halves' verdicts are
folded from the left by a tree: ``lt = lt_a ^ (eq_a & lt_b)``, ``eq = eq_a & eq_b``.
About 25 rounds; nothing is opened.
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, equality, rss
from scql_py.mpc.rss import BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_LOW32 = U64(0xFFFF_FFFF)


def _halves(words: list[BShare], width: int, n: int, party: int) -> list[BShare]:
    """The big-endian 32-bit halves of the first ``width`` words (missing ones zero)."""
    out = []
    for j in range(width):
        w = words[j] if j < len(words) else BShare.zeros(party, n)
        swapped = BShare(party, w.a.byteswap(), w.b.byteswap())
        out.extend([swapped >> 32, swapped.and_public(_LOW32)])
    return out


def less_than(rt: Runtime, a: list[BShare], b: list[BShare], n: int) -> BShare:
    """``a < b`` for ``n`` pairs of packed strings, as a secret bit."""
    width = max(len(a), len(b), 1)
    halves_a = _halves(a, width, n, rt.party)
    halves_b = _halves(b, width, n, rt.party)
    k = len(halves_a)
    values = convert.b2a(rt, BShare.concat(halves_a + halves_b))
    x, y = values[:k * n], values[k * n:]
    lt = compare.less_than(rt, x, y)
    eq = equality.equal(rt, x, y)
    pairs = [(lt[i * n:(i + 1) * n], eq[i * n:(i + 1) * n]) for i in range(k)]
    while len(pairs) > 1:
        left, right = pairs[0::2], pairs[1::2]
        m = len(right)
        products = rss.and_many(rt, [(e_a, l_b) for (_, e_a), (l_b, _) in zip(left, right)]
                                + [(e_a, e_b) for (_, e_a), (_, e_b) in zip(left, right)])
        merged = [(left[i][0] ^ products[i], products[m + i]) for i in range(m)]
        pairs = merged + (left[m:] if len(left) > m else [])
    return convert.clean_bit(pairs[0][0])


__all__ = ["less_than"]
