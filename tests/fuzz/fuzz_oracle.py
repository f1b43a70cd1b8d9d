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
from sqlglot import exp

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
    values_equal,
    written,
)

__all__ = ["DIALECT", "GroupSizesUnjudged", "OracleAnswer", "Result", "arrow_result",
           "ask_oracle", "compare", "fixed_point_sql", "oracle_sql", "rows_equal",
           "TOTAL_SEMANTICS_MACRO", "tiny_floor_sql", "total_semantics_sql", "values_equal", "with_group_threshold", "without_limit",
           "written"]


def oracle_sql(sql: str) -> str:
    return to_duckdb(sql)


@dataclass
class OracleAnswer:
    result: Result | None
    error: str | None = None


def ask_oracle(con, sql: str) -> OracleAnswer:
    try:
        rel = con.sql(oracle_sql(sql))
        rows = rel.fetchall()
    except Exception as err:  # DuckDB refuses or fails: the query is no test at all
        return OracleAnswer(None, str(err).splitlines()[0])
    limit = _top_limit(sql)
    if limit is not None and len(rows) > limit:
        # DuckDB 2.0.1 ignores the LIMIT of a RIGHT JOIN whose left side has no rows
        # (91318:24: LIMIT 3 gave 7 rows); the rows it gives are the query's without it
        rows = rows[:limit]
    return OracleAnswer(Result([duckdb_family(t) for t in rel.types], rows))


def _top_limit(sql: str) -> int | None:
    """The top-level LIMIT of ``sql`` where it is a number, else None."""
    limit = sqlglot.parse_one(sql, read=DIALECT).args.get("limit")
    count = limit.expression if limit is not None else None
    return int(count.name) if isinstance(count, exp.Literal) and count.is_int else None


# where a quotient is rounded to fixed point under MPC before it is used (the README: in
# arithmetic and comparisons; comparisons are left alone, their rows must agree as they are)
_ARITHMETIC = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Neg, exp.Sum, exp.Avg)
FIXED_POINT_UNIT = 2**16


# the arithmetic an owner that does not ask computes with total semantics (DESIGN.md
# section 4: an overflow gives NULL, never an error that depends on its data)
_OVERFLOWS = (exp.Add, exp.Sub, exp.Mul, exp.Neg, exp.IntDiv)
# whether a value has a ring word to be shared in: a decimal below 2^63 units, a real
# below 2^47 (where such an owner gives NULL: the README's "Numbers")
TOTAL_SEMANTICS_MACRO = r"""CREATE OR REPLACE MACRO scql_fits(x) AS CASE
  WHEN typeof(x) LIKE 'DECIMAL%' THEN abs(TRY_CAST(CAST(x AS VARCHAR) AS DOUBLE))
       * power(10, CAST(regexp_extract(typeof(x), ',(\d+)\)', 1) AS INTEGER))
       < 9223372036854775807.0
  WHEN typeof(x) IN ('DOUBLE', 'FLOAT') THEN abs(TRY_CAST(CAST(x AS VARCHAR) AS DOUBLE))
       < 140737488355328.0
  ELSE TRUE END"""


def total_semantics_sql(sql: str) -> str:
    """``sql`` with every ``+``, ``-``, ``*``, ``DIV`` and negation NULL where it
    overflows (DuckDB's ``TRY``) or has no ring word (``scql_fits``, which the connection
    needs: :data:`TOTAL_SEMANTICS_MACRO`): the answer where an owner that does not ask
    computed those values. (The asker's own arithmetic fails instead, and so does MPC's,
    so an answer that only this oracle gives is one such owners gave.)"""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    for node in reversed(list(tree.find_all(*_OVERFLOWS, bfs=False))):  # inner first
        if node.find(exp.AggFunc, exp.Window, exp.Select) is None:  # (DuckDB's TRY takes
            tried = exp.Anonymous(this="TRY", expressions=[node.copy()])  # no such)
            fits = exp.Anonymous(this="scql_fits", expressions=[tried.copy()])
            node.replace(exp.Paren(this=exp.Case(ifs=[exp.If(this=fits, true=tried)])))
    return written(tree)


def tiny_floor_sql(sql: str) -> str:
    """``sql`` with each SUM's and AVG's argument 0 where it is below 2^-80 in magnitude:
    what the engine adds of a real (mpc/float_sum.py drops the bits below 2^-80, the
    README: a subnormal sums to 0)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    floor = exp.Literal.number(repr(2.0**-80))
    for node in reversed(list(tree.find_all(exp.Sum, exp.Avg, bfs=False))):
        arg = node.this.this if isinstance(node.this, exp.Distinct) else node.this
        if arg is None or isinstance(arg, exp.Star):
            continue
        tiny = exp.LT(this=exp.Abs(this=arg.copy()), expression=floor.copy())
        arg.replace(exp.Case(ifs=[exp.If(this=tiny, true=exp.Literal.number(0))],
                             default=arg.copy()))
    return written(tree)


# the functions whose real result an owner computes and shares, rounded to 2^-16 where
# arithmetic under MPC uses it (93023:12: SUM(LN(i + 1)) over a join of two parties)
_REAL_FUNCTIONS = (exp.Ln, exp.Log, exp.Sqrt, exp.Exp, exp.Pow, exp.Sin, exp.Cos,
                   exp.Tan, exp.Asin, exp.Acos, exp.Atan)


def fixed_point_sql(sql: str) -> str:
    """``sql`` for the fixed-point oracle (FederationUnderTest.fixed_point_oracle): each
    quotient (``/``, ``AVG``) used in arithmetic is rounded to 2^-16 first, as the engine
    uses it under MPC (``SUM(0.01 / 2)`` adds 0.0050048828125), as is a real function's
    result (``LN``, ``SQRT``, ...) that an owner shares; and so is a MEDIAN or
    PERCENTILE_CONT, truncated (the README: the interpolated fraction truncated to
    2^-16; 92236:2, PERCENTILE_CONT(0.1) of integers times a SUM)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    unit = exp.Literal.number(FIXED_POINT_UNIT)
    rounded = (exp.Div, exp.Avg, exp.Median, exp.WithinGroup, *_REAL_FUNCTIONS)
    for node in reversed(list(tree.find_all(*rounded, bfs=False))):  # inner first
        if isinstance(node, exp.WithinGroup) and not isinstance(node.this, exp.PercentileCont):
            continue  # (PERCENTILE_DISC picks a row's value)
        truncated = isinstance(node, (exp.Median, exp.WithinGroup))  # the others rounded
        parent = node.parent
        while isinstance(parent, exp.Paren):
            parent = parent.parent
        if isinstance(parent, _ARITHMETIC) and not isinstance(node.parent, exp.Window):
            to_unit = exp.Floor if truncated else exp.Round
            node.replace(exp.Paren(this=exp.Div(this=to_unit(this=exp.Mul(
                this=exp.Paren(this=node.copy()), expression=unit.copy())),
                expression=unit.copy())))
    return written(tree)


def without_limit(sql: str) -> str | None:
    """``sql`` without its top-level LIMIT/OFFSET, or None if it has no LIMIT."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    if tree.args.get("limit") is None:
        return None
    tree = tree.copy()
    tree.set("limit", None)
    tree.set("offset", None)
    return written(tree)


class GroupSizesUnjudged(Exception):
    """The engine sizes a group by the distinct rows of a table that the oracle cannot
    number there (the table is read inside a derived table of the grouped query)."""


def _distinct_rows_at_least(select: exp.Select, counted: tuple[str, ...], threshold: int
                            ) -> dict[str, exp.Expression]:
    """``COUNT(DISTINCT t.rowid) >= threshold`` for each table of ``counted`` that the
    grouped ``select`` reads in its own FROM and JOINs (DuckDB's row id numbers its rows as
    the engine's ROW_NUMBER at the scan does), by table."""
    sources = [select.args.get("from_") or select.args.get("from")] + list(
        select.args.get("joins") or [])
    direct = {t.name: t.alias_or_name for s in sources if s is not None
              for t in [s.this] if isinstance(t, exp.Table)}
    return {table: exp.GTE(this=exp.Count(this=exp.Distinct(
                expressions=[exp.column("rowid", table=direct[table])])),
                expression=exp.Literal.number(threshold))
            for table in counted if table in direct}


def with_group_threshold(sql: str, threshold: int, asker: str, owners: dict[str, str],
                         pushdown: bool, counted: tuple[str, ...] = ()) -> str:
    """``sql`` as the engine answers it under a group-size threshold: each GROUP BY and
    SELECT DISTINCT leaves out its groups of fewer than ``threshold`` rows, except one the
    asker's own engine computes alone (pushdown on, over the asker's tables only), which
    shows nobody else's rows. A group over a join that may repeat a row of a table of
    ``counted`` needs that many distinct rows of it (scql_py/sql/source_rows.py); raises
    :class:`GroupSizesUnjudged` where the oracle cannot count them."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    # a WITH table reads the tables of its body
    read_by = {cte.alias: {t.name for t in cte.this.find_all(exp.Table)}
               for cte in tree.find_all(exp.CTE)}
    numbered: set[str] = set()
    for select in list(tree.find_all(exp.Select)):
        grouped = select.args.get("group") is not None
        if not grouped and select.args.get("distinct") is None:
            continue
        tables = set().union(*(read_by.get(t.name, {t.name})
                               for t in select.find_all(exp.Table)))
        if pushdown and tables and all(owners.get(t) == asker for t in tables):
            continue
        if not grouped:
            select.set("distinct", None)
            select.set("group", exp.Group(expressions=[e.unalias().copy()
                                                       for e in select.expressions]))
        at_least = exp.GTE(this=exp.Count(this=exp.Star()),
                           expression=exp.Literal.number(threshold))
        for table, rows in _distinct_rows_at_least(select, counted, threshold).items():
            at_least = exp.and_(at_least, rows)
            numbered.add(table)
        having = select.args.get("having")
        condition = at_least if having is None else exp.and_(exp.Paren(this=having.this),
                                                              at_least)
        select.set("having", exp.Having(this=condition))
    if set(counted) - numbered:
        raise GroupSizesUnjudged(", ".join(sorted(set(counted) - numbered)))
    # a distinct UNION is a SELECT DISTINCT of the UNION ALL (the engine groups its rows
    # by every column), innermost first so that an outer one reads the inner's groups
    def at_least(node: exp.Expression) -> bool:
        """Whether the engine groups ``node``'s rows under MPC, where the threshold is."""
        tables = set().union(*(read_by.get(t.name, {t.name})
                               for t in node.find_all(exp.Table)))
        return not (pushdown and tables and all(owners.get(t) == asker for t in tables))

    # INTERSECT and EXCEPT group their left rows (the right ones are made distinct by a
    # secret bit, without a threshold)
    for op in list(tree.find_all(exp.Intersect, exp.Except)):
        if op.args.get("distinct") and at_least(op.left):
            op.set("this", exp.select("*").from_(op.left.copy().subquery("__distinct"))
                   .group_by(exp.Group(all=True)).having(exp.GTE(
                       this=exp.Count(this=exp.Star()),
                       expression=exp.Literal.number(threshold))).subquery())
    for union in reversed(list(tree.find_all(exp.Union))):
        if not union.args.get("distinct") or not at_least(union):
            continue
        both = exp.union(union.left.copy(), union.right.copy(), distinct=False)
        grouped = exp.select("*").from_(both.subquery("__distinct")).group_by(
            exp.Group(all=True)).having(exp.GTE(this=exp.Count(this=exp.Star()),
                                                expression=exp.Literal.number(threshold)))
        for arg in ("order", "limit", "offset"):
            if union.args.get(arg) is not None:
                grouped.set(arg, union.args[arg].copy())
        if union is tree:
            tree = grouped
        else:
            union.replace(grouped if isinstance(union.parent, exp.Subquery)
                          else grouped.subquery())
    return written(tree)
