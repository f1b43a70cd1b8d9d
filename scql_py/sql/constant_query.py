"""SELECT without FROM: a query over constants only, answered by the asker alone.

``SELECT 1`` or ``SELECT 2 * 3 AS six, CAST('2024-01-01' AS DATE) AS day`` reads no
party's data, so its plan is a single local step at the asker, run in the asker's own
storage engine. The other parties run no step of it and learn nothing but that it ran.
Only a select list of the expressions the engine supports is allowed (no aggregates,
windows or subqueries, no other clause): small, and the same on every party's planner.

>>> from sqlglot import parse_one
>>> step = constant_steps(parse_one("SELECT 1 + 1 AS two"), "bob", ["two"])[0]
>>> step.op, step.party, step.types
('local', 'bob', ['int64'])
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql.local_sql import constant_sql
from scql_py.sql.physical import Step
from scql_py.sql.type_inference import infer_type

_CLAUSES = {"order": "ORDER BY", "group": "GROUP BY"}


def is_constant_query(ast: exp.Expression) -> bool:
    """A top-level SELECT without FROM."""
    return isinstance(ast, exp.Select) and ast.args.get("from_") is None


def _refuse_extras(select: exp.Select) -> None:
    clauses = [k for k, v in select.args.items() if k != "expressions" and v]
    if clauses:
        name = _CLAUSES.get(clauses[0], clauses[0].replace("_", " ").upper())
        raise NotSupportedError(f"{name} in a SELECT without FROM (only a select list of "
                                "constant expressions)")
    for node in select.walk():
        if node is select:
            continue
        if isinstance(node, (exp.Select, exp.Subquery, exp.Table)):
            raise NotSupportedError("subqueries in a SELECT without FROM")
        if isinstance(node, exp.AggFunc):
            raise NotSupportedError("aggregates in a SELECT without FROM")
        if isinstance(node, exp.Window):
            raise NotSupportedError("window functions in a SELECT without FROM")
        if isinstance(node, exp.Star):
            raise ProgrammingError("SELECT * needs a FROM clause")
        if isinstance(node, exp.Column):
            raise ProgrammingError(f"unknown column '{node.name}' (a SELECT without FROM "
                                   "has no columns)")


def constant_steps(select: exp.Select, asker: str, names: list[str]) -> list[Step]:
    """The one step of a constant query: a local query at ``asker``."""
    _refuse_extras(select)
    exprs = [p.unalias() for p in select.expressions]
    types = []
    for e in exprs:
        t = infer_type(e, {})
        types.append("int64" if t.kind == "null" else str(t))  # a bare NULL: an integer
    return [Step(id="s0", op="local", party=asker, columns=list(names), types=types,
                 args={"sql": constant_sql(list(zip(names, exprs)))})]
