"""Random queries over random federations must agree with DuckDB (issue 11).

By default a fixed set of federation seeds runs, ``DEFAULT_QUERIES`` queries each (the
first queries of each seed's own 30: every federation shape, in half a minute).
Environment:

``SCQL_FUZZ_QUERIES=N``  run N queries in all, spread over federations of
                         ``QUERIES_PER_SEED`` queries each (long runs: thousands)
``SCQL_FUZZ_SEED=S``     start at federation seed S (default: the fixed seed set);
                         ``S:I`` replays query I of federation S alone
``SCQL_FUZZ_SHRINK=...`` ``unknown`` (default): shrink failures no known bug explains;
                         ``all``: shrink every failure; ``none``
``SCQL_FUZZ_LOG=FILE``   append every failure (and its minimal case) as a JSON line
``SCQL_FUZZ_ONLY=TAGS``  run only queries tagged with one of these shapes (comma
                         separated, e.g. ``like_pattern,window_frame_rows``): N of them
                         per federation seed, found among its first indexes
``SCQL_FUZZ_REPORT=FILE`` write the end-of-session report (per shape, ...) as JSON
                         (printed too when run with ``-n 0``: the suite runs on two
                         pytest-xdist workers, whose output the terminal does not show)

A failure that matches a known bug (``fuzz_known_bugs``) is reported, not failed on;
any other fails the test with its minimal case and the line that replays it.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from fuzz_campaign import Failure, run_seed
from fuzz_known_bugs import classify
from fuzz_report import SESSION_REPORT
from fuzz_shrink import Shrinker, describe

DEFAULT_SEEDS = (1, 3, 4, 11)  # 11: four parties, a data party and a compute-only helper
QUERIES_PER_SEED = 30
# the default run keeps every seed (its federation shape) and cuts queries per seed: the
# queries of an index are the same whatever the count, and campaigns run the thousands
DEFAULT_QUERIES = 15
SHRINK_SECONDS = 60.0
SHRINKS_PER_SEED = 3  # in the default run: a few minimal cases tell the story


def _plan() -> list[tuple[int, int, int | None]]:
    """(federation seed, queries, only this query index) per test."""
    seed_text = os.environ.get("SCQL_FUZZ_SEED", "").strip()
    total = os.environ.get("SCQL_FUZZ_QUERIES", "").strip()
    if ":" in seed_text:
        seed, index = (int(x) for x in seed_text.split(":"))
        return [(seed, index + 1, index)]
    if not total:
        if seed_text:
            return [(int(seed_text), QUERIES_PER_SEED, None)]
        return [(s, DEFAULT_QUERIES, None) for s in DEFAULT_SEEDS]
    n, first = int(total), int(seed_text) if seed_text else 1000
    plan = []
    while n > 0:
        plan.append((first + len(plan), min(n, QUERIES_PER_SEED), None))
        n -= QUERIES_PER_SEED
    return plan


LONG_RUN = bool(os.environ.get("SCQL_FUZZ_QUERIES"))


class _ReportAtTheEnd:
    """Prints the session report after the test summary (a plugin registered at run
    time: a conftest here would shadow the ``conftest`` other test directories import)."""

    def pytest_terminal_summary(self, terminalreporter):
        if not SESSION_REPORT.by_shape:
            return
        terminalreporter.write_line("")
        for line in (SESSION_REPORT.render() + "\n"
                     + SESSION_REPORT.render_reasons(top=15)).splitlines():
            terminalreporter.write_line(line)
        _write_report()


def _write_report() -> None:
    path = os.environ.get("SCQL_FUZZ_REPORT")
    if path and SESSION_REPORT.by_shape:
        Path(path).write_text(SESSION_REPORT.to_json(), encoding="utf-8")


@pytest.fixture(scope="module", autouse=True)
def _report_at_the_end(request):
    manager = request.config.pluginmanager
    if not manager.has_plugin("scql-fuzz-report"):
        manager.register(_ReportAtTheEnd(), "scql-fuzz-report")
    yield
    # written here, in the process that ran the tests: under pytest-xdist the summary
    # above is printed by no one (run long campaigns with -n 0 to see it)
    _write_report()


def _log(failure: Failure) -> None:
    path = os.environ.get("SCQL_FUZZ_LOG")
    if not path:
        return
    case, verdict = failure.minimal or failure.case, failure.minimal_verdict or failure.verdict
    record = {
        "replay": failure.case.replay, "pushdown": failure.case.pushdown,
        "asker": failure.case.query.asker, "shapes": failure.case.query.shapes,
        "outcome": failure.verdict.outcome, "kind": failure.verdict.kind,
        "error": failure.verdict.error_class, "detail": failure.verdict.detail[:500],
        "known": failure.known.item if failure.known else None,
        "sql": failure.case.query.sql, "minimal_sql": case.query.sql,
        "minimal": describe(case, verdict) if failure.minimal else None,
    }
    with open(path, "a", encoding="utf-8") as f:
        f.write(json.dumps(record, default=str) + "\n")


@pytest.mark.timeout(0 if LONG_RUN else 600)
@pytest.mark.parametrize(("seed", "count", "index"), _plan(),
                         ids=lambda v: str(v) if v is not None else "all")
def test_random_queries_agree_with_duckdb(seed, count, index, tmp_path):
    focus = frozenset(t for t in os.environ.get("SCQL_FUZZ_ONLY", "").split(",") if t)
    run = run_seed(seed, count, only_index=index, classify=classify, workdir=tmp_path,
                   focus=focus)
    SESSION_REPORT.merge(run.report)
    policy = os.environ.get("SCQL_FUZZ_SHRINK", "unknown")
    budget = SHRINKS_PER_SEED if not LONG_RUN else len(run.failures)
    for failure in run.failures:
        wanted = policy == "all" or (policy == "unknown" and failure.known is None)
        if wanted and budget > 0:
            budget -= 1
            failure.minimal, failure.minimal_verdict = Shrinker(
                failure.case, failure.verdict, max_seconds=SHRINK_SECONDS,
                workdir=tmp_path, classify=classify, known=failure.known).shrink()
        _log(failure)
        SESSION_REPORT.failures.append({
            "replay": failure.case.replay, "outcome": failure.verdict.outcome,
            "kind": failure.verdict.kind, "known": failure.known.item if failure.known else None})
    known = [f for f in run.failures if f.known is not None]
    for f in known:
        print(f"known bug {f.known.item}: {f.case.replay} {f.verdict.outcome} {f.verdict.kind}")
    unknown = [f for f in run.failures if f.known is None]
    assert not unknown, "\n\n".join(
        describe(f.minimal or f.case, f.minimal_verdict or f.verdict) for f in unknown)
