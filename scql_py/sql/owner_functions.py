"""The scalar functions an owner evaluates on its own rows, in its own storage engine.

A function over one party's columns runs at that party before anything is shared
(dates, strings, math: what DuckDB has, written by sqlglot from our MySQL-like
dialect). The list is closed on purpose: a function that reads the owner's files,
environment or settings (``getenv``, ``read_text``, ``current_setting``) would run at a
party that did not ask, on behalf of one that did, so only these are accepted.

Their result types are DuckDB's: the planner asks DuckDB to bind the expression over
typed NULLs (nothing is computed), so the type is the one the owner's engine and the
DuckDB oracle both give.

>>> from scql_py.catalog.types import DATE
>>> str(owner_function_type(exp.Year(this=exp.column("d")), {"d": DATE}))
'int64'
"""

from __future__ import annotations

import functools
import re
import threading

import duckdb
from sqlglot import exp

from scql_py.catalog.types import BOOL, DATE, FLOAT64, INT64, STRING, TIMESTAMP, SqlType
from scql_py.errors import NotSupportedError, ProgrammingError

STORAGE_DIALECT = "duckdb"

DATE_FUNCTIONS = (
    exp.Year, exp.Month, exp.Day, exp.Quarter, exp.DayOfWeek, exp.DayOfYear, exp.Week,
    exp.WeekOfYear, exp.DayOfMonth,
    exp.Hour, exp.Minute, exp.Second, exp.Extract, exp.DateAdd, exp.DateSub, exp.DateDiff,
    exp.TimestampDiff, exp.TimeToStr, exp.StrToDate, exp.StrToTime, exp.LastDay,
    exp.DateTrunc, exp.TimestampTrunc, exp.CurrentDate, exp.CurrentTimestamp,
    # how sqlglot reads MySQL's implicit conversions inside the functions above
    exp.TsOrDsToDate, exp.TsOrDsToTimestamp,
)
STRING_FUNCTIONS = (
    exp.Upper, exp.Lower, exp.Substring, exp.Concat, exp.Length, exp.Trim, exp.Replace,
    exp.Left, exp.Right, exp.StrPosition, exp.Reverse,
)
MATH_FUNCTIONS = (
    exp.Abs, exp.Round, exp.Floor, exp.Ceil, exp.Sqrt, exp.Pow, exp.Ln, exp.Log, exp.Exp,
    exp.Sin, exp.Cos, exp.Tan, exp.Asin, exp.Acos, exp.Atan, exp.Atan2, exp.Sign, exp.Pi,
    exp.Greatest, exp.Least,
)
OWNER_FUNCTIONS = DATE_FUNCTIONS + STRING_FUNCTIONS + MATH_FUNCTIONS

# functions sqlglot does not know by class, accepted by name (upper case)
OWNER_ANONYMOUS = {"NOW"}


def is_owner_function(node: exp.Expression) -> bool:
    if isinstance(node, exp.Anonymous):
        return node.name.upper() in OWNER_ANONYMOUS
    return isinstance(node, OWNER_FUNCTIONS)


def needs_owner_typing(node: exp.Expression) -> bool:
    """Whether DuckDB gives ``node``'s type: an owner function, or arithmetic with an
    INTERVAL (``d + INTERVAL 1 DAY``)."""
    if is_owner_function(node):
        return True
    return isinstance(node, (exp.Add, exp.Sub)) and any(
        isinstance(side, exp.Interval) for side in (node.left, node.right))


_DUCKDB_TYPES = {
    "BIGINT": INT64, "INTEGER": INT64, "SMALLINT": INT64, "TINYINT": INT64,
    "UBIGINT": INT64, "UINTEGER": INT64, "USMALLINT": INT64, "UTINYINT": INT64,
    "HUGEINT": INT64, "DOUBLE": FLOAT64, "FLOAT": FLOAT64, "VARCHAR": STRING,
    "DATE": DATE, "TIMESTAMP": TIMESTAMP, "BOOLEAN": BOOL,
}
_DECIMAL = re.compile(r"^DECIMAL\((\d+),\s*(\d+)\)$")


def _from_duckdb(name: str, node: exp.Expression) -> SqlType:
    if name in _DUCKDB_TYPES:
        return _DUCKDB_TYPES[name]
    m = _DECIMAL.match(name)
    if m:
        return SqlType("decimal", int(m[1]), int(m[2]))
    raise NotSupportedError(f"{node.sql(dialect='mysql')}: its value has type {name}, "
                            "which the engine does not carry (use it inside a function "
                            "or comparison that gives a number, string, date or bool)")


def _typed_null(t: SqlType) -> exp.Expression:
    if t.kind == "null":
        return exp.Null()
    return exp.Cast(this=exp.Null(), to=exp.DataType.build(t.to_duckdb(), dialect="duckdb"))


def owner_function_type(node: exp.Expression, columns: dict[str, SqlType]) -> SqlType:
    """DuckDB's type of ``node`` whose column references are bare names in ``columns``."""
    for c in node.find_all(exp.Column):
        if c.name not in columns:
            raise ProgrammingError(f"unknown column '{c.name}'")
    name, error = _bind(_over_nulls(exp.alias_(node.copy(), "v", quoted=True), node, columns))
    if error is not None:
        raise ProgrammingError(f"{node.sql(dialect='mysql')}: {error}")
    return _from_duckdb(name, node)


def null_on_null(node: exp.Expression, columns: dict[str, SqlType]) -> bool:
    """Whether ``node`` is NULL when every column it reads is NULL (so it may be
    computed before an outer join that NULL-extends those columns): DuckDB evaluates it
    on one row of typed NULLs."""
    is_null = exp.Is(this=exp.Paren(this=node.copy()), expression=exp.Null())
    return _is_null(_over_nulls(is_null, node, columns))


def _over_nulls(select: exp.Expression, node: exp.Expression,
                columns: dict[str, SqlType]) -> str:
    """``SELECT select`` over one row of typed NULLs named like ``node``'s columns, in
    DuckDB's dialect: the expression is written exactly as the owner's local SQL is."""
    used = sorted({c.name for c in node.find_all(exp.Column)})
    for div in list(select.find_all(exp.IntDiv)):
        # the local SQL casts each DIV to BIGINT (local_sql._truncated_int_divisions):
        # DuckDB's // of decimals or reals is a decimal or a double (ROUND(f DIV m, 1)
        # was typed a double, where the owner's answer and DuckDB's are BIGINT)
        div.replace(exp.cast(div.copy(), "BIGINT"))
    row = exp.select(*[exp.alias_(_typed_null(columns[c]), c, quoted=True) for c in used])
    probe = exp.select(select)
    if used:
        probe = probe.from_(exp.Subquery(this=row, alias=exp.TableAlias(
            this=exp.to_identifier("_t"))))
    return probe.sql(dialect=STORAGE_DIALECT, identify=True)


# one DuckDB of the planner's own, with no table: it binds and folds constants only
_lock = threading.Lock()
_con = duckdb.connect(":memory:")


@functools.lru_cache(maxsize=4096)
def _is_null(sql: str) -> bool:
    with _lock:
        try:
            return bool(_con.execute(sql).fetchone()[0])
        except duckdb.Error:
            return False


@functools.lru_cache(maxsize=4096)
def _bind(sql: str) -> tuple[str, str | None]:
    """The type name DuckDB binds the query ``sql`` to (binding only: nothing is
    read), or DuckDB's reason why it cannot."""
    with _lock:
        try:
            rel = _con.sql(sql)
            return str(rel.types[0]).upper(), None
        except duckdb.Error as err:
            # DuckDB's first line names the function and the argument types it got
            return "", re.sub(r"^[A-Za-z ]*Error: ", "", str(err).splitlines()[0])
