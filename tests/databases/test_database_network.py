"""Parties as separate servers, alice's table in PostgreSQL: only alice's copy of the
catalog says where her database is; the others' copies name the database and nothing
more, plan the same and verify alice's plan against their own CCL."""

from __future__ import annotations

import re

import pytest
from sqlcases import arrow_result, compare, duckdb_result

from scql_py.catalog import load_catalog
from scql_py.testing.local_cluster import LocalCluster
from scql_py.testing.plaintext_union import plaintext_union

from .types_data import CATALOGS

pytestmark = pytest.mark.network

SQL = ("SELECT COUNT(*) AS n, SUM(i) AS si, SUM(m) AS sm FROM (SELECT i, m FROM t_alice "
       "WHERE k > 1 UNION ALL SELECT i, m FROM t_bob UNION ALL SELECT i, m FROM t_carol) AS u")


def test_network_with_a_postgresql_table(pg, tmp_path, mixed_catalog):
    # t_alice in PostgreSQL as in mixed_catalog; t_bob and t_carol as CSV files here
    for table in ("t_bob", "t_carol"):
        (tmp_path / f"{table}.csv").write_bytes((CATALOGS / "types" / f"{table}.csv").read_bytes())
    text = mixed_catalog.read_text().replace('database = "files"', 'source = "t_bob.csv"')
    text = re.sub(r"\[parties\.bob\.databases\.files\]\nurl = .*\n", "", text)
    source = tmp_path / "net.toml"
    source.write_text(text)
    cluster = LocalCluster(source, tmp_path / "cluster", insecure=True, timeout=20.0)
    for party in ("bob", "carol"):  # their copies: no URL of alice's database
        path = cluster.catalog_path(party)
        path.write_text(re.sub(r"\[parties\.alice\.databases\.clinic\]\n(.*\n){2}", "",
                               path.read_text()))
        assert "databases" not in path.read_text()
    with cluster:  # starts the servers
        with cluster.client("bob") as fed:
            got = fed.execute("bob", SQL)
            explained = fed.explain("bob", SQL)
        with cluster.client("alice") as fed:
            mine = fed.explain("alice", SQL)
    expected = duckdb_result(plaintext_union(load_catalog(CATALOGS / "types.toml")), SQL)
    assert compare(arrow_result(got.table), expected) is None
    assert "in alice's database clinic (described in alice's catalog only)" in explained
    assert "sent to alice's PostgreSQL database clinic: SELECT" in mine
