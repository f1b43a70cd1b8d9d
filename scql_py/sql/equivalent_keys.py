"""Column equalities of a join, rewritten so that one owner's tables join each other.

``FROM customer, supplier, nation WHERE c_nationkey = s_nationkey AND s_nationkey =
n_nationkey`` (TPC-H Q5) makes the three columns equal, but joins bob's customer and
nation only through carol's supplier: the join graph has no edge between bob's two
tables, so the builder cannot join them at bob (join_graph.owner_runs). The columns a
WHERE makes equal form classes; any set of equalities that connects each class says
the same, for the rows of an inner join: a row passes exactly when every column of the
class is non-NULL and all are equal. So each class is connected again by equalities
between the tables of one owner first (``c_nationkey = n_nationkey``), then by the
ones written, in their order: ``c_nationkey = n_nationkey AND c_nationkey =
s_nationkey``.

Only where that helps: a class is rewritten when it has two columns of one owner's
different tables that no written equality joins directly, only for a SELECT whose
joins are all inner without ON (comma joins, as TPC-H writes them), and only for
equalities of two columns of one type (``types``: ``alias.column`` -> type; a column of
a subquery or shared table has none, and its class stays as written).

>>> from sqlglot import parse_one
>>> q = parse_one("SELECT 1 FROM c, s, n WHERE c.k = s.k AND s.k = n.k AND c.x > 1")
>>> owners = {"c": "bob", "s": "carol", "n": "bob"}
>>> types = {"c.k": "int64", "s.k": "int64", "n.k": "int64", "c.x": "int64"}
>>> respan_equalities(q, owners, types).sql()
'SELECT 1 FROM c, s, n WHERE c.k = n.k AND c.k = s.k AND c.x > 1'
"""

from __future__ import annotations

from sqlglot import exp


def _conjuncts(e: exp.Expression | None) -> list[exp.Expression]:
    if e is None:
        return []
    if isinstance(e, exp.And):
        return _conjuncts(e.left) + _conjuncts(e.right)
    if isinstance(e, exp.Paren) and isinstance(e.this, exp.And):
        return _conjuncts(e.this)
    return [e]


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


def respan_equalities(
    select: exp.Select, owners: dict[str, str | None], types: dict[str, str]
) -> exp.Select:
    """``select`` with the equalities of each class of equal columns that would let one
    owner join its tables rewritten as described above (unchanged otherwise);
    ``owners``: FROM alias -> the party whose plaintext table it is (or None)."""
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
    conjuncts = _conjuncts(where.this)
    pairs = {i: p for i, c in enumerate(conjuncts) if (p := _column_pair(c, types))}
    nodes = {_name(col): col for i in pairs for col in (conjuncts[i].left, conjuncts[i].right)}
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

    written = {frozenset(p) for p in pairs.values()}
    replaced: dict[str, list[exp.Expression] | None] = {}
    for root, cols in members.items():
        linked = [
            (a, b)
            for i, a in enumerate(cols)
            for b in cols[i + 1 :]
            if owner(a) is not None and owner(a) == owner(b) and a.split(".")[0] != b.split(".")[0]
        ]
        if all(frozenset(p) in written for p in linked):
            continue  # one owner's tables are joined directly already (or none are)
        order = linked + [p for p in pairs.values() if classes.find(p[0]) == root]
        spanning = _Classes()
        replaced[root] = [
            exp.EQ(this=nodes[x].copy(), expression=nodes[y].copy())
            for x, y in order
            if spanning.union(x, y)
        ]
    if not replaced:
        return select
    out: list[exp.Expression] = []
    for i, c in enumerate(conjuncts):
        if i not in pairs:
            out.append(c.copy())
            continue
        root = classes.find(pairs[i][0])
        if root not in replaced:
            out.append(c.copy())
        elif replaced[root] is not None:
            out += replaced[root]
            replaced[root] = None  # the class's equalities stand where its first one was
    result = select.copy()
    result.set("where", exp.Where(this=exp.and_(*out)))
    return result
