"""Logical rewrites that move work into the parties' own storage engines.

Each is a plain function ``Node -> Node`` (in the style of sqlglot's optimizer rules):

* ``push_into_union``: a Filter or Project over UNION ALL applies to each branch, so a
  party filters and computes on its own rows before anything is shared.
* ``partial_aggregates``: an aggregate over UNION ALL of single-party branches becomes a
  local partial aggregate per party (SUM, COUNT, MIN, MAX; AVG as SUM and COUNT) merged
  securely: only one row per party is secret-shared instead of every row.
* ``owner_expressions.evaluate_at_owners`` (last, once per node): what is left over
  several parties' data computes its single-party subexpressions at their parties.
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64
from scql_py.sql import logical as lp
from scql_py.sql.owner_expressions import evaluate_at_owners, fresh_names
from scql_py.sql.type_inference import aggregate_type, common_type, infer_type


def rename_columns(e: exp.Expression, mapping: dict[str, str]) -> exp.Expression:
    """Copy of ``e`` with bare column references renamed by ``mapping``."""
    def swap(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column) and n.name in mapping:
            return exp.column(mapping[n.name])
        return n
    return e.copy().transform(swap)


def _branch_mapping(union: lp.UnionAll, branch: lp.Node) -> dict[str, str]:
    return dict(zip(union.columns, branch.columns))


def push_into_union(node: lp.Node) -> lp.Node:
    if isinstance(node, lp.Filter) and isinstance(node.child, lp.UnionAll):
        union = node.child
        return lp.UnionAll(
            [lp.Filter(b, rename_columns(node.predicate, _branch_mapping(union, b)),
                       node.secret_rows) for b in union.inputs],
            union.types,
        )
    if isinstance(node, lp.Project) and isinstance(node.child, lp.UnionAll):
        union = node.child
        branches = []
        for b in union.inputs:
            scope = dict(zip(b.columns, b.types))
            mapping = _branch_mapping(union, b)
            exprs = []
            for name, e, t in node.exprs:
                renamed = rename_columns(e, mapping)
                typ = infer_type(renamed, scope)
                # a bare NULL has no type of its own: it takes the column's
                exprs.append((name, renamed, t if typ.kind == "null" else typ))
            branches.append(lp.Project(b, exprs))
        return lp.UnionAll(branches, node.types)
    return node


def partial_aggregates(node: lp.Node) -> lp.Node:
    if not (isinstance(node, lp.Aggregate) and isinstance(node.child, lp.UnionAll)):
        return node
    union = node.child
    if node.merges_partials or any(b.owner is None for b in union.inputs):
        return node
    if any(c.distinct or c.func not in lp.MERGEABLE for _, c in node.aggs):
        return node

    merge_aggs: list[tuple[str, lp.AggCall]] = []
    finals: list[tuple[str, exp.Expression, object]] = [
        (name, exp.column(name), t) for name, _, t in node.keys]
    partial_specs: list[tuple[str, str, exp.Expression | None, str]] = []  # name, func, arg, merge
    for name, call in node.aggs:
        if call.func == "avg":
            partial_specs.append((f"{name}__sum", "sum", call.arg, "sum"))
            partial_specs.append((f"{name}__count", "count", call.arg, "sum"))
            ratio = exp.Div(this=exp.column(f"{name}__sum"), expression=exp.column(f"{name}__count"))
            finals.append((name, ratio, FLOAT64))
        else:
            merge = "sum" if call.func == "count" else call.func
            partial_specs.append((name, call.func, call.arg, merge))
            finals.append((name, exp.column(name), call.type))

    branches = []
    for b in union.inputs:
        scope = dict(zip(b.columns, b.types))
        mapping = _branch_mapping(union, b)
        keys = []
        for kname, kexpr, _ in node.keys:
            k = rename_columns(kexpr, mapping)
            keys.append((kname, k, infer_type(k, scope)))
        aggs = []
        for pname, func, arg, _ in partial_specs:
            a = rename_columns(arg, mapping) if arg is not None else None
            atype = aggregate_type(func, infer_type(a, scope) if a is not None else None)
            aggs.append((pname, lp.AggCall(func, a, atype)))
        branches.append(lp.Aggregate(b, aggs, keys))
    types = []
    for i in range(len(branches[0].columns)):
        kinds = [br.types[i] for br in branches]
        types.append(kinds[0] if all(k == kinds[0] for k in kinds) else _widest(kinds))
    partials = lp.UnionAll(branches, types)
    n_keys = len(node.keys)
    merge_keys = [(kname, exp.column(kname), t) for (kname, _, _), t in zip(node.keys, types)]
    for (pname, _, _, merge), ptype in zip(partial_specs, types[n_keys:]):
        mtype = INT64 if merge == "sum" and ptype == INT64 else aggregate_type(merge, ptype)
        merge_aggs.append((pname, lp.AggCall(merge, exp.column(pname), mtype)))
    merged = lp.Aggregate(partials, merge_aggs, merge_keys, merges_partials=True,
                          joined_groups=node.joined_groups)
    return lp.Project(merged, finals)


def _widest(types):
    """The type the branches' partial aggregates are merged in: one that holds each
    (SUM of DECIMAL(14,0) and of DECIMAL(14,2) is DECIMAL(38,2): no fraction is lost, as
    it would be where a CASE or a UNION of the user's combines two DECIMAL(38, s))."""
    out = types[0]
    for t in types[1:]:
        out = common_type(out, t, "partial aggregates")
    return out


def optimize(node: lp.Node, partial_groups: bool = True) -> lp.Node:
    """Apply every rule bottom-up until nothing changes, then evaluate single-party
    subexpressions at their owners. ``partial_groups``: may a grouped aggregate be
    pre-aggregated per party (not under a group-size threshold)."""
    fresh = fresh_names()

    def at_owners(n: lp.Node) -> lp.Node:
        n = _with_children(n, [at_owners(c) for c in n.children])
        return evaluate_at_owners(n, fresh)

    return at_owners(_pushed_down(node, partial_groups))


def casts_at_owners(node: lp.Node) -> lp.Node:
    """With pushdown off, where MPC computes all but the scans: each CAST of a real to
    an integer or decimal over one party's columns is computed by that party, in its
    scan (DuckDB rounds the double, which MPC does not have)."""
    fresh = fresh_names()

    def at_owners(n: lp.Node) -> lp.Node:
        n = _with_children(n, [at_owners(c) for c in n.children])
        return evaluate_at_owners(n, fresh, only_casts=True)

    return at_owners(node)


def _pushed_down(node: lp.Node, partial_groups: bool) -> lp.Node:
    node = _with_children(node, [_pushed_down(c, partial_groups) for c in node.children])
    rules = [push_into_union]
    if partial_groups or not (isinstance(node, lp.Aggregate) and node.keys):
        rules.append(partial_aggregates)
    for rule in rules:
        new = rule(node)
        if new is not node:
            return _pushed_down(new, partial_groups)
    return node


def _with_children(node: lp.Node, children: list[lp.Node]) -> lp.Node:
    if isinstance(node, lp.UnionAll):
        node.inputs = children
    elif isinstance(node, lp.Join):
        node.left, node.right = children
    elif children:
        node.child = children[0]
    return node
