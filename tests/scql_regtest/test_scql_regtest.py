"""SCQL's regression suite through our engine (``regtest_cases.py``; data in ``data/``).

The per-query tests take several minutes, so they run only with ``SCQL_REGTEST=1``:
a query DuckDB cannot run is skipped, one we refuse (NotSupportedError, SecurityError)
is an expected failure naming why, and a wrong answer or any other error fails.
``python tests/scql_regtest/regtest_cases.py`` prints the figure and every failure.
"""

from __future__ import annotations

import os
import re

import duckdb
import pytest
from regtest_cases import (
    CATALOG,
    DATA,
    Query,
    Result,
    distinct_rows_oracle,
    load_queries,
    oracle,
    run_query,
    same_answer,
)

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation

QUERIES = load_queries()
ENABLED = os.environ.get("SCQL_REGTEST") == "1"


def test_the_converted_suite_is_complete():
    """Every table of the query files is in the catalog, with SCQL's notice beside it."""
    catalog = load_catalog(CATALOG)
    assert len(QUERIES) == 264
    assert {q.asker for q in QUERIES} == {"alice", "carol"}
    assert "Apache License" in (DATA / "NOTICE").read_text(encoding="utf-8")
    assert len(catalog.tables) == 15
    for table in catalog.tables.values():
        assert table.source is not None and table.source.is_file()


def test_the_comparison_within_the_bound_can_fail():
    """The looser float bound and the sorted matching still catch wrong answers."""
    base = Result(["float", "float"], [(0.011, -0.42), (0.012, 0.43), (-77.5, 5.0)])
    near = Result(base.families, [(0.012, 0.4301), (-77.5005, 5.0), (0.011, -0.4201)])
    assert same_answer(near, base, ordered=False) is None
    wrong = [
        [(0.011, -0.42), (0.012, 0.44), (-77.5, 5.0)],       # a value off by 0.01
        [(0.011, -0.42), (0.012, 0.43)],                      # a row missing
        [(-0.42, 0.011), (0.012, 0.43), (-77.5, 5.0)],       # a row's values swapped
        [(0.011, -0.42), (0.012, 0.43), (-77.5, None)],      # a NULL
    ]
    for rows in wrong:
        assert same_answer(Result(base.families, rows), base, ordered=False) is not None
    assert same_answer(Result(base.families, base.rows[::-1]), base, ordered=True) is not None
    # SCQL's oracle queries name our tables
    assert not any(re.search(r"\b(alice|bob|carol)\.(tbl_\d|UPPER_table)\b", q.mysql_sql)
                   for q in QUERIES)


def test_the_distinct_rows_oracle_leaves_out_groups_of_one_repeated_row():
    """Group 'a' is one row of bob_t matched five times: five joined rows, one of bob's."""
    con = duckdb.connect()
    con.execute("CREATE TABLE bob_t AS SELECT * FROM (VALUES ('a', 1), ('b', 2), ('b', 3), "
                "('b', 4), ('b', 5)) v(g, k)")
    con.execute("CREATE TABLE alice_t AS SELECT * FROM (VALUES (1), (1), (1), (1), (1), "
                "(2), (3), (4), (5)) v(k)")
    sql = "select b.g, count(*) as c from alice_t as a join bob_t as b on a.k = b.k group by b.g"
    assert sorted(con.sql(sql).fetchall()) == [("a", 5), ("b", 4)]
    assert con.sql(distinct_rows_oracle(sql, "bob_t", 4)).fetchall() == [("b", 4)]
    having = sql + " having count(*) < 5"
    assert con.sql(distinct_rows_oracle(having, "bob_t", 4)).fetchall() == [("b", 4)]
    assert con.sql(distinct_rows_oracle(having, "bob_t", 5)).fetchall() == []


@pytest.fixture(scope="module")
def regtest():
    catalog = load_catalog(CATALOG)
    duck = oracle(catalog)
    with Federation(catalog, timeout=300.0) as fed:
        for engine in fed.engines:
            engine.storage.load_all()
        yield fed, duck
    duck.close()


@pytest.mark.skipif(not ENABLED, reason="set SCQL_REGTEST=1 to run SCQL's regression suite")
@pytest.mark.parametrize("query", QUERIES, ids=[q.id for q in QUERIES])
def test_scql_regression_query(query: Query, regtest):
    fed, duck = regtest
    outcome = run_query(query, fed, duck)
    if outcome.status == "duckdb_cannot":
        pytest.skip(f"DuckDB cannot run it: {outcome.detail}")
    if outcome.status == "refused":
        pytest.xfail(outcome.detail)
    assert outcome.status == "pass", f"{query.name}: {outcome.status}: {outcome.detail}"
