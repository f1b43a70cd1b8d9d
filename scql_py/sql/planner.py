"""From SQL text to a checked, placed physical plan.

>>> # plan_query(catalog, "alice", "SELECT AVG(income) FROM ...")  -> PhysicalPlan
"""

from __future__ import annotations

import re

from sqlglot import exp

from scql_py.catalog import Catalog
from scql_py.errors import ProgrammingError
from scql_py.sql import rewrite
from scql_py.sql.builder import build
from scql_py.sql.changes import plan_drop, plan_insert
from scql_py.sql.constant_query import constant_steps, is_constant_query
from scql_py.sql.constant_subqueries import inline_constant_subqueries
from scql_py.sql.ctes import inline_ctes
from scql_py.sql.ledger import list_openings
from scql_py.sql.logical import Join, walk
from scql_py.sql.parse import DIALECT, parse_statement
from scql_py.sql.physical import PhysicalPlan, place
from scql_py.sql.prune import prune
from scql_py.sql.resolve import check_supported, resolve
from scql_py.sql.source_rows import count_rows_of
from scql_py.sql.visibility import DEFAULT_GROUP_THRESHOLD, Analyzer


def output_names(ast: exp.Expression) -> list[str]:
    """Column names as the user wrote them (alias, column name, or expression text)."""
    while isinstance(ast, (exp.SetOperation, exp.Subquery)):
        ast = ast.this if isinstance(ast, exp.Subquery) else ast.left
    names = []
    for p in ast.expressions:
        if isinstance(p, exp.Star):
            return []
        if isinstance(p, exp.Alias):
            names.append(p.alias)
        elif isinstance(p, exp.Column):
            names.append(p.name)
        else:
            names.append(p.sql(dialect=DIALECT))
    return names


# CREATE SHARED TABLE t AS SELECT: "SHARED" is ours; the table is declared shared anyway
_SHARED_CREATE = re.compile(r"^\s*CREATE\s+SHARED\s+TABLE", re.IGNORECASE)



def group_threshold(catalog: Catalog, analyzer: Analyzer, root, asker: str) -> int | None:
    """The size below which this query's groups are left out: the catalog's, for every
    GROUP BY; without one, the default where the asker may see the keys only grouped."""
    if catalog.group_size_threshold is not None:
        return catalog.group_size_threshold
    if analyzer.groups_by_what_it_may_only_group(root, asker):
        return DEFAULT_GROUP_THRESHOLD
    return None


def plan_query(catalog: Catalog, asker: str, sql: str, pushdown: bool = True,
               max_rows: int | None = None) -> PhysicalPlan:
    """Parse, check, resolve, build, check the CCL for ``asker``, optimise and place.

    ``max_rows`` bounds the row pairs of a many-to-many secret join (default: the
    catalog's ``max_rows``); it travels in the plan so that every party applies it."""
    catalog.party(asker)  # unknown asker -> error
    if max_rows is None:
        max_rows = catalog.max_rows
    if not isinstance(max_rows, int) or isinstance(max_rows, bool) or max_rows < 1:
        raise ProgrammingError(f"max_rows must be a positive integer, not {max_rows!r}")
    ast = inline_ctes(parse_statement(_SHARED_CREATE.sub("CREATE TABLE", sql, count=1)))
    creates = isinstance(ast, exp.Create) and (ast.args.get("kind") or "").upper() == "TABLE"
    if isinstance(ast, (exp.Insert, exp.Drop)) or (creates and ast.expression is not None):
        steps = (plan_drop(catalog, asker, ast) if isinstance(ast, exp.Drop)
                 else plan_insert(catalog, asker, ast, pushdown))
        list_openings(steps, asker, catalog.compute)
        return PhysicalPlan(asker=asker, sql=sql, steps=steps, output_names=["rows", "version"],
                            output_types=["int64", "int64"], pushdown=pushdown,
                            max_rows=max_rows)
    ast = inline_constant_subqueries(ast)
    check_supported(ast)
    if is_constant_query(ast):
        names = output_names(ast)
        steps = constant_steps(ast, asker, names)
        list_openings(steps, asker, catalog.compute)
        return PhysicalPlan(asker=asker, sql=sql, steps=steps, output_names=names,
                            output_types=steps[0].types, pushdown=pushdown,
                            max_rows=max_rows)
    resolved = resolve(ast, catalog)
    root = build(resolved, catalog)
    names = output_names(ast) or list(root.columns)
    if len(names) != len(root.columns):
        names = list(root.columns)
    Analyzer(catalog).check_result(root, asker, names)
    analyzer = Analyzer(catalog)
    for node in walk(root):
        if isinstance(node, Join):
            node.psi = analyzer.psi_allowed(node)
            node.psi_server = analyzer.psi_server(node, catalog.compute) if node.psi else None
    root = prune(root)
    threshold = group_threshold(catalog, analyzer, root, asker)
    for aggregate, tables in analyzer.check_group_threshold(root, asker, threshold):
        root = count_rows_of(root, aggregate, tables)
    if pushdown:
        # partial aggregates would count partial rows, not group sizes, against the
        # threshold: with one, groups are formed under MPC from the rows themselves
        root = rewrite.optimize(root, partial_groups=not threshold)
    else:
        root = rewrite.casts_at_owners(root)
    # a column read only by a subexpression its owner now computes is not shared
    root = prune(root)
    steps = place(root, asker, pushdown, threshold, catalog.compute)
    list_openings(steps, asker, catalog.compute)
    return PhysicalPlan(
        asker=asker, sql=sql, steps=steps, output_names=names,
        output_types=[str(t) for t in root.types], pushdown=pushdown, max_rows=max_rows,
    )
