"""EXPLAIN ANALYZE: per step and party, seconds, rounds and bytes, read from the
communicator's counters, so that they add up to its totals; the query's result and
openings are those of the same query run plainly, and nothing of another party's data
is printed."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from scql_py.cluster.federation import Federation
from scql_py.engine.profile import QueryProfile, render_profiles
from scql_py.errors import InternalError

REPO = Path(__file__).resolve().parents[2]
HEALTH = REPO / "catalogs" / "health.toml"
# a PSI join, a grouping by the hospital's keys, a secure sort and a reveal
SQL = (REPO / "queries" / "health_claims_by_diagnosis.sql").read_text()
ASKER = "insurer"


@pytest.fixture(scope="module")
def fed():
    with Federation(HEALTH) as f:
        yield f


@pytest.fixture(scope="module")
def runs(fed):
    """The query run plainly, then under EXPLAIN ANALYZE: (result, its openings, the
    analysis, its openings)."""
    plain = fed.execute(ASKER, SQL)
    opened = openings_of(fed)
    text = fed.explain(ASKER, SQL, analyze=True)
    return plain, opened, text, openings_of(fed)


def openings_of(fed: Federation) -> dict[str, set]:
    """What each party's engine opened in its last query, and to whom (how many
    comparisons a sort opens depends on its random shuffle)."""
    return {e.party: {(o.what, o.to) for o in e.rt.openings} for e in fed.engines}


def test_steps_add_up_to_the_communicators_totals(fed, runs):
    result = runs[0]
    plan = fed.plan(ASKER, SQL)
    assert set(result.profile) == {"hospital", "insurer", "bank"}
    for party, prof in result.profile.items():
        assert [s.step for s in prof.steps] == ["setup"] + [s.id for s in plan.steps]
        assert [s.op for s in prof.steps[1:]] == [s.op for s in plan.steps]
        total = prof.totals()
        stats = result.stats[party]
        assert (total.rounds, total.bytes_sent, total.bytes_received) == (
            stats["rounds"], stats["bytes_sent"], stats["bytes_received"]), party
        for s in prof.steps:
            if not s.ran:  # another party's local step
                assert (s.seconds, s.rounds, s.bytes_sent, s.bytes_received) == (0, 0, 0, 0)
    # the secure steps run in lockstep: every computing party counts the same rounds
    by_step = {s.step: {p: prof.steps[i].rounds for p, prof in result.profile.items()}
               for i, s in enumerate(result.profile[ASKER].steps)}
    assert len(set(by_step["s3"].values())) == 1 and by_step["s3"][ASKER] > 0
    assert by_step["s0"] == {"hospital": 0, "insurer": 0, "bank": 0}
    sent = sum(prof.totals().bytes_sent for prof in result.profile.values())
    received = sum(prof.totals().bytes_received for prof in result.profile.values())
    assert sent == received > 0


def test_analyze_opens_what_the_query_opens(fed, runs):
    plain, opened, text, opened_by_analyze = runs
    assert opened_by_analyze == opened
    assert text.startswith(fed.explain(ASKER, SQL))
    assert f"result: {plain.table.num_rows} row(s), 3 column(s)" in text
    for step in fed.plan(ASKER, SQL).steps:
        assert any(line.split()[:2] == [step.id, step.op] for line in text.splitlines())


def test_analyze_prints_no_data(runs):
    """Neither the result (that is the query's, not EXPLAIN's) nor any party's values."""
    result, _, text, _ = runs
    analysis = text[text.index("analyze:"):]
    # the result's averages (long decimals), and every word of the parties' tables
    # (diagnoses, statuses, dates, timestamps): the analysis itself prints only
    # numbers, party names and step names, so none may appear in it even as a part
    values = {repr(v) for v in result.table.column("mean_claim").to_pylist()}
    for name in ("patients", "claims", "accounts"):
        with open(REPO / "catalogs" / "health" / f"{name}.csv", newline="") as f:
            rows = list(csv.reader(f))[1:]
        values |= {v for row in rows for v in row if len(v) >= 3 and not _number(v)}
    values |= {str(v) for v in result.table.column("diagnosis").to_pylist()}
    assert values
    leaked = sorted(v for v in values if v in analysis)
    assert not leaked, leaked[:5]


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True


def test_a_profile_from_a_peer_is_checked():
    good = [{"step": "s1", "op": "share", "seconds": 0.5, "rounds": 3, "bytes_sent": 10,
             "bytes_received": 20, "ran": True}]
    assert QueryProfile.from_json(good).totals().rounds == 3
    for bad in (None, {}, [1], [{**good[0], "rounds": -1}], [{**good[0], "rounds": 1.5}],
                [{**good[0], "step": 3}], [{k: v for k, v in good[0].items() if k != "ran"}]):
        with pytest.raises(InternalError):
            QueryProfile.from_json(bad)


def test_render_marks_steps_a_party_takes_no_part_in():
    prof = QueryProfile.from_json([
        {"step": "s0", "op": "local", "seconds": 0.25, "rounds": 0, "bytes_sent": 0,
         "bytes_received": 0, "ran": True},
        {"step": "s1", "op": "share", "seconds": 1.0, "rounds": 3, "bytes_sent": 2_500_000,
         "bytes_received": 0, "ran": True}])
    other = QueryProfile.from_json([
        {"step": "s0", "op": "local", "seconds": 0, "rounds": 0, "bytes_sent": 0,
         "bytes_received": 0, "ran": False},
        {"step": "s1", "op": "share", "seconds": 0.5, "rounds": 3, "bytes_sent": 0,
         "bytes_received": 2_500_000, "ran": True}])
    lines = render_profiles({"a": prof, "b": other}, 1.5).splitlines()
    assert lines[0].startswith("analyze: the query ran in 1.500 s")
    s0 = next(line for line in lines if line.split()[0] == "s0")
    assert s0.split()[-1] == "-"
    total = next(line for line in lines if line.split()[0] == "total").split()
    assert total[:7] == ["total", "1.250", "s", "3", "r", "2.50", "MB"]
