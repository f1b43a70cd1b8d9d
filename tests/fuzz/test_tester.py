"""The tester itself: it must be able to fail, and what it generates must be tests."""

from __future__ import annotations

import decimal
from dataclasses import replace

import pyarrow as pa
import pytest
from fuzz_engine import EngineRun, FederationUnderTest
from fuzz_federation import generate_federation
from fuzz_oracle import (
    OracleAnswer,
    Result,
    ask_oracle,
    compare,
    oracle_sql,
    with_group_threshold,
)
from fuzz_queries import Query, QueryGenerator
from fuzz_shrink import query_reductions
from fuzz_verdict import compare_results, is_sorted, judge, moved_positions, top_order

from scql_py.errors import NotSupportedError, SecurityError


@pytest.fixture(scope="module")
def federation(tmp_path_factory):
    fed = generate_federation(3)
    fut = FederationUnderTest(fed.write(tmp_path_factory.mktemp("fed")))
    yield fed, fut
    fut.close()


def test_written_sources_load_as_generated(federation):
    fed, fut = federation
    for t in fed.tables:
        rows = fut.oracle.execute(f"SELECT * FROM {t.name}").fetchall()
        assert sorted(map(repr, rows)) == sorted(map(repr, t.rows)), t.name


def test_federations_cover_every_type_and_edge_size():
    kinds, sizes = set(), set()
    for seed in range(1, 7):
        for t in generate_federation(seed).tables:
            kinds |= {c.kind for c in t.columns}
            sizes.add(min(len(t.rows), 2))
    assert kinds == {"int64", "float64", "bool", "string", "date", "timestamp", "decimal"}
    assert sizes == {0, 1, 2}


def test_queries_are_deterministic_and_mostly_valid(federation):
    fed, fut = federation
    gen, again = QueryGenerator(fed), QueryGenerator(fed)
    invalid = 0
    for i in range(60):
        q = gen.query(i)
        assert q.sql == again.query(i).sql
        invalid += ask_oracle(fut.oracle, q.sql).result is None
    assert invalid <= 3


def test_ternary_partitions_equal_the_whole_on_duckdb(federation):
    fed, fut = federation
    gen = QueryGenerator(fed)
    for i in range(20):
        base, parts = gen.tlp(i)
        whole, split = ask_oracle(fut.oracle, base.sql), ask_oracle(fut.oracle, parts.sql)
        if whole.result is None:
            continue
        assert split.result is not None, parts.sql
        assert compare(split.result, whole.result) is None, parts.sql


def test_oracle_makes_every_division_by_zero_null_and_div_truncate(federation):
    sql = oracle_sql("SELECT a DIV b, a / b, a % b FROM t")
    assert sql.count("NULLIF") == 3, sql
    _, fut = federation
    got = ask_oracle(fut.oracle, "SELECT 7 DIV 2, -7 DIV 2, 2.5 DIV 2, -0.75 DIV 0.5, 1 DIV 0")
    assert got.result.rows == [(3, -3, 1, -1, None)]


def test_verdicts_tell_wrong_answers_apart():
    q = Query("SELECT f AS c0, SUM(f) AS c1 FROM t", "alice", ())
    expected = Result(["float", "float"], [(-0.02, 1.5)])
    same = compare_results(q, Result(["float", "float"], [(-0.02, 1.5 + 2**-16)]), expected)
    assert same.outcome == "pass"
    moved = compare_results(q, Result(["float", "float"], [(-0.0200042724609375, 1.5)]),
                            expected)
    assert (moved.outcome, moved.kind) == ("wrong", "inexact_move")
    rounded = compare_results(q, Result(["float", "float"], [(-0.02, 1.5004)]), expected)
    assert (rounded.outcome, rounded.kind) == ("wrong", "float_bound")
    off = compare_results(q, Result(["float", "float"], [(-0.02, 2.5)]), expected)
    assert (off.outcome, off.kind) == ("wrong", "mismatch")
    typed = compare_results(q, Result(["float", "decimal"], [(-0.02, decimal.Decimal("1.5"))]),
                            expected)
    assert typed.outcome == "wrong"


def test_an_answer_to_a_query_that_must_be_refused_is_a_leak():
    q = Query("SELECT secret AS c0 FROM t", "bob", ("refusal",), must_refuse=True)
    oracle = OracleAnswer(Result(["integer"], [(1,)]))
    ran = EngineRun(pa.table({"c0": [1]}), None, 0.0, "local")
    assert (judge(q, ran, oracle).outcome, judge(q, ran, oracle).kind) == ("wrong", "leak")
    refused = EngineRun(None, SecurityError("no"), 0.0, "unplanned")
    assert judge(q, refused, oracle).outcome == "refused"
    unsupported = EngineRun(None, NotSupportedError("no"), 0.0, "unplanned")
    assert judge(replace(q, must_refuse=False), unsupported, oracle).outcome == "not_supported"
    crashed = EngineRun(None, KeyError("x"), 0.0, "unplanned")
    assert judge(replace(q, must_refuse=False), crashed, oracle).outcome == "internal"


def test_order_checks_follow_mysql_null_order_and_allow_float_near_ties():
    keys = top_order("SELECT a AS c0, b AS c1 FROM t ORDER BY c0 DESC, 2")
    assert [(k.position, k.descending, k.nulls_first) for k in keys] == [(0, True, False),
                                                                        (1, False, True)]
    assert is_sorted([(2, None), (2, 1), (1, 0), (None, 5)], keys)
    assert not is_sorted([(None, 5), (2, 1)], keys)
    assert not is_sorted([(2, 1), (2, None)], keys)
    near = top_order("SELECT a AS c0, b AS c1 FROM t ORDER BY 1, 2")
    assert is_sorted([(0.1 + 1e-9, 1), (0.1, 2)], near)
    assert top_order("SELECT a AS c0 FROM t ORDER BY a + 1") is None


def test_reductions_remove_clauses_items_and_operands():
    sql = ("SELECT a AS c0, SUM(b) AS c1 FROM t AS x JOIN u AS y ON x.a = y.a "
           "WHERE x.a > 1 AND y.b IS NULL GROUP BY a HAVING SUM(b) > 2 ORDER BY 1 LIMIT 3")
    smaller = set(query_reductions(sql))
    wanted = [
        "SELECT SUM(b) AS c1 FROM",            # a select item
        "FROM t AS x WHERE",                    # a join
        "WHERE x.a > 1 GROUP BY",               # a conjunct
        "GROUP BY a ORDER BY 1 LIMIT 3",        # HAVING
        "HAVING SUM(b) > 2 LIMIT 3",            # ORDER BY
    ]
    for fragment in wanted:
        assert any(fragment in s for s in smaller), fragment
    assert all(len(s) < len(sql) for s in smaller if "HAVING" not in s or "LIMIT" not in s)


def test_moved_floats_are_traced_through_derived_tables():
    sql = ("SELECT q.c0 AS c0, q.c1 AS c1, MIN(q.c1) AS c2, MAX(q.c0) AS c3, x.f AS c4 "
           "FROM (SELECT a.f AS c0, SUM(a.f) AS c1 FROM t AS a GROUP BY a.f) AS q "
           "JOIN t AS x ON q.c0 = x.f")
    assert moved_positions(sql) == [0, 3, 4]  # a SUM selected again was computed
    # through a UNION ALL: MAX(f + 10.0) in one branch is computed (seed 5056:12)
    sql = ("SELECT MAX(t.c0) AS c0, MIN(t.c1) AS c1, MAX(t.c2) AS c2 FROM (SELECT MAX(a.f + 10.0) "
           "AS c0, MIN(a.f) AS c1, a.g AS c2 FROM t AS a UNION ALL SELECT MAX(b.f), MIN(b.g), "
           "b.f * 2 FROM t AS b) AS t")
    assert moved_positions(sql) == [1]
    # PERCENTILE_CONT picks a row's value only at 0 and 1
    sql = ("SELECT PERCENTILE_CONT(0) WITHIN GROUP (ORDER BY f) AS a, PERCENTILE_CONT(0.5) "
           "WITHIN GROUP (ORDER BY f) AS b, PERCENTILE_DISC(0.5) WITHIN GROUP (ORDER BY f) AS c "
           "FROM t")
    assert moved_positions(sql) == [0, 2]


def test_group_threshold_leaves_out_small_groups_in_the_oracle(federation):
    owners = {"a1": "alice", "b1": "bob"}
    sql = ("SELECT DISTINCT a.k AS c0 FROM b1 AS a ORDER BY 1")
    assert "HAVING COUNT(*) >= 4" in with_group_threshold(sql, 4, "alice", owners, True)
    assert "DISTINCT" not in with_group_threshold(sql, 4, "alice", owners, True)
    grouped = "SELECT a.k AS c0, COUNT(*) AS c1 FROM a1 AS a GROUP BY a.k HAVING SUM(a.i) > 1"
    # the asker's own groups, computed by its own engine, are whole
    assert with_group_threshold(grouped, 4, "alice", owners, True) == grouped
    both = with_group_threshold(grouped, 4, "alice", owners, False)
    assert "HAVING (SUM(a.i) > 1) AND COUNT(*) >= 4" in both, both
    _, fut = federation
    rows = ask_oracle(fut.oracle, with_group_threshold(
        "SELECT a.k AS c0 FROM (SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 2) AS a "
        "GROUP BY a.k", 2, "alice", {}, True)).result.rows
    assert rows == [(2,)]
