"""The expressions the secure evaluator (engine/secure_expr.py) computes on shares.

The planner checks every expression it places under MPC against this list, so that a
construct with no protocol is refused before any data moves, never half-way through a
query (after a PSI join has run). ``tests/engine/test_secure_nodes.py`` checks that the
evaluator has a ``visit_`` for exactly these nodes.
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import SqlType
from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.mpc import like_automaton
from scql_py.sql import plan_text
from scql_py.sql.type_inference import infer_type

SECURE_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Paren, exp.Alias, exp.Literal, exp.Null, exp.Boolean, exp.Cast,
    exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Neg, exp.Add, exp.Sub, exp.Mul,
    exp.Div, exp.Mod, exp.IntDiv, exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE,
    exp.Between, exp.In, exp.Is, exp.And, exp.Or, exp.Not, exp.Case, exp.If, exp.Nullif,
    exp.Coalesce, exp.Identifier, exp.Abs, exp.Round, exp.Floor, exp.Ceil,
    # engine/secure_math.py
    exp.Sqrt, exp.Exp, exp.Ln, exp.Log, exp.Pow, exp.Sin, exp.Cos, exp.Tan, exp.Asin,
    exp.Acos, exp.Atan,
    # engine/secure_dates.py
    exp.TsOrDsToDate, exp.Year, exp.Month, exp.Day, exp.DayOfMonth, exp.Quarter,
    exp.DayOfWeek, exp.Hour, exp.Minute, exp.Second, exp.Extract, exp.Var, exp.DateDiff,
    exp.TimestampDiff, exp.DayOfYear, exp.Week, exp.WeekOfYear,
    # engine/secure_like.py
    exp.Like, exp.ILike, exp.Escape,
)
_DATE_PARTS = (exp.TsOrDsToDate, exp.Year, exp.Month, exp.Day, exp.DayOfMonth, exp.Quarter,
               exp.DayOfWeek, exp.Hour, exp.Minute, exp.Second, exp.DayOfYear, exp.Week,
               exp.WeekOfYear)
CALENDAR_PARTS = ("YEAR", "MONTH", "DAY", "QUARTER", "DOW", "DOY", "WEEK", "ISODOW")
CLOCK_PARTS = ("HOUR", "MINUTE", "SECOND")
DIFF_UNITS = ("DAY", "MONTH", "QUARTER", "YEAR", "HOUR", "MINUTE", "SECOND", "MILLISECOND",
              "MICROSECOND")
# DuckDB's other names for a part, as sqlglot leaves them in EXTRACT and TIMESTAMPDIFF
_UNIT_ALIASES = {"DAYOFMONTH": "DAY", "DAYOFWEEK": "DOW", "WEEKDAY": "DOW", "DAYS": "DAY",
                 "DAYOFYEAR": "DOY", "WEEKOFYEAR": "WEEK", "WEEKS": "WEEK",
                 "MONTHS": "MONTH", "YEARS": "YEAR", "HOURS": "HOUR", "MINUTES": "MINUTE",
                 "SECONDS": "SECOND"}


def unit_name(unit: exp.Expression | None) -> str:
    """The date part or unit a node names (DAY when it names none, as DATEDIFF)."""
    if unit is None:
        return "DAY"
    name = unit.name if isinstance(unit, (exp.Var, exp.Literal, exp.Column)) else unit.sql()
    return _UNIT_ALIASES.get(name.upper(), name.upper())
# on a fixed-point float, rounding to a boundary the input is within 2^-17 of could
# land on the other side of it than DuckDB's double does: a different answer
_NOT_ON_FLOATS = (exp.Round, exp.Floor, exp.Ceil)


def _construct(node: exp.Expression) -> str:
    """How the user wrote ``node``'s construct: a function by its name, an operator by
    its text without operands (column names inside may be the planner's)."""
    if isinstance(node, exp.Anonymous):
        return f"{node.name.upper()}()"
    if isinstance(node, exp.Func):
        # the name in our dialect (POWER, not sqlglot's POW; DATE_FORMAT, not TIMETOSTR)
        return f"{node.sql(dialect='mysql').split('(')[0].strip() or node.sql_name()}()"
    if isinstance(node, exp.Interval):
        return "INTERVAL arithmetic"
    if isinstance(node, (exp.Like, exp.ILike)):
        return node.key.upper()
    return node.key.upper()


def check_secure(e: exp.Expression, scope: dict[str, SqlType]) -> str:
    """``e`` (over columns of the types ``scope``) as SQL for a secure step;
    ``NotSupportedError`` naming the first construct the secure evaluator does not
    compute."""
    for node in e.walk():
        if isinstance(node, _NOT_ON_FLOATS) and infer_type(node.this, scope).kind not in (
                "int64", "decimal"):
            raise NotSupportedError(
                f"{_construct(node)} of a {infer_type(node.this, scope)} value of several "
                "parties (after a join across parties, or on secret-shared data) is not "
                "supported yet: only of integers and decimals")
        if isinstance(node, exp.Round) and node.args.get("decimals") is not None and not (
                isinstance(node.args["decimals"], exp.Literal)
                and node.args["decimals"].this.isdigit()):
            raise NotSupportedError("ROUND(x, digits) of values of several parties needs "
                                    "digits as a non-negative integer constant")
        _check_dates(node, scope)
        _check_like(node, node.parent)
        _check_math(node, scope)
        if not isinstance(node, SECURE_NODES):
            raise NotSupportedError(
                f"{_construct(node)} on values of several parties (after a join across "
                "parties, or on secret-shared data) is not supported yet; it runs where "
                "all its inputs belong to one party")
    return plan_text.render(e)


def like_pattern(pattern: str) -> tuple[str, ...] | None:
    """The constant pieces of a LIKE pattern that byte windows match (mpc/byte_match.py,
    cheaper than the automaton): ``(text,)`` (no wildcard), ``(prefix, "")``,
    ``("", suffix)``, ``("", text, "")``, ``(prefix, suffix)``; None for other patterns
    (``_``, several ``%`` inside)."""
    if "_" in pattern:
        return None
    pieces = pattern.split("%")
    if len(pieces) > 1 and all(not p for p in pieces):
        return ("", "")  # only %: every string
    inner = pieces[1:-1]
    if len(pieces) > 3 or any(inner) and (pieces[0] or pieces[-1]):
        return None
    if len(pieces) == 3:
        if not pieces[1]:  # 'a%%b' is 'a%b'
            return (pieces[0], pieces[2])
        return ("", pieces[1], "")
    return tuple(pieces)


# ILIKE compares lowercased text (DuckDB: utf8proc's simple mapping); besides the
# ASCII letters two characters lowercase to ASCII letters: KELVIN SIGN to k and
# LATIN CAPITAL LETTER I WITH DOT ABOVE to i (no other one, checked against DuckDB)
_TO_ASCII_LOWER = {"k": "\u212a", "i": "\u0130"}


def like_tokens(node: exp.Like | exp.ILike, escape: str | None) -> list[like_automaton.Token]:
    """The tokens of the automaton (mpc/like_automaton.py) matching ``node``'s pattern
    with ``escape`` as its escape character; ``NotSupportedError`` naming the pattern
    for one the secure evaluator does not match."""
    pattern = node.expression
    fold = isinstance(node, exp.ILike)
    what = f"{_construct(node)} '{pattern.this}'"
    if "\\" in pattern.this and not escape:
        # DuckDB reads a backslash as itself, MySQL and PostgreSQL as an escape
        raise NotSupportedError(f"{what} on strings of several parties: a backslash in a "
                                "pattern needs an ESCAPE clause to say what it means")
    tokens: list[like_automaton.Token] = []
    chars = iter(pattern.this)
    for c in chars:
        if escape and c == escape:
            c = next(chars, None)
            if c is None:
                raise ProgrammingError(f"{what} ESCAPE '{escape}': the pattern ends with "
                                       "the escape character")
        elif c == "%":
            tokens.append(like_automaton.ANY_CHARS)
            continue
        elif c == "_":
            tokens.append(like_automaton.ONE_CHAR)
            continue
        if not fold or not c.isalpha() and c.isascii():
            tokens.append((c.encode(),))
        elif not c.isascii():
            # which characters lowercase to a non-ASCII one depends on the Unicode tables
            raise NotSupportedError(
                f"{what} on strings of several parties: ILIKE folds the case of ASCII "
                f"letters only, and '{c}' is not ASCII (LIKE matches it exactly)")
        else:
            lower = c.lower()
            variants = (lower.encode(), c.upper().encode())
            if lower in _TO_ASCII_LOWER:
                variants += (_TO_ASCII_LOWER[lower].encode(),)
            tokens.append(variants)
    try:
        like_automaton.build(tokens)
    except like_automaton.PatternTooLong:
        raise NotSupportedError(f"{what} on strings of several parties: a pattern of at "
                                f"most {like_automaton.MAX_STATES - 2} bytes") from None
    return tokens


def like_escape(node: exp.Escape) -> str:
    """The escape character of ``LIKE ... ESCAPE 'c'`` ('' for none)."""
    escape = node.expression
    if isinstance(escape, exp.Literal) and escape.is_string and len(escape.this) > 1:
        raise ProgrammingError(f"ESCAPE {escape.sql()}: the escape must be one character")
    if not (isinstance(escape, exp.Literal) and escape.is_string):
        raise NotSupportedError(f"ESCAPE {escape.sql()} on strings of several parties: the "
                                "escape must be one constant character")
    return escape.this


def _check_like(node: exp.Expression, parent: exp.Expression | None) -> None:
    if not isinstance(node, (exp.Like, exp.ILike)):
        return
    pattern = node.expression
    if not (isinstance(pattern, exp.Literal) and pattern.is_string):
        raise NotSupportedError(f"{_construct(node)} on strings of several parties needs a "
                                "constant pattern")
    like_tokens(node, like_escape(parent) if isinstance(parent, exp.Escape) else None)


_MATH = (exp.Sqrt, exp.Exp, exp.Ln, exp.Log, exp.Pow, exp.Sin, exp.Cos, exp.Tan, exp.Asin,
         exp.Acos, exp.Atan)


def _check_math(node: exp.Expression, scope: dict[str, SqlType]) -> None:
    """The math functions take numbers (a string would have to be parsed)."""
    if not isinstance(node, _MATH):
        return
    for arg in (node.this, node.expression):
        if arg is None:
            continue
        kind = infer_type(arg, scope).kind
        if kind not in ("int64", "decimal", "float64", "bool", "null"):
            raise NotSupportedError(f"{_construct(node)} of a {kind} value of several parties "
                                    "(after a join across parties, or on secret-shared data) "
                                    "is not supported: only of numbers")


def _check_dates(node: exp.Expression, scope: dict[str, SqlType]) -> None:
    """Date parts and differences the secure evaluator computes: of dates and
    timestamps (a string would have to be parsed), in the units it knows."""
    if isinstance(node, (*_DATE_PARTS, exp.Extract)):
        arg = node.expression if isinstance(node, exp.Extract) else node.this
        kind = infer_type(arg, scope).kind
        if kind not in ("date", "timestamp"):
            raise NotSupportedError(f"{_construct(node)} of a {kind} value of several parties "
                                    "(after a join across parties, or on secret-shared data) "
                                    "is not supported: only of dates and timestamps")
    if isinstance(node, exp.Week) and node.args.get("mode") is not None:
        raise NotSupportedError("WEEK(date, mode) of values of several parties is not "
                                "supported (WEEK(date) is, the ISO week)")
    if isinstance(node, exp.Extract) and unit_name(node.this) not in (
            *CALENDAR_PARTS, *CLOCK_PARTS):
        raise NotSupportedError(f"EXTRACT({unit_name(node.this)} FROM ...) of values of "
                                "several parties is not supported yet")
    if isinstance(node, (exp.DateDiff, exp.TimestampDiff)):
        unit = unit_name(node.args.get("unit"))
        if unit not in DIFF_UNITS:
            raise NotSupportedError(f"a date difference in {unit} of values of several "
                                    "parties is not supported yet")
        for arg in (node.this, node.expression):
            kind = infer_type(arg, scope).kind
            if kind not in ("date", "timestamp") and not (
                    isinstance(arg, exp.Literal) and arg.is_string):  # a date constant
                raise NotSupportedError(f"{_construct(node)} of a {kind} value of several "
                                        "parties is not supported: only of dates and "
                                        "timestamps")


__all__ = ["CALENDAR_PARTS", "CLOCK_PARTS", "DIFF_UNITS", "SECURE_NODES", "check_secure",
           "like_escape", "like_pattern", "like_tokens", "unit_name"]
