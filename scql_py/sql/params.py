"""Bind qmark (``?``) parameters as typed SQL literals, never by string pasting.

>>> bind_parameters("SELECT * FROM t WHERE a = ? AND b = ?", (1, "x'y"))
"SELECT * FROM t WHERE a = 1 AND b = 'x''y'"
"""

from __future__ import annotations

import datetime as dt
import decimal
from collections.abc import Sequence

from sqlglot import exp

from scql_py.errors import ProgrammingError
from scql_py.sql.parse import DIALECT, parse_statement


def to_literal(value) -> exp.Expression:
    if value is None:
        return exp.Null()
    if isinstance(value, bool):
        return exp.Boolean(this=value)
    if isinstance(value, (int, float, decimal.Decimal)):
        if isinstance(value, float) and value != value:
            raise ProgrammingError("NaN is not a supported parameter value")
        return exp.Literal.number(value)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, dt.datetime):
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    raise ProgrammingError(f"unsupported parameter type {type(value).__name__}")


def bind_parameters(sql: str, params: Sequence | None) -> str:
    """Replace each ``?`` with the matching parameter; wrong counts are errors."""
    params = list(params or ())
    if "?" not in sql and not params:
        return sql
    ast = parse_statement(sql)
    holes = list(ast.find_all(exp.Placeholder, bfs=False))  # pre-order = text order
    if not holes and not params:
        return sql
    if len(holes) != len(params):
        raise ProgrammingError(
            f"the statement has {len(holes)} parameter(s) but {len(params)} were given"
        )
    for hole, value in zip(holes, params):
        hole.replace(to_literal(value))
    return ast.sql(dialect=DIALECT)
