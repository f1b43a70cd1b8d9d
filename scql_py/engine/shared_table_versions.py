"""Secret-shared tables at rest, the party's part: import, query, append and drop with
no owner online.

Every function here runs on all three parties at once, in lockstep, like a plan step:
``fn(storage, rt, ...)`` with the party's :class:`~scql_py.storage.PartyStorage` and its
protocol :class:`~scql_py.mpc.runtime.Runtime`. How rows become stored words is
:mod:`scql_py.engine.seeded_shares`; the tables that hold them,
:mod:`scql_py.storage.stored_shares`.

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
from typing import Any

import numpy as np
import pyarrow as pa

from scql_py.catalog import Catalog, Table
from scql_py.catalog.ccl import CCLLevel
from scql_py.catalog.types import SqlType
from scql_py.engine import encoding
from scql_py.engine.keyed_floats import keyed_alike, with_keys
from scql_py.engine.relation import SecretRelation
from scql_py.engine.seeded_shares import (
    concat_segments,
    load_segment,
    owner_words,
    reshare_seeded,
    word_labels,
    word_shares,
)
from scql_py.errors import (
    DataError,
    InternalError,
    OperationalError,
    ProgrammingError,
    SecurityError,
)
from scql_py.mpc.runtime import N_PARTIES, Runtime
from scql_py.storage import PartyStorage
from scql_py.storage.import_rows import check_rows, read_source
from scql_py.storage.stored_shares import COMMITTED, PREPARED, ShareStore, VersionInfo

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


# -- agreeing on versions -------------------------------------------------------------------

@dataclass
class _Agreement:
    current: dict[str, int | None]  # name -> the version every party now reads
    next_version: dict[str, int]  # name -> the number a change writes
    extras: list[Any]  # what each party sent along, by party index
    string_key: bytes


def _store(storage: PartyStorage) -> ShareStore:
    return ShareStore(storage.connection.cursor(), where=f"party {storage.party.name}")


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

def import_table(storage: PartyStorage, rt: Runtime, owner: str, table: str,
                 data: pa.Table | None = None, *, source: str | Path | None = None,
                 not_null: Iterable[str] = ()) -> ChangeResult:
    """Secret-share ``owner``'s rows of ``table`` into every party's storage, as a new
    version (replacing any earlier one). The owner passes its rows as ``data`` or reads
    them from ``source`` (default: the table's catalog source); the others pass nothing.
    A bad row fails the import on every party with the owner's error; nothing is stored.
    Rounds: agree, share, prepared (3).
    """
    decl = _declared(storage.catalog, table)
    if decl.owner != owner:
        raise ProgrammingError(f"table '{decl.name}' is owned by '{decl.owner}', not '{owner}'")
    owner_index = rt.computing_index(storage.catalog.party_names.index(owner))
    if owner_index is None:  # the catalog refuses it; a hand-made Catalog might not
        raise ProgrammingError(f"table '{decl.name}' is owned by data party '{owner}': "
                               "shared tables are owned by computing parties")
    meta: dict[str, Any] | None = None
    if storage.party.name == owner:
        try:
            rows = read_source(decl, source) if data is None else data
            rows = check_rows(decl, rows, not_null)
            widths = {c: encoding.string_width(rows.column(c))
                      for c, t in decl.columns.items() if t.kind == "string"}
            known, strings = owner_words(decl, rows, widths)
            meta = {"rows": rows.num_rows, "widths": widths}
        except (DataError, ProgrammingError, OperationalError) as err:
            meta = {"error": str(err), "kind": type(err).__name__}
    store = _store(storage)
    try:
        agreement = _agree(rt, store, [decl.name], meta)
        meta = agreement.extras[owner_index]
        if "error" in meta:
            kind = {"ProgrammingError": ProgrammingError,
                    "OperationalError": OperationalError}.get(meta["kind"], DataError)
            raise kind(meta["error"])
        n, widths = int(meta["rows"]), {k: int(v) for k, v in meta["widths"].items()}
        schema = _schema(decl)
        float_keys = [c for c, t in decl.columns.items() if t.kind == "float64"]
        labels = word_labels(schema, widths, False, float_keys)
        if storage.party.name == owner:
            for column, values in strings.items():
                known[column] = encoding.string_hash(values, agreement.string_key)
        else:
            known = None
        seg, words, bits = reshare_seeded(rt, owner_index, labels, n, known, None, widths, False,
                                          float_keys)
        version = agreement.next_version[decl.name]
        seg.id = version
        info = VersionInfo(decl.name, version, PREPARED, False, owner, schema, _ccl(decl),
                           [seg] if n else [])
        _two_phase(rt, store, info, words, bits)
        return ChangeResult(decl.name, version, n)
    finally:
        store.close()


def append(storage: PartyStorage, rt: Runtime, table: str, rel: SecretRelation,
           create: bool = False) -> ChangeResult:
    """``INSERT INTO table``: add the rows of a secret relation (columns in the table's
    order and types; its validity bits are kept, so filtered rows stay secret) as a new
    version. ``create``: ``CREATE SHARED TABLE table AS SELECT``, the first version of a
    declared table that holds none (or was dropped). Rounds: agree, reshare, prepared (3),
    and before the reshare the keys of computed float columns (``keyed_floats``)."""
    decl = _declared(storage.catalog, table)
    store = _store(storage)
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
            # computed floats are stored with the key of their fixed point: the table's
            # other rows keep theirs when read together
            rel = replace(rel, columns=with_keys(rt, rel.columns))
            shares, widths, float_keys = word_shares(rel, info.schema)
            labels = word_labels(info.schema, widths, rel.valid is not None, float_keys)
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
            seg, words, bits = reshare_seeded(rt, role, labels, rel.n, known, third, widths,
                                              rel.valid is not None, float_keys)
            seg.id = version
            segments.append(seg)
        new = replace(info, version=version, state=PREPARED, segments=segments)
        _two_phase(rt, store, new, words, bits)
        return ChangeResult(decl.name, version, new.rows)
    finally:
        store.close()


def drop(storage: PartyStorage, rt: Runtime, table: str) -> ChangeResult:
    """``DROP TABLE``: a new version with no rows; every party then drops the share data.
    Rounds: agree, prepared (2)."""
    name = table.lower()
    store = _store(storage)
    try:
        agreement = _agree(rt, store, [name])
        info = _current(store, agreement, name)
        new = replace(info, version=agreement.next_version[name], state=PREPARED,
                      dropped=True, segments=[])
        _two_phase(rt, store, new, None, None)
        return ChangeResult(name, new.version, 0)
    finally:
        store.close()


def load_shared(storage: PartyStorage, rt: Runtime, table: str,
                columns: Sequence[str] | None = None) -> tuple[SecretRelation, int]:
    """The current version of a shared table as a secret relation (only ``columns``, in
    that order, when given), and that version's number. One round (the agreement); the
    shares come from this party's own storage."""
    decl = _declared(storage.catalog, table)
    store = _store(storage)
    try:
        agreement = _agree(rt, store, [decl.name])
        info = _current(store, agreement, decl.name)
        _check_declaration(decl, info)
        types = dict((c, SqlType.parse(t)) for c, t in info.schema)
        names = [c.lower() for c in columns] if columns is not None else list(types)
        for c in names:
            if c not in types:
                raise ProgrammingError(f"shared table '{decl.name}' has no column '{c}'")
        parts = [load_segment(rt.party, store, info, seg, names, types)
                 for seg in info.segments]
        if len(parts) > 1:  # a segment stored without float keys gets them from fixed point
            for j, c in enumerate(names):
                if types[c].kind == "float64":
                    for part, col in zip(parts, keyed_alike(rt, [p.columns[j] for p in parts])):
                        part.columns[j] = col
        return concat_segments(rt.party, info.rows, names, types, parts), info.version
    finally:
        store.close()


def shared_string_key(storage: PartyStorage, rt: Runtime) -> bytes:
    """The hash key of shared strings (one round); a query over shared string columns
    uses it as its string key."""
    store = _store(storage)
    try:
        return _agree(rt, store, []).string_key
    finally:
        store.close()


def recover(storage: PartyStorage, rt: Runtime) -> dict[str, int | None]:
    """Agree on every shared table any party holds (at start-up): finish or undo what a
    crash interrupted. Returns each table's current version (None: none). One round."""
    store = _store(storage)
    try:
        return _agree(rt, store, None).current
    finally:
        store.close()


def versions(storage: PartyStorage) -> dict[str, list[list]]:
    """This party's own record of its shared tables' versions (no agreement: for
    inspection)."""
    store = _store(storage)
    try:
        return store.listing()
    finally:
        store.close()
