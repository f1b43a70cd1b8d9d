"""The kinds of database an owner's tables may live in, by URL scheme.

Adding one (Trino, Spark SQL, Snowflake, MySQL, ...) is a module with a
:class:`~.kind.DatabaseKind` (its sqlglot dialect, its driver's connect, describe and
fetch) and a line here.
"""

from __future__ import annotations

from scql_py.catalog.databases import Database
from scql_py.errors import CatalogError
from scql_py.storage.databases.duckdb_file import DuckDBFile
from scql_py.storage.databases.kind import DatabaseKind
from scql_py.storage.databases.postgresql import PostgreSQL
from scql_py.storage.databases.sqlite import SQLite

KINDS: dict[str, DatabaseKind] = {k.scheme: k for k in (PostgreSQL(), SQLite(), DuckDBFile())}
ALIASES = {"postgres": "postgresql", "sqlite3": "sqlite"}


def kind_of(database: Database, catalog_path: object = "catalog") -> DatabaseKind:
    """The kind of ``database``; ``CatalogError`` naming the catalog file and the key for
    an unknown scheme."""
    assert database.url is not None
    scheme = ALIASES.get(database.url.scheme, database.url.scheme)
    kind = KINDS.get(scheme)
    if kind is None:
        raise CatalogError(
            f"{catalog_path}: {database.key}.url: unknown kind of database "
            f"'{database.url.scheme}://' "
            f"(supported: {', '.join(f'{s}://' for s in KINDS)})")
    return kind


__all__ = ["KINDS", "kind_of"]
