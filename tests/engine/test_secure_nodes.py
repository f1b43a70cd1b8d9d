"""The planner's list of what runs under MPC (sql/secure_nodes.py) is exactly what the
secure evaluator implements: a construct missing from the list would be refused though
it runs; one listed without a visit would fail after data moved."""

from __future__ import annotations

from sqlglot import exp

from scql_py.engine.secure_expr import SecureEvaluator
from scql_py.sql.secure_nodes import SECURE_NODES

# carried inside the nodes that read them (a CAST's type, a column's name, the unit of
# an EXTRACT or a TIMESTAMPDIFF)
_PARTS = {exp.DataType, exp.DataTypeParam, exp.Identifier, exp.Var}


def test_secure_nodes_are_the_visited_ones():
    visited = {name[len("visit_"):] for name in dir(SecureEvaluator)
               if name.startswith("visit_") and name != "visit_"}
    listed = {cls.__name__ for cls in SECURE_NODES if cls not in _PARTS}
    assert listed == visited
