"""Where an owner runs one local statement, and its text there.

The planner writes an owner's local work (filters, projections, pre-aggregation, its own
joins) as one DuckDB statement over the catalog's table names. When every table it reads
lives in one of the owner's databases, and that database computes every construct of it
as DuckDB does, the statement goes there whole, written by sqlglot in its dialect: the
database does the work and only the result travels, as Arrow. Each table name becomes a
subquery reading the table's catalog columns as their catalog types (``read_table``), so
the rest of the statement sees exactly the columns it would see in DuckDB.

Otherwise the statement runs in the owner's DuckDB, after reading each database table
it uses (its catalog columns, in the same typed form) from its database.

This module only writes text: EXPLAIN uses it too, on any party's copy of the catalog.

>>> from scql_py.catalog import Catalog, Party, Table, INT64
>>> from scql_py.catalog.databases import Database, DatabaseUrl
>>> db = Database("alice", "main", DatabaseUrl.parse("postgresql://alice@h/clinic"))
>>> alice = Party("alice", 0, ":memory:", "h:1", {"main": db})
>>> t = Table("visits", "alice", None, {"cost": INT64}, database="main", db_table=("public", "v"))
>>> cat = Catalog("c", "rss3", None, {"alice": alice}, {"visits": t})
>>> print(route(cat, "alice", 'SELECT SUM("cost") FROM "visits" WHERE "cost" > 2').sql)
SELECT SUM("visits"."cost") AS "_col_0" FROM (SELECT CAST("cost" AS BIGINT) AS "cost" FROM "public"."v") AS "visits" WHERE "visits"."cost" > 2
"""

from __future__ import annotations

from dataclasses import dataclass, field

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, SqlglotError, UnsupportedError
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

from scql_py.catalog import Catalog, Table
from scql_py.catalog.databases import Database
from scql_py.storage.databases.kind import DatabaseKind
from scql_py.storage.databases.registry import kind_of

LOCAL_DIALECT = "duckdb"  # the dialect of the planner's local SQL (sql/local_sql.py)


@dataclass(frozen=True)
class Route:
    """How the owner runs one local statement.

    ``database`` set: ``sql`` is the one statement that database runs. Otherwise ``sql``
    runs in the owner's DuckDB after ``reads`` (table name -> its database and the
    statement reading it there), and ``reason`` says why it was not sent whole.
    ``unknown``: the database this copy of the catalog does not describe (another
    party's copy needs no URL of it); only its owner knows the statement then.
    """

    sql: str
    tables: tuple[str, ...] = ()  # the owner's database tables it reads
    database: Database | None = None
    reads: dict[str, tuple[Database, str]] = field(default_factory=dict)
    reason: str | None = None
    unknown: str | None = None


def database_tables(catalog: Catalog, party: str, ast: exp.Expression) -> list[Table]:
    """The tables of ``party`` living in a database that the statement reads."""
    names = {t.name.lower() for t in ast.find_all(exp.Table)}
    return [t for n in sorted(names) if (t := catalog.tables.get(n)) is not None
            and t.owner == party and t.database is not None]


def route(catalog: Catalog, party: str, sql: str,
          column_names: dict[str, dict[str, str]] | None = None) -> Route:
    """Where ``party`` runs its local statement ``sql`` (DuckDB's dialect).

    ``column_names``: per table, each catalog column's name in the database (as its
    description gave it); the catalog's names when absent.
    """
    ast = sqlglot.parse_one(sql, read=LOCAL_DIALECT)
    tables = database_tables(catalog, party, ast)
    if not tables:
        return Route(sql)
    read = tuple(t.name for t in tables)
    names = column_names or {}
    databases = {t.database for t in tables}
    owner = catalog.parties[party]
    for t in tables:
        described = owner.databases.get(t.database or "")
        if described is None or described.url is None:
            return Route(sql, read, unknown=t.database)
    reason = None
    if len(databases) > 1:
        reason = "its tables live in more than one database"
    elif len(tables) < len({t.name.lower() for t in ast.find_all(exp.Table)}):
        reason = "it also reads tables that are not in that database"
    else:
        database = owner.databases[tables[0].database]
        kind = kind_of(database, catalog.path)
        typed, reason = _typed(ast, catalog)
        if reason is None:
            reason = next((r for node in typed.walk() if (r := kind.refuses(node))), None)
        if reason is None:
            try:
                text = _statement(typed, kind, {t.name: t for t in tables}, names)
                return Route(text, read, database=database)
            except UnsupportedError as err:
                reason = f"sqlglot cannot write it for {kind.label}: {err}"
    reads = {}
    for t in tables:
        database = owner.databases[t.database]
        kind = kind_of(database, catalog.path)
        reads[t.name] = (database, read_table(t, kind, names.get(t.name)).sql(
            dialect=kind.dialect, identify=True))
    return Route(sql, read, reads=reads, reason=reason)


def _typed(ast: exp.Expression, catalog: Catalog) -> tuple[exp.Expression, str | None]:
    """``ast`` with every column qualified and every expression's type known, for the
    kinds whose semantics depend on types (MIN of booleans, % of reals, ...)."""
    schema = catalog.sqlglot_schema()
    try:
        typed = qualify(ast.copy(), schema=schema, dialect=LOCAL_DIALECT,
                        quote_identifiers=True, identify=False)
        return annotate_types(typed, schema=schema, dialect=LOCAL_DIALECT), None
    except SqlglotError as err:
        return ast, f"its types cannot be worked out ({err})"


def read_table(table: Table, kind: DatabaseKind, names: dict[str, str] | None = None,
               only: set[str] | None = None) -> exp.Select:
    """``SELECT`` of the table's catalog columns (those in ``only``, if given) as their
    catalog types, in its database."""
    names = names or {}
    columns = [c for c in table.columns if only is None or c in only] or list(table.columns)[:1]
    select = [exp.alias_(kind.read_column(exp.column(names.get(c, c), quoted=True),
                                          table.columns[c]), c, quoted=True)
              for c in columns]
    return exp.select(*select).from_(db_table(table))


def db_table(table: Table) -> exp.Table:
    """The table as its database names it (``catalog.schema.table``, each part quoted)."""
    parts = [exp.to_identifier(p, quoted=True) for p in table.db_table]
    return exp.Table(this=parts[-1], db=parts[-2] if len(parts) > 1 else None,
                     catalog=parts[-3] if len(parts) > 2 else None)


def _statement(ast: exp.Expression, kind: DatabaseKind, tables: dict[str, Table],
               names: dict[str, dict[str, str]]) -> str:
    used = {c.name.lower() for c in ast.find_all(exp.Column)}

    def substitute(node: exp.Expression) -> exp.Expression:
        if isinstance(node, exp.Table) and node.name.lower() in tables:
            table = tables[node.name.lower()]
            alias = node.alias or table.name
            # only the columns the statement names (all of them under a SELECT *)
            select = node.find_ancestor(exp.Select)
            star = select is not None and any(isinstance(e, exp.Star)
                                              for e in select.expressions)
            read = read_table(table, kind, names.get(table.name), None if star else used)
            return exp.Subquery(this=read, alias=exp.TableAlias(this=exp.to_identifier(alias)))
        return node

    rewritten = kind.rewrite(ast).transform(substitute)
    try:
        return rewritten.sql(dialect=kind.dialect, identify=True,
                             unsupported_level=ErrorLevel.RAISE)
    except UnsupportedError:
        raise
    except SqlglotError as err:  # any other failure to write it: say it is unsupported
        raise UnsupportedError(str(err)) from None


__all__ = ["LOCAL_DIALECT", "Route", "database_tables", "db_table", "read_table", "route"]
