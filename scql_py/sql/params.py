"""Bind qmark (``?``) parameters as typed SQL literals, never by string pasting.

The one binder of every path: the DB-API cursor, the in-process federation and the
networked client all bind here, so the same statement and parameters give the same SQL.

>>> bind_parameters("SELECT * FROM t WHERE a = ? AND b = ?", (1, "x'y"))
"SELECT * FROM t WHERE a = 1 AND b = 'x''y'"
>>> bind_parameters("SELECT a FROM t WHERE b = ? AND c < ?", ("it's", -2))
"SELECT a FROM t WHERE b = 'it''s' AND c < (-2)"
"""

from __future__ import annotations

import datetime as dt
import decimal
import math
from collections.abc import Sequence
from typing import Any

import sqlglot
from sqlglot import exp
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql.parse import DIALECT, parse_statement

# A named placeholder no user writes: it stands for the i-th ``?`` of the text.
_MARK = "__scql_param"


def to_literal(value: Any) -> exp.Expression:
    """A SQL literal that denotes ``value`` exactly."""
    if value is None:
        return exp.Null()
    if isinstance(value, bool):  # before int: bool is an int subclass
        return exp.Boolean(this=value)
    if isinstance(value, int):
        return _number(str(abs(value)), value < 0)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise NotSupportedError(f"parameter {value!r}: NaN and infinities are not supported")
        return _number(repr(abs(value)), math.copysign(1.0, value) < 0 and value != 0)
    if isinstance(value, decimal.Decimal):
        if not value.is_finite():
            raise NotSupportedError(f"parameter {value!r}: only finite decimals are supported")
        return _number(format(abs(value), "f"), value < 0)
    if isinstance(value, str):
        return exp.Literal.string(value)
    if isinstance(value, dt.datetime):  # before date: datetime is a date subclass
        if value.tzinfo is not None:  # timestamps are UTC without a zone
            value = value.astimezone(dt.timezone.utc).replace(tzinfo=None)
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise NotSupportedError("binary parameters are not supported: there is no binary type")
    raise ProgrammingError(f"unsupported parameter type {type(value).__name__}: {value!r}")


def _number(digits: str, negative: bool) -> exp.Expression:
    lit = exp.Literal.number(digits)
    # Parenthesised so that "x - ?" never renders as "x --5" (a comment).
    return exp.Paren(this=exp.Neg(this=lit)) if negative else lit


def bind_parameters(sql: str, params: Sequence[Any] | None) -> str:
    """Replace the i-th ``?`` of the text with the literal of ``params[i]``.

    The order is the order of the ``?`` tokens in the text, whatever the clause: the
    holes are numbered on the token stream before parsing (a parsed tree stores clauses
    by name, and MySQL's ``LIMIT offset, count`` is rendered as ``LIMIT count OFFSET
    offset``). Wrong counts and named parameters are ``ProgrammingError``.
    """
    if isinstance(params, (str, bytes)):
        raise ProgrammingError("parameters must be a sequence such as a tuple, not a string")
    given = [] if params is None else list(params)
    holes = _placeholder_spans(sql)
    if not holes and not given:
        return sql
    marked, last = [], 0
    for i, (start, end) in enumerate(holes):
        marked.append(sql[last:start] + f":{_MARK}{i}")
        last = end + 1
    tree = parse_statement("".join(marked) + sql[last:])
    for holder in tree.find_all(exp.Placeholder):
        if not str(holder.this or "").startswith(_MARK):
            raise ProgrammingError(
                f"named parameter :{holder.this} is not supported: paramstyle is qmark ('?')")
    if len(holes) != len(given):
        raise ProgrammingError(
            f"the statement has {len(holes)} parameter(s) but {len(given)} were given")
    # the literals go into the text as written: rendering the tree again would be another
    # query where sqlglot's MySQL has no form for it (a FULL JOIN becomes a UNION ALL of
    # two joins, which an aggregate over it counts twice)
    out, last = [], 0
    for (start, end), value in zip(holes, given):
        literal = to_literal(value).sql(dialect=DIALECT)
        before, after = sql[start - 1:start], sql[end + 1:end + 2]
        out.append(sql[last:start] + (" " if _word(before) else "") + literal
                   + (" " if _word(after) else ""))
        last = end + 1
    return "".join(out) + sql[last:]


def _word(ch: str) -> bool:
    """Whether ``ch`` would run into a literal written beside it."""
    return ch != "" and (ch.isalnum() or ch in "_'\"`")


def _placeholder_spans(sql: str) -> list[tuple[int, int]]:
    """Where each ``?`` token stands in the text (not those inside strings or comments)."""
    try:
        tokens = sqlglot.tokenize(sql, read=DIALECT)
    except TokenError:
        return []  # the parser reports the syntax error with its position
    return [(t.start, t.end) for t in tokens
            if t.token_type == TokenType.PLACEHOLDER and t.text == "?"]
