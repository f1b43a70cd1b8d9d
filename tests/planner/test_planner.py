"""Planner: errors name what is wrong, the CCL is enforced before any data moves, and
work is placed where the design says (local pushdown vs MPC)."""

from __future__ import annotations

from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.errors import NotSupportedError, ProgrammingError, SecurityError
from scql_py.sql.physical import PhysicalPlan
from scql_py.sql.planner import plan_query
from scql_py.testing import tpch
from scql_py.testing.tpch_queries import QUERIES

ROOT = Path(__file__).resolve().parents[2]
UNION3 = ("(SELECT income FROM alice_income UNION ALL SELECT income FROM bob_income "
          "UNION ALL SELECT income FROM carol_income) AS t")


@pytest.fixture(scope="module")
def demo():
    return load_catalog(ROOT / "catalogs" / "demo.toml")


@pytest.mark.parametrize("sql, construct", [
    ("SELECT COUNT(*) FROM alice_income a FULL JOIN bob_income b ON a.income < b.income",
     "FULL JOIN without an equality"),
    ("SELECT COUNT(*) FROM alice_income a LEFT JOIN bob_income b ON a.income < b.income",
     "LEFT JOIN without an equality"),
    ("SELECT COUNT(DISTINCT income) + COUNT(DISTINCT person) FROM alice_income "
     "GROUP BY person", None),
    ("SELECT SUM(DISTINCT person, income) FROM alice_income", "DISTINCT of several"),
    ("INSERT INTO alice_income VALUES ('x', 1)", "INSERT"),
    ("SELECT MD5(person) FROM alice_income", "MD5"),
    ("SELECT SUM(income) OVER (ORDER BY person RANGE BETWEEN 1 PRECEDING AND CURRENT ROW) "
     "FROM alice_income", "RANGE BETWEEN 1 PRECEDING AND CURRENT ROW: a RANGE frame"),
    ("SELECT NTH_VALUE(income, 2) OVER (ORDER BY person RANGE BETWEEN CURRENT ROW AND "
     "CURRENT ROW) FROM alice_income", "window frame RANGE BETWEEN CURRENT ROW"),
])
def test_unsupported_sql_names_the_construct(demo, sql, construct):
    if construct is None:  # planned, refused by the engine: see tests/sql
        plan_query(demo, "alice", sql)
        return
    with pytest.raises(NotSupportedError, match=construct):
        plan_query(demo, "alice", sql)


@pytest.mark.parametrize("sql, fragment", [
    ("SELECT incme FROM alice_income", "unknown column 'incme'.*did you mean 'income'"),
    ("SELECT income FROM alice_incme", "unknown table 'alice_incme'.*alice_income"),
    # an unknown qualifier is named, not its column (which exists: no 'did you mean id')
    ("SELECT a.income FROM alice_income AS c", r"unknown table or alias 'a' in 'a.income'"
     r" at line 1, column \d+ \(the query names 'c'\)$"),
    ("SELECT alice_income.income FROM alice_income AS c",
     "unknown table or alias 'alice_income'.*is named 'c' here"),
    ("SELECT c.incme FROM alice_income AS c", "unknown column 'incme'.*did you mean 'income'"),
    ("SELECT income FROM alice_income WHERE", "syntax error at line 1"),
    ("SELECT income FROM alice_income LIMIT -1", "syntax error|LIMIT"),
    ("SELECT income, SUM(income) FROM alice_income", "must appear in GROUP BY or be inside an aggregate"),
])
def test_bad_sql_is_a_programming_error(demo, sql, fragment):
    with pytest.raises(ProgrammingError, match=fragment):
        plan_query(demo, "alice", sql)


def test_unknown_asker_is_refused(demo):
    with pytest.raises(ProgrammingError, match="mallory"):
        plan_query(demo, "mallory", "SELECT 1 FROM alice_income")


def test_ccl_refuses_raw_rows_of_another_party(demo):
    with pytest.raises(SecurityError) as err:
        plan_query(demo, "alice", "SELECT income FROM bob_income")
    assert err.value.column == "bob_income.income"
    assert err.value.party == "alice"
    assert err.value.level == "PLAINTEXT_AFTER_AGGREGATE"


def test_ccl_refuses_an_encrypted_only_column_even_aggregated(demo):
    with pytest.raises(SecurityError, match="ENCRYPTED_ONLY"):
        plan_query(demo, "alice", "SELECT COUNT(person) FROM bob_income")


def test_ccl_allows_aggregates_and_own_rows(demo):
    plan_query(demo, "alice", f"SELECT AVG(income), COUNT(*) FROM {UNION3}")
    plan_query(demo, "alice", "SELECT person, income FROM alice_income")
    plan_query(demo, "bob", "SELECT SUM(income) * 2 FROM alice_income")


def test_filter_over_rows_the_asker_cannot_compare_is_refused(demo):
    # the asker would see which of bob's rows pass a condition on a column it may only
    # see aggregated
    with pytest.raises(SecurityError, match="WHERE"):
        plan_query(demo, "alice",
                   "SELECT income FROM alice_income WHERE income > 0 UNION ALL "
                   "SELECT 0 FROM bob_income WHERE income > 5000")


def test_pushdown_aggregates_locally_and_merges_one_row_per_party(demo):
    plan = plan_query(demo, "alice", f"SELECT AVG(income) FROM {UNION3}")
    ops = [s.op for s in plan.steps]
    assert ops.count("local") == 3 and ops.count("share") == 3
    local_sql = [s.args["sql"] for s in plan.steps if s.op == "local"]
    assert all("SUM" in sql and "COUNT" in sql for sql in local_sql)
    assert ops[-1] == "reveal" and plan.steps[-1].args["to"] == "alice"


def test_without_pushdown_only_scans_are_local(demo):
    plan = plan_query(demo, "alice", f"SELECT AVG(income) FROM {UNION3}", pushdown=False)
    local_sql = [s.args["sql"] for s in plan.steps if s.op == "local"]
    assert local_sql and all("SUM" not in sql for sql in local_sql)
    assert "aggregate" in [s.op for s in plan.steps]


def test_single_party_query_runs_at_its_owner_and_is_sent_plain(demo):
    plan = plan_query(demo, "bob", "SELECT SUM(income) FROM alice_income")
    assert [s.op for s in plan.steps] == ["local", "send_plain"]
    assert plan.steps[0].party == "alice" and plan.steps[1].args["to"] == "bob"


def test_plan_round_trips_through_json(demo):
    plan = plan_query(demo, "carol", f"SELECT MAX(income) - MIN(income) FROM {UNION3}")
    assert PhysicalPlan.from_json(plan.to_json()) == plan


def test_group_by_key_needs_group_by_visibility(demo):
    # income is PLAINTEXT_AFTER_AGGREGATE to alice: as a group key its values would show
    with pytest.raises(SecurityError, match="bob_income.income"):
        plan_query(demo, "alice", "SELECT income, COUNT(*) FROM bob_income GROUP BY income")


def test_order_by_a_column_the_asker_may_not_rank_is_refused():
    types = load_catalog(ROOT / "catalogs" / "types.toml")
    with pytest.raises(SecurityError, match="ORDER BY.*t_bob.i"):
        plan_query(types, "alice", "SELECT id FROM t_bob ORDER BY i")
    plan_query(types, "alice", "SELECT id FROM t_bob ORDER BY k, id")


def test_grouping_by_a_hidden_key_is_refused_even_if_not_selected(demo):
    # group sizes would be a histogram of bob's persons
    with pytest.raises(SecurityError, match="GROUP BY.*bob_income.person"):
        plan_query(demo, "alice", "SELECT COUNT(*) FROM bob_income GROUP BY person")


def test_grouped_union_is_pre_aggregated_by_each_owner():
    types = load_catalog(ROOT / "catalogs" / "types.toml")
    plan = plan_query(types, "alice", "SELECT k, COUNT(*), AVG(i) FROM (SELECT k, i FROM t_alice "
                      "UNION ALL SELECT k, i FROM t_bob UNION ALL SELECT k, i FROM t_carol) u "
                      "GROUP BY k")
    local_sql = [s.args["sql"] for s in plan.steps if s.op == "local"]
    assert len(local_sql) == 3 and all("GROUP BY" in sql for sql in local_sql)
    merge = [s for s in plan.steps if s.op == "aggregate"]
    assert len(merge) == 1 and merge[0].args["keys"]


def test_join_on_hidden_keys_is_a_secret_join_when_aggregated(demo):
    sql = "FROM alice_income a JOIN bob_income b ON a.person = b.person"
    ops = [s.op for s in plan_query(demo, "alice", f"SELECT COUNT(*) {sql}").steps]
    assert "secret_join" in ops and "psi_join" not in ops
    with pytest.raises(SecurityError, match="bob_income.person"):
        plan_query(demo, "alice", f"SELECT a.income {sql}")  # would show which rows match


def test_psi_is_chosen_only_when_both_owners_may_see_the_keys():
    health = load_catalog(ROOT / "catalogs" / "health.toml")
    sql = ("SELECT SUM(c.amount) AS total FROM patients AS p "
           "JOIN claims AS c ON p.patient_id = c.patient_id")
    ops = [s.op for s in plan_query(health, "insurer", sql).steps]
    assert "psi_join" in ops and "secret_join" not in ops
    ops = [s.op for s in plan_query(health, "insurer", sql, pushdown=False).steps]
    assert "secret_join" in ops or "psi_join" in ops


def test_left_join_makes_only_the_right_key_plain():
    health = load_catalog(ROOT / "catalogs" / "health.toml")
    on = "FROM patients AS p LEFT JOIN claims AS c ON p.patient_id = c.patient_id"
    plan_query(health, "insurer", f"SELECT c.patient_id, c.amount {on}")  # its own side
    # the hospital's ids of unmatched rows are not in the intersection
    with pytest.raises(SecurityError, match="patients.patient_id"):
        plan_query(health, "insurer", f"SELECT p.patient_id {on}")
    inner = "FROM patients AS p JOIN claims AS c ON p.patient_id = c.patient_id"
    plan_query(health, "insurer", f"SELECT p.patient_id {inner}")


def test_order_by_of_the_whole_result_is_done_by_the_asker_top_k_under_mpc():
    types = load_catalog(ROOT / "catalogs" / "types.toml")
    union = "(SELECT id, k FROM t_alice UNION ALL SELECT id, k FROM t_bob) AS u"
    plan = plan_query(types, "alice", f"SELECT id, k FROM {union} ORDER BY k, id")
    assert "sort" not in [s.op for s in plan.steps]
    assert plan.steps[-1].op == "reveal" and plan.steps[-1].args["order"]
    top = plan_query(types, "alice", f"SELECT id, k FROM {union} ORDER BY k, id LIMIT 3")
    assert "sort" in [s.op for s in top.steps]  # only 3 rows may be opened


def test_group_by_one_owners_keys_after_a_psi_join_needs_no_sort():
    types = load_catalog(ROOT / "catalogs" / "types.toml")
    join = "FROM t_alice AS a JOIN t_bob AS b ON a.id = b.id"
    plan = plan_query(types, "alice", f"SELECT a.k, SUM(b.i) {join} GROUP BY a.k")
    agg = next(s for s in plan.steps if s.op == "aggregate")
    assert agg.args["keys_owner"] == "alice"
    # keys from both owners, or MIN/MAX: the oblivious sort path
    plan = plan_query(types, "alice", f"SELECT a.k, b.k, COUNT(*) {join} GROUP BY a.k, b.k")
    assert next(s for s in plan.steps if s.op == "aggregate").args["keys_owner"] is None
    plan = plan_query(types, "alice", f"SELECT a.k, MAX(b.i) {join} GROUP BY a.k")
    assert next(s for s in plan.steps if s.op == "aggregate").args["keys_owner"] is None


def test_a_constant_query_runs_at_the_asker_alone(demo):
    plan = plan_query(demo, "carol", "SELECT 1 + 1 AS two, 'x' AS s")
    assert [(s.op, s.party) for s in plan.steps] == [("local", "carol")]
    assert (plan.output_names, plan.output_types) == (["two", "s"], ["int64", "string"])
    assert plan_query(demo, "carol", "SELECT 1", pushdown=False).steps[0].party == "carol"
    for sql, construct in [("SELECT 1 AS a UNION ALL SELECT 2 AS a", "inside another query"),
                           ("SELECT 1 ORDER BY 1", "ORDER BY in a SELECT without FROM"),
                           ("SELECT (SELECT COUNT(*) FROM alice_income)", "subqueries")]:
        with pytest.raises(NotSupportedError, match=construct):
            plan_query(demo, "carol", sql)


def test_max_rows_is_in_the_plan(demo):
    assert plan_query(demo, "alice", "SELECT 1").max_rows == demo.max_rows
    assert plan_query(demo, "alice", "SELECT 1", max_rows=7).max_rows == 7
    with pytest.raises(ProgrammingError, match="max_rows"):
        plan_query(demo, "alice", "SELECT 1", max_rows=0)


def test_one_owners_tables_are_joined_first_at_that_owner(tmp_path):
    """TPC-H Q3 names customer (bob) between orders and lineitem (both alice's): alice
    joins her two tables herself, so the plan has one PSI join with bob's customers and
    groups by alice's keys without a sort, instead of a secret join of 60k lineitems."""
    for table in tpch.OWNERS:  # planning reads no rows
        (tmp_path / f"{table}.parquet").touch()
    catalog = load_catalog(tpch.write_catalog(tmp_path / "tpch.toml"))
    plan = plan_query(catalog, "alice", QUERIES[3])
    ops = [s.op for s in plan.steps]
    assert "secret_join" not in ops and ops.count("psi_join") == 1
    (local,) = [s for s in plan.steps if s.op == "local" and s.party == "alice"]
    assert "JOIN" in local.args["sql"]
    (agg,) = [s for s in plan.steps if s.op == "aggregate"]
    assert agg.args["keys_owner"] == "alice"
    # no table of one owner joined to another by equality: the order written
    plan = plan_query(catalog, "alice", "SELECT COUNT(*) FROM customer, orders "
                      "WHERE c_custkey = o_custkey")
    assert [s.party for s in plan.steps if s.op == "local"] == ["bob", "alice"]


def test_a_subquery_over_one_owners_tables_filters_at_that_owner(tmp_path):
    """TPC-H Q18 filters alice's orders by a grouped subquery over alice's lineitem, and
    Q21 alice's lineitem by EXISTS and NOT EXISTS over it: alice evaluates them in her
    own local step before the PSI join with another party (sql/owner_subqueries.py),
    instead of a secret semi-join over every joined row. A subquery over another
    party's table stays above the joins: the join of the two owners is still a PSI."""
    for table in tpch.OWNERS:  # planning reads no rows
        (tmp_path / f"{table}.parquet").touch()
    catalog = load_catalog(tpch.write_catalog(tmp_path / "tpch.toml"))
    for number, lineitems in ((18, 2), (21, 3)):
        plan = plan_query(catalog, "alice", QUERIES[number])
        (local,) = [s for s in plan.steps if s.op == "local" and s.party == "alice"]
        assert local.args["sql"].count('FROM "lineitem"') == lineitems, number
        assert [s.op for s in plan.steps].count("psi_join") == 1, number
    assert "secret_join" not in [s.op for s in plan_query(catalog, "alice", QUERIES[18]).steps]
    plan = plan_query(catalog, "alice", "SELECT COUNT(*) FROM customer, orders WHERE "
                      "c_custkey = o_custkey AND o_custkey IN "
                      "(SELECT c_custkey FROM customer WHERE c_acctbal > 0)")
    ops = [s.op for s in plan.steps]
    assert ops.count("psi_join") == 1 and ops.count("secret_join") == 1


def test_one_owners_later_tables_are_joined_at_that_owner_first(tmp_path):
    """TPC-H Q10 joins bob's customer and nation after alice's orders and lineitem: bob
    joins his two tables himself (join_graph.owner_runs), so one PSI join meets
    alice's rows, and bob groups by his keys without a sort, instead of a secret join
    of every joined row with the shared nations and an oblivious sort of seven keys."""
    for table in tpch.OWNERS:  # planning reads no rows
        (tmp_path / f"{table}.parquet").touch()
    catalog = load_catalog(tpch.write_catalog(tmp_path / "tpch.toml"))
    plan = plan_query(catalog, "alice", QUERIES[10])
    ops = [s.op for s in plan.steps]
    assert "secret_join" not in ops and ops.count("psi_join") == 1
    (local,) = [s for s in plan.steps if s.op == "local" and s.party == "bob"]
    assert 'FROM "customer"' in local.args["sql"] and 'FROM "nation"' in local.args["sql"]
    (agg,) = [s for s in plan.steps if s.op == "aggregate"]
    assert agg.args["keys_owner"] == "bob"


def test_equal_columns_join_one_owners_tables_directly(tmp_path):
    """TPC-H Q5 makes bob's c_nationkey and n_nationkey equal through carol's
    s_nationkey, Q9 carol's ps_partkey and p_partkey through alice's l_partkey: with an
    equality of their own (sql/equivalent_keys.py) bob joins customer, nation and region
    himself, and carol part, partsupp and supplier, so each query has one secret join
    where it had three."""
    for table in tpch.OWNERS:  # planning reads no rows
        (tmp_path / f"{table}.parquet").touch()
    catalog = load_catalog(tpch.write_catalog(tmp_path / "tpch.toml"))
    for number, owner, tables in ((5, "bob", ("customer", "nation", "region")),
                                  (9, "carol", ("part", "partsupp", "supplier"))):
        plan = plan_query(catalog, "alice", QUERIES[number])
        ops = [s.op for s in plan.steps]
        assert ops.count("psi_join") == 1 and ops.count("secret_join") == 1, number
        sql = " ".join(s.args["sql"] for s in plan.steps
                       if s.op == "local" and s.party == owner)
        assert all(f'FROM "{t}"' in sql for t in tables), number


def test_a_correlated_subquery_is_restricted_to_the_outer_keys(tmp_path):
    """TPC-H Q2's correlated MIN over partsupp is grouped only for the parts the outer
    WHERE keeps (sql/correlated_restriction.py): carol restricts partsupp by her own
    part table before anything is shared, in both her local steps."""
    for table in tpch.OWNERS:  # planning reads no rows
        (tmp_path / f"{table}.parquet").touch()
    catalog = load_catalog(tpch.write_catalog(tmp_path / "tpch.toml"))
    plan = plan_query(catalog, "alice", QUERIES[2])
    carol = [s.args["sql"] for s in plan.steps if s.op == "local" and s.party == "carol"]
    assert len(carol) == 2 and all("p_size\" = 15" in sql for sql in carol)
