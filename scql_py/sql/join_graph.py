"""Inner joins in any FROM order: the order of the join graph.

``FROM a, b, c WHERE a.x = c.x AND b.y = c.y`` (as TPC-H writes its joins) names ``b``
right after ``a``, although nothing joins them; joined in that order, ``a`` and ``b``
would form a cross join. When every join of a SELECT is inner (comma, ``JOIN ... ON``,
``CROSS JOIN``), their order does not change the result: the sources are reordered so
that each one is joined to the sources before it by an equality of WHERE or ON, where
there is one, and every ON condition becomes a WHERE conjunct (the builder then makes
each join's keys of the equalities between its two inputs). A source that no equality
reaches stays a cross join, in the order written.

Works on a qualified SELECT (every column names its table's alias).

>>> from sqlglot import parse_one
>>> order_joins(parse_one("SELECT 1 FROM a, b, c WHERE a.x = c.x AND b.y = c.y")).sql()
'SELECT 1 FROM a, c, b WHERE a.x = c.x AND b.y = c.y'
"""

from __future__ import annotations

from sqlglot import exp


def _inner(join: exp.Join) -> bool:
    return not join.args.get("side") and not join.args.get("using") \
        and (join.args.get("kind") or "INNER").upper() in ("INNER", "CROSS")


def _conjuncts(e: exp.Expression | None) -> list[exp.Expression]:
    if e is None:
        return []
    if isinstance(e, exp.And):
        return _conjuncts(e.left) + _conjuncts(e.right)
    if isinstance(e, exp.Paren) and isinstance(e.this, exp.And):
        return _conjuncts(e.this)
    return [e]


def _tables(e: exp.Expression) -> set[str]:
    return {c.table for c in e.find_all(exp.Column)}


def _edges(conjuncts: list[exp.Expression]) -> list[tuple[set[str], set[str]]]:
    """The equalities between expressions of different sources, as pairs of the
    sources each side reads."""
    out = []
    for c in conjuncts:
        if isinstance(c, exp.EQ) and not c.find(exp.Subquery):
            a, b = _tables(c.left), _tables(c.right)
            if a and b and not a & b:
                out.append((a, b))
    return out


def order_joins(select: exp.Select) -> exp.Select:
    """``select`` with its inner joins in the order of its join graph (unchanged when
    it has an outer join, or is already in such an order)."""
    joins = select.args.get("joins") or []
    from_ = select.args.get("from_")
    if not joins or from_ is None or not all(_inner(j) for j in joins):
        return select
    sources = [from_.this] + [j.this for j in joins]
    names = [s.alias_or_name for s in sources]
    where = select.args.get("where")
    conjuncts = _conjuncts(where.this if where is not None else None)
    for j in joins:
        conjuncts += _conjuncts(j.args.get("on"))
    edges = _edges(conjuncts)
    order, chosen = [0], {names[0]}
    rest = list(range(1, len(sources)))
    while rest:
        def reached(i: int) -> bool:
            return any((a <= chosen and b == {names[i]}) or (b <= chosen and a == {names[i]})
                       for a, b in edges)
        nxt = next((i for i in rest if reached(i)), rest[0])
        order.append(nxt)
        chosen.add(names[nxt])
        rest.remove(nxt)
    if order == list(range(len(sources))) and not any(j.args.get("on") for j in joins):
        return select
    out = select.copy()
    copies = [s.copy() for s in sources]
    out.set("from_", exp.From(this=copies[order[0]]))
    out.set("joins", [exp.Join(this=copies[i]) for i in order[1:]])
    out.set("where", exp.Where(this=exp.and_(*[c.copy() for c in conjuncts]))
            if conjuncts else None)
    return out
