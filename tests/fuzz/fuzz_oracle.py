"""The oracle: DuckDB on the plaintext union of the parties' tables, asked the same SQL
with our dialect's semantics.

The transpilation is the fixture suite's (``tests/sql/sqlcases.py``: MySQL to DuckDB,
which puts ``NULLIF(divisor, 0)`` under ``/`` and ``%`` and NULLs first in ascending
order). On top of it, MySQL's ``DIV`` (which sqlglot turns into DuckDB's ``//``, a plain
division for decimals and reals, with no NULLIF) becomes a truncated quotient cast to
BIGINT with the same NULLIF; the connection also has ``error_on_division_by_zero`` off.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import sqlglot

# The fixture suite's dialect, transpilation and comparator live beside its fixtures; the
# tester uses them through this module only.
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sql"))
from sqlcases import (  # noqa: E402
    DIALECT,
    Result,
    arrow_result,
    compare,
    duckdb_family,
    rows_equal,
    to_duckdb,
)

__all__ = ["DIALECT", "OracleAnswer", "Result", "arrow_result", "ask_oracle", "compare",
           "oracle_sql", "rows_equal", "without_limit"]


def oracle_sql(sql: str) -> str:
    return to_duckdb(sql)


@dataclass
class OracleAnswer:
    result: Result | None
    error: str | None = None


def ask_oracle(con, sql: str) -> OracleAnswer:
    try:
        rel = con.sql(oracle_sql(sql))
        return OracleAnswer(Result([duckdb_family(t) for t in rel.types], rel.fetchall()))
    except Exception as err:  # DuckDB refuses or fails: the query is no test at all
        return OracleAnswer(None, str(err).splitlines()[0])


def without_limit(sql: str) -> str | None:
    """``sql`` without its top-level LIMIT/OFFSET, or None if it has no LIMIT."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    if tree.args.get("limit") is None:
        return None
    tree = tree.copy()
    tree.set("limit", None)
    tree.set("offset", None)
    return tree.sql(dialect=DIALECT)
