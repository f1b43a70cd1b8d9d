"""Secret-shared tables at rest: import, query, append and drop with no owner online.

Every function here runs on all three parties' engines at once, in lockstep, like a plan
step: ``fn(engine, rt, ...)`` with the party's :class:`~scql_py.engine.engine.Engine`
(only its ``catalog``, ``party`` and ``storage`` are used) and its protocol
:class:`~scql_py.mpc.runtime.Runtime`.

**Storage.** A table is stored column by column as replicated shares, *seeded*: for each
segment a seed party ``r`` is chosen (the owner for an import). Shares ``z_r`` and
``z_{r+1}`` are the expansions of two fresh 16-byte seeds ``s_r`` (known to parties ``r``
and ``r-1``) and ``s_{r+1}`` (parties ``r``, ``r+1``), drawn from the session's pairwise
keys; ``z_{r+2} = x - z_r - z_{r+1}`` is stored as words by parties ``r+1`` and ``r+2``.
Party ``r`` turns what it knows of ``x`` (the plaintext for an import, its two shares
otherwise) into ``d = x_known - F(s_r) - F(s_{r+1})`` and sends it to both others, who add
what they hold of the third share: one round, and every stored share is fresh randomness
(two imports of the same data store different words; no party's stored words depend on
the owner's input sharing). Party ``r+1`` sees ``d`` masked by ``F(s_r)``, party ``r+2``
sees it masked by ``F(s_{r+1})``. NULL bits, booleans and row validity are packed 64 per
word and shared the same way with XOR. Loading a segment needs no communication: each
party expands its seeds and reads its words (see :mod:`scql_py.storage.share_store`).

**Versions and atomicity.** A change (import, append, drop) writes a new version in two
phases: every party *prepares* (writes the version and its data durably, in one DuckDB
transaction, not yet current), announces it to both others, and *commits* (marks it
current, drops older data) only after hearing that both others prepared. A party that
commits therefore knows the version exists everywhere. Before every use the parties
*agree* in one exchange: the current version is the newest one that every party holds
and at least one has committed; every party rolls forward to it or drops what is newer.
A crash or a dead party before any commit leaves the previous version everywhere; after
the first commit the new one; never a mix.

**Strings** are stored with a hash under a key made from a random contribution of every
party's store (:func:`shared_string_key`): the same for every shared table and query, so
that a query can compare shared strings with each other and with literals. A query that
reads shared strings must use that key as its string key.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

import duckdb
import numpy as np
import pyarrow as pa

from scql_py.catalog import Catalog, Table
from scql_py.catalog.ccl import CCLLevel
from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.errors import (
    DataError,
    InternalError,
    OperationalError,
    ProgrammingError,
    SecurityError,
)
from scql_py.mpc.prg import PRG
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import N_PARTIES, Runtime
from scql_py.storage.share_store import (
    COMMITTED,
    PREPARED,
    SegmentInfo,
    ShareStore,
    VersionInfo,
)
from scql_py.storage.sources import load_table, quote_ident

if TYPE_CHECKING:
    from scql_py.engine.engine import Engine
    from scql_py.engine.federation import Federation

U64 = np.uint64
SEED_BYTES = 16
VALID = ".valid"

# Tests set this to stop a party at a named point of a change: "shared" (shares made,
# nothing written), "writing" (inside the prepare transaction), "prepared", "acked"
# (every party prepared, this one not yet committed) and "committed".
fault_hook: Callable[[str, int], None] | None = None


@dataclass
class ChangeResult:
    """What an import, append or drop made: the table's new version and its row count."""

    table: str
    version: int
    rows: int


# -- the word columns of a table ------------------------------------------------------------

@dataclass(frozen=True)
class _Label:
    """One shared word column: ``xor`` for boolean sharing, ``bits`` for packed bits."""

    name: str
    xor: bool
    bits: bool

    def length(self, rows: int) -> int:
        return -(-rows // 64) if self.bits else rows


def _column_labels(column: str, kind: str, width: int) -> list[_Label]:
    """The word columns of one SQL column: value (or hash), packed bytes, NULL bits."""
    if kind == "bool":
        labels = [_Label(f"{column}.v", True, True)]
    else:
        labels = [_Label(column, False, False)]
        labels += [_Label(f"{column}.w{k}", True, False) for k in range(width)]
    return labels + [_Label(f"{column}.null", True, True)]


def _labels(schema: list[list[str]], widths: dict[str, int], valid: bool) -> list[_Label]:
    """Every word column of ``schema``'s columns, then the row validity if any."""
    labels = []
    for name, typ in schema:
        labels += _column_labels(name, SqlType.parse(typ).kind, widths.get(name, 0))
    return labels + ([_Label(VALID, True, True)] if valid else [])


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


# -- agreeing on versions -------------------------------------------------------------------

@dataclass
class _Agreement:
    current: dict[str, int | None]  # name -> the version every party now reads
    next_version: dict[str, int]  # name -> the number a change writes
    extras: list[Any]  # what each party sent along, by party index
    string_key: bytes


def _store(engine: Engine) -> ShareStore:
    return ShareStore(engine.storage.connection.cursor(), where=f"party {engine.party}")


def _agree(rt: Runtime, store: ShareStore, names: Sequence[str] | None,
           extra: Any = None) -> _Agreement:
    """One exchange: every party's versions of ``names`` (None: of every shared table it
    holds) and its string-key contribution; then settle this party's store on the
    agreed versions (roll a prepared version forward, drop aborted and old ones)."""
    mine = {"listing": store.listing(names), "secret": store.party_secret().hex(),
            "extra": extra}
    got_prev, got_next = rt.comm.exchange({rt.next: mine, rt.prev: mine}, [rt.prev, rt.next])
    views = {rt.party: mine, rt.prev: got_prev, rt.next: got_next}
    secrets = b"".join(bytes.fromhex(views[p]["secret"]) for p in range(N_PARTIES))
    key = hashlib.blake2b(secrets, digest_size=32, person=b"scql-shared-str").digest()
    all_names = sorted({n for v in views.values() for n in v["listing"]})
    current: dict[str, int | None] = {}
    next_version: dict[str, int] = {}
    for name in all_names:
        held = [{v: (state, digest) for v, state, digest in views[p]["listing"].get(name, [])}
                for p in range(N_PARTIES)]
        everywhere = set.intersection(*(set(h) for h in held))
        committed = {v for h in held for v, (state, _) in h.items() if state == COMMITTED}
        agreed = max(everywhere & committed, default=None)
        if agreed is not None and len({h[agreed][1] for h in held}) != 1:
            raise InternalError(f"the parties hold different contents of version {agreed} "
                                f"of shared table '{name}'")
        current[name] = agreed
        next_version[name] = max((v for h in held for v in h), default=0) + 1
        store.settle(name, agreed)
    extras = [views[p]["extra"] for p in range(N_PARTIES)]
    return _Agreement(current, next_version, extras, key)


def _current(store: ShareStore, agreement: _Agreement, name: str) -> VersionInfo:
    """The current version of a shared table that exists; ProgrammingError otherwise."""
    version = agreement.current.get(name)
    info = store.get(name, version) if version is not None else None
    if info is None:
        raise ProgrammingError(f"shared table '{name}' has not been imported "
                               "(scql import --catalog C --party OWNER --table NAME)")
    if info.dropped:
        raise ProgrammingError(f"shared table '{name}' was dropped (version {version})")
    return info


def _two_phase(rt: Runtime, store: ShareStore, info: VersionInfo,
               words: dict[str, np.ndarray] | None, bits: dict[str, np.ndarray] | None) -> None:
    """Prepare ``info`` durably, tell both others, commit once both did the same."""
    me = rt.party
    _fault("shared", me)
    store.prepare(info, words, bits, pause=lambda: _fault("writing", me))
    _fault("prepared", me)
    ack = {"prepared": info.name, "version": info.version, "digest": info.digest()}
    got = rt.comm.exchange({rt.next: ack, rt.prev: ack}, [rt.prev, rt.next])
    if any(g != ack for g in got):
        raise InternalError(f"the parties prepared different versions of '{info.name}': "
                            f"{[ack, *got]}")
    _fault("acked", me)
    store.commit(info.name, info.version)
    _fault("committed", me)


def _fault(point: str, party: int) -> None:
    if fault_hook is not None:
        fault_hook(point, party)


# -- resharing into seeded storage ----------------------------------------------------------

def _draw_seeds(rt: Runtime) -> tuple[str, str]:
    """Fresh seeds ``(s_i, s_{i+1})``: shared with the previous and the next party."""
    return rt.prg_prev.bytes(SEED_BYTES).hex(), rt.prg_next.bytes(SEED_BYTES).hex()


def _seeded(rt: Runtime, role: int, labels: list[_Label], rows: int,
            known: dict[str, np.ndarray] | None, third: dict[str, np.ndarray] | None,
            widths: dict[str, int], valid: bool) -> tuple[SegmentInfo, dict, dict]:
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
                      seed_b=seed_next if k in (0, 2) else None)
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


def _shares_of(rel: SecretRelation, schema: list[list[str]]
               ) -> tuple[dict[str, tuple[np.ndarray, np.ndarray]], dict[str, int]]:
    """This party's two shares of each word column of ``rel`` (bits packed)."""
    out: dict[str, tuple[np.ndarray, np.ndarray]] = {}
    widths: dict[str, int] = {}
    party = rel.columns[0].value.party if rel.columns else 0

    def bits_of(share: BShare) -> tuple[np.ndarray, np.ndarray]:
        return pack_bits(share.a), pack_bits(share.b)

    for (name, typ), col in zip(schema, rel.columns):
        kind = SqlType.parse(typ).kind
        if kind == "bool":
            out[f"{name}.v"] = bits_of(col.value)
        else:
            out[name] = (col.value.a, col.value.b)
        if kind == "string":
            widths[name] = len(col.chars or [])
            for k, word in enumerate(col.chars or []):
                out[f"{name}.w{k}"] = (word.a, word.b)
        null = col.null if col.null is not None else BShare.zeros(party, rel.n)
        out[f"{name}.null"] = bits_of(null)
    if rel.valid is not None:
        out[VALID] = bits_of(rel.valid)
    return out, widths


# -- the owner's rows -----------------------------------------------------------------------

def read_source(table: Table, source: str | Path | None = None) -> pa.Table:
    """The owner's rows of ``table`` from a CSV or Parquet file (default: the table's
    catalog source), in the declared types; DataError naming the line and column of a
    value that does not fit. Read in a scratch DuckDB: nothing is kept."""
    path = Path(source).resolve() if source is not None else table.source
    if path is None:
        raise DataError(f"table '{table.name}': no source file to import (give one)")
    con = duckdb.connect()
    try:
        load_table(con, replace(table, source=path))
        return con.sql(f"SELECT * FROM {quote_ident(table.name)}").to_arrow_table()
    finally:
        con.close()


def check_rows(table: Table, data: pa.Table, not_null: Iterable[str] = (),
               where: str | None = None) -> pa.Table:
    """``data`` with exactly the declared columns, in order and type; DataError naming
    the row (1-based) and column of the first value that does not convert, or of a NULL
    in a ``not_null`` column."""
    where = where or f"table '{table.name}'"
    by_lower = {n.lower(): n for n in data.column_names}
    missing = [c for c in table.columns if c not in by_lower]
    extra = [n for n in data.column_names if n.lower() not in table.columns]
    if missing or extra:
        raise DataError(f"{where}: the rows have columns {', '.join(data.column_names)}; "
                        f"the table declares {', '.join(table.columns)}")
    arrays = []
    for column, typ in table.columns.items():
        arr = data.column(by_lower[column])
        target = typ.to_arrow()
        if arr.type != target:
            try:
                arr = arr.cast(target)
            except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
                row = _first_failing(arr, lambda part, to=target: part.cast(to))
                raise DataError(f"{where}: row {row + 1}, column '{column}': cannot read "
                                f"{arr[row].as_py()!r} as {typ}") from None
        arrays.append(arr)
    checked = pa.table(arrays, names=list(table.columns))
    for column in not_null:
        name = column.lower()
        if name not in table.columns:
            raise ProgrammingError(f"{where}: NOT NULL names unknown column '{column}'")
        nulls = encoding.null_mask(checked.column(name))
        if nulls.any():
            row = int(np.argmax(nulls)) + 1
            raise DataError(f"{where}: row {row}, column '{name}': NULL in a column that "
                            "does not allow NULLs")
    return checked


def _plain_words(table: Table, data: pa.Table, widths: dict[str, int]
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
            strings[column] = arr.to_pylist()
            packed = encoding.pack_strings(strings[column], widths[column])
            for k in range(widths[column]):
                out[f"{column}.w{k}"] = np.ascontiguousarray(packed[:, k])
        else:
            out[column] = _encode_checked(table.name, column, arr, typ)
        out[f"{column}.null"] = pack_bits(encoding.null_mask(arr))
    return out, strings


def _encode_checked(table: str, column: str, arr: pa.ChunkedArray, typ: SqlType) -> np.ndarray:
    try:
        return encoding.encode(arr, typ)
    except (ValueError, DataError) as err:
        row = _first_failing(arr, lambda part: encoding.encode(part, typ))
        raise DataError(f"table '{table}': row {row + 1}, column '{column}': cannot hold "
                        f"{arr[row].as_py()!r} as {typ} ({err})") from None


def _first_failing(arr: pa.ChunkedArray | pa.Array, fn: Callable[[pa.Array], Any]) -> int:
    """The first row (0-based) on which ``fn`` of a one-row slice raises (0 if none)."""
    flat = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    step = 4096
    for start in range(0, len(flat), step):
        chunk = flat.slice(start, step)
        try:
            fn(chunk)
            continue
        except (ValueError, DataError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
            pass
        for j in range(len(chunk)):
            try:
                fn(chunk.slice(j, 1))
            except (ValueError, DataError, pa.ArrowInvalid, pa.ArrowNotImplementedError):
                return start + j
    return 0


# -- the catalog's view ---------------------------------------------------------------------

def _declared(catalog: Catalog, name: str) -> Table:
    table = catalog.tables.get(name.lower())
    if table is None:
        raise ProgrammingError(f"unknown table '{name}' (the catalog declares "
                               f"{', '.join(catalog.tables)})")
    return table


def _schema(table: Table) -> list[list[str]]:
    return [[c, str(t)] for c, t in table.columns.items()]


def _ccl(table: Table) -> dict[str, dict[str, str]]:
    """The CCL as stored: explicit grants only (an absent party is ENCRYPTED_ONLY)."""
    out: dict[str, dict[str, str]] = {}
    for column, grants in table.ccl.items():
        kept = {p: level.value for p, level in grants.items()
                if level != CCLLevel.ENCRYPTED_ONLY and p != table.owner}
        if kept:
            out[column] = dict(sorted(kept.items()))
    return out


def _check_declaration(table: Table, info: VersionInfo) -> None:
    """The catalog must declare the table as it was imported, with the CCL the owner
    shared it under: the owner is not there to agree to another."""
    if table.owner != info.owner:
        raise ProgrammingError(f"shared table '{table.name}' was imported by "
                               f"'{info.owner}', the catalog says its owner is '{table.owner}'")
    if _schema(table) != info.schema:
        stored = ", ".join(f"{c} {t}" for c, t in info.schema)
        raise ProgrammingError(f"shared table '{table.name}' was imported with columns "
                               f"({stored}); the catalog declares "
                               f"({', '.join(f'{c} {t}' for c, t in _schema(table))})")
    declared = _ccl(table)
    for column in sorted(set(declared) | set(info.ccl)):
        for party in sorted(set(declared.get(column, {})) | set(info.ccl.get(column, {}))):
            now = declared.get(column, {}).get(party, CCLLevel.ENCRYPTED_ONLY.value)
            then = info.ccl.get(column, {}).get(party, CCLLevel.ENCRYPTED_ONLY.value)
            if now != then:
                raise SecurityError(
                    f"shared table '{table.name}': the catalog gives party '{party}' {now} on "
                    f"column '{column}', the owner shared it with {then}",
                    column=column, party=party, level=now)


# -- the operations -------------------------------------------------------------------------

def import_table(engine: Engine, rt: Runtime, owner: str, table: str,
                 data: pa.Table | None = None, *, source: str | Path | None = None,
                 not_null: Iterable[str] = ()) -> ChangeResult:
    """Secret-share ``owner``'s rows of ``table`` into every party's storage, as a new
    version (replacing any earlier one). The owner passes its rows as ``data`` or reads
    them from ``source`` (default: the table's catalog source); the others pass nothing.
    A bad row fails the import on every party with the owner's error; nothing is stored.
    Rounds: agree, share, prepared (3).
    """
    decl = _declared(engine.catalog, table)
    if decl.owner != owner:
        raise ProgrammingError(f"table '{decl.name}' is owned by '{decl.owner}', not '{owner}'")
    owner_index = engine.catalog.party_names.index(owner)
    meta: dict[str, Any] | None = None
    if engine.party == owner:
        try:
            rows = read_source(decl, source) if data is None else data
            rows = check_rows(decl, rows, not_null)
            widths = {c: encoding.string_width(rows.column(c))
                      for c, t in decl.columns.items() if t.kind == "string"}
            known, strings = _plain_words(decl, rows, widths)
            meta = {"rows": rows.num_rows, "widths": widths}
        except (DataError, ProgrammingError, OperationalError) as err:
            meta = {"error": str(err), "kind": type(err).__name__}
    store = _store(engine)
    try:
        agreement = _agree(rt, store, [decl.name], meta)
        meta = agreement.extras[owner_index]
        if "error" in meta:
            kind = {"ProgrammingError": ProgrammingError,
                    "OperationalError": OperationalError}.get(meta["kind"], DataError)
            raise kind(meta["error"])
        n, widths = int(meta["rows"]), {k: int(v) for k, v in meta["widths"].items()}
        schema = _schema(decl)
        labels = _labels(schema, widths, valid=False)
        if engine.party == owner:
            for column, values in strings.items():
                known[column] = encoding.string_hash(values, agreement.string_key)
        else:
            known = None
        seg, words, bits = _seeded(rt, owner_index, labels, n, known, None, widths, False)
        version = agreement.next_version[decl.name]
        seg.id = version
        info = VersionInfo(decl.name, version, PREPARED, False, owner, schema, _ccl(decl),
                           [seg] if n else [])
        _two_phase(rt, store, info, words, bits)
        return ChangeResult(decl.name, version, n)
    finally:
        store.close()


def append(engine: Engine, rt: Runtime, table: str, rel: SecretRelation,
           create: bool = False) -> ChangeResult:
    """``INSERT INTO table``: add the rows of a secret relation (columns in the table's
    order and types; its validity bits are kept, so filtered rows stay secret) as a new
    version. ``create``: ``CREATE SHARED TABLE table AS SELECT``, the first version of a
    declared table that holds none (or was dropped). Rounds: agree, reshare, prepared (3)."""
    decl = _declared(engine.catalog, table)
    store = _store(engine)
    try:
        agreement = _agree(rt, store, [decl.name])
        if create:
            version = agreement.current.get(decl.name)
            held = store.get(decl.name, version) if version is not None else None
            if held is not None and not held.dropped:
                raise ProgrammingError(f"shared table '{decl.name}' already exists (version "
                                       f"{version}): use INSERT INTO, or DROP TABLE first")
            info = VersionInfo(decl.name, 0, PREPARED, False, decl.owner, _schema(decl),
                               _ccl(decl), [])
        else:
            info = _current(store, agreement, decl.name)
        _check_declaration(decl, info)
        types = [str(c.type) for c in rel.columns]
        if types != [t for _, t in info.schema]:
            raise ProgrammingError(
                f"INSERT INTO {decl.name}: the rows have types ({', '.join(types)}), the table "
                f"has ({', '.join(f'{c} {t}' for c, t in info.schema)})")
        version = agreement.next_version[decl.name]
        segments = list(info.segments)
        words: dict[str, np.ndarray] = {}
        bits: dict[str, np.ndarray] = {}
        if rel.n:
            shares, widths = _shares_of(rel, info.schema)
            labels = _labels(info.schema, widths, rel.valid is not None)
            role = version % N_PARTIES
            k = (rt.party - role) % N_PARTIES
            known = third = None
            if k == 0:
                known = {}
                for lab in labels:
                    a, b = shares[lab.name]
                    known[lab.name] = a ^ b if lab.xor else a + b
            else:  # x_{role+2} is the second share of party role+1, the first of role+2
                third = {lab.name: shares[lab.name][1 if k == 1 else 0] for lab in labels}
            seg, words, bits = _seeded(rt, role, labels, rel.n, known, third, widths,
                                       rel.valid is not None)
            seg.id = version
            segments.append(seg)
        new = replace(info, version=version, state=PREPARED, segments=segments)
        _two_phase(rt, store, new, words, bits)
        return ChangeResult(decl.name, version, new.rows)
    finally:
        store.close()


def drop(engine: Engine, rt: Runtime, table: str) -> ChangeResult:
    """``DROP TABLE``: a new version with no rows; every party then drops the share data.
    Rounds: agree, prepared (2)."""
    name = table.lower()
    store = _store(engine)
    try:
        agreement = _agree(rt, store, [name])
        info = _current(store, agreement, name)
        new = replace(info, version=agreement.next_version[name], state=PREPARED,
                      dropped=True, segments=[])
        _two_phase(rt, store, new, None, None)
        return ChangeResult(name, new.version, 0)
    finally:
        store.close()


def load_shared(engine: Engine, rt: Runtime, table: str,
                columns: Sequence[str] | None = None) -> tuple[SecretRelation, int]:
    """The current version of a shared table as a secret relation (only ``columns``, in
    that order, when given), and that version's number. One round (the agreement); the
    shares come from this party's own storage."""
    decl = _declared(engine.catalog, table)
    store = _store(engine)
    try:
        agreement = _agree(rt, store, [decl.name])
        info = _current(store, agreement, decl.name)
        _check_declaration(decl, info)
        types = dict((c, SqlType.parse(t)) for c, t in info.schema)
        names = [c.lower() for c in columns] if columns is not None else list(types)
        for c in names:
            if c not in types:
                raise ProgrammingError(f"shared table '{decl.name}' has no column '{c}'")
        parts = [_load_segment(rt.party, store, info, seg, names, types)
                 for seg in info.segments]
        return _concat(rt.party, info.rows, names, types, parts), info.version
    finally:
        store.close()


def _load_segment(party: int, store: ShareStore, info: VersionInfo, seg: SegmentInfo,
                  names: list[str], types: dict[str, SqlType]) -> SecretRelation:
    schema = [[c, str(types[c])] for c in names]
    labels = _labels(schema, seg.widths, seg.valid)
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
        cols.append(SecretColumn(t, value, BShare(party, *pair(f"{c}.null")), chars))
    valid = BShare(party, *pair(VALID)) if seg.valid else None
    return SecretRelation(n, list(names), cols, valid)


def _concat(party: int, n: int, names: list[str], types: dict[str, SqlType],
            parts: list[SecretRelation]) -> SecretRelation:
    if len(parts) == 1:
        return parts[0]
    if not parts:
        cols = [SecretColumn(types[c], (BShare if types[c].kind == "bool" else AShare)
                             .zeros(party, 0), BShare.zeros(party, 0),
                             [] if types[c].kind == "string" else None) for c in names]
        return SecretRelation(0, list(names), cols)
    cols = []
    for j, c in enumerate(names):
        pieces = [p.columns[j] for p in parts]
        value = type(pieces[0].value).concat([p.value for p in pieces])
        null = BShare.concat([p.null for p in pieces])
        chars = None
        if types[c].kind == "string":
            width = max(len(p.chars or []) for p in pieces)
            chars = [BShare.concat([p.chars[k] if k < len(p.chars or []) else
                                    BShare.zeros(party, len(p)) for p in pieces])
                     for k in range(width)]
        cols.append(SecretColumn(types[c], value, null, chars))
    valid = None
    if any(p.valid is not None for p in parts):
        valid = BShare.concat([p.valid if p.valid is not None else
                               BShare.public(party, np.ones(p.n, U64)) for p in parts])
    return SecretRelation(n, list(names), cols, valid)


def shared_string_key(engine: Engine, rt: Runtime) -> bytes:
    """The hash key of shared strings (one round); a query over shared string columns
    uses it as its string key."""
    store = _store(engine)
    try:
        return _agree(rt, store, []).string_key
    finally:
        store.close()


def recover(engine: Engine, rt: Runtime) -> dict[str, int | None]:
    """Agree on every shared table any party holds (at start-up): finish or undo what a
    crash interrupted. Returns each table's current version (None: none). One round."""
    store = _store(engine)
    try:
        return _agree(rt, store, None).current
    finally:
        store.close()


def versions(engine: Engine) -> dict[str, list[list]]:
    """This party's own record of its shared tables' versions (no agreement: for
    inspection)."""
    store = _store(engine)
    try:
        return store.listing()
    finally:
        store.close()


# -- three engines in one process -----------------------------------------------------------

def run_inprocess(federation: Federation, fn: Callable[..., Any],
                  per_party: Sequence[Any] | None = None) -> list[Any]:
    """Run ``fn(engine, rt, arg)`` on the federation's three engines in threads, over a
    fresh in-process network, as :meth:`Federation.execute` runs a plan; results by party."""
    args = list(per_party) if per_party is not None else [None] * N_PARTIES
    results, _ = federation.run_on_parties(
        lambda engine, comm: fn(engine, Runtime(comm), args[engine.index]))
    return results


def import_table_inprocess(federation: Federation, owner: str, table: str, *,
                           source: str | Path | None = None, data: pa.Table | None = None,
                           not_null: Iterable[str] = ()) -> ChangeResult:
    """:func:`import_table` on an in-process federation; only the owner's thread sees
    ``data`` or reads ``source``."""
    owner_index = federation.catalog.party_names.index(owner) \
        if owner in federation.catalog.party_names else None
    if owner_index is None:
        raise ProgrammingError(f"unknown party '{owner}' (parties: "
                               f"{', '.join(federation.catalog.party_names)})")
    not_null = list(not_null)
    args: list[Any] = [None] * N_PARTIES
    args[owner_index] = (data, source)

    def fn(engine: Engine, rt: Runtime, arg: Any) -> ChangeResult:
        rows, src = arg if arg is not None else (None, None)
        return import_table(engine, rt, owner, table, rows, source=src, not_null=not_null)

    return run_inprocess(federation, fn, args)[owner_index]


def drop_inprocess(federation: Federation, table: str) -> ChangeResult:
    return run_inprocess(federation, lambda e, rt, _: drop(e, rt, table))[0]


def recover_inprocess(federation: Federation) -> dict[str, int | None]:
    return run_inprocess(federation, lambda e, rt, _: recover(e, rt))[0]


__all__ = [
    "ChangeResult", "append", "check_rows", "drop", "drop_inprocess", "import_table",
    "import_table_inprocess", "load_shared", "read_source", "recover", "recover_inprocess",
    "run_inprocess", "shared_string_key", "versions",
]
