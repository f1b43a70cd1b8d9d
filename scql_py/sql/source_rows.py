"""Group sizes as numbers of a table's rows, where a join may repeat them.

Under a group size threshold a group shows the asker something of the tables whose
keys or aggregated values it may not see row by row. After a join that may match a row
of such a table several times (see :mod:`repeated_rows`), the group's row count counts
joined rows: one row of the table matched four times makes a group of four. So the
table's rows are numbered where it is read (ROW_NUMBER() at its scan, secret like its
other columns from there on), and the group's size for the threshold is the number of
distinct row numbers in it: a group passes only with that many different rows of the
table, never fewer than its row count would have let through.

Only a table read once below the grouping, through filters, projections, sorts,
windows and joins, is numbered so; anything else is refused (the planner's check).
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import INT64
from scql_py.sql import logical as lp

SIZE_PREFIX = "__rows_of_"  # the aggregate counting a table's rows in a group


def row_number_column(table: str) -> str:
    return f"__row_of_{table}"


def size_column(table: str) -> str:
    return SIZE_PREFIX + table


def can_number(node: lp.Node, table: str) -> bool:
    """Whether ``table`` is read exactly once in ``node``, on a path that carries a
    column of its scan up to ``node``'s rows."""
    scans = [n for n in lp.walk(node) if isinstance(n, lp.Scan) and n.table == table]
    return len(scans) == 1 and _path_to(node, scans[0]) is not None


def count_rows_of(root: lp.Node, aggregate: lp.Aggregate, tables: list[str]) -> lp.Node:
    """``root`` with ``aggregate``'s groups sized by their distinct rows of each of
    ``tables`` (each checked by :func:`can_number`): the row numbers travel from the
    scans, the aggregate counts them, a projection above leaves the counts out."""
    visible = [(name, exp.column(name, quoted=True), t)
               for name, t in zip(aggregate.columns, aggregate.types)]
    for table in tables:
        scan = next(n for n in lp.walk(aggregate.child)
                    if isinstance(n, lp.Scan) and n.table == table)
        number = row_number_column(table)
        aggregate.child = _carry(aggregate.child, _path_to(aggregate.child, scan), number)
        aggregate.aggs.append((size_column(table), lp.AggCall(
            "count", exp.column(number, quoted=True), INT64, distinct=True)))
        aggregate.sizes.append(size_column(table))
    above = lp.Project(aggregate, visible)
    if root is aggregate:
        return above
    parent = next(n for n in lp.walk(root) if any(c is aggregate for c in n.children))
    _replace_child(parent, aggregate, above)
    return root


def _path_to(node: lp.Node, scan: lp.Scan) -> list[lp.Node] | None:
    """The nodes from ``node`` down to ``scan``, if every one passes a column of the
    scan up (an aggregate merges rows, a union's branches must agree on columns)."""
    if node is scan:
        return [node]
    if isinstance(node, (lp.Aggregate, lp.UnionAll)):
        return None
    children = node.children
    if isinstance(node, lp.Join) and node.how == "scalar":
        children = [node.left]  # the subquery's one row: its columns are not passed on
    for child in children:
        below = _path_to(child, scan)
        if below is not None:
            return [node] + below
    return None


def _carry(node: lp.Node, path: list[lp.Node], number: str) -> lp.Node:
    """``node`` (``path[0]``) with the column ``number`` of row numbers of the scan at
    the path's end among its columns."""
    if len(path) == 1:
        return lp.Window(node, [], [], [lp.WindowFunc(number, "row_number")])
    below = _carry(path[1], path[1:], number)
    _replace_child(node, path[1], below)
    if isinstance(node, lp.Project):
        node.exprs.append((number, exp.column(number, quoted=True), INT64))
    return node


def _replace_child(parent: lp.Node, old: lp.Node, new: lp.Node) -> None:
    if isinstance(parent, lp.Join):
        if parent.left is old:
            parent.left = new
        else:
            parent.right = new
    elif isinstance(parent, lp.UnionAll):
        parent.inputs = [new if c is old else c for c in parent.inputs]
    else:
        parent.child = new
