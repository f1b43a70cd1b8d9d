"""What the user wrote, carried by the conditions the planner writes in its place.

The planner turns EXCEPT, NOT IN, IN and EXISTS into joins plus conditions of its own
(``__sr0 IS NULL``, ``COUNT(*) = 0``, ...). A refusal must quote the SQL the user wrote,
so each such condition carries it (in the sqlglot node's ``meta``, which copies keep).
A condition that only completes an equality join (a NULL test of the joined key, the
NULL count of NOT IN) is also marked ``join``: the CCL check judges it as that join.

>>> e = standing_for(exp.condition("x IS NULL"), "a NOT IN (SELECT b FROM t)", join=True)
>>> written(e.copy()), completes_join(e)
('a NOT IN (SELECT b FROM t)', True)
"""

from __future__ import annotations

from sqlglot import exp

_WRITTEN, _JOIN = "scql_written", "scql_join"


def standing_for(e: exp.Expression, text: str, join: bool = False) -> exp.Expression:
    """``e``, marked as the planner's form of ``text``; ``join``: it completes a join."""
    e.meta[_WRITTEN] = text
    if join:
        e.meta[_JOIN] = True
    return e


def written(e: exp.Expression) -> str | None:
    """The SQL the user wrote that ``e`` stands for, if the planner wrote ``e``."""
    return e.meta.get(_WRITTEN) if e.meta else None


def completes_join(e: exp.Expression) -> bool:
    return bool(e.meta.get(_JOIN)) if e.meta else False


def user_sql(e: exp.Expression) -> str:
    """A resolved expression as the user would write it: no qualifiers added by the
    resolver (``c.x`` reads ``x``), no aliases that repeat a name (``x AS x``)."""
    def plain(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Column):
            return user_column(n.name)
        if isinstance(n, exp.Alias) and isinstance(n.this, exp.Column) \
                and n.alias == n.this.name:
            return exp.column(n.this.name)
        if isinstance(n, exp.Table) and n.alias == n.name:
            return exp.table_(n.name)
        return n

    return e.copy().transform(plain).sql(dialect="mysql")


def user_column(name: str) -> exp.Column:
    """A column as the user names it: a join input's ``alias.column`` qualified again."""
    table, _, column = name.rpartition(".")
    return exp.column(column, table=table or None)
