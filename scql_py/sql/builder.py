"""Turn a resolved (qualified) SELECT into a logical plan.

One SELECT becomes, bottom up: its FROM source, ``Filter`` (WHERE), ``Aggregate`` when
it has aggregate calls, ``Project`` (the select list) and ``Limit``. Column references
lose their table qualifier: each node has a single input, so bare names are unambiguous.
"""

from __future__ import annotations

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


def bare(node: exp.Expression) -> exp.Expression:
    """Copy of ``node`` with table qualifiers dropped from its column references."""
    def strip(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column):
            return exp.column(n.name)
        return n
    return node.copy().transform(strip)


def _source(select: exp.Select, catalog: Catalog) -> lp.Node:
    from_ = select.args.get("from_") or select.args.get("from")
    source = from_.this
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
    node = _source(select, catalog)
    where = select.args.get("where")
    if where is not None:
        pred = bare(where.this)
        infer_type(pred, dict(zip(node.columns, node.types)))
        node = lp.Filter(node, pred)

    projections = [(p.alias_or_name, bare(p.unalias())) for p in select.expressions]
    group = select.args.get("group")
    having = select.args.get("having")
    having_expr = bare(having.this) if having is not None else None
    order = select.args.get("order")
    # ORDER BY items that are not output columns are computed as hidden columns
    out_names = {name for name, _ in projections}
    order_keys: list[lp.SortKey] = []
    hidden: list[tuple[str, exp.Expression]] = []
    for i, o in enumerate(order.expressions if order is not None else []):
        target = o.this
        if isinstance(target, exp.Column) and not target.table and target.name in out_names:
            name = target.name
        else:
            name = f"__order{i}"
            hidden.append((name, bare(target)))
        desc = bool(o.args.get("desc"))
        nulls_first = o.args.get("nulls_first")
        if nulls_first is None:
            nulls_first = not desc  # MySQL: NULL is the smallest value
        order_keys.append(lp.SortKey(name, desc, bool(nulls_first)))

    group_exprs = [bare(g) for g in group.expressions] if group is not None else []
    aggregating = group_exprs or having_expr is not None or any(
        _has_aggregate(e) for _, e in projections + hidden)
    if aggregating:
        node, rewritten = _split_aggregates(node, projections + hidden, group_exprs, having_expr)
        *rewritten_out, having_expr = rewritten
        projections = rewritten_out[: len(projections)]
        hidden = rewritten_out[len(projections):]
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


def _project(node: lp.Node, exprs) -> lp.Node:
    identity = all(isinstance(e, exp.Column) and e.name == name for name, e, _ in exprs)
    if identity and [name for name, _, _ in exprs] == node.columns:
        return node
    return lp.Project(node, exprs)


def _has_aggregate(e: exp.Expression) -> bool:
    return any(isinstance(n, tuple(AGGREGATES)) for n in e.walk())


def _split_aggregates(child: lp.Node, projections, group_exprs, having):
    """GROUP BY keys become columns ``__key<i>`` and aggregate calls ``__agg<i>`` of an
    Aggregate node; the select list (and HAVING) are then evaluated over its rows."""
    scope = dict(zip(child.columns, child.types))
    keys = []
    for i, g in enumerate(group_exprs):
        if _has_aggregate(g):
            raise ProgrammingError(f"aggregate in GROUP BY: {g.sql()}")
        keys.append((f"__key{i}", g, infer_type(g, scope)))
    key_sql = {g.sql(): name for name, g, _ in keys}
    calls: dict[str, tuple[str, lp.AggCall]] = {}

    def replace(n: exp.Expression) -> exp.Expression:
        if n.sql() in key_sql and not isinstance(n, exp.Literal):
            return exp.column(key_sql[n.sql()])
        if type(n) not in AGGREGATES:
            return n
        func = AGGREGATES[type(n)]
        arg = n.this
        distinct = isinstance(arg, exp.Distinct)
        if distinct:
            arg = arg.expressions[0]
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
            if not col.name.startswith(("__agg", "__key")):
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
