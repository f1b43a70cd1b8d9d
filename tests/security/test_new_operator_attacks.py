"""Attacks through INTERSECT ALL / EXCEPT ALL, correlated IN / NOT IN / ANY / ALL (also
over expressions), a constant subquery, window frames (also sliding ones) and NTH_VALUE,
MIN / MAX of a group key, the join
lift by the owners of the keys and COUNT(DISTINCT a, b), each with an allowed twin that
must run and give DuckDB's answer.

INTERSECT ALL numbers the copies of every row on both sides: the number must show the
asker nothing that a join on the row's columns would not (the multiplicity of a value in
the other party's column is what an inner join on it shows). A correlated IN is an
EXISTS (a join on the correlation and on x = y), its three-valued form a join of
correlated counts and extremes: each needs what those joins need.
"""

from __future__ import annotations

from attack_federation import attack_tests

REFUSED = {
    "intersect_all_with_an_encrypted_column": (
        "alice", "SELECT k FROM acct INTERSECT ALL SELECT cid FROM claim", "claim.cid"),
    "except_all_with_an_aggregate_only_column": (
        "alice", "SELECT bal FROM acct EXCEPT ALL SELECT score FROM claim", "claim.score"),
    "intersect_all_with_a_group_by_only_column": (
        "alice", "SELECT region FROM acct INTERSECT ALL SELECT g FROM claim", "claim.g"),
    "intersect_all_multiplicities_of_a_payload_column": (
        "alice", "SELECT id FROM acct INTERSECT ALL SELECT amount FROM claim", "claim.amount"),
    "correlated_in_on_an_encrypted_column": (
        "alice", "SELECT a.id FROM acct a WHERE a.k IN "
                 "(SELECT c.cid FROM claim c WHERE c.ck = a.k)", "claim.cid"),
    "correlated_in_correlated_by_an_encrypted_key": (
        "alice", "SELECT a.id FROM acct a WHERE a.k IN "
                 "(SELECT c.ck FROM claim c WHERE c.cid = a.id)", "claim.cid"),
    "correlated_not_in_in_select_list_on_an_aggregate_only_column": (
        "alice", "SELECT a.id, a.bal NOT IN (SELECT c.score FROM claim c WHERE c.ck = a.k) "
                 "AS m FROM acct a", "claim.score"),
    # NOT IN shows whether the group of the key has a NULL: a join key seen only after
    # the join is not counted (conservatively refused)
    "correlated_not_in_counts_nulls_of_a_key_after_join": (
        "alice", "SELECT a.id FROM acct a WHERE a.k NOT IN "
                 "(SELECT c.ck FROM claim c WHERE c.ck = a.k AND c.level > 3)", "claim.ck"),
    "correlated_any_over_an_encrypted_column": (
        "alice", "SELECT a.id FROM acct a WHERE a.bal > ANY "
                 "(SELECT c.hidden FROM claim c WHERE c.ck = a.k)", "claim.hidden"),
    "correlated_all_over_an_encrypted_column": (
        "alice", "SELECT a.id FROM acct a WHERE a.bal <= ALL "
                 "(SELECT c.hidden FROM claim c WHERE c.ck = a.k)", "claim.hidden"),
    "constant_subquery_does_not_hide_a_filter": (
        "alice", "SELECT a.id FROM acct a JOIN claim c ON a.k = c.ck "
                 "WHERE c.hidden > (SELECT 0)", "claim.hidden"),
    # the extreme of a column other than the group key is an aggregate of it
    "max_of_a_group_by_only_column_not_grouped_by_it": (
        "alice", "SELECT tier, MAX(g) AS m FROM claim GROUP BY tier", "claim.g"),
    # an explicit default frame is a running sum: it shows each row's value
    "running_sum_written_as_a_frame": (
        "bob", "SELECT id, SUM(bal) OVER (ORDER BY id RANGE BETWEEN UNBOUNDED PRECEDING "
               "AND CURRENT ROW) AS s FROM acct", "acct.bal"),
    # the lift goes to the owners of the keys: a join of bob's key with bob's own key is
    # a self-join, whose payload is not lifted although alice's table is in its left side
    # refused for its payload, or (the owner's self-join planned first, at bob) for the
    # key the outer join would show alice a second time: either refusal stops the attack
    "payload_of_a_self_join_above_a_join_with_the_asker": (
        "alice", "SELECT d.amount FROM acct a JOIN claim c ON a.k = c.ck "
                 "JOIN claim d ON c.ck = d.ck", ("claim.amount", "claim.ck")),
    # an expression around a column is no disguise: the join on x = y is still on them
    "correlated_in_of_expressions_over_an_encrypted_column": (
        "alice", "SELECT a.id FROM acct a WHERE a.bal + 0 IN "
                 "(SELECT c.hidden + 0 FROM claim c WHERE c.ck = a.k)", "claim.hidden"),
    "correlated_not_in_of_expressions_in_select_list_on_an_aggregate_only_column": (
        "alice", "SELECT a.id, a.bal - 1 NOT IN (SELECT c.score + 1 FROM claim c "
                 "WHERE c.ck = a.k) AS m FROM acct a", "claim.score"),
    "correlated_by_an_outer_expression_on_an_encrypted_key": (
        "alice", "SELECT a.id FROM acct a WHERE a.k IN "
                 "(SELECT c.ck FROM claim c WHERE c.cid = a.id + 0)", "claim.cid"),
    "exists_correlated_by_an_outer_expression_on_an_aggregate_only_column": (
        "bob", "SELECT c.ck FROM claim c WHERE EXISTS "
               "(SELECT 1 FROM acct a WHERE a.bal = c.score + 0)", "acct.bal"),
    # a sliding frame is no aggregate: a one-row frame is the row's value, two frames'
    # difference another; so is NTH_VALUE, with or without ORDER BY
    "one_row_frame_is_the_value": (
        "bob", "SELECT id, SUM(bal) OVER (ORDER BY id ROWS BETWEEN CURRENT ROW AND "
               "CURRENT ROW) AS s FROM acct", "acct.bal"),
    "difference_of_two_sliding_frames": (
        "bob", "SELECT id, SUM(bal) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND CURRENT "
               "ROW) - SUM(bal) OVER (ORDER BY id ROWS BETWEEN 1 PRECEDING AND 1 PRECEDING) "
               "AS s FROM acct", "acct.bal"),
    "sliding_max_of_an_aggregate_only_column": (
        "bob", "SELECT id, MAX(bal) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND "
               "2 FOLLOWING) AS m FROM acct", "acct.bal"),
    "sliding_frame_ordered_by_an_aggregate_only_column": (
        "bob", "SELECT region, COUNT(*) OVER (ORDER BY bal ROWS BETWEEN 1 PRECEDING AND "
               "CURRENT ROW) AS n FROM acct", "acct.bal"),
    "nth_value_of_a_partition_is_a_row_value": (
        "bob", "SELECT id, NTH_VALUE(bal, 1) OVER (PARTITION BY region) AS m FROM acct",
        "acct.bal"),
    "nth_value_of_an_encrypted_column_after_join": (
        "alice", "SELECT a.id, NTH_VALUE(c.hidden, 1) OVER (PARTITION BY a.region ORDER BY "
                 "a.id) AS h FROM acct a JOIN claim c ON a.k = c.ck", "claim.hidden"),
    # each expression of COUNT(DISTINCT a, b) counts as an aggregated one, no more
    "count_distinct_tuple_with_an_encrypted_column": (
        "alice", "SELECT COUNT(DISTINCT score, hidden) AS n FROM claim", "claim.hidden"),
    "count_distinct_tuple_with_a_group_by_only_column": (
        "alice", "SELECT COUNT(DISTINCT score, g) AS n FROM claim", "claim.g"),
    "count_distinct_tuple_with_a_comparison_of_an_encrypted_column": (
        "alice", "SELECT COUNT(DISTINCT score, hidden > 0) AS n FROM claim", "claim.hidden"),
    "count_distinct_tuple_filtered_on_an_encrypted_column": (
        "alice", "SELECT COUNT(DISTINCT score, note) FILTER (WHERE hidden > 0) AS n "
                 "FROM claim", "claim.hidden"),
}

ALLOWED = {
    "intersect_all_with_keys_after_join": (
        "alice", "SELECT k FROM acct INTERSECT ALL SELECT ck FROM claim"),
    "except_all_with_keys_after_join": (
        "alice", "SELECT k FROM acct EXCEPT ALL SELECT ck FROM claim"),
    "correlated_in_on_keys_after_join": (
        "alice", "SELECT a.id FROM acct a WHERE a.k IN "
                 "(SELECT c.ck FROM claim c WHERE c.ck = a.k AND c.level > 3)"),
    "correlated_not_in_on_a_compare_column": (
        "alice", "SELECT a.id FROM acct a WHERE a.bal NOT IN "
                 "(SELECT c.level FROM claim c WHERE c.ck = a.k)"),
    "correlated_all_on_a_compare_column_in_select_list": (
        "alice", "SELECT a.id, a.bal < ALL (SELECT c.level FROM claim c WHERE c.ck = a.k) "
                 "AS m FROM acct a"),
    # SCQL's two_parties[35]: the second join is of bob's key with alice's
    "join_of_bobs_key_with_the_askers_above_a_join": (
        "alice", "SELECT a.id, c.amount FROM acct a JOIN claim c ON a.k = c.ck "
                 "JOIN acct b ON c.ck = b.k"),
    "whole_partition_frame_is_the_partition_aggregate": (
        "bob", "SELECT id, SUM(bal) OVER (PARTITION BY region ORDER BY id ROWS BETWEEN "
               "UNBOUNDED PRECEDING AND UNBOUNDED FOLLOWING) AS s FROM acct"),
    "max_of_the_group_key": (
        "bob", "SELECT region, MAX(region) AS m, COUNT(*) AS n FROM acct GROUP BY region"),
    "correlated_all_of_expressions_on_a_compare_column": (
        "alice", "SELECT a.id FROM acct a WHERE a.bal + 1 > ALL "
                 "(SELECT c.level * 2 FROM claim c WHERE c.ck = a.k + 0)"),
    "sliding_count_of_rows_ordered_by_a_plain_column": (
        "bob", "SELECT id, COUNT(*) OVER (ORDER BY id ROWS BETWEEN 2 PRECEDING AND CURRENT "
               "ROW) AS n FROM acct ORDER BY id"),
    "sliding_min_and_nth_value_of_join_keys": (
        "alice", "SELECT a.id, MIN(c.ck) OVER (ORDER BY a.id ROWS BETWEEN 1 PRECEDING AND "
                 "1 FOLLOWING) AS m, NTH_VALUE(c.ck, 2) OVER (PARTITION BY a.region ORDER BY "
                 "a.id) AS n FROM acct a JOIN claim c ON a.k = c.ck ORDER BY a.id, m, n"),
    "count_distinct_tuple_of_aggregate_only_columns": (
        "bob", "SELECT region, COUNT(DISTINCT id, bal) AS n FROM acct GROUP BY region"),
    "count_distinct_tuple_across_parties": (
        "alice", "SELECT COUNT(DISTINCT a.region, c.score) AS n FROM acct a "
                 "JOIN claim c ON a.k = c.ck"),
}


test_attack_is_refused, test_allowed_twin_runs = attack_tests(REFUSED, ALLOWED)
