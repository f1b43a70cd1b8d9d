"""A party's storage engine: a DuckDB database holding only that party's own tables.

Tables are loaded from their source files on first use, and only those the party owns:
a party never opens another party's source. With a file as storage, a loaded table is
kept and reloaded only when its source file or declared columns change.

A table in one of the party's databases is never copied in: a local statement reading
only such tables of one database runs there (see :mod:`scql_py.storage.databases`), and
one that the database cannot run reads the tables' rows from it for this statement only.
"""

from __future__ import annotations

import os
import re
import threading
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from scql_py.catalog import Catalog, SqlType, Table
from scql_py.catalog.catalog import MEMORY
from scql_py.errors import (
    DatabaseError,
    DataError,
    InternalError,
    OperationalError,
    ProgrammingError,
)
from scql_py.storage.databases import DatabaseClient, Route, route
from scql_py.storage.sources import load_table, quote_ident

# Which source (and version of it) each stored table was loaded from.
_SOURCES_TABLE = "_scql_sources"


class PartyStorage:
    """The storage engine of party ``party_name`` of ``catalog``.

    >>> from pathlib import Path
    >>> from scql_py.catalog import load_catalog
    >>> cat = load_catalog(Path(__file__).parents[2] / "catalogs" / "demo.toml")
    >>> with PartyStorage(cat, "bob") as bob:
    ...     bob.query("SELECT income FROM bob_income").column("income").to_pylist()
    [6000]
    """

    def __init__(self, catalog: Catalog, party_name: str, timeout: float = 30.0):
        self.catalog = catalog
        self.party = catalog.party(party_name)
        self._own = {t.name: t for t in catalog.tables_of(party_name) if t.source is not None}
        self._in_databases = {t.name: t for t in catalog.tables_of(party_name)
                              if t.database is not None}
        # connected on first use; a database this copy of the catalog describes without
        # a URL is another party's business
        self.databases = {name: DatabaseClient(db, timeout, catalog.path)
                          for name, db in self.party.databases.items() if db.url is not None}
        self._loaded: set[str] = set()
        self._lock = threading.Lock()
        storage = self.party.storage
        try:
            if storage != MEMORY:
                Path(storage).parent.mkdir(parents=True, exist_ok=True)
            self._con: duckdb.DuckDBPyConnection | None = duckdb.connect(storage)
            if storage != MEMORY:
                os.chmod(storage, 0o600)  # its shares and copies of its data: this party's only
        except (duckdb.Error, OSError) as err:
            raise OperationalError(
                f"party {party_name}: cannot open its storage {storage}: {_message(err)}"
            ) from None

    @property
    def table_names(self) -> list[str]:
        """The tables this party owns and can read (files and database tables)."""
        return list(self._own) + list(self._in_databases)

    @property
    def connection(self) -> duckdb.DuckDBPyConnection:
        if self._con is None:
            raise OperationalError(f"party {self.party.name}: storage is closed")
        return self._con

    def load(self, name: str) -> None:
        """Make sure own table ``name`` is loaded (a no-op once it is)."""
        with self._lock:
            self._load(name)

    def load_all(self) -> None:
        """Load every source file, and check every database table against the catalog."""
        with self._lock:
            for name in self._own:
                self._load(name)
            for table in self._in_databases.values():
                self._client(table).check(table)

    def query(self, sql: str, params: Any = None,
              types: list[str] | list[SqlType] | None = None) -> pa.Table:
        """Run DuckDB SQL over this party's own tables; the result as an Arrow table.

        Own tables the text names are loaded first. A statement with no result (DDL)
        gives an empty table. ``types``: the catalog types of the result columns, which
        a result computed in a database is converted to (DuckDB's results already are).
        """
        with self._lock:
            if self._in_databases and params is None:
                how = route(self.catalog, self.party.name, sql)
                if how.database is not None or how.reads:
                    return self._query_databases(sql, how, _types(types))
            self._load_file_tables(sql)
            try:
                rel = self.connection.sql(sql, params=params) if params is not None \
                    else self.connection.sql(sql)
                return rel.to_arrow_table() if rel is not None else pa.table({})
            except duckdb.Error as err:
                raise translate_error(err, f"party {self.party.name}") from None

    def close(self) -> None:
        with self._lock:
            for client in self.databases.values():
                client.close()
            if self._con is not None:
                self._con.close()
                self._con = None

    def __enter__(self) -> PartyStorage:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _client(self, table: Table) -> DatabaseClient:
        return self.databases[table.database or ""]

    def _query_databases(self, sql: str, how: Route, types: list[SqlType] | None) -> pa.Table:
        """Run a local statement that reads database tables (``how``: its route)."""
        if how.unknown is not None:
            raise OperationalError(f"party {self.party.name}: its catalog gives no URL of "
                                   f"its database {how.unknown}")
        # before any row moves: every table is there, with the declared columns and types
        tables = [self._in_databases[name] for name in how.tables]
        names = {t.name: self._client(t).check(t) for t in tables}
        how = route(self.catalog, self.party.name, sql, names)
        if how.database is not None:
            return self.databases[how.database.name].fetch(how.sql, types)
        # the database cannot run it all: read its tables' rows for this statement only
        con = self.connection
        registered = []
        try:
            for name, (database, read_sql) in how.reads.items():
                rows = self.databases[database.name].fetch(
                    read_sql, list(self._in_databases[name].columns.values()))
                con.register(name, rows)
                registered.append(name)
            self._load_file_tables(how.sql)
            return con.sql(how.sql).to_arrow_table()
        except duckdb.Error as err:
            raise translate_error(err, f"party {self.party.name}") from None
        finally:
            for name in registered:
                con.unregister(name)

    def _load_file_tables(self, sql: str) -> None:
        for name in self._own:
            if name not in self._loaded and re.search(rf"\b{name}\b", sql, re.IGNORECASE):
                self._load(name)

    def _load(self, name: str) -> None:
        if name in self._loaded:
            return
        table = self._own.get(name)
        if table is None:
            raise ProgrammingError(f"party {self.party.name} owns no table '{name}'")
        con = self.connection
        if self.party.storage == MEMORY:
            load_table(con, table)
        else:
            self._load_persistent(con, table)
        self._loaded.add(name)

    def _load_persistent(self, con: duckdb.DuckDBPyConnection, table: Table) -> None:
        assert table.source is not None
        try:
            stat = table.source.stat()
        except OSError as err:
            raise OperationalError(
                f"{table.source}: source of table '{table.name}' cannot be read: {err.strerror}"
            ) from None
        version = [
            str(table.source), stat.st_mtime_ns, stat.st_size,
            ",".join(f"{c} {t}" for c, t in table.columns.items()),
        ]
        try:
            con.execute(
                f"CREATE TABLE IF NOT EXISTS {_SOURCES_TABLE} (name VARCHAR PRIMARY KEY, "
                "source VARCHAR, mtime_ns BIGINT, size BIGINT, columns VARCHAR)"
            )
            stored_rows = con.execute(
                f"SELECT source, mtime_ns, size, columns FROM {_SOURCES_TABLE} WHERE name = ?",
                [table.name],
            ).fetchall()
            exists = con.execute(
                "SELECT count(*) FROM duckdb_tables() WHERE table_name = ?", [table.name]
            ).fetchall()[0][0]
        except duckdb.Error as err:
            raise translate_error(err, f"party {self.party.name}") from None
        if exists and stored_rows and list(stored_rows[0]) == version:
            return
        load_table(con, table)
        try:
            con.execute(
                f"INSERT OR REPLACE INTO {_SOURCES_TABLE} VALUES (?, ?, ?, ?, ?)",
                [table.name, *version],
            )
        except duckdb.Error as err:
            raise translate_error(err, f"party {self.party.name}") from None


def _types(types: list[str] | list[SqlType] | None) -> list[SqlType] | None:
    if types is None:
        return None
    return [t if isinstance(t, SqlType) else SqlType.parse(t) for t in types]


def translate_error(err: duckdb.Error, where: str) -> DatabaseError:
    """The scql_py (PEP 249) error for a DuckDB error, with a one-line message."""
    text = f"{where}: {_message(err)}"
    if isinstance(err, (duckdb.ConversionException, duckdb.OutOfRangeException,
                        duckdb.InvalidInputException)):
        return DataError(text)
    if isinstance(err, (duckdb.ParserException, duckdb.BinderException,
                        duckdb.CatalogException, duckdb.SyntaxException)):
        return ProgrammingError(text)
    if isinstance(err, duckdb.InternalException):
        return InternalError(text)
    return OperationalError(text)


def _message(err: Exception) -> str:
    lines = [s.strip() for s in str(err).splitlines() if s.strip()]
    return lines[0] if lines else type(err).__name__


__all__ = ["PartyStorage", "quote_ident", "translate_error"]
