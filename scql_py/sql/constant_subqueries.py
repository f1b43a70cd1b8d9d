"""A subquery without FROM inside another query becomes the constant it selects.

``WHERE x > (SELECT 1)``, ``x IN (SELECT 2)``, ``x < ALL (SELECT 3)``: a SELECT without
FROM over constants has exactly one row, so it is its select list. Used as a value it
is that value, as the set of IN or ANY/ALL a one-element list. Anything else without
FROM (a derived table, a branch of a set operation, one with other clauses or columns)
is left as it is, for the planner to refuse by name.

>>> from sqlglot import parse_one
>>> inline_constant_subqueries(parse_one("SELECT a FROM t WHERE a > (SELECT 1 + 1) "
...     "AND b IN (SELECT 'x') AND c < ALL (SELECT 3)")).sql()
"SELECT a FROM t WHERE a > (1 + 1) AND b IN ('x') AND c < 3"
"""

from __future__ import annotations

from sqlglot import exp


def _constant_value(select: exp.Expression) -> exp.Expression | None:
    """The one expression of a SELECT without FROM over constants only, else None."""
    if not isinstance(select, exp.Select) or len(select.expressions) != 1:
        return None
    if any(v for k, v in select.args.items() if k != "expressions"):
        return None
    value = select.expressions[0].unalias()
    if any(isinstance(n, (exp.Column, exp.Star, exp.Select, exp.AggFunc, exp.Window))
           for n in value.walk()):
        return None
    return value


def inline_constant_subqueries(ast: exp.Expression) -> exp.Expression:
    """``ast`` (changed in place) with each constant subquery used as a value, or as
    the set of IN / ANY / ALL, replaced by its constant."""
    def swap(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.In) and isinstance(n.args.get("query"), exp.Subquery):
            value = _constant_value(n.args["query"].this)
            if value is not None:
                return exp.In(this=n.this, expressions=[value.copy()])
        if isinstance(n, (exp.Any, exp.All)) and isinstance(n.parent, exp.Binary):
            query = n.this.this if isinstance(n.this, exp.Subquery) else n.this
            value = _constant_value(query)
            if value is not None:
                return value.copy()  # x op ANY|ALL of one value is x op that value
        if isinstance(n, exp.Subquery) and not isinstance(
                n.parent, (exp.From, exp.Join, exp.Exists, exp.In, exp.Any, exp.All)) \
                and not n.alias:
            value = _constant_value(n.this)
            if value is not None:
                return exp.paren(value.copy())
        return n
    return ast.transform(swap, copy=False)
