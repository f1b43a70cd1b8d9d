"""Correlated subqueries as grouped queries that a join puts back onto the outer rows.

A subquery is correlated when its WHERE compares its own columns with the outer
query's. Each such conjunct is taken out; what is left is a query over the subquery's
own tables, grouped by the inner side of the equalities, whose groups a LEFT join on
those equalities hands to the outer rows (an outer row without a group gets the value
over no rows):

* ``(SELECT 0.2 * AVG(q) FROM l WHERE l.k = p.k)`` (TPC-H Q17) is
  ``SELECT l.k, 0.2 * AVG(q) FROM l GROUP BY l.k``, joined on ``p.k``;
* ``EXISTS (SELECT * FROM l2 WHERE l2.o = l1.o AND l2.s <> l1.s)`` (TPC-H Q21): one
  correlation other than an equality becomes an extreme of its inner side per group,
  compared with the outer value (some ``s`` differs from ``v`` exactly when the
  group's MIN or MAX does; some ``s < v`` when the MIN is).

This module rewrites the SQL of the subquery; the builder plans and joins it.

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT AVG(l.q) FROM l WHERE l.k = p.k AND l.d > 1")
>>> eqs, others, rest = correlations(q)
>>> [(o.sql(), i.sql()) for o, i in eqs], others, rest.sql()
([('p.k', 'l.k')], [], 'SELECT AVG(l.q) FROM l WHERE l.d > 1')
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.errors import NotSupportedError
from scql_py.sql.conjuncts import conjuncts

# inner op outer, flipped when the outer side is written first
_FLIP = {exp.EQ: exp.EQ, exp.NEQ: exp.NEQ, exp.LT: exp.GT, exp.GT: exp.LT, exp.LTE: exp.GTE,
         exp.GTE: exp.LTE}


def inner_sources(query: exp.Expression) -> set[str]:
    """The aliases of the tables and derived tables inside ``query``."""
    names = {t.alias_or_name for t in query.find_all(exp.Table)}
    return names | {s.alias_or_name for s in query.find_all(exp.Subquery) if s.alias_or_name}


def outer_columns(query: exp.Expression) -> list[exp.Column]:
    """The columns of ``query`` that belong to an enclosing query."""
    inner = inner_sources(query)
    return [c for c in query.find_all(exp.Column) if c.table and c.table not in inner]


def correlations(query: exp.Select):
    """Split ``query``'s WHERE into its correlations and the rest.

    Returns ``(equalities, others, rest)``: ``equalities`` as (outer expression, inner
    expression) pairs, ``others`` as (comparison class, inner expression, outer
    expression) for ``inner op outer``, and a copy of ``query`` without them. An outer
    expression reads only the outer query's columns (``p.k`` or ``p.k + 1``), an inner
    one only the subquery's. Raises ``NotSupportedError`` for an outer reference
    anywhere else."""
    inner = inner_sources(query)
    query = query.copy()
    where = query.args.get("where")
    eqs, others, rest = [], [], []
    for c in conjuncts(where.this if where is not None else None):
        if not any(col.table and col.table not in inner for col in c.find_all(exp.Column)):
            rest.append(c)
            continue
        pair = _comparison(c, inner)
        if pair is None:
            raise NotSupportedError(f"a subquery correlated by {c.sql()} (only comparisons "
                                    "of the outer query's columns with the subquery's)")
        op, inner_side, outer_col = pair
        if op is exp.EQ:
            eqs.append((outer_col, inner_side))
        else:
            others.append((op, inner_side, outer_col))
    query.set("where", exp.Where(this=exp.and_(*rest)) if rest else None)
    left = outer_columns(query)
    if left:
        raise NotSupportedError(f"a subquery that uses {left[0].sql()} of the outer query "
                                "outside its WHERE conjuncts")
    return eqs, others, query


def _comparison(c: exp.Expression, inner: set[str]):
    while isinstance(c, exp.Paren):
        c = c.this
    if type(c) not in _FLIP:
        return None

    def only(e, outer: bool):
        cols = list(e.find_all(exp.Column))
        return bool(cols) and all(bool(col.table) and (col.table in inner) != outer
                                  for col in cols) and not e.find(exp.Subquery, exp.Select)

    if only(c.right, outer=True) and only(c.left, outer=False):
        return type(c), c.left, c.right
    if only(c.left, outer=True) and only(c.right, outer=False):
        return _FLIP[type(c)], c.right, c.left
    return None


def not_equal_variants(query: exp.Select) -> tuple[exp.Select, exp.Select]:
    """For ``query`` with one correlation ``inner <> outer``: copies of it without that
    conjunct, and with it as ``inner = outer``."""
    inner = inner_sources(query)
    where = query.args.get("where")
    found = [c for c in conjuncts(where.this if where is not None else None)
             if (p := _comparison(c, inner)) is not None and p[0] is exp.NEQ]
    if len(found) != 1:
        raise NotSupportedError("EXISTS correlated by more than one <>")
    conj = found[0]
    while isinstance(conj, exp.Paren):
        conj = conj.this
    rest = [c for c in conjuncts(where.this) if c is not found[0]]
    without, with_eq = query.copy(), query.copy()
    without.set("where", exp.Where(this=exp.and_(*[c.copy() for c in rest])) if rest else None)
    eq = exp.EQ(this=conj.left.copy(), expression=conj.right.copy())
    with_eq.set("where", exp.Where(this=exp.and_(*[c.copy() for c in rest], eq)))
    return without, with_eq


def grouped(query: exp.Select, keys: list[exp.Expression],
            values: list[tuple[str, exp.Expression]]) -> exp.Select:
    """``query`` (without its correlations) selecting ``keys`` as ``__ck<i>`` and the
    ``values``, grouped by the keys."""
    out = query.copy()
    out.set("expressions", [exp.alias_(k.copy(), f"__ck{i}") for i, k in enumerate(keys)]
            + [exp.alias_(v.copy(), name) for name, v in values])
    out.set("group", exp.Group(expressions=[k.copy() for k in keys]) if keys else None)
    return out


# operations that are NULL when an operand is: folded over no rows, because a bare NULL
# has no type (NULL + INTERVAL '1' HOUR could be a date, a timestamp or an interval)
_NULL_IN_NULL_OUT = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.IntDiv, exp.Mod, exp.Neg,
                     exp.Paren, exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE,
                     exp.DateAdd, exp.DateSub, exp.TsOrDsAdd, exp.TsOrDsToDate,
                     exp.Extract, exp.Year, exp.Month, exp.Day, exp.Abs, exp.Round,
                     exp.Floor, exp.Ceil)


def over_no_rows(value: exp.Expression) -> exp.Expression:
    """``value`` (an expression of aggregates) as it is over no rows: COUNT is 0, every
    other aggregate NULL, and an operation of those above on a NULL is NULL."""
    def empty(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Count):
            return exp.Literal.number(0)
        if isinstance(n, exp.AggFunc):
            return exp.Null()
        return n

    def fold(n: exp.Expression) -> exp.Expression:  # children first
        for child in list(n.iter_expressions()):
            child.replace(fold(child))
        if isinstance(n, _NULL_IN_NULL_OUT) and any(
                isinstance(a, exp.Null) for a in n.iter_expressions()):
            return exp.Null()
        return n
    return fold(value.copy().transform(empty))


def extreme_test(op, outer: exp.Expression, low: exp.Expression, high: exp.Expression
                 ) -> exp.Expression:
    """Whether some inner value ``e`` has ``e op outer``, from the group's MIN ``low`` and
    MAX ``high`` of ``e`` (NULL when the group has no such value)."""
    o = outer.copy()
    if op is exp.NEQ:
        return exp.or_(exp.NEQ(this=low, expression=o), exp.NEQ(this=high, expression=o.copy()))
    if op in (exp.LT, exp.LTE):
        return op(this=low, expression=o)
    return op(this=high, expression=o)


def check_aggregating(query: exp.Select, what: str) -> exp.Expression:
    """The one value of a correlated scalar subquery, which must be an aggregate (one
    row per group); its other clauses must keep that one row."""
    for arg in ("group", "having", "limit", "offset", "distinct", "joins_using"):
        if query.args.get(arg):
            raise NotSupportedError(f"{what} with {arg.upper()}")
    if len(query.expressions) != 1:
        raise NotSupportedError(f"{what} with more than one column")
    value = query.expressions[0].unalias()
    if not any(isinstance(n, exp.AggFunc) for n in value.walk()):
        raise NotSupportedError(f"{what} that does not aggregate (it could return several "
                                "rows; use MIN, MAX, ...)")
    return value
