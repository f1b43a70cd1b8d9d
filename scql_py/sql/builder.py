"""Turn a resolved (qualified) SELECT into a logical plan.

One SELECT becomes, bottom up: its FROM source, ``Filter`` (WHERE), ``Aggregate`` when
it has aggregate calls, ``Project`` (the select list) and ``Limit``. Column references
lose their table qualifier: each node has a single input, so bare names are unambiguous.
"""

from __future__ import annotations

import itertools

from sqlglot import exp

from scql_py.catalog import INT64, Catalog
from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql import logical as lp
from scql_py.sql.type_inference import AGGREGATES, common_type, infer_type


def build(ast: exp.Expression, catalog: Catalog) -> lp.Node:
    if isinstance(ast, exp.Subquery):
        return build(ast.this, catalog)
    if isinstance(ast, exp.Union):
        return _build_union(ast, catalog)
    if isinstance(ast, exp.Select):
        return _build_select(ast, catalog)
    raise NotSupportedError(f"{ast.key.upper()} as a query")


def _build_union(ast: exp.Union, catalog: Catalog) -> lp.Node:
    inputs: list[lp.Node] = []
    for side in (ast.left, ast.right):
        child = build(side, catalog)
        inputs.extend(child.inputs if isinstance(child, lp.UnionAll) else [child])
    width = len(inputs[0].columns)
    for child in inputs[1:]:
        if len(child.columns) != width:
            raise ProgrammingError(
                f"UNION ALL branches have {width} and {len(child.columns)} columns"
            )
    types = list(inputs[0].types)
    for child in inputs[1:]:
        types = [common_type(a, b, "UNION ALL") for a, b in zip(types, child.types)]
    return lp.UnionAll(inputs, types)


def _outer_columns(node: exp.Expression) -> list[exp.Column]:
    """The column references of ``node`` that are not inside one of its subqueries."""
    out = []
    for col in node.find_all(exp.Column):
        p = col.parent
        while p is not None and p is not node and not isinstance(p, (exp.Subquery, exp.Select)):
            p = p.parent
        if p is None or p is node:
            out.append(col)
    return out


def _rename(node: exp.Expression, name_of) -> exp.Expression:
    node = node.copy()
    if isinstance(node, exp.Column):
        return exp.Column(this=exp.to_identifier(name_of(node), quoted=True))
    for col in _outer_columns(node):
        col.replace(exp.Column(this=exp.to_identifier(name_of(col), quoted=True)))
    return node


def bare(node: exp.Expression) -> exp.Expression:
    """Copy of ``node`` with table qualifiers dropped from its column references
    (subqueries inside keep theirs: they are planned on their own)."""
    return _rename(node, lambda c: c.name)


def qualified(node: exp.Expression) -> exp.Expression:
    """Copy of ``node`` whose column references are named ``alias.column`` (in a join,
    the inputs' columns are renamed so, which keeps same-named columns apart)."""
    return _rename(node, lambda c: f"{c.table}.{c.name}" if c.table else c.name)


def _aliased(node: lp.Node, alias: str) -> lp.Node:
    """``node`` with its columns renamed ``alias.column``."""
    return lp.Project(node, [(f"{alias}.{c}", exp.column(c, quoted=True), t)
                             for c, t in zip(node.columns, node.types)])


def _conjuncts(e: exp.Expression | None) -> list[exp.Expression]:
    if e is None:
        return []
    if isinstance(e, exp.And):
        return _conjuncts(e.left) + _conjuncts(e.right)
    if isinstance(e, exp.Paren):
        return _conjuncts(e.this)
    return [e]


def _names(e: exp.Expression) -> set[str]:
    return {c.name for c in e.find_all(exp.Column)}


def _and(parts: list[exp.Expression]) -> exp.Expression | None:
    """AND of ``parts`` (parenthesised where needed: an OR stays an OR)."""
    return exp.and_(*parts, copy=False) if parts else None


def _join_sources(select: exp.Select, catalog: Catalog) -> tuple[lp.Node, exp.Expression | None]:
    """The FROM ... JOIN ... of ``select`` as Join nodes over ``alias.column`` names;
    returns it with the part of WHERE that could not be pushed into one input."""
    from_ = select.args.get("from_") or select.args.get("from")
    node = _aliased(_single_source(from_.this, select, catalog), from_.this.alias_or_name)
    where = select.args.get("where")
    pending = [qualified(c) for c in _conjuncts(where.this if where is not None else None)]
    joins = select.args.get("joins") or []
    for i, join in enumerate(joins):
        side = (join.args.get("side") or "").lower()
        if side == "full" or join.args.get("kind") in ("CROSS",) and join.args.get("on"):
            raise NotSupportedError(
                f"{side.upper() or join.args.get('kind')} JOIN is not supported (INNER, LEFT, "
                "RIGHT and comma joins are)")
        how = side or "inner"
        right = _aliased(_single_source(join.this, select, catalog), join.this.alias_or_name)
        on = [qualified(c) for c in _conjuncts(join.args.get("on"))]
        lcols, rcols = set(node.columns), set(right.columns)
        if how == "inner" and not any((j.args.get("side") or "").lower() == "right"
                                      for j in joins[i + 1:]):
            # WHERE conjuncts over these two inputs can join and filter them here
            on, pending = on + pending, []
        elif how == "inner":
            # a later RIGHT JOIN adds rows with this join's columns NULL, which WHERE
            # must see: its conjuncts stay above every join. A copy of an equality of a
            # column of each input may still be this join's key: where the key drops a
            # pair that WHERE would drop, the row NULL-extended in its place has the
            # equality NULL, so WHERE drops it too
            on = on + [c.copy() for c in pending if _column_pair(c, lcols, rcols)]
        keys, residual = [], []
        for c in on:
            pair = None
            if isinstance(c, exp.EQ):
                a, b = c.left, c.right
                if _names(a) and _names(b) and _names(a) <= lcols and _names(b) <= rcols:
                    pair = (a, b)
                elif _names(a) and _names(b) and _names(b) <= lcols and _names(a) <= rcols:
                    pair = (b, a)
            if pair is None:
                residual.append(c)
                continue
            # an expression key is computed as a column of its input first
            a, b = pair
            if not isinstance(a, exp.Column):
                node = _with_expr(node, a, f"__jx{len(keys)}.l")
                a = exp.column(f"__jx{len(keys)}.l", quoted=True)
            if not isinstance(b, exp.Column):
                right = _with_expr(right, b, f"__jx{len(keys)}.r")
                b = exp.column(f"__jx{len(keys)}.r", quoted=True)
            keys.append((a.name, b.name))
        if not keys:
            raise NotSupportedError("a join without an equality between its two inputs "
                                    "(cross join)")
        # conditions on one input only filter that input first (for outer joins, only the
        # preserved side's WHERE conditions may move; ON conditions on it may not)
        left_only = [c for c in residual if _names(c) <= lcols]
        right_only = [c for c in residual if _names(c) <= rcols and c not in left_only]
        rest = [c for c in residual if c not in left_only and c not in right_only]
        if how == "inner":
            if left_only:
                node = lp.Filter(node, _and(left_only))
            if right_only:
                right = lp.Filter(right, _and(right_only))
        else:
            # the kept side's ON conditions decide whether a row may match, not whether
            # it is output: its key becomes NULL (never matches) where they fail
            if how == "left":
                if right_only:
                    right = lp.Filter(right, _and(right_only))
                if left_only:
                    node, keys = _gate_keys(node, keys, _and(left_only), 0)
            else:
                if left_only:
                    node = lp.Filter(node, _and(left_only))
                if right_only:
                    right, keys = _gate_keys(right, keys, _and(right_only), 1)
            left_only = right_only = []
        if how != "inner" and rest:
            raise NotSupportedError(f"{how.upper()} JOIN with a condition other than "
                                    "key equalities on both inputs")
        node = _typed_join(node, right, how, keys)
        pending = rest + pending
    return node, _and(pending)


def _column_pair(c: exp.Expression, lcols: set[str], rcols: set[str]) -> bool:
    """Whether ``c`` is ``column = column`` with one column in each of two inputs."""
    if not (isinstance(c, exp.EQ) and isinstance(c.left, exp.Column)
            and isinstance(c.right, exp.Column)):
        return False
    names = {c.left.name, c.right.name}
    return len(names & lcols) == 1 and len(names & rcols) == 1


def _gate_keys(node: lp.Node, keys, cond: exp.Expression, side: int):
    """``node`` with each of its join keys (``side`` of each pair) NULL where ``cond``
    fails, and the pairs renamed to those gated columns."""
    types = dict(zip(node.columns, node.types))
    exprs = [(c, exp.column(c, quoted=True), t) for c, t in zip(node.columns, node.types)]
    pairs = []
    for i, pair in enumerate(keys):
        col = pair[side]
        name = f"__jg{i}.{'lr'[side]}"
        gated = exp.Case(ifs=[exp.If(this=cond.copy(), true=exp.column(col, quoted=True))])
        exprs.append((name, gated, types[col]))
        pairs.append((name, pair[1]) if side == 0 else (pair[0], name))
    return lp.Project(node, exprs), pairs


def _typed_join(left: lp.Node, right: lp.Node, how: str, keys) -> lp.Join:
    """Both sides of each key pair in one type (a cast column where they differ)."""
    ltypes, rtypes = dict(zip(left.columns, left.types)), dict(zip(right.columns, right.types))
    fixed = []
    for i, (a, b) in enumerate(keys):
        ta, tb = ltypes[a], rtypes[b]
        if ta != tb:
            t = common_type(ta, tb, "JOIN")
            if ta != t:
                left = _with_cast(left, a, f"__jk{i}.l", t)
                a = f"__jk{i}.l"
            if tb != t:
                right = _with_cast(right, b, f"__jk{i}.r", t)
                b = f"__jk{i}.r"
        fixed.append((a, b))
    return lp.Join(left, right, how, fixed)


def _with_expr(node: lp.Node, e: exp.Expression, name: str) -> lp.Node:
    exprs = [(c, exp.column(c, quoted=True), ct) for c, ct in zip(node.columns, node.types)]
    return lp.Project(node, exprs + [(name, e.copy(), infer_type(e, dict(zip(node.columns,
                                                                            node.types))))])


def _with_cast(node: lp.Node, col: str, name: str, t) -> lp.Node:
    exprs = [(c, exp.column(c, quoted=True), ct) for c, ct in zip(node.columns, node.types)]
    cast = exp.Cast(this=exp.column(col, quoted=True), to=exp.DataType.build(t.to_duckdb()))
    return lp.Project(node, exprs + [(name, cast, t)])


def _source(select: exp.Select, catalog: Catalog) -> lp.Node:
    from_ = select.args.get("from_") or select.args.get("from")
    return _single_source(from_.this, select, catalog)


def _single_source(source: exp.Expression, select: exp.Select, catalog: Catalog) -> lp.Node:
    if isinstance(source, exp.Table):
        table = catalog.tables[source.name]
        # read only the columns this SELECT uses (at least one, for the row count)
        used = {c.name for c in select.find_all(exp.Column) if c.table == source.alias_or_name}
        cols = [c for c in table.columns if c in used] or [next(iter(table.columns))]
        return lp.Scan(table.name, table.owner, cols, [table.columns[c] for c in cols],
                       shared=table.shared)
    if isinstance(source, exp.Subquery):
        return build(source.this, catalog)
    raise NotSupportedError(f"{source.key.upper()} in FROM")


def _int_literal(node: exp.Expression | None, clause: str) -> int | None:
    if node is None:
        return None
    value = node.expression if isinstance(node, (exp.Limit, exp.Offset)) else node
    if isinstance(value, exp.Literal) and not value.is_string:
        try:
            n = int(value.this)
        except ValueError:
            n = -1
        if n >= 0:
            return n
    raise ProgrammingError(f"{clause} takes a non-negative integer, got {value.sql()}")


def _build_select(select: exp.Select, catalog: Catalog) -> lp.Node:
    if select.args.get("joins"):
        ref = qualified
        node, pred = _join_sources(select, catalog)
    else:
        ref = bare
        node = _source(select, catalog)
        where = select.args.get("where")
        pred = bare(where.this) if where is not None else None
    projections = [(p.alias_or_name, ref(p.unalias())) for p in select.expressions]
    fresh = _fresh_names()
    node, pred = _subqueries(node, pred, catalog, ref, fresh)
    if pred is not None:
        infer_type(pred, dict(zip(node.columns, node.types)))
        node = lp.Filter(node, pred)

    group = select.args.get("group")
    having = select.args.get("having")
    having_expr = ref(having.this) if having is not None else None
    order = select.args.get("order")
    # an ORDER BY item is an output column by its alias, or by being the expression of
    # one (ORDER BY a.g for SELECT a.g AS c0); others are computed as hidden columns
    out_names = {name for name, _ in projections}
    unique = [name for name, _, _ in _unique_names([(n, e, None) for n, e in projections])]
    order_keys: list[lp.SortKey] = []
    hidden: list[tuple[str, exp.Expression]] = []
    for i, o in enumerate(order.expressions if order is not None else []):
        target = o.this
        same = [u for u, (_, e) in zip(unique, projections) if e == ref(target)]
        if isinstance(target, exp.Column) and not target.table and target.name in out_names:
            name = target.name
        elif same:
            name = same[0]
        else:
            name = f"__order{i}"
            hidden.append((name, ref(target)))
        desc = bool(o.args.get("desc"))
        nulls_first = o.args.get("nulls_first")
        if nulls_first is None:
            nulls_first = not desc  # MySQL: NULL is the smallest value
        order_keys.append(lp.SortKey(name, desc, bool(nulls_first)))

    group_exprs = [ref(g) for g in group.expressions] if group is not None else []
    if any(g.find(exp.Subquery) for g in group_exprs):
        raise NotSupportedError("a subquery in GROUP BY")
    aggregating = group_exprs or having_expr is not None or any(
        _has_aggregate(e) for _, e in projections + hidden)

    # a scalar subquery of the select list, HAVING or ORDER BY has one value: it is joined
    # onto every row of the input where that row needs it (no aggregation, or inside an
    # aggregate's argument), else onto the aggregate's rows, after the aggregation (an
    # aggregate over no rows still has its row, and the subquery its value)
    items = [e for _, e in projections + hidden] + [having_expr]
    if aggregating:
        items, before = _scalar_subqueries(items, catalog, fresh, _inside_aggregate)
        items, after = _scalar_subqueries(items, catalog, fresh)
    else:
        items, before = _scalar_subqueries(items, catalog, fresh)
        after = []
    node = _join_scalars(node, before)
    *items, having_expr = items
    for item in items:
        _refuse_subqueries_left(item, "in the select list or ORDER BY")
    _refuse_subqueries_left(having_expr, "in HAVING")
    projections = [(name, e) for (name, _), e in zip(projections, items)]
    hidden = [(name, e) for (name, _), e in zip(hidden, items[len(projections):])]
    if any(e.find(exp.Window) for _, e in projections + hidden):
        if aggregating:
            raise NotSupportedError("window functions together with GROUP BY or aggregates")
        node, rewritten = _split_windows(node, projections + hidden)
        projections, hidden = rewritten[: len(projections)], rewritten[len(projections):]
    if aggregating:
        node, rewritten = _split_aggregates(node, projections + hidden, group_exprs, having_expr,
                                            {name for name, _ in after})
        *rewritten_out, having_expr = rewritten
        projections = rewritten_out[: len(projections)]
        hidden = rewritten_out[len(projections):]
        node = _join_scalars(node, after)
        if having_expr is not None:
            node = lp.Filter(node, having_expr)
    scope = dict(zip(node.columns, node.types))
    exprs = _unique_names([(name, e, _concrete(infer_type(e, scope))) for name, e in projections])
    hidden_exprs = [(name, e, infer_type(e, scope)) for name, e in hidden]
    if select.args.get("distinct") is not None:
        if hidden_exprs:
            raise ProgrammingError("with SELECT DISTINCT, ORDER BY items must be in the select list")
        node = _project(node, exprs)
        node = lp.Aggregate(node, [], [(n, exp.column(n), t) for n, _, t in exprs])
    else:
        node = _project(node, exprs + hidden_exprs)
    if order_keys:
        node = lp.Sort(node, order_keys)
        if hidden_exprs:
            node = lp.Project(node, [(n, exp.column(n), t) for n, _, t in exprs])

    limit = _int_literal(select.args.get("limit"), "LIMIT")
    offset = _int_literal(select.args.get("offset"), "OFFSET") or 0
    if limit is not None or offset:
        node = lp.Limit(node, limit, offset)
    return node


def _concrete(t):
    """A bare NULL column gets a type (DuckDB's INTEGER family)."""
    return INT64 if t.kind == "null" else t


def _uncorrelated(query: exp.Expression) -> exp.Expression:
    inner = {t.alias_or_name for t in query.find_all(exp.Table)}
    inner |= {s.alias_or_name for s in query.find_all(exp.Subquery) if s.alias_or_name}
    for col in query.find_all(exp.Column):
        if col.table and col.table not in inner:
            raise NotSupportedError(f"correlated subqueries (the subquery uses {col.sql()} "
                                    "of the outer query)")
    return query


def _fresh_names():
    """A source of column names unique in one SELECT: ``fresh("__sq")`` -> ``__sq0``, ..."""
    counter = itertools.count()
    return lambda prefix: f"{prefix}{next(counter)}"


def _scalar_plan(query: exp.Expression, name: str, catalog: Catalog) -> lp.Node:
    """The plan of a subquery used as a value: its one column, named ``name``."""
    plan = build(_uncorrelated(query), catalog)
    if len(plan.columns) != 1:
        raise ProgrammingError("a subquery used as a value must return one column")
    return lp.Project(plan, [(name, exp.column(plan.columns[0], quoted=True), plan.types[0])])


def _is_scalar_subquery(n: exp.Expression) -> bool:
    """A subquery used as a value (not a FROM source, not the set of IN (SELECT ...))."""
    return isinstance(n, exp.Subquery) and not isinstance(
        n.parent, (exp.From, exp.Join, exp.Any, exp.All)) \
        and not (isinstance(n.parent, exp.In) and n.arg_key == "query")


def _refuse_subqueries_left(e: exp.Expression | None, where: str) -> None:
    """A subquery still inside an expression once the planner has taken out those it
    plans would be evaluated by one owner over tables it does not hold: refuse it."""
    if e is None:
        return
    for n in e.find_all(exp.Any, exp.All):
        raise NotSupportedError(f"comparisons with {n.key.upper()} (SELECT ...)")
    if e.find(exp.Exists) or any(i.args.get("query") for i in e.find_all(exp.In)):
        raise NotSupportedError(f"EXISTS / IN (subquery) {where}")
    if e.find(exp.Select) is not None:
        raise NotSupportedError(f"a subquery {where}")


def _inside_aggregate(n: exp.Expression) -> bool:
    return n.find_ancestor(*AGGREGATES, exp.WithinGroup) is not None


def _scalar_subqueries(exprs: list, catalog: Catalog, fresh, pick=lambda n: True):
    """``exprs`` (None stays None) with each scalar subquery that ``pick`` accepts
    replaced by a column ``__sq<i>``, and the ``(column, plan)`` pairs to join on."""
    subs: list[tuple[str, lp.Node]] = []

    def swap(n: exp.Expression) -> exp.Expression:
        if _is_scalar_subquery(n) and pick(n):
            name = fresh("__sq")
            subs.append((name, _scalar_plan(n.this, name, catalog)))
            return exp.column(name, quoted=True)
        return n

    return [None if e is None else e.transform(swap) for e in exprs], subs


def _join_scalars(node: lp.Node, subs: list[tuple[str, lp.Node]]) -> lp.Node:
    """``node`` with each one-row plan of ``subs`` repeated onto every row."""
    for _, plan in subs:
        node = lp.Join(node, plan, "scalar", [])
    return node


def _subqueries(node: lp.Node, pred, catalog: Catalog, ref, fresh):
    """Uncorrelated subqueries in WHERE, and EXISTS correlated by equalities, become
    joins below the select (each as a WHERE conjunct, possibly under NOT):

    * ``x IN (SELECT y ...)``: a semi-join with the distinct ``y``; ``NOT IN``: an
      anti-join (a LEFT join keeping the unmatched rows), false for a NULL ``x`` and
      for every row when the subquery has a NULL, and true for every row when the
      subquery returns no rows;
    * ``EXISTS (SELECT ... WHERE inner = outer ...)``: a semi-join on those equalities;
      ``NOT EXISTS``: the anti-join;
    * a scalar subquery (one row, one column): its value joined onto every row.
    """
    def semi_join(node: lp.Node, outer: list[str], sub: lp.Node, anti: bool):
        distinct = _distinct_rows(sub, fresh)
        node = _typed_join(node, distinct, "left" if anti else "inner",
                           list(zip(outer, sub.columns)))
        cond = exp.Is(this=exp.column(sub.columns[0], quoted=True), expression=exp.Null())
        return node, (cond if anti else None)

    def count_of(rows: lp.Node) -> str:
        """COUNT(*) of ``rows`` joined onto every row of ``node``: its column name."""
        nonlocal node
        counted = lp.Aggregate(rows, [(fresh("__nn"), lp.AggCall("count", None, INT64))])
        node = lp.Join(node, counted, "scalar", [])
        return counted.aggs[0][0]

    extra: list[exp.Expression] = []
    kept = []
    for conj in _conjuncts(pred):
        negated = isinstance(conj, exp.Not)
        inner = conj.this if negated else conj
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.In) and inner.args.get("query") is not None:
            if not isinstance(inner.this, exp.Column):
                raise NotSupportedError("IN (subquery) on an expression (use a column)")
            query = inner.args["query"]
            query = query.this if isinstance(query, exp.Subquery) else query
            name = fresh("__in")
            sub = _scalar_plan(query, name, catalog)
            node, cond = semi_join(node, [inner.this.name], sub, anti=negated)
            if negated:
                # over no rows NOT IN is TRUE, even for a NULL x; otherwise it is NULL (so
                # false) for a NULL x, and for every row if y has a NULL
                nulls = count_of(lp.Filter(sub, exp.Is(this=exp.column(name, quoted=True),
                                                       expression=exp.Null())))
                rows = count_of(sub)
                x_known = exp.Not(this=exp.Is(this=inner.this.copy(), expression=exp.Null()))
                extra += [cond, exp.EQ(this=exp.column(nulls, quoted=True),
                                       expression=exp.Literal.number(0)),
                          exp.or_(x_known, exp.EQ(this=exp.column(rows, quoted=True),
                                                  expression=exp.Literal.number(0)))]
            continue
        if isinstance(inner, exp.Exists):
            node, cond = _exists(node, inner.this, negated, ref, catalog, fresh, semi_join)
            if cond is not None:
                extra.append(cond)
            continue
        kept.append(conj)
    (pred,), subs = _scalar_subqueries([_and(kept + extra)], catalog, fresh)
    node = _join_scalars(node, subs)
    _refuse_subqueries_left(pred, "inside OR or another expression (only as a WHERE "
                            "conjunct, possibly under NOT)")
    return node, pred


def _distinct_rows(sub: lp.Node, fresh) -> lp.Node:
    """The distinct rows of ``sub``, the right side of a semi-join (the secret join needs
    one side's keys unique, and a semi-join must not repeat the outer rows).

    This deduplication is the planner's, not a GROUP BY the user asked for, and must show
    nobody anything. A GROUP BY would: every party would learn how many distinct rows
    there are (an owner's local result is shared with its row count, the secure GROUP BY
    compacts its groups), a group-size threshold would drop keys, and the subquery's
    WHERE would pass as being under an aggregate although the asker sees which of its
    rows match. Instead the first row of each run of equal rows is kept by a secret
    validity bit (ROW_NUMBER() OVER (PARTITION BY every column) = 1, a ``secret_rows``
    filter): nothing about them is opened, and what the asker learns is the join's,
    checked as a join's.
    """
    keys = [(n, exp.column(n, quoted=True), t) for n, t in zip(sub.columns, sub.types)]
    number = fresh("__rn")
    numbered = lp.Window(sub, list(sub.columns), [], [lp.WindowFunc(number, "row_number")])
    first = exp.EQ(this=exp.column(number, quoted=True), expression=exp.Literal.number(1))
    return lp.Project(lp.Filter(numbered, first, secret_rows=True), keys)


def _exists(node: lp.Node, query: exp.Expression, anti: bool, ref, catalog: Catalog, fresh,
            semi_join):
    """EXISTS (SELECT ... FROM ... WHERE inner = outer AND ...) as a semi-join."""
    if isinstance(query, exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Select) or query.args.get("joins") or query.args.get("group"):
        raise NotSupportedError("EXISTS over a subquery with joins or GROUP BY")
    query = query.copy()
    inner_aliases = {t.alias_or_name for t in query.find_all(exp.Table)}
    where = query.args.get("where")
    outer_cols, inner_cols, rest = [], [], []
    for c in _conjuncts(where.this if where is not None else None):
        cols = list(c.find_all(exp.Column))
        if not any(col.table and col.table not in inner_aliases for col in cols):
            rest.append(c)
            continue
        if not (isinstance(c, exp.EQ) and isinstance(c.left, exp.Column)
                and isinstance(c.right, exp.Column)):
            raise NotSupportedError(f"EXISTS correlated by anything but equalities ({c.sql()})")
        a, b = c.left, c.right
        if a.table in inner_aliases:
            a, b = b, a  # a: outer, b: inner
        outer_cols.append(ref(a).name)
        inner_cols.append(b)
    if not outer_cols:
        raise NotSupportedError("uncorrelated EXISTS")
    query.set("where", exp.Where(this=_and(rest)) if rest else None)
    names = [fresh("__ex") for _ in inner_cols]
    query.set("expressions", [exp.alias_(c.copy(), n) for c, n in zip(inner_cols, names)])
    sub = build(query, catalog)
    return semi_join(node, outer_cols, sub, anti)


def _project(node: lp.Node, exprs) -> lp.Node:
    identity = all(isinstance(e, exp.Column) and e.name == name for name, e, _ in exprs)
    if identity and [name for name, _, _ in exprs] == node.columns:
        return node
    return lp.Project(node, exprs)


_WINDOW_FUNCS = {exp.RowNumber: "row_number", exp.Rank: "rank", exp.DenseRank: "dense_rank",
                 exp.PercentRank: "percent_rank"}


def _split_windows(child: lp.Node, projections):
    """Window calls become columns ``__win<i>`` of a Window node below the select list.
    The partition and order expressions are first computed as columns of a Project."""
    windows = [w for _, e in projections for w in e.find_all(exp.Window)]
    spec = None
    for w in windows:
        if type(w.this) not in _WINDOW_FUNCS:
            raise NotSupportedError(f"window function {w.this.sql()} (supported: ROW_NUMBER, "
                                    "RANK, DENSE_RANK, PERCENT_RANK)")
        if w.args.get("spec") is not None:
            raise NotSupportedError("window frames (ROWS/RANGE BETWEEN ...)")
        this_spec = (tuple(p.sql() for p in w.args.get("partition_by") or []),
                     w.args["order"].sql() if w.args.get("order") else "")
        if spec is not None and this_spec != spec:
            raise NotSupportedError("window functions with different PARTITION BY/ORDER BY "
                                    "in one query")
        spec = this_spec
    first = windows[0]
    scope = dict(zip(child.columns, child.types))
    extra = []

    def as_column(e: exp.Expression, name: str) -> str:
        if isinstance(e, exp.Column) and e.name in scope:
            return e.name  # already a column: no copy
        extra.append((name, e.copy(), infer_type(e, scope)))
        return name

    parts = [as_column(p, f"__part{i}")
             for i, p in enumerate(first.args.get("partition_by") or [])]
    order_keys = []
    for i, o in enumerate(first.args["order"].expressions if first.args.get("order") else []):
        desc = bool(o.args.get("desc"))
        nulls_first = o.args.get("nulls_first")
        order_keys.append(lp.SortKey(as_column(o.this, f"__word{i}"), desc,
                                     (not desc) if nulls_first is None else bool(nulls_first)))
    base = [(c, exp.column(c, quoted=True), t) for c, t in zip(child.columns, child.types)]
    node = lp.Project(child, base + extra) if extra else child
    funcs: dict[str, lp.WindowFunc] = {}

    def replace(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Window):
            func = _WINDOW_FUNCS[type(n.this)]
            if func not in funcs:
                funcs[func] = lp.WindowFunc(f"__win{len(funcs)}", func)
            return exp.column(funcs[func].name, quoted=True)
        return n

    rewritten = [(name, e.copy().transform(replace)) for name, e in projections]
    return lp.Window(node, parts, order_keys, list(funcs.values())), rewritten


def _has_aggregate(e: exp.Expression) -> bool:
    """Whether ``e`` calls an aggregate (a subquery's own aggregates do not count)."""
    return any(isinstance(n, (*AGGREGATES, exp.WithinGroup))
               for n in e.walk(prune=lambda n: isinstance(n, exp.Subquery)))


def _split_aggregates(child: lp.Node, projections, group_exprs, having, scalars: set[str]):
    """GROUP BY keys become columns ``__key<i>`` and aggregate calls ``__agg<i>`` of an
    Aggregate node; the select list (and HAVING) are then evaluated over its rows, and
    over the columns ``scalars`` (scalar subqueries joined onto those rows)."""
    scope = dict(zip(child.columns, child.types))
    keys = []
    for i, g in enumerate(group_exprs):
        if _has_aggregate(g):
            raise ProgrammingError(f"aggregate in GROUP BY: {g.sql()}")
        keys.append((f"__key{i}", g, infer_type(g, scope)))
    key_sql = {g.sql(): name for name, g, _ in keys}
    calls: dict[str, tuple[str, lp.AggCall]] = {}

    def _percentile(n: exp.WithinGroup) -> exp.Expression:
        func = n.this
        order = n.expression.expressions if isinstance(n.expression, exp.Order) else []
        if not isinstance(func, exp.PercentileDisc) or len(order) != 1:
            raise NotSupportedError(f"{n.sql()} (supported: PERCENTILE_DISC(p) WITHIN GROUP "
                                    "(ORDER BY x))")
        try:
            p = float(func.this.this)
        except (AttributeError, ValueError):
            p = -1.0
        if not 0.0 <= p <= 1.0 or not isinstance(func.this, exp.Literal):
            raise ProgrammingError(f"PERCENTILE_DISC takes a constant between 0 and 1: {n.sql()}")
        if order[0].args.get("desc"):
            raise NotSupportedError("PERCENTILE_DISC ... ORDER BY x DESC")
        arg = order[0].this
        call = lp.AggCall(f"percentile_disc:{func.this.this}", arg, infer_type(arg, scope))
        key = call.sql()
        if key not in calls:
            calls[key] = (f"__agg{len(calls)}", call)
        return exp.column(calls[key][0])

    def replace(n: exp.Expression) -> exp.Expression:
        if n.sql() in key_sql and not isinstance(n, exp.Literal):
            return exp.column(key_sql[n.sql()])
        if isinstance(n, exp.WithinGroup):
            return _percentile(n)
        if type(n) not in AGGREGATES:
            return n
        func = AGGREGATES[type(n)]
        arg = n.this
        distinct = isinstance(arg, exp.Distinct)
        if distinct:
            arg = arg.expressions[0]
            # MIN and MAX of the distinct values are those of all values
            distinct = func not in ("min", "max")
        if isinstance(arg, exp.Star) or (func == "count" and arg is None):
            arg = None
        if arg is not None and _has_aggregate(arg):
            raise ProgrammingError(f"aggregate inside an aggregate: {n.sql()}")
        call = lp.AggCall(func, arg, infer_type(n, scope), distinct)
        key = call.sql()
        if key not in calls:
            calls[key] = (f"__agg{len(calls)}", call)
        return exp.column(calls[key][0])

    items = list(projections) + [("__having", having)]
    rewritten = []
    for name, e in items:
        if e is None:
            rewritten.append(None)
            continue
        new = e.copy().transform(replace)
        for col in new.find_all(exp.Column):
            if not col.name.startswith(("__agg", "__key")) and col.name not in scalars:
                raise ProgrammingError(
                    f"column '{col.name}' must appear in GROUP BY or be inside an aggregate"
                )
        rewritten.append((name, new) if name != "__having" else new)
    return lp.Aggregate(child, list(calls.values()), keys), rewritten


def _unique_names(exprs):
    seen: dict[str, int] = {}
    out = []
    for name, e, t in exprs:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append((name, e, t))
    return out
