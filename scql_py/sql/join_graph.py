"""Inner joins in any FROM order: the order of the join graph.

``FROM a, b, c WHERE a.x = c.x AND b.y = c.y`` (as TPC-H writes its joins) names ``b``
right after ``a``, although nothing joins them; joined in that order, ``a`` and ``b``
would form a cross join. When every join of a SELECT is inner (comma, ``JOIN ... ON``,
``CROSS JOIN``), their order does not change the result: the sources are reordered so
that each one is joined to the sources before it by an equality of WHERE or ON, where
there is one, and every ON condition becomes a WHERE conjunct (the builder then makes
each join's keys of the equalities between its two inputs). A source that no equality
reaches stays a cross join, in the order written.

Joins are left-deep, and a join of two inputs of one owner is that owner's local work
(its own database joins them; nothing is shared or opened), while a join across owners
costs a PSI or a secret join: so the order starts with a group of one owner's tables
that equalities join among themselves (``owners`` says whose each source is, None for a
subquery or a shared table), and joins them first. Of several such groups the widest
(most columns, ``widths``) goes first: row counts are not known when planning, and wide
tables are the usual facts (TPC-H's lineitem and orders) beside narrow dimensions, which
are the cheaper ones to join under MPC afterwards.

Works on a qualified SELECT (every column names its table's alias).

>>> from sqlglot import parse_one
>>> order_joins(parse_one("SELECT 1 FROM a, b, c WHERE a.x = c.x AND b.y = c.y")).sql()
'SELECT 1 FROM a, c, b WHERE a.x = c.x AND b.y = c.y'
>>> q = parse_one("SELECT 1 FROM c, o, l WHERE c.k = o.k AND l.x = o.x")
>>> order_joins(q, {"c": "bob", "o": "alice", "l": "alice"}).sql()
'SELECT 1 FROM o, l, c WHERE c.k = o.k AND l.x = o.x'
>>> q = parse_one("SELECT 1 FROM c, n, o, l WHERE c.k = o.k AND l.x = o.x AND c.n = n.n")
>>> order_joins(q, {"c": "bob", "n": "bob", "o": "alice", "l": "alice"},
...             {"c": 8, "n": 4, "o": 9, "l": 16}).sql()
'SELECT 1 FROM o, l, c, n WHERE c.k = o.k AND l.x = o.x AND c.n = n.n'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.sql.conjuncts import conjuncts


def _inner(join: exp.Join) -> bool:
    return not join.args.get("side") and not join.args.get("using") \
        and (join.args.get("kind") or "INNER").upper() in ("INNER", "CROSS")


def _tables(e: exp.Expression) -> set[str]:
    return {c.table for c in e.find_all(exp.Column)}


def _edges(parts: list[exp.Expression]) -> list[tuple[set[str], set[str]]]:
    """The equalities between expressions of different sources, as pairs of the
    sources each side reads."""
    out = []
    for c in parts:
        if isinstance(c, exp.EQ) and not c.find(exp.Subquery):
            a, b = _tables(c.left), _tables(c.right)
            if a and b and not a & b:
                out.append((a, b))
    return out


def _filtered(sources: set[str], parts: list[exp.Expression]) -> bool:
    """Whether a condition other than an equality of two sources' columns reads only
    ``sources`` (a filter of their rows)."""
    for c in parts:
        tables = _tables(c)
        if tables and tables <= sources and not c.find(exp.Subquery) and not _edges([c]):
            return True
    return False


def _one_owner_group(start: int, names: list[str], owners: list[str | None],
                     edges: list[tuple[set[str], set[str]]]) -> list[int]:
    """The sources of ``start``'s owner that equalities join to it, directly or through
    each other, in the order they are reached."""
    owner = owners[start]
    group, chosen = [start], {names[start]}
    if owner is None:
        return group
    grew = True
    while grew:
        grew = False
        for i, name in enumerate(names):
            if i in group or owners[i] != owner:
                continue
            if any((a <= chosen and b == {name}) or (b <= chosen and a == {name})
                   for a, b in edges):
                group.append(i)
                chosen.add(name)
                grew = True
                break
    return group


def order_joins(select: exp.Select, owners: dict[str, str | None] | None = None,
                widths: dict[str, int] | None = None) -> exp.Select:
    """``select`` with its inner joins in the order of its join graph (unchanged when
    it has an outer join, or is already in such an order); ``owners``: source alias ->
    the party whose plaintext table it is; ``widths``: alias -> its number of columns."""
    joins = select.args.get("joins") or []
    from_ = select.args.get("from_")
    if not joins or from_ is None or not all(_inner(j) for j in joins):
        return select
    sources = [from_.this] + [j.this for j in joins]
    names = [s.alias_or_name for s in sources]
    where = select.args.get("where")
    parts = conjuncts(where.this if where is not None else None)
    for j in joins:
        parts += conjuncts(j.args.get("on"))
    edges = _edges(parts)
    owner_of = [(owners or {}).get(n) for n in names]
    groups = [_one_owner_group(i, names, owner_of, edges) for i in range(len(sources))]
    width = widths or {}
    joined = [g for g in groups if len(g) > 1]
    # the widest group of joined tables (the first of equals); else the order written
    order = max(joined, key=lambda g: sum(width.get(names[i], 0) for i in g)) \
        if joined else groups[0]
    chosen = {names[i] for i in order}
    rest = [i for i in range(len(sources)) if i not in order]
    while rest:
        def reached(i: int) -> bool:
            return any((a <= chosen and b == {names[i]}) or (b <= chosen and a == {names[i]})
                       for a, b in edges)
        # each source comes with the tables of its owner that equalities join to it
        # (and that are not joined yet): the builder joins them at that owner first
        # (owner_runs). Of the sources reached, the first whose group a condition
        # filters goes first: the fewer rows its join leaves, the fewer every later
        # (secret) join takes
        left = [o if i in rest else None for i, o in enumerate(owner_of)]
        candidates = [i for i in rest if reached(i)] or [rest[0]]
        groups_of = {i: _one_owner_group(i, names, left, edges) for i in candidates}
        nxt = next((i for i in candidates
                    if _filtered({names[j] for j in groups_of[i]}, parts)), candidates[0])
        for i in groups_of[nxt]:
            order.append(i)
            chosen.add(names[i])
            rest.remove(i)
    if order == list(range(len(sources))) and not any(j.args.get("on") for j in joins):
        return select
    out = select.copy()
    copies = [s.copy() for s in sources]
    out.set("from_", exp.From(this=copies[order[0]]))
    out.set("joins", [exp.Join(this=copies[i]) for i in order[1:]])
    out.set("where", exp.Where(this=exp.and_(*[c.copy() for c in parts]))
            if parts else None)
    return out


def owner_runs(select: exp.Select, owners: dict[str, str | None]) -> list[list[int]]:
    """The sources of ``select`` (0: FROM, then each join) in runs of consecutive tables
    of one owner, each joined to an earlier one of its run by an equality (as
    :func:`order_joins` orders them), when every join is inner and has no ON (after
    ``order_joins``, ON conditions are in WHERE); otherwise one source per run. The
    builder joins each run at its owner before joining it to the runs before it: a
    join of one owner's tables is that owner's local work, not a PSI or secret join of
    every row with the rows before it.

    >>> from sqlglot import parse_one
    >>> q = parse_one("SELECT 1 FROM o, l, c, n, s WHERE c.k = o.k AND l.x = o.x "
    ...               "AND c.n = n.n AND s.y = l.y")
    >>> owner_runs(q, {"o": "alice", "l": "alice", "c": "bob", "n": "bob", "s": "carol"})
    [[0, 1], [2, 3], [4]]
    """
    joins = select.args.get("joins") or []
    from_ = select.args.get("from_")
    sources = ([from_.this] if from_ is not None else []) + [j.this for j in joins]
    if not all(_inner(j) and not j.args.get("on") for j in joins):
        return [[i] for i in range(len(sources))]
    names = [s.alias_or_name for s in sources]
    where = select.args.get("where")
    edges = _edges(conjuncts(where.this if where is not None else None))
    runs: list[list[int]] = []
    for i, name in enumerate(names):
        run = runs[-1] if runs else []
        owner = owners.get(name)
        members = {names[j] for j in run}
        if run and owner is not None and owners.get(names[run[0]]) == owner and any(
                (a <= members and b == {name}) or (b <= members and a == {name})
                for a, b in edges):
            run.append(i)
        else:
            runs.append([i])
    return runs
