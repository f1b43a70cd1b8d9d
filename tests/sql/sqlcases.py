"""Read the SQL oracle fixtures (``tests/sql/*.sql``) and compare two results.

A fixture file starts with file headers, then holds one query per block; a block's
``-- key: value`` comment lines directly precede its statement, which ends with ``;``
at the end of a line::

    -- catalog: ../../catalogs/types.toml      (relative to the fixture file)
    -- party: alice

    -- name: count_union
    SELECT COUNT(*) FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob) AS u;

    -- name: group_by_not_yet
    -- error: NotSupportedError GROUP BY
    SELECT k, COUNT(*) FROM t_alice GROUP BY k;

Block keys: ``name`` (required, unique in the file), ``party`` and ``catalog`` (override
the file's), ``error: <ErrorClass> [text]`` (the query must raise that class of
``scql_py.errors`` with ``text`` in its message, case-insensitive; otherwise its result
must equal DuckDB's), ``secure-error: <ErrorClass> [text]`` (the same, only when
everything after the scans runs under MPC, e.g. order on secret strings),
``pushdown: both|on|off`` (which engine modes run it; default both), ``floats: exact``
(its floats are values the engine only moves, compares or picks: they must equal
DuckDB's exactly). Every other comment line is free text.

Comparison (:func:`compare`): same column count; same rows as multisets (in order only
when the query has a top-level ORDER BY); for a top-level LIMIT without ORDER BY, the
same number of rows, each a row of the query without its LIMIT; same NULLs; same type
family per column (integer, float, decimal, string, date, timestamp, interval, bool; DuckDB's
untyped NULL column matches any); floats equal within ``abs 2^-13 + rel 1e-6``
(:data:`ABS_TOL`, :data:`REL_TOL`: the engine computes on reals in fixed point with 16
fractional bits, so each input to arithmetic is off by up to 2^-17, and a SUM of n of
them by up to n 2^-17), or exactly in ``floats: exact`` blocks (values only moved,
compared or picked, and quotients, which are opened as the nearest doubles); integers,
decimals, strings, dates, timestamps and booleans exactly.
"""

from __future__ import annotations

import decimal
import math
import os
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp, transforms
from sqlglot.dialects.mysql import MySQL

# computed reals (see the README's bound): each float input to arithmetic is off by up
# to 2^-17, a SUM of n of them by n 2^-17 (the fixtures' sums stay within 2^-13: their
# rounding errors cancel), a product of a large and a small value relatively by 2^-17
# over the small one; values that are only moved are compared exactly (floats: exact)
ABS_TOL = 2**-13
REL_TOL = 1e-6
DIALECT = "mysql"  # what users (and the fixtures) write; DuckDB gets it transpiled


class _AsWritten(MySQL):
    """MySQL, but a FULL OUTER JOIN is written back as one: sqlglot's MySQL generator
    rewrites it (MySQL has none) into a UNION ALL of a LEFT and a RIGHT JOIN, which is
    another query wherever an aggregate, DISTINCT or LIMIT sits above the join."""

    class Generator(MySQL.Generator):
        TRANSFORMS = {**MySQL.Generator.TRANSFORMS, exp.Select: transforms.preprocess([
            transforms.eliminate_distinct_on,
            transforms.eliminate_semi_and_anti_joins,
            transforms.eliminate_qualify,
        ])}


def written(tree: exp.Expression) -> str:
    """A statement tree of our dialect as SQL text of our dialect (not a rewrite of it)."""
    return tree.sql(dialect=_AsWritten)

_KEY = re.compile(r"^--\s*([a-z][a-z_-]*)\s*:\s*(.*?)\s*$")
_FILE_KEYS = {"catalog", "party"}
_BLOCK_KEYS = {"name", "catalog", "party", "error", "secure-error", "pushdown", "floats"}
_PUSHDOWN = {"both": (True, False), "on": (True,), "off": (False,)}


@dataclass(frozen=True)
class Case:
    """One fixture query."""

    file: Path
    line: int
    name: str
    sql: str
    catalog: Path
    party: str | None
    error: str | None  # class name in scql_py.errors
    error_text: str | None
    pushdown_modes: tuple[bool, ...]
    secure_error: str | None = None
    secure_error_text: str | None = None
    exact_floats: bool = False

    @property
    def id(self) -> str:
        return f"{self.file.stem}::{self.name}"

    def expected_error(self, pushdown: bool) -> tuple[str | None, str | None]:
        """The error class name and message text expected in this mode, if any."""
        if not pushdown and self.secure_error is not None:
            return self.secure_error, self.secure_error_text
        return self.error, self.error_text


class FixtureError(ValueError):
    """A fixture file is malformed (a bug in the test data, reported with its line)."""


def load_cases(path: Path) -> list[Case]:
    """All the queries of one fixture file."""
    lines = path.read_text(encoding="utf-8").splitlines()
    file_headers: dict[str, str] = {}
    i = 0
    while i < len(lines) and lines[i].strip():  # the file headers end at the first blank
        match = _KEY.match(lines[i].strip())
        if match and match[1] in _FILE_KEYS:
            file_headers[match[1]] = match[2]
        i += 1

    cases: list[Case] = []
    keys: dict[str, str] = {}
    sql_lines: list[str] = []
    start = 0
    for number, raw in enumerate(lines[i:], start=i + 1):
        text = raw.strip()
        if not sql_lines and text.startswith("--"):
            match = _KEY.match(text)
            if match and match[1] in _BLOCK_KEYS:
                keys[match[1]] = match[2]
            continue
        if not sql_lines and not text:
            continue
        if not sql_lines:
            start = number
        sql_lines.append(raw)
        if text.endswith(";"):
            cases.append(_case(path, start, keys, "\n".join(sql_lines).strip()[:-1].strip(),
                               file_headers))
            keys, sql_lines = {}, []
    if sql_lines:
        raise FixtureError(f"{path}:{start}: statement without a final ';'")
    names = [c.name for c in cases]
    duplicates = {n for n in names if names.count(n) > 1}
    if duplicates:
        raise FixtureError(f"{path}: duplicate names {sorted(duplicates)}")
    return cases


def _case(path: Path, line: int, keys: dict[str, str], sql: str,
          file_headers: dict[str, str]) -> Case:
    where = f"{path}:{line}"
    if "name" not in keys:
        raise FixtureError(f"{where}: block without '-- name:'")
    catalog = keys.get("catalog", file_headers.get("catalog"))
    if catalog is None:
        raise FixtureError(f"{where}: no '-- catalog:' for this query")
    error, error_text = _error_key(keys.get("error"))
    secure_error, secure_error_text = _error_key(keys.get("secure-error"))
    pushdown = keys.get("pushdown", "both")
    if pushdown not in _PUSHDOWN:
        raise FixtureError(f"{where}: pushdown must be one of {sorted(_PUSHDOWN)}")
    floats = keys.get("floats", "tolerance")
    if floats not in ("exact", "tolerance"):
        raise FixtureError(f"{where}: floats must be 'exact' (or absent)")
    return Case(path, line, keys["name"], sql, (path.parent / catalog).resolve(),
                keys.get("party", file_headers.get("party")), error, error_text,
                _PUSHDOWN[pushdown], secure_error, secure_error_text, floats == "exact")


def _error_key(value: str | None) -> tuple[str | None, str | None]:
    if value is None:
        return None, None
    name, _, text = value.partition(" ")
    return name, text.strip() or None


def load_all(directory: Path) -> list[Case]:
    return [c for f in sorted(directory.glob("*.sql")) for c in load_cases(f)]


# --- the DuckDB side ---------------------------------------------------------------------


def to_duckdb(sql: str) -> str:
    """The fixture query in DuckDB's dialect (the oracle runs this)."""
    mysql = sqlglot.parse_one(sql, read=DIALECT)
    for node in list(mysql.find_all(exp.Distinct)):
        if isinstance(node.parent, exp.Count) and len(node.expressions) > 1:
            # sqlglot writes COUNT(DISTINCT a, b) as CASE WHEN a IS NULL ... WHEN b IS
            # NULL ...: a part like NOT x needs parentheses there (NOT x IS NULL is
            # NOT (x IS NULL) to DuckDB; fuzz 50209:196)
            for part in node.expressions:
                if not isinstance(part, (exp.Column, exp.Literal, exp.Paren)):
                    part.replace(exp.Paren(this=part.copy()))
    tree = sqlglot.parse_one(mysql.sql(dialect="duckdb"), read="duckdb")
    for node in list(tree.find_all(exp.IntDiv)):
        # MySQL's a DIV b: the quotient truncated toward zero, an integer, NULL for b = 0
        # (DuckDB's a // b divides decimals and reals without truncating)
        divisor = exp.Nullif(this=node.expression.copy(), expression=exp.Literal.number(0))
        quotient = exp.Div(this=exp.Paren(this=node.this.copy()), expression=divisor)
        node.replace(exp.cast(exp.Anonymous(this="TRUNC", expressions=[quotient]), "BIGINT"))
    return tree.sql(dialect="duckdb")


def without_outer_limit(sql: str) -> str | None:
    """``sql`` without its top-level LIMIT, or None if it has none or has an ORDER BY."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    if tree.args.get("limit") is None or tree.args.get("order") is not None:
        return None
    tree = tree.copy()
    tree.set("limit", None)
    tree.set("offset", None)
    return written(tree)


def has_outer_order(sql: str) -> bool:
    return sqlglot.parse_one(sql, read=DIALECT).args.get("order") is not None


# --- type families and comparison ---------------------------------------------------------

FAMILIES = ("integer", "float", "decimal", "string", "date", "timestamp", "interval", "bool",
            "null")


def arrow_family(t: pa.DataType) -> str:
    if pa.types.is_integer(t):
        return "integer"
    if pa.types.is_floating(t):
        return "float"
    if pa.types.is_decimal(t):
        return "decimal"
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return "string"
    if pa.types.is_date(t):
        return "date"
    if pa.types.is_timestamp(t):
        return "timestamp"
    if pa.types.is_interval(t):
        return "interval"
    if pa.types.is_boolean(t):
        return "bool"
    if pa.types.is_null(t):
        return "null"
    return str(t)


_DUCK_FAMILIES = {
    "TINYINT": "integer", "SMALLINT": "integer", "INTEGER": "integer", "BIGINT": "integer",
    "HUGEINT": "integer", "UTINYINT": "integer", "USMALLINT": "integer",
    "UINTEGER": "integer", "UBIGINT": "integer", "UHUGEINT": "integer",
    "FLOAT": "float", "DOUBLE": "float", "VARCHAR": "string", "DATE": "date",
    "TIMESTAMP": "timestamp", "TIMESTAMP_NS": "timestamp", "TIMESTAMP_MS": "timestamp",
    "TIMESTAMP_S": "timestamp", "INTERVAL": "interval", "BOOLEAN": "bool", "NULL": "null", '"NULL"': "null",
}


def duckdb_family(type_name: str) -> str:
    name = str(type_name).upper()
    if name.startswith("DECIMAL"):
        return "decimal"
    return _DUCK_FAMILIES.get(name, name)


@dataclass
class Result:
    """A result as compared: type families and rows of Python values."""

    families: list[str]
    rows: list[tuple]


def values_equal(a: Any, b: Any, abs_tol: float = ABS_TOL, rel_tol: float = REL_TOL) -> bool:
    """One engine value against one DuckDB value (see the module docstring)."""
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, float) or isinstance(b, float):
        if not isinstance(a, (int, float, decimal.Decimal)):
            return False
        if not isinstance(b, (int, float, decimal.Decimal)):
            return False
        fa, fb = float(a), float(b)
        if math.isnan(fa) or math.isnan(fb):
            return math.isnan(fa) and math.isnan(fb)
        return math.isclose(fa, fb, rel_tol=rel_tol, abs_tol=abs_tol)
    return type(a) is type(b) and a == b


def rows_equal(a: Sequence[Any], b: Sequence[Any], abs_tol: float = ABS_TOL,
               rel_tol: float = REL_TOL) -> bool:
    return len(a) == len(b) and all(values_equal(x, y, abs_tol, rel_tol)
                                    for x, y in zip(a, b, strict=True))


def _exact_key(row: Sequence[Any]) -> tuple:
    """A row's values with their types: ``True`` and ``1`` (or ``1.0``) are different
    keys, as :func:`values_equal` has them (a NaN matches nothing here, then pairwise)."""
    return tuple((type(v), v) for v in row)


def _unmatched(got: list[tuple], expected: list[tuple], abs_tol: float = ABS_TOL,
               rel_tol: float = REL_TOL) -> tuple[list[tuple], list[tuple]]:
    """Match rows as multisets (floats with tolerance): rows left over on each side.

    Rows equal value for value (and type for type) are matched first, by counting; only
    the rest are compared pairwise, which is quadratic (a join's 100,000 rows would take
    hours)."""
    try:
        counts = Counter(_exact_key(row) for row in expected)
    except TypeError:  # a value that does not hash: every row pairwise
        rest, left = list(got), list(expected)
    else:
        rest = []
        for row in got:
            key = _exact_key(row)
            if counts[key] > 0:
                counts[key] -= 1
            else:
                rest.append(row)
        left = []
        for row in expected:
            key = _exact_key(row)
            if counts[key] > 0:
                counts[key] -= 1
                left.append(row)
    extra = []
    for row in rest:
        for j, candidate in enumerate(left):
            if rows_equal(row, candidate, abs_tol, rel_tol):
                del left[j]
                break
        else:
            extra.append(row)
    return extra, left


def compare(got: Result, expected: Result, *, ordered: bool = False,
            subset_of: list[tuple] | None = None, abs_tol: float = ABS_TOL,
            rel_tol: float = REL_TOL, exact_floats: bool = False) -> str | None:
    """None if the engine's result ``got`` matches DuckDB's ``expected``, else why not.

    ``subset_of``: for a LIMIT without ORDER BY, the rows of the query without the
    LIMIT; the engine may return any of them (as many as DuckDB returned).
    ``abs_tol``/``rel_tol``: the float tolerance (the random differential tester in
    ``tests/fuzz`` asks for a tighter one than the fixtures); ``exact_floats``: floats
    must be equal, not close.
    """
    if exact_floats:
        abs_tol = rel_tol = 0.0
    if len(got.families) != len(expected.families):
        return f"{len(got.families)} columns, expected {len(expected.families)}"
    for i, (g, e) in enumerate(zip(got.families, expected.families, strict=True)):
        if g != e and e != "null":
            return f"column {i + 1} is {g}, expected {e}"
    if len(got.rows) != len(expected.rows):
        return (f"{len(got.rows)} rows, expected {len(expected.rows)}:\n"
                f"  got      {_show(got.rows)}\n  expected {_show(expected.rows)}")
    if subset_of is not None:
        extra, _ = _unmatched(got.rows, subset_of, abs_tol, rel_tol)
        return f"rows not in the unlimited result: {_show(extra)}" if extra else None
    if ordered:
        for n, (g, e) in enumerate(zip(got.rows, expected.rows, strict=True)):
            if not rows_equal(g, e, abs_tol, rel_tol):
                return f"row {n + 1} is {g!r}, expected {e!r}"
        return None
    extra, missing = _unmatched(got.rows, expected.rows, abs_tol, rel_tol)
    if extra or missing:
        return f"rows differ:\n  unexpected {_show(extra)}\n  missing    {_show(missing)}"
    return None


def _show(rows: list[tuple], limit: int = 8) -> str:
    text = ", ".join(repr(r) for r in rows[:limit])
    return f"[{text}{', ...' if len(rows) > limit else ''}] ({len(rows)} rows)"


def arrow_result(table: pa.Table) -> Result:
    columns = [c.to_pylist() for c in table.columns]
    rows = list(zip(*columns, strict=True)) if columns else []
    return Result([arrow_family(f.type) for f in table.schema], rows)


def duckdb_result(con: Any, sql: str) -> Result:
    rel = con.sql(to_duckdb(sql))
    families = [duckdb_family(t) for t in rel.types]
    if "interval" not in families:
        return Result(families, rel.fetchall())
    # an interval as DuckDB's Arrow result has it (months, days, nanoseconds): Python's
    # timedelta would hide how the days and the time of day are split
    return Result(families, arrow_result(rel.to_arrow_table()).rows)


EVERY_MODE = os.environ.get("SCQL_ORACLE_MODES", "").lower() == "all"


def modes_to_run(case: Case, index: int) -> tuple[bool, ...]:
    """The pushdown modes a default run gives ``case``, the ``index``-th of its suite.

    A case that expects an error runs in each of its modes (a refusal must hold in every
    mode, and costs no MPC); any other runs in one mode, alternating from case to case,
    so that every query and both modes are covered in half the time the default suite
    can afford. ``SCQL_ORACLE_MODES=all`` runs every mode of every case."""
    modes = case.pushdown_modes
    if EVERY_MODE or len(modes) < 2 or case.error is not None or case.secure_error is not None:
        return modes
    return (modes[index % len(modes)],)

