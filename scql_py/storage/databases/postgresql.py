"""PostgreSQL, through ADBC's libpq driver (``adbc-driver-postgresql``).

Why this driver: it is Arrow-native. A result travels as PostgreSQL's binary COPY format
and is decoded in C++ straight into Arrow columns, never into Python objects, so an owner
reading many rows pays no per-row Python cost; and the wheel bundles libpq, so ``pip
install`` alone sets it up. psycopg would need its own COPY parsing into Arrow.

The session is made to compute as the owner's DuckDB does: UTC as its time zone (a
``timestamptz`` is read as its UTC wall time), strings compared byte-wise (``COLLATE
"C"``, DuckDB's order, whatever the database's locale), ``%`` on any numeric type, and
read-only transactions (the owner never writes to its database through scql_py).
"""

from __future__ import annotations

import math
from typing import Any

import pyarrow as pa
from sqlglot import exp

from scql_py.catalog.databases import DatabaseUrl
from scql_py.catalog.types import SqlType
from scql_py.storage.databases.kind import DatabaseKind
from scql_py.storage.databases.results import conform

# PostgreSQL type (as format_type() spells it, without its modifiers) -> the catalog
# kinds a column of it may be declared as.
_READS_AS = {
    "smallint": {"int64", "float64", "decimal"},
    "integer": {"int64", "float64", "decimal"},
    "bigint": {"int64", "float64", "decimal"},
    "numeric": {"decimal", "float64"},
    "real": {"float64"},
    "double precision": {"float64"},
    "text": {"string"},
    "character varying": {"string"},
    "character": {"string"},
    "name": {"string"},
    "uuid": {"string"},
    "date": {"date"},
    "timestamp without time zone": {"timestamp"},
    "timestamp with time zone": {"timestamp"},
    "boolean": {"bool"},
}

_CAST_TO = {
    "int64": "BIGINT", "float64": "DOUBLE PRECISION", "string": "TEXT", "date": "DATE",
    "timestamp": "TIMESTAMP", "bool": "BOOLEAN",
}

_DESCRIBE = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod)
FROM pg_catalog.pg_attribute AS a
WHERE a.attrelid = to_regclass({name}) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


def _conninfo_value(value: str) -> str:
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


class PostgreSQL(DatabaseKind):
    scheme = "postgresql"
    label = "PostgreSQL"
    dialect = "postgres"
    package = "adbc-driver-postgresql"
    extra_nodes = (exp.Mod, exp.IntDiv, exp.PercentileDisc)

    def refuses(self, node: exp.Expression) -> str | None:
        if _is_checked_sum(node):
            return None  # rewritten below
        return super().refuses(node)

    def rewrite(self, ast: exp.Expression) -> exp.Expression:
        def fix(node: exp.Expression) -> exp.Expression:
            if _is_checked_sum(node):
                # the plan's int64 SUM with total semantics (an overflow is NULL): PostgreSQL
                # sums bigint as numeric, so check the range before the cast
                total = node.this
                fits = exp.Between(this=total.copy(), low=exp.Literal.number(-(2**63)),
                                   high=exp.Literal.number(2**63 - 1))
                return exp.Case(ifs=[exp.If(this=fits, true=exp.cast(total, "BIGINT"))])
            if isinstance(node, exp.Mod):
                # no % for floating point; numeric MOD truncates like DuckDB's %
                return exp.Anonymous(this="MOD", expressions=[
                    exp.cast(node.this, "NUMERIC"), exp.cast(node.expression, "NUMERIC")])
            if isinstance(node, exp.Cast) and node.this.is_type("boolean") and \
                    node.to.is_type(*exp.DataType.NUMERIC_TYPES):
                # booleans cast only to integer, as 0 and 1: from there to any number
                return exp.Cast(this=exp.cast(node.this, "INT"), to=node.to)
            if isinstance(node, (exp.Min, exp.Max)) and node.this.is_type("boolean"):
                # no MIN/MAX of booleans: FALSE < TRUE, as in DuckDB
                name = "BOOL_AND" if isinstance(node, exp.Min) else "BOOL_OR"
                return exp.Anonymous(this=name, expressions=[node.this])
            return node
        return ast.transform(fix)

    def read_column(self, column: exp.Expression, typ: SqlType) -> exp.Expression:
        if typ.kind == "decimal":
            return exp.cast(column, f"DECIMAL({typ.precision}, {typ.scale})")
        cast = exp.cast(column, _CAST_TO[typ.kind], dialect=self.dialect)
        if typ.kind == "string":
            return exp.Collate(this=cast, expression=exp.Identifier(this="C", quoted=True))
        return cast

    def connect(self, url: DatabaseUrl, password: str | None, timeout: float) -> Any:
        import adbc_driver_postgresql.dbapi as driver

        options = {"host": url.host or "localhost", "port": str(url.port or 5432),
                   "dbname": url.database or (url.user or "postgres"),
                   "connect_timeout": str(max(2, math.ceil(timeout))),
                   "application_name": "scql_py"}
        if url.user:
            options["user"] = url.user
        if password is not None:
            options["password"] = password
        options.update(url.params)  # sslmode, sslrootcert, ... as the owner sets them
        conninfo = " ".join(f"{k}={_conninfo_value(v)}" for k, v in options.items())
        con = driver.connect(conninfo, autocommit=True)
        try:
            with con.cursor() as cur:
                cur.execute(f"SET statement_timeout = {max(1, int(timeout * 1000))}")
                cur.execute("SET TIME ZONE 'UTC'")
                cur.execute("SET default_transaction_read_only = on")
        except BaseException:
            con.close()
            raise
        return con

    def describe(self, con: Any, table: tuple[str, ...]) -> list[tuple[str, str]] | None:
        name = ".".join('"' + p.replace('"', '""') + '"' for p in table)
        with con.cursor() as cur:
            cur.execute(_DESCRIBE.format(name="'" + name.replace("'", "''") + "'"))
            rows = cur.fetchall()
        return [(str(n), str(t)) for n, t in rows] or None

    def compatible(self, db_type: str, typ: SqlType) -> bool:
        base = db_type.split("(")[0].strip()
        if base.endswith("[]"):
            return False
        if base.startswith("timestamp"):  # 'timestamp(3) with time zone' has its modifier inside
            base = "timestamp with time zone" if "with time zone" in db_type else \
                "timestamp without time zone"
        return typ.kind in _READS_AS.get(base, set())

    def classify(self, err: BaseException) -> tuple[str, str]:
        code = getattr(err, "sqlstate", None)
        if not code or code.startswith("08"):  # SQLSTATE class 08: connection exception
            return "connection", code or "no SQLSTATE"
        category = {"57014": "timeout"}.get(code) or \
            {"22": "data", "42": "statement"}.get(code[:2], "other")
        return category, f"SQLSTATE {code}"

    def fetch(self, con: Any, sql: str, types: list[SqlType] | None) -> pa.Table:
        with con.cursor() as cur:
            cur.execute(sql)
            return conform(cur.fetch_arrow_table(), types)


__all__ = ["PostgreSQL"]


def _is_checked_sum(node: exp.Expression) -> bool:
    """``TRY_CAST(SUM(x) AS BIGINT)``: how a non-asking owner writes the plan's int64 SUM."""
    return (isinstance(node, exp.TryCast) and isinstance(node.this, exp.Sum)
            and node.to.is_type("bigint"))
