"""One tester run over one federation seed: generate, run, judge, tally, shrink failures.

A query is replayed from ``(seed, index)`` alone: the federation is a function of the
seed, the query of the seed and the index, the pushdown mode of both.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path

from fuzz_engine import FederationUnderTest
from fuzz_federation import RandomFederation, generate_federation
from fuzz_oracle import (
    GroupSizesUnjudged,
    arrow_result,
    ask_oracle,
    fixed_point_sql,
    tiny_floor_sql,
    total_semantics_sql,
    with_group_threshold,
    without_limit,
)
from fuzz_parameters import parameterize
from fuzz_queries import Query, QueryGenerator
from fuzz_report import Report
from fuzz_verdict import (
    Verdict,
    compare_results,
    input_rounding_may_explain,
    judge,
    top_order,
    within_input_rounding,
    within_total_semantics,
)

PUSHDOWN_CHECK_RATE = 0.1  # queries also run in the other mode and compared (metamorphic)
TLP_RATE = 0.08            # queries replaced by a ternary logic partitioning check
PARAMETERS_RATE = 0.08     # queries also run with their literals as qmark parameters


@dataclass
class Case:
    """Everything needed to run one query again."""

    federation: RandomFederation
    query: Query
    pushdown: bool
    seed: int
    index: int

    @property
    def replay(self) -> str:
        return f"SCQL_FUZZ_SEED={self.seed}:{self.index}"


@dataclass
class Failure:
    case: Case
    verdict: Verdict
    known: object | None = None  # the KnownBug it is an instance of
    minimal: Case | None = None
    minimal_verdict: Verdict | None = None


def evaluate(fut: FederationUnderTest, query: Query, pushdown: bool) -> tuple[Verdict, object]:
    """Run ``query`` (its ``params``, if any, bound by ``binder``) and judge it."""
    if query.params is None:
        run = fut.run(query.asker, query.sql, pushdown)
    elif query.binder == "dbapi":
        run = fut.run_dbapi(query.asker, query.sql, query.params)
    else:
        run = fut.run(query.asker, query.sql, pushdown, query.params)
    query = query.literal()
    asked = query.sql
    if run.threshold:
        try:
            asked = with_group_threshold(asked, run.threshold, query.asker, fut.owners(),
                                         pushdown or query.binder == "dbapi", run.counted)
        except GroupSizesUnjudged as err:
            return Verdict("invalid", detail=f"the oracle cannot count the distinct rows "
                           f"of {err} that size the engine's groups"), run
    oracle = ask_oracle(fut.oracle, asked)
    unlimited = None
    bare = without_limit(asked)
    if bare is not None and run.error is None:
        unlimited = ask_oracle(fut.oracle, bare)
        if unlimited.result is None:
            unlimited = None
    verdict = judge(query, run, oracle, unlimited)
    if verdict.kind in ("overflow", "mismatch") and run.total_owner:
        verdict = within_total_semantics(query, verdict, ask_oracle(
            fut.oracle, total_semantics_sql(asked)))
    if input_rounding_may_explain(query, verdict, unlimited is not None):
        # reals enter arithmetic rounded to fixed point; a quotient or a product of
        # stored reals is computed from their bits instead, then rounded like any
        # quotient used in arithmetic: DuckDB over the exact inputs, quotients rounded
        for con in (fut.fixed_point_oracle, fut.oracle):
            verdict = within_input_rounding(query, verdict,
                                            ask_oracle(con, fixed_point_sql(asked)).result)
            if verdict.outcome != "wrong":
                break
    if verdict.kind == "mismatch" and "tiny_real" in query.shapes:
        # SUM and AVG of reals drop bits below 2^-80 (the README): a subnormal sums to 0,
        # so groups of such sums may merge where DuckDB's differ (92259:5)
        floor = ask_oracle(fut.oracle, tiny_floor_sql(asked))
        if floor.result is not None and compare_results(
                query, verdict.got, floor.result).outcome == "pass":
            verdict = replace(verdict, outcome="invalid", kind="tiny_reals",
                              detail="DuckDB's answer with SUM and AVG of reals below "
                              "2^-80 as 0 (their bits are dropped): " + verdict.detail)
    return verdict, run


def pushdown_mode(seed: int, index: int) -> bool:
    return random.Random(f"mode:{seed}:{index}").random() < 0.5


def tlp_check(fut: FederationUnderTest, base: Query, parts: Query,
              pushdown: bool) -> tuple[Verdict, object]:
    """The partitioned query must give the base query's rows (engine against itself),
    and DuckDB's."""
    verdict, run = evaluate(fut, parts, pushdown)
    if verdict.outcome != "pass":
        return verdict, run
    base_run = fut.run(base.asker, base.sql, pushdown)
    if base_run.error is not None:
        return judge(base, base_run, ask_oracle(fut.oracle, base.sql)), base_run
    same = compare_results(base, arrow_result(run.table), arrow_result(base_run.table))
    if same.outcome != "pass":
        return replace(same, kind="tlp", detail="partitions differ from the whole: "
                       + same.detail), run
    return verdict, run


def pushdown_check(fut: FederationUnderTest, query: Query, first: Verdict, first_run,
                   pushdown: bool) -> tuple[Verdict, object]:
    """The same query in the other mode: judged by DuckDB and against the first mode."""
    verdict, run = evaluate(fut, query, not pushdown)
    if verdict.outcome != "pass" or first.outcome != "pass":
        return verdict, run
    if without_limit(query.sql) is not None and not top_order(query.sql):
        return verdict, run  # a LIMIT without ORDER BY may keep other rows in each mode
    if "input_rounding" in (verdict.kind, first.kind):
        # one mode is DuckDB's within the rounding of reals entering fixed point, the
        # other exact (an owner's own DuckDB): both passed, each by its own bound
        # (91330:1: SUM(id) * SUM(k / 9), 645.5556 and 645.5603)
        return verdict, run
    same = compare_results(query, arrow_result(run.table), arrow_result(first_run.table))
    if same.outcome != "pass" and same.kind != "inexact_move":
        return replace(same, kind="pushdown", detail="pushdown on and off differ: "
                       + same.detail), run
    return verdict, run


@dataclass
class SeedRun:
    seed: int
    report: Report = field(default_factory=Report)
    failures: list[Failure] = field(default_factory=list)


FOCUS_SEARCH = 200  # with a focus, indexes tried per query wanted


def run_seed(seed: int, n_queries: int, *, only_index: int | None = None,
             classify=None, workdir: Path | None = None,
             focus: frozenset[str] = frozenset()) -> SeedRun:
    """Run ``n_queries`` queries (or just ``only_index``) of federation ``seed``.

    ``classify(case, verdict, fut)`` names the known bug a failure is an instance of.
    With ``focus`` (shape tags), only queries carrying one of them run: ``n_queries`` of
    them, among the first ``FOCUS_SEARCH * n_queries`` indexes (each still replays
    alone by its index).
    """
    fed = generate_federation(seed)
    out = SeedRun(seed)
    with tempfile.TemporaryDirectory(dir=workdir) as tmp:
        fut = FederationUnderTest(fed.write(Path(tmp)))
        try:
            gen = QueryGenerator(fed)
            if only_index is not None:
                _run_one(fut, gen, fed, seed, only_index, out, classify)
            elif not focus:
                for index in range(n_queries):
                    _run_one(fut, gen, fed, seed, index, out, classify)
            else:
                ran = 0
                for index in range(FOCUS_SEARCH * n_queries):
                    if ran == n_queries:
                        break
                    ran += _run_one(fut, gen, fed, seed, index, out, classify, focus)
        finally:
            fut.close()
    return out


def _run_one(fut, gen, fed, seed, index, out: SeedRun, classify,
             focus: frozenset[str] = frozenset()) -> bool:
    """Run query ``index`` and its checks; False (nothing run) if ``focus`` is given and
    the query carries none of its tags."""
    rng = random.Random(f"check:{seed}:{index}")
    pushdown = pushdown_mode(seed, index)
    checks = []
    tlp = rng.random() < TLP_RATE
    if focus:
        tags = set(gen.tlp(index)[1].shapes if tlp else gen.query(index).shapes)
        if not tags & focus:
            return False
    if tlp:
        base, parts = gen.tlp(index)
        verdict, run = tlp_check(fut, base, parts, pushdown)
        checks.append((parts, verdict, run, pushdown))
    else:
        query = gen.query(index)
        verdict, run = evaluate(fut, query, pushdown)
        checks.append((query, verdict, run, pushdown))
        if rng.random() < PUSHDOWN_CHECK_RATE:
            other, other_run = pushdown_check(fut, query, verdict, run, pushdown)
            tagged = replace(query, shapes=query.shapes + ("pushdown_on_off",))
            checks.append((tagged, other, other_run, not pushdown))
        bound = parameterize(query.sql) if rng.random() < PARAMETERS_RATE else None
        if bound is not None:
            for binder in ("execute", "dbapi"):
                with_params = replace(query, sql=bound[0], params=bound[1], binder=binder,
                                      literal_sql=query.sql,
                                      shapes=query.shapes + (f"params:{binder}",))
                p_verdict, p_run = evaluate(fut, with_params, pushdown)
                checks.append((with_params, p_verdict, p_run,
                               pushdown if binder == "execute" else True))
    for n, (query, verdict, run, mode) in enumerate(checks):
        known = None
        case = Case(fed, query, mode, seed, index)
        if verdict.is_bug:
            known = classify(case, verdict, fut) if classify else None
            out.failures.append(Failure(case, verdict, known))
        mode_tag = "pushdown:on" if mode else "pushdown:off"
        methods = tuple(f"method:{j}" for j in sorted(set(run.joins)))
        path_tag = (f"path:{run.path}",) if run.path in ("local", "mpc") else ()
        threshold = ("group_threshold",) if run.threshold else ()
        out.report.add(query.shapes + (mode_tag,) + methods + path_tag + threshold, verdict,
                       path=run.path, joins=run.joins,
                       known=getattr(known, "item", "") if known else "",
                       seconds=run.seconds, generated=n == 0)
    return True
