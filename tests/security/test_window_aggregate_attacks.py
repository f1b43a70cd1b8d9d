"""Attacks through the statistical aggregates and window functions: each returns, or
lets the asker compute, single rows' values. MEDIAN, a percentile, FIRST_VALUE,
LAST_VALUE, LAG and LEAD return one row's value (MEDIAN: one or the mean of two); a
running SUM shows each row's value as the difference of neighbours; an aggregate over
partitions of one row is the row itself. Each refusal names the blocking column, before
any data moves; each has an allowed twin that must run and agree with DuckDB (so that
refusing everything fails these tests).
"""

from __future__ import annotations

import dataclasses

import pytest
from attack_federation import attack_tests

from scql_py.catalog import load_catalog
from scql_py.errors import SecurityError
from scql_py.mpc.openings import ROW_COUNT, SHUFFLED_COMPARISONS
from scql_py.sql.planner import plan_query

REFUSED = {
    # an ENCRYPTED_ONLY column: no value of it may come out, not even one row's
    "median_of_an_encrypted_column": ("alice", "SELECT MEDIAN(hidden) AS m FROM claim",
                                      "claim.hidden"),
    "percentile_zero_is_the_minimum": (
        "alice", "SELECT PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY hidden) AS m FROM claim",
        "claim.hidden"),
    "stddev_of_an_encrypted_column": ("alice", "SELECT STDDEV(hidden) AS s FROM claim",
                                      "claim.hidden"),
    "first_value_of_an_encrypted_column": (
        "alice", "SELECT FIRST_VALUE(c.hidden) OVER (ORDER BY a.id) AS v "
                 "FROM acct a JOIN claim c ON a.k = c.ck", "claim.hidden"),
    "filter_on_an_encrypted_column": (
        "alice", "SELECT COUNT(*) FILTER (WHERE hidden > 5) AS n FROM claim", "claim.hidden"),
    # an aggregate-only column: single values may not come out of a window
    "running_sum_shows_each_value": (
        "bob", "SELECT id, SUM(bal) OVER (ORDER BY id) AS s FROM acct", "acct.bal"),
    "running_count_shows_each_null": (
        "bob", "SELECT id, COUNT(bal) OVER (ORDER BY id) AS s FROM acct", "acct.bal"),
    "lag_shows_the_previous_value": (
        "bob", "SELECT id, LAG(bal) OVER (ORDER BY id) AS prev FROM acct", "acct.bal"),
    "lead_with_a_default": (
        "bob", "SELECT id, LEAD(bal, 1, 0) OVER (PARTITION BY region ORDER BY id) AS nxt "
               "FROM acct", "acct.bal"),
    "first_value_of_an_aggregate_only_column": (
        "bob", "SELECT region, FIRST_VALUE(bal) OVER (PARTITION BY region ORDER BY id) AS v "
               "FROM acct", "acct.bal"),
    "last_value_of_a_partition": (
        "bob", "SELECT id, LAST_VALUE(bal) OVER (PARTITION BY region) AS v FROM acct",
        "acct.bal"),
    "ntile_ranks_an_aggregate_only_column": (
        "bob", "SELECT id, NTILE(40) OVER (ORDER BY bal) AS q FROM acct", "acct.bal"),
    # partitions of a column the asker may only group by: a GROUP BY would leave out
    # small groups (the default threshold); a window has no way to: refused
    "partition_sum_by_a_group_only_column": (
        "alice", "SELECT SUM(score) OVER (PARTITION BY g) AS s FROM claim", "claim.score"),
    "partition_max_by_a_group_only_column": (
        "alice", "SELECT MAX(score) OVER (PARTITION BY tier) AS s FROM claim",
        "claim.score"),
}

ALLOWED = {
    "median_of_an_aggregate_only_column": ("bob", "SELECT MEDIAN(bal) AS m FROM acct"),
    "stddev_of_an_aggregate_only_column": (
        "bob", "SELECT STDDEV_SAMP(bal) AS s, VAR_POP(bal) AS v FROM acct"),
    "partition_sum_by_a_plain_column": (
        "bob", "SELECT id, SUM(bal) OVER (PARTITION BY region) AS s FROM acct"),
    "running_sum_of_a_plain_column": (
        "bob", "SELECT id, SUM(id) OVER (ORDER BY id) AS s, LAG(region) OVER (ORDER BY id) "
               "AS r FROM acct"),
    "filter_on_a_compare_column": (
        "alice", "SELECT SUM(score) FILTER (WHERE level > 500) AS s FROM claim"),
}


test_attack_is_refused, test_allowed_twin_runs = attack_tests(REFUSED, ALLOWED)


def test_partition_aggregates_need_a_plain_argument_under_a_group_threshold(attack_catalog):
    """With a group-size threshold, a GROUP BY leaves out small groups; a partition of
    one row would show its value: the argument must then be plain."""
    sql = "SELECT id, SUM(bal) OVER (PARTITION BY id) AS s FROM acct"
    catalog = load_catalog(attack_catalog)
    plan_query(catalog, "bob", sql)  # no threshold: as GROUP BY id, SCQL's rule
    strict = dataclasses.replace(catalog, group_size_threshold=3)
    with pytest.raises(SecurityError, match="acct.bal"):
        plan_query(strict, "bob", sql)


def test_window_and_statistics_steps_open_only_sizes(attack_catalog):
    """The ledger of the new steps: a window sorts (shuffled comparisons) and compacts;
    a variance without GROUP BY opens nothing at all; only the reveal opens the result."""
    catalog = load_catalog(attack_catalog)
    plan = plan_query(catalog, "bob", "SELECT id, SUM(bal) OVER (PARTITION BY region) AS s, "
                      "LAG(id) OVER (ORDER BY id) AS p FROM acct", pushdown=False)
    windows = [s for s in plan.steps if s.op == "window"]
    assert len(windows) == 2
    for step in windows:
        assert sorted(what for what, _, _ in step.args["opens"]) == sorted(
            [ROW_COUNT, SHUFFLED_COMPARISONS]), step.args["opens"]
    plan = plan_query(catalog, "bob", "SELECT VAR_SAMP(bal) AS v FROM acct", pushdown=False)
    (agg,) = [s for s in plan.steps if s.op == "aggregate"]
    assert agg.args["opens"] == []
