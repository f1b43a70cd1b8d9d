"""Statements that change shared tables: ``CREATE SHARED TABLE t AS SELECT ...``,
``INSERT INTO t SELECT ...`` and ``DROP TABLE t``.

Only a shared table (stored as shares at every party, declared in the catalog with its
columns and CCL) can change, and only its owner may change it. Inserted rows take the table's CCL, so they must not be more visible
under it than they are at their sources: for every party, a column's source must be
plain to that party, or held back by the very condition the table grants (e.g. both
PLAINTEXT_AFTER_AGGREGATE), or the table must grant ENCRYPTED_ONLY.
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog import INT64, Catalog
from scql_py.errors import NotSupportedError, ProgrammingError, SecurityError
from scql_py.sql import logical as lp
from scql_py.sql.builder import build
from scql_py.sql.physical import Step, _Placer
from scql_py.sql.prune import prune
from scql_py.sql.resolve import check_supported, resolve
from scql_py.sql.visibility import _STATE, HIDDEN, PLAIN, Analyzer


def _shared_table(catalog: Catalog, name: str, asker: str, verb: str):
    table = catalog.tables.get(name.lower())
    if table is None and verb == "CREATE SHARED TABLE":
        raise NotSupportedError(
            f"CREATE TABLE {name} AS SELECT: tables are not created by queries; only a "
            "shared table the catalog declares (shared = true, with its columns and CCL) "
            f"is filled, by CREATE SHARED TABLE ... AS SELECT, and '{name}' is not one")
    if table is None:
        raise ProgrammingError(f"unknown table '{name}'")
    if not table.shared:
        raise NotSupportedError(f"{verb} of '{table.name}': only shared tables change "
                                "(declare it with shared = true and scql import it)")
    if table.owner != asker:
        raise SecurityError(f"{verb} of '{table.name}': only its owner '{table.owner}' may "
                            f"change it, not '{asker}'", party=asker)
    return table


def plan_insert(catalog: Catalog, asker: str, ast: exp.Insert | exp.Create,
                pushdown: bool) -> list[Step]:
    """``INSERT INTO t SELECT`` or, for a ``Create``, ``CREATE SHARED TABLE t AS SELECT``
    (the table is declared in the catalog, with its CCL, and holds no version yet)."""
    create = isinstance(ast, exp.Create)
    verb = "CREATE SHARED TABLE" if create else "INSERT INTO"
    target = ast.this
    columns = None
    if isinstance(target, exp.Schema):
        columns = [c.name.lower() for c in target.expressions]
        target = target.this
    table = _shared_table(catalog, target.name, asker, verb)
    select = ast.expression
    if select is None or not isinstance(select, (exp.Select, exp.Union, exp.Subquery)):
        raise NotSupportedError("INSERT ... VALUES: use INSERT INTO t SELECT ...")
    select = select.copy()  # detached from the INSERT: a query of its own
    check_supported(select)
    root = build(resolve(select, catalog), catalog)
    names = list(table.columns)
    given = columns or names
    if sorted(given) != sorted(names) or len(given) != len(root.columns):
        raise NotSupportedError(
            f"INSERT INTO {table.name} must give every column ({', '.join(names)})")
    source_of = dict(zip(given, root.columns))
    analyzer = Analyzer(catalog)
    vis = dict(zip(root.columns, analyzer.node(root)))
    for col in names:
        for party in catalog.party_names:
            granted = PLAIN if party == table.owner else _STATE[table.ccl_level(col, party)]
            state = vis[source_of[col]][party]
            if state.plain or granted == HIDDEN or all(p.state == granted for p in state.parts):
                continue
            s = state.blocker()
            raise SecurityError(
                f"{verb} {table.name}: column '{col}' would give party '{party}' level "
                f"{table.ccl_level(col, party).name if party != table.owner else 'PLAINTEXT'}"
                f", but its source '{s.culprit}' has CCL level {s.level} for '{party}'",
                column=s.culprit, party=party, level=s.level)
    types = dict(zip(root.columns, root.types))
    exprs = []
    for col in names:
        src = exp.column(source_of[col], quoted=True)
        want = table.columns[col]
        e = src if types[source_of[col]] == want else exp.Cast(
            this=src, to=exp.DataType.build(want.to_duckdb()))
        exprs.append((col, e, want))
    root = prune(lp.Project(root, exprs))
    placer = _Placer(asker, pushdown, None, catalog.group_size_threshold)
    rel = placer.secret(root)
    out = lp.Scan("", asker, ["rows", "version"], [INT64, INT64])
    placer.emit("append_shared", out, inputs=[rel], table=table.name, create=create)
    return placer.steps


def plan_drop(catalog: Catalog, asker: str, ast: exp.Drop) -> list[Step]:
    if (ast.args.get("kind") or "").upper() != "TABLE":
        raise NotSupportedError(f"DROP {ast.args.get('kind')}")
    targets = [ast.this] if ast.this is not None else list(ast.args.get("tables") or [])
    if len(targets) != 1:
        raise NotSupportedError("DROP TABLE of several tables at once")
    table = _shared_table(catalog, targets[0].name, asker, "DROP TABLE")
    placer = _Placer(asker, True)
    out = lp.Scan("", asker, ["rows", "version"], [INT64, INT64])
    placer.emit("drop_shared", out, table=table.name)
    return placer.steps
