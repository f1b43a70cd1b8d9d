"""PEP 249 (DB-API 2.0) connection and cursor over a :class:`Federation`.

A :class:`Connection` asks as one party of a catalog; every statement runs across all the
parties and only the answer comes back to that party. This module holds no planning or
protocol logic: it substitutes qmark parameters, calls ``Federation.execute`` and hands the
Arrow result out row by row.

>>> import scql_py
>>> con = scql_py.connect()                                     # doctest: +SKIP
>>> cur = con.cursor()                                          # doctest: +SKIP
>>> cur.execute("SELECT COUNT(*) FROM alice_income WHERE income > ?", (4000,))  # doctest: +SKIP
>>> cur.fetchone()                                              # doctest: +SKIP
(1,)
"""

from __future__ import annotations

import datetime as _dt
import decimal
import math
import re
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import ParseError, TokenError
from sqlglot.tokens import TokenType

from scql_py import errors as _errors
from scql_py.errors import (
    InterfaceError,
    NotSupportedError,
    ProgrammingError,
)

# The SQL dialect users write (MySQL-like, as in SCQL); parameters are rendered in it.
try:
    from scql_py.sql.parse import DIALECT as _DIALECT
except ImportError:  # the SQL front end is optional for parameter rendering
    _DIALECT = "mysql"

apilevel = "2.0"
threadsafety = 1  # threads may share the module, not connections
paramstyle = "qmark"


# --- type objects and constructors (PEP 249) -------------------------------------------


class DBAPITypeObject:
    """A PEP 249 type object: equal to every ``type_code`` of its family.

    ``type_code`` in :attr:`Cursor.description` is the SQL type name of the column
    (``'int64'``, ``'float64'``, ``'bool'``, ``'string'``, ``'date'``, ``'timestamp'``,
    ``'decimal(p,s)'``).

    >>> NUMBER == "decimal(12,2)", STRING == "int64", "date" == DATETIME
    (True, False, True)
    """

    def __init__(self, name: str, *kinds: str):
        self.name = name
        self.kinds = frozenset(kinds)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, DBAPITypeObject):
            return self.kinds == other.kinds
        if isinstance(other, str):
            return other.split("(", 1)[0] in self.kinds
        return NotImplemented

    def __ne__(self, other: object) -> bool:
        eq = self.__eq__(other)
        return eq if eq is NotImplemented else not eq

    def __hash__(self) -> int:
        return hash(self.kinds)

    def __repr__(self) -> str:
        return self.name


STRING = DBAPITypeObject("STRING", "string")
NUMBER = DBAPITypeObject("NUMBER", "int64", "float64", "decimal", "bool")
DATETIME = DBAPITypeObject("DATETIME", "date", "timestamp", "time")
BINARY = DBAPITypeObject("BINARY", "binary")
ROWID = DBAPITypeObject("ROWID", "rowid")

Date = _dt.date
Time = _dt.time
Timestamp = _dt.datetime


def DateFromTicks(ticks: float) -> _dt.date:  # noqa: N802 - PEP 249 name
    return Date(*time.localtime(ticks)[:3])


def TimeFromTicks(ticks: float) -> _dt.time:  # noqa: N802 - PEP 249 name
    return Time(*time.localtime(ticks)[3:6])


def TimestampFromTicks(ticks: float) -> _dt.datetime:  # noqa: N802 - PEP 249 name
    return Timestamp(*time.localtime(ticks)[:6])


def Binary(data: bytes | bytearray | memoryview) -> bytes:  # noqa: N802 - PEP 249 name
    return bytes(data)


def type_code_of(arrow_type: pa.DataType) -> str:
    """The SQL type name used as ``type_code`` for an Arrow column type.

    >>> type_code_of(pa.decimal128(12, 2)), type_code_of(pa.int32())
    ('decimal(12,2)', 'int64')
    """
    if pa.types.is_boolean(arrow_type):
        return "bool"
    if pa.types.is_integer(arrow_type):
        return "int64"
    if pa.types.is_floating(arrow_type):
        return "float64"
    if pa.types.is_decimal(arrow_type):
        return f"decimal({arrow_type.precision},{arrow_type.scale})"
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_date(arrow_type):
        return "date"
    if pa.types.is_timestamp(arrow_type):
        return "timestamp"
    if pa.types.is_time(arrow_type):
        return "time"
    if pa.types.is_binary(arrow_type) or pa.types.is_large_binary(arrow_type):
        return "binary"
    if pa.types.is_null(arrow_type):
        return "null"
    return str(arrow_type)


def _describe(field: pa.Field) -> tuple:
    code = type_code_of(field.type)
    precision = scale = None
    if pa.types.is_decimal(field.type):
        precision, scale = field.type.precision, field.type.scale
    return (field.name, code, None, None, precision, scale, field.nullable)


# --- qmark parameters --------------------------------------------------------------------


def _literal(value: Any) -> exp.Expression:
    """A SQL literal that denotes ``value`` exactly (never spliced as raw text)."""
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
    if isinstance(value, _dt.datetime):  # before date: datetime is a date subclass
        if value.tzinfo is not None:
            value = value.astimezone(_dt.timezone.utc).replace(tzinfo=None)
        return exp.cast(exp.Literal.string(value.isoformat(sep=" ")), "TIMESTAMP")
    if isinstance(value, _dt.date):
        return exp.cast(exp.Literal.string(value.isoformat()), "DATE")
    if isinstance(value, (bytes, bytearray, memoryview)):
        raise NotSupportedError("binary parameters are not supported: there is no binary type")
    raise ProgrammingError(f"unsupported parameter type {type(value).__name__}: {value!r}")


def _number(digits: str, negative: bool) -> exp.Expression:
    lit = exp.Literal.number(digits)
    # Parenthesised so that "x - ?" never renders as "x --5" (a comment).
    return exp.Paren(this=exp.Neg(this=lit)) if negative else lit


def substitute_parameters(sql: str, params: Sequence[Any] | None) -> str:
    """Replace each ``?`` of ``sql`` by the SQL literal of the matching parameter.

    The statement is parsed and its placeholder nodes replaced by literal nodes, so a
    parameter is always one value, whatever characters it holds.

    >>> substitute_parameters("SELECT a FROM t WHERE b = ? AND c < ?", ("it's", -2))
    "SELECT a FROM t WHERE b = 'it''s' AND c < (-2)"
    """
    if isinstance(params, (str, bytes)):
        raise ProgrammingError("parameters must be a sequence such as a tuple, not a string")
    given = [] if params is None else list(params)
    if not given and not _has_placeholder_token(sql):
        return sql
    try:
        statements = [s for s in sqlglot.parse(sql, read=_DIALECT) if s is not None]
    except (ParseError, TokenError) as err:
        raise ProgrammingError(f"syntax error: {str(err).splitlines()[0]}") from None
    if len(statements) != 1:
        raise ProgrammingError("one statement at a time: split statements on ';'")
    tree = statements[0]
    holders = list(tree.find_all(exp.Placeholder))
    named = [h for h in holders if h.this]
    if named:
        raise ProgrammingError(
            f"named parameter :{named[0].this} is not supported: paramstyle is qmark ('?')"
        )
    if len(holders) != len(given):
        raise ProgrammingError(
            f"the statement has {len(holders)} parameter(s) but {len(given)} were given"
        )
    for holder, value in zip(_in_text_order(tree, holders), given, strict=True):
        holder.replace(_literal(value))
    return tree.sql(dialect=_DIALECT)


def _in_text_order(tree: exp.Expression, holders: list[exp.Placeholder]) -> list[exp.Expression]:
    """The placeholders in the order their ``?`` appear in the statement.

    Tree traversal order is not text order (clauses are stored by name), but the
    generator writes clauses in SQL's fixed grammatical order, which is the order the
    user had to write them in: number the nodes, render, and read the numbers back.
    """
    marked = []
    for i, holder in enumerate(holders):
        marker = exp.Placeholder(this=f"__scql_param{i}__")
        holder.replace(marker)
        marked.append(marker)
    rendered = tree.sql(dialect=_DIALECT)
    order = [int(m) for m in re.findall(r"__scql_param(\d+)__", rendered)]
    if sorted(order) != list(range(len(marked))):
        raise ProgrammingError("cannot bind parameters in this statement")
    return [marked[i] for i in order]


def _has_placeholder_token(sql: str) -> bool:
    try:
        tokens = sqlglot.tokenize(sql, read=_DIALECT)
    except TokenError:
        return False  # the engine reports the syntax error with its position
    return any(t.token_type == TokenType.PLACEHOLDER for t in tokens)


# --- connection and cursor ----------------------------------------------------------------


class Connection:
    """A session of one party (the asker) over one catalog. Use :meth:`cursor`.

    Statements do not change data, so :meth:`commit` does nothing and there is nothing
    to roll back.
    """

    def __init__(self, federation: Any, party: str, catalog: Any):
        self._federation = federation
        self.party = party
        self.catalog = catalog
        self._closed = False

    @property
    def closed(self) -> bool:
        return self._closed

    def cursor(self) -> Cursor:
        self._check_open()
        return Cursor(self)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            self._federation.close()

    def commit(self) -> None:
        self._check_open()

    def rollback(self) -> None:
        raise NotSupportedError("rollback: queries are read-only, there are no transactions")

    def explain(self, sql: str) -> str:
        """The plan of ``sql``: placement of each step and what each party learns."""
        self._check_open()
        return self._federation.explain(self.party, sql)

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        """Shortcut: a new cursor that has executed ``sql``."""
        return self.cursor().execute(sql, params)

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the connection is closed")

    def __enter__(self) -> Connection:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()



# PEP 249 optional extension: the exception classes as connection attributes.
_PEP249_ERRORS = (
    "Warning", "Error", "InterfaceError", "DatabaseError", "DataError", "OperationalError",
    "IntegrityError", "InternalError", "ProgrammingError", "NotSupportedError",
)
for _name in _PEP249_ERRORS:
    setattr(Connection, _name, getattr(_errors, _name))


class Cursor:
    """Runs statements and fetches their rows as tuples of Python values."""

    arraysize: int = 1

    def __init__(self, connection: Connection):
        self.connection = connection
        self.arraysize = 1
        self.messages: list[str] = []
        self.description: list[tuple] | None = None
        self.rowcount = -1
        self._table: pa.Table | None = None
        self._rows: list[tuple] | None = None
        self._pos = 0
        self._closed = False

    # -- executing

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> Cursor:
        """Run one statement; ``?`` placeholders are bound to ``params`` in order."""
        self._check_open()
        text = substitute_parameters(sql, params)
        result = self.connection._federation.execute(self.connection.party, text)
        self._set_result(result.table, list(result.messages))
        return self

    def executemany(self, sql: str, seq_of_params: Sequence[Sequence[Any]]) -> Cursor:
        """Run ``sql`` once per parameter sequence; the rows of the last run stay fetchable."""
        self._check_open()
        messages: list[str] = []
        total = 0
        ran = False
        for params in seq_of_params:
            self.execute(sql, params)
            messages.extend(self.messages)
            total += max(self.rowcount, 0)
            ran = True
        self.messages = messages
        if ran:
            self.rowcount = total
        return self

    def _set_result(self, table: pa.Table, messages: list[str]) -> None:
        self._table = table
        self._rows = None
        self._pos = 0
        self.messages = messages
        self.description = [_describe(f) for f in table.schema]
        self.rowcount = table.num_rows

    # -- fetching

    def fetchone(self) -> tuple | None:
        rows = self._materialised()
        if self._pos >= len(rows):
            return None
        self._pos += 1
        return rows[self._pos - 1]

    def fetchmany(self, size: int | None = None) -> list[tuple]:
        rows = self._materialised()
        n = self.arraysize if size is None else size
        out = rows[self._pos : self._pos + max(n, 0)]
        self._pos += len(out)
        return out

    def fetchall(self) -> list[tuple]:
        rows = self._materialised()
        out = rows[self._pos :]
        self._pos = len(rows)
        return out

    def fetch_arrow_table(self) -> pa.Table:
        """The rows not fetched yet, as a ``pyarrow.Table`` (no conversion to Python)."""
        table = self._result_table()
        rest = table.slice(self._pos)
        self._pos = table.num_rows
        return rest

    def fetch_df(self):
        """The rows not fetched yet, as a ``pandas.DataFrame``."""
        return self.fetch_arrow_table().to_pandas()

    def __iter__(self) -> Iterator[tuple]:
        return self

    def __next__(self) -> tuple:
        row = self.fetchone()
        if row is None:
            raise StopIteration
        return row

    def _result_table(self) -> pa.Table:
        self._check_open()
        if self._table is None:
            raise InterfaceError("no result: call execute() first")
        return self._table

    def _materialised(self) -> list[tuple]:
        table = self._result_table()
        if self._rows is None:
            columns = [col.to_pylist() for col in table.columns]
            self._rows = list(zip(*columns, strict=True)) if columns else [() for _ in range(table.num_rows)]
        return self._rows

    # -- the rest of PEP 249

    def close(self) -> None:
        self._closed = True
        self._table = None
        self._rows = None

    @property
    def closed(self) -> bool:
        return self._closed

    def setinputsizes(self, sizes: Any) -> None:
        pass

    def setoutputsize(self, size: Any, column: Any = None) -> None:
        pass

    def _check_open(self) -> None:
        if self._closed:
            raise InterfaceError("the cursor is closed")
        self.connection._check_open()

    def __enter__(self) -> Cursor:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def default_catalog_path() -> Path:
    """The bundled demo catalog: ``catalogs/demo.toml`` beside the package, in the repo."""
    import scql_py

    return Path(scql_py.__file__).resolve().parents[1] / "catalogs" / "demo.toml"


def connect(
    catalog: str | Path | None = None,
    party: str | None = None,
    mode: str = "inprocess",
    timeout: float = 30.0,
    certs: str | Path | None = None,
    insecure: bool = False,
) -> Connection:
    """Open a session asking as ``party`` (default: the catalog's first party).

    ``catalog`` is a catalog TOML file (default: the bundled demo). ``mode="inprocess"``
    runs every party's engine in this process, each in its own thread, talking only over
    the in-process network. ``mode="network"`` sends each statement to the party's own
    ``scql serve`` process, which runs it with the other parties' servers over mutually
    authenticated TLS (``certs``: the folder of ``scql certs``, by default ``certs/``
    beside the catalog; ``insecure=True`` for plain TCP).
    """
    if mode not in ("inprocess", "network"):
        raise ProgrammingError(f"unknown mode {mode!r}: use 'inprocess' or 'network'")
    path = Path(catalog) if catalog is not None else default_catalog_path()
    if mode == "network":
        # a party's machine holds only its own sources: the server checks the catalog
        from scql_py.engine.remote import RemoteFederation

        fed = RemoteFederation(path, party, certs=certs, insecure=insecure, timeout=timeout)
        return Connection(fed, fed.party, fed.catalog)
    from scql_py.catalog import load_catalog
    from scql_py.engine.federation import Federation

    cat = load_catalog(path)
    names = list(cat.parties)
    if party is None:
        if not names:
            raise ProgrammingError(f"catalog {path} has no parties")
        party = names[0]
    elif party not in cat.parties:
        raise ProgrammingError(
            f"unknown party {party!r}: the catalog's parties are {', '.join(names)}"
        )
    return Connection(Federation(cat, timeout=timeout), party, cat)
