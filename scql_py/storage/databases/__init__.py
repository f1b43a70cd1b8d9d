"""A party's own databases: where its tables live when they are not CSV or Parquet files.

The owner's share of every query runs in its database, as one statement in that
database's dialect (:mod:`.statement`); results come back as Arrow (:mod:`.client`).
One kind of database is one module (:mod:`.postgresql`, :mod:`.sqlite`,
:mod:`.duckdb_file`) and a line in :mod:`.registry`.
"""

from __future__ import annotations

from scql_py.storage.databases.client import DatabaseClient
from scql_py.storage.databases.kind import DatabaseKind
from scql_py.storage.databases.registry import KINDS, kind_of
from scql_py.storage.databases.statement import Route, read_table, route

__all__ = ["KINDS", "DatabaseClient", "DatabaseKind", "Route", "kind_of", "read_table", "route"]
