"""Catalogs: parties, tables, column types and control lists (CCL)."""

from __future__ import annotations

from scql_py.catalog.catalog import DEFAULT_MAX_ROWS, Catalog, Party, Table, load_catalog
from scql_py.catalog.ccl import CCLLevel
from scql_py.catalog.types import BOOL, DATE, FLOAT64, INT64, STRING, TIMESTAMP, SqlType
from scql_py.errors import CatalogError

__all__ = [
    "BOOL", "DATE", "FLOAT64", "INT64", "STRING", "TIMESTAMP",
    "DEFAULT_MAX_ROWS", "CCLLevel", "Catalog", "CatalogError", "Party", "SqlType", "Table", "load_catalog",
]
