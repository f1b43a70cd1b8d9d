"""Conditions on one table that an OR of conjunctions over several tables implies.

``(n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY') OR (n1.n_name = 'GERMANY' AND
n2.n_name = 'FRANCE')`` (TPC-H Q7) can only be evaluated once both nations are joined:
above every join, over every joined row. It implies ``n1.n_name = 'FRANCE' OR
n1.n_name = 'GERMANY'`` and the same of ``n2``: where a branch is true, so is each of
its conjuncts. Those conditions on one table filter it at its owner, before any join,
and the OR stays as written: a row passes exactly when it did (where the OR is NULL or
false, the row is left out anyway; where it is true, so is every implied condition).

For each top-level OR of a WHERE over two tables or more, and each table that every
branch has a conjunct over (of that table's columns only, with no subquery), the OR of
those conjuncts, branch by branch, is added as a WHERE conjunct. The conditions added
read only columns the OR reads: whoever may see which rows pass the OR may see which
pass them.

>>> from sqlglot import parse_one
>>> w = parse_one("(a.x = 1 AND b.y = 2 AND a.z > 0) OR (a.x = 2 AND b.y = 1)")
>>> [c.sql() for c in implied_conditions([w])]
['(a.x = 1 AND a.z > 0) OR a.x = 2', 'b.y = 2 OR b.y = 1']
>>> implied_conditions([parse_one("a.x = 1 OR b.y = 2")])
[]
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql.conjuncts import or_branches


def _tables(e: exp.Expression) -> set[str] | None:
    """The tables ``e`` reads (None if a column is unqualified or it has a subquery)."""
    if e.find(exp.Select, exp.Subquery, exp.Exists) is not None:
        return None
    columns = list(e.find_all(exp.Column))
    if any(not c.table for c in columns):
        return None
    return {c.table for c in columns}


def implied_conditions(conjuncts: list[exp.Expression]) -> list[exp.Expression]:
    """The conditions on one table that the ORs among ``conjuncts`` (a WHERE's, over
    qualified columns) imply, as new expressions, in the order of the ORs and tables."""
    out: list[exp.Expression] = []
    for c in conjuncts:
        branches = or_branches(c)
        if len(branches) < 2:
            continue
        per_branch = [[(p, _tables(p)) for p in b] for b in branches]
        read = [t for b in per_branch for _, t in b]
        if any(t is None for t in read) or len(set().union(*read)) < 2:
            continue
        tables = [
            t
            for t in sorted(set().union(*read))
            if all(any(ts == {t} for _, ts in b) for b in per_branch)
        ]
        for t in tables:
            parts = [exp.and_(*[p.copy() for p, ts in b if ts == {t}]) for b in per_branch]
            out.append(exp.or_(*parts))
    return out
