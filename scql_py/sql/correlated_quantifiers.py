"""Correlated ``x IN (SELECT y ...)``, ``x op ANY|ALL (SELECT y ...)`` as EXISTS and
correlated aggregates, which the builder decorrelates (``decorrelate``).

The subquery ``S`` = ``SELECT y FROM f WHERE w`` (``w`` uses the outer row) is one set
of ``y`` per outer row. With ``n`` = ``(SELECT COUNT(*) FROM f WHERE w)`` and ``nulls``
the number of NULL ``y`` there, SQL's three-valued answers are:

* ``x IN S``: TRUE if ``EXISTS (SELECT 1 FROM f WHERE w AND y = x)``, else FALSE if
  ``n = 0``, else NULL if ``x`` is NULL or ``nulls > 0``, else FALSE. As a WHERE
  conjunct NULL and FALSE both drop the row: there it is the EXISTS alone.
* ``x op ANY S``: the same with the extreme of ``y`` nearest to ``x`` (``x > ANY`` is
  ``x > MIN(y)``); ``x op ALL S`` with the farthest one, TRUE over no rows.
  ``= ANY`` is IN, ``<> ALL`` is NOT IN. As a WHERE conjunct ``x op ANY S`` is
  ``EXISTS (SELECT 1 FROM f WHERE w AND x op y)``.

``x`` is an expression of the outer query's columns (``a.k`` or ``a.k + 1``):
``decorrelate.correlations`` takes comparisons of such an expression with one of the
subquery's columns, and the builder computes it as a column of the outer rows.

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT a.id FROM a WHERE a.k IN (SELECT b.k FROM b WHERE b.id = a.id)")
>>> rewrite_correlated_quantifiers(q).sql()
'SELECT a.id FROM a WHERE EXISTS(SELECT 1 FROM b WHERE b.id = a.id AND b.k = a.k)'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.errors import NotSupportedError
from scql_py.sql.conjuncts import conjuncts
from scql_py.sql.decorrelate import outer_columns
from scql_py.sql.written import standing_for, user_sql

_FLIP = {exp.EQ: exp.EQ, exp.NEQ: exp.NEQ, exp.LT: exp.GT, exp.GT: exp.LT, exp.LTE: exp.GTE,
         exp.GTE: exp.LTE}


def _subquery_of(n: exp.Expression) -> tuple[exp.Expression, exp.Select, str] | None:
    """``(x, the subquery, what the user wrote)`` of a correlated IN / ANY / ALL."""
    if isinstance(n, exp.In) and n.args.get("query") is not None:
        query, x = n.args["query"], n.this
    elif isinstance(n, exp.Binary) and isinstance(n.expression, (exp.Any, exp.All)) \
            and type(n) in _FLIP:
        query, x = n.expression.this, n.this
    else:
        return None
    query = query.this if isinstance(query, exp.Subquery) else query
    if not outer_columns(query):
        return None
    if not isinstance(query, exp.Select):
        raise NotSupportedError(f"a correlated subquery over a set operation ({n.sql()})")
    for arg in ("group", "having", "limit", "offset", "order"):
        if query.args.get(arg):
            raise NotSupportedError(f"a correlated IN / ANY / ALL subquery with "
                                    f"{arg.upper()} ({n.sql()})")
    if len(query.expressions) != 1:
        raise NotSupportedError(f"a correlated IN / ANY / ALL subquery of more than one "
                                f"column ({n.sql()})")
    if x.find(exp.Subquery, exp.Select, exp.AggFunc, exp.Window):
        raise NotSupportedError(f"a correlated IN / ANY / ALL subquery tested against "
                                f"{x.sql(dialect='mysql')} (only against an expression of "
                                f"the outer query's columns) ({n.sql(dialect='mysql')})")
    return x, query, n.sql()


def _with_condition(query: exp.Select, cond: exp.Expression | None,
                    select: exp.Expression) -> exp.Select:
    out = query.copy()
    out.set("distinct", None)
    out.set("expressions", [select])
    if cond is not None:
        where = out.args.get("where")
        out.set("where", exp.Where(this=exp.and_(where.this, cond) if where else cond))
    return out


def _value(query: exp.Select, value: exp.Expression) -> exp.Expression:
    return exp.Subquery(this=_with_condition(query, None, value))


def _exists(query: exp.Select, op, x: exp.Expression) -> exp.Expression:
    """EXISTS (SELECT 1 FROM f WHERE w AND x op y)."""
    y = query.expressions[0].unalias().copy()
    return exp.Exists(this=_with_condition(query, _FLIP[op](this=y, expression=x.copy()),
                                           exp.Literal.number(1)))


def _three_valued(n: exp.Expression) -> exp.Expression:
    x, query, _ = _subquery_of(n)
    y = query.expressions[0].unalias()
    if isinstance(n, exp.In):
        op, every = exp.EQ, False
    else:
        op, every = type(n), isinstance(n.expression, exp.All)
    negate = op is exp.NEQ and every  # <> ALL is NOT IN
    if negate:
        op, every = exp.EQ, False
    zero = exp.Literal.number(0)
    empty = exp.EQ(this=_value(query, exp.Count(this=exp.Star())), expression=zero)
    # the NULLs of y counted by a comparison (IS NULL), which the CCL lets a
    # PLAINTEXT_AFTER_COMPARE column take part in, not by COUNT(y); only whether a
    # group has one is used, which is what the quantifier itself shows (its core
    # comparisons are checked as the user's condition), so the CCL check skips it
    is_null = standing_for(
        exp.Case(ifs=[exp.If(this=exp.Is(this=y.copy(), expression=exp.Null()),
                             true=exp.Literal.number(1))],
                 default=exp.Literal.number(0)), user_sql(n), join=True)
    nulls = exp.Coalesce(this=exp.Sum(this=is_null), expressions=[zero.copy()])
    unknown = exp.or_(exp.Is(this=x.copy(), expression=exp.Null()),
                      exp.GT(this=_value(query, nulls), expression=zero.copy()))
    if op is exp.EQ and not every:
        core = _exists(query, exp.EQ, x)
    elif op is exp.EQ:  # = ALL: every y equals x
        core = exp.and_(exp.EQ(this=x.copy(), expression=_value(query, exp.Min(this=y.copy()))),
                        exp.EQ(this=x.copy(), expression=_value(query, exp.Max(this=y.copy()))))
    elif op is exp.NEQ:  # <> ANY: some y differs from x
        core = exp.or_(exp.NEQ(this=x.copy(), expression=_value(query, exp.Min(this=y.copy()))),
                       exp.NEQ(this=x.copy(), expression=_value(query, exp.Max(this=y.copy()))))
    else:
        # ANY: the extreme nearest to x decides; ALL: the farthest
        use_min = (op in (exp.GT, exp.GTE)) != every
        extreme = exp.Min(this=y.copy()) if use_min else exp.Max(this=y.copy())
        core = op(this=x.copy(), expression=_value(query, extreme))
    if every:
        ifs = [exp.If(this=empty, true=exp.true()),
               exp.If(this=exp.Not(this=exp.paren(core)), true=exp.false()),
               exp.If(this=unknown, true=exp.Null())]
        out = exp.Case(ifs=ifs, default=exp.true())
    else:
        ifs = [exp.If(this=core, true=exp.true()), exp.If(this=empty, true=exp.false()),
               exp.If(this=unknown, true=exp.Null())]
        out = exp.Case(ifs=ifs, default=exp.false())
    # a refusal of the rewritten condition quotes what the user wrote
    text = user_sql(n)
    out = standing_for(out, text)
    return standing_for(exp.Not(this=exp.paren(out)) if negate else exp.paren(out), text)


def _rewrite(e: exp.Expression) -> exp.Expression:
    def swap(n: exp.Expression) -> exp.Expression:
        return _three_valued(n) if _subquery_of(n) is not None else n
    return e.transform(swap)


def rewrite_correlated_quantifiers(select: exp.Select) -> exp.Select:
    """``select`` (a copy where anything changes) with its correlated IN / ANY / ALL
    subqueries (in WHERE and the select list, not inside its own subqueries, which are
    rewritten when they are planned) in terms of EXISTS and correlated aggregates."""
    def found(e: exp.Expression | None) -> bool:
        return e is not None and any(
            _subquery_of(n) is not None
            for n in e.walk(prune=lambda n: isinstance(n, (exp.Subquery, exp.Select))
                            and n is not e))
    where = select.args.get("where")
    if not (found(where.this if where is not None else None)
            or any(found(p) for p in select.expressions)):
        return select
    select = select.copy()
    where = select.args.get("where")
    if where is not None:
        parts = []
        for c in conjuncts(where.this):
            inner = c.unnest() if isinstance(c, exp.Paren) else c
            sub = _subquery_of(inner)
            # a conjunct only keeps the rows where it is TRUE: the EXISTS alone
            if sub is not None and isinstance(inner, exp.In):
                parts.append(_exists(sub[1], exp.EQ, sub[0]))
            elif sub is not None and isinstance(inner.expression, exp.Any):
                parts.append(_exists(sub[1], type(inner), sub[0]))
            else:
                parts.append(_rewrite(c))
        select.set("where", exp.Where(this=exp.and_(*parts)))
    select.set("expressions", [_rewrite(p) for p in select.expressions])
    return select
