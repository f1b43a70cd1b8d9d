"""Equalities that join one owner's tables directly, implied by those written.

``FROM customer, supplier, nation WHERE c_nationkey = s_nationkey AND s_nationkey =
n_nationkey`` (TPC-H Q5) makes the three columns equal, but joins bob's customer and
nation only through carol's supplier: the join graph has no edge between bob's two
tables, so the builder cannot join them at bob (join_graph.owner_runs). The columns a
WHERE makes equal form classes; within a class every equality holds for the rows of an
inner join (a row passes exactly when every column of the class is non-NULL and all
are equal), so ``c_nationkey = n_nationkey`` may be added, and bob joins customer and
nation himself. Every written equality stays: the joins across parties compare what
they did, and show the parties in them what they did (a key of a join between two
parties is lifted for them, PLAINTEXT_AFTER_JOIN, as written).

The equality added is a join that owner runs itself, but the analyzer checks what its
keys show the asker as for any join of one party's tables (no lift): it compares only
columns every party may see (PLAINTEXT), so that a query allowed as written stays
allowed. An equality is added between two tables of one owner that no written equality among
that owner's tables joins, only for a SELECT whose joins are all inner without ON
(comma joins, as TPC-H writes them), and only within classes of columns of one type
(``types``: ``alias.column`` -> type; a column of a subquery or shared table has none,
and its equalities are left out of the classes).

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT 1 FROM c, s, n WHERE c.k = s.k AND s.k = n.k AND c.x > 1")
>>> owners = {"c": "bob", "s": "carol", "n": "bob"}
>>> types = {"c.k": "int64", "s.k": "int64", "n.k": "int64", "c.x": "int64"}
>>> implied_equalities(q, owners, types, {"c.k", "n.k"}).sql()
'SELECT 1 FROM c, s, n WHERE c.k = s.k AND s.k = n.k AND c.x > 1 AND c.k = n.k'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql.conjuncts import conjuncts


def _name(col: exp.Column) -> str:
    return f"{col.table}.{col.name}"


def _column_pair(c: exp.Expression, types: dict[str, str]) -> tuple[str, str] | None:
    """``c`` as two column names when it is ``t1.a = t2.b`` of two tables, one type."""
    if not (
        isinstance(c, exp.EQ) and isinstance(c.left, exp.Column) and isinstance(c.right, exp.Column)
    ):
        return None
    a, b = _name(c.left), _name(c.right)
    if c.left.table == c.right.table or types.get(a) is None or types.get(a) != types.get(b):
        return None
    return a, b


class _Classes:
    """Union-find over column names."""

    def __init__(self) -> None:
        self.parent: dict[str, str] = {}

    def find(self, x: str) -> str:
        self.parent.setdefault(x, x)
        while self.parent[x] != x:
            self.parent[x] = self.parent[self.parent[x]]
            x = self.parent[x]
        return x

    def union(self, a: str, b: str) -> bool:
        ra, rb = self.find(a), self.find(b)
        if ra == rb:
            return False
        self.parent[ra] = rb
        return True


def implied_equalities(
    select: exp.Select,
    owners: dict[str, str | None],
    types: dict[str, str],
    public: set[str],
) -> exp.Select:
    """``select`` with the equalities added that join one owner's tables directly, as
    described above (unchanged when there are none); ``owners``: FROM alias -> the
    party whose plaintext table it is (or None); ``public``: the ``alias.column``
    names every party may see (PLAINTEXT), the only ones an added equality compares."""
    joins = select.args.get("joins") or []
    where = select.args.get("where")
    if (
        where is None
        or not joins
        or any(
            j.args.get("on")
            or j.args.get("using")
            or j.args.get("side")
            or (j.args.get("kind") or "INNER").upper() not in ("INNER", "CROSS")
            for j in joins
        )
    ):
        return select
    parts = conjuncts(where.this)
    pairs = {i: p for i, c in enumerate(parts) if (p := _column_pair(c, types))}
    nodes = {_name(col): col for i in pairs for col in (parts[i].left, parts[i].right)}
    classes = _Classes()
    for a, b in pairs.values():
        classes.union(a, b)
    members: dict[str, list[str]] = {}
    for a, b in pairs.values():
        for x in (a, b):
            group = members.setdefault(classes.find(x), [])
            if x not in group:
                group.append(x)

    def owner(x: str) -> str | None:
        return owners.get(x.split(".")[0])

    # one owner's tables joined by written equalities are joined already
    same_owner = _Classes()
    for a, b in pairs.values():
        if owner(a) is not None and owner(a) == owner(b):
            same_owner.union(a.split(".")[0], b.split(".")[0])
    added: list[exp.Expression] = []
    for cols in members.values():
        for i, a in enumerate(cols):
            for b in cols[i + 1 :]:
                if (
                    {a, b} <= public
                    and owner(a) is not None
                    and owner(a) == owner(b)
                    and same_owner.union(a.split(".")[0], b.split(".")[0])
                ):
                    added.append(exp.EQ(this=nodes[a].copy(), expression=nodes[b].copy()))
    if not added:
        return select
    result = select.copy()
    result.set("where", exp.Where(this=exp.and_(*[c.copy() for c in parts], *added)))
    return result
