"""Attacks found by an adversarial review of the set operations, window aggregates and
owner functions, each kept as a test once fixed.

Federation: tests/security/conftest.py. claim.tier (bob's) is PLAINTEXT_AFTER_GROUP_BY
for alice, in groups of 37 (gold), 2 (silver) and 1 (bronze) rows: with the default
group-size threshold of 4, alice may only ever see 'gold' and its count.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import Error, SecurityError
from scql_py.testing.catalog_files import OwnedTable, write_catalog

SMALL_TIERS = {"silver", "bronze"}


def _tiers(fed, sql: str) -> set:
    try:
        res = fed.execute("alice", sql)
    except SecurityError:
        return set()
    return {r["tier"] for r in res.table.to_pylist()}


def test_union_all_repeating_a_table_bypasses_the_group_threshold(attack_fed):
    sql = ("SELECT x.tier FROM (SELECT tier FROM claim UNION ALL SELECT tier FROM claim "
           "UNION ALL SELECT tier FROM claim UNION ALL SELECT tier FROM claim) x "
           "GROUP BY x.tier")
    assert not _tiers(attack_fed, sql) & SMALL_TIERS


def test_union_of_a_cte_used_twice_bypasses_the_group_threshold(attack_fed):
    sql = "WITH t AS (SELECT tier FROM claim) SELECT tier FROM t UNION SELECT tier FROM t"
    assert not _tiers(attack_fed, sql) & SMALL_TIERS


def test_window_partition_count_shows_the_sizes_of_small_groups(attack_fed):
    sql = "SELECT DISTINCT COUNT(*) OVER (PARTITION BY tier) AS n FROM claim"
    try:
        sizes = {r["n"] for r in attack_fed.execute("alice", sql).table.to_pylist()}
    except SecurityError:
        return
    assert sizes <= {37}, sizes


def test_date_add_overflow_of_another_partys_column(attack_fed):
    sql = ("SELECT MAX(DATE_ADD('2020-01-01', INTERVAL score * 10000000 DAY)) AS d "
           "FROM claim")
    try:
        rows = attack_fed.execute("alice", sql).table.to_pylist()
    except Error:
        return
    assert rows == [{"d": None}]


@pytest.mark.parametrize("sql", [
    "SELECT id FROM acct EXCEPT SELECT hidden FROM claim",
    "SELECT id FROM acct WHERE id NOT IN (SELECT hidden FROM claim)",
])
def test_refusal_names_what_the_user_wrote(attack_fed, sql):
    with pytest.raises(SecurityError) as info:
        attack_fed.execute("alice", sql)
    message = str(info.value)
    assert "claim.hidden" in message
    assert "COALESCE" not in message and "COUNT(*)" not in message, message


# --- filters under an aggregate on columns the asker has no grant for --------------------
# visibility.py's docstring: "under an aggregate it [a filter] still steers the answer, so
# no ENCRYPTED_ONLY column may take part in it"; README (Two organisations): the helper's
# queries "about their values" are refused. Yet a COUNT(*) filtered on such columns runs,
# and by bisection gives one row's exact value.

CATALOGS = Path(__file__).resolve().parents[2] / "catalogs"


@pytest.fixture(scope="module")
def two_orgs():
    with Federation(load_catalog(CATALOGS / "two_orgs.toml")) as fed:
        yield fed


def test_helper_cannot_bisect_a_credit_score(two_orgs):
    sql = ("SELECT COUNT(*) AS n FROM customers "
           "WHERE customer_id = 'C001' AND credit_score > {}")
    with pytest.raises(SecurityError):
        answers = [two_orgs.execute("helper", sql.format(x)).table.to_pylist()[0]["n"]
                   for x in (495, 496)]
        raise AssertionError(f"C001's credit score is 496: counts {answers}")


def test_count_filtered_on_an_encrypted_column_is_refused(attack_fed):
    with pytest.raises(SecurityError, match="claim.hidden"):
        attack_fed.execute("alice", "SELECT COUNT(*) AS n FROM claim WHERE cid = 100 "
                                    "AND hidden > 5")


# --- an owner function whose failure depends on the owner's values ------------------------
# DESIGN.md 4: an owner evaluates pushed-down expressions with total semantics. YEAR() of
# a string runs at bob as a strict cast: it fails on bob's row 2 only, so whether alice's
# query fails tells her whether that row's text is a date.

@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    rows = pa.table({"id": pa.array([1, 2], pa.int64()), "txt": ["2020-01-01", "garbage"]})
    catalog = write_catalog(tmp_path_factory.mktemp("tiny"), "tiny", {
        "tb": OwnedTable("bob", rows, ccl={"id": "PLAINTEXT",
                                           "txt": "PLAINTEXT_AFTER_AGGREGATE"})},
        first_port=7511)
    with Federation(load_catalog(catalog)) as fed:
        yield fed


def test_owner_date_function_failure_does_not_depend_on_the_data(tiny):
    outcomes = []
    for row in (1, 2):
        try:
            tiny.execute("alice", f"SELECT SUM(YEAR(txt)) AS n FROM tb WHERE id = {row}")
            outcomes.append("ok")
        except Error as err:
            outcomes.append(type(err).__name__)
    assert outcomes[0] == outcomes[1], outcomes


def test_where_under_count_matches_the_filter_clause(attack_fed):
    refusals = []
    for sql in ("SELECT COUNT(*) FILTER (WHERE tier = 'bronze') AS n FROM claim",
                "SELECT COUNT(*) AS n FROM claim WHERE tier = 'bronze'"):
        try:
            attack_fed.execute("alice", sql)
            refusals.append(False)
        except SecurityError:
            refusals.append(True)
    assert refusals == [True, True]
