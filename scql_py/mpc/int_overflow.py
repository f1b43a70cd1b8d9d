"""Whether int64 arithmetic on secret words left the int64 range: the ring keeps
``x + y``, ``x - y``, ``x * y`` and ``-x`` only mod 2^64, where DuckDB raises an
overflow. Each function gives a bit per element, 1 where the exact result is not in
``[-2^63, 2^63)``; the words themselves are the ring's, computed by the caller.

``x + y`` overflows iff ``x`` and ``y`` have the same sign and the ring's sum the other
one (``x - y``: ``x`` and ``y`` differ in sign, and the difference's differs from
``x``'s): one batched :func:`compare.msb`, then one AND (9 rounds).

``x * y``: from the magnitudes ``a = |x|``, ``b = |y|`` (at most 2^63) split exactly
as ``a = ah 2^32 + al`` (``0 <= al < 2^32``, ``ah <= 2^31``), the exact product is
``P = ah bh 2^64 + m 2^32 + c`` with ``m = ah bl + al bh``, ``c = al bl < 2^64``. It
is past the range iff ``P >= 2^63 + s`` (``s`` 1 where the result is negative:
-2^63 is in range). ``ah bh <= 2^62`` is exact, and ``P >= 2^64`` if it is not 0.
Otherwise one of ``ah``, ``bh`` is 0, so ``m < 2^63`` is exact: ``P >= 2^64`` if
``m >= 2^32``; else ``m 2^32 < 2^64`` and ``P >= 2^64`` iff the ring's sum ``w = m
2^32 + c`` wrapped, i.e. ``w < c`` as unsigned words; else ``P = w``, which is
``>= 2^63 + s`` iff its top bit is set and not (``s`` and ``w = 2^63``). Every test is
the sign of an exact word: one batched :func:`compare.msb` after the split (about 32
rounds). By a public ``k``: ``x`` must lie in ``[lo, hi]``, the ``x`` with ``x k`` in
range: two signs (9 rounds).

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     xs = np.array([2**62, -2**62, 3, 2**31, -2**63, -2**62], np.int64).view(np.uint64)
...     ys = np.array([2, -2, -5, 2**32, 1, 2], np.int64).view(np.uint64)
...     x = rss.share_input(rt, 0, xs if rt.party == 0 else None, 6)
...     y = rss.share_input(rt, 1, ys if rt.party == 1 else None, 6)
...     return [rss.reveal(rt, product(rt, x, y)).tolist(),
...             rss.reveal(rt, additive(rt, x, x, x + x, subtract=False)).tolist()]
>>> run_parties(prog)[0]
[[1, 1, 0, 1, 0, 0], [1, 0, 0, 0, 1, 0]]
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc import compare, convert, equality, rss
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1
_TOP = U64(1 << 63)


def _word(c: int) -> U64:
    """A public integer as a ring word (mod 2^64)."""
    return U64(c % 2**64)


def additive(rt: Runtime, x: AShare, y: AShare | int, result: AShare, subtract: bool
             ) -> BShare:
    """1 where ``x + y`` (``x - y`` if ``subtract``) left the int64 range; ``result`` is
    the ring's sum (difference). ``y`` may be a public int (one sign fewer)."""
    n = len(x)
    if isinstance(y, AShare):
        signs = compare.msb(rt, AShare.concat([x, y, result]))
        sx, sy, sr = signs[:n], signs[n:2 * n], signs[2 * n:]
    else:
        signs = compare.msb(rt, AShare.concat([x, result]))
        sx, sr = signs[:n], signs[n:]
        sy = BShare.public(rt.party, np.full(n, int(y < 0), U64))
    if subtract:  # the signs of x and y differ, and the difference's differs from x's
        return rss.and_(rt, sx ^ sy, sx ^ sr)
    return rss.and_(rt, sx ^ sr, sy ^ sr)  # x and y agree, the sum's sign differs


def negation(rt: Runtime, x: AShare) -> BShare:
    """1 where ``-x`` left the int64 range: ``x = -2^63``."""
    return equality.equal_public(rt, x, INT64_MIN)


def public_product(rt: Runtime, x: AShare, k: int) -> BShare:
    """1 where ``x k`` left the int64 range, for a public integer ``k``: ``x`` outside
    ``[lo, hi]``, i.e. ``x - lo`` (as an unsigned word) above ``hi - lo``."""
    n = len(x)
    if k in (0, 1):
        return BShare.zeros(rt.party, n)
    if k == -1:
        return negation(rt, x)
    if k > 0:
        lo, hi = -(-INT64_MIN // k), INT64_MAX // k
    else:
        lo, hi = -(INT64_MAX // -k), -INT64_MIN // -k
    width = hi - lo  # below 2^63 for |k| >= 2
    shifted = x.add_public(_word(-lo))
    signs = compare.msb(rt, AShare.concat([shifted, shifted.add_public(_word(-width - 1))]))
    # in range: x - lo is not negative and x - lo - width - 1 is
    inside = rss.and_(rt, convert.bit_not(signs[:n]), signs[n:])
    return convert.bit_not(inside)


def product(rt: Runtime, x: AShare, y: AShare) -> BShare:
    """1 where ``x y`` left the int64 range (the module doc: exact)."""
    n = len(x)
    xy = AShare.concat([x, y])
    signs = compare.msb(rt, xy)
    negative = signs[:n] ^ signs[n:]
    magnitude = xy - rss.mul(rt, convert.b2a_bit(rt, signs), xy).mul_public(2)
    # |x| <= 2^63: shifted down by 2^63 it is an int64, and its floor moves by 2^31
    high = floor_shift(rt, magnitude.add_public(_TOP), 32).add_public(U64(1 << 31))
    low = magnitude - high.mul_public(U64(1 << 32))
    ah, bh, al, bl = high[:n], high[n:], low[:n], low[n:]
    hh, ahbl, albh, c = rss.mul_many(rt, [(ah, bh), (ah, bl), (al, bh), (al, bl)])
    m = ahbl + albh
    w = m.mul_public(U64(1 << 32)) + c
    tests = compare.msb(rt, AShare.concat([
        -hh,                              # ah bh > 0: P >= 2^64
        m.add_public(_word(-(1 << 32))),  # m < 2^32 (else P >= 2^64)
        w, c, w - c,                      # w < c unsigned: the sum m 2^32 + c wrapped
        w.add_public(_word(INT64_MAX)),   # w - 2^63 - 1 < 0: w = 2^63 (given w >= 2^63)
    ]))
    high_set, m_small = tests[:n], tests[n:2 * n]
    sw, sc, sd, at_min = tests[2 * n:3 * n], tests[3 * n:4 * n], tests[4 * n:5 * n], tests[5 * n:]
    # unsigned w < c: the signed comparison of w - 2^63 and c - 2^63 (compare._wide)
    flip, min_ok, fits = convert.and_bits_many(rt, [
        (sw ^ sc, convert.bit_not(sw) ^ sd),
        (negative, at_min),                                # -2^63 exactly
        (convert.bit_not(high_set), m_small)])             # no part >= 2^64 so far
    wrapped = sd ^ flip
    inside, past_low = convert.and_bits_many(rt, [
        (fits, convert.bit_not(wrapped)),
        (sw, convert.bit_not(min_ok))])                    # w >= 2^63 + s
    return convert.bit_not(convert.and_bits_many(rt, [(inside, convert.bit_not(past_low))])[0])
