"""Server-aided private set intersection (Kamara, Mohassel, Raykova, Sadeghian, FC'14).

The same join as :mod:`scql_py.mpc.psi` (ECDH), with a third, honest-but-curious party
*S* (one of the computing parties, never a key owner) doing the matching. It costs a
few AES blocks per key instead of three group operations, so 1M x 1M keys take seconds.

1. The left owner *L* draws a fresh 256-bit key ``K`` and sends it to the right owner
   *R* over their direct channel; *S* never sees it. A new key per join, never fixed.
                                                                       (round 1)
2. Each owner computes the keyed tag ``F_K(x)`` (16 bytes) of every non-NULL key tuple
   of its rows, keeps its *distinct* tags, sorts them by value (a random order, since
   tags are pseudo-random, that has nothing to do with its rows: :func:`tag_order`)
   and sends that list to *S*.                                         (round 2)
3. *S* matches the two lists (equal tags = equal keys) and sends L the positions in
   L's list of the matched tags, and R the positions in R's list, both in one common
   order (ascending R position, that is ascending tag value: both owners could
   compute it from the matched keys alone): position ``i`` of the two answers is the same key.
   Each owner gets only its own positions.                             (round 3)
4. As in ECDH-PSI, for every matched key each owner tells the other how many of its
   rows carry it, and both expand duplicates into all pairs
   (:func:`scql_py.mpc.psi.expand_matches`).                           (round 4)

``F_K``: AES-256 as a pseudo-random function, CBC-MAC over a fixed-length record of
64-bit words per key tuple: a header block (the number and kinds of the key columns,
so different key shapes never meet), then one word per integer component and a
128-bit digest per string component. A string's digest is a length-prepended CBC-MAC
under a second key derived from ``K`` (prepending the length makes CBC-MAC a PRF on
strings of any length). Every step is a numpy pass over the whole column or one AES-ECB
call over a buffer: no Python loop per row. Integers are compared as 64-bit words
(the engine passes its ring encoding: dates, decimals, floats by their exact keys).

What each party learns. *S*: each owner's number of distinct non-NULL keys and the
size of the intersection (which tags in the two lists are equal); nothing of the keys,
which it sees only as PRF outputs under a key it does not have, shuffled. It learns
no multiplicity: owners send distinct tags, and the counts of step 4 go between the
owners. L and R: which of their own keys are in the intersection (its size), and the
other's multiplicity of each matched key (the aligned join output shows that anyway);
unlike ECDH-PSI, not the other's number of distinct keys. Security: AES as a PRF, *S*
colluding with neither owner (the rss3 assumption), semi-honest parties.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

from scql_py.errors import InternalError
from scql_py.mpc.prg import PRG
from scql_py.mpc.psi import (
    JoinIndices,
    KeyGroups,
    LeftJoinIndices,
    communicator_of,
    expand_matches,
    match_positions,
)
from scql_py.net.channel import Communicator

KEY_BYTES = 32
TAG_BYTES = 16
_BLOCK = 16
_U64 = np.uint64
# header block: a version word, then the kinds of the key columns (2 bits each)
_VERSION = 0x7073692D73612D31  # "psi-sa-1"
_INT, _STRING = 1, 2
MAX_KEY_COLUMNS = 28  # their kinds fit below the count in the header word


# --------------------------------------------------------------------------------------
# the keyed tag F_K


def _aes(key: bytes, blocks: np.ndarray) -> np.ndarray:
    """AES-256 of every 16-byte row of ``blocks`` ((n, 2) uint64), as (n, 2) uint64."""
    if len(blocks) == 0:
        return np.zeros((0, 2), _U64)
    enc = Cipher(algorithms.AES(key), modes.ECB()).encryptor()
    out = np.empty(blocks.size + 2, _U64)  # update_into wants one block of room
    enc.update_into(memoryview(np.ascontiguousarray(blocks)).cast("B"),
                    memoryview(out).cast("B"))
    return out[: blocks.size].reshape(-1, 2)


def _subkey(key: bytes, purpose: bytes) -> bytes:
    """An independent AES-256 key for one use of the join key."""
    return hashlib.blake2b(purpose, key=key, digest_size=KEY_BYTES,
                           person=b"scql_py-psi-sa").digest()


def _string_digests(key: bytes, values: np.ndarray) -> np.ndarray:
    """Length-prepended CBC-MAC of each string's UTF-8 bytes: (n, 2) uint64.

    Strings are processed longest first so that, at block ``j``, the strings still
    going are a prefix of the order: the work is their total length, not n x longest."""
    arr = pa.array(values, pa.large_string(), from_pandas=True)
    offsets = np.frombuffer(arr.buffers()[1], np.int64)[arr.offset: arr.offset + len(arr) + 1]
    data = arr.buffers()[2]
    data = np.frombuffer(data, np.uint8) if data is not None else np.zeros(0, np.uint8)
    lengths = np.diff(offsets)
    blocks = -(-lengths // _BLOCK)
    order = np.argsort(-blocks, kind="stable")
    starts, lengths, blocks = offsets[order], lengths[order], blocks[order]
    state = np.zeros((len(values), 2), _U64)
    state[:, 0] = lengths.astype(_U64)
    state = _aes(key, state)
    padded = np.concatenate([data, np.zeros(_BLOCK, np.uint8)])
    lane = np.arange(_BLOCK)
    for j in range(int(blocks.max()) if len(blocks) else 0):
        live = int(np.searchsorted(-blocks, -j, side="left"))  # the rows with > j blocks
        at = starts[:live, None] + j * _BLOCK + lane
        inside = at < (starts[:live] + lengths[:live])[:, None]
        chunk = np.where(inside, padded[np.minimum(at, len(padded) - 1)], 0).astype(np.uint8)
        state[:live] = _aes(key, state[:live] ^ chunk.view(_U64).reshape(-1, 2))
    out = np.empty_like(state)
    out[order] = state
    return out


def _column_words(col: np.ndarray, string_key: bytes) -> tuple[int, np.ndarray]:
    """One key column as 64-bit words: (kind, (n, 1) or (n, 2) uint64)."""
    kind = col.dtype.kind
    if kind in "iub":
        if kind == "u" and len(col) and col.max() >= 1 << 63:
            raise TypeError("unsigned join keys above 2^63 have no 64-bit encoding")
        return _INT, col.astype(np.int64, copy=False).view(_U64)[:, None]
    if kind in "OU":
        return _STRING, _string_digests(string_key, col)
    raise TypeError(f"server-aided PSI takes integer or string key columns, not {col.dtype} "
                    "(pass the ring encoding)")


def keyed_tags(key: bytes, keys: Sequence[np.ndarray]) -> np.ndarray:
    """``F_key`` of every row's key tuple: (n, 16) uint8. Rows must be non-NULL (strings
    that are None would be hashed as empty: the caller drops NULL rows first)."""
    if not keys or len(keys) > MAX_KEY_COLUMNS:
        raise ValueError(f"a PSI join needs 1 to {MAX_KEY_COLUMNS} key columns")
    n = len(keys[0])
    string_key = _subkey(key, b"strings")
    kinds, words = 0, []
    for i, col in enumerate(keys):
        if len(col) != n:
            raise ValueError("key columns differ in length")
        kind, w = _column_words(np.asarray(col), string_key)
        kinds |= kind << (2 * i)
        words.append(w)
    record = np.concatenate(words, axis=1)
    if record.shape[1] % 2:
        record = np.concatenate([record, np.zeros((n, 1), _U64)], axis=1)
    tag_key = _subkey(key, b"tags")
    header = np.array([[_VERSION, (len(keys) << 64 - 8) | kinds]], _U64)
    state = np.repeat(_aes(tag_key, header), n, axis=0)
    for j in range(0, record.shape[1], 2):
        state = _aes(tag_key, state ^ record[:, j: j + 2])
    return np.ascontiguousarray(state).view(np.uint8).reshape(n, TAG_BYTES)


class _OwnTags(KeyGroups):
    """One owner's rows grouped by distinct tag; ``tags[k]`` is key id ``k``'s tag."""

    def __init__(self, key: bytes, keys: Sequence[np.ndarray], valid: np.ndarray | None):
        cols = [np.asarray(k) for k in keys]
        n = len(cols[0]) if cols else 0
        ok = np.ones(n, bool) if valid is None else np.asarray(valid, bool).copy()
        if len(ok) != n:
            raise ValueError("the validity mask differs in length from the key columns")
        for col in cols:
            if col.dtype.kind in "OU" or col.dtype.kind == "f":
                ok &= ~pd.isna(col)
        rows = np.flatnonzero(ok)
        tags = keyed_tags(key, [c[rows] for c in cols])
        sub_codes, first = _distinct(tags)
        codes = np.full(n, -1, np.int64)
        codes[rows] = sub_codes
        self.tags = _take(tags, first)
        super().__init__(codes, len(first))


def _take(tags: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """``tags[rows]``, moved as pairs of 64-bit words (``np.take`` of pairs is several
    times faster than fancy indexing of 16-byte rows)."""
    words = np.ascontiguousarray(tags).view(_U64).reshape(-1, 2)
    return np.take(words, rows, axis=0).view(np.uint8).reshape(-1, TAG_BYTES)


def _first_words(tags: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(np.ascontiguousarray(tags).view(_U64).reshape(-1, 2)[:, 0])


def _order_by_high_bits(words: np.ndarray) -> np.ndarray | None:
    """The permutation that sorts ``words`` (uint64) by their bits above ``log2 n`` low
    ones, or None where two words tie there (then the index would break the tie).

    One SIMD sort of the words with the index in their low bits: several times faster
    than an argsort."""
    n = len(words)
    bits = max(1, int(n - 1).bit_length())
    index_mask = _U64((1 << bits) - 1)
    packed = (words & ~index_mask) | np.arange(n, dtype=_U64)
    packed.sort()
    high = packed & ~index_mask
    if n > 1 and (high[1:] == high[:-1]).any():
        return None
    return (packed & index_mask).astype(np.int64)


def fresh_order(n: int) -> np.ndarray:
    """A uniformly random permutation of ``range(n)`` from fresh AES randomness (by
    :func:`_order_by_high_bits` of random words; on a tie, ~n^2 / 2^(65 - log2 n), by
    :meth:`PRG.permutation`)."""
    prg = PRG()
    order = _order_by_high_bits(prg.uint64(n))
    return order if order is not None else prg.permutation(n).astype(np.int64)


def tag_order(tags: np.ndarray) -> np.ndarray:
    """The order an owner sends its distinct tags in: ascending tag value. Tags are
    pseudo-random, so the order is random and independent of the owner's rows; being a
    function of the tags alone, it shows the server nothing it does not see anyway, and
    lets it match two sorted lists without hashing. Where two tags tie in their high
    bits, a fresh random order instead (the server then matches by hashing)."""
    order = _order_by_high_bits(_first_words(tags))
    return order if order is not None else fresh_order(len(tags))


def _distinct(tags: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Key id of every tag row, and one row of each id. Exact: a hash table on the
    first 64 bits finds candidates, the other 64 are checked; first, a sort tells
    whether the first 64 bits are all distinct (a key column without repeats)."""
    words = tags.view(_U64).reshape(-1, 2)
    first = np.sort(words[:, 0])
    if not (first[1:] == first[:-1]).any():
        return np.arange(len(tags), dtype=np.int64), np.arange(len(tags), dtype=np.int64)
    codes, uniques = pd.factorize(words[:, 0])
    rep = np.empty(len(uniques), np.int64)
    rep[codes] = np.arange(len(codes))  # some row of each id: they all hold one tag
    if not (words[rep[codes], 1] == words[:, 1]).all():
        # two different tags share 64 bits (~n^2 / 2^65): factorize the whole 16 bytes
        objects = np.empty(len(tags), dtype=object)
        objects[:] = [bytes(t) for t in tags]
        codes, uniques = pd.factorize(objects)
        rep = np.empty(len(uniques), np.int64)
        rep[codes] = np.arange(len(codes))
    return codes.astype(np.int64), rep


def match_tags(left: np.ndarray, right: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Positions ``(p, q)`` with ``left[p] == right[q]`` ((n, 16) uint8 lists, each
    without repeats), in ascending ``q``. Where both lists ascend strictly in their
    first 64 bits (as owners send them, :func:`tag_order`) a merge by binary search finds
    candidates, else a hash table on those bits; whole tags are compared; exact in every
    case.

    >>> a = np.arange(48, dtype=np.uint8).reshape(3, 16)
    >>> [x.tolist() for x in match_tags(a, a[[2, 0]])]
    [[2, 0], [0, 1]]
    """
    empty = np.zeros(0, np.int64)
    if len(left) == 0 or len(right) == 0:
        return empty, empty.copy()
    lw, rw = _first_words(left), _first_words(right)
    if (lw[1:] > lw[:-1]).all() and (rw[1:] > rw[:-1]).all():
        at = np.searchsorted(lw, rw)
        q = np.flatnonzero(lw[np.minimum(at, len(lw) - 1)] == rw)
        p = at[q]
        same = (_take(left, p).view(_U64) == _take(right, q).view(_U64)).all(axis=1)
        return p[same].astype(np.int64), q[same].astype(np.int64)
    index = pd.Index(lw)
    if not index.is_unique:  # two left tags share 64 bits: match whole tags instead
        p, q = match_positions(right, left)[::-1]
        order = np.argsort(q, kind="stable")
        return p[order], q[order]
    at = index.get_indexer(rw)
    q = np.flatnonzero(at >= 0)
    p = at[q]
    same = (_take(left, p).view(_U64) == _take(right, q).view(_U64)).all(axis=1)
    return p[same].astype(np.int64), q[same].astype(np.int64)


# --------------------------------------------------------------------------------------
# the protocol


def _check_parties(comm: Communicator, left: int, right: int, server: int) -> None:
    n = comm.n_parties
    if not all(0 <= p < n for p in (left, right, server)) or len({left, right, server}) != 3:
        raise ValueError(f"server-aided PSI needs three different parties, got {left}, "
                         f"{right}, {server}")


def _expect(payload: Any, comm: Communicator, frm: int, ok: bool, what: str) -> None:
    if not ok:
        raise InternalError(f"PSI: party '{comm.name_of(frm)}' sent a malformed {what}")


def _serve(comm: Communicator, left: int, right: int) -> int:
    """The server's part: match the two tag lists, send each owner its own positions.
    Returns the intersection size."""
    lists = comm.exchange({}, [left, right])
    for frm, tags in zip((left, right), lists, strict=True):
        _expect(tags, comm, frm, isinstance(tags, np.ndarray) and tags.dtype == np.uint8
                and tags.ndim == 2 and tags.shape[1] == TAG_BYTES, "tag list")
    p, q = match_tags(lists[0], lists[1])
    comm.exchange({left: p, right: q}, [])
    return len(p)


def _matched_keys(comm: Communicator, i_am_left: bool, peer: int, server: int,
                  keys: Sequence[np.ndarray], valid: np.ndarray | None) -> tuple[_OwnTags, np.ndarray]:
    """Rounds 1-3 at an owner: its key ids of the intersection, in the common order."""
    if i_am_left:
        key = os.urandom(KEY_BYTES)
        comm.exchange({peer: key}, [])
    else:
        (key,) = comm.exchange({}, [peer])
        _expect(key, comm, peer, isinstance(key, bytes) and len(key) == KEY_BYTES, "key")
    own = _OwnTags(key, keys, valid)
    perm = tag_order(own.tags)  # an order that shows nothing of the rows'
    (pos,) = comm.exchange({server: _take(own.tags, perm)}, [server])
    _expect(pos, comm, server, isinstance(pos, np.ndarray) and pos.dtype == np.int64
            and pos.ndim == 1 and (len(pos) == 0 or (pos.min() >= 0 and pos.max() < own.n_keys
                                                     and len(np.unique(pos)) == len(pos))),
            "list of positions")
    return own, perm[pos]


def _server_psi_join(rt_or_comm: Any, left: int, right: int, server: int,
                     keys: Sequence[np.ndarray] | None, valid: np.ndarray | None,
                     outer: bool) -> tuple[np.ndarray, np.ndarray | None, int] | int | None:
    comm = communicator_of(rt_or_comm)
    _check_parties(comm, left, right, server)
    if comm.party == server:
        return _serve(comm, left, right)
    if comm.party not in (left, right):
        return None  # any other party takes part in no round
    if keys is None:
        raise ValueError("a key owner must pass its key columns")
    i_am_left = comm.party == left
    peer = right if i_am_left else left
    own, key_ids = _matched_keys(comm, i_am_left, peer, server, keys, valid)
    return expand_matches(comm, i_am_left, peer, own, key_ids, outer)


def server_psi_join_indices(
    rt_or_comm: Any, left_party: int, right_party: int, server: int,
    keys: Sequence[np.ndarray] | None, valid: np.ndarray | None = None,
) -> JoinIndices | int | None:
    """Inner equi-join of two owners' key columns by server-aided PSI (module notes).

    Run in lockstep by the owners and ``server``. ``keys`` are the owner's key columns
    (integer or string arrays; several = a multi-column key), ``valid`` marks its
    non-NULL rows (None strings are NULL anyway). Returns :class:`JoinIndices` on the
    owners (as :func:`scql_py.mpc.psi.psi_join_indices`), the intersection size on the
    server (what it learned), None on any other party."""
    out = _server_psi_join(rt_or_comm, left_party, right_party, server, keys, valid, False)
    if out is None or isinstance(out, int):
        return out
    if communicator_of(rt_or_comm).party == left_party:
        return JoinIndices(out[0], None)
    return JoinIndices(None, out[0])


def server_psi_left_join_indices(
    rt_or_comm: Any, left_party: int, right_party: int, server: int,
    keys: Sequence[np.ndarray] | None, valid: np.ndarray | None = None,
) -> LeftJoinIndices | int | None:
    """Left outer equi-join by server-aided PSI: the inner join's pairs, then the left
    rows without a match (as :func:`scql_py.mpc.psi.psi_left_join_indices`). The server
    gets the intersection size; only the owners learn the number of unmatched rows."""
    out = _server_psi_join(rt_or_comm, left_party, right_party, server, keys, valid, True)
    if out is None or isinstance(out, int):
        return out
    rows, unmatched, n_unmatched = out
    if communicator_of(rt_or_comm).party == left_party:
        return LeftJoinIndices(rows, None, unmatched, n_unmatched)
    return LeftJoinIndices(None, rows, None, n_unmatched)
