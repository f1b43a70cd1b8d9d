"""A correlated subquery restricted to the outer rows that can use it.

TPC-H Q2 asks for the parts of size 15 whose supply cost is the minimum of theirs in
Europe: ``ps_supplycost = (SELECT MIN(ps_supplycost) FROM partsupp, supplier, nation,
region WHERE p_partkey = ps_partkey AND ...)``. Decorrelated (decorrelate.py), the
subquery is grouped by ``ps_partkey`` for every part, and a join hands each outer row
its group: all of partsupp crosses the party line, for the few parts the outer WHERE
keeps (``p_size = 15 AND p_type LIKE '%BRASS'``).

Only the groups of those parts are ever used: where the outer row ``r`` of table ``p``
passes the WHERE, it passes every condition of the WHERE on ``p`` alone, so ``r``'s key
is among the keys of the ``p`` rows that pass them. The subquery may therefore keep only
its rows whose key is among those (a semi-join restriction, as "magic sets" do):

    ... AND ps_partkey IN (SELECT __cr0.p_partkey FROM part AS __cr0
                           WHERE __cr0.p_size = 15 AND __cr0.p_type LIKE '%BRASS')

For each correlation ``inner = p.k`` of a subquery in a WHERE conjunct (AND-ed with the
conditions on ``p``), when the inner column's table and ``p`` are one owner's plaintext
tables: the restriction is then a filter that owner evaluates on its own rows
(owner_subqueries.py), so its rows are restricted before anything is shared. The table
is read again under a fresh alias, so that the subquery's other correlations still
name the outer table. Only for a SELECT whose joins are all inner, and only over
columns every party may see (PLAINTEXT): the restriction is a semi-join of the owner's
tables, checked as one (its keys and conditions are shown to the asker as a join of one
party's tables), so that a query allowed as written stays allowed.

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT p.k FROM p WHERE p.s = 15 AND p.v = "
...               "(SELECT MIN(ps.c) FROM ps WHERE ps.k = p.k)")
>>> restrict_correlated(q, {"p": "carol"}, {"p": "carol", "ps": "carol"}.get,
...                     lambda table, column: True).sql()
'SELECT p.k FROM p WHERE p.s = 15 AND p.v = (SELECT MIN(ps.c) FROM ps WHERE ps.k = p.k \
AND ps.k IN (SELECT __cr0.k FROM p AS __cr0 WHERE __cr0.s = 15))'
"""

from __future__ import annotations

import itertools
from collections.abc import Callable

from sqlglot import exp

from scql_py.sql.conjuncts import conjuncts
from scql_py.sql.decorrelate import inner_sources


def _tables(e: exp.Expression) -> set[str]:
    return {c.table for c in e.find_all(exp.Column)}


def _top_selects(conjunct: exp.Expression) -> list[exp.Select]:
    """The SELECTs of ``conjunct`` not inside another of its SELECTs."""
    out = []
    for s in conjunct.find_all(exp.Select):
        p = s.parent
        while p is not None and p is not conjunct and not isinstance(p, exp.Select):
            p = p.parent
        if p is None or p is conjunct:
            out.append(s)
    return out


def _table_of(query: exp.Select, alias: str) -> str | None:
    """The name of the catalog table ``alias`` stands for in ``query``'s FROM/JOIN."""
    from_ = query.args.get("from_")
    sources = ([from_.this] if from_ is not None else []) + [
        j.this for j in query.args.get("joins") or []
    ]
    for s in sources:
        if isinstance(s, exp.Table) and s.alias_or_name == alias:
            return s.name
    return None


def restrict_correlated(
    select: exp.Select,
    owners: dict[str, str | None],
    table_owner: Callable[[str], str | None],
    public: Callable[[str, str], bool],
) -> exp.Select:
    """``select`` (a copy where anything changes) with its WHERE subqueries restricted
    as described above; ``owners``: FROM alias -> the party whose plaintext table it is
    (None for a subquery or a shared table); ``table_owner``: a table's name -> that;
    ``public(table, column)``: whether every party may see the column (PLAINTEXT)."""
    joins = select.args.get("joins") or []
    where = select.args.get("where")
    if where is None or any(
        j.args.get("side")
        or j.args.get("using")
        or (j.args.get("kind") or "INNER").upper() not in ("INNER", "CROSS")
        for j in joins
    ):
        return select
    from_ = select.args.get("from_")
    tables = {
        s.alias_or_name: s
        for s in ([from_.this] if from_ is not None else []) + [j.this for j in joins]
        if isinstance(s, exp.Table)
    }
    parts = conjuncts(where.this)
    filters: dict[str, list[exp.Expression]] = {}
    for c in parts:
        read = _tables(c)
        if c.find(exp.Select) is None and len(read) == 1 and "" not in read:
            alias = next(iter(read))
            if alias in tables and all(
                public(tables[alias].name, col.name) for col in c.find_all(exp.Column)
            ):
                filters.setdefault(alias, []).append(c)
    if not filters or not any(c.find(exp.Select) for c in parts):
        return select
    select = select.copy()
    fresh = (f"__cr{i}" for i in itertools.count())
    for c in conjuncts(select.args["where"].this):
        for query in _top_selects(c):
            inner = inner_sources(query)
            sub_where = query.args.get("where")
            added = []
            for eq in conjuncts(sub_where.this if sub_where is not None else None):
                if not isinstance(eq, exp.EQ):
                    continue
                for col, outer in ((eq.left, eq.right), (eq.right, eq.left)):
                    if not (
                        isinstance(col, exp.Column)
                        and isinstance(outer, exp.Column)
                        and col.table in inner
                        and outer.table
                        and outer.table not in inner
                        and outer.table in filters
                        and outer.table in tables
                    ):
                        continue
                    inner_table = _table_of(query, col.table)
                    owner = owners.get(outer.table)
                    if (
                        owner is None
                        or inner_table is None
                        or table_owner(inner_table) != owner
                        or not public(inner_table, col.name)
                        or not public(tables[outer.table].name, outer.name)
                    ):
                        continue
                    added.append(
                        _restriction(
                            col, outer, tables[outer.table], filters[outer.table], next(fresh)
                        )
                    )
            if added:
                inner = conjuncts(sub_where.this if sub_where is not None else None)
                query.set("where", exp.Where(this=exp.and_(*inner, *added)))
    return select


def _restriction(
    col: exp.Column,
    outer: exp.Column,
    table: exp.Table,
    conditions: list[exp.Expression],
    alias: str,
) -> exp.Expression:
    """``col IN (SELECT alias.k FROM table AS alias WHERE conditions)``, the outer
    table's conditions renamed to ``alias``."""

    def renamed(e: exp.Expression) -> exp.Expression:
        return e.copy().transform(
            lambda n: exp.column(n.name, alias) if isinstance(n, exp.Column) else n
        )

    source = exp.Table(
        this=exp.to_identifier(table.name), alias=exp.TableAlias(this=exp.to_identifier(alias))
    )
    query = (
        exp.select(exp.column(outer.name, alias))
        .from_(source)
        .where(exp.and_(*[renamed(c) for c in conditions]))
    )
    return exp.In(this=col.copy(), query=exp.Subquery(this=query))
