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
* a filter whose rows reach the result un-aggregated lets the asker see which rows pass:
  its predicate must be plain to the asker; under an aggregate it still steers the
  answer, so no ENCRYPTED_ONLY column may take part in it;
* ORDER BY shows the rank of its keys: they must be plain or ``REVEAL_RANK``.

A refused column names the source column, the party and the level that blocked it.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlglot import exp

from scql_py.catalog import Catalog, CCLLevel
from scql_py.errors import SecurityError
from scql_py.sql import logical as lp

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
        """Keys may be seen after the join (PLAINTEXT_AFTER_JOIN), the other columns as
        join payload (PLAINTEXT_AS_JOIN_PAYLOAD)."""
        if node.how == "scalar":
            # one row repeated onto every row (a scalar subquery) joins nothing: no column
            # becomes a join payload
            return self.node(node.left) + self.node(node.right)
        # only a key whose every output value is in the intersection becomes plain: in a
        # LEFT join the right key (the left one keeps its unmatched values), and so on
        left_keys = {a for a, _ in node.keys} if node.how in ("inner", "right") else set()
        right_keys = {b for _, b in node.keys} if node.how in ("inner", "left") else set()
        keys = left_keys | right_keys
        all_keys = {k for pair in node.keys for k in pair}
        out = []
        for name, vis in zip(node.columns, self.node(node.left) + self.node(node.right)):
            if name in keys:
                lift = "after_join"
            elif name in all_keys:
                lift = None  # a preserved side's key: as it was
            else:
                lift = "join_payload"
            out.append({p: (_lift(s, lift) if lift else s) for p, s in vis.items()})
        return out

    def key_states(self, node: lp.Join) -> dict[str, list[State]]:
        """Per party, the state of every key column of ``node`` after the join."""
        left = dict(zip(node.left.columns, self.node(node.left)))
        right = dict(zip(node.right.columns, self.node(node.right)))
        out: dict[str, list[State]] = {p: [] for p in self.parties}
        for a, b in node.keys:
            for p in self.parties:
                out[p].append(_lift(left[a][p], "after_join"))
                out[p].append(_lift(right[b][p], "after_join"))
        return out

    def psi_allowed(self, node: lp.Join) -> bool:
        """PSI shows each key owner the intersection: both owners must be allowed to
        see every key column after the join."""
        owners = {node.left.owner, node.right.owner}
        if None in owners or len(owners) != 2 or not node.keys:
            return False
        states = self.key_states(node)
        return all(s.plain for p in owners for s in states[p])

    def visit_Window(self, node: lp.Window) -> list[Vis]:
        """A rank is plain where the partition keys may be grouped by and the order keys
        ranked (REVEAL_RANK) by that party."""
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
        return child + [dict(rank) for _ in node.funcs]

    def visit_Sort(self, node: lp.Sort) -> list[Vis]:
        return self.node(node.child)

    def visit_Aggregate(self, node: lp.Aggregate) -> list[Vis]:
        scope = dict(zip(node.child.columns, self.node(node.child)))
        out = []
        for _, key, _ in node.keys:
            vis = self.expr(key, scope)
            out.append({p: _lift(s, "after_group_by") for p, s in vis.items()})
        for _, call in node.aggs:
            if call.arg is None:
                out.append(self.all_plain())
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

    # -- checks ---------------------------------------------------------------------------
    def check_result(self, root: lp.Node, asker: str, names: list[str]) -> None:
        """Refuse (SecurityError) unless every result column is plain to ``asker``, and
        nothing the plan shows the asker on the way (which rows pass or match, groups,
        order) comes from a column it may not see so."""
        for name, vis in zip(names, self.node(root)):
            _refuse(vis[asker], asker,
                    f"result column '{name}' is not visible to party '{asker}': source "
                    "column '{culprit}' has CCL level {level} for " + f"'{asker}'{{more}}")
        for node, aggregated in _walk_with_context(root):
            self._check_node(node, asker, aggregated)

    def _check_node(self, node: lp.Node, asker: str, aggregated: bool) -> None:
        if isinstance(node, lp.Join) and not aggregated:
            # un-aggregated, the asker sees which rows matched; aggregated, the keys may
            # even be ENCRYPTED_ONLY: the secret join reveals nothing but sizes
            for state in self.key_states(node)[asker]:
                _refuse(state, asker, f"the join would show party '{asker}' which rows "
                        "match, but key column '{culprit}' has CCL level {level} for "
                        f"'{asker}'")
            return
        if not isinstance(node, (lp.Filter, lp.Sort, lp.Aggregate)):
            return
        if isinstance(node, lp.Filter) and node.secret_rows:
            return  # nobody learns which rows pass: what the join above shows is checked there
        scope = dict(zip(node.child.columns, self.node(node.child)))
        if isinstance(node, lp.Filter):
            # a filter decides which rows reach the result: un-aggregated, the asker sees
            # which rows pass; aggregated, it still steers the answer, so no
            # ENCRYPTED_ONLY column may take part
            state = self.expr(node.predicate, scope)[asker]
            if aggregated:
                state = State(frozenset(p for p in state.parts if p.state == HIDDEN))
            shows = "which rows reach an aggregate" if aggregated else "which rows pass"
            _refuse(state, asker, f"the WHERE condition '{node.predicate.sql()}' would show "
                    f"party '{asker}' {shows}, but source column " + "'{culprit}' has CCL "
                    "level {level} for " + f"'{asker}'")
        elif isinstance(node, lp.Sort):
            # the order of the result shows the rank of each sort key
            for key in node.keys:
                _refuse(_lift(scope[key.column][asker], "rank"), asker,
                        f"ORDER BY would show party '{asker}' the order of source column "
                        "'{culprit}', which has CCL level {level} for " + f"'{asker}'")
        else:
            # group sizes and per-group aggregates show the distribution of the keys,
            # selected or not: each must be plain (or PLAINTEXT_AFTER_GROUP_BY)
            for _, key, _ in node.keys:
                _refuse(_lift(self.expr(key, scope)[asker], "after_group_by"), asker,
                        f"GROUP BY {key.sql()} would show party '{asker}' the groups of "
                        "source column '{culprit}', which has CCL level {level} for "
                        f"'{asker}'")


def _walk_with_context(node: lp.Node, aggregated: bool = False):
    """Every node, with whether an aggregate lies above it (pre-order)."""
    yield node, aggregated
    below = aggregated or isinstance(node, lp.Aggregate)
    for child in node.children:
        yield from _walk_with_context(child, below)


def _refuse(state: State, asker: str, template: str) -> None:
    """Raise the SecurityError for a state that is not plain; ``template`` names the
    blocking source column as ``{culprit}``, its level as ``{level}``."""
    if state.plain:
        return
    s = state.blocker()
    more = " and the query does not satisfy it" if s.state != HIDDEN else ""
    raise SecurityError(template.format(culprit=s.culprit, level=s.level, more=more),
                        column=s.culprit, party=asker, level=s.level)
