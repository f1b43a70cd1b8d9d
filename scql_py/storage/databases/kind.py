"""What one kind of database must say for an owner to use it: the contract of a kind.

A kind is a sqlglot dialect and a driver. The dialect turns the owner's local SQL into
one statement the database runs; the driver connects, reads the database's own
description of a table (to check it against the catalog before any data moves) and
returns a result as Arrow. Everything else (routing, the rewrite of table names, type
checks, errors, timeouts, secrets) is shared, in :mod:`.statement` and :mod:`.client`.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import Any

import pyarrow as pa
from sqlglot import exp

from scql_py.catalog.databases import DatabaseUrl
from scql_py.catalog.types import SqlType

# The sqlglot nodes of the owners' local SQL (sql/local_sql.py) that mean the same in
# every SQL database once sqlglot has written them in its dialect. A kind adds what else
# it runs faithfully; a statement with any other node runs in the owner's DuckDB instead.
PORTABLE_NODES: tuple[type[exp.Expression], ...] = (
    exp.Select, exp.From, exp.Where, exp.Group, exp.Having, exp.Order, exp.Ordered,
    exp.Limit, exp.Offset, exp.Subquery, exp.TableAlias, exp.Table, exp.Identifier,
    exp.Column, exp.Star, exp.Alias, exp.Join, exp.Union, exp.Literal, exp.Null,
    exp.Boolean, exp.Paren, exp.Neg, exp.Add, exp.Sub, exp.Mul, exp.Div, exp.EQ, exp.NEQ,
    exp.GT, exp.GTE, exp.LT, exp.LTE, exp.And, exp.Or, exp.Not, exp.Is, exp.In,
    exp.Between, exp.Case, exp.If, exp.Coalesce, exp.Nullif, exp.Count, exp.Sum, exp.Avg,
    exp.Min, exp.Max, exp.Distinct, exp.Window, exp.RowNumber, exp.Rank, exp.DenseRank,
    exp.PercentRank, exp.DataType, exp.DataTypeParam, exp.Cast,
)


class DatabaseKind(ABC):
    """One kind of database (PostgreSQL, SQLite, a DuckDB file, ...)."""

    scheme: str     # the URL scheme in the catalog, e.g. 'postgresql'
    label: str      # how messages and EXPLAIN name it
    dialect: str    # the sqlglot dialect its statements are written in
    package: str | None = None  # the PyPI package of its driver, for the error if missing
    extra_nodes: tuple[type[exp.Expression], ...] = ()

    # -- the dialect -----------------------------------------------------------------------
    def refuses(self, node: exp.Expression) -> str | None:
        """Why this database would not compute ``node`` as the owner's DuckDB does (then
        the statement runs in DuckDB), or None."""
        if isinstance(node, self.extra_nodes):
            return None
        # TRY_CAST is a Cast to sqlglot, which writes it as a plain CAST where the dialect
        # has none: the total semantics of an owner that does not ask would be lost
        if isinstance(node, PORTABLE_NODES) and not isinstance(node, exp.TryCast):
            return None
        return f"{self.label} has no faithful equivalent of {node.key.upper()}"

    def rewrite(self, ast: exp.Expression) -> exp.Expression:
        """Dialect fixes sqlglot does not make (by default none)."""
        return ast

    @abstractmethod
    def read_column(self, column: exp.Expression, typ: SqlType) -> exp.Expression:
        """``column`` (of the database table) read as the catalog type ``typ``."""

    # -- the driver ------------------------------------------------------------------------
    @abstractmethod
    def connect(self, url: DatabaseUrl, password: str | None, timeout: float) -> Any:
        """An open connection; a failure raises the driver's own exception. Statements
        that run longer than ``timeout`` seconds must be cancelled by the database or by
        :meth:`interrupt`."""

    @abstractmethod
    def describe(self, con: Any, table: tuple[str, ...]) -> list[tuple[str, str]] | None:
        """The columns of ``table`` as ``(name, database type)``; None if there is none."""

    @abstractmethod
    def compatible(self, db_type: str, typ: SqlType) -> bool:
        """Whether a column of ``db_type`` can be read as the catalog type ``typ``."""

    @abstractmethod
    def fetch(self, con: Any, sql: str, types: list[SqlType] | None) -> pa.Table:
        """Run ``sql``; its result as Arrow (in ``types`` when given: see
        :func:`.results.conform`)."""

    def interrupt(self, con: Any) -> None:  # noqa: B027 - optional, not abstract
        """Stop the statement running on ``con`` (called from another thread when it
        runs past the timeout); by default the database enforces its own time limit."""

    def close(self, con: Any) -> None:
        con.close()

    def classify(self, err: BaseException) -> tuple[str, str]:
        """What a driver's error while running a statement means: ``'timeout'``,
        ``'connection'`` (connect again next time), ``'data'`` (a value), ``'statement'``
        (the text) or ``'other'``; and the database's code for it (a SQLSTATE, an error
        name), the only detail that may be shown: its message may quote the owner's rows."""
        return "other", type(err).__name__


__all__ = ["PORTABLE_NODES", "DatabaseKind"]
