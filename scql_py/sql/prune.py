"""Column pruning: every node computes and every owner shares only the columns that
something above it uses.

A rule in the style of sqlglot's optimizer: a plain function over the logical plan,
top-down with the set of column names the parent needs. Above all, it keeps a party
from secret-sharing columns no step reads.
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql import logical as lp


def _used(e: exp.Expression | None) -> set[str]:
    return set() if e is None else {c.name for c in e.find_all(exp.Column)}


def _select(node: lp.Node, names: list[str]) -> lp.Node:
    """``node`` with exactly the columns ``names`` (a Project if it has others)."""
    if node.columns == names:
        return node
    types = dict(zip(node.columns, node.types))
    return lp.Project(node, [(n, exp.column(n, quoted=True), types[n]) for n in names])


def prune(node: lp.Node, needed: set[str] | None = None) -> lp.Node:
    """Drop columns outside ``needed`` (None: keep the node's own columns)."""
    if needed is None:
        needed = set(node.columns)
    if isinstance(node, lp.Scan):
        keep = [c for c in node.columns if c in needed] or node.columns[:1]
        types = dict(zip(node.columns, node.types))
        return lp.Scan(node.table, node.party, keep, [types[c] for c in keep], node.shared)
    if isinstance(node, lp.Project):
        exprs = [x for x in node.exprs if x[0] in needed] or node.exprs[:1]
        child = prune(node.child, set().union(*(_used(e) for _, e, _ in exprs)))
        return lp.Project(child, exprs)
    if isinstance(node, lp.Filter):
        return lp.Filter(prune(node.child, needed | _used(node.predicate)), node.predicate,
                         node.secret_rows)
    if isinstance(node, (lp.Limit, lp.Sort)):
        extra = {k.column for k in node.keys} if isinstance(node, lp.Sort) else set()
        child = prune(node.child, needed | extra)
        node.child = child
        return node
    if isinstance(node, lp.Aggregate):
        used = set().union(*(_used(e) for _, e, _ in node.keys)) if node.keys else set()
        used |= set().union(*(_used(c.arg) for _, c in node.aggs)) if node.aggs else set()
        # an exact partial sum's high halves sit beside its low ones (lp.HIGH_HALF)
        used |= {c.arg.name + lp.HIGH_HALF for _, c in node.aggs if c.func == "sum_halves"}
        node.child = prune(node.child, used)
        return node
    if isinstance(node, lp.UnionAll):
        positions = [i for i, c in enumerate(node.columns) if c in needed] or [0]
        inputs = []
        for branch in node.inputs:
            names = [branch.columns[i] for i in positions]
            inputs.append(_select(prune(branch, set(names)), names))
        return lp.UnionAll(inputs, [node.types[i] for i in positions])
    if isinstance(node, lp.Join):
        keys_l = {a for a, _ in node.keys}
        keys_r = {b for _, b in node.keys}
        node.left = prune(node.left, (needed & set(node.left.columns)) | keys_l)
        node.right = prune(node.right, (needed & set(node.right.columns)) | keys_r)
        return node
    if isinstance(node, lp.Window):
        inner = (needed - {f.name for f in node.funcs}) | set(node.partition)
        inner |= {k.column for k in node.order}
        inner |= {f.arg for f in node.funcs if f.arg is not None}
        node.child = prune(node.child, inner)
        return node
    return node
