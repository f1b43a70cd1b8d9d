"""Shared tables through SQL: import once, query from any party with no owner
involved, restart every party, query again; answers equal DuckDB on the plaintext."""

from __future__ import annotations

from decimal import Decimal

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pytest

from scql_py.cli.import_cmd import run_import
from scql_py.cluster.federation import Federation
from scql_py.errors import SecurityError
from scql_py.testing.catalog_files import PARTIES, OwnedTable, write_catalog

ROWS = [("north", "10.50", 3), ("south", "7.25", None), ("north", "-2.00", 1),
        ("east", None, 4), (None, "1.00", 2)]
QUERIES = [
    "SELECT region, SUM(amount) AS s, COUNT(*) AS n, AVG(units) AS u FROM sales GROUP BY region",
    # the filter is on a PLAINTEXT column: a condition on units would be an opened
    # comparison, which PLAINTEXT_AFTER_AGGREGATE does not allow bob
    "SELECT SUM(amount) AS s, MIN(units) AS lo, MAX(units) AS hi FROM sales "
    "WHERE region <> 'east'",
]


@pytest.fixture()
def catalog(tmp_path):
    """The folder of shared.toml: the shared table sales (empty) and sales_src, both
    alice's, with the same rows and CCL; and sales.csv, the rows to import."""
    region, amount, units = zip(*ROWS, strict=True)
    rows = pa.table({
        "region": pa.array(region, pa.string()),
        "amount": pa.array([None if a is None else Decimal(a) for a in amount],
                           pa.decimal128(10, 2)),
        "units": pa.array(units, pa.int64())})
    ccl = {"region": "PLAINTEXT", "amount": "PLAINTEXT_AFTER_AGGREGATE",
           "units": {"bob": "PLAINTEXT_AFTER_AGGREGATE"}}
    write_catalog(tmp_path, "shared", {
        "sales": OwnedTable("alice", rows.schema, ccl=ccl, shared=True),
        "sales_src": OwnedTable("alice", rows, ccl=ccl),
    }, storage={party: f"{party}.duckdb" for party in PARTIES}, first_port=7101)
    pacsv.write_csv(rows, tmp_path / "sales.csv")
    return tmp_path


@pytest.fixture
def imported(catalog):
    """The catalog's folder after alice imported sales.csv into the shared table."""
    run_import(catalog / "shared.toml", "alice", "sales", source=catalog / "sales.csv")
    return catalog


def _oracle(sql: str) -> list[tuple]:
    con = duckdb.connect()
    con.execute("CREATE TABLE sales (region VARCHAR, amount DECIMAL(10,2), units BIGINT)")
    con.executemany("INSERT INTO sales VALUES (?, ?, ?)", ROWS)
    return sorted(con.sql(sql).fetchall(), key=repr)


def _ours(fed: Federation, sql: str) -> list[tuple]:
    table = fed.execute("bob", sql).table
    return sorted((tuple(r.values()) for r in table.to_pylist()), key=repr)


def _close(a: list[tuple], b: list[tuple]) -> bool:
    return len(a) == len(b) and all(
        all(x == y or (isinstance(x, float) and abs(x - float(y)) < 1e-4) for x, y in zip(r, s))
        for r, s in zip(a, b))


def test_import_query_restart_query(catalog):
    result = run_import(catalog / "shared.toml", "alice", "sales", source=catalog / "sales.csv")
    assert result is not None
    for _ in range(2):  # the second time: every party restarted from its storage file
        with Federation(catalog / "shared.toml") as fed:
            for sql in QUERIES:
                assert _close(_ours(fed, sql), _oracle(sql)), sql
            res = fed.execute("bob", QUERIES[0])
            assert any("version 1" in m for m in res.messages)


def test_shared_table_keeps_its_ccl(imported):
    with Federation(imported / "shared.toml") as fed:
        with pytest.raises(SecurityError, match="sales.units"):
            fed.execute("carol", "SELECT SUM(units) FROM sales")


def test_insert_select_appends_and_drop_removes(imported):
    with Federation(imported / "shared.toml") as fed:
        res = fed.execute("alice", "INSERT INTO sales SELECT region, amount * 2, units "
                                   "FROM sales WHERE units > 1")
        assert res.table.to_pylist() == [{"rows": 3, "version": 2}]
        got = fed.execute("bob", "SELECT COUNT(*) AS n, SUM(amount) AS s FROM sales").table
        # original rows plus the doubled rows whose units > 1 (units 3, 4, 2)
        assert got.to_pylist()[0]["n"] == 5 + 3
        expected = sum(float(a) for _, a, _ in ROWS if a is not None)
        expected += 2 * sum(float(a) for _, a, u in ROWS if a is not None and u and u > 1)
        assert abs(float(got.to_pylist()[0]["s"]) - expected) < 1e-9
        with pytest.raises(SecurityError, match="owner"):
            fed.execute("bob", "INSERT INTO sales SELECT region, amount, units FROM sales")
        fed.execute("alice", "DROP TABLE sales")
        with pytest.raises(Exception, match="sales"):
            fed.execute("bob", "SELECT COUNT(*) FROM sales")


def test_create_shared_table_as_select_then_query(catalog):
    # 'sales' is declared shared in the catalog; nobody imported it: CREATE makes v1
    with Federation(catalog / "shared.toml") as fed:
        with pytest.raises(Exception, match="not been imported"):
            fed.execute("bob", "SELECT COUNT(*) FROM sales")
        res = fed.execute("alice", "CREATE SHARED TABLE sales AS SELECT region, amount, units "
                                   "FROM sales_src WHERE units > 1")
        assert res.table.to_pylist() == [{"rows": 3, "version": 1}]
        got = fed.execute("bob", "SELECT SUM(amount) AS s, COUNT(*) AS n FROM sales").table
        want = [(a, u) for _, a, u in ROWS if u is not None and u > 1]
        assert got.to_pylist()[0]["n"] == len(want)
        assert float(got.to_pylist()[0]["s"]) == sum(float(a) for a, _ in want if a is not None)
        with pytest.raises(SecurityError, match="sales_src.units"):  # no laundering
            fed.execute("alice", "INSERT INTO sales SELECT region, units * 1.00, amount "
                                 "FROM sales_src")
        with pytest.raises(Exception, match="already exists"):
            fed.execute("alice", "CREATE SHARED TABLE sales AS SELECT region, amount, units "
                                 "FROM sales_src")
