"""The expressions the secure evaluator (engine/secure_expr.py) computes on shares.

The planner checks every expression it places under MPC against this list, so that a
construct with no protocol is refused before any data moves, never half-way through a
query (after a PSI join has run). ``tests/engine/test_secure_nodes.py`` checks that the
evaluator has a ``visit_`` for exactly these nodes.
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.errors import NotSupportedError

SECURE_NODES: tuple[type[exp.Expression], ...] = (
    exp.Column, exp.Paren, exp.Alias, exp.Literal, exp.Null, exp.Boolean, exp.Cast,
    exp.TryCast, exp.DataType, exp.DataTypeParam, exp.Neg, exp.Add, exp.Sub, exp.Mul,
    exp.Div, exp.Mod, exp.IntDiv, exp.EQ, exp.NEQ, exp.LT, exp.LTE, exp.GT, exp.GTE,
    exp.Between, exp.In, exp.Is, exp.And, exp.Or, exp.Not, exp.Case, exp.If, exp.Nullif,
    exp.Coalesce, exp.Identifier,
)


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


def check_secure(e: exp.Expression) -> str:
    """``e``'s SQL for a secure step; ``NotSupportedError`` naming the first construct
    the secure evaluator does not compute."""
    for node in e.walk():
        if not isinstance(node, SECURE_NODES):
            raise NotSupportedError(
                f"{_construct(node)} on values of several parties (after a join across "
                "parties, or on secret-shared data) is not supported yet; it runs where "
                "all its inputs belong to one party")
    return e.sql()


__all__ = ["SECURE_NODES", "check_secure"]
