"""Attacks on the join rewrites that let one owner join its own tables: equalities
rewritten to join them directly (sql/equivalent_keys.py), one owner's later tables
joined at that owner first (join_graph.owner_runs), and the conditions on one table an
OR implies (sql/or_implied.py).

Each moves work to an owner or below a join; none may let a query pass that would be
refused as written: the keys an owner now compares itself are still shown to the asker
by the joins above them, and an implied condition reads only columns the OR reads. Each
attack has an allowed twin that must still run and give DuckDB's answer.

Federation: tests/security/conftest.py (alice owns acct, bob owns claim).
"""

from __future__ import annotations

import pytest
from test_ccl_attacks import assert_like_duckdb

from scql_py.catalog import load_catalog
from scql_py.errors import SecurityError
from scql_py.sql.planner import plan_query

REFUSED = {
    # c1.cid = c2.cid becomes bob's own join; the join with alice still compares cid
    "equal_keys_through_the_asker_on_an_encrypted_key": (
        "SELECT a.id FROM claim c1, acct a, claim c2 WHERE c1.cid = a.k AND a.k = c2.cid",
        "claim.cid",
    ),
    # bob joins c1 and c2 himself, on a key the asker may not see compared
    "owner_run_joined_on_an_encrypted_key": (
        "SELECT a.id FROM acct a, acct a2, claim c1, claim c2 "
        "WHERE a.k = c1.ck AND c1.hidden = c2.hidden AND a2.id = a.id",
        "claim.hidden",
    ),
    # the implied condition on claim reads score, as the OR does
    "or_over_an_aggregate_only_column": (
        "SELECT a.id FROM acct a, claim c WHERE a.k = c.ck "
        "AND ((a.id = 1 AND c.score > 5) OR (a.id = 2 AND c.score < 3))",
        "claim.score",
    ),
}

ALLOWED = {
    # ck is not PLAINTEXT: no equality of c1.ck and c2.ck is added (bob's own join of
    # them would show alice which of his rows match, where the query shows her only
    # which match hers): the query runs as written
    "equal_keys_through_the_asker": (
        "SELECT a.id, c2.ck FROM claim c1, acct a, claim c2 WHERE c1.ck = a.k AND a.k = c2.ck",
        None,
    ),
    "owner_run_joined_on_a_compare_column": (
        "SELECT a.id FROM acct a, acct a2, claim c1, claim c2 "
        "WHERE a.k = c1.ck AND c1.level = c2.level AND a2.id = a.id",
        "bob",
    ),
    "or_over_a_compare_column": (
        "SELECT a.id FROM acct a, claim c WHERE a.k = c.ck "
        "AND ((a.id < 5 AND c.level > 5) OR (a.id > 20 AND c.level < 3))",
        None,
    ),
}


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_attack_is_refused(attack_fed, name):
    sql, culprit = REFUSED[name]
    with pytest.raises(SecurityError, match=culprit):
        attack_fed.execute("alice", sql)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_twin_runs(attack_fed, attack_oracle, attack_catalog, name):
    sql, owner = ALLOWED[name]
    if owner is not None:  # the owner joins its two tables in one local step
        plan = plan_query(load_catalog(attack_catalog), "alice", sql)
        assert any(
            s.op == "local" and s.party == owner and s.args["sql"].count('"claim"') == 2
            for s in plan.steps
        ), plan.steps
    assert_like_duckdb(attack_fed, attack_oracle, "alice", sql)
