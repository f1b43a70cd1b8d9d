"""SQLite files, through Python's own ``sqlite3`` module.

Why not ADBC's SQLite driver: it guesses each result column's Arrow type from its first
rows, and SQLite's values carry their types one by one, so a column whose first rows are
NULL (or a CASE mixing integers and reals) fails half-way ("Type mismatch in column").
Here the plan says each column's type, and the values are converted to it. A SQLite
file is small by nature; what the owner computes alone still runs inside SQLite.

SQLite's own semantics differ from DuckDB's in places (``%`` on reals, ``CAST`` of a
real to an integer truncates, ``LIKE`` ignores case): such statements run in the owner's
DuckDB over the rows read from the file instead (:meth:`SQLite.refuses`).
"""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path
from typing import Any

import pyarrow as pa
from sqlglot import exp

from scql_py.catalog.databases import DatabaseUrl
from scql_py.catalog.types import SqlType
from scql_py.storage.databases.kind import DatabaseKind

_FETCH_ROWS = 65536

# what each catalog kind is read as inside SQLite (dates and timestamps are ISO text)
_CAST_TO = {"int64": "INTEGER", "bool": "INTEGER", "float64": "REAL", "decimal": "REAL",
            "string": "TEXT", "timestamp": "TEXT"}


def _affinity(declared: str) -> str:
    """SQLite's column affinity of a declared type (its rules, section 3.1 of the
    datatypes page), with dates and booleans told apart as the catalog needs."""
    t = declared.upper()
    if "INT" in t:
        return "integer"
    if "CHAR" in t or "CLOB" in t or "TEXT" in t:
        return "text"
    if not t or "BLOB" in t:
        return "blob"
    if "REAL" in t or "FLOA" in t or "DOUB" in t:
        return "real"
    if "DATE" in t or "TIME" in t:
        return "datetime"
    if "BOOL" in t:
        return "bool"
    return "numeric"


_CATEGORIES = {
    "SQLITE_INTERRUPT": "timeout", "SQLITE_ERROR": "statement", "SQLITE_MISMATCH": "data",
    "SQLITE_RANGE": "data", "SQLITE_TOOBIG": "data", "SQLITE_BUSY": "connection",
    "SQLITE_LOCKED": "connection", "SQLITE_IOERR": "connection", "SQLITE_CORRUPT": "connection",
    "SQLITE_NOTADB": "connection", "SQLITE_CANTOPEN": "connection",
}

_READS_AS = {
    "integer": {"int64", "float64", "decimal", "bool"},
    "real": {"float64", "decimal"},
    "numeric": {"decimal", "float64", "int64"},
    "text": {"string", "date", "timestamp"},
    "datetime": {"date", "timestamp"},
    "bool": {"bool"},
    "blob": set(),
}


class SQLite(DatabaseKind):
    scheme = "sqlite"
    label = "SQLite"
    dialect = "sqlite"

    def refuses(self, node: exp.Expression) -> str | None:
        if isinstance(node, (exp.Add, exp.Sub)) and any(
                side.is_type(*exp.DataType.TEMPORAL_TYPES) for side in (node.left, node.right)):
            # dates are text in SQLite: '2020-03-01' - '2019-12-31' is 1
            return "SQLite has no arithmetic of dates and timestamps"
        if isinstance(node, exp.Cast):
            target = node.to.this
            if target == exp.DataType.Type.DOUBLE:
                return None
            if target == exp.DataType.Type.BIGINT and isinstance(node.this, (exp.Sum, exp.Count)):
                return None  # the local SQL's CAST(SUM(integer) AS BIGINT)
            return f"SQLite's CAST to {node.to.sql()} differs from DuckDB's"
        return super().refuses(node)

    def read_column(self, column: exp.Expression, typ: SqlType) -> exp.Expression:
        if typ.kind == "date":
            return exp.Anonymous(this="DATE", expressions=[column])
        return exp.cast(column, _CAST_TO[typ.kind], dialect=self.dialect)

    def connect(self, url: DatabaseUrl, password: str | None, timeout: float) -> Any:
        path = Path(url.path or "")
        if not path.is_file():  # sqlite3 would create an empty database instead
            raise sqlite3.OperationalError(f"no database file {path.name}")
        con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=timeout,
                              check_same_thread=False)
        con.execute("PRAGMA case_sensitive_like = ON")  # LIKE as DuckDB's
        return con

    def describe(self, con: Any, table: tuple[str, ...]) -> list[tuple[str, str]] | None:
        schema, name = (table[-2] if len(table) > 1 else "main"), table[-1]
        quoted = ['"' + part.replace('"', '""') + '"' for part in (schema, name)]
        rows = con.execute(f"PRAGMA {quoted[0]}.table_info({quoted[1]})").fetchall()
        return [(str(r[1]), str(r[2]) or "(no type)") for r in rows] or None

    def compatible(self, db_type: str, typ: SqlType) -> bool:
        return typ.kind in _READS_AS[_affinity("" if db_type == "(no type)" else db_type)]

    def fetch(self, con: Any, sql: str, types: list[SqlType] | None) -> pa.Table:
        cur = con.execute(sql)
        names = [d[0] for d in cur.description]
        columns: list[list] = [[] for _ in names]
        while rows := cur.fetchmany(_FETCH_ROWS):
            for j, values in enumerate(zip(*rows)):
                columns[j].extend(values)
        arrays = [_array(values, types[j] if types else None)
                  for j, values in enumerate(columns)]
        return pa.Table.from_arrays(arrays, names=names)

    def interrupt(self, con: Any) -> None:
        con.interrupt()  # thread-safe: the statement fails with 'interrupted'

    def classify(self, err: BaseException) -> tuple[str, str]:
        name = getattr(err, "sqlite_errorname", None) or type(err).__name__
        return _CATEGORIES.get(name, "other"), name


_ISO_T = re.compile(r"^(\d{4}-\d\d-\d\d)T")


def _array(values: list, typ: SqlType | None) -> pa.Array:
    if typ is None:
        return pa.array(values)
    if typ.kind in ("date", "timestamp"):
        text = [v if v is None else _ISO_T.sub(r"\1 ", str(v)) for v in values]
        return pa.array(text, pa.string()).cast(typ.to_arrow())
    if typ.kind == "string":
        return pa.array([v if v is None or isinstance(v, str) else str(v) for v in values],
                        pa.string())
    if typ.kind == "decimal":
        return pa.array([None if v is None else float(v) for v in values],
                        pa.float64()).cast(typ.to_arrow())
    if typ.kind == "float64":
        return pa.array([None if v is None else float(v) for v in values], pa.float64())
    return pa.array(values).cast(typ.to_arrow())

__all__ = ["SQLite"]
