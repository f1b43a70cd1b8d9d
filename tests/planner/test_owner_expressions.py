"""Where the planner puts single-party subexpressions (sql/owner_expressions.py): in the
owner's local SQL, below joins and in UNION ALL branches, never in a secure step; and
what has no protocol under MPC is refused when planned, before any step runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.errors import NotSupportedError
from scql_py.sql.planner import plan_query

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def types_open():
    return load_catalog(ROOT / "catalogs" / "types_open.toml")


def _steps(plan, op):
    return [s for s in plan.steps if s.op == op]


def test_single_party_functions_run_at_their_owners_below_a_join(types_open):
    plan = plan_query(types_open, "alice",
                      "SELECT a.id, YEAR(b.d) + a.k AS y, UPPER(b.s) AS u, "
                      "SUM(CASE WHEN b.s LIKE 'a%' THEN a.k ELSE 0 END) AS p "
                      "FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id GROUP BY a.id, "
                      "YEAR(b.d) + a.k, UPPER(b.s)")
    bob = " ".join(s.args["sql"] for s in _steps(plan, "local") if s.party == "bob")
    assert "YEAR(" in bob and "UPPER(" in bob and "LIKE" in bob
    secure = str([s.args for s in plan.steps if s.op in ("project", "filter", "aggregate")])
    assert "YEAR" not in secure and "UPPER" not in secure and "LIKE" not in secure
    assert '"b.d"' not in bob.split("FROM")[0]  # the date itself is no longer shared


def test_functions_in_union_branches(types_open):
    plan = plan_query(types_open, "alice",
                      "SELECT YEAR(d) AS y, COUNT(*) AS n FROM (SELECT d FROM t_alice "
                      "UNION ALL SELECT d FROM t_bob) AS u GROUP BY YEAR(d)")
    for party in ("alice", "bob"):
        assert any("YEAR(" in s.args["sql"] for s in _steps(plan, "local") if s.party == party)


def test_null_extending_side_keeps_non_strict_expressions_secure(types_open):
    plan = plan_query(types_open, "alice",
                      "SELECT a.id, COALESCE(b.s, 'none') AS s, UPPER(b.s) AS u "
                      "FROM t_alice AS a LEFT JOIN t_bob AS b ON a.id = b.id")
    bob = " ".join(s.args["sql"] for s in _steps(plan, "local") if s.party == "bob")
    assert "UPPER(" in bob and "COALESCE" not in bob


@pytest.mark.parametrize("sql, construct", [
    ("SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id "
     "WHERE a.d + INTERVAL b.k DAY > b.d", "INTERVAL"),
    ("SELECT a.id, ATAN2(a.k, b.k) AS p FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id",
     "ATAN2()"),
    ("SELECT a.id, a.s LIKE b.s AS l FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id",
     "LIKE"),
])
def test_no_protocol_is_refused_when_planned(types_open, sql, construct):
    with pytest.raises(NotSupportedError, match=construct):
        plan_query(types_open, "alice", sql)
