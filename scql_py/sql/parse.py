"""Parse one SQL statement (MySQL-like, as SCQL users write it) with sqlglot.

>>> parse_statement("SELECT 1 + 2").sql()
'SELECT 1 + 2'
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError

from scql_py.errors import ProgrammingError

DIALECT = "mysql"


def parse_statement(sql: str) -> exp.Expression:
    """Parse exactly one statement; ``ProgrammingError`` with line and column otherwise."""
    try:
        statements = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except ParseError as err:
        first = err.errors[0] if err.errors else {}
        where = ""
        if first.get("line"):
            where = f" at line {first['line']}, column {first['col']}"
        near = (first.get("highlight") or "").strip()
        near = f" near '{near}'" if near else ""
        desc = re.sub(r"\s*<Token [^>]*>", " token", first.get("description") or str(err))
        raise ProgrammingError(f"syntax error{where}{near}: {desc}") from None
    except TokenError as err:
        raise ProgrammingError(f"syntax error: {err}") from None
    if not statements:
        raise ProgrammingError("empty statement")
    if len(statements) > 1:
        raise ProgrammingError("one statement at a time: split statements on ';'")
    return statements[0].transform(_known_function)


def _known_function(node: exp.Expression) -> exp.Expression:
    """sqlglot leaves WEEKDAY(x) an unknown function; DuckDB's ``weekday`` is its
    ``dayofweek`` (0 is Sunday), which every path here knows as DAYOFWEEK."""
    if (isinstance(node, exp.Anonymous) and node.name.upper() == "WEEKDAY"
            and len(node.expressions) == 1):
        return exp.DayOfWeek(this=node.expressions[0])
    return node
