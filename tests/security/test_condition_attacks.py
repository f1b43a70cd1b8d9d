"""A condition is an opened comparison for whoever receives what it selects.

A count of the rows ``hidden > 5`` keeps, asked again with other constants, bisects
each value; so does a sum of a CASE, a FILTER clause, a HAVING, a non-equality join
condition or the condition of an EXISTS. Every column such a condition reads must be
PLAINTEXT or PLAINTEXT_AFTER_COMPARE to the asker, under an aggregate too; each attack
has an allowed twin on ``claim.level`` (PLAINTEXT_AFTER_COMPARE to alice).

The group-size threshold counts rows: a query that can repeat a row of the grouped
table (UNION ALL of it twice, a CTE used twice, a self-join) is refused, one whose join
may match a row more than once leaves out the groups of too few distinct rows (see
test_repeated_source_rows.py), and a window partitioned by a grouped-only key is refused.
Federation: tests/security/conftest.py.
"""

from __future__ import annotations

import pytest
from attack_federation import assert_like_duckdb

from scql_py.errors import SecurityError

CONDITION_ATTACKS = {
    "where_under_count": "SELECT COUNT(*) AS n FROM claim WHERE hidden > {x}",
    "where_under_sum": "SELECT SUM(score) AS s FROM claim WHERE hidden > {x}",
    "having": "SELECT g, COUNT(*) AS n FROM claim GROUP BY g HAVING MAX(hidden) > {x}",
    "filter_clause": "SELECT COUNT(*) FILTER (WHERE hidden > {x}) AS n FROM claim",
    "case_inside_sum": "SELECT SUM(CASE WHEN hidden > {x} THEN 1 ELSE 0 END) AS n FROM claim",
    "if_inside_sum": "SELECT SUM(IF(hidden > {x}, 1, 0)) AS n FROM claim",
    "non_equality_join_condition": (
        "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON a.k = c.ck AND c.hidden > {x}"),
    "condition_of_a_cross_join": (
        "SELECT COUNT(*) AS n FROM acct a, claim c WHERE a.id = 0 AND c.hidden > {x}"),
    "exists_with_the_condition_inside": (
        "SELECT COUNT(*) AS n FROM acct a WHERE EXISTS "
        "(SELECT 1 FROM claim c WHERE c.ck = a.k AND c.hidden > {x})"),
    "not_exists_with_the_condition_inside": (
        "SELECT COUNT(*) AS n FROM acct a WHERE NOT EXISTS "
        "(SELECT 1 FROM claim c WHERE c.ck = a.k AND c.hidden > {x})"),
    "in_subquery_with_the_condition_inside": (
        "SELECT COUNT(*) AS n FROM acct WHERE k IN (SELECT ck FROM claim WHERE hidden > {x})"),
    "scalar_subquery_counting": (
        "SELECT a.id, (SELECT COUNT(*) FROM claim c WHERE c.hidden > {x}) AS n "
        "FROM acct a WHERE a.id = 0"),
}


@pytest.mark.parametrize("name", sorted(CONDITION_ATTACKS))
def test_a_condition_on_an_encrypted_column_is_refused(attack_fed, name):
    sql = CONDITION_ATTACKS[name].format(x=5)
    with pytest.raises(SecurityError, match="claim.hidden") as info:
        attack_fed.execute("alice", sql)
    assert info.value.party == "alice" and info.value.level == "ENCRYPTED_ONLY"
    assert "__" not in str(info.value), str(info.value)  # what the user wrote


@pytest.mark.parametrize("name", sorted(CONDITION_ATTACKS))
def test_the_same_condition_on_a_comparable_column_runs(attack_fed, attack_oracle, name):
    sql = CONDITION_ATTACKS[name].format(x=500).replace("hidden", "level")
    assert_like_duckdb(attack_fed, attack_oracle, "alice", sql)


@pytest.mark.parametrize("sql", [
    # an aggregate-only column may be summed, not compared
    "SELECT COUNT(*) AS n FROM claim WHERE score > 50",
    "SELECT SUM(CASE WHEN score > 50 THEN 1 ELSE 0 END) AS n FROM claim",
    "SELECT SUM(score) FILTER (WHERE score > 50) AS s FROM claim",
    # a grouped-only column may be grouped by, not compared
    "SELECT COUNT(*) AS n FROM claim WHERE tier = 'bronze'",
    "SELECT SUM(CASE tier WHEN 'bronze' THEN 1 END) AS n FROM claim",
])
def test_a_condition_on_a_column_the_asker_may_not_compare_is_refused(attack_fed, sql):
    with pytest.raises(SecurityError, match=r"claim\.(score|tier)"):
        attack_fed.execute("alice", sql)


def test_the_owner_may_filter_its_own_columns(attack_fed, attack_oracle):
    assert_like_duckdb(attack_fed, attack_oracle, "bob",
                       "SELECT COUNT(*) AS n FROM claim WHERE hidden > 5")


def test_an_outer_join_condition_on_the_kept_side_is_checked(attack_fed):
    sql = ("SELECT COUNT(*) AS n FROM acct a LEFT JOIN claim c "
           "ON a.k = c.ck AND a.bal > 500")
    with pytest.raises(SecurityError, match="acct.bal") as info:
        attack_fed.execute("bob", sql)
    assert "ON a.bal > 500" in str(info.value)


def test_bisection_of_one_value_is_refused_before_anything_runs(attack_fed):
    """The attack itself: one row isolated by a column alice may compare, its hidden
    value found by halving an interval of constants."""
    for x in (5, 2, 7):
        with pytest.raises(SecurityError):
            attack_fed.execute("alice", "SELECT COUNT(*) AS n FROM claim "
                                        f"WHERE level = 648 AND hidden > {x}")


# --- the group-size threshold counts rows: none may repeat ----------------------------------
SMALL = {"silver", "bronze"}
REPEATS = {
    "union_all_of_the_table_twice": (
        "SELECT x.tier, COUNT(*) AS n FROM (SELECT tier FROM claim UNION ALL "
        "SELECT tier FROM claim) x GROUP BY x.tier"),
    "cte_used_twice": (
        "WITH t AS (SELECT tier FROM claim) SELECT tier FROM t UNION SELECT tier FROM t"),
    "distinct_over_a_repeat": (
        "SELECT DISTINCT x.tier FROM (SELECT tier FROM claim UNION ALL "
        "SELECT tier FROM claim UNION ALL SELECT tier FROM claim "
        "UNION ALL SELECT tier FROM claim) x"),
    "self_join": (
        "SELECT x.t, COUNT(*) AS n FROM (SELECT a.tier AS t FROM claim a, claim b) x "
        "GROUP BY x.t"),
    "cross_join_multiplies_rows": (
        "SELECT c.tier, COUNT(*) AS n FROM claim c, acct a GROUP BY c.tier"),
    "equi_join_on_a_constant_expression": (
        "SELECT c.tier, COUNT(*) AS n FROM claim c JOIN acct a ON c.level * 0 = a.id * 0 "
        "GROUP BY c.tier"),
    "scalar_subquery_on_every_row": (
        "SELECT x.t, COUNT(*) AS n FROM (SELECT (SELECT MIN(tier) FROM claim) AS t "
        "FROM acct) x GROUP BY x.t"),
}


@pytest.mark.parametrize("name", sorted(REPEATS))
def test_repeated_rows_cannot_pass_the_group_threshold(attack_fed, name):
    try:
        rows = attack_fed.execute("alice", REPEATS[name]).table.to_pylist()
    except SecurityError as err:
        assert err.party == "alice" and err.column
        return
    shown = {r.get("tier", r.get("t")) for r in rows}
    assert not shown & SMALL, rows


def test_the_repeat_check_names_the_grouped_column(attack_fed):
    with pytest.raises(SecurityError, match="claim.tier") as info:
        attack_fed.execute("alice", REPEATS["union_all_of_the_table_twice"])
    assert info.value.level == "PLAINTEXT_AFTER_GROUP_BY"


@pytest.mark.parametrize("sql", [
    # a deduplicated side (a semi-join's, a GROUP BY of the key) repeats no row
    "SELECT tier, COUNT(*) AS n FROM claim WHERE ck IN (SELECT k FROM acct) GROUP BY tier",
    "SELECT c.tier, COUNT(*) AS n FROM claim c JOIN (SELECT k FROM acct GROUP BY k) a "
    "ON c.ck = a.k GROUP BY c.tier",
    # two different tables in a UNION ALL
    "SELECT x.tier, COUNT(*) AS n FROM (SELECT tier FROM claim UNION ALL "
    "SELECT region FROM acct) x GROUP BY x.tier",
])
def test_groups_over_rows_that_cannot_repeat_keep_the_threshold(attack_fed, attack_oracle, sql):
    res = attack_fed.execute("alice", sql)
    shown = {r["tier"] for r in res.table.to_pylist()}
    assert "gold" in shown and not shown & SMALL, shown


@pytest.mark.parametrize("sql", [
    "SELECT DISTINCT COUNT(*) OVER (PARTITION BY tier) AS n FROM claim",
    "SELECT MAX(r) AS n FROM (SELECT ROW_NUMBER() OVER (PARTITION BY tier) AS r "
    "FROM claim) x",
    "SELECT DISTINCT COUNT(*) OVER (PARTITION BY UPPER(tier)) AS n FROM claim",
])
def test_a_window_over_a_grouped_only_key_is_refused(attack_fed, sql):
    with pytest.raises(SecurityError, match="claim.tier") as info:
        attack_fed.execute("alice", sql)
    assert "threshold" in str(info.value)


def test_the_owner_may_partition_by_its_own_key(attack_fed, attack_oracle):
    assert_like_duckdb(attack_fed, attack_oracle, "bob",
                       "SELECT DISTINCT COUNT(*) OVER (PARTITION BY tier) AS n FROM claim")
