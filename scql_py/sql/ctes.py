"""WITH: every reference to a common table expression becomes a copy of its query.

A CTE is planned like the subquery in FROM that it abbreviates; one used twice is
planned twice (each use reads its tables again, as two subqueries would). A CTE may
use the CTEs before it in its WITH, and a subquery may have its own WITH, whose names
shadow the outer ones (and a catalog table of the same name) inside it.

>>> from sqlglot import parse_one
>>> inline_ctes(parse_one("WITH c AS (SELECT x FROM t) SELECT * FROM c JOIN c AS d ON c.x = d.x")).sql()
'SELECT * FROM (SELECT x FROM t) AS c JOIN (SELECT x FROM t) AS d ON c.x = d.x'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.errors import NotSupportedError, ProgrammingError


def inline_ctes(ast: exp.Expression) -> exp.Expression:
    """A copy of ``ast`` without WITH clauses."""
    return _inline(ast.copy(), {})


def _inline(node: exp.Expression, env: dict[str, exp.CTE]) -> exp.Expression:
    with_ = node.args.get("with_")
    if with_ is not None:
        if with_.args.get("recursive"):
            raise NotSupportedError("WITH RECURSIVE")
        env = dict(env)
        names: set[str] = set()
        for cte in with_.expressions:
            name = cte.alias_or_name.lower()
            if name in names:  # DuckDB and MySQL refuse it too
                raise ProgrammingError(f"WITH names '{cte.alias_or_name}' twice")
            names.add(name)
            # a CTE sees the ones before it, not itself
            cte.set("this", _inline(cte.this, env))
            env[name] = cte
        node.set("with_", None)
    if isinstance(node, exp.Table) and node.args.get("db") is None \
            and node.name.lower() in env:
        return _use(node, env[node.name.lower()])
    for key, value in list(node.args.items()):
        if isinstance(value, exp.Expression):
            node.set(key, _inline(value, env))
        elif isinstance(value, list):
            node.set(key, [_inline(v, env) if isinstance(v, exp.Expression) else v
                           for v in value])
    return node


def _use(table: exp.Table, cte: exp.CTE) -> exp.Subquery:
    """The subquery that replaces one reference ``table`` to ``cte``."""
    alias = cte.args["alias"].copy()
    alias.set("this", exp.to_identifier(table.alias_or_name))
    if table.args.get("alias") is not None and table.args["alias"].columns:
        alias.set("columns", [c.copy() for c in table.args["alias"].columns])
    return exp.Subquery(this=cte.this.copy(), alias=alias)
