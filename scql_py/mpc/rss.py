"""Replicated 2-out-of-3 secret shares over Z_2^64 and their one-round protocols.

A value ``x = x0 + x1 + x2 (mod 2^64)`` is held as pairs: party *i* holds
``(x_i, x_{i+1})``. :class:`AShare` is that pair for arithmetic sharing and
:class:`BShare` for boolean sharing (XOR instead of +, 64 bits per word, so one AND
processes 64 bits at once). Linear operations are local; :func:`mul` and :func:`and_`
cost one round and one word per element per party.

Every function here runs on all three parties with the same arguments (apart from
private inputs), in the same order: that is what keeps them in lockstep.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scql_py.errors import InternalError
from scql_py.mpc.runtime import N_PARTIES, Runtime

U64 = np.uint64
ALL_ONES = np.uint64(0xFFFF_FFFF_FFFF_FFFF)


def as_u64(values) -> np.ndarray:
    """View or convert integers (signed or not) as two's-complement uint64 words."""
    arr = np.asarray(values)
    if arr.dtype == np.uint64:
        return arr
    if arr.dtype.kind in "iub":
        return arr.astype(np.int64).view(np.uint64) if arr.dtype != np.int64 else arr.view(np.uint64)
    raise TypeError(f"cannot encode dtype {arr.dtype} as ring elements")


class _Share:
    __slots__ = ("party", "a", "b")

    def __init__(self, party: int, a: np.ndarray, b: np.ndarray):
        self.party = party
        self.a = a
        self.b = b

    def __len__(self) -> int:
        return len(self.a)

    def __getitem__(self, idx):
        return type(self)(self.party, self.a[idx], self.b[idx])

    def copy(self):
        return type(self)(self.party, self.a.copy(), self.b.copy())

    def reversed(self):
        """The rows in reverse order (a local operation), as contiguous words: scans
        that run from the end of each segment are forward scans of the reversed rows."""
        return type(self)(self.party, self.a[::-1].copy(), self.b[::-1].copy())

    @classmethod
    def concat(cls, shares: Sequence[_Share]):
        party = shares[0].party
        return cls(party, np.concatenate([s.a for s in shares]), np.concatenate([s.b for s in shares]))

    @classmethod
    def zeros(cls, party: int, n: int):
        return cls(party, np.zeros(n, U64), np.zeros(n, U64))

    @classmethod
    def public(cls, party: int, values) -> _Share:
        """A sharing of public ``values`` (x0 = values, x1 = x2 = 0)."""
        return cls.zeros(party, len(values))._with_public(as_u64(values))

    def _with_public(self, c) -> _Share:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}(party={self.party}, n={len(self)})"


class AShare(_Share):
    """Arithmetic replicated shares: this party's ``(x_i, x_{i+1})``."""

    __slots__ = ()

    def __add__(self, other: AShare) -> AShare:
        return AShare(self.party, self.a + other.a, self.b + other.b)

    def __sub__(self, other: AShare) -> AShare:
        return AShare(self.party, self.a - other.a, self.b - other.b)

    def __neg__(self) -> AShare:
        return AShare(self.party, -self.a, -self.b)

    def add_public(self, c) -> AShare:
        """x + c for a public scalar or array ``c`` (only share x0 moves)."""
        c = as_u64(c)
        a, b = self.a, self.b
        if self.party == 0:
            a = a + c
        elif self.party == N_PARTIES - 1:
            b = b + c
        else:
            a, b = a + np.uint64(0) * c, b + np.uint64(0) * c  # broadcast shape alike
        return AShare(self.party, a, b)

    _with_public = add_public

    def mul_public(self, c) -> AShare:
        """x * c for a public integer scalar or array ``c`` (local)."""
        c = as_u64(c)
        return AShare(self.party, self.a * c, self.b * c)

    def sum(self) -> AShare:
        """The sum of all elements, as a one-element sharing (local)."""
        return AShare(self.party, np.array([self.a.sum(dtype=U64)]), np.array([self.b.sum(dtype=U64)]))


class BShare(_Share):
    """Boolean replicated shares: 64 XOR-shared bits per word."""

    __slots__ = ()

    def __xor__(self, other: BShare) -> BShare:
        return BShare(self.party, self.a ^ other.a, self.b ^ other.b)

    def xor_public(self, c) -> BShare:
        c = as_u64(c)
        a, b = self.a, self.b
        if self.party == 0:
            a = a ^ c
        elif self.party == N_PARTIES - 1:
            b = b ^ c
        else:
            a, b = a ^ np.uint64(0) * c, b ^ np.uint64(0) * c
        return BShare(self.party, a, b)

    _with_public = xor_public

    def and_public(self, c) -> BShare:
        c = as_u64(c)
        return BShare(self.party, self.a & c, self.b & c)

    def __invert__(self) -> BShare:
        return self.xor_public(ALL_ONES)

    def __lshift__(self, k: int) -> BShare:
        k = np.uint64(k)
        return BShare(self.party, self.a << k, self.b << k)

    def __rshift__(self, k: int) -> BShare:
        """Logical shift right."""
        k = np.uint64(k)
        return BShare(self.party, self.a >> k, self.b >> k)


# -- input, output ------------------------------------------------------------------------

def _share_input(rt: Runtime, owner: int, values: np.ndarray | None, n: int, boolean: bool):
    """Owner o: x_o = F(k_o), x_{o+1} = F(k_{o+1}) come from keys it shares with its
    neighbours; the third share is sent to both others (one round, n words each)."""
    cls = BShare if boolean else AShare
    me = rt.party
    if me == owner:
        if values is None or len(values) != n:
            raise ValueError("the owner must supply exactly n values")
        a, b = rt.prg_prev.uint64(n), rt.prg_next.uint64(n)
        v = as_u64(values)
        c = (v ^ a ^ b) if boolean else (v - a - b)
        rt.comm.exchange({rt.next: c, rt.prev: c}, [])
        return cls(me, a, b)
    if me == (owner + 1) % N_PARTIES:
        a = rt.prg_prev.uint64(n)
        (c,) = rt.comm.exchange({}, [owner])
        return cls(me, a, np.asarray(c))
    b = rt.prg_next.uint64(n)
    (c,) = rt.comm.exchange({}, [owner])
    return cls(me, np.asarray(c), b)


def share_input(rt: Runtime, owner: int, values: np.ndarray | None, n: int) -> AShare:
    """Secret-share ``values`` (int64/uint64, given only on ``owner``) arithmetically."""
    return _share_input(rt, owner, values, n, boolean=False)


def share_input_bool(rt: Runtime, owner: int, values: np.ndarray | None, n: int) -> BShare:
    """Secret-share ``values`` (64-bit words, given only on ``owner``) as XOR shares."""
    return _share_input(rt, owner, values, n, boolean=True)


def reveal(rt: Runtime, x: AShare | BShare, to: int | None = None,
           what: str = "values") -> np.ndarray | None:
    """Open ``x`` to party ``to`` (or to every party when ``to`` is None); ``what`` says
    which kind of value it is, for the runtime's record of openings.

    Returns uint64 words on the receivers and None elsewhere. One round.
    """
    rt.record_opening(what, None if to is None else (to,), len(x))
    boolean = isinstance(x, BShare)
    me = rt.party
    if to is None:
        (c,) = rt.comm.exchange({rt.prev: x.b}, [rt.next])
        return (x.a ^ x.b ^ c) if boolean else (x.a + x.b + c)
    if me == (to + 1) % N_PARTIES:
        rt.comm.exchange({to: x.b}, [])
        return None
    if me == to:
        (c,) = rt.comm.exchange({}, [(to + 1) % N_PARTIES])
        return (x.a ^ x.b ^ c) if boolean else (x.a + x.b + c)
    rt.comm.idle_round()
    return None


def reveal_many(rt: Runtime, items: list[tuple[AShare | BShare, str]], to: int
                ) -> list[np.ndarray] | None:
    """Open each ``(x, what)`` of ``items`` to party ``to``, all in one round (one
    message), each recorded as its own kind of opening. Returns the words of each on
    ``to`` and None elsewhere."""
    for x, what in items:
        rt.record_opening(what, (to,), len(x))
    me = rt.party
    if me == (to + 1) % N_PARTIES:
        rt.comm.exchange({to: [x.b for x, _ in items]}, [])
        return None
    if me != to:
        rt.comm.idle_round()
        return None
    (got,) = rt.comm.exchange({}, [(to + 1) % N_PARTIES])
    if not isinstance(got, (list, tuple)) or len(got) != len(items):
        raise InternalError("a party sent another opening")
    return [(x.a ^ x.b ^ np.asarray(c, U64)) if isinstance(x, BShare)
            else (x.a + x.b + np.asarray(c, U64)) for (x, _), c in zip(items, got)]


# -- multiplication -------------------------------------------------------------------------

_CHUNK = 1 << 15  # elements per cache-sized block in the local kernels


def _reshare(rt: Runtime, z: np.ndarray, cls):
    """Turn this party's 3-out-of-3 share ``z_i`` into a replicated pair: send to prev."""
    (nxt,) = rt.comm.exchange({rt.prev: z}, [rt.next])
    return cls(rt.party, z, np.asarray(nxt))


def mul(rt: Runtime, x: AShare, y: AShare) -> AShare:
    """Elementwise product (1 round). Use :func:`mul_many` to batch several."""
    return _reshare(rt, _mul_local(rt, x.a, x.b, y.a, y.b), AShare)


def and_(rt: Runtime, x: BShare, y: BShare) -> BShare:
    """Elementwise AND of 64-bit words (1 round)."""
    return _reshare(rt, _and_local(rt, x.a, x.b, y.a, y.b), BShare)


def and_arrays(rt: Runtime, xa: np.ndarray, xb: np.ndarray, ya: np.ndarray, yb: np.ndarray
               ) -> tuple[np.ndarray, np.ndarray]:
    """:func:`and_` on raw share arrays of any unsigned dtype (uint8 ... uint64), for
    protocols that pack bits densely; returns this party's ``(z_i, z_{i+1})``."""
    return and_arrays_many(rt, [(xa, xb, ya, yb)])[0]


def and_arrays_many(rt: Runtime, items: Sequence[tuple[np.ndarray, ...]]
                    ) -> list[tuple[np.ndarray, np.ndarray]]:
    """Several :func:`and_arrays` products (same dtype) in one round and one message.

    The operands may be strided views: each product is written straight into its slice
    of the outgoing buffer, so no operand is ever concatenated or copied."""
    sizes = [len(item[0]) for item in items]
    z = np.empty(sum(sizes), dtype=items[0][0].dtype)
    start = 0
    for (xa, xb, ya, yb), size in zip(items, sizes):
        _and_into(z[start:start + size], xa, xb, ya, yb)
        start += size
    rt.prg_prev.xor_into(z)  # the XOR zero share, applied in place by AES-CTR
    rt.prg_next.xor_into(z)
    (nxt,) = rt.comm.exchange({rt.prev: z}, [rt.next])
    nxt = np.asarray(nxt)
    out, start = [], 0
    for size in sizes:
        out.append((z[start:start + size], nxt[start:start + size]))
        start += size
    return out


def _and_into(out: np.ndarray, xa, xb, ya, yb) -> None:
    """``out = x_i&y_i ^ x_i&y_{i+1} ^ x_{i+1}&y_i`` (no zero share yet)."""
    np.bitwise_xor(ya, yb, out=out)
    np.bitwise_and(out, xa, out=out)
    n = len(out)
    scratch = np.empty(min(n, _CHUNK), dtype=out.dtype)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        t = scratch[: stop - start]
        np.bitwise_and(xb[start:stop], ya[start:stop], out=t)
        np.bitwise_xor(out[start:stop], t, out=out[start:stop])


def _mul_local(rt: Runtime, xa, xb, ya, yb) -> np.ndarray:
    """This party's 3-out-of-3 share of x*y: x_i*y_i + x_i*y_{i+1} + x_{i+1}*y_i + alpha_i.

    Written as x_i*(y_i + y_{i+1}) + x_{i+1}*y_i with in-place ufuncs: one fresh array
    (the result) and one cache-sized scratch, instead of eight fresh 8n-byte arrays."""
    z = np.add(ya, yb)
    np.multiply(z, xa, out=z)
    n = len(z)
    scratch = np.empty(min(n, _CHUNK), dtype=U64)
    for start in range(0, n, _CHUNK):
        stop = min(n, start + _CHUNK)
        t = scratch[: stop - start]
        np.multiply(xb[start:stop], ya[start:stop], out=t)
        np.add(z[start:stop], t, out=z[start:stop])
    rt.prg_prev.add_into(z)  # alpha_i = F(k_i) - F(k_{i+1}): the zero share
    rt.prg_next.add_into(z, subtract=True)
    return z


def _and_local(rt: Runtime, xa, xb, ya, yb) -> np.ndarray:
    """This party's 3-out-of-3 XOR share of x&y (any unsigned dtype, 1-D)."""
    z = np.empty(len(xa), dtype=np.result_type(xa, ya))
    _and_into(z, xa, xb, ya, yb)
    rt.prg_prev.xor_into(z)  # the XOR zero share, applied in place by AES-CTR
    rt.prg_next.xor_into(z)
    return z


def _split(joined, shares):
    out, start = [], 0
    for s in shares:
        out.append(joined[start : start + len(s)])
        start += len(s)
    return out


def mul_many(rt: Runtime, pairs: Sequence[tuple[AShare, AShare]]) -> list[AShare]:
    """Several products in one round (one message per party)."""
    if not pairs:
        return []
    xs = AShare.concat([p[0] for p in pairs])
    ys = AShare.concat([p[1] for p in pairs])
    return _split(mul(rt, xs, ys), [p[0] for p in pairs])


def and_many(rt: Runtime, pairs: Sequence[tuple[BShare, BShare]]) -> list[BShare]:
    """Several ANDs in one round."""
    if not pairs:
        return []
    xs = BShare.concat([p[0] for p in pairs])
    ys = BShare.concat([p[1] for p in pairs])
    return _split(and_(rt, xs, ys), [p[0] for p in pairs])


def mul_and_many(rt: Runtime, mul_pairs: list[tuple[AShare, AShare]],
              and_pairs: list[tuple[BShare, BShare]]) -> tuple[list[AShare], list[BShare]]:
    """Ring products and word ANDs in one round and one message per party.

    (:func:`mul_many` and :func:`and_many` would take a round each; the local halves
    are the same, so their resharing messages are joined here.)
    """
    parts = []
    if mul_pairs:
        x, y = AShare.concat([p[0] for p in mul_pairs]), AShare.concat([p[1] for p in mul_pairs])
        parts.append(_mul_local(rt, x.a, x.b, y.a, y.b))
    if and_pairs:
        x, y = BShare.concat([p[0] for p in and_pairs]), BShare.concat([p[1] for p in and_pairs])
        parts.append(_and_local(rt, x.a, x.b, y.a, y.b))
    z = np.concatenate(parts) if len(parts) > 1 else parts[0]
    (nxt,) = rt.comm.exchange({rt.prev: z}, [rt.next])
    nxt = np.asarray(nxt)
    out_mul, out_and, at = [], [], 0
    for pairs, out, cls in ((mul_pairs, out_mul, AShare), (and_pairs, out_and, BShare)):
        for p in pairs:
            k = len(p[0])
            out.append(cls(rt.party, z[at:at + k], nxt[at:at + k]))
            at += k
    return out_mul, out_and


def dot_columns(rt: Runtime, matrix: AShare, k: int, vectors: Sequence[AShare]) -> list[AShare]:
    """For each vector ``v`` (n rows), the ``k`` sums ``sum_i M[i, j] * v[i]`` where
    ``matrix`` holds ``M`` row-major (n * k elements). All in one round of ``k`` words
    per vector: the cross terms are summed before resharing, as in :func:`mul`.

    E.g. with ``M`` a one-hot group matrix, the per-group sums of every vector.
    """
    if not vectors:
        return []
    n = len(vectors[0])
    ma = matrix.a.reshape(n, k)
    mb = matrix.b.reshape(n, k)
    parts = []
    for v in vectors:
        # x_i*y_i + x_i*y_{i+1} + x_{i+1}*y_i, summed over the rows
        parts.append(ma.T @ (v.a + v.b) + mb.T @ v.a)
    z = np.concatenate(parts).astype(U64)
    rt.prg_prev.add_into(z)  # the zero share
    rt.prg_next.add_into(z, subtract=True)
    (nxt,) = rt.comm.exchange({rt.prev: z}, [rt.next])
    joined = AShare(rt.party, z, np.asarray(nxt))
    return [joined[j * k:(j + 1) * k] for j in range(len(vectors))]
