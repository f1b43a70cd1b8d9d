"""Under the group size threshold, a group after a join is as large as its distinct rows
of the table it shows, not its joined rows.

bob's ``claim.tier`` is PLAINTEXT_AFTER_GROUP_BY for alice, in groups of 37, 2 and 1
rows (``silver``, ``bronze``). Joined to each of alice's 40 ``acct`` rows, the one
``bronze`` row is a group of 40 joined rows: counted so it would pass the default
threshold of 4 and show alice the tier of one claim (with its score summed 40 times).
Those groups must be left out, and the groups of enough distinct claims kept, with
DuckDB's answer for them. Federation: tests/security/conftest.py.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from attack_federation import ROWS
from sqlcases import arrow_result, compare, duckdb_result

from scql_py.cluster.federation import Federation
from scql_py.testing.catalog_files import OwnedTable, write_catalog

SMALL = {"silver", "bronze"}

# each joins every claim row to many acct rows
REPEATING_JOINS = {
    "cross_join": "SELECT c.tier, COUNT(*) AS n FROM claim c, acct a GROUP BY c.tier",
    "equality_of_constants": (
        "SELECT c.tier, COUNT(*) AS n FROM claim c JOIN acct a ON c.level * 0 = a.id * 0 "
        "GROUP BY c.tier"),
    "with_the_askers_own_key": (
        "SELECT a.region, c.tier, COUNT(*) AS n FROM claim c, acct a "
        "GROUP BY a.region, c.tier"),
    "summing_the_repeated_row": (
        "SELECT c.tier, SUM(c.score) AS s, COUNT(DISTINCT a.region) AS r "
        "FROM claim c, acct a GROUP BY c.tier"),
}


def _with_distinct_claims(sql: str) -> str:
    """The oracle: ``sql`` keeping the groups of at least 4 distinct claim rows."""
    return (sql.replace("FROM claim c", "FROM (SELECT ROW_NUMBER() OVER () AS __row, * "
                        "FROM claim) c") + " HAVING COUNT(DISTINCT c.__row) >= 4")


@pytest.fixture(scope="module")
def no_pushdown_fed(attack_catalog):
    with Federation(attack_catalog, pushdown=False) as fed:
        yield fed


@pytest.mark.parametrize("name", sorted(REPEATING_JOINS))
def test_a_group_of_copies_of_one_row_is_not_shown(attack_fed, attack_oracle, name):
    _check_only_large_groups(attack_fed, attack_oracle, REPEATING_JOINS[name])


@pytest.mark.parametrize("name", ["cross_join", "with_the_askers_own_key"])
def test_nor_when_the_scans_row_numbers_are_computed_under_mpc(no_pushdown_fed,
                                                              attack_oracle, name):
    _check_only_large_groups(no_pushdown_fed, attack_oracle, REPEATING_JOINS[name])


def _check_only_large_groups(fed, oracle, sql: str) -> None:
    res = fed.execute("alice", sql)
    rows = res.table.to_pylist()
    assert {r["tier"] for r in rows} == {"gold"}, rows
    assert any("distinct rows of claim" in m for m in res.messages), res.messages
    problem = compare(arrow_result(res.table),
                      duckdb_result(oracle, _with_distinct_claims(sql)), ordered=False)
    assert problem is None, problem


def test_no_groups_at_all(attack_fed):
    res = attack_fed.execute("alice", "SELECT c.tier, SUM(c.score) AS s, COUNT(DISTINCT "
                                      "a.region) AS r FROM claim c, acct a WHERE a.id < 0 "
                                      "GROUP BY c.tier")
    assert res.table.num_rows == 0


def test_the_joined_rows_would_have_passed(attack_oracle):
    """The attack is real: counted by joined rows, every small group passes."""
    rows = attack_oracle.sql(REPEATING_JOINS["cross_join"]).fetchall()
    assert {t: n for t, n in rows} == {"gold": 37 * ROWS, "silver": 2 * ROWS,
                                       "bronze": ROWS}


def test_the_same_groups_without_a_join_keep_the_threshold(attack_fed):
    res = attack_fed.execute("alice", "SELECT tier, COUNT(*) AS n FROM claim GROUP BY tier")
    assert res.table.to_pylist() == [{"tier": "gold", "n": 37}]
    assert any("2 group(s) with fewer than 4 rows" in m for m in res.messages)


def test_a_left_out_group_shows_no_overflow(tmp_path):
    """One row of bob's, matched four times, sums past the range: its group is left
    out, and so is its range check (an error would tell alice the group's sum)."""
    big = 3 * 10**18  # four times it is past 2^63
    tables = {
        "t": OwnedTable("bob", pa.table({"g": ["many"] * 4 + ["one"], "v": [1] * 4 + [big],
                                         "k": [1, 2, 3, 4, 5]}),
                        ccl={"g": {"alice": "PLAINTEXT_AFTER_GROUP_BY"},
                             "v": {"alice": "PLAINTEXT_AFTER_AGGREGATE"},
                             "k": {"alice": "PLAINTEXT_AFTER_JOIN"}}),
        "a": OwnedTable("alice", pa.table({"k": [1, 2, 3, 4, 5, 5, 5, 5]}),
                        ccl={"k": {"bob": "PLAINTEXT_AFTER_JOIN"}}),
    }
    with Federation(write_catalog(tmp_path, "overflow", tables, first_port=7461)) as fed:
        res = fed.execute("alice", "SELECT t.g, SUM(t.v) AS s FROM a JOIN t ON a.k = t.k "
                                   "GROUP BY t.g")
    assert res.table.to_pylist() == [{"g": "many", "s": 4}]
    assert any("1 group(s) with fewer than 4 distinct rows of t" in m for m in res.messages)
