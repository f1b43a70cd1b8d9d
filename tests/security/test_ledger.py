"""The ledger: the plan lists every opening, EXPLAIN says it, the executor checks it.

The checks are tested by breaking the protocol on purpose (an opening to everyone, an
opening the plan does not list): the query must then fail with InternalError.
"""

from __future__ import annotations

import pytest

from scql_py.engine import reveal as reveal_module
from scql_py.errors import InternalError
from scql_py.mpc import rss

JOIN_COUNT = "SELECT COUNT(*) AS n FROM claim c JOIN acct a ON c.cid = a.k"
ROWS = "SELECT a.id, c.amount FROM acct a JOIN claim c ON a.k = c.ck"


def test_every_step_lists_its_openings(attack_fed):
    plan = attack_fed.plan("alice", ROWS)
    assert all("opens" in s.args for s in plan.steps)
    results = [o for s in plan.steps for o in s.args["opens"] if o[0] == "the result"]
    assert results == [["the result", ["alice"], False]]


def test_explain_tells_each_party_what_it_learns(attack_fed):
    text = attack_fed.explain("alice", JOIN_COUNT)
    learns = text.split("what each party learns:")[1]
    lines = {line.split(":")[0].strip(): line for line in learns.strip().splitlines()}
    assert "the result" in lines["alice"]
    for other in ("bob", "carol"):
        assert "the result" not in lines[other]
        assert "row count" in lines[other]  # sizes are opened to every computing party


def test_result_opened_to_everyone_is_caught(attack_fed, monkeypatch):
    def to_everyone(rt, items, to):
        return [rss.reveal(rt, x, None, what=what) for x, what in items]

    monkeypatch.setattr(reveal_module.rss, "reveal_many", to_everyone)
    with pytest.raises(InternalError, match="opened the result to alice, bob, carol"):
        attack_fed.execute("alice", ROWS)


def test_an_opening_the_plan_does_not_list_is_caught(attack_fed, monkeypatch):
    real = rss.reveal_many

    def unlisted(rt, items, to):
        return real(rt, [(x, "values") for x, _ in items], to)

    monkeypatch.setattr(reveal_module.rss, "reveal_many", unlisted)
    with pytest.raises(InternalError, match="which the plan does not list"):
        attack_fed.execute("alice", ROWS)
