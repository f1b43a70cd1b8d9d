"""The conjuncts of a condition: the parts that AND joins, which the planner moves and
judges one by one (pushed into a join input, made a semi-join, checked by the CCL).

A parenthesised AND is split like a bare one (``(a AND b) AND c`` has three parts).
Two variations serve different readers:

* ``unwrap``: parentheses around a single part are dropped too (the builder
  re-parenthesises what it joins again with AND, so ``(a OR b)`` may lose them);
* ``keep_written``: a condition the planner wrote in place of the user's SQL
  (:mod:`scql_py.sql.written`) stays whole, so that the CCL check judges and quotes it
  as what the user wrote.

>>> from sqlglot import parse_one
>>> [c.sql() for c in conjuncts(parse_one("(a = 1 AND (b = 2 OR c = 3)) AND (d = 4)"))]
['a = 1', '(b = 2 OR c = 3)', '(d = 4)']
>>> [c.sql() for c in conjuncts(parse_one("(a = 1 AND (b = 2 OR c = 3))"), unwrap=True)]
['a = 1', 'b = 2 OR c = 3']
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql.written import written


def conjuncts(
    e: exp.Expression | None, *, unwrap: bool = False, keep_written: bool = False
) -> list[exp.Expression]:
    """The conjuncts of ``e`` (none for None), in the order written."""
    if e is None:
        return []
    if keep_written and written(e):
        return [e]
    if isinstance(e, exp.And):
        return conjuncts(e.left, unwrap=unwrap, keep_written=keep_written) + conjuncts(
            e.right, unwrap=unwrap, keep_written=keep_written
        )
    if isinstance(e, exp.Paren) and (unwrap or isinstance(e.this, exp.And)):
        return conjuncts(e.this, unwrap=unwrap, keep_written=keep_written)
    return [e]


def or_branches(e: exp.Expression) -> list[list[exp.Expression]]:
    """The branches of the OR ``e`` (one for anything else), each as the parts its AND
    joins; parentheses dropped at every level.

    >>> from sqlglot import parse_one
    >>> [[p.sql() for p in b] for b in or_branches(parse_one("(a = 1 AND b = 2) OR c = 3"))]
    [['a = 1', 'b = 2'], ['c = 3']]
    """
    return [_flat(b, exp.And) for b in _flat(e, exp.Or)]


def _flat(e: exp.Expression, kind: type) -> list[exp.Expression]:
    while isinstance(e, exp.Paren):
        e = e.this
    if isinstance(e, kind):
        return _flat(e.left, kind) + _flat(e.right, kind)
    return [e]
