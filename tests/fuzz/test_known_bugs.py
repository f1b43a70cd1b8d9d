"""Every known engine bug the random tester has met, as a minimal fixture that must fail
today (strict xfail): a fix makes it pass, and the suite then asks for the entry to move
out of ``fuzz_known_bugs.KNOWN_BUGS`` (into the SQL fixture files, or ``FIXED_BUGS``,
whose fixtures must pass)."""

from __future__ import annotations

import pytest
from fuzz_campaign import Case, evaluate
from fuzz_engine import FederationUnderTest
from fuzz_known_bugs import FIXED_BUGS, KNOWN_BUGS, KnownBug
from fuzz_shrink import describe


@pytest.mark.parametrize(
    "bug", [pytest.param(b, id=b.item, marks=pytest.mark.xfail(strict=True, reason=b.title))
            for b in KNOWN_BUGS] + [pytest.param(b, id=f"fixed-{b.item}") for b in FIXED_BUGS])
def test_known_bug_fixture_agrees_with_duckdb(bug: KnownBug, tmp_path):
    fixture = bug.fixture
    fed = fixture.federation()
    fut = FederationUnderTest(fed.write(tmp_path))
    try:
        query = fixture.query()
        verdict, _ = evaluate(fut, query, fixture.pushdown)
        case = Case(fed, query, fixture.pushdown, 0, 0)
        assert verdict.outcome == "pass", describe(case, verdict)
    finally:
        fut.close()


def test_known_bug_matchers_recognise_their_own_fixture(tmp_path):
    """A matcher that does not recognise its own fixture would let random instances of
    the bug fail the suite, or worse, match something else."""
    for n, bug in enumerate(KNOWN_BUGS):
        fixture = bug.fixture
        fed = fixture.federation()
        fut = FederationUnderTest(fed.write(tmp_path / str(n)))
        try:
            query = fixture.query()
            verdict, _ = evaluate(fut, query, fixture.pushdown)
            if verdict.outcome == "pass":
                continue  # fixed: its strict xfail reports it
            assert bug.matches(Case(fed, query, fixture.pushdown, 0, 0), verdict, fut), bug.item
        finally:
            fut.close()
