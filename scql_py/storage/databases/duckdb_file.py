"""DuckDB files, through duckdb itself, opened read-only, in UTC.

The owner's local SQL is already DuckDB's dialect, so a statement runs there exactly as
it would in the owner's own storage engine: no construct is refused.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa
from sqlglot import exp

from scql_py.catalog.databases import DatabaseUrl
from scql_py.catalog.types import SqlType
from scql_py.storage.databases.kind import DatabaseKind
from scql_py.storage.databases.results import conform

_INTEGERS = ("TINYINT", "SMALLINT", "INTEGER", "BIGINT", "UTINYINT", "USMALLINT", "UINTEGER")
_READS_AS = {
    **{t: {"int64", "float64", "decimal"} for t in _INTEGERS},
    "DECIMAL": {"decimal", "float64"},
    "FLOAT": {"float64"}, "DOUBLE": {"float64"},
    "VARCHAR": {"string"}, "UUID": {"string"},
    "DATE": {"date"},
    "TIMESTAMP": {"timestamp"}, "TIMESTAMP WITH TIME ZONE": {"timestamp"},
    "TIMESTAMP_S": {"timestamp"}, "TIMESTAMP_MS": {"timestamp"}, "TIMESTAMP_NS": {"timestamp"},
    "BOOLEAN": {"bool"},
}

_CATEGORIES = {
    "timeout": (duckdb.InterruptException,),
    "connection": (duckdb.IOException, duckdb.ConnectionException),
    "data": (duckdb.ConversionException, duckdb.OutOfRangeException,
             duckdb.InvalidInputException),
    "statement": (duckdb.ParserException, duckdb.BinderException, duckdb.CatalogException),
}


class DuckDBFile(DatabaseKind):
    scheme = "duckdb"
    label = "DuckDB"
    dialect = "duckdb"

    def refuses(self, node: exp.Expression) -> str | None:
        return None

    def read_column(self, column: exp.Expression, typ: SqlType) -> exp.Expression:
        return exp.cast(column, typ.to_duckdb(), dialect=self.dialect)

    def connect(self, url: DatabaseUrl, password: str | None, timeout: float) -> Any:
        path = Path(url.path or "")
        if not path.is_file():  # duckdb would create an empty database instead
            raise duckdb.IOException(f"no database file {path.name}")
        con = duckdb.connect(str(path), read_only=True)
        con.execute("SET TimeZone = 'UTC'")  # a TIMESTAMPTZ is read as its UTC wall time
        return con

    def describe(self, con: Any, table: tuple[str, ...]) -> list[tuple[str, str]] | None:
        *schema, name = table
        where = "table_name = ?" + (" AND table_schema = ?" if schema else "")
        rows = con.execute(
            f"SELECT column_name, data_type FROM information_schema.columns WHERE {where} "
            "ORDER BY ordinal_position", [name, *schema[-1:]]).fetchall()
        return [(str(n), str(t)) for n, t in rows] or None

    def compatible(self, db_type: str, typ: SqlType) -> bool:
        return typ.kind in _READS_AS.get(db_type.split("(")[0].strip().upper(), set())

    def fetch(self, con: Any, sql: str, types: list[SqlType] | None) -> pa.Table:
        return conform(con.sql(sql).to_arrow_table(), types)

    def classify(self, err: BaseException) -> tuple[str, str]:
        name = type(err).__name__
        for category, classes in _CATEGORIES.items():
            if isinstance(err, classes):
                return category, name
        return "other", name

    def interrupt(self, con: Any) -> None:
        con.interrupt()


__all__ = ["DuckDBFile"]
