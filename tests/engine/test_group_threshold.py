"""A catalog's group_size_threshold drops small groups, and the asker is told so."""

from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import NotSupportedError
from scql_py.testing.plaintext_union import plaintext_union

ROOT = Path(__file__).resolve().parents[2]
SQL = ("SELECT k, COUNT(*) AS n, SUM(i) AS si FROM (SELECT k, i FROM t_alice "
       "UNION ALL SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) AS u GROUP BY k")



@pytest.mark.parametrize("pushdown", [True, False])
def test_small_groups_are_dropped_with_a_warning(pushdown):
    catalog = load_catalog(ROOT / "catalogs" / "types.toml")
    oracle: duckdb.DuckDBPyConnection = plaintext_union(catalog)
    counts = [n for _, n, _ in oracle.sql(SQL).fetchall()]
    threshold = sorted(counts)[len(counts) // 2]  # about half the groups are smaller
    catalog.group_size_threshold = threshold
    with Federation(catalog, pushdown=pushdown) as fed:
        res = fed.execute("alice", SQL)
    got = sorted((r["k"], r["n"], r["si"]) for r in res.table.to_pylist())
    want = sorted((k, n, int(si) if si is not None else None)
                  for k, n, si in oracle.sql(SQL).fetchall() if n >= threshold)
    assert got == want
    dropped = sum(1 for n in counts if n < threshold)
    assert dropped > 0
    assert any(f"{dropped} group(s)" in m and str(threshold) in m for m in res.messages)


def test_the_owner_groups_its_own_rows_locally_and_others_under_mpc():
    catalog = load_catalog(ROOT / "catalogs" / "types.toml")
    catalog.group_size_threshold = 5
    with Federation(catalog) as fed:
        own = fed.plan("alice", "SELECT k, COUNT(*) FROM t_alice GROUP BY k")
        other = fed.plan("bob", "SELECT k, COUNT(*) FROM t_alice GROUP BY k")
    assert [s.op for s in own.steps] == ["local"]
    assert "aggregate" in [s.op for s in other.steps]


def test_no_threshold_no_warning():
    with Federation(ROOT / "catalogs" / "types.toml", pushdown=False) as fed:
        res = fed.execute("alice", SQL)
    assert not any("group" in m for m in res.messages)


@pytest.mark.parametrize("op", ["INTERSECT ALL", "EXCEPT ALL"])
def test_set_operations_all_are_refused_under_a_threshold(op):
    """Their rows are numbered within their copies and grouped: every group has one row,
    and a threshold would leave every row out (an empty answer, not DuckDB's)."""
    catalog = load_catalog(ROOT / "catalogs" / "types.toml")
    catalog.group_size_threshold = 2
    with Federation(catalog) as fed:
        with pytest.raises(NotSupportedError, match=f"{op} under the catalog's "
                                                    "group_size_threshold"):
            fed.plan("carol", f"SELECT k FROM t_alice {op} SELECT k FROM t_bob")
        distinct = op.split()[0]
        plan = fed.plan("carol", f"SELECT k FROM t_alice {distinct} SELECT k FROM t_bob")
    assert plan.steps
