"""WHERE conditions with a subquery that one owner evaluates on its own rows.

The builder plans a WHERE conjunct with a subquery above every join of its SELECT: the
subquery may read any party's tables, so its semi-join (or the counts and marks that
stand for it) is secret work over the joined rows. TPC-H Q18 asks

    FROM customer, orders, lineitem
    WHERE o_orderkey IN (SELECT l_orderkey FROM lineitem GROUP BY l_orderkey
                         HAVING SUM(l_quantity) > 300) AND ...

where ``orders`` and ``lineitem`` are alice's: the condition is a filter of alice's
orders by alice's lineitem, which her own database evaluates. Such a conjunct filters
its FROM table before any join, and the planner then places the filtered table (with
its semi-join) in the owner's local step, when

* every column the conjunct names outside its subqueries, and every outer column its
  subqueries are correlated with, belongs to that one FROM table;
* every table the conjunct reads (in its subqueries, nested ones too) is a plaintext
  table of that table's owner (no shared table, no other party's);
* every join of the SELECT is inner (a comma join, JOIN ... ON, CROSS JOIN): a filter
  of one input of an inner join filters the join's rows exactly as it does above it.

Nothing else changes: the same semi-join over the same rows, lower in the tree. What
the owner's local step computes is over its own plaintext only; the parties learn
less than above the joins (no shares of the subquery's rows, no secret join), and a
PSI join with another party intersects the filtered rows' keys, as it does for a
WHERE condition on the owner's columns.

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT 1 FROM c, o WHERE c.k = o.k AND o.x IN (SELECT l.x FROM l)")
>>> [(i, a) for i, a in owner_conjuncts(q, {"c": "bob", "o": "alice"},
...                                     {"l": "alice"}.get).items()]
[(1, 'o')]
>>> owner_conjuncts(q, {"c": "bob", "o": "alice"}, {"l": "bob"}.get)
{}
"""

from __future__ import annotations

from collections.abc import Callable

from sqlglot import exp

from scql_py.sql.conjuncts import conjuncts
from scql_py.sql.decorrelate import outer_columns


def _inner_join(join: exp.Join) -> bool:
    return (
        not join.args.get("side")
        and not join.args.get("using")
        and (join.args.get("kind") or "INNER").upper() in ("INNER", "CROSS")
    )


def _enclosing_select(node: exp.Expression, top: exp.Expression) -> exp.Select | None:
    """The outermost SELECT between ``node`` and ``top`` (exclusive), if any."""
    found = None
    p = node.parent
    while p is not None and p is not top:
        if isinstance(p, exp.Select):
            found = p
        p = p.parent
    return found


def _sources_read(conjunct: exp.Expression) -> set[str] | None:
    """The aliases of the outer query that ``conjunct`` reads: its own columns outside
    its subqueries and its subqueries' correlations (None if a column is unqualified)."""
    selects = [s for s in conjunct.find_all(exp.Select) if _enclosing_select(s, conjunct) is None]
    columns = [c for c in conjunct.find_all(exp.Column) if _enclosing_select(c, conjunct) is None]
    for s in selects:
        columns += outer_columns(s)
    if any(not c.table for c in columns):
        return None
    return {c.table for c in columns}


def owner_conjuncts(
    select: exp.Select, owners: dict[str, str | None], table_owner: Callable[[str], str | None]
) -> dict[int, str]:
    """Which WHERE conjuncts of ``select`` (by position in its top-level AND) filter one
    FROM table at its owner: position -> that table's alias. ``owners``: FROM alias ->
    the party whose plaintext table it is (None for a subquery or a shared table);
    ``table_owner``: a table's name -> the party whose plaintext table it is (None for
    a shared or unknown table)."""
    joins = select.args.get("joins") or []
    where = select.args.get("where")
    if where is None or not all(_inner_join(j) for j in joins):
        return {}
    out = {}
    for i, c in enumerate(conjuncts(where.this, unwrap=True)):
        if c.find(exp.Select) is None:
            continue
        read = _sources_read(c)
        if read is None or len(read) != 1:
            continue
        (alias,) = read
        owner = owners.get(alias)
        tables = [t.name for t in c.find_all(exp.Table)]
        if owner is not None and tables and all(table_owner(t) == owner for t in tables):
            out[i] = alias
    return out
