"""The key owner's GROUP BY after a PSI join (engine/owner_grouping.py) falls back to
the oblivious sort when its one-hot matrix would be too large; the sort then runs by
the owner's numbering of its groups (one word per row), the keys moving along. With
the bound at one cell every such GROUP BY takes that path: its answer is DuckDB's
(string, NULL and several keys; filtered rows; AVG), and its plan and openings are the
owner path's (the executor checks them)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.engine import owner_grouping
from scql_py.testing.plaintext_union import plaintext_union

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tests" / "sql"))
from sqlcases import arrow_result, compare, duckdb_result  # noqa: E402

QUERIES = [
    "SELECT b.s, b.k, COUNT(*) AS n, SUM(a.k) AS sk FROM t_alice AS a JOIN t_bob AS b "
    "ON a.id = b.id GROUP BY b.s, b.k",
    "SELECT b.k, AVG(a.k) AS ak, COUNT(a.s) AS ns FROM t_alice AS a JOIN t_bob AS b "
    "ON a.id = b.id WHERE a.k > b.k OR a.s <> b.s GROUP BY b.k",
    "SELECT a.s, a.d, SUM(b.k) AS sk FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id "
    "GROUP BY a.s, a.d",
]


@pytest.fixture(scope="module")
def catalog():
    return load_catalog(ROOT / "catalogs" / "types.toml")


@pytest.mark.parametrize("sql", QUERIES)
def test_owner_grouping_by_the_owners_numbering(catalog, sql, monkeypatch):
    monkeypatch.setattr(owner_grouping, "OWNER_GROUPING_MAX_CELLS", 1)
    with Federation(catalog) as fed:
        plan = fed.plan("alice", sql)
        (agg,) = [s for s in plan.steps if s.op == "aggregate"]
        assert agg.args["keys_owner"] is not None, "not the owner path"
        got = fed.execute("alice", sql)
    problem = compare(
        arrow_result(got.table), duckdb_result(plaintext_union(catalog), sql), ordered=False
    )
    assert problem is None, problem
