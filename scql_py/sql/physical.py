"""Physical plan: every step placed, in execution order, as plain JSON-able data.

Steps (``op``):

==============  ===================================================================
``local``       ``party`` runs ``sql`` in its own storage engine (plaintext, private);
                ``range_sql``: whether an int64 SUM in it is past range (an owner that
                does not ask shares that bit, or sends it to the asker with the result);
                ``range_words``: values it shares that may have no ring word (wide
                decimals, reals), checked alike (the asker's own: its error at once);
                ``null_words``: another party's such values row by row, NULL there
``share``       ``party`` secret-shares a local result; everyone learns its row count
``scan_shared`` every party reads its shares of a table stored secret-shared
``concat``      UNION ALL of secret relations (local work on shares)
``filter``      secure predicate; rows are kept with a secret validity bit
``project``     secure expressions
``aggregate``   secure aggregates, grouped by ``keys`` (none: one row)
``sort``        secure ORDER BY (filtered rows are compacted first)
``window``      ROW_NUMBER/RANK/DENSE_RANK/PERCENT_RANK: oblivious sort + segment scans
``scalar_join`` a one-row relation (a scalar subquery) repeated onto every row (local)
``psi_join``    the two key owners intersect their keys by ECDH-PSI, then share the
                matching rows (they learn the intersection; nobody else learns anything)
``secret_join`` join of secret relations by oblivious sort (reveals only sizes)
``limit``       first rows (filtered rows are compacted first: the count is revealed)
``reveal``      open a secret relation to ``party`` only (the asker)
``send_plain``  ``party`` sends its local result to the asker (the CCL allows it)
==============  ===================================================================

Every party runs every step, in order: steps placed at one party are no-ops elsewhere
except for what they tell the others (row counts).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from fractions import Fraction

from sqlglot import exp

from scql_py.catalog import DEFAULT_MAX_ROWS
from scql_py.catalog.types import SqlType
from scql_py.errors import NotSupportedError
from scql_py.sql import logical as lp
from scql_py.sql import plan_text
from scql_py.sql.local_sql import range_check_sql, to_sql, wordless_columns
from scql_py.sql.owner_expressions import computed_in_scan
from scql_py.sql.secure_nodes import check_secure
from scql_py.sql.type_inference import infer_type


@dataclass
class Step:
    id: str
    op: str
    party: str | None = None
    inputs: list[str] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    args: dict = field(default_factory=dict)


@dataclass
class PhysicalPlan:
    asker: str
    sql: str
    steps: list[Step]
    output_names: list[str]
    output_types: list[str]
    pushdown: bool = True
    # the asker's bound on the row pairs of a many-to-many secret join (every party
    # applies the same one; see Catalog.max_rows)
    max_rows: int = DEFAULT_MAX_ROWS

    def to_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> PhysicalPlan:
        data = json.loads(text)
        data["steps"] = [Step(**s) for s in data["steps"]]
        return cls(**data)


class _Placer:
    def __init__(self, asker: str, pushdown: bool, keep_groups_secure: str | None = None,
                 group_threshold: int | None = None, compute: tuple[str, ...] | None = None):
        self.asker = asker
        self.compute = compute  # None: every party computes
        self.group_threshold = group_threshold
        self.pushdown = pushdown
        # with a group-size threshold, grouping for another party than the owner runs
        # under MPC, where small groups are dropped (and counted for the warning)
        self.keep_groups_secure = keep_groups_secure
        self.steps: list[Step] = []

    def emit(self, op: str, node: lp.Node, *, party=None, inputs=(), **args) -> str:
        step = Step(
            id=f"s{len(self.steps)}", op=op, party=party, inputs=list(inputs),
            columns=list(node.columns), types=[str(t) for t in node.types], args=args,
        )
        self.steps.append(step)
        return step.id

    def local(self, node: lp.Node, shared: bool = True) -> str:
        # an owner that does not ask evaluates with total semantics: whether its query
        # fails, and what the error says, must not depend on its data
        total = node.owner != self.asker
        step = self.emit("local", node, party=node.owner,
                         sql=to_sql(node, total=total, shared=shared))
        check = range_check_sql(node)
        if check is not None:  # and whether a SUM (NULL by total semantics) is past range
            self.steps[-1].args["range_sql"] = check
        # and whether a value it shares has no ring word (a wide decimal, a real past
        # 2^47): the asker's own is its error at once; another party's is NULL, with the
        # error bit where it is an aggregate's
        checked, nulled = wordless_columns(node, total) if shared else ([], [])
        if checked:
            self.steps[-1].args["range_words"] = checked
        if nulled:
            self.steps[-1].args["null_words"] = nulled
        return step

    def is_local(self, node: lp.Node) -> bool:
        if node.owner is None or not (self.pushdown or isinstance(node, lp.Scan)
                                      or computed_in_scan(node)):
            return False
        if _shows_secret_rows(node):
            return False  # shared, its row count would be public
        if self.keep_groups_secure and node.owner != self.keep_groups_secure:
            return not any(isinstance(n, lp.Aggregate) and n.keys for n in lp.walk(node))
        return True

    def psi_placed(self, node: lp.Node) -> bool:
        return (isinstance(node, lp.Join) and node.psi and self.is_local(node.left)
                and self.is_local(node.right))

    def keys_owner(self, node: lp.Aggregate) -> str | None:
        """The party that may group these rows itself: right after a PSI join, the owner
        of the input every key is computed from (it knows its rows' keys in the join's
        order). Only for sums and counts, which then need no oblivious sort."""
        join = node.child
        while isinstance(join, lp.Filter):  # a WHERE only marks rows: they stay in place
            join = join.child
        if not node.keys or not self.psi_placed(join):
            return None
        if any(c.func not in ("count", "sum", "avg") or c.distinct for _, c in node.aggs):
            return None
        used = set().union(*({c.name for c in e.find_all(exp.Column)} for _, e, _ in node.keys))
        for side in (join.left, join.right):
            # a data party runs no protocol: its groups are formed under MPC instead
            if used <= set(side.columns) and (self.compute is None or
                                              side.owner in self.compute):
                return side.owner
        return None

    def secret(self, node: lp.Node) -> str:
        """Emit the steps that leave ``node``'s rows secret-shared; return the step id."""
        if isinstance(node, lp.Scan) and node.shared:
            return self.emit("scan_shared", node, table=node.table)
        if self.is_local(node):
            return self.emit("share", node, party=node.owner, inputs=[self.local(node)])
        if isinstance(node, lp.UnionAll):
            return self.emit("concat", node, inputs=[self.secret(b) for b in node.inputs])
        if isinstance(node, lp.Filter):
            return self.emit("filter", node, inputs=[self.secret(node.child)],
                             predicate=check_secure(node.predicate, _scope(node.child)))
        if isinstance(node, lp.Project):
            # a bare NULL (type 'null', which no share has) is a NULL integer, as in
            # constant_query: it compares and computes as NULL whatever it meets
            exprs = [[name, check_secure(e, _scope(node.child)),
                      "int64" if t.kind == "null" else str(t)] for name, e, t in node.exprs]
            return self.emit("project", node, inputs=[self.secret(node.child)], exprs=exprs)
        if isinstance(node, lp.Aggregate):
            _check_secure_aggregates(node)
            scope = _scope(node.child)
            aggs = [[name, c.func, _secure_argument(c.arg, scope), str(c.type), c.distinct]
                    for name, c in node.aggs]
            keys = [[name, check_secure(e, scope), str(t)] for name, e, t in node.keys]
            return self.emit("aggregate", node, inputs=[self.secret(node.child)], aggs=aggs,
                             keys=keys, merges_partials=node.merges_partials,
                             keys_owner=self.keys_owner(node),
                             threshold=self.group_threshold
                             if keys and not node.joined_groups else None,
                             **({"sizes": node.sizes} if node.sizes else {}))
        if isinstance(node, lp.Join) and node.how == "scalar":
            return self.emit("scalar_join", node,
                             inputs=[self.secret(node.left), self.secret(node.right)])
        if isinstance(node, lp.Join):
            keys = [list(pair) for pair in node.keys]
            if node.psi and self.is_local(node.left) and self.is_local(node.right):
                inputs = [self.local(node.left), self.local(node.right)]
                server = {"server": node.psi_server} if node.psi_server else {}
                return self.emit("psi_join", node, inputs=inputs, keys=keys, how=node.how,
                                 left_party=node.left.owner, right_party=node.right.owner,
                                 left_width=len(node.left.columns), **server)
            inputs = [self.secret(node.left), self.secret(node.right)]
            return self.emit("secret_join", node, inputs=inputs, keys=keys, how=node.how,
                             left_width=len(node.left.columns), cross=node.cross)
        if isinstance(node, lp.Window):
            _check_secure_window(node)
            order = [[k.column, k.descending, k.nulls_first] for k in node.order]
            return self.emit("window", node, inputs=[self.secret(node.child)],
                             partition=node.partition, order=order,
                             funcs=[[f.name, f.func, f.arg, str(f.type), f.offset,
                                     plan_text.render(f.default) if f.default is not None else None,
                                     [f.frame.start, f.frame.end, f.frame.kind] if f.frame is not None
                                     else None]
                                    for f in node.funcs])
        if isinstance(node, lp.Sort):
            keys = [[k.column, k.descending, k.nulls_first] for k in node.keys]
            return self.emit("sort", node, inputs=[self.secret(node.child)], keys=keys)
        if isinstance(node, lp.Limit):
            return self.emit("limit", node, inputs=[self.secret(node.child)],
                             limit=node.limit, offset=node.offset)
        raise TypeError(f"cannot place {type(node).__name__}")


def _scope(node: lp.Node) -> dict:
    return dict(zip(node.columns, node.types))


def _secure_argument(arg: exp.Expression | None, scope: dict) -> str | None:
    """An aggregate's argument as SQL for the secure step: COUNT(DISTINCT a, b)'s tuple
    is no value of its own, the engine sorts by each of its expressions."""
    if isinstance(arg, exp.Tuple):
        for part in arg.expressions:
            check_secure(part, scope)
        return plan_text.render(arg)
    return check_secure(arg, scope) if arg is not None else None


def _check_secure_aggregates(node: lp.Aggregate) -> None:
    """Refuse, before anything runs, an aggregate the MPC engine does not compute."""
    types = _scope(node.child)
    for _, call in node.aggs:
        if call.func not in ("count", "min", "max") and call.type.kind == "string":
            raise NotSupportedError(f"{call.sql()} of a string column across parties (under "
                                    "MPC strings are counted, and their MIN and MAX taken)")
        if call.func.startswith("percentile_cont"):
            _check_interpolation(call, types)


# DuckDB interpolates a decimal or a date in doubles, lo + d (hi - lo): exact (so that
# the exact answer MPC computes is DuckDB's) only for p = a / 2^k and while every step
# fits 53 bits: for a decimal of precision P, 3 * 2^k * 10^P <= 2^53; a date's
# microseconds (below 2^58) are multiples of 2^(13 - k), which takes k <= 8; a
# timestamp's lo + llround(double(hi - lo) d) is computed with its roundings
# (engine/group_by.py), its product with the weight a (N - 1) - b lo below 2^62: k <= 3
_DYADIC_DENOMINATORS = {"decimal": 1 << 20, "date": 1 << 8, "timestamp": 1 << 3}


def _check_interpolation(call: lp.AggCall, types: dict[str, SqlType]) -> None:
    arg = infer_type(plan_text.parse(call.arg), types)
    if arg.kind in ("int64", "float64", "bool"):
        return
    most = _DYADIC_DENOMINATORS.get(arg.kind)
    if most is None:
        raise NotSupportedError(f"{call.sql()} of a {arg.kind} column across parties (under "
                                "MPC: of numbers, decimals, dates and timestamps)")
    b = Fraction(str(call.fraction)).limit_denominator(1 << 20).denominator
    if b & (b - 1) or b > most:
        raise NotSupportedError(
            f"{call.sql()} of a {arg.kind} column across parties: DuckDB's interpolation "
            "of it is rounded in doubles; a fraction of a power of two (0.5, 0.25, 0.75, "
            "...) gives the exact answer, which MPC computes")
    if arg.kind == "decimal" and 3 * b * 10 ** (arg.precision or 38) > 1 << 53:
        raise NotSupportedError(f"{call.sql()} of a {arg} column across parties: DuckDB "
                                "rounds the interpolation of so many digits in doubles")


# the widest bounded MIN / MAX frame computed under MPC (its cost grows with the width)
MAX_FRAME_ROWS = 64


def _check_secure_window(node: lp.Window) -> None:
    """Refuse, before anything runs, what the MPC window step does not compute: order
    and copies of secret strings (equality hashes and bytes, no arithmetic form)."""
    types = dict(zip(node.child.columns, node.child.types))
    for f in node.funcs:
        frame = f.frame
        if frame is not None and frame.kind == "RANGE" and not frame.from_peers:
            raise NotSupportedError(f"{f.func.upper()}(...) OVER (... {frame.sql()}) across "
                                    "parties (a RANGE frame with an offset runs only in the "
                                    "owner's database)")
        if f.func in ("min", "max") and frame is not None and frame.kind == "ROWS" and None \
                not in (frame.start, frame.end) and frame.end - frame.start + 1 > MAX_FRAME_ROWS:
            # every row's frame is scanned as rows of its own
            raise NotSupportedError(f"{f.func.upper()}(...) OVER (... {frame.sql()}) across "
                                    f"parties: a frame of more than {MAX_FRAME_ROWS} rows "
                                    "that is bounded on both sides")
        if f.arg is not None and types[f.arg].kind == "string" and f.func not in (
                "count", "lag", "lead", "min", "max"):
            raise NotSupportedError(f"{f.func.upper()}(...) OVER (...) of a string column "
                                    "across parties")


def _shows_secret_rows(node: lp.Node) -> bool:
    """Whether the rows of ``node`` are those of a ``secret_rows`` filter that no join
    below ``node`` has consumed yet."""
    if isinstance(node, lp.Filter) and node.secret_rows:
        return True
    if isinstance(node, lp.Join):
        return False
    return any(_shows_secret_rows(c) for c in node.children)


def place(root: lp.Node, asker: str, pushdown: bool = True,
          group_threshold: int | None = None, compute: tuple[str, ...] | None = None
          ) -> list[Step]:
    """The steps that compute ``root`` and deliver it to ``asker``; ``compute`` names
    the computing parties (None: all)."""
    placer = _Placer(asker, pushdown, asker if group_threshold else None, group_threshold,
                     compute)
    if placer.is_local(root) and pushdown:
        src = placer.local(root, shared=False)
        if root.owner != asker:
            placer.emit("send_plain", root, party=root.owner, inputs=[src], to=asker)
    elif isinstance(root, lp.Sort):
        # every row is opened to the asker anyway and its sort keys are result columns
        # (so plain to it): the asker sorts after opening, no oblivious sort needed
        order = [[k.column, k.descending, k.nulls_first] for k in root.keys]
        placer.emit("reveal", root, inputs=[placer.secret(root.child)], to=asker, order=order)
    else:
        placer.emit("reveal", root, inputs=[placer.secret(root)], to=asker)
    return placer.steps
