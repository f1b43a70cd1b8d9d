"""Laundering a column through a function: a derived expression keeps the CCL of every
column it reads (an ENCRYPTED_ONLY input makes it ENCRYPTED_ONLY; PLAINTEXT inputs do
not weaken the others), and only comparisons lift PLAINTEXT_AFTER_COMPARE, so a
function that is a comparison in disguise (GREATEST, SIGN, LIKE) lifts nothing. Each
attack has an allowed twin that must still give DuckDB's answer.

Also: only the listed functions run at an owner for another party (no GETENV or
READ_TEXT at bob for alice), and an owner that does not ask computes them with total
semantics (a value DuckDB cannot share, or a string that is no date, is NULL rather
than an error whose occurrence would depend on its rows).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from attack_federation import NOTES, assert_like_duckdb

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import Error, NotSupportedError, SecurityError
from scql_py.sql.planner import plan_query
from scql_py.testing.plaintext_union import plaintext_union

TYPES = Path(__file__).resolve().parents[2] / "catalogs" / "types.toml"
JOIN = "FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id"

# t_bob for alice: secret ENCRYPTED_ONLY, d ts i m PLAINTEXT_AFTER_AGGREGATE, c
# PLAINTEXT_AFTER_COMPARE, id k s PLAINTEXT
REFUSED = {
    "cast_to_string_of_encrypted": ("SELECT id, CAST(secret AS CHAR) AS x FROM t_bob", "secret"),
    "length_of_encrypted": ("SELECT id, LENGTH(CAST(secret AS CHAR)) AS n FROM t_bob",
                            "secret"),
    "digit_of_encrypted_in_where": (
        "SELECT id FROM t_bob WHERE SUBSTRING(CAST(secret AS CHAR), 1, 1) = '1'", "secret"),
    "plaintext_input_does_not_weaken": (
        "SELECT MAX(CONCAT(s, CAST(secret AS CHAR))) AS x FROM t_bob", "secret"),
    "sum_of_abs_of_encrypted": ("SELECT SUM(ABS(secret)) AS x FROM t_bob", "secret"),
    "case_on_a_function_of_encrypted": (
        "SELECT id, CASE WHEN ABS(secret) > 0 THEN 1 END AS x FROM t_bob", "secret"),
    "date_part_of_aggregate_only_rows": ("SELECT id, YEAR(d) AS y FROM t_bob", "t_bob.d"),
    "date_part_groups_of_aggregate_only": (
        "SELECT YEAR(d) AS y, COUNT(*) AS n FROM t_bob GROUP BY YEAR(d)", "t_bob.d"),
    "order_by_a_function_of_aggregate_only": (
        "SELECT id FROM t_bob ORDER BY YEAR(d) LIMIT 3", "t_bob.d"),
    "rank_by_a_function_of_aggregate_only": (
        "SELECT id, RANK() OVER (ORDER BY ABS(i)) AS r FROM t_bob", "t_bob.i"),
    "greatest_is_no_comparison": ("SELECT id, GREATEST(c, 0) AS x FROM t_bob", "t_bob.c"),
    "sign_is_no_comparison": ("SELECT id, SIGN(c) AS x FROM t_bob", "t_bob.c"),
    "like_is_no_comparison": (
        "SELECT id, CAST(c AS CHAR) LIKE '1%' AS x FROM t_bob", "t_bob.c"),
    "like_filter_shows_rows": (
        "SELECT id FROM t_bob WHERE CAST(i AS CHAR) LIKE '%7'", "t_bob.i"),
    "function_in_union_rows": (
        "SELECT DATE_FORMAT(d, '%Y') AS y FROM "
        "(SELECT d FROM t_alice UNION ALL SELECT d FROM t_bob) AS u", "t_bob.d"),
    "function_after_join_rows": (f"SELECT a.id, YEAR(b.d) AS y {JOIN}", "t_bob.d"),
    "function_after_join_filters_rows": (
        f"SELECT a.id {JOIN} WHERE ROUND(b.i / 1000) > 0", "t_bob.i"),
    "function_after_join_mixes_encrypted": (
        f"SELECT SUM(ABS(b.secret) + a.k) AS x {JOIN}", "secret"),
}

ALLOWED = {
    "sum_of_date_parts": "SELECT SUM(YEAR(d)) AS sy, MAX(LAST_DAY(d)) AS m FROM t_bob",
    "comparison_still_lifts": "SELECT id, c > 0 AS p, ABS(c) > 3 AS q FROM t_bob",
    "plaintext_strings": "SELECT id, UPPER(s) AS u, s LIKE 'a%' AS a FROM t_bob",
    "aggregate_after_join": f"SELECT SUM(YEAR(b.d) + a.k) AS x, MAX(ABS(b.i)) AS y {JOIN}",
    "constant_function_at_another_party":
        "SELECT id, CURDATE() >= DATE '2000-01-01' AS t, PI() AS p FROM t_bob",
}


@pytest.fixture(scope="module")
def types_fed():
    with Federation(load_catalog(TYPES)) as fed:
        yield fed


@pytest.fixture(scope="module")
def types_oracle():
    return plaintext_union(load_catalog(TYPES))


@pytest.mark.parametrize("name", sorted(REFUSED))
def test_derived_expression_keeps_the_ccl(name):
    sql, culprit = REFUSED[name]
    with pytest.raises(SecurityError) as info:
        plan_query(load_catalog(TYPES), "alice", sql)
    assert culprit in str(info.value)


@pytest.mark.parametrize("name", sorted(ALLOWED))
def test_allowed_twin_runs(types_fed, types_oracle, name):
    assert_like_duckdb(types_fed, types_oracle, "alice", ALLOWED[name])


@pytest.mark.parametrize("sql", [
    "SELECT GETENV('HOME') AS h FROM t_bob",
    "SELECT COUNT(*) AS n FROM t_bob WHERE READ_TEXT('/etc/hostname') IS NOT NULL",
    "SELECT CURRENT_SETTING('threads') AS t FROM t_bob",
    "SELECT SUM(LENGTH(VERSION())) AS v FROM t_bob",
])
def test_unlisted_functions_never_run_at_an_owner(sql):
    with pytest.raises(NotSupportedError, match="not supported"):
        plan_query(load_catalog(TYPES), "alice", sql)


# bob's rows decide whether these fail if bob computes them as DuckDB does: a NaN or an
# infinity cannot be shared, a note is no date
OWNER_FAILURES = [
    f"SELECT {agg} AS x FROM acct a JOIN claim c ON a.k = c.ck" for agg in (
        "SUM(SQRT(c.score - 50))", "SUM(LN(c.score - 50))", "SUM(EXP(c.score * 10))",
        "SUM(POWER(c.score - 50, 0.5))", "SUM(ASIN(c.score / 10))",
        "SUM(LOG(2, c.score - 50))", "COUNT(STR_TO_DATE(c.note, '%Y-%m-%d'))",
        "MAX(DATE_ADD(DATE '2000-01-01', INTERVAL c.score * 100000 YEAR))",
        "SUM(SQRT(c.score - 50) + a.bal)")
]


@pytest.mark.parametrize("sql", OWNER_FAILURES)
def test_owner_function_failures_do_not_reach_the_asker(attack_fed, sql):
    try:
        attack_fed.execute("alice", sql)
    except Error as err:
        assert not any(note in str(err) for note in NOTES), str(err)
        raise AssertionError(f"the owner's data decided that the query fails: {err}") from None
