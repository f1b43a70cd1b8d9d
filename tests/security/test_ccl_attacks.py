"""Attacks an asker who writes the SQL would try, each with an allowed twin that must
still run and give DuckDB's answer (so that refusing everything fails these tests).

Each refusal is a SecurityError naming the column that blocks it, before any data moves.
"""

from __future__ import annotations

import pytest
from attack_federation import NOTES, attack_tests

from scql_py.errors import Error

REFUSED = {
    # 2. membership of an ENCRYPTED_ONLY key through a secret join under DISTINCT/GROUP BY
    "distinct_own_key_over_encrypted_join": (
        "alice", "SELECT DISTINCT a.k + 0 AS k FROM claim c JOIN acct a ON c.cid = a.k + 0",
        "claim.cid"),
    "sum_per_own_key_over_encrypted_join": (
        "alice", "SELECT a.k, SUM(a.bal) AS s FROM claim c JOIN acct a ON c.cid = a.k "
                 "GROUP BY a.k", "claim.cid"),
    "encrypted_column_inside_join_key": (
        "alice", "SELECT a.region, COUNT(*) AS n FROM claim c JOIN acct a "
                 "ON CASE WHEN c.hidden < 5 THEN c.ck ELSE 0 END = a.k GROUP BY a.region",
        "claim.hidden"),
    "min_of_own_rows_over_encrypted_join": (
        "alice", "SELECT MIN(a.id) AS first FROM claim c JOIN acct a ON c.cid = a.k",
        "claim.cid"),
    # 3. payload and keys lifted only for inner joins, the parties in them, other data
    "payload_of_unmatched_rows_in_right_join": (
        "alice", "SELECT a.id, c.amount FROM acct a RIGHT JOIN claim c ON a.k = c.ck",
        "claim.amount"),
    "payload_of_unmatched_rows_in_left_join": (
        "alice", "SELECT a.id, c.amount FROM claim c LEFT JOIN acct a ON a.k = c.ck",
        "claim.amount"),
    "self_join_shows_the_whole_key": (
        "alice", "SELECT c1.ck FROM claim c1 JOIN claim c2 ON c1.ck = c2.ck", "claim.ck"),
    "third_party_sees_payload": (
        "carol", "SELECT c.amount FROM acct a JOIN claim c ON a.k = c.ck", "claim.amount"),
    "third_party_sees_intersection": (
        "carol", "SELECT a.k FROM acct a JOIN claim c ON a.k = c.ck", "acct.k"),
    # 5. a window's ORDER BY key is a rank, even when only filtered on
    "row_number_over_aggregate_only_column": (
        "bob", "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY bal) AS rn FROM acct) t "
               "WHERE rn <= 3", "acct.bal"),
    "rank_one_returns_a_raw_value": (
        "bob", "SELECT id FROM (SELECT id, RANK() OVER (PARTITION BY region ORDER BY bal DESC) "
               "AS r FROM acct) t WHERE r = 1", "acct.bal"),
    "row_number_under_a_sum_returns_a_raw_value": (
        "bob", "SELECT SUM(id) AS n FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY bal) AS rn "
               "FROM acct) t WHERE rn = 1", "acct.bal"),
    "row_number_under_max_returns_the_top_value": (
        "bob", "SELECT MAX(bal) AS b FROM (SELECT bal, ROW_NUMBER() OVER (ORDER BY bal DESC) "
               "AS rn FROM acct) t WHERE rn = 1", "acct.bal"),
    "order_by_aggregate_only_column_limit": (
        "bob", "SELECT id FROM acct ORDER BY bal LIMIT 3", "acct.bal"),
}

ALLOWED = {
    "count_over_encrypted_join": (
        "alice", "SELECT COUNT(*) AS n, SUM(a.bal) AS s FROM claim c JOIN acct a ON c.cid = a.k"),
    "distinct_own_key_over_join_key_after_join": (
        "alice", "SELECT DISTINCT a.k FROM claim c JOIN acct a ON c.ck = a.k"),
    "inner_join_payload": (
        "alice", "SELECT a.id, c.amount FROM acct a JOIN claim c ON a.k = c.ck"),
    "groups_of_the_askers_column_over_a_join_on_keys_after_join": (
        "alice", "SELECT a.region, COUNT(*) AS n, SUM(c.score) AS s FROM acct a "
                 "JOIN claim c ON a.k = c.ck GROUP BY a.region"),
    "filter_on_the_other_key_below_the_join": (
        "alice", "SELECT a.id, c.ck FROM acct a JOIN claim c ON a.k = c.ck WHERE c.ck > 110"),
    "where_equality_of_compare_only_columns_becomes_a_join": (
        "alice", "SELECT a.id FROM acct a, claim c WHERE a.bal = c.level"),
    "row_number_over_plain_column": (
        "bob", "SELECT id FROM (SELECT id, ROW_NUMBER() OVER (ORDER BY id) AS rn FROM acct) t "
               "WHERE rn <= 3"),
}


test_attack_is_refused, test_allowed_twin_runs = attack_tests(REFUSED, ALLOWED)


# 1. an owner's error text (or whether it fails at all) must not carry its values
ERROR_PROBES = [
    "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON CAST(c.note AS BIGINT) = a.k",
    # (the row of ck 105, picked by a column alice may compare: level)
    "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON CAST(c.score AS BIGINT) * "
    "(CASE WHEN c.level = 648 THEN 9223372036854775807 ELSE 0 END) = a.k",
    "SELECT SUM(CAST(c.note AS BIGINT)) AS s FROM claim c",
    # a decimal of more than 18 digits (2.25 - n), past 2^63 units only for that row
    "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON 2.25 - CAST(c.score AS BIGINT) * "
    "(CASE WHEN c.level = 648 THEN 92233720368547758 ELSE 0 END) = a.k",
    # a real past 2^47 (no fixed-point value) only for that row
    "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON c.score * "
    "(CASE WHEN c.level = 648 THEN 1e300 ELSE 0e0 END) = a.k",
]


@pytest.mark.parametrize("sql", ERROR_PROBES)
def test_owner_errors_do_not_reach_the_asker(attack_fed, sql):
    try:
        attack_fed.execute("alice", sql)
    except Error as err:
        assert not any(note in str(err) for note in NOTES), str(err)
        assert "9223372036854775807" not in str(err)
        raise AssertionError(f"the owner's data decided that the query fails: {err}") from None


def test_the_askers_own_errors_are_shown(attack_fed):
    with pytest.raises(Error, match="north|Could not convert|conversion"):
        attack_fed.execute("alice", "SELECT SUM(CAST(region AS BIGINT)) AS s FROM acct")
