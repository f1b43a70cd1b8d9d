"""PEP 249 (DB-API 2.0) connection and cursor over a :class:`Federation`.

A :class:`Connection` asks as one party of a catalog; every statement runs across all the
parties and only the answer comes back to that party. This module holds no planning or
protocol logic: it calls ``Federation.execute`` (which binds qmark parameters) and hands the
Arrow result out row by row. ``SHOW TABLES``, ``DESCRIBE t`` and ``SHOW COLUMNS FROM t``
are answered here, from the asker's own copy of the catalog: nothing is sent to anyone.

>>> import scql_py
>>> con = scql_py.connect()                                     # doctest: +SKIP
>>> cur = con.cursor()                                          # doctest: +SKIP
>>> cur.execute("SELECT COUNT(*) FROM alice_income WHERE income > ?", (4000,))  # doctest: +SKIP
>>> cur.fetchone()                                              # doctest: +SKIP
(1,)
"""

from __future__ import annotations

import datetime as _dt
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa

from scql_py import errors as _errors
from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.cluster.remote import RemoteFederation
from scql_py.engine.progress import ProgressCallback
from scql_py.errors import InterfaceError, ProgrammingError
from scql_py.sql import catalog_statements
from scql_py.sql.params import bind_parameters

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "qmark"


# --- type objects and constructors (PEP 249) -------------------------------------------


class DBAPITypeObject:
    """A PEP 249 type object: equal to every ``type_code`` of its family.

    ``type_code`` in :attr:`Cursor.description` is the SQL type name of the column
    (``'int64'``, ``'float64'``, ``'bool'``, ``'string'``, ``'date'``, ``'timestamp'``,
    ``'decimal(p,s)'``).

    >>> NUMBER == "decimal(12,2)", STRING == "int64", "date" == DATETIME
    (True, False, True)
    """

    def __init__(self, name: str, *kinds: str):
        self.name = name
        self.kinds = frozenset(kinds)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self.kinds == other.kinds
        if isinstance(other, str):
            return other.split("(", 1)[0] in self.kinds
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self.kinds)

    def __repr__(self) -> str:
        return self.name


STRING = DBAPITypeObject("STRING", "string")
NUMBER = DBAPITypeObject("NUMBER", "int64", "float64", "decimal", "bool")
DATETIME = DBAPITypeObject("DATETIME", "date", "timestamp", "time")
BINARY = DBAPITypeObject("BINARY", "binary")
ROWID = DBAPITypeObject("ROWID", "rowid")

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime


def DateFromTicks(ticks: float) -> _dt.date:  # noqa: N802 - PEP 249 name
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:  # noqa: N802 - PEP 249 name
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:  # noqa: N802 - PEP 249 name
    return Timestamp(*time.localtime(ticks)[:6])


def Binary(data: bytes | bytearray | memoryview) -> bytes:  # noqa: N802 - PEP 249 name
    return bytes(data)


def type_code_of(arrow_type: pa.DataType) -> str:
    """The SQL type name used as ``type_code`` for an Arrow column type.

    >>> type_code_of(pa.decimal128(12, 2)), type_code_of(pa.int32())
    ('decimal(12,2)', 'int64')
    """
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "int64"
    if pa.types.is_floating(arrow_type):
        return "float64"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_time(arrow_type):
        return "time"
    if pa.types.is_interval(arrow_type):
        return "interval"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "binary"
    if pa.types.is_null(arrow_type):
        return "null"
    return str(arrow_type)


def _describe(field: pa.Field) -> tuple:
    code = type_code_of(field.type)
    precision = scale = None
    if pa.types.is_decimal(field.type):
        precision, scale = field.type.precision, field.type.scale
    return (field.name, code, None, None, precision, scale, field.nullable)


# --- connection and cursor ----------------------------------------------------------------


class Connection:
    """A session of one party (the asker) over one catalog. Use :meth:`cursor`.

    Queries do not change data and a change of a shared table commits at once on every
    party, so :meth:`commit` and :meth:`rollback` do nothing.

    ``progress``: a function called with a :class:`~scql_py.engine.progress.Progress`
    before each step of every query on this connection (see :meth:`Cursor.execute`).
    """

    def __init__(self, federation: Any, party: str, catalog: Any,
                 progress: ProgressCallback | None = None):
        self._federation = federation
        self.party = party
        self.catalog = catalog
        self.progress = progress
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._federation.close()

    def commit(self) -> None:
        self._check_open()

    def rollback(self) -> None:
        """Nothing to roll back (no transactions): a no-op, so that tools which roll
        back after a failed statement (pandas does) report that statement's error."""
        self._check_open()

    def explain(self, sql: str, *, analyze: bool = False) -> str:
        """The plan of ``sql``: placement of each step and what each party learns;
        ``analyze``: run it too, and add each party's seconds, rounds and megabytes
        sent per step (EXPLAIN ANALYZE; the result's rows are not shown)."""
        self._check_open()
        return self._federation.explain(self.party, sql, analyze=analyze)

    def execute(self, sql: str, params: Sequence[Any] | None = None, *,
                progress: ProgressCallback | None = None) -> Cursor:
        """Shortcut: a new cursor that has executed ``sql``."""
        return self.cursor().execute(sql, params, progress=progress)

    def party_status(self) -> dict[str, str]:
        """Every party of the catalog -> ``"up..."`` or why it is not (network mode: as
        this party's server sees the others now)."""
        self._check_open()
        return self._federation.party_status()

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()



# PEP 249 optional extension: the exception classes as connection attributes.
_PEP249_ERRORS = (
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
)
for _name in _PEP249_ERRORS:
    setattr(Connection, _name, getattr(_errors, _name))


class Cursor:
    """Runs statements and fetches their rows as tuples of Python values."""

    arraysize: int = 1

    def __init__(self, connection: Connection):
        self.connection = connection
        self.arraysize = 1
        self.messages: list[str] = []
        self.description: list[tuple] | None = None
        self.rowcount = -1
        self._table: pa.Table | None = None
        self._rows: list[tuple] | None = None
        self._pos = 0
        self._closed = False

    # -- executing

    def execute(self, sql: str, params: Sequence[Any] | None = None, *,
                progress: ProgressCallback | None = None) -> Cursor:
        """Run one statement; ``?`` placeholders are bound to ``params`` in order.

        ``progress`` (default: the connection's) is called with a
        :class:`~scql_py.engine.progress.Progress` before each step of the plan, from
        the thread that runs the asker's engine: keep it quick. Ctrl-C cancels the query
        on every party and raises ``KeyboardInterrupt``; the connection stays usable.
        """
        self._check_open()
        con = self.connection
        local = catalog_statements.answer(con.catalog, con.party, bind_parameters(sql, params)
                                          if params else sql)
        if local is not None:
            self._set_result(local, [])
            return self
        result = con._federation.execute(con.party, sql, params,
                                         progress=progress or con.progress)
        self._set_result(result.table, list(result.messages))
        return self

    def executemany(self, sql: str, seq_of_params: Sequence[Sequence[Any]]) -> Cursor:
        """Run ``sql`` once per parameter sequence; the rows of the last run stay fetchable."""
        self._check_open()
        messages: list[str] = []
        total = 0
        ran = False
        for params in seq_of_params:
            self.execute(sql, params)
            messages.extend(self.messages)
            total += max(self.rowcount, 0)
            ran = True
        self.messages = messages
        if ran:
            self.rowcount = total
        return self

    def _set_result(self, table: pa.Table, messages: list[str]) -> None:
        self._table = table
        self._rows = None
        self._pos = 0
        self.messages = messages
        self.description = [_describe(f) for f in table.schema]
        self.rowcount = table.num_rows

    # -- fetching

    def fetchone(self) -> tuple | None:
        rows = self._materialised()
        if self._pos >= len(rows):
            return None
        self._pos += 1
        return rows[self._pos - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        rows = self._materialised()
        n = self.arraysize if size is None else size
        out = rows[self._pos : self._pos + max(n, 0)]
        self._pos += len(out)
        return out

    def fetchall(self) -> list[tuple]:
        rows = self._materialised()
        out = rows[self._pos :]
        self._pos = len(rows)
        return out

    def fetch_arrow_table(self) -> pa.Table:
        """The rows not fetched yet, as a ``pyarrow.Table`` (no conversion to Python)."""
        table = self._result_table()
        rest = table.slice(self._pos)
        self._pos = table.num_rows
        return rest

    def fetch_df(self):
        """The rows not fetched yet, as a ``pandas.DataFrame``."""
        return self.fetch_arrow_table().to_pandas()

    def fetch_numpy(self) -> dict[str, np.ndarray]:
        """The rows not fetched yet, as one numpy array per column (by name). NULL is
        NaN in a numeric column that has one (integers then become floats) and None in
        the others (object arrays)."""
        table = self.fetch_arrow_table()
        return {name: col.to_numpy() for name, col in zip(table.column_names, table.columns)}

    def __iter__(self) -> Iterator[tuple]:
        return self

    def __next__(self) -> tuple:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def _result_table(self) -> pa.Table:
        self._check_open()
        if self._table is None:
            raise InterfaceError("no result: call execute() first")
        return self._table

    def _materialised(self) -> list[tuple]:
        table = self._result_table()
        if self._rows is None:
            columns = [col.to_pylist() for col in table.columns]
            self._rows = list(zip(*columns, strict=True)) if columns else [() for _ in range(table.num_rows)]
        return self._rows

    # -- the rest of PEP 249

    def close(self) -> None:
        self._closed = True
        self._table = None
        self._rows = None

    @property
    def closed(self) -> bool:
        return self._closed

    def setinputsizes(self, sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._check_open()

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def default_catalog_path() -> Path:
    """The bundled demo catalog: ``catalogs/demo.toml`` beside the package, in the repo."""
    return Path(__file__).resolve().parents[1] / "catalogs" / "demo.toml"


def connect(
    catalog: str | Path | None = None,
    party: str | None = None,
    mode: str = "inprocess",
    timeout: float = 30.0,
    certs: str | Path | None = None,
    insecure: bool = False,
    max_rows: int | None = None,
    progress: ProgressCallback | None = None,
) -> Connection:
    """Open a session asking as ``party`` (default: the catalog's first party).

    ``catalog`` is a catalog TOML file (default: the bundled demo). ``mode="inprocess"``
    runs every party's engine in this process, each in its own thread, talking only over
    the in-process network. ``mode="network"`` sends each statement to the party's own
    ``scql serve`` process, which runs it with the other parties' servers over mutually
    authenticated TLS (``certs``: the folder of ``scql certs``, by default ``certs/``
    beside the catalog; ``insecure=True`` for plain TCP).

    ``timeout``: seconds to wait for any party before ``OperationalError`` (in network
    mode the servers use it for this connection's queries when it is shorter than
    theirs). ``max_rows``: the row pairs a many-to-many secret join may compare (default:
    the catalog's ``max_rows``, else 10,000,000). ``progress``: see :meth:`Cursor.execute`.
    """
    if mode not in ("inprocess", "network"):
        raise ProgrammingError(f"unknown mode {mode!r}: use 'inprocess' or 'network'")
    if max_rows is not None and (isinstance(max_rows, bool) or not isinstance(max_rows, int)
                                 or max_rows < 1):
        raise ProgrammingError(f"max_rows must be a positive integer, not {max_rows!r}")
    path = Path(catalog) if catalog is not None else default_catalog_path()
    if mode == "network":
        # a party's machine holds only its own sources: the server checks the catalog
        fed = RemoteFederation(path, party, certs=certs, insecure=insecure, timeout=timeout,
                               max_rows=max_rows)
        return Connection(fed, fed.party, fed.catalog, progress)
    cat = load_catalog(path)
    names = list(cat.parties)
    if party is None:
        if not names:
            raise ProgrammingError(f"catalog {path} has no parties")
        party = names[0]
    elif party not in cat.parties:
        raise ProgrammingError(
            f"unknown party {party!r}: the catalog's parties are {', '.join(names)}"
        )
    return Connection(Federation(cat, timeout=timeout, max_rows=max_rows), party, cat, progress)
