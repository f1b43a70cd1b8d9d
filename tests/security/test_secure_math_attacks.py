"""Attacks through the functions computed under MPC (engine/secure_math.py): can a
domain error (the square root or logarithm of a negative, ASIN outside [-1, 1]) tell
the asker, or any party, about another party's data?

Under MPC a domain error is no error: the row's result is NULL, computed obliviously,
so every party sends the same messages whether or not any row is out of the domain
(compared here by each party's rounds and bytes), and the ledger (checked by every
engine at the end of the query) lists the same openings. What the NULLs show the asker
is a comparison inside an aggregate, which the CCL treats like the comparison written
out: refused on ENCRYPTED_ONLY data, allowed where aggregates are.
"""

from __future__ import annotations

import pytest

from scql_py.errors import SecurityError

DOMAIN = ("SELECT SUM(SQRT(c.score - a.bal + ?)) AS s, COUNT(LN(c.score - a.bal + ?)) AS n, "
          "COUNT(ASIN((c.score - a.bal) / 10000000 + ?)) AS m FROM acct a JOIN claim c ON a.k = c.ck")


def _traffic(result) -> dict:
    return {party: (s["rounds"], s["bytes_sent"], s["bytes_received"])
            for party, s in result.stats.items()}


def test_domain_errors_change_no_message(attack_fed):
    inside = attack_fed.execute("alice", DOMAIN, (10**6, 10**6, 0.25))
    outside = attack_fed.execute("alice", DOMAIN, (-(10**6), -(10**6), 5.25))
    assert inside.table.to_pylist()[0]["n"] > 0
    assert outside.table.to_pylist()[0] == {"s": None, "n": 0, "m": 0}
    assert _traffic(inside) == _traffic(outside)


@pytest.mark.parametrize("function", ["SQRT(c.hidden - a.bal)", "LN(c.hidden)",
                                      "ASIN(c.hidden / 1000)", "POWER(c.hidden, 0.5)"])
def test_a_domain_null_of_encrypted_data_is_refused_like_a_comparison(attack_fed, function):
    with pytest.raises(SecurityError, match="hidden"):
        attack_fed.execute("alice", f"SELECT COUNT({function}) AS n FROM acct a "
                                    "JOIN claim c ON a.k = c.ck")
    with pytest.raises(SecurityError, match="hidden"):
        attack_fed.execute("alice", "SELECT COUNT(CASE WHEN c.hidden > a.bal THEN 1 END) AS n "
                                    "FROM acct a JOIN claim c ON a.k = c.ck")
