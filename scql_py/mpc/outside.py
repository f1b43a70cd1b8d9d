"""Protocols between the three computing parties and a data party outside them.

A data party runs no protocol; it only secret-shares its inputs in and receives the
results opened to it. Both are one message per computing party, one round:

* **In** (:func:`share_in`): the owner splits every word ``v`` into three random
  shares ``v = x0 + x1 + x2`` (XOR for boolean words) with its own fresh randomness,
  and sends computing party ``i`` its replicated pair ``(x_i, x_{i+1})``: two shares
  per value per computing party, beside a small public header (sizes). Each computing
  party sees two uniformly random words per value; any two see the value only
  together with the third share, which neither has.
* **Out** (:func:`open_to`): computing party ``i`` sends ``x_i`` masked by a fresh
  zero sharing ``F(k_i) - F(k_{i+1})`` (pairwise keys, so the masks cancel in the
  sum): the data party sees three uniformly random words that add up to the value and
  nothing else, whatever shares the computation left behind.

Indices are those of every party of the query (``rt.world``); the openings are
recorded there too.
"""

from __future__ import annotations

import numpy as np

from scql_py.errors import InternalError
from scql_py.mpc.prg import PRG
from scql_py.mpc.rss import AShare, BShare, as_u64
from scql_py.mpc.runtime import Runtime

U64 = np.uint64
_EMPTY = np.zeros(0, U64)


def _split(values: np.ndarray, boolean: bool) -> list[np.ndarray]:
    prg = PRG()  # a fresh key of the owner's: nobody else can predict these shares
    v = as_u64(values)
    x0, x1 = prg.uint64(len(v)), prg.uint64(len(v))
    return [x0, x1, (v ^ x0 ^ x1) if boolean else (v - x0 - x1)]


def share_in(rt: Runtime, owner: int, header: np.ndarray | None,
             arith: np.ndarray | None, boolean: np.ndarray | None
             ) -> tuple[np.ndarray, AShare, BShare] | None:
    """Data party ``owner`` shares ``arith`` (ring words) and ``boolean`` (XOR words) to
    the computing parties, with the public int64 ``header`` in the same message.

    Returns ``(header, arith shares, boolean shares)`` on the computing parties, None on
    the owner (which keeps nothing: its plaintext is its own) and on anyone else."""
    world = rt.world
    if world.party == owner:
        if header is None or arith is None or boolean is None:
            raise ValueError("the owner must pass its header and words")
        a, b = _split(arith, False), _split(boolean, True)
        sends = {}
        for i, party in enumerate(rt.compute):
            j = (i + 1) % 3
            sends[party] = [np.asarray(header, np.int64), a[i], a[j], b[i], b[j]]
        world.exchange(sends, [])
        return None
    if not rt.computes:
        return None
    (payload,) = world.exchange({}, [owner])
    if not (isinstance(payload, list) and len(payload) == 5
            and all(isinstance(p, np.ndarray) for p in payload)
            and len(payload[1]) == len(payload[2]) and len(payload[3]) == len(payload[4])):
        raise InternalError(f"data party '{world.name_of(owner)}' sent malformed shares")
    head, a0, a1, b0, b1 = (np.asarray(p) for p in payload)
    return (head.astype(np.int64), AShare(rt.party, a0.astype(U64), a1.astype(U64)),
            BShare(rt.party, b0.astype(U64), b1.astype(U64)))


def open_to(rt: Runtime, to: int, header: np.ndarray | None, arith: AShare | None,
            boolean: BShare | None, what: str, tail: tuple[int, str] | None = None
            ) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """Open ``arith`` and ``boolean`` to data party ``to`` only, with the public int64
    ``header`` (the same on every computing party; the receiver checks it). ``tail``:
    ``(k, kind)`` when the last ``k`` boolean words are another kind of opening than
    ``what`` (opened in the same message, recorded as their own).

    Returns ``(header, arith words, boolean words)`` on ``to``, None elsewhere."""
    world = rt.world
    k, tail_what = tail if tail is not None else (0, what)
    if rt.computes:
        a = arith if arith is not None else AShare(rt.party, _EMPTY, _EMPTY)
        b = boolean if boolean is not None else BShare(rt.party, _EMPTY, _EMPTY)
        _record(rt, to, what, len(a) + len(b) - k, tail_what, k)
        na, nb = len(a), len(b)
        masked_a = a.a + rt.prg_prev.uint64(na) - rt.prg_next.uint64(na)
        masked_b = b.a ^ rt.prg_prev.uint64(nb) ^ rt.prg_next.uint64(nb)
        world.exchange({to: [np.asarray(header, np.int64), masked_a, masked_b]}, [])
        return None
    if world.party != to:
        return None
    # the computing parties may compute for longer than a timeout before they open
    parts = world.exchange({}, list(rt.compute), patient=True)
    ok = all(isinstance(p, list) and len(p) == 3 and all(isinstance(x, np.ndarray) for x in p)
             for p in parts)
    if not ok or any(not np.array_equal(p[0], parts[0][0]) or len(p[1]) != len(parts[0][1])
                     or len(p[2]) != len(parts[0][2]) for p in parts) or len(parts[0][2]) < k:
        raise InternalError("the computing parties opened different results")
    a_words = sum((np.asarray(p[1]).astype(U64) for p in parts[1:]),
                  np.asarray(parts[0][1]).astype(U64))
    b_words = np.asarray(parts[0][2]).astype(U64)
    for p in parts[1:]:
        b_words = b_words ^ np.asarray(p[2]).astype(U64)
    _record(rt, to, what, len(a_words) + len(b_words) - k, tail_what, k)
    return np.asarray(parts[0][0]).astype(np.int64), a_words, b_words


def _record(rt: Runtime, to: int, what: str, values: int, tail_what: str, tail: int) -> None:
    rt.record_world_opening(what, (to,), values)
    if tail:
        rt.record_world_opening(tail_what, (to,), tail)
