"""How a secret relation is stored at rest: its word columns, seeded resharing, loading.

A table is stored column by column as replicated shares, *seeded*: for each segment a
seed party ``r`` is chosen (the owner for an import). Shares ``z_r`` and ``z_{r+1}`` are
the expansions of two fresh 16-byte seeds ``s_r`` (known to parties ``r`` and ``r-1``)
and ``s_{r+1}`` (parties ``r``, ``r+1``), drawn from the session's pairwise keys;
``z_{r+2} = x - z_r - z_{r+1}`` is stored as words by parties ``r+1`` and ``r+2``. Party
``r`` turns what it knows of ``x`` (the plaintext for an import, its two shares
otherwise) into ``d = x_known - F(s_r) - F(s_{r+1})`` and sends it to both others, who add
what they hold of the third share: one round, and every stored share is fresh randomness
(two imports of the same data store different words; no party's stored words depend on
the owner's input sharing). Party ``r+1`` sees ``d`` masked by ``F(s_r)``, party ``r+2``
sees it masked by ``F(s_{r+1})``. NULL bits, booleans and row validity are packed 64 per
word and shared the same way with XOR. Loading a segment needs no communication: each
party expands its seeds and reads its words (:mod:`scql_py.storage.stored_shares`).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pyarrow as pa

from scql_py.catalog import Table
from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.relation import (
    FloatBits,
    SecretColumn,
    SecretRelation,
    concat_columns,
    concat_validity,
)
from scql_py.errors import DataError, InternalError
from scql_py.mpc.prg import PRG
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import N_PARTIES, Runtime
from scql_py.storage.import_rows import first_failing_row
from scql_py.storage.stored_shares import SegmentInfo, ShareStore, VersionInfo

U64 = np.uint64
SEED_BYTES = 16
VALID = ".valid"


# -- the word columns of a table ------------------------------------------------------------

@dataclass(frozen=True)
class Label:
    """One shared word column: ``xor`` for boolean sharing, ``bits`` for packed bits."""

    name: str
    xor: bool
    bits: bool

    def length(self, rows: int) -> int:
        return -(-rows // 64) if self.bits else rows


def column_word_labels(column: str, kind: str, width: int, float_key: bool = False
                       ) -> list[Label]:
    """The word columns of one SQL column: value (or hash), a float's exact key, packed
    bytes, NULL bits."""
    if kind == "bool":
        labels = [Label(f"{column}.v", True, True)]
    else:
        labels = [Label(column, False, False)]
        labels += [Label(f"{column}.x", False, False)] if float_key else []
        labels += [Label(f"{column}.w{k}", True, False) for k in range(width)]
    return labels + [Label(f"{column}.null", True, True)]


def word_labels(schema: list[list[str]], widths: dict[str, int], valid: bool,
                float_keys: Sequence[str] = ()) -> list[Label]:
    """Every word column of ``schema``'s columns, then the row validity if any."""
    labels = []
    for name, typ in schema:
        labels += column_word_labels(name, SqlType.parse(typ).kind, widths.get(name, 0),
                                     name in float_keys)
    return labels + ([Label(VALID, True, True)] if valid else [])


def pack_bits(bits: np.ndarray) -> np.ndarray:
    """Bit 0 of each word, packed 64 per word (row ``j`` is bit ``j % 64`` of word
    ``j // 64``).

    >>> pack_bits(np.array([1, 0, 1], np.uint64)).tolist()
    [5]
    """
    packed = np.packbits((np.asarray(bits) & 1).astype(np.uint8), bitorder="little")
    padded = np.zeros(-(-len(packed) // 8) * 8, np.uint8)
    padded[: len(packed)] = packed
    return padded.view("<u8").astype(U64)


def unpack_bits(words: np.ndarray, rows: int) -> np.ndarray:
    """The inverse of :func:`pack_bits`: ``rows`` words of 0 or 1.

    >>> unpack_bits(np.array([5], np.uint64), 3).tolist()
    [1, 0, 1]
    """
    raw = np.ascontiguousarray(words, dtype="<u8").view(np.uint8)
    return np.unpackbits(raw, bitorder="little")[:rows].astype(U64)


def _expand(seed: str, label: str, n: int) -> np.ndarray:
    """The share words a seed stands for (one independent stream per word column)."""
    key = hashlib.blake2b(label.encode(), key=bytes.fromhex(seed), digest_size=16).digest()
    return PRG(key).uint64(n)



# -- resharing into seeded storage ----------------------------------------------------------

def _draw_seeds(rt: Runtime) -> tuple[str, str]:
    """Fresh seeds ``(s_i, s_{i+1})``: shared with the previous and the next party."""
    return rt.prg_prev.bytes(SEED_BYTES).hex(), rt.prg_next.bytes(SEED_BYTES).hex()


def reshare_seeded(rt: Runtime, role: int, labels: list[Label], rows: int,
            known: dict[str, np.ndarray] | None, third: dict[str, np.ndarray] | None,
            widths: dict[str, int], valid: bool, float_keys: Sequence[str] = ()
            ) -> tuple[SegmentInfo, dict, dict]:
    """Store words for a segment whose seed party is ``role`` (one round).

    ``known``: on party ``role``, what it knows of each word column (the plaintext, or
    the sum of its two shares). ``third``: on the others, their copy of the third share
    ``x_{role+2}`` (None when it is zero, as for an owner's plaintext).
    Returns this party's segment record (with its seeds) and its word and bit columns.
    """
    seed_prev, seed_next = _draw_seeds(rt)
    k = (rt.party - role) % N_PARTIES
    seg = SegmentInfo(id=0, rows=rows, role=role, widths=widths, valid=valid,
                      seed_a=seed_prev if k in (0, 1) else None,
                      seed_b=seed_next if k in (0, 2) else None,
                      float_keys=list(float_keys))
    if k == 0:
        assert known is not None
        masked = []
        for lab in labels:
            n = lab.length(rows)
            pad_a, pad_b = _expand(seed_prev, lab.name, n), _expand(seed_next, lab.name, n)
            x = np.asarray(known[lab.name], dtype=U64)
            masked.append(x ^ pad_a ^ pad_b if lab.xor else x - pad_a - pad_b)
        payload = np.concatenate(masked) if masked else np.zeros(0, U64)
        rt.comm.exchange({rt.next: payload, rt.prev: payload}, [])
        return seg, {}, {}
    (payload,) = rt.comm.exchange({}, [(rt.party - k) % N_PARTIES])
    payload = np.asarray(payload, dtype=U64)
    words: dict[str, np.ndarray] = {}
    bits: dict[str, np.ndarray] = {}
    start = 0
    for lab in labels:
        n = lab.length(rows)
        d = payload[start:start + n]
        start += n
        if third is not None:
            d = d ^ third[lab.name] if lab.xor else d + third[lab.name]
        (bits if lab.bits else words)[lab.name] = np.array(d, dtype=U64)
    if start != len(payload):
        raise InternalError("the seed party sent a segment of the wrong size")
    return seg, words, bits


def word_shares(rel: SecretRelation, schema: list[list[str]]
               ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, int], list[str]]:
    """This party's two shares of each word column of ``rel`` (bits packed), the string
    widths, and the float columns that still have their exact keys."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    widths: dict[str, int] = {}
    float_keys: list[str] = []
    party = rel.columns[0].value.party if rel.columns else 0

    def bits_of(share: BShare) -> tuple[np.ndarray, np.ndarray]:
        return pack_bits(share.a), pack_bits(share.b)

    for (name, typ), col in zip(schema, rel.columns):
        kind = SqlType.parse(typ).kind
        if kind == "bool":
            out[f"{name}.v"] = bits_of(col.value)
        else:
            out[name] = (col.value.a, col.value.b)
        if col.key is not None:
            float_keys.append(name)
            out[f"{name}.x"] = (col.key.a, col.key.b)
        if kind == "string":
            widths[name] = len(col.chars or [])
            for k, word in enumerate(col.chars or []):
                out[f"{name}.w{k}"] = (word.a, word.b)
        null = col.null if col.null is not None else BShare.zeros(party, rel.n)
        out[f"{name}.null"] = bits_of(null)
    if rel.valid is not None:
        out[VALID] = bits_of(rel.valid)
    return out, widths, float_keys



def owner_words(table: Table, data: pa.Table, widths: dict[str, int]
                 ) -> tuple[dict[str, np.ndarray], dict[str, list]]:
    """The owner's plaintext of every word column (values encoded per SQL type), but for
    the string hashes, whose key comes later; and the strings to hash, by column.
    DataError naming the row and column of a value the encoding cannot hold."""
    out: dict[str, np.ndarray] = {}
    strings: dict[str, list] = {}
    for column, typ in table.columns.items():
        arr = data.column(column)
        if typ.kind == "bool":
            out[f"{column}.v"] = pack_bits(encoding.encode(arr, typ))
        elif typ.kind == "string":
            encoding.refuse_nul_characters(arr, f"table '{table.name}', column '{column}'")
            strings[column] = arr.to_pylist()
            packed = encoding.pack_strings(strings[column], widths[column])
            for k in range(widths[column]):
                out[f"{column}.w{k}"] = np.ascontiguousarray(packed[:, k])
        else:
            out[column] = _encode_checked(table.name, column, arr, typ)
        if typ.kind == "float64":  # the encoding above refused what keys could not hold
            out[f"{column}.x"] = encoding.encode_float_keys(arr)
        out[f"{column}.null"] = pack_bits(encoding.null_mask(arr))
    return out, strings


def _encode_checked(table: str, column: str, arr: pa.ChunkedArray, typ: SqlType) -> np.ndarray:
    try:
        return encoding.encode(arr, typ)
    except (ValueError, DataError) as err:
        row = first_failing_row(arr, lambda part: encoding.encode(part, typ))
        raise DataError(f"table '{table}': row {row + 1}, column '{column}': cannot hold "
                        f"{arr[row].as_py()!r} as {typ} ({err})") from None



def load_segment(party: int, store: ShareStore, info: VersionInfo, seg: SegmentInfo,
                  names: list[str], types: dict[str, SqlType]) -> SecretRelation:
    schema = [[c, str(types[c])] for c in names]
    labels = word_labels(schema, seg.widths, seg.valid, seg.float_keys)
    stored_labels = [lab.name for lab in labels]
    stored = store.read(info.name, seg, stored_labels) \
        if seg.seed_a is None or seg.seed_b is None else {}
    n = seg.rows

    def pair(label: str) -> tuple[np.ndarray, np.ndarray]:
        lab = next(x for x in labels if x.name == label)
        size = lab.length(n)
        a = _expand(seg.seed_a, label, size) if seg.seed_a else stored[label]
        b = _expand(seg.seed_b, label, size) if seg.seed_b else stored[label]
        if lab.bits:
            a, b = unpack_bits(a, n), unpack_bits(b, n)
        return a, b

    cols = []
    for c in names:
        t = types[c]
        if t.kind == "bool":
            value: AShare | BShare = BShare(party, *pair(f"{c}.v"))
        else:
            value = AShare(party, *pair(c))
        chars = [BShare(party, *pair(f"{c}.w{k}")) for k in range(seg.widths.get(c, 0))] \
            if t.kind == "string" else None
        exact = FloatBits(AShare(party, *pair(f"{c}.x"))) if c in seg.float_keys else None
        cols.append(SecretColumn(t, value, BShare(party, *pair(f"{c}.null")), chars, exact))
    valid = BShare(party, *pair(VALID)) if seg.valid else None
    return SecretRelation(n, list(names), cols, valid)


def concat_segments(party: int, n: int, names: list[str], types: dict[str, SqlType],
            parts: list[SecretRelation]) -> SecretRelation:
    if len(parts) == 1:
        return parts[0]
    if not parts:
        cols = [SecretColumn(types[c], (BShare if types[c].kind == "bool" else AShare)
                             .zeros(party, 0), BShare.zeros(party, 0),
                             [] if types[c].kind == "string" else None) for c in names]
        return SecretRelation(0, list(names), cols)
    cols = [concat_columns(party, [p.columns[j] for p in parts], types[c])
            for j, c in enumerate(names)]
    return SecretRelation(n, list(names), cols, concat_validity(party, parts))
