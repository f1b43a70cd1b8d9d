"""Which tables' rows a plan's input may hold more than once.

The group-size threshold counts the rows of a group. Where one row of a table can be
there several times, a group of fewer rows of that table passes it: a UNION ALL that
reads the table twice (or a CTE used twice), a self-join, a join whose other side may
match a row more than once (a cross join, an equality on a column with repeated
values), the one row of a scalar subquery joined onto every row (a MIN is one row's
value). Keys are not declared in a catalog, so only a side that the plan itself makes
unique on its join keys (a GROUP BY of them, the planner's deduplication of a
semi-join, one row) is known not to repeat the other side's rows. A table read once
is then counted by its distinct rows (:mod:`source_rows`); one read twice is refused.

>>> from scql_py.catalog.types import INT64
>>> scan = lp.Scan("t", "bob", ["x"], [INT64])
>>> sorted(repeated_tables(lp.UnionAll([scan, scan])))
['t']
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql import logical as lp


def repeated_tables(node: lp.Node) -> set[str]:
    """The tables some row of which may be more than once in ``node``'s rows."""
    return _RULES[type(node)](node)


def _none(node: lp.Node) -> set[str]:
    # a scan's rows are the table's; an aggregate's are groups, each row of its input
    # in one of them
    return set()


def _as_child(node: lp.Node) -> set[str]:
    (child,) = node.children
    return repeated_tables(child)


def _union(node: lp.UnionAll) -> set[str]:
    out: set[str] = set()
    seen: set[str] = set()
    for branch in node.inputs:
        out |= repeated_tables(branch)
        tables = _row_tables(branch)
        out |= tables & seen
        seen |= tables
    return out


def _join(node: lp.Join) -> set[str]:
    out = repeated_tables(node.left) | repeated_tables(node.right)
    left, right = _row_tables(node.left), _row_tables(node.right)
    if node.how == "scalar":
        # its one row is on every row, and that row may be one row's value (a MIN)
        return out | _tables(node.right)
    out |= left & right  # a self-join
    if not _unique_on(node.right, {b for _, b in node.keys}):
        out |= left
    if not _unique_on(node.left, {a for a, _ in node.keys}):
        out |= right
    return out


_RULES = {lp.Scan: _none, lp.Aggregate: _none, lp.Filter: _as_child, lp.Sort: _as_child,
          lp.Limit: _as_child, lp.Project: _as_child, lp.Window: _as_child,
          lp.UnionAll: _union, lp.Join: _join}


def _tables(node: lp.Node) -> set[str]:
    return {n.table for n in lp.walk(node) if isinstance(n, lp.Scan)}


def _row_tables(node: lp.Node) -> set[str]:
    """The tables whose rows are rows of ``node`` (not merged into groups)."""
    if isinstance(node, lp.Scan):
        return {node.table}
    if isinstance(node, lp.Aggregate):
        return set()
    return set().union(*(_row_tables(c) for c in node.children))


def _unique_on(node: lp.Node, keys: set[str]) -> bool:
    """Whether no two rows of ``node`` agree on the columns ``keys``, by construction."""
    if isinstance(node, lp.Aggregate):
        return {name for name, _, _ in node.keys} <= keys
    if isinstance(node, lp.Limit) and node.limit is not None and node.limit <= 1:
        return True
    if isinstance(node, lp.Filter) and node.secret_rows and _first_of_each(node):
        return set(node.child.partition) <= keys
    if isinstance(node, lp.Project):
        below = {e.name for name, e, _ in node.exprs
                 if name in keys and isinstance(e, exp.Column)}
        return _unique_on(node.child, below)
    if isinstance(node, (lp.Filter, lp.Sort, lp.Limit, lp.Window)):
        return _unique_on(node.child, keys)
    if isinstance(node, lp.Join) and node.how == "scalar":
        return _unique_on(node.left, keys)
    return False


def _first_of_each(node: lp.Filter) -> bool:
    """Whether ``node`` keeps the first row of each partition of the window below it
    (the planner's deduplication: ROW_NUMBER() OVER (PARTITION BY ...) = 1)."""
    window, cond = node.child, node.predicate
    if not isinstance(window, lp.Window) or window.order or not isinstance(cond, exp.EQ):
        return False
    numbers = {f.name for f in window.funcs if f.func == "row_number"}
    return (isinstance(cond.this, exp.Column) and cond.this.name in numbers
            and cond.expression == exp.Literal.number(1))
