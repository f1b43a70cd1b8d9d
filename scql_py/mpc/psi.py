"""ECDH private set intersection over ristretto255: the primitive behind PSI joins.

Two key owners, *L* (left) and *R* (right), each hold a key column (or several: a
multi-column key). When the key's CCL lets both owners learn the intersection, they
align their matching rows without showing each other anything else:

1. Each owner canonicalises every non-NULL key tuple to bytes (type tag +
   length-prefixed fields, :func:`key_records`), keeps its *distinct* keys, hashes each
   with BLAKE2b-512 to the group (``crypto_core_ristretto255_from_hash``), blinds it
   with a fresh secret scalar (``a`` for L, ``b`` for R), shuffles the list with its
   own randomness and sends it to the other owner.                     (round 1)
2. Each owner blinds the list it received with its own scalar and sends it back in the
   order received.                                                     (round 2)
   Now both hold ``ab·H(x)`` for L's keys in L's shuffled order and ``ab·H(y)`` for R's
   keys in R's shuffled order, and compute the same matching positions. Only the owner
   of a list knows which of its keys sits at which position.
3. For every matched key each owner sends how many of its rows carry it, so that both
   can expand duplicates into all pairs (as an inner equi-join does).  (round 3)

What each party learns. L and R: the other side's number of distinct non-NULL keys,
which of its own keys are in the intersection, and, for those keys only, the other
side's multiplicity (the aligned join output shows that anyway). Distinct keys are
blinded before sending, so how often a *non-matching* key occurs stays hidden; the
shuffles hide where the other side's keys sit. Every message is a list of 32-byte
group elements, except the round-3 counts, which are per matched key. The third party
takes part in nothing and learns nothing. Security: DDH in ristretto255 with the hash
as a random oracle, semi-honest owners (as the rest of rss3).

Output order: the matched keys come in a common order that both owners can compute
and neither can link to the other's row order (L's shuffled positions); within a key,
left rows ascend, then right rows. Each owner gets only *its own* row indices: the
other owner's row numbers would tell where the matching keys sit in its table.

Cost, per distinct key (libsodium 1.0.18 on this project's 2-core machine):
``from_hash`` ~14 us, ``scalarmult`` ~50 us, BLAKE2b ~0.3 us, so each owner spends
~64 us per own key and ~50 us per key of the other owner (Python adds ~2%). A 1M x 1M
join thus needs ~230 CPU-seconds, ~2 minutes with all parties on two cores. The loops
run in threads (``workers``) because cffi releases the GIL around each libsodium call.

PyNaCl (1.6) does not bind the ristretto255 functions, so they are called through
cffi on a libsodium >= 1.0.18 that exports them: PyNaCl's own if a later version binds
them, else the system library (Debian/Ubuntu ``libsodium23``, Homebrew ``libsodium``).
"""

from __future__ import annotations

import ctypes.util
import datetime as _dt
import decimal
import functools
import hashlib
import math
import os
import struct
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from scql_py.errors import InternalError, NotSupportedError
from scql_py.mpc.prg import PRG
from scql_py.net.channel import Communicator

POINT_BYTES = 32
HASH_BYTES = 64
_HASH_PERSON = b"scql_py-psi-v1"  # domain separation from every other use of BLAKE2b

# below this many elements a thread pool costs more than it saves
_MIN_PARALLEL = 2048

# --------------------------------------------------------------------------------------
# libsodium's ristretto255


_CDEF = """
int sodium_init(void);
int crypto_core_ristretto255_from_hash(unsigned char *p, const unsigned char *r);
int crypto_scalarmult_ristretto255(unsigned char *q, const unsigned char *n,
                                   const unsigned char *p);
void crypto_core_ristretto255_scalar_random(unsigned char *r);
int crypto_core_ristretto255_is_valid_point(const unsigned char *p);
"""

_SYSTEM_NAMES = ("libsodium.so.23", "libsodium.so.26", "libsodium.so", "libsodium.dylib")


class Sodium(NamedTuple):
    """The cffi handle and library that provide the ristretto255 functions."""

    ffi: Any
    lib: Any


@functools.lru_cache(maxsize=1)
def sodium() -> Sodium:
    """libsodium with ristretto255: PyNaCl's build if it binds it, else the system one."""
    from nacl import _sodium  # PyNaCl's cffi module; it initialises libsodium on import

    if hasattr(_sodium.lib, "crypto_scalarmult_ristretto255"):
        return Sodium(_sodium.ffi, _sodium.lib)
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(_CDEF)
    found = ctypes.util.find_library("sodium")
    for name in ([found] if found else []) + list(_SYSTEM_NAMES):
        try:
            lib = ffi.dlopen(name)
            lib.crypto_scalarmult_ristretto255  # noqa: B018 - raises if not exported
        except (OSError, AttributeError):
            continue
        if lib.sodium_init() < 0:
            continue
        return Sodium(ffi, lib)
    raise NotSupportedError(
        "PSI join needs libsodium >= 1.0.18 with ristretto255 (PyNaCl does not bind it): "
        "install the system package libsodium23 (Debian/Ubuntu) or libsodium"
    )


def random_scalar() -> bytes:
    """A fresh uniformly random non-zero scalar mod the group order (32 bytes)."""
    s = sodium()
    buf = s.ffi.new("unsigned char[32]")
    s.lib.crypto_core_ristretto255_scalar_random(buf)
    return bytes(s.ffi.buffer(buf))


def _run_chunks(body: Callable[[int, int], None], n: int, workers: int) -> None:
    """Run ``body(lo, hi)`` over ``range(n)`` split into ``workers`` chunks, in threads."""
    if workers <= 1 or n < _MIN_PARALLEL:
        body(0, n)
        return
    bounds = np.linspace(0, n, workers + 1).astype(int)
    with ThreadPoolExecutor(max_workers=workers) as pool:
        chunks = zip(bounds[:-1], bounds[1:], strict=True)
        futures = [pool.submit(body, int(lo), int(hi)) for lo, hi in chunks]
        for fut in futures:
            fut.result()


def hash_and_blind(digests: np.ndarray, scalar: bytes, workers: int = 1) -> np.ndarray:
    """``scalar · from_hash(d)`` for every 64-byte digest row; an (n, 32) uint8 array."""
    s = sodium()
    n = len(digests)
    out = np.empty((n, POINT_BYTES), dtype=np.uint8)
    if n == 0:
        return out
    src = s.ffi.from_buffer(np.ascontiguousarray(digests))
    dst = s.ffi.from_buffer(out)

    def body(lo: int, hi: int) -> None:
        from_hash = s.lib.crypto_core_ristretto255_from_hash
        mult = s.lib.crypto_scalarmult_ristretto255
        point = s.ffi.new("unsigned char[32]")
        for i in range(lo, hi):
            from_hash(point, src + HASH_BYTES * i)
            if mult(dst + POINT_BYTES * i, scalar, point) != 0:
                raise InternalError("ristretto255 blinding gave the identity")

    _run_chunks(body, n, workers)
    return out


def blind(points: np.ndarray, scalar: bytes, workers: int = 1) -> np.ndarray:
    """``scalar · P`` for every 32-byte encoded point row; an (n, 32) uint8 array.

    Raises ``InternalError`` on an encoding that is not a ristretto255 point.
    """
    s = sodium()
    n = len(points)
    out = np.empty((n, POINT_BYTES), dtype=np.uint8)
    if n == 0:
        return out
    src = s.ffi.from_buffer(np.ascontiguousarray(points))
    dst = s.ffi.from_buffer(out)

    def body(lo: int, hi: int) -> None:
        mult = s.lib.crypto_scalarmult_ristretto255
        for i in range(lo, hi):
            if mult(dst + POINT_BYTES * i, scalar, src + POINT_BYTES * i) != 0:
                raise InternalError("PSI: the peer sent a value that is not a group element")

    _run_chunks(body, n, workers)
    return out


# --------------------------------------------------------------------------------------
# canonical key encoding


def _field(tag: bytes, payload: bytes) -> bytes:
    return tag + struct.pack(">I", len(payload)) + payload


_INT64 = struct.Struct("<q")
_EPOCH_DATE = _dt.date(1970, 1, 1)
_EPOCH_DT = _dt.datetime(1970, 1, 1)


def _int_field(v: int) -> bytes:
    if -(1 << 63) <= v < (1 << 63):
        return _field(b"i", _INT64.pack(v))
    return _field(b"I", str(v).encode())


def _float_field(v: float) -> bytes:
    if math.isfinite(v) and v == int(v) and -(2.0**63) <= v < 2.0**63:  # 3.0 joins 3
        return _int_field(int(v))
    return _field(b"f", struct.pack("<d", v))


def _object_field(v: Any) -> bytes:
    """One Python value's field; the tag keeps values of different types apart."""
    if isinstance(v, (bool, np.bool_)):
        return _field(b"b", b"\x01" if v else b"\x00")
    if isinstance(v, (int, np.integer)):
        return _int_field(int(v))
    if isinstance(v, (float, np.floating)):
        return _float_field(float(v))
    if isinstance(v, str):
        return _field(b"s", v.encode("utf-8"))
    if isinstance(v, (bytes, bytearray, memoryview)):
        return _field(b"y", bytes(v))
    if isinstance(v, (np.datetime64, pd.Timestamp)):
        v = pd.Timestamp(v).to_pydatetime()
    if isinstance(v, _dt.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        micros = (v - _EPOCH_DT) // _dt.timedelta(microseconds=1)
        return _field(b"t", _INT64.pack(micros * 1000))
    if isinstance(v, _dt.date):
        return _field(b"d", _INT64.pack((v - _EPOCH_DATE).days))
    if isinstance(v, decimal.Decimal):
        if v == v.to_integral_value():
            return _int_field(int(v))
        return _field(b"n", str(v.normalize()).encode())
    raise TypeError(f"cannot use a value of type {type(v).__name__} as a join key")


def _fixed_fields(tag: bytes, values: np.ndarray) -> list[bytes]:
    """Fields of int64-encoded values, built in one numpy pass (no per-row packing)."""
    rec = np.empty(len(values), dtype=[("tag", "u1"), ("len", ">u4"), ("v", "<i8")])
    rec["tag"] = tag[0]
    rec["len"] = 8
    rec["v"] = values
    buf = rec.tobytes()
    w = rec.dtype.itemsize
    return [buf[i : i + w] for i in range(0, len(buf), w)]


def _column_fields(col: np.ndarray) -> tuple[list[bytes], np.ndarray]:
    """Per-row fields of one key column and the mask of its non-NULL rows."""
    kind = col.dtype.kind
    n = len(col)
    if kind in "iu":
        if kind == "u" and n and col.max() >= 1 << 63:
            return [_int_field(int(v)) for v in col], np.ones(n, bool)
        return _fixed_fields(b"i", col.astype(np.int64, copy=False)), np.ones(n, bool)
    if kind == "b":
        return [_field(b"b", b"\x01" if v else b"\x00") for v in col], np.ones(n, bool)
    if kind == "f":
        notnull = ~np.isnan(col)
        vals = col.astype(np.float64, copy=False)
        integral = notnull & (vals == np.round(vals)) & (np.abs(vals) < 2.0**63)
        if integral.all():
            return _fixed_fields(b"i", vals.astype(np.int64)), notnull
        fields = [
            _int_field(int(v)) if ok else _float_field(float(v)) if nn else b""
            for v, ok, nn in zip(vals, integral, notnull, strict=True)
        ]
        return fields, notnull
    if kind == "M":
        notnull = ~np.isnat(col)
        unit = np.datetime_data(col.dtype)[0]
        if unit in ("Y", "M", "W", "D"):
            days = col.astype("datetime64[D]").astype(np.int64)
            return _fixed_fields(b"d", days), notnull
        return _fixed_fields(b"t", col.astype("datetime64[ns]").astype(np.int64)), notnull
    if kind in "USO":
        notnull = ~pd.isna(col) if kind == "O" else np.ones(n, bool)
        fields = [
            _object_field(v) if ok else b"" for v, ok in zip(col, notnull, strict=True)
        ]
        return fields, notnull
    raise TypeError(f"cannot use a column of dtype {col.dtype} as a join key")


def key_records(
    keys: Sequence[np.ndarray], valid: np.ndarray | None = None
) -> tuple[list[bytes], np.ndarray]:
    """Canonical bytes of every row's key tuple, and the mask of rows whose key is not NULL.

    A row is NULL if ``valid`` is False or any component is None/NaN/NaT. Equal SQL
    values of the same type give equal bytes on both owners; different tuples never do.

    >>> recs, ok = key_records([np.array([7, 7]), np.array(["a", None], dtype=object)])
    >>> recs[0] == key_records([np.array([7]), np.array(["a"])])[0][0], ok.tolist()
    (True, [True, False])
    """
    cols = [np.asarray(k) for k in keys]
    if not cols:
        raise ValueError("a PSI join needs at least one key column")
    n = len(cols[0])
    if any(len(c) != n for c in cols):
        raise ValueError("key columns differ in length")
    ok = np.ones(n, bool) if valid is None else np.asarray(valid, dtype=bool).copy()
    if len(ok) != n:
        raise ValueError("the validity mask differs in length from the key columns")
    per_col = []
    for col in cols:
        fields, notnull = _column_fields(col)
        per_col.append(fields)
        ok &= notnull
    if len(per_col) == 1:
        return per_col[0], ok
    return [b"".join(parts) for parts in zip(*per_col, strict=True)], ok


def _digests(records: Sequence[bytes], n_columns: int) -> np.ndarray:
    """BLAKE2b-512 of every record, as an (n, 64) uint8 array (the from_hash input)."""
    salt = n_columns.to_bytes(16, "little")  # a 1-column key never meets a 2-column one
    out = np.empty((len(records), HASH_BYTES), dtype=np.uint8)
    flat = memoryview(out.reshape(-1))
    start = hashlib.blake2b(digest_size=HASH_BYTES, person=_HASH_PERSON, salt=salt)
    for i, rec in enumerate(records):
        h = start.copy()  # copying the keyed initial state is ~2x faster than a new hash
        h.update(rec)
        flat[HASH_BYTES * i : HASH_BYTES * (i + 1)] = h.digest()
    return out


class KeyGroups:
    """One owner's rows grouped by distinct key: row -> key id (-1 = NULL), and per key
    id its rows (ascending), how many there are and where they start in ``rows_by_key``.

    Both PSI protocols (this module's and :mod:`scql_py.mpc.server_psi`) end with the
    same expansion of matched key ids into row pairs (:func:`expand_matches`)."""

    def __init__(self, codes: np.ndarray, n_keys: int):
        self.n_rows = len(codes)
        self.codes = codes
        self.n_keys = n_keys
        rows = np.flatnonzero(codes >= 0)
        self.rows_by_key = rows[np.argsort(codes[rows], kind="stable")]
        self.counts = np.bincount(codes[rows], minlength=n_keys).astype(np.int64)
        self.starts = np.cumsum(self.counts) - self.counts


class _OwnKeys(KeyGroups):
    """One owner's distinct keys as canonical records (the ECDH hash input)."""

    def __init__(self, keys: Sequence[np.ndarray], valid: np.ndarray | None):
        records, ok = key_records(keys, valid)
        self.n_columns = len(keys)
        codes = np.full(len(records), -1, dtype=np.int64)
        rows = np.flatnonzero(ok)
        uniques: Sequence[bytes] = []
        if len(rows):
            col = np.empty(len(rows), dtype=object)
            col[:] = [records[i] for i in rows]
            sub_codes, uniques = pd.factorize(col)
            codes[rows] = sub_codes
        self.records = list(uniques)
        super().__init__(codes, len(self.records))


# --------------------------------------------------------------------------------------
# the protocol


def communicator_of(rt_or_comm: Any) -> Communicator:
    """The channel a protocol runs over: the communicator itself, or a runtime's."""
    return rt_or_comm if isinstance(rt_or_comm, Communicator) else rt_or_comm.comm


def _check_parties(comm: Communicator, left_party: int, right_party: int) -> None:
    n = comm.n_parties
    if not (0 <= left_party < n and 0 <= right_party < n) or left_party == right_party:
        raise ValueError(f"PSI needs two different parties, got {left_party}, {right_party}")


def _expect_points(payload: Any, comm: Communicator, frm: int, n: int | None) -> np.ndarray:
    ok = (
        isinstance(payload, np.ndarray)
        and payload.dtype == np.uint8
        and payload.ndim == 2
        and payload.shape[1] == POINT_BYTES
        and (n is None or payload.shape[0] == n)
    )
    if not ok:
        raise InternalError(f"PSI: party '{comm.name_of(frm)}' sent a malformed message")
    return payload


def _expect_counts(payload: Any, comm: Communicator, frm: int, n: int) -> np.ndarray:
    ok = isinstance(payload, np.ndarray) and payload.dtype == np.int64 and payload.shape == (n,)
    if not ok or (n and payload.min() < 0):
        raise InternalError(f"PSI: party '{comm.name_of(frm)}' sent malformed counts")
    return payload


def match_positions(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(p, q)`` with ``left[p] == right[q]`` (rows of equally many bytes, at
    least 8, each list without repeats), sorted by ``p``. Exact: a 64-bit prefix only finds candidates.

    >>> a = np.arange(96, dtype=np.uint8).reshape(3, 32)
    >>> [x.tolist() for x in match_positions(a, a[[2, 0]])]
    [[0, 2], [1, 0]]
    """
    empty = np.zeros(0, dtype=np.int64)
    if len(left) == 0 or len(right) == 0:
        return empty, empty.copy()
    pl = np.ascontiguousarray(left[:, :8]).view("<u8").ravel()
    pr = np.ascontiguousarray(right[:, :8]).view("<u8").ravel()
    if len(np.unique(pl)) == len(pl) and len(np.unique(pr)) == len(pr):
        _, p, q = np.intersect1d(pl, pr, assume_unique=True, return_indices=True)
        same = (left[p] == right[q]).all(axis=1)
        p, q = p[same], q[same]
    else:  # two distinct points share 64 bits (~n^2 / 2^65): compare whole encodings
        width = left.shape[1]
        vl = np.ascontiguousarray(left).view(f"V{width}").ravel()
        vr = np.ascontiguousarray(right).view(f"V{width}").ravel()
        _, p, q = np.intersect1d(vl, vr, assume_unique=True, return_indices=True)
    order = np.argsort(p, kind="stable")
    return p[order].astype(np.int64), q[order].astype(np.int64)


def _default_workers() -> int:
    return max(1, min(os.cpu_count() or 1, 8))


def _blinded_own_keys(own: _OwnKeys, scalar: bytes, workers: int) -> tuple[np.ndarray, np.ndarray]:
    """This owner's distinct keys in a fresh secret order, hashed and blinded.

    Returns ``(perm, blinded)``: position ``p`` of ``blinded`` holds key id ``perm[p]``.
    """
    perm = PRG().permutation(own.n_keys).astype(np.int64)  # fresh key: private order
    digests = _digests([own.records[k] for k in perm.tolist()], own.n_columns)
    return perm, hash_and_blind(digests, scalar, workers)


def _matched_keys(
    comm: Communicator, i_am_left: bool, peer: int, own: _OwnKeys, workers: int
) -> np.ndarray:
    """Rounds 1-2: this owner's key ids of the intersection, in the common order."""
    scalar = random_scalar()
    perm, mine_once = _blinded_own_keys(own, scalar, workers)
    (theirs_once,) = comm.exchange({peer: mine_once}, [peer])
    theirs_once = _expect_points(theirs_once, comm, peer, None)
    theirs_twice = blind(theirs_once, scalar, workers)
    (mine_twice,) = comm.exchange({peer: theirs_twice}, [peer])
    mine_twice = _expect_points(mine_twice, comm, peer, own.n_keys)
    if i_am_left:
        mine_pos, _ = match_positions(mine_twice, theirs_twice)
    else:
        _, mine_pos = match_positions(theirs_twice, mine_twice)
    return perm[mine_pos]


def _pair_rows(
    own: KeyGroups, key_ids: np.ndarray, left_counts: np.ndarray, right_counts: np.ndarray,
    i_am_left: bool,
) -> np.ndarray:
    """This owner's row of every pair: per matched key, all (left, right) row pairs,
    left rows ascending, then right rows."""
    sizes = left_counts * right_counts
    total = int(sizes.sum())
    block = np.repeat(np.arange(len(key_ids)), sizes)
    first = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)
    t = np.arange(total, dtype=np.int64) - first[block]
    within = t // right_counts[block] if i_am_left else t % right_counts[block]
    return own.rows_by_key[own.starts[key_ids][block] + within]


class JoinIndices(NamedTuple):
    """One owner's side of an inner PSI join: its rows of every matching pair.

    On the left owner ``right`` is None, on the right owner ``left`` is None; the two
    arrays, one per owner, are aligned position by position.
    """

    left: np.ndarray | None
    right: np.ndarray | None


class LeftJoinIndices(NamedTuple):
    """One owner's side of a left outer PSI join.

    The joined table is the matched pairs (``left`` on the left owner, ``right`` on the
    right owner, aligned) followed by ``n_unmatched`` left rows with no partner, whose
    indices (NULL keys included, ascending) only the left owner gets (``unmatched_left``).
    """

    left: np.ndarray | None
    right: np.ndarray | None
    unmatched_left: np.ndarray | None
    n_unmatched: int


def _psi_join(
    rt_or_comm: Any, left_party: int, right_party: int, keys: Sequence[np.ndarray] | None,
    valid: np.ndarray | None, workers: int | None, outer: bool,
) -> tuple[np.ndarray, np.ndarray | None, int] | None:
    comm = communicator_of(rt_or_comm)
    _check_parties(comm, left_party, right_party)
    if comm.party not in (left_party, right_party):
        return None  # the third party takes part in no round
    if keys is None:
        raise ValueError("a key owner must pass its key columns")
    workers = workers or _default_workers()
    i_am_left = comm.party == left_party
    peer = right_party if i_am_left else left_party
    own = _OwnKeys(keys, valid)
    key_ids = _matched_keys(comm, i_am_left, peer, own, workers)
    return expand_matches(comm, i_am_left, peer, own, key_ids, outer)


def expand_matches(
    comm: Communicator, i_am_left: bool, peer: int, own: KeyGroups, key_ids: np.ndarray,
    outer: bool,
) -> tuple[np.ndarray, np.ndarray | None, int]:
    """The last round of a PSI join, once both owners hold their key ids of the
    intersection in the common order: for every matched key each owner sends the other
    how many of its rows carry it (the left owner of an outer join also its number of
    unmatched rows), and both expand duplicates into all pairs.

    Returns ``(rows, unmatched, n_unmatched)``: this owner's row of every pair, the
    left owner's unmatched rows (outer join; else None) and their number."""
    my_counts = own.counts[key_ids]
    unmatched = None
    send = my_counts
    if i_am_left and outer:
        has_match = np.zeros(own.n_keys + 1, bool)  # slot -1 (the last) is NULL
        has_match[key_ids] = True
        unmatched = np.flatnonzero(~has_match[own.codes])
        send = np.append(my_counts, len(unmatched))
    expect = len(key_ids) + (1 if outer and not i_am_left else 0)
    (theirs,) = comm.exchange({peer: send}, [peer])
    their_counts = _expect_counts(theirs, comm, peer, expect)
    n_unmatched = len(unmatched) if unmatched is not None else 0
    if outer and not i_am_left:
        n_unmatched, their_counts = int(their_counts[-1]), their_counts[:-1]
    left_counts, right_counts = (
        (my_counts, their_counts) if i_am_left else (their_counts, my_counts)
    )
    rows = _pair_rows(own, key_ids, left_counts, right_counts, i_am_left)
    return rows, unmatched, n_unmatched


def psi_join_indices(
    rt_or_comm: Any, left_party: int, right_party: int, keys: Sequence[np.ndarray] | None,
    valid: np.ndarray | None = None, *, workers: int | None = None,
) -> JoinIndices | None:
    """Inner equi-join of two owners' key columns by ECDH-PSI; see the module notes.

    Run by every party in lockstep. ``keys`` are this party's key columns (several =
    a multi-column key) when it is ``left_party`` or ``right_party``, else ignored;
    ``valid`` marks non-NULL rows (None/NaN/NaT components are NULL anyway). NULL keys
    never match; duplicated keys give every pair. Returns :class:`JoinIndices` (int64)
    on the two owners, None on the third party, which sends and receives nothing.
    ``workers`` threads run the group operations (default: one per core).
    """
    out = _psi_join(rt_or_comm, left_party, right_party, keys, valid, workers, outer=False)
    if out is None:
        return None
    rows = out[0]
    if communicator_of(rt_or_comm).party == left_party:
        return JoinIndices(rows, None)
    return JoinIndices(None, rows)


def psi_left_join_indices(
    rt_or_comm: Any, left_party: int, right_party: int, keys: Sequence[np.ndarray] | None,
    valid: np.ndarray | None = None, *, workers: int | None = None,
) -> LeftJoinIndices | None:
    """Left outer equi-join: the inner join's pairs, then the left rows without a match.

    Both owners learn the number of unmatched left rows (a size); only the left owner
    learns which they are. Returns :class:`LeftJoinIndices` on the owners, None elsewhere.
    """
    out = _psi_join(rt_or_comm, left_party, right_party, keys, valid, workers, outer=True)
    if out is None:
        return None
    rows, unmatched, n_unmatched = out
    if communicator_of(rt_or_comm).party == left_party:
        return LeftJoinIndices(rows, None, unmatched, n_unmatched)
    return LeftJoinIndices(None, rows, None, n_unmatched)


def psi_membership(
    rt_or_comm: Any, left_party: int, right_party: int, keys: Sequence[np.ndarray] | None,
    valid: np.ndarray | None = None, *, workers: int | None = None,
) -> np.ndarray | None:
    """Semi-join for ``IN (subquery)``: which left rows have a key that the right owner has.

    Only the left owner learns the intersection (a bool mask over its rows; NULL keys
    are False); the right owner learns only how many distinct keys the left has. Two
    rounds: both send their blinded keys, then the right owner returns the left's keys
    blinded again. Returns the mask on the left owner, None on the others.
    """
    comm = communicator_of(rt_or_comm)
    _check_parties(comm, left_party, right_party)
    if comm.party not in (left_party, right_party):
        return None
    if keys is None:
        raise ValueError("a key owner must pass its key columns")
    workers = workers or _default_workers()
    own = _OwnKeys(keys, valid)
    scalar = random_scalar()
    perm, mine_once = _blinded_own_keys(own, scalar, workers)
    if comm.party == right_party:
        (theirs_once,) = comm.exchange({left_party: mine_once}, [left_party])
        theirs_once = _expect_points(theirs_once, comm, left_party, None)
        comm.exchange({left_party: blind(theirs_once, scalar, workers)}, [])
        return None
    (theirs_once,) = comm.exchange({right_party: mine_once}, [right_party])
    theirs_once = _expect_points(theirs_once, comm, right_party, None)
    theirs_twice = blind(theirs_once, scalar, workers)
    (mine_twice,) = comm.exchange({}, [right_party])
    mine_twice = _expect_points(mine_twice, comm, right_party, own.n_keys)
    mine_pos, _ = match_positions(mine_twice, theirs_twice)
    has_match = np.zeros(own.n_keys + 1, bool)  # slot -1 (the last) is NULL
    has_match[perm[mine_pos]] = True
    return has_match[own.codes]
