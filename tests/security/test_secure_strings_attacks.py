"""Attacks through LIKE on secret strings (engine/secure_like.py, mpc/like_automaton.py),
MIN and MAX of secret strings (mpc/string_extreme.py) and date parts of secret dates
(mpc/civil_dates.py): can they tell the asker, or any party, more than the result it is
allowed?

A match is a condition on the string: it needs PLAINTEXT or PLAINTEXT_AFTER_COMPARE to
the receiver, under an aggregate too (a count of the rows ``note LIKE 'Z%'`` keeps,
asked again with other patterns, spells the string out), for every form of pattern:
``_``, several ``%``, ILIKE, ESCAPE. The automaton's messages depend on the column's
width and the pattern only: every party sends the same rounds and bytes whether no row,
some rows or every row matches (compared here by each party's traffic), and nothing is
opened on the way (the ledger, checked by every engine at the end of the query).
Federation: tests/security/conftest.py.
"""

from __future__ import annotations

import pytest
from attack_federation import assert_like_duckdb

from scql_py.errors import SecurityError

# alice's region (PLAINTEXT to bob) or a constant, picked by bob's level (comparable to
# alice): a string of two parties, so that the match runs under MPC
PICKED = "CASE WHEN c.level >= {x} THEN a.region ELSE 'zzzzz' END"
PATTERNS = ["%o_t%", "_o%", "%OU%", "n%r%h", "s!_%", "%!%%"]


def _sql(pattern: str, x: int) -> str:
    like = "ILIKE" if pattern.upper() == pattern and "O" in pattern else "LIKE"
    escape = " ESCAPE '!'" if "!" in pattern else ""
    return (
        f"SELECT a.id, {PICKED.format(x=x)} {like} '{pattern}'{escape} AS m "
        "FROM acct a JOIN claim c ON a.k = c.ck"
    )


def _traffic(result) -> dict:
    return {
        party: (s["rounds"], s["bytes_sent"], s["bytes_received"])
        for party, s in result.stats.items()
    }


@pytest.mark.parametrize("pattern", PATTERNS)
def test_a_match_changes_no_message(attack_fed, attack_oracle, pattern):
    some = attack_fed.execute("alice", _sql(pattern, 0))
    none = attack_fed.execute("alice", _sql(pattern, 10**6))
    assert not any(row["m"] for row in none.table.to_pylist())
    assert _traffic(some) == _traffic(none)
    assert_like_duckdb(attack_fed, attack_oracle, "alice", _sql(pattern, 500))


def test_the_matches_are_those_of_duckdb(attack_fed, attack_oracle):
    some = attack_fed.execute("alice", _sql("%o_t%", 0))
    assert any(row["m"] for row in some.table.to_pylist())  # the traffic test saw matches


PATTERN_ATTACKS = {
    "where_under_count": "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON a.k = c.ck "
    "WHERE c.note LIKE 'Z_b%'",
    "case_inside_sum": "SELECT SUM(CASE WHEN c.note ILIKE '%ebr%' THEN 1 ELSE 0 END) AS n "
    "FROM acct a JOIN claim c ON a.k = c.ck",
    "escape": "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON a.k = c.ck "
    "WHERE c.note LIKE '%!-7' ESCAPE '!'",
    "not_like_of_two_parties": "SELECT COUNT(*) AS n FROM acct a JOIN claim c ON a.k = c.ck "
    "WHERE CASE WHEN a.id > 3 THEN c.note ELSE a.region END "
    "NOT LIKE '%a%a%'",
}


@pytest.mark.parametrize("name", sorted(PATTERN_ATTACKS))
def test_a_pattern_on_an_aggregate_only_string_is_refused(attack_fed, name):
    with pytest.raises(SecurityError, match="claim.note") as info:
        attack_fed.execute("alice", PATTERN_ATTACKS[name])
    assert info.value.party == "alice"
    assert "__" not in str(info.value), str(info.value)  # what the user wrote


# MIN and MAX of secret strings (mpc/string_extreme.py): the same messages whichever
# strings win, and the CCL of the column they read
EXTREMES = (
    "SELECT MIN({s}) AS lo, MAX({s}) AS hi, COUNT(*) AS n FROM acct a JOIN claim c ON a.k = c.ck"
)


def test_a_string_extreme_changes_no_message(attack_fed, attack_oracle):
    results = [
        attack_fed.execute("alice", EXTREMES.format(s=PICKED.format(x=x))) for x in (0, 500, 10**6)
    ]
    assert results[0].table.to_pylist()[0]["lo"] != results[2].table.to_pylist()[0]["lo"]
    assert _traffic(results[0]) == _traffic(results[1]) == _traffic(results[2])
    assert_like_duckdb(attack_fed, attack_oracle, "alice", EXTREMES.format(s=PICKED.format(x=500)))


def test_a_string_extreme_of_a_grouped_only_string_is_refused(attack_fed):
    with pytest.raises(SecurityError, match="claim.tier") as info:
        attack_fed.execute("alice", EXTREMES.format(s="c.tier"))
    assert info.value.party == "alice"


def test_a_string_window_extreme_of_an_aggregate_only_string_is_refused(attack_fed):
    # each row would show the running MIN: row by row, the strings themselves
    with pytest.raises(SecurityError, match="claim.note"):
        attack_fed.execute(
            "alice",
            "SELECT a.id, MIN(c.note) OVER (ORDER BY a.id) AS m "
            "FROM acct a JOIN claim c ON a.k = c.ck",
        )


# DAYOFYEAR and WEEK (mpc/civil_dates.py): the same messages for any date
DATE_PARTS = (
    "SELECT a.id, DAYOFYEAR({d}) AS doy, WEEK({d}) AS w FROM acct a JOIN claim c ON a.k = c.ck"
)
# a condition on both parties' columns: a secret date, computed under MPC
PICKED_DATE = (
    "CASE WHEN c.level >= {x} AND a.id >= 0 THEN DATE '2020-12-31' ELSE DATE '0001-01-01' END"
)


def test_a_date_part_changes_no_message(attack_fed, attack_oracle):
    results = [
        attack_fed.execute("alice", DATE_PARTS.format(d=PICKED_DATE.format(x=x)))
        for x in (0, 500, 10**6)
    ]
    assert {r["w"] for r in results[0].table.to_pylist()} == {53}
    assert _traffic(results[0]) == _traffic(results[1]) == _traffic(results[2])
    assert_like_duckdb(
        attack_fed, attack_oracle, "alice", DATE_PARTS.format(d=PICKED_DATE.format(x=500))
    )
