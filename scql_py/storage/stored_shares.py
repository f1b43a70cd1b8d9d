"""A party's secret-shared tables at rest: its share columns and their versions, in its own
DuckDB database.

A shared table has *versions*; a version is a list of *segments* (an import makes one, an
``INSERT`` adds one, a ``DROP`` makes a version with none). What one party keeps:

``_scql_shared_versions``
    one row per version it holds: ``name``, ``version``, ``state`` (``prepared`` or
    ``committed``) and ``info``, a JSON document (:class:`VersionInfo`: owner, schema, CCL,
    whether it is a drop, its segments with their row counts and this party's seeds).
``_scql_share__<name>__s<segment>``
    the stored share words of one segment, one ``UBIGINT`` column per shared word column
    (``<col>`` for a value or a string's hash, ``<col>.w<k>`` for a string's packed bytes,
    ``<col>.x`` for a float's exact key).
``_scql_share__<name>__s<segment>__bits``
    packed bit columns, 64 rows per word: NULL bits ``<col>.null``, boolean values
    ``<col>.v`` and, for rows appended by a filtered ``INSERT``, the row validity ``.valid``.
``_scql_shared_party``
    this party's random contribution to the hash key of shared strings.

Every share is replicated 2-out-of-3 (party *i* holds ``(z_i, z_{i+1})``), *seeded*: two
of the three shares of a segment are expansions of 16-byte seeds, so a segment's share
words are stored by two parties and its third party keeps only two seeds (see
:mod:`scql_py.engine.seeded_shares`). Per value a party stores at most one 64-bit word
(two for a float: fixed point and its exact key) plus one bit per packed bit column.

Writes are DuckDB transactions: a version appears with all its data or not at all.

>>> import duckdb, numpy as np
>>> store = ShareStore(duckdb.connect())
>>> seg = SegmentInfo(id=1, rows=3, role=0, widths={}, valid=False)
>>> info = VersionInfo("t", 1, "prepared", False, "alice", [["x", "int64"]], {}, [seg])
>>> store.prepare(info, {"x": np.arange(3, dtype=np.uint64)}, {"x.null": np.zeros(1, np.uint64)})
>>> store.commit("t", 1)
>>> store.listing()["t"][0][:2], store.read("t", seg, ["x"])["x"].tolist()
([1, 'committed'], [0, 1, 2])
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field

import duckdb
import numpy as np
import pyarrow as pa

from scql_py.storage.party_storage import translate_error
from scql_py.storage.sources import quote_ident

VERSIONS_TABLE = "_scql_shared_versions"
PARTY_TABLE = "_scql_shared_party"
DATA_PREFIX = "_scql_share__"
PREPARED, COMMITTED = "prepared", "committed"
SECRET_BYTES = 16


@dataclass
class SegmentInfo:
    """One segment of a version, as one party holds it.

    ``role`` names the segment's seed party ``r``: party ``r`` keeps two seeds, parties
    ``r+1`` and ``r+2`` keep the share words. ``seed_a``/``seed_b`` (hex) are this party's
    seeds of its first/second share, None where it stores words instead.
    """

    id: int
    rows: int
    role: int
    widths: dict[str, int]  # string column -> words of packed bytes
    valid: bool  # rows carry a secret validity bit
    seed_a: str | None = None
    seed_b: str | None = None
    # float64 columns stored with their exact keys: all of an import's; of an INSERT,
    # those whose rows were only moved (segments written before keys existed have none)
    float_keys: list[str] = field(default_factory=list)

    def public(self) -> dict:
        """What every party holds alike (all but the seeds)."""
        return {"id": self.id, "rows": self.rows, "role": self.role,
                "widths": self.widths, "valid": self.valid, "float_keys": self.float_keys}


@dataclass
class VersionInfo:
    """One version of a shared table, as one party holds it."""

    name: str
    version: int
    state: str
    dropped: bool
    owner: str
    schema: list[list[str]]  # [[column, type], ...] in table order
    ccl: dict[str, dict[str, str]]  # column -> party -> level
    segments: list[SegmentInfo] = field(default_factory=list)

    @property
    def rows(self) -> int:
        return sum(s.rows for s in self.segments)

    def to_json(self) -> str:
        data = asdict(self)
        for key in ("name", "version", "state"):
            data.pop(key)
        return json.dumps(data, sort_keys=True)

    @classmethod
    def from_row(cls, name: str, version: int, state: str, text: str) -> VersionInfo:
        data = json.loads(text)
        data["segments"] = [SegmentInfo(**s) for s in data["segments"]]
        return cls(name, version, state, **data)

    def digest(self) -> str:
        """A fingerprint of what all parties must hold alike (not the seeds)."""
        public = {"dropped": self.dropped, "owner": self.owner, "schema": self.schema,
                  "ccl": self.ccl, "segments": [s.public() for s in self.segments]}
        text = json.dumps(public, sort_keys=True).encode()
        return hashlib.blake2b(text, digest_size=8).hexdigest()


def data_table(name: str, segment: int) -> str:
    return f"{DATA_PREFIX}{name}__s{segment}"


def bits_table(name: str, segment: int) -> str:
    return f"{DATA_PREFIX}{name}__s{segment}__bits"


class ShareStore:
    """One party's shared tables in its DuckDB database ``con`` (a connection of its own:
    its transactions are not those of the party's other work).

    ``pause`` (tests only) is called inside :meth:`prepare`'s transaction once the share
    words are written, before the version row and the commit.
    """

    def __init__(self, con: duckdb.DuckDBPyConnection, where: str = "share store"):
        self.con = con
        self.where = where
        self._run(
            f"CREATE TABLE IF NOT EXISTS {VERSIONS_TABLE} "
            "(name VARCHAR, version BIGINT, state VARCHAR, info VARCHAR)"
        )
        self._run(f"CREATE TABLE IF NOT EXISTS {PARTY_TABLE} (secret BLOB)")

    def close(self) -> None:
        self.con.close()

    # -- reading -------------------------------------------------------------------------------
    def party_secret(self) -> bytes:
        """This party's random contribution to the shared-string hash key (made once)."""
        rows = self._run(f"SELECT secret FROM {PARTY_TABLE}").fetchall()
        if rows:
            return bytes(rows[0][0])
        secret = os.urandom(SECRET_BYTES)
        self._run(f"INSERT INTO {PARTY_TABLE} VALUES (?)", [secret])
        return secret

    def listing(self, names: Iterable[str] | None = None) -> dict[str, list[list]]:
        """``{name: [[version, state, digest], ...]}`` of the versions held, oldest first."""
        rows = self._run(
            f"SELECT name, version, state, info FROM {VERSIONS_TABLE} ORDER BY name, version"
        ).fetchall()
        wanted = None if names is None else set(names)
        out: dict[str, list[list]] = {n: [] for n in wanted or ()}
        for name, version, state, info in rows:
            if wanted is None or name in wanted:
                digest = VersionInfo.from_row(name, version, state, info).digest()
                out.setdefault(name, []).append([int(version), state, digest])
        return out

    def get(self, name: str, version: int) -> VersionInfo | None:
        rows = self._run(
            f"SELECT state, info FROM {VERSIONS_TABLE} WHERE name = ? AND version = ?",
            [name, version],
        ).fetchall()
        if not rows:
            return None
        return VersionInfo.from_row(name, version, rows[0][0], rows[0][1])

    def read(self, name: str, segment: SegmentInfo, labels: list[str]) -> dict[str, np.ndarray]:
        """This party's stored words of ``labels`` (word or bit columns) of a segment."""
        out: dict[str, np.ndarray] = {}
        bit_labels = [b for b in labels if _is_bits(b)]
        word_labels = [w for w in labels if not _is_bits(w)]
        for table, wanted in ((data_table(name, segment.id), word_labels),
                              (bits_table(name, segment.id), bit_labels)):
            if not wanted:
                continue
            select = ", ".join(quote_ident(c) for c in wanted)
            arrays = self._run(f"SELECT {select} FROM {quote_ident(table)}").fetchnumpy()
            for label in wanted:
                out[label] = np.ascontiguousarray(arrays[label], dtype=np.uint64)
        return out

    def segment_tables(self, name: str) -> dict[str, int]:
        """The data tables of ``name`` in this database, with their segment ids."""
        pattern = re.compile(re.escape(DATA_PREFIX + name) + r"__s(\d+)(__bits)?")
        rows = self._run("SELECT table_name FROM duckdb_tables()").fetchall()
        return {t: int(m[1]) for (t,) in rows if (m := pattern.fullmatch(t))}

    # -- writing -------------------------------------------------------------------------------
    def prepare(self, info: VersionInfo, words: dict[str, np.ndarray] | None,
                bits: dict[str, np.ndarray] | None,
                pause: Callable[[], None] | None = None) -> None:
        """Write a version (state ``prepared``) and its new segment's words, atomically.

        ``words``/``bits``: this party's stored columns of the version's last segment (None
        for a drop, or on the segment's seed party). Leftovers of an earlier attempt at the
        same version are replaced.
        """
        new = info.segments[-1] if info.segments and (words or bits) else None
        self._begin()
        try:
            self._delete_version(info.name, info.version)
            if new is not None:
                for table, columns in ((data_table(info.name, new.id), words),
                                       (bits_table(info.name, new.id), bits)):
                    self._run(f"DROP TABLE IF EXISTS {quote_ident(table)}")
                    if columns:
                        self._create(table, columns)
            if pause is not None:
                pause()
            self._run(f"INSERT INTO {VERSIONS_TABLE} VALUES (?, ?, ?, ?)",
                      [info.name, info.version, info.state, info.to_json()])
            self._commit()
        except BaseException:
            self._rollback()
            raise

    def commit(self, name: str, version: int) -> None:
        """Make ``version`` the committed one and drop every other version and its data."""
        self.settle(name, version)

    def settle(self, name: str, keep: int | None) -> None:
        """Keep only version ``keep`` of ``name`` (committed), or nothing when None; drop
        the data of every segment the kept version does not use. One transaction, and a
        no-op when there is nothing to change."""
        held = {v: s for v, s, _ in self.listing([name]).get(name, [])}
        kept_info = self.get(name, keep) if keep is not None else None
        used = {s.id for s in kept_info.segments} if kept_info is not None else set()
        stale = {t for t, seg in self.segment_tables(name).items() if seg not in used}
        if set(held) <= {keep} and held.get(keep, COMMITTED) == COMMITTED and not stale:
            return
        self._begin()
        try:
            self._run(f"DELETE FROM {VERSIONS_TABLE} WHERE name = ? AND version IS DISTINCT FROM ?",
                      [name, keep])
            if keep is not None:
                self._run(f"UPDATE {VERSIONS_TABLE} SET state = ? WHERE name = ? AND version = ?",
                          [COMMITTED, name, keep])
            for table in sorted(stale):
                self._run(f"DROP TABLE IF EXISTS {quote_ident(table)}")
            self._commit()
        except BaseException:
            self._rollback()
            raise
        if stale:
            self._checkpoint()

    def _checkpoint(self) -> None:
        """Let DuckDB reuse the blocks of dropped share data now, not at some later
        automatic checkpoint (a busy database skips it: it is only about space)."""
        try:
            self.con.execute("CHECKPOINT")
        except duckdb.Error:
            pass

    # -- helpers -------------------------------------------------------------------------------
    def _delete_version(self, name: str, version: int) -> None:
        self._run(f"DELETE FROM {VERSIONS_TABLE} WHERE name = ? AND version = ?", [name, version])

    def _create(self, table: str, columns: dict[str, np.ndarray]) -> None:
        arrow = pa.table({label: pa.array(np.asarray(words, dtype=np.uint64), pa.uint64())
                          for label, words in columns.items()})
        stage = "_scql_share_stage"
        self.con.register(stage, arrow)
        try:
            self._run(f"CREATE TABLE {quote_ident(table)} AS SELECT * FROM {stage}")
        finally:
            self.con.unregister(stage)

    def _begin(self) -> None:
        self._run("BEGIN TRANSACTION")

    def _commit(self) -> None:
        self._run("COMMIT")

    def _rollback(self) -> None:
        try:
            self.con.execute("ROLLBACK")
        except duckdb.Error:
            pass  # no transaction left to roll back (e.g. the commit itself failed)

    def _run(self, sql: str, params: list | None = None) -> duckdb.DuckDBPyConnection:
        try:
            return self.con.execute(sql, params) if params is not None else self.con.execute(sql)
        except duckdb.Error as err:
            raise translate_error(err, self.where) from None


def _is_bits(label: str) -> bool:
    return label.endswith((".null", ".v")) or label == ".valid"


__all__ = [
    "COMMITTED", "PREPARED", "SegmentInfo", "ShareStore", "VersionInfo", "bits_table",
    "data_table",
]
