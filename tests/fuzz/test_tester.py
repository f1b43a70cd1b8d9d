"""The tester itself: it must be able to fail, and what it generates must be tests."""

from __future__ import annotations

import decimal
import math
import re
from dataclasses import replace

import duckdb
import pyarrow as pa
import pytest
import sqlglot
from fuzz_engine import EngineRun, FederationUnderTest
from fuzz_federation import FLOAT_TINY, INT_PAST_RANGE, generate_federation
from fuzz_oracle import (
    TOTAL_SEMANTICS_MACRO,
    GroupSizesUnjudged,
    OracleAnswer,
    Result,
    ask_oracle,
    compare,
    fixed_point_sql,
    oracle_sql,
    tiny_floor_sql,
    total_semantics_sql,
    with_group_threshold,
    without_limit,
)
from fuzz_queries import Query, QueryGenerator
from fuzz_shrink import query_reductions
from fuzz_verdict import (
    compare_results,
    input_rounding_may_explain,
    is_sorted,
    judge,
    moved_positions,
    top_order,
    within_input_rounding,
    within_total_semantics,
)
from sqlglot import exp
from test_differential import DEFAULT_QUERIES, DEFAULT_SEEDS

from scql_py.errors import DataError, NotSupportedError, SecurityError


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


def test_computed_reals_are_judged_within_the_rounding_of_their_inputs():
    """A product or a CAST of computed reals may be off DuckDB by its inputs' rounding to
    fixed point (the README's bound): it passes where it is the fixed-point oracle's value,
    and nothing else does (30325:18; the CAST of 11.new-cast-computed-real-near-tie)."""
    product = Query("SELECT c.i * c.f AS c2, c.f AS f FROM d2 AS c ORDER BY 2", "dave", ())
    expected = Result(["float", "float"], [(0.014, -0.001), (7.5, 2.5)])
    fixed = Result(["float", "float"], [(14 * 66 / 2**16, -66 / 2**16), (7.5, 2.5)])

    def judged(query, got, fixed):
        first = compare_results(query, got, expected)
        assert input_rounding_may_explain(query, first, False), first
        return within_input_rounding(query, first, fixed)

    ok = judged(product, Result(["float", "float"], [(0.01409912109375, -0.001), (7.5, 2.5)]),
                fixed)
    assert (ok.outcome, ok.kind) == ("pass", "input_rounding")
    beyond = judged(product, Result(["float", "float"], [(0.0142, -0.001), (7.5, 2.5)]), fixed)
    assert (beyond.outcome, beyond.kind) == ("wrong", "float_bound")
    # a moved real must keep its bits although the fixed-point oracle has it rounded
    moved = judged(product, Result(["float", "float"], [(0.01409912109375, -66 / 2**16),
                                                         (7.5, 2.5)]), fixed)
    assert (moved.outcome, moved.kind) == ("wrong", "inexact_move")
    unsorted = compare_results(product, Result(["float", "float"], [
        (7.5, 2.5), (0.01409912109375, -0.001)]), expected)
    assert unsorted.outcome == "wrong"
    assert not input_rounding_may_explain(product, unsorted, False)

    cast = Query("SELECT CAST(a.f + b.g AS DECIMAL(10,2)) AS c FROM a1 AS a JOIN b1 AS b "
                 "ON a.id = b.id", "carol", ())
    expected = Result(["decimal"], [(decimal.Decimal("1.00"),)])
    fixed = Result(["decimal"], [(decimal.Decimal("1.01"),)])
    ok = judged(cast, Result(["decimal"], [(decimal.Decimal("1.01"),)]), fixed)
    assert (ok.outcome, ok.kind) == ("pass", "input_rounding")
    two_units = judged(cast, Result(["decimal"], [(decimal.Decimal("1.02"),)]),
                       Result(["decimal"], [(decimal.Decimal("1.02"),)]))
    assert (two_units.outcome, two_units.kind) == ("wrong", "mismatch")
    other = judged(cast, Result(["decimal"], [(decimal.Decimal("0.99"),)]), fixed)
    assert (other.outcome, other.kind) == ("wrong", "mismatch")
    ordered = Query("SELECT a.id AS i, CAST(a.f + b.g AS DECIMAL(10,2)) AS c FROM a1 AS a "
                    "JOIN b1 AS b ON a.id = b.id ORDER BY 1", "carol", ())
    one, three = decimal.Decimal("1.00"), decimal.Decimal("3.00")
    first = compare_results(ordered, Result(["integer", "decimal"], [
        (2, three), (1, decimal.Decimal("1.01"))]), Result(["integer", "decimal"],
                                                           [(1, one), (2, three)]))
    assert within_input_rounding(ordered, first, Result(["integer", "decimal"], [
        (1, decimal.Decimal("1.01")), (2, three)])).outcome == "wrong"  # not in order
    # a CAST of a stored real is its owner's, exact: no second look
    stored = Query("SELECT CAST(a.f AS DECIMAL(10,2)) AS c FROM a1 AS a", "carol", ())
    assert not input_rounding_may_explain(
        stored, compare_results(stored, Result(["decimal"], [(decimal.Decimal("1.01"),)]),
                                expected), False)


def test_the_fixed_point_oracle_rounds_reals_as_they_enter_arithmetic(federation):
    fed, fut = federation
    for t in fed.tables:
        reals = [c.name for c in t.columns if c.kind == "float64"]
        for c in reals:
            for exact, fixed in zip(
                    fut.oracle.execute(f"SELECT {c} FROM {t.name} ORDER BY rowid").fetchall(),
                    fut.fixed_point_oracle.execute(
                        f"SELECT {c} FROM {t.name} ORDER BY rowid").fetchall(), strict=True):
                if exact[0] is None or abs(exact[0]) >= 2**47:
                    assert fixed == exact
                else:
                    assert fixed[0] * 2**16 == round(fixed[0] * 2**16)
                    assert abs(fixed[0] - exact[0]) <= 2**-17


def test_the_fixed_point_oracle_rounds_quotients_used_in_arithmetic():
    """Under MPC a quotient is rounded to 2^-16 before arithmetic uses it (40277:28:
    SUM(0.01 / 2) over 17 rows is 17 * 0.0050048828125); shown as it is, it is not."""
    con = duckdb.connect()
    try:
        def value(sql):
            return con.execute(oracle_sql(fixed_point_sql(sql))).fetchone()[0]

        rows = "(SELECT * FROM range(17)) AS t(k)"
        assert value(f"SELECT SUM(0.01 / 2) AS s FROM {rows}") == 17 * 328 / 2**16
        assert value(f"SELECT 3 / (1 / 3) AS q FROM {rows} LIMIT 1") == 3 / (21845 / 2**16)
        assert value(f"SELECT COUNT(*) * AVG(k / 7) AS c FROM {rows}") == 17 * round(
            sum(round(k / 7 * 2**16) / 2**16 for k in range(17)) / 17 * 2**16) / 2**16
        assert value(f"SELECT 1 / 3 AS q FROM {rows} LIMIT 1") == 1 / 3
    finally:
        con.close()


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
           "WHERE x.a > 1 AND y.b IS NULL GROUP BY a HAVING SUM(b) > 2 ORDER BY 1, c1")
    smaller = set(query_reductions(sql))
    wanted = [
        "SELECT SUM(b) AS c1 FROM",            # a select item
        "FROM t AS x WHERE",                    # a join
        "WHERE x.a > 1 GROUP BY",               # a conjunct
        "GROUP BY a ORDER BY 1, c1",            # HAVING
        "ORDER BY c1",                          # an ORDER BY key
    ]
    for fragment in wanted:
        assert any(fragment in s for s in smaller), fragment
    assert any(s.endswith("HAVING SUM(b) > 2") for s in smaller)  # ORDER BY
    assert all(len(s) < len(sql) for s in smaller if "HAVING" not in s or "ORDER" not in s)


def test_dropping_an_item_renumbers_the_order_by_positions_after_it():
    # ORDER BY 3 would otherwise name no column, or ORDER BY 2 another one
    smaller = set(query_reductions("SELECT a AS c0, b AS c1, c AS c2 FROM t ORDER BY 3, 2, c0"))
    assert "SELECT a AS c0, c AS c2 FROM t ORDER BY 2, c0" in smaller
    assert "SELECT b AS c1, c AS c2 FROM t ORDER BY 2, 1, c0" in smaller
    assert "SELECT a AS c0, b AS c1 FROM t ORDER BY 2, c0" in smaller


def test_reductions_keep_the_order_a_limit_keeps_rows_by():
    # fuzz 30014:24 shrank to "ORDER BY 5 DESC LIMIT 4": its keys tied, so the four rows
    # kept were arbitrary, a failure of another cause than the query's
    sql = ("SELECT a.m AS c0, a.i AS c1, a.k + a.i AS c2, a.s AS c3 FROM t AS a "
           "WHERE a.k > 0 ORDER BY 3 DESC, c1, c0 LIMIT 4")
    smaller = set(query_reductions(sql))
    assert any(s.endswith("FROM t AS a ORDER BY 3 DESC, c1, c0 LIMIT 4") for s in smaller)
    assert any("a.s AS c3" not in s for s in smaller)  # an item no key names, after them
    assert any("LIMIT" not in s and "ORDER BY 3 DESC, c1, c0" in s for s in smaller)
    for s in smaller:
        if "LIMIT" in s:
            assert "ORDER BY 3 DESC, c1, c0 LIMIT 4" in s, s  # every key
            assert s.startswith("SELECT a.m AS c0, a.i AS c1, a.k + a.i AS c2"), s  # and item
    # no item before a position ORDER BY names, nor one it names by alias after it
    sql = "SELECT a.s AS c0, a.i AS c1, a.m AS c2, a.k AS c3 FROM t AS a ORDER BY 2, c3 LIMIT 4"
    dropped = {s.split(" FROM")[0] for s in query_reductions(sql) if "LIMIT" in s}
    assert dropped == {"SELECT a.s AS c0, a.i AS c1, a.k AS c3"}
    # a limited derived table's order is kept too, while the outer query's is not limited
    sql = "SELECT q.x FROM (SELECT a.i AS x FROM t AS a ORDER BY x, a.k LIMIT 2) AS q ORDER BY 1"
    assert all("ORDER BY x, a.k LIMIT 2" in s for s in query_reductions(sql) if "LIMIT" in s)


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


def test_group_threshold_counts_distinct_rows_of_a_repeated_table():
    """After a join that repeats a row of a table, the engine sizes a group by the
    distinct rows of that table (scql_py/sql/source_rows.py), and so must the oracle
    (60260:23: one row of b2 crossed with four of c2 is not a group of four)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE b2 AS SELECT DATE '1970-01-01' AS d")
    con.execute("CREATE TABLE c2 AS SELECT * FROM range(4) AS t(i)")
    sql = "SELECT b.d AS c0 FROM c2 AS a CROSS JOIN b2 AS b GROUP BY b.d"
    owners = {"b2": "bob", "c2": "carol"}
    assert con.execute(with_group_threshold(sql, 4, "alice", owners, True)).fetchall()
    counted = with_group_threshold(sql, 4, "alice", owners, True, ("b2",))
    assert "COUNT(DISTINCT b.rowid) >= 4" in counted, counted
    assert con.execute(counted).fetchall() == []
    # a table numbered only inside a derived table cannot be counted by the oracle
    nested = ("SELECT u.d AS c0 FROM (SELECT b.d FROM c2 AS a CROSS JOIN b2 AS b) AS u "
              "GROUP BY u.d")
    with pytest.raises(GroupSizesUnjudged):
        with_group_threshold(nested, 4, "alice", owners, True, ("b2",))



def test_group_threshold_leaves_out_small_groups_of_a_distinct_union(federation):
    """A UNION (not ALL) groups its rows by every column under MPC, as SELECT DISTINCT
    (6032:17: a distinct UNION of 1-row groups is empty under a threshold)."""
    owners = {"a1": "alice", "b1": "bob"}
    mine = "SELECT a.k AS c0 FROM a1 AS a UNION SELECT a.i FROM a1 AS a"
    assert with_group_threshold(mine, 4, "alice", owners, True) == mine
    assert "COUNT(*) >= 4" in with_group_threshold(mine, 4, "alice", owners, False)
    _, fut = federation
    flat = with_group_threshold("SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 2 "
                                "UNION SELECT 3 ORDER BY 1", 2, "alice", {}, True)
    assert ask_oracle(fut.oracle, flat).result.rows == [(2,)], flat
    # the inner UNION leaves out its 1-row groups 2 and 3 before the outer one counts
    nested = with_group_threshold("SELECT u.k AS k FROM (SELECT 2 AS k UNION SELECT 3 "
                                  "UNION ALL SELECT 2 UNION SELECT 3) AS u", 2, "alice", {},
                                  True)
    assert ask_oracle(fut.oracle, nested).result.rows == [], nested
    # INTERSECT and EXCEPT group their left side only (1 is left out)
    left = with_group_threshold("SELECT 1 AS k UNION ALL SELECT 2 UNION ALL SELECT 2 EXCEPT "
                                "SELECT 5 UNION ALL SELECT 3 ORDER BY 1", 2, "alice", {}, True)
    assert ask_oracle(fut.oracle, left).result.rows == [(2,), (3,)], left


NEW_SHAPES = ("cte", "cte_twice", "join_cross", "join_full", "correlated_scalar",
              "correlated_non_equality", "having_scalar_subquery", "window_lag_lead",
              "window_ntile", "window_first_last", "window_specs", "filter_aggregate",
              "var_stddev", "median_percentile_cont", "percentile_disc", "set_union",
              "set_intersect", "set_except", "subquery_in_or", "subquery_in_select",
              "quantified_any", "quantified_all", "owner_function", "tlp_subquery",
              "parties:4", "parties:5", "asker:data_party", "data_party_table")


def test_every_shape_is_generated_and_tagged():
    seen = set()
    for seed in (1, 2, 6000, 6001):
        gen = QueryGenerator(generate_federation(seed))
        for i in range(120):
            seen |= set(gen.query(i).shapes) | set(gen.tlp(i)[1].shapes)
    assert set(NEW_SHAPES) <= seen, sorted(set(NEW_SHAPES) - seen)


# constructs of the engine's later work: rarer per query, so looked for among more
LATER_SHAPES = ("like_pattern", "ilike_pattern", "like_escape", "count_distinct_tuple",
                "median_date", "median_decimal", "min_max_string", "count_star_filter",
                "dayofyear_week", "window_nth_value", "window_frame_rows",
                "window_frame_range", "subquery_expression", "correlated_subquery_expression")


def test_later_constructs_are_generated_and_tagged():
    seen = set()
    for seed in (1, 2, 6000, 6001):
        gen = QueryGenerator(generate_federation(seed))
        for i in range(300):
            seen |= set(gen.query(i).shapes)
        for i in range(100):
            seen |= set(gen.query(i, "window").shapes)
    assert set(LATER_SHAPES) <= seen, sorted(set(LATER_SHAPES) - seen)


def test_larger_federations_have_three_computing_parties_and_data_parties(tmp_path):
    feds = [generate_federation(seed) for seed in range(6000, 6030)]
    larger = [f for f in feds if len(f.parties) > 3]
    assert {len(f.parties) for f in larger} == {4, 5}
    assert all(len(f.compute) == 3 and f.data_parties for f in larger)
    assert any(t.owner in f.data_parties for f in larger for t in f.tables)
    fed = larger[0]
    fut = FederationUnderTest(fed.write(tmp_path))
    try:
        assert sorted(fut.catalog.compute) == sorted(fed.compute)
        for t in fed.tables:  # the oracle's union has every party's table
            assert fut.oracle.execute(f"SELECT COUNT(*) FROM {t.name}").fetchone() == (
                len(t.rows),)
    finally:
        fut.close()


def test_tie_sensitive_windows_show_only_their_keys():
    """LAG, NTILE, ... depend on the order of tied rows: the query may show only the
    window's keys (tied rows are then equal), or it has no single answer."""
    for seed in (1, 2, 3):
        gen = QueryGenerator(generate_federation(seed))
        for i in range(200):
            q = gen.query(i, "window")
            for select in sqlglot.parse_one(q.sql, read="mysql").find_all(exp.Select):
                windows = [w for e in select.expressions for w in e.find_all(exp.Window)]
                rows_frames = [w for w in windows if w.args.get("spec") is not None
                               and w.args["spec"].args.get("kind") == "ROWS"]
                if not rows_frames and not any(
                        w.this.key in ("lag", "lead", "ntile", "firstvalue", "lastvalue",
                                       "nthvalue", "rownumber") for w in windows):
                    continue
                keys = {c.sql() for w in windows for c in (w.args.get("partition_by") or [])}
                keys |= {o.this.sql() for w in windows if w.args.get("order")
                         for o in w.args["order"].expressions}
                for item in select.expressions:
                    if not item.find(exp.Window):
                        assert item.unalias().sql() in keys, q.sql
                # two windows may order tied rows each its own way (30130:15)
                sensitive = {(tuple(c.sql() for c in w.args.get("partition_by") or ()),
                              w.args["order"].sql())
                             for w in windows
                             if w.this.key in ("lag", "lead", "ntile", "firstvalue",
                                               "lastvalue", "nthvalue", "rownumber")}
                assert len(sensitive) <= 1, q.sql
                for w in rows_frames:  # a ROWS frame reads rows by position: keys only
                    assert all(c.sql() in keys for c in w.this.find_all(exp.Column)), q.sql


def test_moved_floats_are_traced_through_with_tables():
    sql = ("WITH w0 AS (SELECT t.f AS c0, SUM(t.f) AS c1 FROM t AS t GROUP BY t.f) "
           "SELECT x.c0 AS c0, x.c1 AS c1, y.c0 AS c2 FROM w0 AS x JOIN w0 AS y ON x.c0 = y.c0")
    assert moved_positions(sql) == [0, 2]


def test_group_threshold_sees_through_with_tables():
    owners = {"a1": "alice", "b1": "bob"}
    own = "WITH w0 AS (SELECT a.k AS c0 FROM a1 AS a) SELECT x.c0, COUNT(*) FROM w0 AS x GROUP BY x.c0"
    assert with_group_threshold(own, 4, "alice", owners, True) == own
    other = own.replace("a1", "b1")
    assert "COUNT(*) >= 4" in with_group_threshold(other, 4, "alice", owners, True)


@pytest.mark.parametrize("rewrite", ["without_limit", "with_group_threshold"])
def test_rewritten_queries_keep_a_full_join(rewrite):
    """sqlglot's MySQL generator writes FULL OUTER JOIN as a UNION ALL of two joins: under
    an aggregate that is two rows where there is one (10072:22, the unlimited result the
    LIMIT check compared with)."""
    sql = ("SELECT SUM(a.k) AS c0, COUNT(DISTINCT b.f) AS c1 FROM a1 AS a FULL OUTER JOIN "
           "b1 AS b ON a.id = b.id WHERE b.d NOT IN (SELECT z.d FROM c1 AS z) LIMIT 4")
    if rewrite == "without_limit":
        out = without_limit(sql)
    else:
        out = with_group_threshold(sql.replace(" LIMIT 4", " GROUP BY a.k"), 3, "alice",
                                   {"a1": "alice", "b1": "bob", "c1": "carol"}, False)
    assert "FULL OUTER JOIN" in out and "UNION" not in out, out


def test_moved_floats_are_traced_through_every_branch_of_a_union():
    """A ternary partitioning of aggregates takes MAX of a UNION ALL of MAXes (6103:16:
    a MAX of a quotient was taken for a moved value)."""
    computed = ("SELECT MAX(t.c0) AS c0 FROM (SELECT MAX(a.f / a.i) AS c0 FROM a1 AS a "
                "UNION ALL SELECT MAX(a.f / a.i) AS c0 FROM a1 AS a) AS t")
    assert moved_positions(computed) == []
    stored = computed.replace("a.f / a.i", "a.f")
    assert moved_positions(stored) == [0]
    mixed = stored.replace("MAX(a.f) AS c0 FROM a1 AS a) AS t", "MAX(a.f + 1) AS c0 FROM a1 AS a) AS t")
    assert moved_positions(mixed) == []


def test_extreme_values_past_the_ranges_are_generated_and_load_exactly(tmp_path):
    """Integers at and past 2^47 (to the int64 limits) and reals below 2^-17 (subnormal
    too) are in the data, and both file formats carry them bit for bit to the oracle."""
    found, feds = set(), []
    for seed in range(1000, 1030):
        fed = generate_federation(seed)
        values = {v for t in fed.tables for c in t.columns if c.kind in ("int64", "float64")
                  for v in t.values(c.name) if v is not None}
        hits = values & (set(INT_PAST_RANGE) | set(FLOAT_TINY))
        found |= hits
        if hits:
            feds.append(fed)
    assert {2**63 - 1, 2**62, 2**53 + 1, 5e-324, 1e-300, 1e-7} <= found, sorted(found)
    for n, fed in enumerate(feds[:4]):
        fut = FederationUnderTest(fed.write(tmp_path / str(n)))
        try:
            for t in fed.tables:
                rows = fut.oracle.execute(f"SELECT * FROM {t.name}").fetchall()
                assert sorted(map(repr, rows)) == sorted(map(repr, t.rows)), t.name
        finally:
            fut.close()


def test_an_answer_where_duckdb_overflows_is_wrong_and_a_range_refusal_is_not():
    """Past int64 DuckDB fails; the engine must refuse too (its out-of-range DataError, a
    documented refusal), never answer with a wrapped value."""
    q = Query("SELECT a.i + a.i AS c0 FROM a1 AS a", "alice", ())
    overflow = OracleAnswer(None, "Out of Range Error: Overflow in addition of INT64 "
                                  "(9223372036854775807 + 9223372036854775807)!")
    wrapped = EngineRun(pa.table({"c0": [-2]}), None, 0.0, "mpc")
    verdict = judge(q, wrapped, overflow)
    assert (verdict.outcome, verdict.kind) == ("wrong", "overflow")
    refused = EngineRun(None, DataError("a computed value is out of the range the engine "
                                        "computes in under MPC (...)"), 0.0, "mpc")
    assert judge(q, refused, overflow).outcome == "not_supported"
    assert judge(q, refused, OracleAnswer(Result(["integer"], [(2**64,)]))).outcome == (
        "not_supported")
    other = OracleAnswer(None, "Binder Error: no such column")
    assert judge(q, wrapped, other).outcome == "invalid"


# the shapes of the generator's widening (INTERVAL arithmetic, days of the week, MEDIAN
# of timestamps, values past the ranges), looked for in the default seeds' first queries
WIDENED_SHAPES = ("interval_arith", "interval_of_aggregate", "weekday_isodow",
                  "median_timestamp", "past_int64_range", "int64_past_2_47", "tiny_real")


def test_widened_shapes_are_generated_and_tagged():
    seen, sql = set(), []
    for seed in (1, 3, 4, 11, 1000, 1001):
        gen = QueryGenerator(generate_federation(seed))
        for i in range(150):
            q = gen.query(i)
            seen |= set(q.shapes)
            sql.append(q.sql)
    assert set(WIDENED_SHAPES) <= seen, sorted(set(WIDENED_SHAPES) - seen)
    text = "\n".join(sql)
    # on a column itself (not inside a function or on an aggregate), in WHERE and shown
    on_column = r"(?<![A-Z])\(\w+\.\w+ [+-] INTERVAL '?-?\d+'? \w+\)"
    for form in (r"\+ INTERVAL \d+ (DAY|WEEK|MONTH|QUARTER|YEAR)", r"- INTERVAL '-?\d+' \w+",
                 r"INTERVAL -?'?\d+'? (HOUR|MINUTE|SECOND)", r"WHERE [^\n]*" + on_column,
                 r"SELECT [^\n]*" + on_column + r" AS c\d", r"\(INTERVAL '?-?\d+'? \w+ \+ ",
                 r"WEEKDAY\(", r"EXTRACT\(ISODOW FROM ", r"EXTRACT\(DOW FROM ",
                 r"PERCENTILE_CONT\(0\.(125|375|625|875)\)"):
        assert re.search(form, text), form
    # a timestamp's PERCENTILE_CONT fraction is a / 8 (exact across parties) or 0.1 (refused)
    for m in re.finditer(r"PERCENTILE_CONT\((0\.\d+)\)", text):
        assert float(m[1]) * 8 == int(float(m[1]) * 8) or m[1] == "0.1", m[0]


def test_widened_shapes_reach_the_default_seeds():
    """The default suite (15 queries of each default seed) meets the new constructs."""
    seen = set()
    for seed in DEFAULT_SEEDS:
        gen = QueryGenerator(generate_federation(seed))
        for i in range(DEFAULT_QUERIES):
            seen |= set(gen.query(i).shapes)
    assert {"interval_arith", "weekday_isodow", "median_timestamp", "int64_past_2_47"} <= seen


def test_an_owners_total_semantics_are_judged_by_duckdb_with_try():
    """An owner that does not ask makes an overflow NULL (DESIGN.md section 4), where
    DuckDB over the union fails (91227:29): the engine's answer is judged by DuckDB with
    TRY around each overflowing operation, and only an equal one is spared."""
    con = duckdb.connect()
    con.execute(TOTAL_SEMANTICS_MACRO)
    con.execute("CREATE TABLE t (id BIGINT, n BIGINT)")
    con.execute("INSERT INTO t VALUES (1, -9223372036854775808), (2, 5)")
    sql = "SELECT COUNT(*) AS c, SUM(t.n - 2) AS s FROM t"
    assert ask_oracle(con, sql).result is None  # DuckDB fails on -2^63 - 2
    total = ask_oracle(con, total_semantics_sql(sql))
    assert total.result.rows == [(2, 3)]
    q = Query(sql, "alice", ())
    run = EngineRun(None, None, 0.0, "local", total_owner=True)
    failed = OracleAnswer(None, "Out of Range Error: Overflow in subtraction of INT64")
    for got, outcome in (([(2, 3)], "invalid"), ([(2, 4)], "wrong")):
        run = replace(run, table=pa.table({"c": [got[0][0]], "s": [got[0][1]]}))
        verdict = judge(q, run, failed)
        assert (verdict.outcome, verdict.kind) == ("wrong", "overflow")
        verdict = within_total_semantics(q, verdict, total)
        assert verdict.outcome == outcome, verdict


def test_total_semantics_null_a_value_without_a_ring_word():
    """Another owner's wide decimal past 2^63 units, or real past 2^47, is NULL (the
    README's "Numbers"), where DuckDB answers: the total-semantics oracle says so."""
    con = duckdb.connect()
    con.execute(TOTAL_SEMANTICS_MACRO)
    con.execute("CREATE TABLE t (n BIGINT)")
    con.execute("INSERT INTO t VALUES (4611686018427387904), (5)")
    sql = "SELECT COUNT(2.25 - t.n) AS c, COUNT(t.n * 1.5e0) AS d, SUM(t.n + 1) AS s FROM t"
    assert ask_oracle(con, sql).result.rows == [(2, 2, 4611686018427387911)]
    assert ask_oracle(con, total_semantics_sql(sql)).result.rows == [(1, 1, 4611686018427387911)]


def test_the_oracle_keeps_a_limit_duckdb_drops():
    """DuckDB 2.0.1 returns every row of a RIGHT JOIN whose left side has no rows, past
    its LIMIT (91318:24): the oracle keeps the LIMIT's count of them."""
    con = duckdb.connect()
    con.execute("CREATE TABLE l (k BIGINT, b BOOLEAN)")
    con.execute("CREATE TABLE r AS SELECT i AS k FROM range(7) AS t(i)")
    answer = ask_oracle(con, "SELECT l.b AS c0, r.k AS c1 FROM l RIGHT JOIN r "
                             "ON l.k = r.k AND l.b LIMIT 3")
    assert len(answer.result.rows) == 3


def test_percentiles_in_arithmetic_are_truncated_in_the_fixed_point_oracle():
    """PERCENTILE_CONT and MEDIAN interpolate with the fraction truncated to 2^-16 (the
    README), which a product then multiplies (92236:2: -34.30006 for -34.3)."""
    con = duckdb.connect()
    con.execute("CREATE TABLE u AS SELECT * FROM (VALUES (-7), (14)) AS v(c1)")
    sql = ("SELECT PERCENTILE_CONT(0.1) WITHIN GROUP (ORDER BY u.c1) * SUM(u.c1) AS c0, "
           "MEDIAN(u.c1) AS m FROM u")
    exact = ask_oracle(con, sql).result.rows[0]
    fixed = ask_oracle(con, fixed_point_sql(sql)).result.rows[0]
    assert exact[0] == pytest.approx(-34.3) and exact[1] == fixed[1] == 3.5
    assert fixed[0] == math.floor(-4.9 * 2**16) / 2**16 * 7


def test_the_tiny_floor_oracle_sums_subnormals_as_zero():
    """SUM and AVG of reals drop the bits below 2^-80 (the README): groups of such sums
    may merge where DuckDB's differ (92259:5); the stored values themselves stay."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT * FROM (VALUES (-5e-324::DOUBLE), (0.0::DOUBLE)) "
                "AS v(f)")
    sql = "SELECT AVG(t.f) AS a, COUNT(*) AS n FROM t GROUP BY t.f ORDER BY 2"
    assert sorted(ask_oracle(con, sql).result.rows) == [(-5e-324, 1), (0.0, 1)]
    assert ask_oracle(con, tiny_floor_sql(sql)).result.rows == [(0.0, 1), (0.0, 1)]


def test_real_functions_an_owner_shares_are_rounded_in_the_fixed_point_oracle():
    """An owner's LN, SQRT, ... enters arithmetic under MPC rounded to 2^-16, like any
    real it shares (93023:12: SUM(LN(i + 1)) over a join, 13 times LN(9))."""
    con = duckdb.connect()
    con.execute("CREATE TABLE t AS SELECT 8 AS i FROM range(13)")
    sql = "SELECT SUM(LN(t.i + 1)) AS s FROM t"
    fixed = ask_oracle(con, fixed_point_sql(sql)).result.rows[0][0]
    assert fixed == pytest.approx(13 * round(math.log(9) * 2**16) / 2**16, abs=1e-12)
    assert abs(fixed - 13 * math.log(9)) > 1e-5
