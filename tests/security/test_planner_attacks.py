"""Attacks through the planner's constructs (CTEs, join orders, cross joins, OR
factoring, decorrelated subqueries, set operations), each with an allowed twin that must
still run and give DuckDB's answer.

A construct must not open more than the plain query it abbreviates: a CTE is the
subquery it names, a cross join compares no key and so lifts no join payload, an
INTERSECT or EXCEPT across parties is a membership test (a semi- or anti-join) and needs
what that join needs.
"""

from __future__ import annotations

import pytest
from attack_federation import attack_tests

from scql_py.cluster.federation import Federation
from scql_py.errors import NotSupportedError

REFUSED = {
    "cte_hides_an_encrypted_column": (
        "alice", "WITH c AS (SELECT ck, hidden FROM claim) SELECT hidden FROM c", "claim.hidden"),
    "cte_used_twice_as_a_self_join": (
        "alice", "WITH c AS (SELECT ck FROM claim) SELECT x.ck FROM c x JOIN c y ON x.ck = y.ck",
        "claim.ck"),
    # a cross join compares no key: no column of it is a join payload
    "cross_join_payload": (
        "alice", "SELECT a.id, c.amount FROM acct a CROSS JOIN claim c", "claim.amount"),
    "comma_cross_join_payload": (
        "alice", "SELECT a.id, c.amount FROM acct a, claim c WHERE a.id < 3", "claim.amount"),
    "cross_join_filter_on_an_aggregate_only_column": (
        "alice", "SELECT a.id FROM acct a, claim c WHERE c.score > 50", "claim.score"),
    # an equality common to every branch of an OR is a join key like any other
    "or_common_equality_on_an_encrypted_key": (
        "alice", "SELECT a.id FROM acct a, claim c WHERE (a.k = c.cid AND a.id < 5) "
                 "OR (c.cid = a.k AND a.id > 30)", "claim.cid"),
    "join_graph_reordered_key_still_checked": (
        "alice", "SELECT a.id FROM acct a, acct b, claim c WHERE a.k = c.cid AND b.id = a.id",
        "claim.cid"),
    # a decorrelated subquery's groups reach the outer rows through a join on its
    # correlation: that join's keys are checked as any join's
    "correlated_count_per_encrypted_key": (
        "alice", "SELECT a.id, (SELECT COUNT(*) FROM claim c WHERE c.cid = a.k) AS n FROM acct a",
        "claim.cid"),
    "correlated_scalar_on_encrypted_key": (
        "alice", "SELECT a.id FROM acct a WHERE a.bal > "
                 "(SELECT SUM(c.score) FROM claim c WHERE c.cid = a.k)", "claim.cid"),
    "exists_correlated_by_a_group_by_only_column": (
        "alice", "SELECT a.id FROM acct a WHERE EXISTS (SELECT 1 FROM claim c "
                 "WHERE c.g = a.region AND c.level <> a.bal)", "claim.g"),
    "exists_not_equal_string_on_an_aggregate_only_column": (
        "alice", "SELECT a.id FROM acct a WHERE EXISTS (SELECT 1 FROM claim c "
                 "WHERE c.ck = a.k AND c.note <> a.region)", "claim."),
    "correlated_scalar_on_a_group_by_only_column": (
        "alice", "SELECT a.id, (SELECT SUM(c.score) FROM claim c WHERE c.g = a.region) AS s "
                 "FROM acct a", "claim.g"),
    "exists_not_equal_on_an_encrypted_column": (
        "alice", "SELECT a.id FROM acct a WHERE EXISTS (SELECT 1 FROM claim c "
                 "WHERE c.ck = a.k AND c.hidden <> a.id)", "claim.hidden"),
    "exists_less_than_an_encrypted_column": (
        "alice", "SELECT a.id FROM acct a WHERE NOT EXISTS (SELECT 1 FROM claim c "
                 "WHERE c.ck = a.k AND c.hidden < a.id)", "claim.hidden"),
    "in_subquery_in_select_list_shows_membership": (
        "alice", "SELECT a.id, a.k IN (SELECT cid FROM claim) AS m FROM acct a", "claim.cid"),
    "exists_inside_or_shows_membership": (
        "alice", "SELECT a.id FROM acct a WHERE a.id < 2 OR EXISTS "
                 "(SELECT 1 FROM claim c WHERE c.cid = a.k)", "claim.cid"),
    "any_over_an_encrypted_column": (
        "alice", "SELECT id FROM acct WHERE bal > ANY (SELECT hidden FROM claim)", "claim.hidden"),
    "all_over_an_encrypted_column": (
        "alice", "SELECT id FROM acct WHERE bal <= ALL (SELECT hidden FROM claim)", "claim.hidden"),
}

ALLOWED = {
    "correlated_sum_per_key_after_join": (
        "alice", "SELECT a.id, (SELECT SUM(c.score) FROM claim c WHERE c.ck = a.k) AS s "
                 "FROM acct a"),
    "exists_not_equal_on_a_compare_column": (
        "alice", "SELECT a.id FROM acct a WHERE EXISTS (SELECT 1 FROM claim c "
                 "WHERE c.ck = a.k AND c.level <> a.bal)"),
    "in_subquery_in_select_list_on_keys_after_join": (
        "alice", "SELECT a.id, a.k IN (SELECT ck FROM claim) AS m FROM acct a"),
    "any_over_an_aggregate_column": (
        "alice", "SELECT id FROM acct WHERE bal > ANY (SELECT score FROM claim)"),
    "cte_over_join_keys_after_join": (
        "alice", "WITH c AS (SELECT ck, amount FROM claim) "
                 "SELECT a.id, c.amount FROM acct a JOIN c ON a.k = c.ck"),
    "cross_join_aggregates": (
        "alice", "SELECT COUNT(*) AS n, SUM(c.score) AS s FROM acct a CROSS JOIN claim c "
                 "WHERE a.id < 2"),
    "cross_join_plain_columns": (
        "bob", "SELECT a.id, c.ck FROM acct a, claim c WHERE a.id < 2 AND c.ck < 103"),
    "or_common_equality_on_keys_after_join": (
        "alice", "SELECT a.id FROM acct a, claim c WHERE (a.k = c.ck AND a.id < 5) "
                 "OR (c.ck = a.k AND a.id > 15)"),
}


test_attack_is_refused, test_allowed_twin_runs = attack_tests(REFUSED, ALLOWED)


def test_cross_join_above_the_bound_is_refused_before_it_runs(attack_catalog):
    with Federation(attack_catalog, max_rows=1000) as fed:
        with pytest.raises(NotSupportedError, match=r"CROSS JOIN of 40 x 40 rows.*1,000"):
            fed.execute("alice", "SELECT COUNT(*) AS n FROM acct a CROSS JOIN claim c")
        n = fed.execute("alice", "SELECT COUNT(*) AS n FROM acct a CROSS JOIN claim c "
                                 "WHERE a.id < 2")
        assert n.table.column(0).to_pylist() == [80]


# INTERSECT and EXCEPT across parties are membership tests, and a FULL JOIN shows which
# rows of each side have a partner: the keys of the semi- or anti-joins they are made
# of must pass the CCL of a join shown to the asker
SET_OPERATIONS_REFUSED = {
    "intersect_with_an_encrypted_column": (
        "alice", "SELECT k FROM acct INTERSECT SELECT cid FROM claim", "claim.cid"),
    "except_with_an_encrypted_column": (
        "alice", "SELECT k FROM acct EXCEPT SELECT cid FROM claim", "claim.cid"),
    "intersect_with_an_aggregate_only_column": (
        "alice", "SELECT bal FROM acct INTERSECT SELECT score FROM claim", "claim.score"),
    "intersect_with_a_group_by_only_column": (
        "alice", "SELECT region FROM acct INTERSECT SELECT g FROM claim", "claim.g"),
    "full_join_payload": (
        "alice", "SELECT a.id, c.amount FROM acct a FULL JOIN claim c ON a.k = c.ck",
        "claim.amount"),
    "full_join_shows_the_right_keys_without_a_partner": (
        "alice", "SELECT a.id, c.ck FROM acct a FULL JOIN claim c ON a.k = c.ck", "claim.ck"),
    "full_join_on_an_encrypted_key": (
        "alice", "SELECT a.id FROM acct a FULL JOIN claim c ON a.k = c.cid", "claim.cid"),
    "union_distinct_of_a_payload_column": (
        "alice", "SELECT k FROM acct UNION SELECT amount FROM claim", "claim.amount"),
}

SET_OPERATIONS_ALLOWED = {
    "full_join_on_keys_after_join": (
        "alice", "SELECT a.id, a.k FROM acct a FULL JOIN claim c ON a.k = c.ck"),
    "intersect_with_keys_after_join": (
        "alice", "SELECT k FROM acct INTERSECT SELECT ck FROM claim"),
    "except_with_keys_after_join": (
        "alice", "SELECT k FROM acct EXCEPT SELECT ck FROM claim"),
    "intersect_with_a_compare_column": (
        "alice", "SELECT bal FROM acct INTERSECT SELECT level FROM claim"),
}


test_set_operation_attack_is_refused, test_set_operation_twin_runs = attack_tests(
    SET_OPERATIONS_REFUSED, SET_OPERATIONS_ALLOWED)
