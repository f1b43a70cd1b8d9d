"""Probabilistic truncation of arithmetic shares (ABY3's Pi_trunc1, adapted to rss3).

``x = x0 + (x1 + x2)``: parties 2 and 0 both hold ``x0`` and shift it locally; party 1
holds ``x1`` and ``x2``, shifts their sum, and re-shares the result as ``r`` (from the
key it shares with party 0) and ``s - r``, which it sends to party 2. One round, one
message of n words (party 1 to party 2), nothing else.

Error bound. Let ``|x| < 2^l`` and ``x0`` be uniformly random (true for any share made by
input, multiplication or re-sharing; a public constant's share is exact). With ``A = x0``
and ``B = x1 + x2`` as signed int64, ``A + B = x`` as integers unless ``x - A`` leaves
the int64 range, which happens for at most ``|x| + 1`` of the ``2^64`` values of ``A``.
Without that wrap, ``floor(A/d) + floor(B/d)`` is ``floor(x/d)`` or ``floor(x/d) - 1``.
So: result in ``{floor(x / d) - 1, floor(x / d)}`` (error at most 1 ulp, never
upwards) except with probability at most ``2^(l - 64)`` (<= the ABY3 bound
``2^(l + 1 - 64)``); on failure the result is off by about ``2^64 / d``.

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     x = rss.share_input(rt, 0, np.array([1000, -1000]) if rt.party == 0 else None, 2)
...     return rss.reveal(rt, truncate(rt, x, 3)).view(np.int64).tolist()
>>> run_parties(prog)[0] in ([125, -125], [124, -125], [125, -126], [124, -126])
True
"""

from __future__ import annotations

import numpy as np

from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime


def _floor_div(words: np.ndarray, d: int) -> np.ndarray:
    """floor(w / d) of words read as int64, back as uint64 words (a fresh array)."""
    signed = words.view(np.int64)
    if d & (d - 1) == 0:
        return np.right_shift(signed, d.bit_length() - 1).view(np.uint64)
    return np.floor_divide(signed, d).view(np.uint64)


def truncate_public_div(rt: Runtime, x: AShare, d: int) -> AShare:
    """About ``floor(x / d)`` for a public integer ``d >= 1``: the exact value or one
    less, except with probability ``<= 2^(l - 64)`` when ``|x| < 2^l`` (module doc).
    One round, party 1 sends n words to party 2."""
    if d < 1:
        raise ValueError("the public divisor must be a positive integer")
    n = len(x)
    me = rt.party
    if me == 0:  # holds (x0, x1): y0 = x0 / d, y1 = r
        y0 = _floor_div(x.a, d)
        y1 = rt.prg_next.uint64(n)
        rt.comm.idle_round()
        return AShare(me, y0, y1)
    if me == 1:  # holds (x1, x2): y1 = r, y2 = (x1 + x2) / d - r
        y1 = rt.prg_prev.uint64(n)
        y2 = _floor_div(x.a + x.b, d)
        y2 -= y1
        rt.comm.exchange({2: y2}, [])
        return AShare(me, y1, y2)
    y0 = _floor_div(x.b, d)  # party 2 holds (x2, x0)
    (y2,) = rt.comm.exchange({}, [1])
    return AShare(me, np.asarray(y2), y0)


def truncate(rt: Runtime, x: AShare, bits: int) -> AShare:
    """Signed arithmetic shift right by ``bits``: ``floor(x / 2^bits)`` or one less,
    except with probability ``<= 2^(l - 64)`` for ``|x| < 2^l``. One round."""
    if bits == 0:
        return x
    if not 0 < bits < 64:
        raise ValueError("bits must be in [0, 64)")
    return truncate_public_div(rt, x, 1 << bits)
