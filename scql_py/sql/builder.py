"""Turn a resolved (qualified) SELECT into a logical plan.

One SELECT becomes, bottom up: its FROM source, ``Filter`` (WHERE), ``Aggregate`` when
it has aggregate calls, ``Project`` (the select list) and ``Limit``. Column references
lose their table qualifier: each node has a single input, so bare names are unambiguous.
"""

from __future__ import annotations

import itertools

from sqlglot import exp

from scql_py.catalog import FLOAT64, INT64, Catalog
from scql_py.catalog.ccl import CCLLevel
from scql_py.catalog.types import BOOL
from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql import logical as lp
from scql_py.sql.conjuncts import conjuncts
from scql_py.sql.correlated_quantifiers import rewrite_correlated_quantifiers
from scql_py.sql.correlated_restriction import restrict_correlated
from scql_py.sql.decorrelate import (
    check_aggregating,
    correlations,
    extreme_test,
    grouped,
    not_equal_variants,
    outer_columns,
    over_no_rows,
)
from scql_py.sql.equivalent_keys import implied_equalities
from scql_py.sql.join_graph import order_joins, owner_runs
from scql_py.sql.or_factoring import factor_common_conjuncts
from scql_py.sql.or_implied import implied_conditions
from scql_py.sql.owner_subqueries import owner_conjuncts
from scql_py.sql.type_inference import AGGREGATES, aggregate_type, common_type, infer_type
from scql_py.sql.window_frames import kept_frame, without_frame
from scql_py.sql.written import completes_join, standing_for, user_sql


def build(ast: exp.Expression, catalog: Catalog) -> lp.Node:
    if isinstance(ast, exp.Subquery):
        return build(ast.this, catalog)
    if isinstance(ast, exp.SetOperation):
        return _ordered(_build_set_operation(ast, catalog), ast)
    if isinstance(ast, exp.Select):
        return _build_select(ast, catalog)
    raise NotSupportedError(f"{ast.key.upper()} as a query")


def _set_name(ast: exp.SetOperation) -> str:
    return f"{ast.key.upper()}{'' if ast.args.get('distinct') else ' ALL'}"


def _build_set_operation(ast: exp.SetOperation, catalog: Catalog) -> lp.Node:
    """UNION [ALL]; INTERSECT and EXCEPT as the semi- and anti-join of the distinct left
    rows with the right rows, on every column, NULL matching NULL; with ALL, of rows
    numbered within their copies."""
    name = _set_name(ast)
    sides = [build(side, catalog) for side in (ast.left, ast.right)]
    width = len(sides[0].columns)
    if len(sides[1].columns) != width:
        raise ProgrammingError(f"{name} branches have {width} and {len(sides[1].columns)} "
                               "columns")
    types = [common_type(a, b, name) for a, b in zip(sides[0].types, sides[1].types)]
    if isinstance(ast, exp.Union):
        inputs = [i for c in sides
                  for i in (c.inputs if isinstance(c, lp.UnionAll) else [c])]
        union = lp.UnionAll(inputs, types)
        return _distinct(union) if ast.args.get("distinct") else union
    fresh = _fresh_names()
    out_columns = list(zip(sides[0].columns, sides[0].types))
    if not ast.args.get("distinct"):
        if (catalog.group_size_threshold or 0) > 1:
            # the rows numbered within their copies are distinct, each a group of one
            # row, which a group-size threshold would leave out: no row would come back
            raise NotSupportedError(
                f"{name} under the catalog's group_size_threshold "
                f"({catalog.group_size_threshold}): each copy of a row would be left out "
                "as a group of one row")
        # ALL: the j-th copy of a row matches the j-th copy on the other side, so
        # numbering the copies of each row turns multisets into sets: min(m, n) copies
        # are in both, max(m - n, 0) only on the left; what the numbers show is what the
        # join on them shows (visibility checks it as a join's keys)
        sides = [lp.Window(side, list(side.columns), [],
                           [lp.WindowFunc(fresh("__copy"), "row_number")], written=name)
                 for side in sides]
    left = _distinct(sides[0])
    lkeys, rkeys = _null_safe_keys(left, "__sl"), _null_safe_keys(sides[1], "__sr")
    lnode = lp.Project(left, [(c, exp.column(c, quoted=True), t)
                              for c, t in zip(left.columns, left.types)] + lkeys)
    rdistinct = _distinct_rows(lp.Project(sides[1], rkeys), fresh)
    pairs = [(a, b) for (a, _, _), (b, _, _) in zip(lkeys, rkeys)]
    if isinstance(ast, exp.Intersect):
        node = _typed_join(lnode, rdistinct, "inner", pairs, fresh)
    else:
        unmatched = exp.Is(this=exp.column(rkeys[0][0], quoted=True), expression=exp.Null())
        node = lp.Filter(_typed_join(lnode, rdistinct, "left", pairs, fresh),
                         standing_for(unmatched, user_sql(ast), join=True))
    return lp.Project(node, [(c, exp.column(c, quoted=True), t) for c, t in out_columns])


def _distinct(node: lp.Node) -> lp.Node:
    """The distinct rows of ``node`` (as SELECT DISTINCT: grouped by every column)."""
    return lp.Aggregate(node, [], [(c, exp.column(c, quoted=True), t)
                                   for c, t in zip(node.columns, node.types)])


# a value of each type that stands in for NULL beside an IS NULL bit (the pair matches
# exactly when both are NULL or both are equal)
_STAND_INS = {"string": "''", "bool": "FALSE", "date": "CAST('1970-01-01' AS DATE)",
              "timestamp": "CAST('1970-01-01 00:00:00' AS TIMESTAMP)"}


def _null_safe_keys(node: lp.Node, prefix: str):
    """Two key columns per column of ``node``: its value with NULL replaced, and whether
    it is NULL (set operations match NULL with NULL)."""
    out = []
    for i, (c, t) in enumerate(zip(node.columns, node.types)):
        col = exp.column(c, quoted=True)
        stand_in = exp.maybe_parse(_STAND_INS.get(t.kind, "0"))
        out.append((f"{prefix}{i}", exp.Coalesce(this=col, expressions=[stand_in]), t))
        out.append((f"{prefix}n{i}", exp.Is(this=col.copy(), expression=exp.Null()), BOOL))
    return out


def _ordered(node: lp.Node, ast: exp.SetOperation) -> lp.Node:
    """ORDER BY (output columns by name or position), LIMIT and OFFSET of a set
    operation."""
    order = ast.args.get("order")
    if order is not None:
        keys = []
        for o in order.expressions:
            target = o.this
            if isinstance(target, exp.Literal) and not target.is_string \
                    and target.this.isdigit() and 1 <= int(target.this) <= len(node.columns):
                column = node.columns[int(target.this) - 1]
            elif isinstance(target, exp.Column) and target.name in node.columns:
                column = target.name
            else:
                raise NotSupportedError(f"ORDER BY {target.sql()} of a {_set_name(ast)} "
                                        "(only its output columns, by name or position)")
            desc = bool(o.args.get("desc"))
            nulls_first = o.args.get("nulls_first")
            keys.append(lp.SortKey(column, desc, (not desc) if nulls_first is None
                                   else bool(nulls_first)))
        node = lp.Sort(node, keys)
    limit = _int_literal(ast.args.get("limit"), "LIMIT")
    offset = _int_literal(ast.args.get("offset"), "OFFSET") or 0
    if limit is not None or offset:
        node = lp.Limit(node, limit, offset)
    return node


def _outer_columns(node: exp.Expression) -> list[exp.Column]:
    """The column references of ``node`` that are not inside one of its subqueries."""
    out = []
    for col in node.find_all(exp.Column):
        p = col.parent
        while p is not None and p is not node and not isinstance(p, (exp.Subquery, exp.Select)):
            p = p.parent
        if p is None or p is node:
            out.append(col)
    return out


def _rename(node: exp.Expression, name_of) -> exp.Expression:
    node = node.copy()
    if isinstance(node, exp.Column):
        return exp.Column(this=exp.to_identifier(name_of(node), quoted=True))
    for col in _outer_columns(node):
        col.replace(exp.Column(this=exp.to_identifier(name_of(col), quoted=True)))
    return node


def bare(node: exp.Expression) -> exp.Expression:
    """Copy of ``node`` with table qualifiers dropped from its column references
    (subqueries inside keep theirs: they are planned on their own)."""
    return _rename(node, lambda c: c.name)


def qualified(node: exp.Expression) -> exp.Expression:
    """Copy of ``node`` whose column references are named ``alias.column`` (in a join,
    the inputs' columns are renamed so, which keeps same-named columns apart)."""
    return _rename(node, lambda c: f"{c.table}.{c.name}" if c.table else c.name)


def _aliased(node: lp.Node, alias: str) -> lp.Node:
    """``node`` with its columns renamed ``alias.column``."""
    return lp.Project(node, [(f"{alias}.{c}", exp.column(c, quoted=True), t)
                             for c, t in zip(node.columns, node.types)])


def _names(e: exp.Expression) -> set[str]:
    return {c.name for c in e.find_all(exp.Column)}


def _and(parts: list[exp.Expression]) -> exp.Expression | None:
    """AND of ``parts`` (parenthesised where needed: an OR stays an OR)."""
    return exp.and_(*parts, copy=False) if parts else None


def _join_sources(select: exp.Select, catalog: Catalog, fresh
                  ) -> tuple[lp.Node, exp.Expression | None]:
    """The FROM ... JOIN ... of ``select`` as Join nodes over ``alias.column`` names;
    returns it with the part of WHERE that could not be pushed into one input. The
    columns it adds (computed, cast and gated keys) take ``fresh`` names: a chain of
    joins keeps every earlier join's."""
    from_ = select.args.get("from_") or select.args.get("from")
    where = select.args.get("where")
    pending = [qualified(c) for c in conjuncts(where.this if where is not None else None,
                                               unwrap=True)]
    # a conjunct with a subquery over one FROM table's owner's tables filters that table
    # at its owner (owner_subqueries); the others are planned above every join (by
    # _subqueries), never pushed into an input: their subquery may read any party's
    # tables, and one that names no column of its own would look like a condition on one
    at_source: dict[str, list[exp.Expression]] = {}
    owners = _source_owners(select, catalog)[0]
    for i, alias in owner_conjuncts(select, owners,
                                    lambda t: _plaintext_owner(t, catalog)).items():
        at_source.setdefault(alias, []).append(pending[i])
    own = {id(c) for conds in at_source.values() for c in conds}
    deferred = [c for c in pending if _has_subquery(c) and id(c) not in own]
    pending = [c for c in pending if not _has_subquery(c)]

    def source(s: exp.Expression) -> lp.Node:
        node = _aliased(_single_source(s, select, catalog), s.alias_or_name)
        return _filtered_at_owner(node, at_source.get(s.alias_or_name, []), catalog, fresh)

    node = source(from_.this)
    joins = select.args.get("joins") or []
    # the tables of one owner that follow the FROM's are joined at that owner first
    runs = owner_runs(select, owners)
    run_rest = {run[0]: run[1:] for run in runs[1:]}
    in_run = {i for run in runs[1:] for i in run[1:]}
    for i, join in enumerate(joins):
        if i + 1 in in_run:
            continue  # joined into the run it belongs to
        side = (join.args.get("side") or "").lower()
        if join.args.get("kind") in ("CROSS",) and join.args.get("on"):
            raise NotSupportedError(
                f"{side.upper() or join.args.get('kind')} JOIN is not supported (INNER, LEFT, "
                "RIGHT and comma joins are)")
        how = side or "inner"
        right = source(join.this)
        for member in run_rest.get(i + 1, []):
            right, pending = _join_step(right, source(joins[member - 1].this), "inner",
                                        pending, False, fresh)
        on = [qualified(c) for c in conjuncts(join.args.get("on"), unwrap=True)]
        if any(_has_subquery(c) for c in on):
            if how != "inner" or any((j.args.get("side") or "").lower() == "right"
                                     for j in joins[i + 1:]):
                raise NotSupportedError(f"a subquery in the ON condition of a {how.upper()} "
                                        "JOIN, or of a join followed by a RIGHT JOIN")
            # an inner join's ON condition filters like WHERE does
            deferred += [c for c in on if _has_subquery(c)]
            on = [c for c in on if not _has_subquery(c)]
        lcols, rcols = set(node.columns), set(right.columns)
        outer_after = any((j.args.get("side") or "").lower() in ("right", "full")
                          for j in joins[i + 1:])
        if how == "inner" and not outer_after:
            # WHERE conjuncts over these two inputs can join and filter them here
            on, pending = on + pending, []
        elif how == "inner":
            # a later RIGHT (or FULL) JOIN adds rows with this join's columns NULL, which WHERE
            # must see: its conjuncts stay above every join. A copy of an equality of a
            # column of each input may still be this join's key: where the key drops a
            # pair that WHERE would drop, the row NULL-extended in its place has the
            # equality NULL, so WHERE drops it too
            on = on + [c.copy() for c in pending if _column_pair(c, lcols, rcols)]
        node, rest = _join_step(node, right, how, on, outer_after, fresh)
        pending = rest + pending
    return node, _and(pending + deferred)


def _join_step(node: lp.Node, right: lp.Node, how: str, on: list[exp.Expression],
               outer_after: bool, fresh) -> tuple[lp.Node, list[exp.Expression]]:
    """``node`` joined with ``right`` (``how``) on the equalities of ``on`` between them,
    its conditions on one input filtering that input first; returns the join and the
    conditions of ``on`` it could not use (over both inputs, or other sources).
    ``outer_after``: a later RIGHT or FULL join NULL-extends this one's rows."""
    lcols, rcols = set(node.columns), set(right.columns)
    keys, residual = [], []
    for c in on:
        pair = None
        if isinstance(c, exp.EQ):
            a, b = c.left, c.right
            if _names(a) and _names(b) and _names(a) <= lcols and _names(b) <= rcols:
                pair = (a, b)
            elif _names(a) and _names(b) and _names(b) <= lcols and _names(a) <= rcols:
                pair = (b, a)
        if pair is None:
            residual.append(c)
            continue
        # an expression key is computed as a column of its input first
        a, b = pair
        if not isinstance(a, exp.Column):
            name = fresh("__jx") + ".l"
            node = _with_expr(node, a, name)
            a = exp.column(name, quoted=True)
        if not isinstance(b, exp.Column):
            name = fresh("__jx") + ".r"
            right = _with_expr(right, b, name)
            b = exp.column(name, quoted=True)
        keys.append((a.name, b.name))
    cross = not keys
    if cross:
        if how != "inner":
            raise NotSupportedError(f"{how.upper()} JOIN without an equality between "
                                    "its two inputs")
        # every pair of rows: a join on a constant key, which the secret join runs as
        # all pairs, refused above the public bound max_rows before it starts
        n = len(node.columns) + len(right.columns)
        node = _with_expr(node, exp.Literal.number(1), f"__cj{n}.l")
        right = _with_expr(right, exp.Literal.number(1), f"__cj{n}.r")
        keys = [(f"__cj{n}.l", f"__cj{n}.r")]
    # conditions on one input only filter that input first (for outer joins, only the
    # preserved side's WHERE conditions may move; ON conditions on it may not)
    left_only = [c for c in residual if _names(c) <= lcols]
    right_only = [c for c in residual if _names(c) <= rcols and c not in left_only]
    rest = [c for c in residual if c not in left_only and c not in right_only]
    if how == "inner":
        if left_only:
            node = lp.Filter(node, _and(left_only))
        if right_only:
            right = lp.Filter(right, _and(right_only))
    else:
        # the kept side's ON conditions decide whether a row may match, not whether
        # it is output: its key becomes NULL (never matches) where they fail
        if how == "full":  # both sides are kept: each one's conditions gate its keys
            if left_only:
                node, keys = _gate_keys(node, keys, _and(left_only), 0, fresh)
            if right_only:
                right, keys = _gate_keys(right, keys, _and(right_only), 1, fresh)
        elif how == "left":
            if right_only:
                right = lp.Filter(right, _and(right_only))
            if left_only:
                node, keys = _gate_keys(node, keys, _and(left_only), 0, fresh)
        else:
            if left_only:
                node = lp.Filter(node, _and(left_only))
            if right_only:
                right, keys = _gate_keys(right, keys, _and(right_only), 1, fresh)
        left_only = right_only = []
    if how != "inner" and rest:
        raise NotSupportedError(f"{how.upper()} JOIN with a condition other than "
                                "key equalities on both inputs")
    if how == "full":
        node = _full_join(node, right, keys, fresh)
    else:
        node = _typed_join(node, right, how, keys, fresh)
        node.cross = cross
    here = [c for c in rest if outer_after and _names(c) <= lcols | rcols]
    if here:
        # the rest of an inner join's ON (a.f > b.id) filters this join's pairs: above
        # a later RIGHT or FULL join it would also drop the rows that join NULL-extends
        node = lp.Filter(node, _and(here))
        rest = [c for c in rest if c not in here]
    return node, rest


def _plaintext_owner(table: str, catalog: Catalog) -> str | None:
    t = catalog.tables.get(table.lower())
    return None if t is None or t.shared else t.owner


def _filtered_at_owner(node: lp.Node, conds: list[exp.Expression], catalog: Catalog,
                       fresh) -> lp.Node:
    """``node`` (one FROM table, ``alias.column`` names) filtered by ``conds``, WHERE
    conjuncts with subqueries over its owner's tables only (see owner_subqueries)."""
    if not conds:
        return node
    node, pred = _subqueries(node, _and(conds), catalog, qualified, fresh)
    if pred is not None:
        infer_type(pred, dict(zip(node.columns, node.types)))
        node = lp.Filter(node, pred)
    return node


def _has_subquery(e: exp.Expression) -> bool:
    return e.find(exp.Subquery, exp.Select, exp.Exists) is not None


def _full_join(left: lp.Node, right: lp.Node, keys, fresh) -> lp.Node:
    """``left FULL JOIN right``: the LEFT join, then the right rows without a partner
    (an anti-join with the distinct left keys) with the left columns NULL."""
    names = left.columns + right.columns
    types = left.types + right.types
    ltypes = dict(zip(left.columns, left.types))
    left_keys = lp.Project(left, [(f"__fk{i}", exp.column(a, quoted=True), ltypes[a])
                                  for i, (a, _) in enumerate(keys)])
    distinct = _distinct_rows(left_keys, fresh)
    anti = _typed_join(right, distinct, "left", [(b, f"__fk{i}") for i, (_, b) in enumerate(keys)],
                       fresh)
    unmatched = exp.Is(this=exp.column("__fk0", quoted=True), expression=exp.Null())
    alone = lp.Filter(anti, standing_for(unmatched, "FULL JOIN", join=True))
    nulls = [(c, exp.Cast(this=exp.Null(), to=exp.DataType.build(t.to_duckdb())), t)
             for c, t in zip(left.columns, left.types)]
    same = [(c, exp.column(c, quoted=True), t) for c, t in zip(names, types)]
    matched = lp.Project(_typed_join(left, right, "left", keys, fresh), same)
    unmatched = lp.Project(alone, nulls + same[len(left.columns):])
    return lp.UnionAll([matched, unmatched], types)


def _column_pair(c: exp.Expression, lcols: set[str], rcols: set[str]) -> bool:
    """Whether ``c`` is ``column = column`` with one column in each of two inputs."""
    if not (isinstance(c, exp.EQ) and isinstance(c.left, exp.Column)
            and isinstance(c.right, exp.Column)):
        return False
    names = {c.left.name, c.right.name}
    return len(names & lcols) == 1 and len(names & rcols) == 1


def _gate_keys(node: lp.Node, keys, cond: exp.Expression, side: int, fresh):
    """``node`` with each of its join keys (``side`` of each pair) NULL where ``cond``
    fails, and the pairs renamed to those gated columns."""
    types = dict(zip(node.columns, node.types))
    exprs = [(c, exp.column(c, quoted=True), t) for c, t in zip(node.columns, node.types)]
    pairs = []
    for pair in keys:
        col = pair[side]
        name = f"{fresh('__jg')}.{'lr'[side]}"
        on = standing_for(cond.copy(), f"ON {user_sql(cond)}")
        gated = exp.Case(ifs=[exp.If(this=on, true=exp.column(col, quoted=True))])
        exprs.append((name, gated, types[col]))
        pairs.append((name, pair[1]) if side == 0 else (pair[0], name))
    return lp.Project(node, exprs), pairs


def _typed_join(left: lp.Node, right: lp.Node, how: str, keys, fresh) -> lp.Join:
    """Both sides of each key pair in one type (a cast column where they differ)."""
    ltypes, rtypes = dict(zip(left.columns, left.types)), dict(zip(right.columns, right.types))
    fixed = []
    for a, b in keys:
        ta, tb = ltypes[a], rtypes[b]
        if ta != tb:
            t = common_type(ta, tb, "JOIN")
            if ta != t:
                name = fresh("__jk") + ".l"
                left = _with_cast(left, a, name, t)
                a = name
            if tb != t:
                name = fresh("__jk") + ".r"
                right = _with_cast(right, b, name, t)
                b = name
        fixed.append((a, b))
    return lp.Join(left, right, how, fixed)


def _with_expr(node: lp.Node, e: exp.Expression, name: str) -> lp.Node:
    exprs = [(c, exp.column(c, quoted=True), ct) for c, ct in zip(node.columns, node.types)]
    return lp.Project(node, exprs + [(name, e.copy(), infer_type(e, dict(zip(node.columns,
                                                                            node.types))))])


def _with_cast(node: lp.Node, col: str, name: str, t) -> lp.Node:
    exprs = [(c, exp.column(c, quoted=True), ct) for c, ct in zip(node.columns, node.types)]
    cast = exp.Cast(this=exp.column(col, quoted=True), to=exp.DataType.build(t.to_duckdb()))
    return lp.Project(node, exprs + [(name, cast, t)])


def _source(select: exp.Select, catalog: Catalog) -> lp.Node:
    from_ = select.args.get("from_") or select.args.get("from")
    return _single_source(from_.this, select, catalog)


def _single_source(source: exp.Expression, select: exp.Select, catalog: Catalog) -> lp.Node:
    if isinstance(source, exp.Table):
        table = catalog.tables[source.name]
        # read only the columns this SELECT uses (at least one, for the row count)
        used = {c.name for c in select.find_all(exp.Column) if c.table == source.alias_or_name}
        cols = [c for c in table.columns if c in used] or [next(iter(table.columns))]
        return lp.Scan(table.name, table.owner, cols, [table.columns[c] for c in cols],
                       shared=table.shared)
    if isinstance(source, exp.Subquery):
        return build(source.this, catalog)
    raise NotSupportedError(f"{source.key.upper()} in FROM")


def _int_literal(node: exp.Expression | None, clause: str) -> int | None:
    if node is None:
        return None
    value = node.expression if isinstance(node, (exp.Limit, exp.Offset)) else node
    if isinstance(value, exp.Literal) and not value.is_string:
        try:
            n = int(value.this)
        except ValueError:
            n = -1
        if n >= 0:
            return n
    raise ProgrammingError(f"{clause} takes a non-negative integer, got {value.sql()}")


def _source_owners(select: exp.Select, catalog: Catalog
                   ) -> tuple[dict[str, str | None], dict[str, int]]:
    """FROM's sources by alias -> the owner of the plaintext table each one is (None
    for a subquery or a shared table), and -> its number of columns: what the join
    order keeps together, and which group it joins first."""
    from_ = select.args.get("from_")
    sources = ([from_.this] if from_ is not None else []) + [
        j.this for j in select.args.get("joins") or []]
    owners: dict[str, str | None] = {}
    widths: dict[str, int] = {}
    for s in sources:
        table = catalog.tables.get(s.name.lower()) if isinstance(s, exp.Table) else None
        owners[s.alias_or_name] = None if table is None or table.shared else table.owner
        widths[s.alias_or_name] = 0 if table is None else len(table.columns)
    return owners, widths


def _public(table: str, column: str, catalog: Catalog) -> bool:
    """Whether every party may see ``column`` of ``table`` (PLAINTEXT)."""
    t = catalog.tables.get(table.lower())
    return t is not None and column in t.columns and all(
        t.ccl_level(column, p) is CCLLevel.PLAINTEXT for p in catalog.party_names)


def _source_columns(select: exp.Select, catalog: Catalog) -> tuple[dict[str, str], set[str]]:
    """For the columns of FROM's catalog tables: ``alias.column`` -> its type, and the
    names of those every party may see (PLAINTEXT)."""
    from_ = select.args.get("from_")
    sources = ([from_.this] if from_ is not None else []) + [
        j.this for j in select.args.get("joins") or []]
    types, public = {}, set()
    for s in sources:
        table = catalog.tables.get(s.name.lower()) if isinstance(s, exp.Table) else None
        for column, t in (table.columns.items() if table is not None else ()):
            name = f"{s.alias_or_name}.{column}"
            types[name] = str(t)
            if _public(table.name, column, catalog):
                public.add(name)
    return types, public


def _build_select(select: exp.Select, catalog: Catalog) -> lp.Node:
    fresh = _fresh_names()
    select = rewrite_correlated_quantifiers(select)
    if select.args.get("where") is not None:
        select = restrict_correlated(select, _source_owners(select, catalog)[0],
                                     lambda t: _plaintext_owner(t, catalog),
                                     lambda t, c: _public(t, c, catalog))
    if select.args.get("where") is not None:
        select = select.copy()
        select.set("where", exp.Where(this=factor_common_conjuncts(select.args["where"].this)))
    if select.args.get("joins") and select.args.get("where") is not None:
        implied = implied_conditions(conjuncts(select.args["where"].this, unwrap=True))
        if implied:
            select = select.copy()
            select.set("where", exp.Where(this=exp.and_(select.args["where"].this, *implied)))
    if select.args.get("joins"):
        types, public = _source_columns(select, catalog)
        select = implied_equalities(select, _source_owners(select, catalog)[0], types, public)
        select = order_joins(select, *_source_owners(select, catalog))
        ref = qualified
        node, pred = _join_sources(select, catalog, fresh)
    else:
        ref = bare
        node = _source(select, catalog)
        where = select.args.get("where")
        pred = bare(where.this) if where is not None else None
    projections = [(p.alias_or_name, ref(p.unalias())) for p in select.expressions]
    node, pred = _subqueries(node, pred, catalog, ref, fresh)
    if pred is not None:
        infer_type(pred, dict(zip(node.columns, node.types)))
        node = lp.Filter(node, pred)

    group = select.args.get("group")
    having = select.args.get("having")
    having_expr = ref(having.this) if having is not None else None
    order = select.args.get("order")
    # an ORDER BY item is an output column by its alias, or by being the expression of
    # one (ORDER BY a.g for SELECT a.g AS c0); others are computed as hidden columns
    out_names = {name for name, _ in projections}
    unique = [name for name, _, _ in _unique_names([(n, e, None) for n, e in projections])]
    order_keys: list[lp.SortKey] = []
    hidden: list[tuple[str, exp.Expression]] = []
    for i, o in enumerate(order.expressions if order is not None else []):
        target = o.this
        same = [u for u, (_, e) in zip(unique, projections) if e == ref(target)]
        if isinstance(target, exp.Column) and not target.table and target.name in out_names:
            name = target.name
        elif same:
            name = same[0]
        else:
            name = f"__order{i}"
            hidden.append((name, ref(target)))
        desc = bool(o.args.get("desc"))
        nulls_first = o.args.get("nulls_first")
        if nulls_first is None:
            nulls_first = not desc  # MySQL: NULL is the smallest value
        order_keys.append(lp.SortKey(name, desc, bool(nulls_first)))

    group_exprs = [ref(g) for g in group.expressions] if group is not None else []
    if any(g.find(exp.Subquery) for g in group_exprs):
        raise NotSupportedError("a subquery in GROUP BY")
    aggregating = group_exprs or having_expr is not None or any(
        _has_aggregate(e) for _, e in projections + hidden)

    # a scalar subquery of the select list, HAVING or ORDER BY has one value: it is joined
    # onto every row of the input where that row needs it (no aggregation, or inside an
    # aggregate's argument), else onto the aggregate's rows, after the aggregation (an
    # aggregate over no rows still has its row, and the subquery its value)
    items = [e for _, e in projections + hidden] + [having_expr]
    if aggregating:
        items, before = _scalar_subqueries(items, catalog, fresh, ref, _inside_aggregate)
        items, after = _scalar_subqueries(items, catalog, fresh, ref, correlated=False)
    else:
        node, items = _mark_subqueries(node, items, catalog, ref, fresh)
        items, before = _scalar_subqueries(items, catalog, fresh, ref)
        after = []
    node = _join_scalars(node, before)
    *items, having_expr = items
    for item in items:
        _refuse_subqueries_left(item, "in the select list or ORDER BY")
    _refuse_subqueries_left(having_expr, "in HAVING")
    projections = [(name, e) for (name, _), e in zip(projections, items)]
    hidden = [(name, e) for (name, _), e in zip(hidden, items[len(projections):])]
    if any(e.find(exp.Window) for _, e in projections + hidden):
        if aggregating:
            raise NotSupportedError("window functions together with GROUP BY or aggregates")
        node, rewritten = _split_windows(node, projections + hidden)
        projections, hidden = rewritten[: len(projections)], rewritten[len(projections):]
    if aggregating:
        node, rewritten = _split_aggregates(node, projections + hidden, group_exprs, having_expr,
                                            {name for name, _ in after})
        *rewritten_out, having_expr = rewritten
        projections = rewritten_out[: len(projections)]
        hidden = rewritten_out[len(projections):]
        node = _join_scalars(node, after)
        if having_expr is not None:
            node = lp.Filter(node, having_expr)
    scope = dict(zip(node.columns, node.types))
    exprs = _unique_names([(name, e, _concrete(infer_type(e, scope))) for name, e in projections])
    hidden_exprs = [(name, e, infer_type(e, scope)) for name, e in hidden]
    if select.args.get("distinct") is not None:
        if hidden_exprs:
            raise ProgrammingError("with SELECT DISTINCT, ORDER BY items must be in the select list")
        node = _project(node, exprs)
        node = lp.Aggregate(node, [], [(n, exp.column(n), t) for n, _, t in exprs])
    else:
        node = _project(node, exprs + hidden_exprs)
    if order_keys:
        node = lp.Sort(node, order_keys)
        if hidden_exprs:
            node = lp.Project(node, [(n, exp.column(n), t) for n, _, t in exprs])

    limit = _int_literal(select.args.get("limit"), "LIMIT")
    offset = _int_literal(select.args.get("offset"), "OFFSET") or 0
    if limit is not None or offset:
        node = lp.Limit(node, limit, offset)
    return node


def _concrete(t):
    """A bare NULL column gets a type (DuckDB's INTEGER family)."""
    return INT64 if t.kind == "null" else t


def _uncorrelated(query: exp.Expression) -> exp.Expression:
    inner = {t.alias_or_name for t in query.find_all(exp.Table)}
    inner |= {s.alias_or_name for s in query.find_all(exp.Subquery) if s.alias_or_name}
    for col in query.find_all(exp.Column):
        if col.table and col.table not in inner:
            raise NotSupportedError(f"correlated subqueries (the subquery uses {col.sql()} "
                                    "of the outer query)")
    return query


def _fresh_names():
    """A source of column names unique in one SELECT: ``fresh("__sq")`` -> ``__sq0``, ..."""
    counter = itertools.count()
    return lambda prefix: f"{prefix}{next(counter)}"


def _scalar_plan(query: exp.Expression, name: str, catalog: Catalog) -> lp.Node:
    """The plan of a subquery used as a value: its one column, named ``name``."""
    plan = build(_uncorrelated(query), catalog)
    if len(plan.columns) != 1:
        raise ProgrammingError("a subquery used as a value must return one column")
    return lp.Project(plan, [(name, exp.column(plan.columns[0], quoted=True), plan.types[0])])


def _is_scalar_subquery(n: exp.Expression) -> bool:
    """A subquery used as a value (not a FROM source, not the set of IN (SELECT ...))."""
    return isinstance(n, exp.Subquery) and not isinstance(
        n.parent, (exp.From, exp.Join, exp.Any, exp.All)) \
        and not (isinstance(n.parent, exp.In) and n.arg_key == "query")


def _refuse_subqueries_left(e: exp.Expression | None, where: str) -> None:
    """A subquery still inside an expression once the planner has taken out those it
    plans would be evaluated by one owner over tables it does not hold: refuse it."""
    if e is None:
        return
    for n in e.find_all(exp.Any, exp.All):
        raise NotSupportedError(f"comparisons with {n.key.upper()} (SELECT ...)")
    if e.find(exp.Exists) or any(i.args.get("query") for i in e.find_all(exp.In)):
        raise NotSupportedError(f"EXISTS / IN (subquery) {where}")
    if e.find(exp.Select) is not None:
        raise NotSupportedError(f"a subquery {where}")


def _inside_aggregate(n: exp.Expression) -> bool:
    return n.find_ancestor(*AGGREGATES, exp.WithinGroup, exp.Filter) is not None


def _scalar_subqueries(exprs: list, catalog: Catalog, fresh, ref, pick=lambda n: True,
                       correlated: bool = True):
    """``exprs`` (None stays None) with each scalar subquery that ``pick`` accepts
    replaced by a column ``__sq<i>``, and the ``(column, join)`` pairs that put it onto
    the rows (``join(node) -> node``). ``correlated``: whether the rows still have the
    outer columns a correlated subquery needs."""
    subs: list = []
    # correlated subqueries that differ only in their value (a quantifier's count, NULL
    # count, MIN and MAX) share one grouped query and one join
    shared: dict[str, list] = {}

    def swap(n: exp.Expression) -> exp.Expression:
        if _is_scalar_subquery(n) and pick(n):
            name = fresh("__sq")
            if outer_columns(n.this):
                if not correlated:
                    raise NotSupportedError("a correlated subquery after GROUP BY (in the "
                                            "select list or HAVING, outside an aggregate)")
                rows = n.this.copy()
                rows.set("expressions", [exp.Star()])
                if rows.sql() not in shared:
                    shared[rows.sql()] = group = []
                    subs.append((name, lambda node, group=group: _join_correlated_scalars(
                        node, group, catalog, ref, fresh)))
                shared[rows.sql()].append((n.this, name))
            else:
                plan = _scalar_plan(n.this, name, catalog)
                subs.append((name, lambda node, plan=plan: lp.Join(node, plan, "scalar", [])))
            return exp.column(name, quoted=True)
        return n

    return [None if e is None else e.transform(swap) for e in exprs], subs


def _join_scalars(node: lp.Node, subs: list) -> lp.Node:
    """``node`` with the value of each subquery of ``subs`` joined onto its rows."""
    for _, join in subs:
        node = join(node)
    return node


def _grouped_join(node: lp.Node, query: exp.Select, values, catalog: Catalog, ref, fresh):
    """``node`` LEFT JOIN the correlated ``query`` without its correlations, grouped by
    the inner side of its equalities (one row when it has none: a scalar join). Returns
    the node, the name of the first key column (NULL where an outer row has no group),
    the names of ``values`` (``(name, expression)`` over the query's rows, or a function
    of the non-equality correlations), and those correlations."""
    eqs, others, rest = correlations(query)
    if callable(values):
        values = values(others)
    elif others:
        shown = query.copy()  # as written: without the resolver's aliases (_col_0)
        shown.set("expressions", [e.unalias() for e in shown.expressions])
        raise NotSupportedError(f"a scalar subquery correlated by something other than "
                                f"equalities ({shown.sql(dialect='mysql')})")
    grouped_query = grouped(rest, [inner for _, inner in eqs], values)
    plan = build(grouped_query, catalog)
    for n in lp.walk(plan):
        if isinstance(n, lp.Aggregate):
            n.joined_groups = True  # the planner's grouping, only consumed by this join
            break
    names = [fresh("__cg") for _ in plan.columns]
    plan = lp.Project(plan, [(new, exp.column(old, quoted=True), t)
                             for new, old, t in zip(names, plan.columns, plan.types)])
    if not eqs:
        return lp.Join(node, plan, "scalar", []), None, names, others
    outer = []
    for col, _ in eqs:
        node, name = _outer_key(node, col, ref, fresh, "a subquery")
        outer.append(name)
    node = _typed_join(node, plan, "left", list(zip(outer, names[:len(eqs)])), fresh)
    return node, names[0], names[len(eqs):], others


def _outer_key(node: lp.Node, outer: exp.Expression, ref, fresh, what: str
               ) -> tuple[lp.Node, str]:
    """The column of ``node`` that holds the outer side of a correlation equality: the
    outer column itself, or the outer expression (``a.k + 1``) computed as a column."""
    key = ref(outer)
    for col in key.find_all(exp.Column):
        if col.name not in node.columns:
            raise NotSupportedError(f"{what} correlated by {outer.sql(dialect='mysql')}, "
                                    f"which is not over the columns of its FROM")
    if isinstance(key, exp.Column):
        return node, key.name
    name = fresh("__cx")
    return _with_expr(node, key, name), name


def _join_correlated_scalars(node: lp.Node, group: list, catalog: Catalog, ref, fresh
                             ) -> lp.Node:
    """Correlated scalar subqueries (aggregates) over the same rows, ``(query, name)``
    pairs, as columns ``name`` of ``node``: one grouped query computes every value."""
    queries = [q.this if isinstance(q, exp.Subquery) else q for q, _ in group]
    if not all(isinstance(q, exp.Select) for q in queries):
        raise NotSupportedError("a correlated subquery over a UNION")
    values = [(f"__v{i}", check_aggregating(q, "a correlated scalar subquery"))
              for i, q in enumerate(queries)]
    node, key, raws, _ = _grouped_join(node, queries[0], values, catalog, ref, fresh)
    scope = dict(zip(node.columns, node.types))
    exprs = [(c, exp.column(c, quoted=True), t) for c, t in scope.items()]
    for (_, value), raw, (_, name) in zip(values, raws, group):
        empty = over_no_rows(value)
        col = exp.column(raw, quoted=True)
        if key is not None and not isinstance(empty, exp.Null):
            missing = exp.Is(this=exp.column(key, quoted=True), expression=exp.Null())
            col = exp.Case(ifs=[exp.If(this=missing, true=empty)], default=col)
        exprs.append((name, col, infer_type(col, scope)))
    return lp.Project(node, exprs)


def _exists_mark(node: lp.Node, query: exp.Expression, catalog: Catalog, ref, fresh):
    """``node`` with what EXISTS (``query``) needs joined onto it, and the (never NULL)
    boolean expression of EXISTS over its rows."""
    if isinstance(query, exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Select) or query.args.get("group"):
        raise NotSupportedError("EXISTS over a UNION or a grouped subquery")

    def values(others):
        if len(others) > 1:
            raise NotSupportedError("EXISTS correlated by more than one comparison other "
                                    "than an equality")
        if others:
            _, inner, _ = others[0]
            return [("__lo", exp.Min(this=inner.copy())), ("__hi", exp.Max(this=inner.copy()))]
        return [("__n", exp.Count(this=exp.Star()))]

    _, others, rest = correlations(query)
    if len(others) == 1 and others[0][0] is exp.NEQ \
            and _value_type(rest, others[0][1], catalog).kind == "string":
        # some inner string differs from v: more non-NULL values in the group than
        # values equal to v (strings have no secure MIN and MAX)
        _, inner, outer = others[0]
        without, with_eq = not_equal_variants(query)
        node, _, (every,), _ = _grouped_join(node, without, [("__n", exp.Count(this=inner))],
                                             catalog, ref, fresh)
        node, _, (same,), _ = _grouped_join(node, with_eq, [("__n", exp.Count(this=exp.Star()))],
                                            catalog, ref, fresh)
        zero = exp.Literal.number(0)
        more = exp.GT(this=exp.Coalesce(this=exp.column(every, quoted=True), expressions=[zero]),
                      expression=exp.Coalesce(this=exp.column(same, quoted=True),
                                              expressions=[zero.copy()]))
        known = exp.Not(this=exp.Is(this=ref(outer), expression=exp.Null()))
        return node, exp.and_(known, more)
    node, key, names, others = _grouped_join(node, query, values, catalog, ref, fresh)
    if others:
        op, _, outer = others[0]
        low, high = (exp.column(n, quoted=True) for n in names)
        test = extreme_test(op, ref(outer), low, high)
        return node, exp.Coalesce(this=exp.paren(test), expressions=[exp.false()])
    if key is None:  # uncorrelated: one count
        return node, exp.GT(this=exp.column(names[0], quoted=True),
                            expression=exp.Literal.number(0))
    matched = exp.Not(this=exp.Is(this=exp.column(key, quoted=True), expression=exp.Null()))
    return node, standing_for(matched, "EXISTS", join=True)


def _value_type(query: exp.Select, value: exp.Expression, catalog: Catalog):
    """The type of ``value`` over the rows of ``query``."""
    probe = query.copy()
    probe.set("expressions", [exp.alias_(value.copy(), "__t")])
    return build(probe, catalog).types[0]


def _count_join(node: lp.Node, rows: lp.Node, fresh) -> tuple[lp.Node, str]:
    """COUNT(*) of ``rows`` joined onto every row of ``node``, and its column name."""
    counted = lp.Aggregate(rows, [(fresh("__nn"), lp.AggCall("count", None, INT64))])
    return lp.Join(node, counted, "scalar", []), counted.aggs[0][0]


def _in_mark(node: lp.Node, x: exp.Expression, query: exp.Expression, catalog: Catalog,
             fresh):
    """``node`` with what ``x IN (query)`` needs, and its three-valued expression: TRUE
    on a match; else FALSE over no rows; else NULL for a NULL ``x`` or a NULL in the
    subquery; else FALSE."""
    query = query.this if isinstance(query, exp.Subquery) else query
    text = f"{user_sql(x)} IN ({user_sql(query)})"
    name = fresh("__in")
    sub = _scalar_plan(query, name, catalog)
    if not isinstance(x, exp.Column):
        xname = fresh("__inx")
        node, x = _with_expr(node, x, xname), exp.column(xname, quoted=True)
    distinct = _distinct_rows(sub, fresh)
    node = _typed_join(node, distinct, "left", [(x.name, name)], fresh)
    node, rows = _count_join(node, sub, fresh)
    null = exp.Is(this=exp.column(name, quoted=True), expression=exp.Null())
    node, nulls = _count_join(node, lp.Filter(sub, standing_for(null, text, join=True)), fresh)
    matched = exp.Not(this=exp.Is(this=exp.column(name, quoted=True), expression=exp.Null()))
    unknown = exp.or_(exp.Is(this=x.copy(), expression=exp.Null()),
                      exp.GT(this=exp.column(nulls, quoted=True), expression=exp.Literal.number(0)))
    none = exp.EQ(this=exp.column(rows, quoted=True), expression=exp.Literal.number(0))
    mark = exp.Case(ifs=[exp.If(this=matched, true=exp.true()),
                         exp.If(this=none, true=exp.false()),
                         exp.If(this=unknown, true=exp.Null())], default=exp.false())
    return node, standing_for(mark, text, join=True)


def _quantified_mark(node: lp.Node, cmp: exp.Expression, catalog: Catalog, fresh):
    """``x op ANY|ALL (query)`` from the subquery's MIN, MAX and counts (uncorrelated),
    with SQL's three-valued result."""
    quant = cmp.expression
    x, op, every = cmp.this, type(cmp), isinstance(quant, exp.All)
    query = quant.this.this if isinstance(quant.this, exp.Subquery) else quant.this
    if op is exp.EQ and not every:
        return _in_mark(node, x, query, catalog, fresh)
    if op is exp.NEQ and every:
        node, mark = _in_mark(node, x, query, catalog, fresh)
        return node, exp.Not(this=exp.paren(mark))
    name = fresh("__q")
    sub = _scalar_plan(query, name, catalog)
    t = sub.types[0]
    arg = exp.column(name, quoted=True)
    lo, hi, n, nn = fresh("__qlo"), fresh("__qhi"), fresh("__qn"), fresh("__qnn")
    stats = lp.Aggregate(sub, [(lo, lp.AggCall("min", arg, aggregate_type("min", t))),
                               (hi, lp.AggCall("max", arg, aggregate_type("max", t))),
                               (n, lp.AggCall("count", None, INT64)),
                               (nn, lp.AggCall("count", arg.copy(), INT64))])
    node = lp.Join(node, stats, "scalar", [])
    low, high = exp.column(lo, quoted=True), exp.column(hi, quoted=True)
    if op is exp.EQ:  # = ALL
        core = exp.and_(exp.EQ(this=x.copy(), expression=low),
                        exp.EQ(this=x.copy(), expression=high))
    elif op is exp.NEQ:  # <> ANY
        core = exp.or_(exp.NEQ(this=x.copy(), expression=low),
                       exp.NEQ(this=x.copy(), expression=high))
    else:
        # ANY: some value satisfies it, so the extreme nearest to x does; ALL: every one,
        # so the farthest does
        use_low = (op in (exp.GT, exp.GTE)) != every
        core = op(this=x.copy(), expression=low if use_low else high)
    empty = exp.EQ(this=exp.column(n, quoted=True), expression=exp.Literal.number(0))
    unknown = exp.or_(exp.Is(this=x.copy(), expression=exp.Null()),
                      exp.LT(this=exp.column(nn, quoted=True), expression=exp.column(n, quoted=True)))
    if every:
        ifs = [exp.If(this=empty, true=exp.true()),
               exp.If(this=exp.Not(this=exp.paren(core)), true=exp.false()),
               exp.If(this=unknown, true=exp.Null())]
        return node, exp.Case(ifs=ifs, default=exp.true())
    ifs = [exp.If(this=empty, true=exp.false()), exp.If(this=core, true=exp.true()),
           exp.If(this=unknown, true=exp.Null())]
    return node, exp.Case(ifs=ifs, default=exp.false())


def _is_mark_target(n: exp.Expression) -> bool:
    return isinstance(n, exp.Exists) or (isinstance(n, exp.In) and n.args.get("query")) \
        or (isinstance(n, exp.Binary) and isinstance(n.expression, (exp.Any, exp.All)))


def _mark_subqueries(node: lp.Node, exprs: list, catalog: Catalog, ref, fresh):
    """EXISTS, IN (SELECT ...) and ANY/ALL anywhere in ``exprs`` (inside OR, in the
    select list) as boolean columns joined onto ``node`` (its rows are all kept)."""
    out = []
    for e in exprs:
        if e is None:
            out.append(None)
            continue
        e = e.copy()
        targets = [n for n in e.walk(prune=lambda n: isinstance(n, (exp.Subquery, exp.Select)))
                   if _is_mark_target(n)]
        for t in targets:
            if isinstance(t, exp.Exists):
                node, mark = _exists_mark(node, t.this, catalog, ref, fresh)
            elif isinstance(t, exp.In):
                node, mark = _in_mark(node, t.this, t.args["query"], catalog, fresh)
            else:
                node, mark = _quantified_mark(node, t, catalog, fresh)
            standing_for(mark, user_sql(t), join=completes_join(mark))
            name = fresh("__mark")
            node = _with_expr(node, mark, name)
            col = exp.column(name, quoted=True)
            if t is e:
                e = col
            else:
                t.replace(col)
        out.append(e)
    return node, out


def _subqueries(node: lp.Node, pred, catalog: Catalog, ref, fresh):
    """Uncorrelated subqueries in WHERE, and EXISTS correlated by equalities, become
    joins below the select (each as a WHERE conjunct, possibly under NOT):

    * ``x IN (SELECT y ...)``: a semi-join with the distinct ``y``; ``NOT IN``: an
      anti-join (a LEFT join keeping the unmatched rows), false for a NULL ``x`` and
      for every row when the subquery has a NULL, and true for every row when the
      subquery returns no rows;
    * ``EXISTS (SELECT ... WHERE inner = outer ...)``: a semi-join on those equalities;
      ``NOT EXISTS``: the anti-join;
    * a scalar subquery (one row, one column): its value joined onto every row.
    """
    def semi_join(node: lp.Node, outer: list[str], sub: lp.Node, anti: bool):
        distinct = _distinct_rows(sub, fresh)
        node = _typed_join(node, distinct, "left" if anti else "inner",
                           list(zip(outer, sub.columns)), fresh)
        cond = exp.Is(this=exp.column(sub.columns[0], quoted=True), expression=exp.Null())
        return node, (cond if anti else None)

    def count_of(rows: lp.Node) -> str:
        """COUNT(*) of ``rows`` joined onto every row of ``node``: its column name."""
        nonlocal node
        counted = lp.Aggregate(rows, [(fresh("__nn"), lp.AggCall("count", None, INT64))])
        node = lp.Join(node, counted, "scalar", [])
        return counted.aggs[0][0]

    extra: list[exp.Expression] = []
    kept = []
    for conj in conjuncts(pred, unwrap=True):
        negated = isinstance(conj, exp.Not)
        inner = conj.this if negated else conj
        while isinstance(inner, exp.Paren):
            inner = inner.this
        if isinstance(inner, exp.In) and inner.args.get("query") is not None \
                and isinstance(inner.this, exp.Column):
            query = inner.args["query"]
            query = query.this if isinstance(query, exp.Subquery) else query
            text = user_sql(conj)
            name = fresh("__in")
            sub = _scalar_plan(query, name, catalog)
            node, cond = semi_join(node, [inner.this.name], sub, anti=negated)
            if negated:
                # over no rows NOT IN is TRUE, even for a NULL x; otherwise it is NULL (so
                # false) for a NULL x, and for every row if y has a NULL
                null = exp.Is(this=exp.column(name, quoted=True), expression=exp.Null())
                nulls = count_of(lp.Filter(sub, standing_for(null, text, join=True)))
                rows = count_of(sub)
                x_known = exp.Not(this=exp.Is(this=inner.this.copy(), expression=exp.Null()))
                extra += [standing_for(c, text, join=True) for c in (
                    cond, exp.EQ(this=exp.column(nulls, quoted=True),
                                 expression=exp.Literal.number(0)),
                    exp.or_(x_known, exp.EQ(this=exp.column(rows, quoted=True),
                                            expression=exp.Literal.number(0))))]
            continue
        if isinstance(inner, exp.Exists):
            node, cond = _exists(node, inner.this, negated, ref, catalog, fresh, semi_join)
            if cond is not None:
                extra.append(standing_for(cond, user_sql(conj), join=completes_join(cond)))
            continue
        kept.append(conj)
    node, (pred,) = _mark_subqueries(node, [_and(kept + extra)], catalog, ref, fresh)
    (pred,), subs = _scalar_subqueries([pred], catalog, fresh, ref)
    node = _join_scalars(node, subs)
    _refuse_subqueries_left(pred, "inside OR or another expression (only as a WHERE "
                            "conjunct, possibly under NOT)")
    return node, pred


def _distinct_rows(sub: lp.Node, fresh) -> lp.Node:
    """The distinct rows of ``sub``, the right side of a semi-join (the secret join needs
    one side's keys unique, and a semi-join must not repeat the outer rows).

    This deduplication is the planner's, not a GROUP BY the user asked for, and must show
    nobody anything. A GROUP BY would: every party would learn how many distinct rows
    there are (an owner's local result is shared with its row count, the secure GROUP BY
    compacts its groups), a group-size threshold would drop keys, and the subquery's
    WHERE would pass as being under an aggregate although the asker sees which of its
    rows match. Instead the first row of each run of equal rows is kept by a secret
    validity bit (ROW_NUMBER() OVER (PARTITION BY every column) = 1, a ``secret_rows``
    filter): nothing about them is opened, and what the asker learns is the join's,
    checked as a join's.
    """
    keys = [(n, exp.column(n, quoted=True), t) for n, t in zip(sub.columns, sub.types)]
    number = fresh("__rn")
    numbered = lp.Window(sub, list(sub.columns), [], [lp.WindowFunc(number, "row_number")])
    first = exp.EQ(this=exp.column(number, quoted=True), expression=exp.Literal.number(1))
    return lp.Project(lp.Filter(numbered, first, secret_rows=True), keys)


def _exists(node: lp.Node, query: exp.Expression, anti: bool, ref, catalog: Catalog, fresh,
            semi_join):
    """EXISTS (SELECT ... FROM ... WHERE inner = outer AND ...) as a semi-join on those
    equalities; correlated otherwise (or not at all), as its mark (see _exists_mark)."""
    if isinstance(query, exp.Subquery):
        query = query.this
    if not isinstance(query, exp.Select) or query.args.get("group"):
        raise NotSupportedError("EXISTS over a UNION or a grouped subquery")
    eqs, others, rest = correlations(query)
    if others or not eqs:
        node, mark = _exists_mark(node, query, catalog, ref, fresh)
        return node, exp.Not(this=exp.paren(mark)) if anti else mark
    outer_cols = []
    for col, _ in eqs:
        node, name = _outer_key(node, col, ref, fresh, "EXISTS")
        outer_cols.append(name)
    names = [fresh("__ex") for _ in eqs]
    rest.set("expressions", [exp.alias_(inner.copy(), n) for (_, inner), n in zip(eqs, names)])
    sub = build(rest, catalog)
    node, cond = semi_join(node, outer_cols, sub, anti)
    return node, None if cond is None else standing_for(cond, "NOT EXISTS", join=True)


def _project(node: lp.Node, exprs) -> lp.Node:
    identity = all(isinstance(e, exp.Column) and e.name == name for name, e, _ in exprs)
    if identity and [name for name, _, _ in exprs] == node.columns:
        return node
    return lp.Project(node, exprs)


_WINDOW_FUNCS = {exp.RowNumber: "row_number", exp.Rank: "rank", exp.DenseRank: "dense_rank",
                 exp.PercentRank: "percent_rank", exp.Ntile: "ntile", exp.Sum: "sum",
                 exp.Count: "count", exp.Avg: "avg", exp.Min: "min", exp.Max: "max",
                 exp.Lag: "lag", exp.Lead: "lead", exp.FirstValue: "first_value",
                 exp.LastValue: "last_value", exp.NthValue: "nth_value"}
_SUPPORTED_WINDOWS = ("ROW_NUMBER, RANK, DENSE_RANK, PERCENT_RANK, NTILE, SUM, COUNT, AVG, "
                      "MIN, MAX, LAG, LEAD, FIRST_VALUE, LAST_VALUE, NTH_VALUE")


def _window_literal(e: exp.Expression | None, what: str, written: exp.Expression) -> int:
    """A window function's constant integer argument (LAG's offset, NTILE's count)."""
    if e is None:
        return 1
    if not (isinstance(e, exp.Literal) and not e.is_string and e.this.isdigit()):
        raise NotSupportedError(f"{written.sql(dialect='mysql')}: the {what} must be a "
                                "constant non-negative integer")
    return int(e.this)


def _window_func(w: exp.Window, name: str, as_column, scope) -> lp.WindowFunc:
    """The :class:`lp.WindowFunc` of one window call (its argument computed as a column)."""
    func_node = w.this
    written = w
    if type(func_node) not in _WINDOW_FUNCS:
        raise NotSupportedError(f"window function {func_node.sql(dialect='mysql')} "
                                f"(supported: {_SUPPORTED_WINDOWS})")
    func = _WINDOW_FUNCS[type(func_node)]
    if func in ("row_number", "rank", "dense_rank"):
        return lp.WindowFunc(name, func)
    if func == "percent_rank":
        return lp.WindowFunc(name, func, type=FLOAT64)
    if func == "ntile":
        buckets = _window_literal(func_node.this, "bucket count", written)
        if buckets < 1:
            raise ProgrammingError(f"{written.sql(dialect='mysql')}: NTILE needs at least "
                                   "one bucket")
        return lp.WindowFunc(name, func, offset=buckets)
    arg = func_node.this
    if isinstance(arg, exp.Distinct):
        raise NotSupportedError(f"{written.sql(dialect='mysql')}: DISTINCT in a window "
                                "function")
    frame = kept_frame(w)
    if frame is not None and frame.kind == "RANGE" and not frame.from_peers:
        key = infer_type(w.args["order"].expressions[0].this, scope)
        if key.kind not in ("int64", "float64", "decimal"):
            raise NotSupportedError(f"{written.sql(dialect='mysql')} with {frame.sql()}: a "
                                    f"RANGE frame with an offset needs a numeric ORDER BY "
                                    f"key, not a {key}")
    if func == "count" and (arg is None or isinstance(arg, exp.Star)):
        return lp.WindowFunc(name, "count", frame=frame)
    if _has_aggregate(arg) or arg.find(exp.Window):
        raise ProgrammingError(f"aggregate inside a window function: {written.sql()}")
    t = infer_type(arg, scope)
    column = as_column(arg)
    if func in lp.WINDOW_AGGREGATES:
        out = INT64 if func == "count" else aggregate_type(func, t)
        return lp.WindowFunc(name, func, column, out, frame=frame)
    if func == "nth_value":
        nth = _window_literal(func_node.args.get("offset"), "row number", written)
        if nth < 1:
            raise ProgrammingError(f"{written.sql(dialect='mysql')}: NTH_VALUE counts rows "
                                   "from 1")
        return lp.WindowFunc(name, func, column, t, nth, frame=frame)
    offset, default = 1, None
    if func in ("lag", "lead"):
        offset = _window_literal(func_node.args.get("offset"), "offset", written)
        default = func_node.args.get("default")
        if default is not None and not isinstance(default, exp.Null):
            meet = common_type(t, infer_type(default, scope), "LAG") \
                if isinstance(default, (exp.Literal, exp.Boolean, exp.Neg)) else None
            # DuckDB casts the default to the argument's type: only where nothing is lost
            if meet is None or meet.kind != t.kind or meet.scale != t.scale:
                raise NotSupportedError(f"{written.sql(dialect='mysql')}: the default must "
                                        "be a constant of the argument's type")
            default = default.copy()
        else:
            default = None
    return lp.WindowFunc(name, func, column, t, offset, default, frame)


def _split_windows(child: lp.Node, projections):
    """Window calls become columns ``__win<i>`` of Window nodes below the select list,
    one node per PARTITION BY / ORDER BY, each over the one before. The partition and
    order expressions and the functions' arguments are first computed as columns of
    one Project."""
    projections = [(name, e.transform(lambda n: without_frame(n) if isinstance(n, exp.Window)
                                      else n)) for name, e in projections]
    windows = [w for _, e in projections for w in e.find_all(exp.Window)]
    scope = dict(zip(child.columns, child.types))
    extra: list = []
    computed: dict[str, str] = {}

    def as_column(e: exp.Expression) -> str:
        if isinstance(e, exp.Column) and e.name in scope:
            return e.name  # already a column: no copy
        if e.sql() not in computed:
            computed[e.sql()] = f"__wx{len(computed)}"
            extra.append((computed[e.sql()], e.copy(), infer_type(e, scope)))
        return computed[e.sql()]

    specs: dict[tuple, tuple[list[str], list[lp.SortKey], dict[str, lp.WindowFunc]]] = {}
    names: dict[int, str] = {}
    count = itertools.count()
    for w in windows:
        spec = (tuple(p.sql() for p in w.args.get("partition_by") or []),
                w.args["order"].sql() if w.args.get("order") else "")
        if spec not in specs:
            parts = [as_column(p) for p in w.args.get("partition_by") or []]
            order_keys = []
            for o in w.args["order"].expressions if w.args.get("order") else []:
                desc = bool(o.args.get("desc"))
                nulls_first = o.args.get("nulls_first")
                order_keys.append(lp.SortKey(as_column(o.this), desc, (not desc)
                                             if nulls_first is None else bool(nulls_first)))
            specs[spec] = (parts, order_keys, {})
        funcs = specs[spec][2]
        frame = kept_frame(w)
        key = w.this.sql() + (f" {frame.sql()}" if frame is not None else "")
        if key not in funcs:
            funcs[key] = _window_func(w, f"__win{next(count)}", as_column, scope)
        names[id(w)] = funcs[key].name
    base = [(c, exp.column(c, quoted=True), t) for c, t in zip(child.columns, child.types)]
    node = lp.Project(child, base + extra) if extra else child
    for parts, order_keys, funcs in specs.values():
        node = lp.Window(node, parts, order_keys, list(funcs.values()))

    def replace(n: exp.Expression) -> exp.Expression:
        if isinstance(n, exp.Window):
            return exp.column(names[id(n)], quoted=True)
        return n

    rewritten = []
    for name, e in projections:
        # find_all above saw these very nodes: replace them before copying
        rewritten.append((name, e.transform(replace, copy=False).copy()))
    return node, rewritten


def _unqualified(e: exp.Expression) -> str:
    """``e`` for a message, its columns by their bare names."""
    return e.copy().transform(
        lambda n: exp.column(n.name) if isinstance(n, exp.Column) else n).sql(dialect="mysql")


def _has_aggregate(e: exp.Expression) -> bool:
    """Whether ``e`` calls an aggregate (a subquery's own aggregates do not count)."""
    # an aggregate over a window (SUM(x) OVER ()) is a window function, not an aggregate
    return any(isinstance(n, (*AGGREGATES, exp.WithinGroup, exp.Filter))
               for n in e.walk(prune=lambda n: isinstance(n, (exp.Subquery, exp.Window))))


def _split_aggregates(child: lp.Node, projections, group_exprs, having, scalars: set[str]):
    """GROUP BY keys become columns ``__key<i>`` and aggregate calls ``__agg<i>`` of an
    Aggregate node; the select list (and HAVING) are then evaluated over its rows, and
    over the columns ``scalars`` (scalar subqueries joined onto those rows)."""
    scope = dict(zip(child.columns, child.types))
    keys = []
    for i, g in enumerate(group_exprs):
        if _has_aggregate(g):
            raise ProgrammingError(f"aggregate in GROUP BY: {g.sql()}")
        keys.append((f"__key{i}", g, infer_type(g, scope)))
    key_sql = {g.sql(): name for name, g, _ in keys}
    calls: dict[str, tuple[str, lp.AggCall]] = {}

    def add(call: lp.AggCall) -> exp.Expression:
        key = call.sql()
        if key not in calls:
            calls[key] = (f"__agg{len(calls)}", call)
        return exp.column(calls[key][0])

    def _percentile(n: exp.WithinGroup) -> exp.Expression:
        func = n.this
        order = n.expression.expressions if isinstance(n.expression, exp.Order) else []
        if not isinstance(func, (exp.PercentileDisc, exp.PercentileCont)) or len(order) != 1:
            raise NotSupportedError(f"{n.sql()} (supported: PERCENTILE_DISC(p) and "
                                    "PERCENTILE_CONT(p) WITHIN GROUP (ORDER BY x))")
        name = "percentile_disc" if isinstance(func, exp.PercentileDisc) else "percentile_cont"
        try:
            p = float(func.this.this)
        except (AttributeError, TypeError, ValueError):  # a column, NULL, an expression
            p = -1.0
        if not 0.0 <= p <= 1.0 or not isinstance(func.this, exp.Literal):
            raise ProgrammingError(f"{name.upper()} takes a constant between 0 and 1: {n.sql()}")
        if order[0].args.get("desc"):
            raise NotSupportedError(f"{name.upper()} ... ORDER BY x DESC")
        arg = order[0].this
        if _has_aggregate(arg):
            raise ProgrammingError(f"aggregate inside an aggregate: {n.sql()}")
        arg_type = infer_type(arg, scope)
        out = arg_type if name == "percentile_disc" else aggregate_type("percentile_cont",
                                                                         arg_type)
        return add(lp.AggCall(f"{name}:{func.this.this}", arg, out))

    def replace(n: exp.Expression) -> exp.Expression:
        if n.sql() in key_sql and not isinstance(n, exp.Literal):
            return exp.column(key_sql[n.sql()])
        if isinstance(n, exp.Filter):
            return replace(_filtered(n))
        if isinstance(n, exp.WithinGroup):
            return _percentile(n)
        if type(n) not in AGGREGATES:
            return n
        func = AGGREGATES[type(n)]
        arg = n.this
        distinct = isinstance(arg, exp.Distinct)
        if any(isinstance(a, exp.Tuple) for a in (arg.expressions if distinct else [arg])):
            # MySQL has no row values here; DuckDB's would count one with a NULL in it
            raise NotSupportedError(f"{n.sql(dialect='mysql')}: a row value in an aggregate "
                                    "(COUNT(DISTINCT a, b) counts distinct tuples)")
        if distinct:
            if len(arg.expressions) != 1 and func != "count":
                raise NotSupportedError(f"{n.sql(dialect='mysql')}: DISTINCT of several "
                                        "expressions in one aggregate other than COUNT")
            # COUNT(DISTINCT a, b) (MySQL's) counts the distinct tuples without a NULL
            arg = arg.expressions[0] if len(arg.expressions) == 1 \
                else exp.Tuple(expressions=[a.copy() for a in arg.expressions])
            # MIN and MAX of the distinct values are those of all values
            distinct = func not in ("min", "max")
        if isinstance(arg, exp.Star) or (func == "count" and arg is None):
            arg = None
        if arg is not None and _has_aggregate(arg):
            raise ProgrammingError(f"aggregate inside an aggregate: {n.sql()}")
        if func == "sum" and arg is not None and infer_type(arg, scope).kind == "bool":
            # SUM of bools counts the TRUE ones (DuckDB's, an integer): summed as 0 and 1
            arg = exp.Cast(this=arg, to=exp.DataType.build("BIGINT"))
            n = exp.Sum(this=arg.copy())
        if func == "median":
            if distinct:  # the percentile step sorts all values: no DISTINCT form yet
                raise NotSupportedError("MEDIAN(DISTINCT ...)")
            arg_type = infer_type(arg, scope)
            return add(lp.AggCall("percentile_cont:0.5", arg,
                                  aggregate_type("percentile_cont", arg_type)))
        return add(lp.AggCall(func, arg, infer_type(n, scope), distinct))

    items = list(projections) + [("__having", having)]
    rewritten = []
    for name, e in items:
        if e is None:
            rewritten.append(None)
            continue
        new = e.copy().transform(replace)
        for col in new.find_all(exp.Column):
            if not col.name.startswith(("__agg", "__key")) and col.name not in scalars:
                raise ProgrammingError(
                    f"column '{col.name}' must appear in GROUP BY or be inside an aggregate"
                )
        rewritten.append((name, new) if name != "__having" else new)
    return lp.Aggregate(child, list(calls.values()), keys), rewritten


def _filtered(n: exp.Filter) -> exp.Expression:
    """``AGG(x) FILTER (WHERE c)`` as ``AGG(CASE WHEN c THEN x END)`` (``COUNT(*)``: of
    ``CASE WHEN c THEN 1 END``): the rows failing ``c`` count as NULLs, which every
    aggregate skips, so one evaluation serves every path (owner, union, MPC)."""
    agg = n.this
    where = n.expression
    cond = where.this if isinstance(where, exp.Where) else where
    if type(agg) not in AGGREGATES:
        raise NotSupportedError(f"FILTER (WHERE ...) on {agg.sql(dialect='mysql')}")
    agg = agg.copy()
    arg = agg.this
    target = arg.expressions[0] if isinstance(arg, exp.Distinct) else arg
    value = exp.Literal.number(1) if target is None or isinstance(target, exp.Star) \
        else target.copy()
    condition = standing_for(exp.paren(cond.copy()), f"FILTER (WHERE {user_sql(cond)})")

    def gated(value: exp.Expression) -> exp.Expression:
        return exp.Case(ifs=[exp.If(this=condition.copy(), true=value)])
    if isinstance(arg, exp.Distinct):
        # COUNT(DISTINCT a, b): a row failing the condition has a NULL in its tuple
        arg.set("expressions", [gated(a.copy()) for a in arg.expressions])
    else:
        agg.set("this", gated(value))
    return agg


def _unique_names(exprs):
    seen: dict[str, int] = {}
    out = []
    for name, e, t in exprs:
        if name in seen:
            seen[name] += 1
            name = f"{name}_{seen[name]}"
        else:
            seen[name] = 0
        out.append((name, e, t))
    return out
