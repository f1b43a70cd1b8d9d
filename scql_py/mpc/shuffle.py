"""Oblivious shuffle: permute secret-shared rows by a permutation no single party knows.

The permutation is the composition of three *pass* permutations ``pi_0, pi_1, pi_2``;
pass ``p`` is run by the pair of parties ``P = p`` and ``Q = p + 1``, who draw ``pi_p``
from the key they share (``rt.pair_prg``). The third party ``R = p + 2`` never learns
``pi_p``, so every party misses one of the three and the composition is uniformly
random to each of them.

One pass, one round (ideas after the Rep3 shuffles of MP-SPDZ and ORQ, written from the
protocol description, not from their code). Between them P and Q hold all three shares
of ``x``: P takes ``A = x_P + x_Q``, Q takes ``B = x_R``, both permute locally. Then

* ``y_Q`` comes from the key of (P, Q) and ``y_R`` from the key of (Q, R);
* P computes ``a = pi(A) - y_Q``, Q computes ``b = pi(B) - y_R``;
* Q sends ``b`` to P and ``b + s`` to R, P sends ``a - s`` to R (``s`` from the (P, Q) key);
* ``y_P = a + b``, so ``y_P + y_Q + y_R = pi(A) + pi(B) = pi(x)``.

P sees ``b`` (masked by ``y_R``), R sees two values masked by ``y_Q`` and ``s``: each
view is uniformly random. Boolean (XOR) columns run the same with XOR for + and -.
All columns of a call travel in one message per pass: 3 rounds and 3 words per element
per party in all, O(n) local work apart from drawing the pass permutations.

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, x):
...     s = rss.share_input(rt, 0, x, 4)
...     (t,) = shuffle(rt, [s])
...     return sorted(rss.reveal(rt, t).tolist())
>>> run_parties(prog, [np.array([5, 6, 7, 8]), None, None])[0]
[5, 6, 7, 8]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import N_PARTIES, Runtime

Column = AShare | BShare

def _gather(rows: np.ndarray, perm: np.ndarray) -> np.ndarray:
    """Row ``j`` of the output is row ``perm[j]`` of the input (along the last axis)."""
    return np.take(rows, perm, axis=1)


def _inverse(perm: np.ndarray) -> np.ndarray:
    """The permutation that undoes gathering by ``perm``."""
    inv = np.empty_like(perm)
    inv[perm] = np.arange(len(perm), dtype=perm.dtype)
    return inv


class _Block:
    """All columns of one call as a (columns, n) matrix of words; the first
    ``n_arith`` rows are additive shares, the rest XOR shares."""

    __slots__ = ("words", "n_arith")

    def __init__(self, words: np.ndarray, n_arith: int):
        self.words = words
        self.n_arith = n_arith

    def add(self, other: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        """words (+ or XOR) other, into ``out`` (may be ``words`` itself) or a fresh matrix."""
        k = self.n_arith
        out = np.empty_like(self.words) if out is None else out
        np.add(self.words[:k], other[:k], out=out[:k])
        np.bitwise_xor(self.words[k:], other[k:], out=out[k:])
        return out

    def sub(self, other: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
        k = self.n_arith
        out = np.empty_like(self.words) if out is None else out
        np.subtract(self.words[:k], other[:k], out=out[:k])
        np.bitwise_xor(self.words[k:], other[k:], out=out[k:])
        return out


class SecretPermutation:
    """A secret permutation of ``n`` rows, held as the pass permutations this party knows.

    Party *i* knows ``pi_i`` (shared with party *i+1*) and ``pi_{i-1}`` (shared with
    party *i-1*), never ``pi_{i+1}``. Create it with :meth:`random` on all parties at
    the same point of the protocol; :meth:`apply` may be called several times, each time
    with fresh masks, so later columns can follow the rows shuffled earlier, and
    :meth:`apply_inverse` puts shuffled rows back in their original order.
    """

    def __init__(self, party: int, n: int, passes: list[np.ndarray | None]):
        self.party = party
        self.n = n
        self.passes = passes

    @classmethod
    def random(cls, rt: Runtime, n: int) -> SecretPermutation:
        """Draw this party's two pass permutations (no communication)."""
        me = rt.party
        passes: list[np.ndarray | None] = [None] * N_PARTIES
        passes[me] = rt.prg_next.permutation(n)  # pass `me`: this party is P
        passes[(me - 1) % N_PARTIES] = rt.prg_prev.permutation(n)  # this party is Q
        return cls(me, n, passes)

    def apply(self, rt: Runtime, columns: Sequence[Column]) -> list[Column]:
        """The columns with rows permuted: output row ``j`` is input row ``perm(j)``."""
        return self._run(rt, columns, range(N_PARTIES), self.passes)

    def apply_inverse(self, rt: Runtime, columns: Sequence[Column]) -> list[Column]:
        """Undo :meth:`apply` (the passes in reverse order, each inverted)."""
        inverses = [None if p is None else _inverse(p) for p in self.passes]
        return self._run(rt, columns, reversed(range(N_PARTIES)), inverses)

    def _run(self, rt: Runtime, columns: Sequence[Column], order,
             passes: list[np.ndarray | None]) -> list[Column]:
        if not columns:
            return []
        for c in columns:
            if len(c) != self.n:
                raise ValueError(f"column of {len(c)} rows, permutation of {self.n}")
        if self.n <= 1:
            return [c.copy() for c in columns]
        # arithmetic columns first, boolean after: one matrix, one message per pass
        arith = [i for i, c in enumerate(columns) if isinstance(c, AShare)]
        boolean = [i for i, c in enumerate(columns) if not isinstance(c, AShare)]
        layout = arith + boolean
        a = np.stack([columns[i].a for i in layout])
        b = np.stack([columns[i].b for i in layout])
        for p in order:
            a, b = _pass(rt, p, a, b, len(arith), passes[p])
        out: list[Column | None] = [None] * len(columns)
        for row, i in enumerate(layout):
            out[i] = type(columns[i])(rt.party, a[row], b[row])
        return out  # type: ignore[return-value]


def _pass(rt: Runtime, p: int, a: np.ndarray, b: np.ndarray, n_arith: int,
          perm: np.ndarray | None) -> tuple[np.ndarray, np.ndarray]:
    """One resharing pass by the pair (p, p+1); returns this party's new (a, b)."""
    shape = a.shape
    size = a.size
    me = rt.party
    pp, q, r = p, (p + 1) % N_PARTIES, (p + 2) % N_PARTIES
    # (in place where a matrix is neither an input nor sent: a pass holds a few at once)
    if me == pp:  # holds (x_P, x_Q)
        mine = _Block(_gather(_Block(a, n_arith).add(b), perm), n_arith)
        y_q = rt.prg_next.uint64(size).reshape(shape)
        s = rt.prg_next.uint64(size).reshape(shape)
        mine.sub(y_q, out=mine.words)
        to_r = mine.sub(s)
        del s
        (from_q,) = rt.comm.exchange({r: to_r.reshape(-1)}, [q])
        del to_r
        y_p = mine.add(np.asarray(from_q).reshape(shape), out=mine.words)
        return y_p, y_q
    if me == q:  # holds (x_Q, x_R)
        mine = _Block(_gather(b, perm), n_arith)
        y_q = rt.prg_prev.uint64(size).reshape(shape)
        s = rt.prg_prev.uint64(size).reshape(shape)
        y_r = rt.prg_next.uint64(size).reshape(shape)
        mine.sub(y_r, out=mine.words)
        rt.comm.exchange({pp: mine.words.reshape(-1), r: mine.add(s).reshape(-1)}, [])
        return y_q, y_r
    # me == r: holds (x_R, x_P); learns nothing but fresh shares
    y_r = rt.prg_prev.uint64(size).reshape(shape)
    from_p, from_q = rt.comm.exchange({}, [pp, q])
    y_p = _Block(np.asarray(from_p).reshape(shape), n_arith).add(np.asarray(from_q).reshape(shape))
    return y_r, y_p


def shuffle(rt: Runtime, columns: Sequence[Column]) -> list[Column]:
    """Permute the rows of ``columns`` (all of one length) by one fresh secret permutation.

    Use :class:`SecretPermutation` directly to shuffle more columns the same way later
    or to undo the shuffle.
    """
    if not columns:
        return []
    return SecretPermutation.random(rt, len(columns[0])).apply(rt, columns)
