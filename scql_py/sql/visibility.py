"""CCL analysis: what each party may see of every column the plan computes.

For every party, a value is in one *state*: ``plain`` (the party may see it), one of the
conditional states of SCQL's levels (``after_aggregate``, ``after_compare``,
``after_group_by``, ``after_join``, ``join_payload``, ``rank``), or ``hidden``. The
owner of a column always has it plain. Rules (SCQL's, conservatively):

* a function of several values is plain if all are; hidden if any is; otherwise the
  shared conditional state, or hidden if they differ;
* a comparison (=, <, IN, BETWEEN, IS NULL, ...) is plain where its inputs are plain or
  ``after_compare``;
* an aggregate (SUM, AVG, MIN, MAX, COUNT(col)) is plain where its input is plain or
  ``after_aggregate``; COUNT(*) is plain to everyone;
* a condition is an opened comparison for whoever receives a value computed over the
  rows it selects or the branch it picks (the rows themselves, a count, a sum): every
  column a WHERE, HAVING, ON (but its key equalities) or FILTER (WHERE ...) condition or
  a CASE WHEN / IF condition reads must be plain or ``after_compare`` to the asker, even
  under an aggregate (else repeated counts with other constants bisect each value);
* ORDER BY shows the rank of its keys: they must be plain or ``REVEAL_RANK``.

A refused column names the source column, the party and the level that blocked it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from sqlglot import exp

from scql_py.catalog import Catalog, CCLLevel
from scql_py.errors import SecurityError
from scql_py.sql import logical as lp
from scql_py.sql.conjuncts import conjuncts
from scql_py.sql.repeated_rows import repeated_tables
from scql_py.sql.source_rows import can_number
from scql_py.sql.written import completes_join, written
from scql_py.sql.written import user_column as _user_column

PLAIN, HIDDEN = "plain", "hidden"
_STATE = {
    CCLLevel.PLAINTEXT: PLAIN,
    CCLLevel.PLAINTEXT_AFTER_AGGREGATE: "after_aggregate",
    CCLLevel.PLAINTEXT_AFTER_COMPARE: "after_compare",
    CCLLevel.PLAINTEXT_AFTER_GROUP_BY: "after_group_by",
    CCLLevel.PLAINTEXT_AFTER_JOIN: "after_join",
    CCLLevel.PLAINTEXT_AS_JOIN_PAYLOAD: "join_payload",
    CCLLevel.REVEAL_RANK: "rank",
    CCLLevel.ENCRYPTED_ONLY: HIDDEN,
}
_COMPARISONS = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.In, exp.Between,
                exp.Is, exp.NullSafeEQ, exp.NullSafeNEQ)
_AGG_FUNCS = ("sum", "avg", "min", "max", "count")
# SCQL 2.0's default: groups of another party's PLAINTEXT_AFTER_GROUP_BY keys with fewer
# rows are left out unless the catalog sets group_size_threshold
DEFAULT_GROUP_THRESHOLD = 4


@dataclass(frozen=True)
class Part:
    """A source column that keeps a value from being plain to a party."""

    state: str
    culprit: str  # "table.column"
    level: str


@dataclass(frozen=True)
class State:
    """One party's view of one value: the source columns still in the way (none: plain).

    A conditional part is dropped by the operation its level waits for (an aggregate
    drops ``after_aggregate`` parts, a comparison ``after_compare`` parts, ...).
    """

    parts: frozenset = frozenset()

    @property
    def plain(self) -> bool:
        return not self.parts

    def blocker(self) -> Part:
        """The part to name in a refusal (hidden ones first, then by name)."""
        return sorted(self.parts, key=lambda p: (p.state != HIDDEN, p.culprit))[0]


Vis = dict  # party name -> State


def _source_state(state: str, culprit: str, level: str) -> State:
    return State() if state == PLAIN else State(frozenset([Part(state, culprit, level)]))


def _combine(states: list[State]) -> State:
    return State(frozenset().union(*(s.parts for s in states)))


def _lift(state: State, condition: str) -> State:
    return State(frozenset(p for p in state.parts if p.state != condition))


def _lift_all(state: State, conditions: tuple[str, ...]) -> State:
    return State(frozenset(p for p in state.parts if p.state not in conditions))


# the levels under which a party may count a key's distinct values (Analyzer.psi_server)
_SIZES_OF_KEYS = ("after_join", "after_aggregate", "after_group_by")


class Analyzer:
    """Computes, for a logical plan, each output column's state for every party."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog
        self.parties = catalog.party_names

    def all_plain(self) -> Vis:
        return {p: State() for p in self.parties}

    def node(self, node: lp.Node) -> list[Vis]:
        method = getattr(self, f"visit_{type(node).__name__}")
        return method(node)

    def visit_Scan(self, node: lp.Scan) -> list[Vis]:
        table = self.catalog.tables[node.table]
        out = []
        for col in node.columns:
            vis = {}
            for p in self.parties:
                level = table.ccl_level(col, p)
                vis[p] = _source_state(_STATE[level], f"{table.name}.{col}", level.name)
            out.append(vis)
        return out

    def visit_Filter(self, node: lp.Filter) -> list[Vis]:
        return self.node(node.child)

    def visit_Limit(self, node: lp.Limit) -> list[Vis]:
        return self.node(node.child)

    def visit_UnionAll(self, node: lp.UnionAll) -> list[Vis]:
        per_branch = [self.node(b) for b in node.inputs]
        return [
            {p: _combine([b[i][p] for b in per_branch]) for p in self.parties}
            for i in range(len(node.columns))
        ]

    def visit_Project(self, node: lp.Project) -> list[Vis]:
        scope = dict(zip(node.child.columns, self.node(node.child)))
        return [self.expr(e, scope) for _, e, _ in node.exprs]

    def visit_Join(self, node: lp.Join) -> list[Vis]:
        """Keys may be seen after the join (PLAINTEXT_AFTER_JOIN), the other columns of an
        inner join as join payload (PLAINTEXT_AS_JOIN_PAYLOAD), as SCQL lifts them: only
        for the parties in the join, and only for a join of different parties' data (a
        self-join's intersection is the whole column)."""
        if node.how == "scalar" or node.cross:
            # one row repeated onto every row (a scalar subquery), or a cross join, joins
            # nothing: no key is compared, no column becomes a join payload
            return self.node(node.left) + self.node(node.right)
        # only a key whose every output value is in the intersection becomes plain: in a
        # LEFT join the right key (the left one keeps its unmatched values), and so on
        left_keys = {a for a, _ in node.keys} if node.how in ("inner", "right") else set()
        right_keys = {b for _, b in node.keys} if node.how in ("inner", "left") else set()
        keys = left_keys | right_keys
        all_keys = {k for pair in node.keys for k in pair}
        lifted = join_parties(node)
        out = []
        for name, vis in zip(node.columns, self.node(node.left) + self.node(node.right)):
            if name in keys:
                lift = "after_join"
            elif name in all_keys:
                lift = None  # a preserved side's key: as it was
            else:
                # an outer join's payload shows unmatched rows too: no lift
                lift = "join_payload" if node.how == "inner" else None
            out.append({p: (_lift(s, lift) if lift and p in lifted else s)
                        for p, s in vis.items()})
        return out

    def key_states(self, node: lp.Join, compared: bool = False) -> dict[str, list[State]]:
        """Per party, the state of every key column of ``node`` once joined; ``compared``:
        as the result of the key comparison (PLAINTEXT_AFTER_COMPARE lifts it too)."""
        left = dict(zip(node.left.columns, self.node(node.left)))
        right = dict(zip(node.right.columns, self.node(node.right)))
        lifted = join_parties(node)
        out: dict[str, list[State]] = {p: [] for p in self.parties}
        for a, b in node.keys:
            for p in self.parties:
                for state in (left[a][p], right[b][p]):
                    if p in lifted:
                        state = _lift(state, "after_join")
                    if compared:
                        state = _lift(state, "after_compare")
                    out[p].append(state)
        return out

    def psi_allowed(self, node: lp.Join) -> bool:
        """PSI shows each key owner the intersection: both owners must be allowed to
        see every key column after the join."""
        owners = {node.left.owner, node.right.owner}
        if node.cross or None in owners or len(owners) != 2 or not node.keys:
            return False
        states = self.key_states(node)
        return all(s.plain for p in owners for s in states[p])

    def psi_server(self, node: lp.Join, compute: list[str]) -> str | None:
        """The computing party that may match this PSI join's keys for its owners
        (server-aided PSI), or None (then ECDH-PSI, in which no third party takes part).

        The server learns each side's number of distinct non-NULL keys and the size of
        their intersection: what ``COUNT(DISTINCT key)`` of each side and of the join
        would show it. As for the owners of an ECDH-PSI join (who learn the other side's
        number of distinct keys under PLAINTEXT_AFTER_JOIN), that passes where the party
        may see every key column after the join, aggregated or grouped: each key's level
        for it is PLAINTEXT, PLAINTEXT_AFTER_JOIN, PLAINTEXT_AFTER_AGGREGATE or
        PLAINTEXT_AFTER_GROUP_BY (lifted as if it were in the join). Not under
        ENCRYPTED_ONLY, PLAINTEXT_AS_JOIN_PAYLOAD, PLAINTEXT_AFTER_COMPARE or REVEAL_RANK.
        The first computing party in catalog order that is no key owner and passes is
        the server; a key owner never is (it would see the other owner's tags next to
        its own)."""
        owners = {node.left.owner, node.right.owner}
        left = dict(zip(node.left.columns, self.node(node.left)))
        right = dict(zip(node.right.columns, self.node(node.right)))
        for party in compute:
            if party in owners:
                continue
            states = [left[a][party] for a, _ in node.keys] + [right[b][party]
                                                               for _, b in node.keys]
            if all(_lift_all(s, _SIZES_OF_KEYS).plain for s in states):
                return party
        return None

    def visit_Window(self, node: lp.Window) -> list[Vis]:
        """A rank is plain where the partition keys may be grouped by and the order keys
        ranked (REVEAL_RANK) by that party. A function of an argument shows more: LAG,
        LEAD, FIRST_VALUE and LAST_VALUE a row's value as it is; an aggregate over the
        whole partition (no ORDER BY) what a GROUP BY of the partition keys would (the
        argument PLAINTEXT_AFTER_AGGREGATE suffices), but only where the keys are plain
        and no group-size threshold is set (no partition is left out, as a group would
        be); a running aggregate (ORDER BY) shows each row's value by the differences
        of neighbours: the argument must be plain."""
        child = self.node(node.child)
        scope = dict(zip(node.child.columns, child))
        states = {p: [] for p in self.parties}
        for name in node.partition:
            for p, s in scope[name].items():
                states[p].append(_lift(s, "after_group_by"))
        for key in node.order:
            for p, s in scope[key.column].items():
                states[p].append(_lift(s, "rank"))
        rank = {p: _combine(states[p]) for p in self.parties}
        out = []
        for f in node.funcs:
            if f.arg is None:
                out.append(dict(rank))
                continue
            arg = scope[f.arg]
            groups_only = {p: all(scope[k][p].plain for k in node.partition)
                           for p in self.parties}
            aggregated = (f.func in lp.WINDOW_AGGREGATES and not node.order
                          and self.catalog.group_size_threshold is None)
            out.append({p: _combine([rank[p], _lift(arg[p], "after_aggregate")
                                     if aggregated and groups_only[p] else arg[p]])
                        for p in self.parties})
        return child + out

    def visit_Sort(self, node: lp.Sort) -> list[Vis]:
        return self.node(node.child)

    def visit_Aggregate(self, node: lp.Aggregate) -> list[Vis]:
        scope = dict(zip(node.child.columns, self.node(node.child)))
        out = []
        # the keys of a decorrelated subquery's groups are join keys, not groups anybody
        # sees: they stay as they were, for the join on them to check
        lift = None if node.joined_groups else "after_group_by"
        for _, key, _ in node.keys:
            vis = self.expr(key, scope)
            out.append({p: _lift(s, lift) if lift else s for p, s in vis.items()})
        key_states = {key: vis for (_, key, _), vis in zip(node.keys, out)}
        for _, call in node.aggs:
            if call.arg is None:
                out.append(self.all_plain())
                continue
            if call.func in ("min", "max") and call.arg in key_states:
                out.append(key_states[call.arg])  # the extreme of a group's key is the key
                continue
            arg = self.expr(call.arg, scope)
            out.append({p: _lift(s, "after_aggregate") for p, s in arg.items()})
        return out

    def expr(self, e: exp.Expression, scope: dict[str, Vis]) -> Vis:
        if isinstance(e, exp.Column):
            return scope[e.name]
        children = [c for c in e.iter_expressions() if not isinstance(c, exp.DataType)]
        if not children:
            return self.all_plain()
        states = [self.expr(c, scope) for c in children]
        combined = {p: _combine([s[p] for s in states]) for p in self.parties}
        if isinstance(e, _COMPARISONS):
            combined = {p: _lift(s, "after_compare") for p, s in combined.items()}
        return combined

    def groups_by_what_it_may_only_group(self, root: lp.Node, asker: str) -> bool:
        """Whether some GROUP BY shows ``asker`` groups of another party's column that it
        may see only grouped (PLAINTEXT_AFTER_GROUP_BY): such groups get a size threshold."""
        for node in lp.walk(root):
            if isinstance(node, lp.Aggregate) and node.keys and not node.joined_groups:
                scope = dict(zip(node.child.columns, self.node(node.child)))
                for _, key, _ in node.keys:
                    parts = self.expr(key, scope)[asker].parts
                    if any(p.state == "after_group_by" for p in parts):
                        return True
        return False

    def check_group_threshold(self, root: lp.Node, asker: str, threshold: int | None
                              ) -> list[tuple[lp.Aggregate, list[str]]]:
        """The GROUP BYs whose groups the ``threshold`` is to measure but whose rows may
        repeat a row of a table whose keys or aggregated values the asker may not see row
        by row (see :mod:`repeated_rows`), with those tables: their groups are to be
        sized by their distinct rows of each (:mod:`source_rows`), as a group of fewer
        rows of one than the threshold would pass by its row count. Refuse
        (SecurityError) where such a table cannot be numbered so (read twice). The
        asker's own groups have no threshold."""
        out: list[tuple[lp.Aggregate, list[str]]] = []
        if not threshold or threshold <= 1:
            return out
        for node in lp.walk(root):
            if not isinstance(node, lp.Aggregate) or not node.keys or node.joined_groups \
                    or node.owner == asker:
                continue
            scope = dict(zip(node.child.columns, self.node(node.child)))
            values = [key for _, key, _ in node.keys] + [c.arg for _, c in node.aggs
                                                         if c.arg is not None]
            parts = [p for e in values for p in self.expr(e, scope)[asker].parts]
            repeated = {p for p in parts if p.culprit.split(".")[0]
                        in repeated_tables(node.child)}
            tables = sorted({p.culprit.split(".")[0] for p in repeated})
            if all(can_number(node.child, table) for table in tables):
                if tables:
                    out.append((node, tables))
                continue
            blocker = sorted((p for p in repeated
                              if not can_number(node.child, p.culprit.split(".")[0])),
                             key=lambda p: (p.state != "after_group_by", p.culprit))[0]
            keys = ", ".join(as_written(key, node.child) for _, key, _ in node.keys)
            table = blocker.culprit.split(".")[0]
            raise SecurityError(
                f"GROUP BY {keys} would count rows of {table} that may be there more than "
                "once (the table read twice), "
                f"so groups of fewer rows than the group size threshold ({threshold}) could "
                f"show to party '{asker}': source column '{blocker.culprit}' has CCL level "
                f"{blocker.level} for '{asker}'", column=blocker.culprit, party=asker,
                level=blocker.level)
        return out

    # -- checks ---------------------------------------------------------------------------
    def check_result(self, root: lp.Node, asker: str, names: list[str]) -> None:
        """Refuse (SecurityError) unless every result column is plain to ``asker``, and
        nothing the plan shows the asker on the way (which rows pass or match, groups,
        ranks, order) comes from a column it may not see so."""
        for name, vis in zip(names, self.node(root)):
            _refuse(vis[asker], asker,
                    f"result column '{name}' is not visible to party '{asker}': source "
                    "column '{culprit}' has CCL level {level} for " + f"'{asker}'{{more}}")
        for node, ctx in _walk_with_context(self, root, asker):
            self._check_node(node, asker, ctx)

    def _check_node(self, node: lp.Node, asker: str, ctx: _Context) -> None:
        if isinstance(node, lp.Join):
            # where result rows can be told apart (rows, groups, extremes), the asker sees
            # which rows matched: the key comparison must be plain to it. Under a single
            # count or sum the keys may be ENCRYPTED_ONLY: SCQL does not protect sizes.
            if ctx.attributable:
                for state in self.key_states(node, compared=True)[asker]:
                    _refuse(state, asker, f"the join would show party '{asker}' which rows "
                            "match, but key column '{culprit}' has CCL level {level} for "
                            f"'{asker}'")
            return
        if not isinstance(node, (lp.Filter, lp.Sort, lp.Aggregate, lp.Window, lp.Project)):
            return
        if isinstance(node, lp.Filter) and node.secret_rows:
            return  # nobody learns which rows pass: what the join above shows is checked there
        scope = dict(zip(node.child.columns, self.node(node.child)))
        selecting = dict(scope)  # for conditions: only matched rows reach the result
        for name, lift in ctx.lifted.items():
            if name in selecting:
                selecting[name] = {p: _lift(v, lift) if p == asker else v
                                   for p, v in selecting[name].items()}
        self._check_conditions(node, selecting, asker)
        if isinstance(node, lp.Filter):
            # a filter decides which rows reach the result, or what an aggregate of them
            # counts: the asker sees the comparison's result, one row at a time or summed
            # (a count filtered on a column, asked with other constants, bisects it)
            # (the planner's half of a join, such as its NULL test, is checked as that join)
            blocked = [(c, _lift(self.expr(c, selecting)[asker], "after_compare"))
                       for c in conjuncts(node.predicate, unwrap=True, keep_written=True)
                       if not completes_join(c)]
            blocked = [(c, state) for c, state in blocked if not state.plain]
            if blocked:
                quoted = " AND ".join(written(c) or as_written(c, node.child)
                                      for c, _ in blocked)
                what = (f"'{quoted}'" if all(written(c) for c, _ in blocked)
                        else f"the {_clause(node)} condition '{quoted}'")
                _refuse(_combine([state for _, state in blocked]), asker,
                        f"{what} would show party '{asker}' which rows pass, but source "
                        "column '{culprit}' has CCL level {level} for " + f"'{asker}'")
        elif isinstance(node, lp.Sort):
            # the order of the result shows the rank of each sort key
            for key in node.keys:
                _refuse(_lift(scope[key.column][asker], "rank"), asker,
                        f"ORDER BY would show party '{asker}' the order of source column "
                        "'{culprit}', which has CCL level {level} for " + f"'{asker}'")
        elif isinstance(node, lp.Window):
            if ctx.ranks_hidden:
                return  # the planner's own numbering (a semi-join's first rows): opens nothing
            if node.written is not None:
                # the planner's numbering of a row's copies (INTERSECT ALL): it reaches the
                # asker only as a key of the join above, checked as a join's keys (the
                # number has its columns' state), and the left side's GROUP BY
                return
            # a rank shows the order of its ORDER BY keys within groups of its PARTITION
            # BY keys, even when only used to filter (rn <= 10)
            for key in node.order:
                _refuse(_lift(scope[key.column][asker], "rank"), asker,
                        f"a window's ORDER BY would show party '{asker}' the order of source "
                        "column '{culprit}', which has CCL level {level} for " + f"'{asker}'")
            # a RANGE frame with an offset counts the rows whose key is within a distance
            # of the row's: it shows the distances between keys, not only their order
            distance = [f for f in node.funcs if f.frame is not None and f.frame.kind == "RANGE"
                        and not f.frame.from_peers]
            for key in node.order if distance else []:
                _refuse(scope[key.column][asker], asker,
                        f"the window frame {distance[0].frame.sql()} would show party "
                        f"'{asker}' the distances between values of source column "
                        "'{culprit}', which has CCL level {level} for " + f"'{asker}'")
            what = node.written or "a window's PARTITION BY"
            for name in node.partition:
                _refuse(_lift(scope[name][asker], "after_group_by"), asker,
                        f"{what} would show party '{asker}' the groups of "
                        "source column '{culprit}', which has CCL level {level} for "
                        f"'{asker}'")
            # a partition of a key the asker may only group by is a group that no
            # threshold leaves out: its size shows (COUNT(*) OVER, ROW_NUMBER), however
            # small. GROUP BY leaves such groups out; a window cannot, so it is refused
            threshold = self.catalog.group_size_threshold or DEFAULT_GROUP_THRESHOLD
            for name in node.partition if threshold > 1 else []:
                grouped_only = State(frozenset(p for p in scope[name][asker].parts
                                               if p.state == "after_group_by"))
                _refuse(grouped_only, asker,
                        f"a window's PARTITION BY would show party '{asker}' the size of "
                        "every group of source column '{culprit}', which has CCL level "
                        f"{{level}} for '{asker}', also of groups smaller than the group "
                        f"size threshold ({threshold}); GROUP BY leaves those out")
        elif isinstance(node, lp.Aggregate) and not node.joined_groups:
            # group sizes and per-group aggregates show the distribution of the keys,
            # selected or not: each must be plain (or PLAINTEXT_AFTER_GROUP_BY). The
            # groups of a decorrelated subquery reach the result only through the join
            # on their keys, which is checked as a join
            for _, key, _ in node.keys:
                state = _lift(self.expr(key, scope)[asker], "after_group_by")
                if state.plain:
                    continue  # the message reads the whole plan below: only for a refusal
                _refuse(state, asker,
                        f"GROUP BY {as_written(key, node.child)} would show party '{asker}' the groups of "
                        "source column '{culprit}', which has CCL level {level} for "
                        f"'{asker}'")


    def _check_conditions(self, node: lp.Node, scope: dict[str, Vis], asker: str) -> None:
        """The CASE WHEN and IF conditions of ``node``'s expressions pick the value the
        asker receives (summed or not): each must be plain or ``after_compare`` to it."""
        if isinstance(node, lp.Project):
            exprs = [e for _, e, _ in node.exprs]
        elif isinstance(node, lp.Aggregate):
            exprs = [e for _, e, _ in node.keys] + [c.arg for _, c in node.aggs
                                                    if c.arg is not None]
        else:
            return
        for e in exprs:
            for condition, quoted in _conditions(e):
                state = _lift(self.expr(condition, scope)[asker], "after_compare")
                if state.plain:
                    continue  # the message reads the whole plan below: only for a refusal
                what = (f"'{quoted}'" if quoted else
                        f"the CASE WHEN condition '{as_written(condition, node.child)}'")
                _refuse(state, asker,
                        f"{what} would decide what party '{asker}' receives, but source "
                        "column '{culprit}' has CCL level {level} for " + f"'{asker}'")


def _conditions(e: exp.Expression, quoted: str | None = None):
    """The conditions that pick a value inside ``e`` (CASE WHEN, IF; a simple CASE's
    operand), each with the SQL the user wrote for it where the planner wrote it; not
    those that only complete a join (checked as that join)."""
    if completes_join(e):
        return
    quoted = written(e) or quoted
    if isinstance(e, exp.If) or (isinstance(e, exp.Case) and e.this is not None):
        yield e.this, written(e.this) or quoted
    for child in e.iter_expressions():
        if not isinstance(child, (exp.Subquery, exp.Select)):
            yield from _conditions(child, quoted)


def _clause(node: lp.Filter) -> str:
    child = node.child
    while isinstance(child, lp.Join) and child.how == "scalar":
        child = child.left
    return "HAVING" if isinstance(child, lp.Aggregate) else "WHERE"


def as_written(e: exp.Expression, below: lp.Node) -> str:
    """``e`` as the user wrote it, for a message: the planner's columns (``__agg0``,
    ``__key0``, ``__sq0``, ...) read as the aggregate, key or subquery they stand for."""
    defined: dict[str, str] = {}
    for node in lp.walk(below):
        if isinstance(node, lp.Aggregate):
            for name, call in node.aggs:
                arg = call.arg if call.arg is None else exp.Var(
                    this=as_written(call.arg, node.child))
                defined.setdefault(name, replace(call, arg=arg).sql())
            for name, key, _ in node.keys:
                defined.setdefault(name, as_written(key, node.child))
        elif isinstance(node, lp.Project):
            for name, x, _ in node.exprs:
                if name.startswith("__") and not isinstance(x, exp.Column):
                    defined.setdefault(name, as_written(x, node.child))

    def swap(n: exp.Expression) -> exp.Expression:
        if written(n):
            return exp.Var(this=written(n))
        if isinstance(n, exp.Column):
            if n.name in defined:
                return exp.Var(this=defined[n.name])
            if n.name.startswith("__"):
                return exp.Var(this="(subquery)")
            return _user_column(n.name)
        return n

    return e.copy().transform(swap).sql(dialect="mysql")


def join_parties(node: lp.Join) -> set[str]:
    """The parties in a join, for whom SCQL lifts its keys and payload: the owners of the
    tables on either side, when the two sides' keys are different parties' data (a
    self-join's intersection is the whole column; a side that is itself a join of
    several parties' tables may still join another party's key with the asker's)."""
    left = set().union(*(column_owners(node.left, a) for a, _ in node.keys))
    right = set().union(*(column_owners(node.right, b) for _, b in node.keys))
    if not node.keys:
        left, right = _table_owners(node.left), _table_owners(node.right)
    if not left or not right or left & right:
        return set()
    return _table_owners(node.left) | _table_owners(node.right)


def column_owners(node: lp.Node, column: str) -> set[str]:
    """The owners of the tables that ``column`` of ``node`` is computed from."""
    if isinstance(node, lp.Scan):
        return {node.party}
    if isinstance(node, lp.RowsKept):
        return column_owners(node.child, column)
    if isinstance(node, lp.Project):
        e = next(e for name, e, _ in node.exprs if name == column)
        return _expression_owners(node.child, e)
    if isinstance(node, lp.Join):
        side = node.left if column in node.left.columns else node.right
        return column_owners(side, column)
    if isinstance(node, lp.UnionAll):
        i = node.columns.index(column)
        return set().union(*(column_owners(n, n.columns[i]) for n in node.inputs))
    if isinstance(node, lp.Aggregate):
        for name, e, _ in node.keys:
            if name == column:
                return _expression_owners(node.child, e)
        call = next(c for name, c in node.aggs if name == column)
        return _table_owners(node.child) if call.arg is None \
            else _expression_owners(node.child, call.arg)
    if isinstance(node, lp.Window):
        f = next((f for f in node.funcs if f.name == column), None)
        if f is None:
            return column_owners(node.child, column)
        used = [*node.partition, *(k.column for k in node.order)] + ([f.arg] if f.arg else [])
        return set().union(*(column_owners(node.child, c) for c in used)) \
            or _table_owners(node.child)
    return _table_owners(node)


def _expression_owners(child: lp.Node, e: exp.Expression) -> set[str]:
    return set().union(*(column_owners(child, c.name) for c in e.find_all(exp.Column)))


def _table_owners(node: lp.Node) -> set[str]:
    return {n.party for n in lp.walk(node) if isinstance(n, lp.Scan)}


@dataclass(frozen=True)
class _Context:
    """What lies above a node. ``attributable``: the asker can tell apart the result rows
    that this node's rows lead to (they are rows, groups or extremes of what it sees),
    so which rows pass here is shown to it. ``lifted``: columns that only reach the
    result through an inner join on them (filtering them shows nothing the join does
    not), with the lift that join gives the asker."""

    attributable: bool = True
    lifted: dict = field(default_factory=dict)
    ranks_hidden: bool = False  # a window whose ranks only a secret_rows filter reads


def _walk_with_context(analyzer: Analyzer, node: lp.Node, asker: str,
                       ctx: _Context | None = None):
    """Every node with its :class:`_Context` (pre-order)."""
    ctx = ctx or _Context()
    yield node, ctx
    if isinstance(node, lp.Aggregate):
        below = _Context(attributable=ctx.attributable and _tells_rows_apart(analyzer, node, asker))
        yield from _walk_with_context(analyzer, node.child, asker, below)
        return
    if isinstance(node, lp.Join):
        lifts = node.how == "inner" and asker in join_parties(node)
        for side, names in ((node.left, [a for a, _ in node.keys]),
                            (node.right, [b for _, b in node.keys])):
            lifted = {n: "after_join" for n in names} if lifts else {}
            yield from _walk_with_context(analyzer, side, asker,
                                          _Context(ctx.attributable, lifted))
        return
    for child in node.children:
        # a filter keeps its child's columns: what the join above lifts still holds
        keep = ctx.lifted if isinstance(node, lp.Filter) else {}
        hidden = isinstance(node, lp.Filter) and node.secret_rows
        yield from _walk_with_context(analyzer, child, asker,
                                      _Context(ctx.attributable, keep, hidden))


def _tells_rows_apart(analyzer: Analyzer, node: lp.Aggregate, asker: str) -> bool:
    """Whether the asker can tie this aggregate's result to the rows it came from: by
    its groups, or by an extreme (MIN, MAX, a percentile) of values it sees row by row.
    One count, sum or average of all rows cannot: SCQL does not protect sizes."""
    if node.keys:
        return True
    scope = dict(zip(node.child.columns, analyzer.node(node.child)))
    for _, call in node.aggs:
        if call.picks_rows and call.arg is not None and analyzer.expr(call.arg, scope)[asker].plain:
            return True
    return False


def _refuse(state: State, asker: str, template: str) -> None:
    """Raise the SecurityError for a state that is not plain; ``template`` names the
    blocking source column as ``{culprit}``, its level as ``{level}``."""
    if state.plain:
        return
    s = state.blocker()
    more = " and the query does not satisfy it" if s.state != HIDDEN else ""
    message = template.format(culprit=s.culprit, level=s.level, more=more)
    others = sorted({f"'{p.culprit}' ({p.level})" for p in state.parts} - {
        f"'{s.culprit}' ({s.level})"})
    if others:
        message += f" (so does {', '.join(others)})"
    raise SecurityError(message, column=s.culprit, party=asker, level=s.level)
