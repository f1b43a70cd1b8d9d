"""One party's executor: runs its part of a physical plan, in lockstep with the others.

An :class:`Engine` holds its party's storage (its own plaintext tables) and, while a
query runs, its own shares and what the other parties sent it. It never sees another
party's plaintext: inputs are secret-shared by their owners, results are opened only to
the asker.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
from dataclasses import replace

import duckdb
import numpy as np
import pyarrow as pa

from scql_py.catalog import Catalog
from scql_py.catalog.types import BOOL, SqlType
from scql_py.engine import join, kept_range, shared_table_versions
from scql_py.engine.aggregate import aggregates
from scql_py.engine.encoding import without_wordless
from scql_py.engine.group_by import group_aggregate
from scql_py.engine.input_sharing import share_table
from scql_py.engine.keyed_floats import keyed_alike
from scql_py.engine.ordering import flatten, sort_relation, unflatten
from scql_py.engine.owner_grouping import owner_group_aggregate
from scql_py.engine.profile import SETUP, QueryProfile
from scql_py.engine.progress import Progress, ProgressCallback, step_name
from scql_py.engine.relation import (
    LocalResult,
    SecretColumn,
    SecretRelation,
    concat_columns,
    concat_validity,
    null_column,
)
from scql_py.engine.reveal import open_result
from scql_py.engine.secure_expr import SecureEvaluator
from scql_py.engine.window import window
from scql_py.errors import DataError, Error, InternalError, OperationalError, SecurityError
from scql_py.mpc import openings, rss, sum_range
from scql_py.mpc.openings import Opening
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.segment import compact
from scql_py.net.channel import Communicator
from scql_py.sql import plan_text
from scql_py.sql.logical import sorts_by_argument
from scql_py.sql.participants import data_parties_sharing, needs_computing, step_parties
from scql_py.sql.physical import PhysicalPlan, Step
from scql_py.sql.planner import plan_query
from scql_py.sql.source_rows import SIZE_PREFIX
from scql_py.storage import PartyStorage

log = logging.getLogger("scql_py.engine")
_MY_PLANS = 64  # plans an engine remembers


def sort_plain(table: pa.Table, order: list) -> pa.Table:
    """ORDER BY on the asker's own plaintext result, with SQL's NULL placement (by
    DuckDB, as the owners' local queries)."""
    con = duckdb.connect()
    con.register("result", table)
    keys = ", ".join(
        f'"{c.replace(chr(34), chr(34) * 2)}" {"DESC" if desc else "ASC"} '
        f'NULLS {"FIRST" if nf else "LAST"}' for c, desc, nf in order)
    return con.sql(f"SELECT * FROM result ORDER BY {keys}").to_arrow_table()


def _cast_table(table: pa.Table, names: list[str], types: list[str]) -> pa.Table:
    arrays = []
    for i, t in enumerate(types):
        col = table.column(i)
        target = SqlType.parse(t).to_arrow()
        try:
            arrays.append(col if col.type == target else col.cast(target))
        except pa.ArrowInvalid:
            if not pa.types.is_decimal(target):
                raise
            # DuckDB's decimal may be wider than the plan's (a BIGINT is its DECIMAL(19,0),
            # not 18 digits): the value is kept, and whether it has a ring word is
            # checked where it is shared (encoding.without_wordless), never failed on here
            arrays.append(col.cast(pa.decimal128(38, target.scale)))
    return pa.Table.from_arrays(arrays, names=names)


OUT_OF_RANGE_ERROR = (
    "a computed value is out of the range the engine computes in under MPC "
    "(SUM of int64 and decimal, and int64 and decimal +, -, * and negation, within "
    "the int64 range (a decimal unscaled), of reals below 2^47 "
    "in magnitude; AVG and quotients below 2^46, products of reals below 2^47; "
    "VAR/STDDEV: values within 2^31 of a "
    "value of their group (reals: 2^23 of its mean), variance below 2^47, "
    "2^46 for STDDEV; a CAST of a stored real to a decimal: not within 2^-17 "
    "of a tie of its last digit)")
# the schema metadata key of a plain result that says whether its owner's SUM is past range
PAST_RANGE = b"scql_py.past_range"


class Engine:
    """The executor of one party."""

    def __init__(self, catalog: Catalog, party: str, storage: PartyStorage | None = None):
        self.catalog = catalog
        self.party = party
        self.index = catalog.party_names.index(party)
        self.storage = storage or PartyStorage(catalog, party)
        # this party's own plans of SQL it was asked to run: planning is deterministic
        # and the catalog does not change, so a repeated query is verified at once
        self._my_plans: dict[tuple, str] = {}
        self.profile = QueryProfile()  # of the last query: seconds and traffic per step

    def close(self) -> None:
        self.storage.close()

    # -- one query --------------------------------------------------------------------------
    def run(self, plan_json: str, comm: Communicator,
            progress: ProgressCallback | None = None) -> pa.Table | None:
        """Run the plan; return the result on the asker, None elsewhere.

        ``progress`` is called before each step (the plan's steps are public)."""
        start = time.monotonic()
        plan = self.verify(plan_json)
        compute = self.catalog.compute
        mpc = needs_computing(plan)
        self.profile = QueryProfile()
        with self.profile.step(SETUP, "setup", comm.stats):  # keys agreed for this query
            self.rt = Runtime(comm, tuple(self.party_index(p) for p in compute), keys=mpc)
        self.values: dict[str, object] = {}
        self.messages: list[str] = []
        # the query's bits, until a reveal opens them: of decisions about rows (a filter,
        # a join key, a group) and of owners' sums; a value's own bits stay on its rows
        # until then (engine/kept_range.py)
        self.out_of_range: list[BShare] = []
        self.learnt_out_of_range = False  # (the asker) then the result is an error
        try:
            with self.profile.step(SETUP, "setup", comm.stats):
                self.string_key = self._string_key(plan) if mpc else b""
            result = None
            for i, step in enumerate(plan.steps):
                if progress is not None:
                    progress(Progress(i + 1, len(plan.steps), step.op, step_name(step),
                                      time.monotonic() - start))
                if self.party not in step_parties(step, compute):
                    self.values[step.id] = None  # a data party's part is elsewhere
                    self.profile.skipped(step.id, step.op)
                    continue
                opened_before = len(self.rt.openings)
                with self.profile.step(step.id, step.op, comm.stats):
                    try:
                        out = getattr(self, f"step_{step.op}")(step, plan)
                    except Exception as err:
                        raise self._error_for_others(err, step, plan) from None
                self.check_openings(step, self.rt.openings[opened_before:])
                self.values[step.id] = out
                if isinstance(out, pa.Table):
                    result = out
            last = plan.steps[-1]
            if self.party != plan.asker:
                return None
            if self.learnt_out_of_range:
                raise DataError(OUT_OF_RANGE_ERROR)
            if result is None and isinstance(self.values[last.id], LocalResult):
                result = self.values[last.id].table
            if result is None:
                raise InternalError("the plan produced no result for the asker")
            return _cast_table(result, plan.output_names, plan.output_types)
        finally:
            # a failed or cancelled query must not keep its shares until the next one
            self.values = {}

    def check_openings(self, step: Step, opened: list[Opening]) -> None:
        """The step opened exactly what the plan lists for it (the plan's optional
        entries may not happen); anything else is a bug that may leak: InternalError."""
        names = self.catalog.party_names
        made = {(o.what, tuple(names[i] for i in o.to)) for o in opened}
        listed = {(what, tuple(sorted(to, key=names.index))): optional
                  for what, to, optional in step.args.get("opens", [])}
        unlisted = made - set(listed)
        # a data party takes part only in what is opened to it (and what it sends)
        missing = {k for k, optional in listed.items() if not optional and (
            self.catalog.computes(self.party) or self.party in k[1])} - made
        if unlisted or missing:
            what = "; ".join([f"opened {w} to {', '.join(t)}, which the plan does not list"
                              for w, t in sorted(unlisted)] +
                             [f"did not open {w} to {', '.join(t)}, which the plan lists"
                              for w, t in sorted(missing)])
            raise InternalError(f"step {step.id} ({step.op}) {what}")

    def _error_for_others(self, err: Exception, step: Step, plan: PhysicalPlan) -> Exception:
        """What may leave this party of its error: the asker sees its own errors, and
        every party sees a channel error or a refusal (they name parties, never data);
        any other error names only this party and the step, since its text may quote
        this party's values (a failed cast, an overflow)."""
        if isinstance(err, (OperationalError, SecurityError)):
            return err
        log.info("party %s: step %s (%s) failed: %s: %s", self.party, step.id, step.op,
                 type(err).__name__, err)  # this party's own log: its own data only
        if self.party == plan.asker:
            return err  # its own: a bug is reported as one by the runner
        kind = type(err) if isinstance(err, Error) and not isinstance(err, InternalError) \
            else InternalError
        try:
            return kind(f"party '{self.party}' could not run step {step.id} ({step.op}) of "
                        "the query; its error stays with that party")
        except TypeError:  # an Error subclass with other arguments
            return InternalError(f"party '{self.party}' could not run step {step.id} "
                                 f"({step.op}) of the query; its error stays with that party")

    def verify(self, plan_json: str) -> PhysicalPlan:
        """Refuse a plan that this party's own planning of the same SQL does not produce:
        it may reveal this party's columns beyond its CCL."""
        plan = PhysicalPlan.from_json(plan_json)
        # the asker's max_rows is taken as it is: a bound on work, not on what is learned
        key = (plan.asker, plan.sql, plan.pushdown, plan.max_rows)
        mine = self._my_plans.get(key)
        if mine is None:
            mine = plan_query(self.catalog, plan.asker, plan.sql, plan.pushdown,
                              plan.max_rows).to_json()
            if len(self._my_plans) >= _MY_PLANS:
                self._my_plans.pop(next(iter(self._my_plans)))
            self._my_plans[key] = mine
        if mine != plan_json:
            raise SecurityError(
                f"party '{self.party}' refuses the plan: it is not the plan of the SQL "
                f"it claims to run under party '{self.party}''s catalog and CCL",
                party=self.party,
            )
        return plan

    def _string_key(self, plan: PhysicalPlan) -> bytes:
        """The key under which strings are hashed: the federation's shared key when the
        plan reads or writes shared tables, else one agreed for this query by the
        computing parties. A data party that shares strings in hashes them itself: the
        first computing party sends it the key (it learns no more than an owner that
        computes)."""
        rt = self.rt
        sharing = [self.party_index(p) for p in data_parties_sharing(plan, self.catalog.compute)]
        if not rt.computes:
            if self.index not in sharing:
                return b""
            (key,) = rt.world.exchange({}, [rt.compute[0]])
            if not isinstance(key, bytes) or len(key) != 32:
                raise InternalError("the computing parties sent a malformed string key")
            return key
        if any(s.op in ("scan_shared", "append_shared") for s in plan.steps):
            # strings stored as shares were hashed under the federation's shared key
            key = shared_table_versions.shared_string_key(self.storage, rt)
        else:
            key = self._agree_string_key()
        if rt.party == 0 and sharing:
            rt.world.exchange({p: key for p in sharing}, [])
        return key

    def _agree_string_key(self) -> bytes:
        """A per-query key for string hashes, with randomness from every computing
        party."""
        mine = os.urandom(16)
        others = self.rt.comm.exchange({self.rt.next: mine, self.rt.prev: mine},
                                       [self.rt.prev, self.rt.next])
        parts = {self.rt.party: mine, self.rt.prev: others[0], self.rt.next: others[1]}
        joined = b"".join(bytes(parts[i]) for i in range(3))
        return hashlib.blake2b(joined, digest_size=32).digest()

    def evaluator(self, rel: SecretRelation) -> SecureEvaluator:
        ev = SecureEvaluator(self.rt, rel, self.string_key)
        ev.out_of_range = self.out_of_range  # one list for the query
        return ev

    def for_the_query(self, ev: SecureEvaluator) -> None:
        """The range bits of the rows ``ev`` evaluated on count for the query: what was
        computed from them decides about rows (a filter, a group), whatever later
        steps keep."""
        self.out_of_range.extend(ev.row_range)
        ev.row_range = []

    def party_index(self, name: str) -> int:
        return self.catalog.party_names.index(name)

    # -- steps --------------------------------------------------------------------------------
    def step_local(self, step: Step, plan: PhysicalPlan) -> LocalResult:
        if step.party != self.party:
            return LocalResult(step.party, None)
        past = False
        if "range_sql" in step.args:
            past = bool(self.storage.query(step.args["range_sql"]).column(0)[0].as_py())
            if past and step.party == plan.asker:  # its own data: it may fail at once
                raise DataError(OUT_OF_RANGE_ERROR)
        table = _cast_table(self.storage.query(step.args["sql"], types=step.types),
                            step.columns, step.types)
        checked = step.args.get("range_words", [])
        for name in checked + step.args.get("null_words", []):
            at = step.columns.index(name)
            column, wordless = without_wordless(table.column(at),
                                                SqlType.parse(step.types[at]))
            if not wordless:
                continue
            if name in checked and step.party == plan.asker:  # its own data: it fails now
                raise DataError(OUT_OF_RANGE_ERROR)
            # no party could compute with it: NULL, and for a checked one the asker's
            # error (a null_words one is NULL by total semantics only)
            table, past = table.set_column(at, name, column), past or name in checked
        return LocalResult(step.party, table, past)

    def share_range_bits(self, step: Step, plan: PhysicalPlan) -> None:
        """Each owner whose local input to ``step`` checked its int64 SUMs' range shares
        whether one is past it (a one-row secret bool); the computing parties add the
        bit to the query's out-of-range bits, which only the asker learns, ORed."""
        checked = {s.id for s in plan.steps if s.party != plan.asker
                   and ("range_sql" in s.args or "range_words" in s.args)}
        for i in step.inputs:
            if i not in checked:
                continue
            local: LocalResult | None = self.values[i]
            mine = local is not None and local.table is not None
            flag = pa.table({"past": pa.array([local.past_range], pa.bool_())}) if mine else None
            owner = next(s.party for s in plan.steps if s.id == i)
            rel = share_table(self.rt, self.party_index(owner), flag, [BOOL], self.string_key,
                              ["past"])
            if rel is not None:
                self.out_of_range.append(rel.columns[0].value)

    def step_share(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        self.share_range_bits(step, plan)
        local: LocalResult | None = self.values[step.inputs[0]]  # None but at the owner
        return share_table(self.rt, self.party_index(step.party),
                           None if local is None else local.table, step.types,
                           self.string_key, step.columns)

    def step_scan_shared(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        table = step.args["table"]
        rel, version = shared_table_versions.load_shared(self.storage, self.rt, table, step.columns)
        self.messages.append(f"read shared table {table} at version {version}")
        return rel

    def step_append_shared(self, step: Step, plan: PhysicalPlan) -> pa.Table | None:
        # compacted first: the number of inserted rows is the statement's answer anyway
        rel = self.compact(self.values[step.inputs[0]])
        self.out_of_range += kept_range.kept_bits(self.rt, rel)  # stored: kept
        rel = kept_range.without_bits(rel)
        res = shared_table_versions.append(self.storage, self.rt, step.args["table"], rel,
                                   create=bool(step.args.get("create")))
        return self._change_result(res, plan, rows=rel.n)

    def step_drop_shared(self, step: Step, plan: PhysicalPlan) -> pa.Table | None:
        return self._change_result(shared_table_versions.drop(self.storage, self.rt, step.args["table"]), plan)

    def _change_result(self, res, plan: PhysicalPlan, rows: int = 0) -> pa.Table | None:
        """The asker's answer to INSERT/DROP: rows changed and the table's new version."""
        if self.party != plan.asker:
            return None
        self.messages.append(f"shared table {res.table} is now at version {res.version} "
                             f"({res.rows} rows)")
        return pa.table({"rows": pa.array([rows], pa.int64()),
                         "version": pa.array([res.version], pa.int64())})

    def step_concat(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        parts: list[SecretRelation] = [self.values[i] for i in step.inputs]
        types = [SqlType.parse(t) for t in step.types]
        party = self.rt.party
        columns = []
        for j, t in enumerate(types):
            pieces = []
            for rel in parts:
                col = rel.columns[j]
                if col.type != t and t.kind != "string":
                    ev = self.evaluator(rel)
                    cast = ev.materialize(ev.cast(col, t))  # its bits are the value's
                    col = kept_range.with_bits(self.rt, replace(cast, out_of_range=None),
                                               [b for b in [col.out_of_range] + ev.row_range
                                                if b is not None])
                pieces.append(col)
            if t.kind == "float64":  # stored floats stay exact beside computed ones
                pieces = keyed_alike(self.rt, pieces)
            columns.append(concat_columns(party, pieces, t))
        return SecretRelation(sum(r.n for r in parts), list(step.columns), columns,
                              concat_validity(party, parts))

    def step_filter(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        rel: SecretRelation = self.values[step.inputs[0]]
        ev = self.evaluator(rel)
        cond = ev._as_bool(ev.visit(plan_text.parse(step.args["predicate"])))
        cond = ev.materialize(cond)
        keep, _ = ev._truth(cond)
        self.for_the_query(ev)  # a row kept on a value out of range may be no answer
        valid = keep if rel.valid is None else rss.and_(self.rt, rel.valid, keep)
        return SecretRelation(rel.n, rel.names, rel.columns, valid, own_rows=rel.own_rows)

    def step_project(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        rel: SecretRelation = self.values[step.inputs[0]]
        ev = self.evaluator(rel)
        cols = []
        for _, sql, t in step.args["exprs"]:
            # a value's range bits go with it: only a row the result keeps is an error
            col = ev.evaluate(plan_text.parse(sql), SqlType.parse(t))
            bits, ev.row_range = ev.row_range, []
            cols.append(kept_range.with_bits(self.rt, replace(col, out_of_range=None), bits))
        return SecretRelation(rel.n, list(step.columns), cols, rel.valid)

    def step_aggregate(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        """The aggregates; the range bits of the values they aggregate count for the query
        (the groups' values are no answer then), the aggregates' own are their groups'
        (a HAVING may leave them out)."""
        rel: SecretRelation = self.values[step.inputs[0]]
        ev = self.evaluator(rel)
        before = len(self.out_of_range)
        out = self._aggregate(ev, rel, step)
        own = self.out_of_range[before:]
        del self.out_of_range[before:]
        self.for_the_query(ev)
        keys = len(step.args.get("keys") or [])
        computed = [keys + i for i, agg in enumerate(step.args["aggs"])
                    if agg[1] not in ("count", "min", "max")]  # (those only move values)
        out, rest = kept_range.on_groups(self.rt, out, own, computed)
        self.out_of_range.extend(rest)
        return out

    def _aggregate(self, ev: SecureEvaluator, rel: SecretRelation, step: Step) -> SecretRelation:
        keyless_distinct = not step.args.get("keys") and any(
            sorts_by_argument(a[1], a[4]) for a in step.args["aggs"])
        if keyless_distinct:
            return self._distinct_without_groups(ev, rel, step)
        if step.args.get("keys"):
            threshold = step.args.get("threshold")
            if step.args.get("keys_owner"):
                out, dropped = owner_group_aggregate(
                    ev, rel, self.rt.computing_index(self.party_index(step.args["keys_owner"])),
                    step.args["keys"],
                    step.args["aggs"], list(step.columns), threshold)
            else:
                out, dropped = group_aggregate(ev, rel, step.args["keys"], step.args["aggs"],
                                               list(step.columns), threshold,
                                               sizes=step.args.get("sizes", []))
            if dropped:
                sized_by = [name.removeprefix(SIZE_PREFIX) for name in step.args.get("sizes", [])]
                rows = f"distinct rows of {' and of '.join(sized_by)}" if sized_by else "rows"
                self.messages.append(
                    f"{dropped} group(s) with fewer than {threshold} {rows} were left out "
                    f"(the group size threshold)")
            return out
        cols = aggregates(ev, rel, [
            (func, plan_text.parse(arg) if arg is not None else None, SqlType.parse(t), distinct)
            for _, func, arg, t, distinct in step.args["aggs"]])
        return SecretRelation(1, list(step.columns), cols)

    def _distinct_without_groups(self, ev, rel: SecretRelation, step: Step) -> SecretRelation:
        """COUNT(DISTINCT x) with no GROUP BY: one group of all rows; no rows still give
        one row (counts 0, other aggregates NULL)."""
        out, _ = group_aggregate(ev, rel, [], step.args["aggs"], list(step.columns))
        if out.n == 1:
            return out
        party = self.rt.party
        # a NULL keeps its column's form: a string its width (the one it has over rows,
        # so that the width opened does not tell an empty input from another, and a
        # CASE or COALESCE that picks another value still has that value's bytes), a
        # float its exact form
        cols = [SecretColumn(SqlType.parse(t), AShare.zeros(party, 1)) if func == "count"
                else null_column(party, col, 1)
                for (_, func, _, t, _), col in zip(step.args["aggs"], out.columns)]
        return SecretRelation(1, list(step.columns), cols)

    def step_scalar_join(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        """Every row of the left gets the one row of the right (a scalar subquery)."""
        left: SecretRelation = self.values[step.inputs[0]]
        right = self.compact(self.values[step.inputs[1]])
        if right.n > 1:
            raise DataError(f"a scalar subquery returned {right.n} rows; it must return one")
        party = self.rt.party
        cols = []
        for col in right.columns:
            if right.n == 0:  # no row: NULL
                cols.append(null_column(party, col, left.n))
                continue
            cols.append(col.take(np.zeros(left.n, dtype=np.int64)))
        return SecretRelation(left.n, list(step.columns), left.columns + cols, left.valid)

    def step_psi_join(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        self.share_range_bits(step, plan)
        width = step.args["left_width"]
        keys = step.args["keys"]
        return join.psi_join(
            self.rt, self.values[step.inputs[0]], self.values[step.inputs[1]],
            self.party_index(step.args["left_party"]), self.party_index(step.args["right_party"]),
            [a for a, _ in keys], [b for _, b in keys], step.args["how"], list(step.columns),
            step.types[:width], step.types[width:], self.string_key,
            server=self.party_index(step.args["server"]) if step.args.get("server") else None)

    def step_secret_join(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        keys = step.args["keys"]
        left, right = self.values[step.inputs[0]], self.values[step.inputs[1]]
        # keys out of range match no one knows what; other values go with their rows,
        # as columns of their own through the join
        self.out_of_range += kept_range.used(self.rt, left, [a for a, _ in keys])
        self.out_of_range += kept_range.used(self.rt, right, [b for _, b in keys])
        left, left_marked = kept_range.as_columns(left, "(out of range, left) ")
        right, right_marked = kept_range.as_columns(right, "(out of range, right) ")
        width = step.args["left_width"]
        names = (list(step.columns[:width]) + left.names[len(left.names) - len(left_marked):]
                 + list(step.columns[width:])
                 + right.names[len(right.names) - len(right_marked):])
        out = join.secret_join(
            self.rt, left, right,
            [a for a, _ in keys], [b for _, b in keys], step.args["how"], names,
            max_rows=plan.max_rows, cross=step.args.get("cross", False))
        n_left = len(left.columns)
        cols = (kept_range.from_columns(out.columns[:n_left], left_marked)
                + kept_range.from_columns(out.columns[n_left:], right_marked))
        return SecretRelation(out.n, list(step.columns), cols, out.valid, own_rows=out.own_rows)

    def step_window(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        rel = self.compact(self.values[step.inputs[0]])
        # partitions, order and the functions' values are other rows' too
        self.out_of_range += kept_range.used(
            self.rt, rel, list(step.args["partition"]) + [k[0] for k in step.args["order"]]
            + [f[2] for f in step.args["funcs"] if f[2]])
        out = window(self.rt, rel, step.args["partition"],
                     [tuple(k) for k in step.args["order"]], [tuple(f) for f in step.args["funcs"]],
                     self.string_key)
        out.names = list(step.columns)
        return out

    def step_sort(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        rel = self.compact(self.values[step.inputs[0]])
        # an order by a value out of range is no order (a LIMIT after it keeps others)
        self.out_of_range += kept_range.used(self.rt, rel, [k[0] for k in step.args["keys"]])
        return sort_relation(self.rt, rel, [tuple(k) for k in step.args["keys"]])

    def step_limit(self, step: Step, plan: PhysicalPlan) -> SecretRelation:
        rel = self.compact(self.values[step.inputs[0]])
        start = min(step.args.get("offset") or 0, rel.n)
        limit = step.args.get("limit")
        stop = rel.n if limit is None else min(rel.n, start + limit)
        return rel.take(slice(start, stop))

    def step_reveal(self, step: Step, plan: PhysicalPlan) -> pa.Table | None:
        checked = any(what == openings.OUT_OF_RANGE for what, _, _ in step.args.get("opens", []))
        rel = bit = None
        if self.rt.computes:
            rel = self.values[step.inputs[0]]
            if checked:  # one bit: whether a value of a row it keeps, or a decision
                # about rows, left the range
                kept = kept_range.kept_bits(self.rt, rel)
                bit = sum_range.any_set(self.rt, self.out_of_range + kept)
                self.out_of_range.clear()  # (the evaluators hold this list)
            rel = kept_range.without_bits(self.compact(rel))
            rel.names = list(step.columns)
        # the bit goes with the result, in the same round
        table, out_of_range = open_result(
            self.rt, rel, self.party_index(step.args["to"]),
            [SqlType.parse(t) for t in step.types], list(step.columns), flag=bit,
            flag_what=openings.OUT_OF_RANGE if checked else None)
        if out_of_range:
            self.learnt_out_of_range = True
        if table is not None and step.args.get("order"):
            table = sort_plain(table, step.args["order"])
        return table

    def step_send_plain(self, step: Step, plan: PhysicalPlan) -> pa.Table | None:
        local: LocalResult = self.values[step.inputs[0]]
        to = self.party_index(step.args["to"])
        owner = self.party_index(step.party)
        world = self.rt.world  # owner and asker may be data parties: they talk directly
        self.rt.record_world_opening(openings.RESULT, (to,), 0 if local is None or
                                     local.table is None else local.table.num_rows)
        checked = any(what == openings.OUT_OF_RANGE for what, _, _ in step.args["opens"])
        if checked:  # whether the owner's SUM is past range: the asker's error, as under MPC
            self.rt.record_world_opening(openings.OUT_OF_RANGE, (to,), 1)
        if world.party == owner:
            table = local.table
            if checked:
                table = table.replace_schema_metadata({PAST_RANGE: b"1" if local.past_range
                                                       else b"0"})
            sink = pa.BufferOutputStream()
            with pa.ipc.new_stream(sink, table.schema) as writer:
                writer.write_table(table)
            world.exchange({to: sink.getvalue().to_pybytes()}, [])
            return None
        if world.party == to:
            (payload,) = world.exchange({}, [owner])
            table = pa.ipc.open_stream(pa.py_buffer(bytes(payload))).read_all()
            if checked and (table.schema.metadata or {}).get(PAST_RANGE) != b"0":
                self.learnt_out_of_range = True
            return table.replace_schema_metadata(None)
        return None

    # -- helpers --------------------------------------------------------------------------------
    def compact(self, rel: SecretRelation) -> SecretRelation:
        """Drop invalid rows; everyone learns how many rows remain (and nothing else)."""
        if rel.valid is None:
            return rel
        kept = compact(self.rt, rel.valid, flatten(rel))
        n = len(kept[0]) if kept else 0
        columns = unflatten(rel, kept, n)
        return SecretRelation(n, rel.names, columns)
