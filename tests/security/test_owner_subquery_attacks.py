"""Attacks on WHERE subqueries that one owner evaluates in its own local step
(sql/owner_subqueries.py): a conjunct over one FROM table whose subquery reads only
that table's owner's tables filters the table at its owner, before the joins.

An asker who writes the SQL would try to make an owner evaluate a subquery that also
reads another party's table (an owner would then hold the other's plaintext), or to
have a condition the CCL refuses above the joins slip through once it is moved below
them. Each attack has an allowed twin that must still be evaluated by the owner and
give DuckDB's answer.

Federation: tests/security/conftest.py (alice owns acct, bob owns claim).
"""

from __future__ import annotations

import pytest
import sqlglot
from attack_federation import assert_like_duckdb
from sqlglot import exp

from scql_py.catalog import load_catalog
from scql_py.errors import SecurityError
from scql_py.sql.planner import plan_query

JOIN = "SELECT a.id, c.ck FROM acct a JOIN claim c ON a.k = c.ck WHERE "

# a subquery that reads another party's table than the one its conjunct filters: it
# must not reach the filtered table's owner, and the answer must be DuckDB's
NOT_AT_ONE_OWNER = {
    "other_partys_table": "c.ck IN (SELECT k FROM acct WHERE bal > 10)",
    "nested_other_partys_table": "a.k IN (SELECT k FROM acct WHERE id IN (SELECT ck FROM claim))",
    "union_with_other_partys_table": "a.k IN (SELECT u.k FROM (SELECT k FROM acct "
    "UNION ALL SELECT level AS k FROM claim) AS u)",
    "correlated_with_two_tables": "EXISTS (SELECT 1 FROM acct a2 WHERE a2.k = c.ck "
    "AND a2.id <> a.id)",
    "scalar_of_other_party": "a.bal > (SELECT MIN(level) FROM claim)",
}

# moved below the joins, a condition is checked as it is above them
REFUSED = {
    "in_on_an_encrypted_column": (
        "c.hidden IN (SELECT hidden FROM claim WHERE score > 50)",
        "claim.hidden",
    ),
    "not_exists_not_equal_on_an_encrypted_column": (
        "NOT EXISTS (SELECT 1 FROM claim c2 WHERE c2.ck = c.ck AND c2.hidden <> c.hidden)",
        "claim.hidden",
    ),
    "in_grouped_having_an_encrypted_column": (
        "c.level IN (SELECT level FROM claim GROUP BY level HAVING MIN(hidden) > 3)",
        "claim.hidden",
    ),
}

# evaluated by the owner of the filtered table, in its local step
AT_THE_OWNER = {
    "in_on_a_compare_column": ("bob", "c.level IN (SELECT level FROM claim WHERE level > 2)"),
    "exists_on_a_compare_column": (
        "bob",
        "EXISTS (SELECT 1 FROM claim c2 WHERE c2.level - 1 = c.level)",
    ),
    "not_in_own_keys": ("alice", "a.k NOT IN (SELECT k FROM acct WHERE bal > 50)"),
}


def _local_tables(plan, catalog) -> list[tuple[str, str]]:
    """(party of a local step, owner of a table its SQL reads) for every local step."""
    out = []
    for step in plan.steps:
        if step.op == "local":
            for t in sqlglot.parse_one(step.args["sql"], dialect="duckdb").find_all(exp.Table):
                if t.name.lower() in catalog.tables:
                    out.append((step.party, catalog.tables[t.name.lower()].owner))
    return out


@pytest.mark.parametrize("name", sorted(NOT_AT_ONE_OWNER))
def test_no_owner_evaluates_another_partys_table(attack_fed, attack_oracle, attack_catalog, name):
    sql = JOIN + NOT_AT_ONE_OWNER[name]
    catalog = load_catalog(attack_catalog)
    plan = plan_query(catalog, "alice", sql)
    assert all(party == owner for party, owner in _local_tables(plan, catalog)), name
    assert_like_duckdb(attack_fed, attack_oracle, "alice", sql)


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_moved_condition_is_still_refused(attack_fed, name):
    condition, culprit = REFUSED[name]
    with pytest.raises(SecurityError, match=culprit):
        attack_fed.execute("alice", JOIN + condition)


@pytest.mark.parametrize("name", sorted(AT_THE_OWNER))
def test_allowed_twin_runs_at_the_owner(attack_fed, attack_oracle, attack_catalog, name):
    owner, condition = AT_THE_OWNER[name]
    sql = JOIN + condition
    catalog = load_catalog(attack_catalog)
    plan = plan_query(catalog, "alice", sql)
    # the owner's local steps read its table twice: the FROM table and the subquery's
    reads = [o for party, o in _local_tables(plan, catalog) if party == owner]
    assert len(reads) > 1 and set(reads) == {owner}, f"{name}: not at {owner}: {plan.steps}"
    assert not any(s.op == "secret_join" for s in plan.steps), name
    assert_like_duckdb(attack_fed, attack_oracle, "alice", sql)
