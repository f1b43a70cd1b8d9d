"""Conjuncts common to every branch of an OR move out of it.

``(p.k = l.k AND p.b = 'X' AND ...) OR (p.k = l.k AND p.b = 'Y' AND ...)`` (TPC-H Q19)
is ``p.k = l.k AND ((p.b = 'X' AND ...) OR (p.b = 'Y' AND ...))``: the equality becomes
a WHERE conjunct, so the join graph sees it as a join key. Distribution and absorption
hold in SQL's three-valued logic, so the result is the same for every row, NULLs too.

>>> from sqlglot import parse_one
>>> factor_common_conjuncts(parse_one("(a = b AND c > 1) OR (b = a AND d < 2)")).sql()
'a = b AND (c > 1 OR d < 2)'
>>> factor_common_conjuncts(parse_one("(a = b AND c > 1) OR a = b")).sql()
'a = b'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql.conjuncts import or_branches


def _canonical(e: exp.Expression) -> str:
    """One text for ``a = b`` and ``b = a``."""
    if isinstance(e, exp.EQ):
        return " = ".join(sorted((e.left.sql(), e.right.sql())))
    return e.sql()


def _factor(node: exp.Expression) -> exp.Expression:
    if not isinstance(node, exp.Or) or isinstance(node.parent, exp.Or):
        return node
    branches = or_branches(node)
    keys = [[_canonical(c) for c in b] for b in branches]
    common = [c for c, k in zip(branches[0], keys[0]) if all(k in ks for ks in keys[1:])]
    if not common:
        return node
    shared = {_canonical(c) for c in common}
    rests = [[c for c, k in zip(b, ks) if k not in shared] for b, ks in zip(branches, keys)]
    parts = [c.copy() for c in common]
    if all(rests):  # a branch of only common conjuncts makes the OR true
        parts.append(exp.or_(*[exp.and_(*[c.copy() for c in r]) for r in rests]))
    out = exp.and_(*parts)
    return exp.Paren(this=out) if node.parent is not None else out


def factor_common_conjuncts(e: exp.Expression) -> exp.Expression:
    """A copy of ``e`` with every OR's common conjuncts taken out of it."""
    return e.copy().transform(_factor)
