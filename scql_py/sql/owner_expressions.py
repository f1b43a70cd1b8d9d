"""Evaluate where the data is: each subexpression over one party's columns is computed
by that party, as a column of its own rows, before anything is shared.

A rule in the style of sqlglot's optimizer (``Node -> Node``, see :mod:`.rewrite`): a
Project, Filter or Aggregate over several parties' data (a join, a UNION ALL whose
branches could not take the whole node) keeps under MPC only what mixes parties. Every
maximal subexpression that reads the columns of one party only, say ``YEAR(o.d)`` or
``p.type LIKE 'PROMO%'``, becomes a column ``__ox<i>`` computed by that party in its
own storage engine, below the join or in each UNION ALL branch, and the node reads that
column instead. Nothing new is shown to anyone: the party computes on its own rows, and
shares the derived column where it would have shared the columns it reads. The CCL was
checked on the query as written (:mod:`.visibility`), where the derived column carries
the parts of every column it reads.

Below the NULL-extended side of an outer join only expressions that are NULL when all
their columns are NULL move (``YEAR(d)``, not ``COALESCE(d, ...)``): the extended rows
get NULL in the computed column, as they would have got from the expression.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from sqlglot import exp

from scql_py.sql import logical as lp
from scql_py.sql.owner_functions import null_on_null
from scql_py.sql.type_inference import cast_target, common_type, infer_type

OWNER_COLUMN = "__ox"  # the prefix of the columns an owner computes


def _names(e: exp.Expression) -> set[str]:
    return {c.name for c in e.find_all(exp.Column)}


def _rename(e: exp.Expression, mapping: dict[str, exp.Expression]) -> exp.Expression:
    def swap(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column) and n.name in mapping:
            return mapping[n.name].copy()
        return n
    return e.copy().transform(swap)


def _runs_at_owner(node: lp.Node) -> bool:
    """Whether a Project over ``node`` runs at its owner, whoever asks: one party's
    rows, no grouping (a group-size threshold groups under MPC) and no planner-secret
    rows (their count must not be shown)."""
    if node.owner is None:
        return False
    return not any((isinstance(n, lp.Aggregate) and n.keys)
                   or (isinstance(n, lp.Filter) and n.secret_rows) for n in lp.walk(node))


def _identity(node: lp.Node) -> list:
    return [(c, exp.column(c, quoted=True), t) for c, t in zip(node.columns, node.types)]


def rounds_a_real(e: exp.Expression, scope: dict) -> bool:
    """A CAST of a real to an integer or a decimal: DuckDB rounds the double, which
    only its owner has (MPC has its fixed-point form, a multiple of 2^-16, which a value
    within 2^-17 of a tie of the last digit may cross: 0.135 would give 0.13)."""
    if not isinstance(e, exp.Cast):
        return False
    try:
        return (cast_target(e.to).kind in ("int64", "decimal")
                and infer_type(e.this, scope).kind == "float64")
    except Exception:  # not a type this engine casts to: nothing to move
        return False


def computed_in_scan(node: lp.Node) -> bool:
    """A scan with the CASTs of reals its owner computes in it (pushdown off, where the
    owners only scan otherwise: ``only_casts`` below), its other columns as read."""
    if not (isinstance(node, lp.Project) and isinstance(node.child, lp.Scan)):
        return False
    computed = [e for name, e, _ in node.exprs if name.startswith(OWNER_COLUMN)]
    return bool(computed) and all(isinstance(e, exp.Cast) for e in computed) and all(
        isinstance(e, (exp.Column, exp.Cast)) for _, e, _ in node.exprs)


def expose(node: lp.Node, e: exp.Expression, name: str, scans_only: bool = False
           ) -> lp.Node | None:
    """``node`` with one more column ``name`` holding ``e`` (over its columns), computed
    where ``e``'s inputs belong to one party; None where no single party can.
    ``scans_only``: computed over a table scan, nowhere higher (pushdown off)."""
    if not _names(e) <= set(node.columns):
        return None
    if _runs_at_owner(node) and (not scans_only or isinstance(node, lp.Scan)):
        scope = dict(zip(node.columns, node.types))
        return lp.Project(node, _identity(node) + [(name, e.copy(), infer_type(e, scope))])
    if isinstance(node, lp.Join):
        return _expose_join(node, e, name, scans_only)
    if isinstance(node, (lp.Filter, lp.Sort, lp.Limit, lp.Window)):
        child = expose(node.child, e, name, scans_only)
        return None if child is None else replace(node, child=child)
    if isinstance(node, lp.Project):
        inner = _rename(e, {n: x for n, x, _ in node.exprs})
        if scans_only and computed_in_scan(node):  # one more column of the same scan
            t = infer_type(inner, dict(zip(node.child.columns, node.child.types)))
            return lp.Project(node.child, node.exprs + [(name, inner, t)])
        child = expose(node.child, inner, name, scans_only)
        if child is None:
            return None
        t = child.types[child.columns.index(name)]
        return lp.Project(child, node.exprs + [(name, exp.column(name, quoted=True), t)])
    if isinstance(node, lp.UnionAll):
        branches = []
        for b in node.inputs:
            mapping = {u: exp.column(c, quoted=True) for u, c in zip(node.columns, b.columns)}
            branch = expose(b, _rename(e, mapping), name, scans_only)
            if branch is None:
                return None
            branches.append(branch)
        t = branches[0].types[-1]
        for b in branches[1:]:
            # the branches' values of one expression, not values the user combines: the
            # type that holds each (as for partial aggregates)
            t = common_type(t, b.types[-1], "expression over branches")
        return lp.UnionAll(branches, list(node.types) + [t])
    return None


def _expose_join(node: lp.Join, e: exp.Expression, name: str, scans_only: bool
                 ) -> lp.Node | None:
    used = _names(e)
    for side, extended in ((node.left, node.how in ("right",)),
                           (node.right, node.how in ("left", "scalar"))):
        if not used <= set(side.columns):
            continue
        if extended and not null_on_null(e, dict(zip(side.columns, side.types))):
            return None
        new = expose(side, e, name, scans_only)
        if new is None:
            return None
        if side is node.left:
            return replace(node, left=new)
        return replace(node, right=new)
    return None


class _Evaluator:
    """Replaces subexpressions of one node's expressions by exposed columns."""

    def __init__(self, child: lp.Node, fresh, only_casts: bool = False):
        self.child = child
        self.fresh = fresh
        # pushdown off: only the CASTs MPC cannot round as DuckDB does, over the scans
        self.only_casts = only_casts
        self.scope = dict(zip(child.columns, child.types))
        self.done: dict[str, str] = {}  # expression SQL -> its column

    def rewrite(self, e: exp.Expression) -> exp.Expression:
        if isinstance(e, (exp.Column, exp.Literal, exp.Null, exp.Boolean)) \
                or not _names(e):
            return e
        # a WHEN ... THEN branch is part of its CASE, no value of its own; nor is the
        # tuple of COUNT(DISTINCT a, b)
        branch = isinstance(e, exp.If) and isinstance(e.parent, exp.Case)
        if not isinstance(e, (exp.Paren, exp.Subquery, exp.Window, exp.Tuple)) \
                and not isinstance(e, exp.AggFunc) and not branch \
                and (not self.only_casts or rounds_a_real(e, self.scope)):
            key = e.sql()
            if key in self.done:
                return exp.column(self.done[key], quoted=True)
            name = self.fresh()
            child = expose(self.child, e, name, scans_only=self.only_casts)
            if child is not None:
                self.child = child
                self.done[key] = name
                return exp.column(name, quoted=True)
        e = e.copy()
        for key, value in list(e.args.items()):
            if isinstance(value, exp.Expression):
                e.set(key, self.rewrite(value))
            elif isinstance(value, list):
                e.set(key, [self.rewrite(v) if isinstance(v, exp.Expression) else v
                            for v in value])
        return e


def evaluate_at_owners(node: lp.Node, fresh, only_casts: bool = False) -> lp.Node:
    """The rule: ``node`` with its single-party subexpressions computed by their parties
    (``fresh()`` gives the new columns' names, unique in the plan). ``only_casts``
    (pushdown off, where MPC computes the rest): only a CAST of a real to an integer or
    decimal (:func:`rounds_a_real`), by the owner of the table it reads, in its scan."""
    if not isinstance(node, (lp.Project, lp.Filter, lp.Aggregate)):
        return node
    if (node.owner is not None and not only_casts) or (
            isinstance(node, lp.Aggregate) and node.merges_partials):
        return node
    ev = _Evaluator(node.child, fresh, only_casts)
    if isinstance(node, lp.Project):
        exprs = [(n, ev.rewrite(e), t) for n, e, t in node.exprs]
        if ev.child is node.child:
            return node
        return lp.Project(ev.child, exprs)
    if isinstance(node, lp.Filter):
        predicate = ev.rewrite(node.predicate)
        if ev.child is node.child:
            return node
        # the new columns are dropped above, where the filter's own columns are read
        kept = lp.Filter(ev.child, predicate, node.secret_rows)
        return lp.Project(kept, [(c, exp.column(c, quoted=True), t)
                                 for c, t in zip(node.columns, node.types)])
    keys = [(n, ev.rewrite(e), t) for n, e, t in node.keys]
    aggs = [(n, c if c.arg is None else replace(c, arg=ev.rewrite(c.arg)))
            for n, c in node.aggs]
    if ev.child is node.child:
        return node
    return replace(node, child=ev.child, keys=keys, aggs=aggs)


def fresh_names():
    """A source of ``__ox<i>`` names for one plan."""
    counter = itertools.count()
    return lambda: f"{OWNER_COLUMN}{next(counter)}"
