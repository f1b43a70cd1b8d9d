"""The PEP 249 layer (scql_py.connect, Connection, Cursor) against DuckDB's answers.

Every expected value is computed by DuckDB over the plaintext union of the same catalog
(``plaintext_union``), never by our own engine.
"""

from __future__ import annotations

import datetime as dt
import decimal
import warnings
from pathlib import Path

import duckdb
import pandas as pd
import pyarrow as pa
import pytest
import sqlglot
from hypothesis import given, settings
from hypothesis import strategies as st

import scql_py
from scql_py.catalog import load_catalog
from scql_py.sql.params import bind_parameters
from scql_py.testing.plaintext_union import plaintext_union

REPO = Path(__file__).resolve().parents[1]
DEMO = REPO / "catalogs" / "demo.toml"
TYPES = REPO / "catalogs" / "types.toml"

UNION_AVG = (
    "SELECT AVG(income) AS avg_income FROM (SELECT income FROM alice_income UNION ALL "
    "SELECT income FROM bob_income UNION ALL SELECT income FROM carol_income) AS t"
)


@pytest.fixture(scope="module")
def con():
    with scql_py.connect(DEMO, party="alice") as connection:
        yield connection


@pytest.fixture(scope="module")
def demo_duck():
    return plaintext_union(load_catalog(DEMO))


@pytest.fixture(scope="module")
def types_catalog():
    return load_catalog(TYPES)


def test_module_globals():
    assert scql_py.apilevel == "2.0"
    assert scql_py.threadsafety == 1
    assert scql_py.paramstyle == "qmark"
    for name in ("Warning", "Error", "InterfaceError", "DatabaseError", "DataError",
                 "OperationalError", "IntegrityError", "InternalError", "ProgrammingError",
                 "NotSupportedError"):
        assert issubclass(getattr(scql_py, name), Exception)
    assert issubclass(scql_py.InterfaceError, scql_py.Error)
    assert issubclass(scql_py.SecurityError, scql_py.DatabaseError)
    assert scql_py.Date(2024, 2, 29) == dt.date(2024, 2, 29)
    assert scql_py.Timestamp(2024, 2, 29, 1, 2, 3) == dt.datetime(2024, 2, 29, 1, 2, 3)
    assert scql_py.DateFromTicks(0) == dt.date.fromtimestamp(0)


def test_default_connect_uses_bundled_demo_and_first_party(demo_duck):
    with scql_py.connect() as c:
        assert c.party == load_catalog(DEMO).party_names[0]
        (got,) = c.cursor().execute(UNION_AVG).fetchall()
        (expected,) = demo_duck.sql(UNION_AVG).fetchall()
        assert got[0] == pytest.approx(expected[0], abs=1e-3, rel=1e-6)


def test_average_income_matches_duckdb(con, demo_duck):
    cur = con.cursor()
    cur.execute(UNION_AVG)
    (expected,) = demo_duck.sql(UNION_AVG).fetchall()[0]
    rows = cur.fetchall()
    assert len(rows) == 1 and rows[0][0] == pytest.approx(expected, abs=1e-3)
    assert cur.rowcount == 1


def test_description_is_seven_tuples_with_type_codes(con):
    cur = con.execute("SELECT person, income, income * 1.5 AS more FROM alice_income")
    assert [len(d) for d in cur.description] == [7, 7, 7]
    assert [d[0] for d in cur.description] == ["person", "income", "more"]
    person, income, more = (d[1] for d in cur.description)
    assert person == scql_py.STRING and person != scql_py.NUMBER
    assert income == scql_py.NUMBER and income != scql_py.STRING
    assert more == scql_py.NUMBER and more != scql_py.DATETIME


def test_description_of_every_type(types_catalog):
    # The owner of a table sees all of it: every column type comes back.
    table = next(iter(types_catalog.tables.values()))
    with scql_py.connect(TYPES, party=table.owner) as c:
        cur = c.execute(f"SELECT * FROM {table.name}")
        codes = {d[0]: d[1] for d in cur.description}
        assert list(codes) == list(table.columns)
        expected = {
            "int64": scql_py.NUMBER, "float64": scql_py.NUMBER, "decimal": scql_py.NUMBER,
            "bool": scql_py.NUMBER, "string": scql_py.STRING, "date": scql_py.DATETIME,
            "timestamp": scql_py.DATETIME,
        }
        for column, sql_type in table.columns.items():
            assert codes[column] == expected[sql_type.kind], column
            assert codes[column] == str(sql_type)
            for other in {scql_py.STRING, scql_py.DATETIME, scql_py.BINARY} - {
                expected[sql_type.kind]
            }:
                assert codes[column] != other
        rows = cur.fetchall()
        duck = plaintext_union(types_catalog).sql(f"SELECT * FROM {table.name}").fetchall()
        assert sorted(rows, key=repr) == sorted(duck, key=repr)
        python_types = {type(v) for row in rows for v in row if v is not None}
        assert python_types <= {int, float, decimal.Decimal, str, bool, dt.date, dt.datetime}


def test_fetchone_fetchmany_and_exhaustion(types_catalog):
    sql = "SELECT id, s, m FROM t_alice"  # alice's own 50 rows
    expected = plaintext_union(types_catalog).sql(sql).fetchall()
    with scql_py.connect(TYPES, party="alice") as c:
        cur = c.execute(sql)
        assert cur.rowcount == len(expected) == 50
        got = [cur.fetchone() for _ in range(3)]
        cur.arraysize = 5
        chunk = cur.fetchmany()
        assert len(chunk) == 5
        got += chunk
        chunk = cur.fetchmany(10)
        assert len(chunk) == 10
        got += chunk
        got += cur.fetchall()
        assert sorted(got, key=repr) == sorted(expected, key=repr)
        assert cur.fetchone() is None
        assert cur.fetchmany() == [] and cur.fetchall() == []
        assert cur.fetchone() is None


def test_iteration(con, demo_duck):
    sql = "SELECT income FROM alice_income WHERE income > 0"
    assert list(con.cursor().execute(sql)) == demo_duck.sql(sql).fetchall()


def test_fetch_after_close_raises_error(con):
    cur = con.execute("SELECT income FROM alice_income")
    cur.close()
    for fetch in (cur.fetchone, cur.fetchall, cur.fetchmany, cur.fetch_df,
                  cur.fetch_arrow_table):
        with pytest.raises(scql_py.Error):
            fetch()
    with pytest.raises(scql_py.InterfaceError):
        cur.execute("SELECT income FROM alice_income")


def test_fetch_before_execute_raises_error(con):
    with pytest.raises(scql_py.InterfaceError):
        con.cursor().fetchone()


def test_context_manager_closes_connection(demo_duck):
    with scql_py.connect(DEMO, party="bob") as c:
        cur = c.execute(UNION_AVG)
        assert cur.fetchone()[0] == pytest.approx(demo_duck.sql(UNION_AVG).fetchall()[0][0],
                                                  abs=1e-3, rel=1e-6)
    assert c.closed
    with pytest.raises(scql_py.InterfaceError):
        c.cursor()
    with pytest.raises(scql_py.Error):
        cur.fetchone()


def test_fetch_df_and_arrow_table(con, demo_duck):
    sql = "SELECT person, income FROM alice_income"
    df = con.execute(sql).fetch_df()
    assert isinstance(df, pd.DataFrame)
    pd.testing.assert_frame_equal(df, demo_duck.sql(sql).df(), check_dtype=False)
    table = con.execute(sql).fetch_arrow_table()
    assert isinstance(table, pa.Table)
    assert table.to_pylist() == demo_duck.sql(sql).to_arrow_table().to_pylist()
    cur = con.execute(sql)
    first = cur.fetchone()
    rest = cur.fetch_arrow_table()  # only the rows not fetched yet
    assert [first] + [tuple(r.values()) for r in rest.to_pylist()] == demo_duck.sql(
        sql).fetchall()


@pytest.mark.parametrize("threshold", [-1, 0, 4999, 5000, 10**12])
def test_qmark_parameters(con, demo_duck, threshold):
    sql = "SELECT COUNT(*) AS n FROM alice_income WHERE income > ?"
    got = con.execute(sql, (threshold,)).fetchall()
    assert got == demo_duck.execute(sql, [threshold]).fetchall()


@pytest.mark.parametrize("name", ["Alice", "O'Brien", "x' OR 'a' = 'a", "back\\slash", ""])
def test_string_parameters_are_one_literal(con, demo_duck, name):
    sql = "SELECT COUNT(*) AS n FROM alice_income WHERE person = ?"
    assert con.execute(sql, [name]).fetchall() == demo_duck.execute(sql, [name]).fetchall()


def test_parameter_count_mismatch_is_programming_error(con):
    sql = "SELECT COUNT(*) FROM alice_income WHERE income > ? AND income < ?"
    for params in [(), (1,), (1, 2, 3), None]:
        with pytest.raises(scql_py.ProgrammingError, match="parameter"):
            con.execute(sql, params)
    with pytest.raises(scql_py.ProgrammingError, match="parameter"):
        con.execute("SELECT COUNT(*) FROM alice_income", (1,))


def test_executemany(con, demo_duck):
    sql = "SELECT COUNT(*) AS n FROM alice_income WHERE income >= ?"
    cur = con.cursor()
    cur.executemany(sql, [(0,), (5000,), (7000,)])
    assert cur.fetchall() == demo_duck.execute(sql, [7000]).fetchall()
    assert cur.rowcount == 3  # one row per run


def test_messages_are_a_list(con):
    cur = con.cursor()
    assert cur.messages == []
    cur.execute(UNION_AVG)
    assert isinstance(cur.messages, list)
    assert all(isinstance(m, str) for m in cur.messages)


def test_commit_and_rollback_do_nothing(con):
    con.commit()
    con.rollback()  # no transactions: nothing to roll back (pandas calls it after errors)
    assert con.execute("SELECT 1 AS one").fetchall() == [(1,)]


def test_select_without_from_is_answered_by_the_asker(con):
    cur = con.execute("SELECT 1 AS one, 2 * 3 AS six, 1 / 0 AS q, CAST('2024-02-29' AS DATE) AS d")
    assert cur.fetchall() == [(1, 6, None, dt.date(2024, 2, 29))]
    assert [d[0] for d in cur.description] == ["one", "six", "q", "d"]
    plan = con.explain("SELECT 1")
    assert "local @ alice" in plan and "alice: the result (1)" in plan
    with pytest.raises(scql_py.NotSupportedError, match="aggregates in a SELECT without FROM"):
        con.execute("SELECT COUNT(*)")
    with pytest.raises(scql_py.ProgrammingError, match="unknown column"):
        con.execute("SELECT income")


def test_show_tables_and_describe_from_the_catalog(con):
    cur = con.execute("SHOW TABLES")
    assert [d[0] for d in cur.description] == ["table", "owner"]
    assert cur.fetchall() == [("alice_income", "alice"), ("bob_income", "bob"),
                              ("carol_income", "carol")]
    assert con.execute("SHOW TABLES LIKE 'b%'").fetchall() == [("bob_income", "bob")]
    # the asker's own CCL level of each column: the owner sees its table in full
    expected = [("person", "string", "ENCRYPTED_ONLY"),
                ("income", "int64", "PLAINTEXT_AFTER_AGGREGATE")]
    assert con.execute("DESCRIBE bob_income").fetchall() == expected
    assert con.execute("SHOW COLUMNS FROM bob_income;").fetchall() == expected
    assert con.execute("DESC alice_income").fetchall() == [
        ("person", "string", "PLAINTEXT"), ("income", "int64", "PLAINTEXT")]
    with pytest.raises(scql_py.ProgrammingError, match="unknown table 'nope'"):
        con.execute("DESCRIBE nope")
    with pytest.raises(scql_py.NotSupportedError, match="SHOW databases"):
        con.execute("SHOW DATABASES")


def test_catalog_statements_need_no_running_server():
    """In network mode too, SHOW and DESCRIBE are answered by the client's own catalog."""
    with scql_py.connect(DEMO, party="bob", mode="network", insecure=True, timeout=2) as net:
        assert len(net.execute("SHOW TABLES").fetchall()) == 3
        assert net.execute("DESCRIBE bob_income").fetchall()[1] == (
            "income", "int64", "PLAINTEXT")


def test_progress_callback_sees_every_step_in_order(demo_duck):
    reports: list[scql_py.Progress] = []
    with scql_py.connect(DEMO, party="alice", progress=reports.append) as c:
        steps = len(c._federation.plan("alice", UNION_AVG).steps)
        assert c.execute(UNION_AVG).fetchall() == demo_duck.sql(UNION_AVG).fetchall()
        assert [r.step for r in reports] == list(range(1, steps + 1))
        assert {r.steps for r in reports} == {steps}
        assert reports[-1].op == "reveal" and reports[-1].name == "open the result to alice"
        assert all(a.elapsed <= b.elapsed for a, b in zip(reports, reports[1:]))
        # a per-statement callback instead of the connection's
        mine: list[scql_py.Progress] = []
        c.cursor().execute(UNION_AVG, progress=mine.append)
        assert len(mine) == steps and len(reports) == steps


def test_max_rows_from_connect_and_from_the_catalog(tmp_path):
    sql = ("SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.c = b.c")  # 50 x 50
    expected = plaintext_union(load_catalog(TYPES)).sql(sql).fetchall()
    with scql_py.connect(TYPES, party="alice", max_rows=100) as small, pytest.raises(
            scql_py.NotSupportedError, match=r"above the bound of 100 \(max_rows\)"):
        small.execute(sql)
    with scql_py.connect(TYPES, party="alice", max_rows=2500) as enough:
        assert enough.execute(sql).fetchall() == expected
        assert "at most 2,500 row pairs" in enough.explain(sql)
    bounded = tmp_path / "types.toml"
    bounded.write_text(TYPES.read_text().replace('protocol = "rss3"', 'protocol = "rss3"\n'
                                                 "max_rows = 99", 1)
                       .replace('"types/', f'"{(REPO / "catalogs" / "types").as_posix()}/'))
    assert load_catalog(bounded).max_rows == 99
    with scql_py.connect(bounded, party="alice") as c, pytest.raises(
            scql_py.NotSupportedError, match="bound of 99"):
        c.execute(sql)
    with pytest.raises(scql_py.ProgrammingError, match="max_rows"):
        scql_py.connect(TYPES, max_rows=0)


def test_fetchmany_executemany_and_fetch_numpy(types_catalog):
    duck = plaintext_union(types_catalog)
    sql = "SELECT id, i, s FROM t_alice ORDER BY id"
    with scql_py.connect(TYPES, party="alice") as c:
        cur = c.execute(sql)
        first = cur.fetchmany(3)
        arrays = cur.fetch_numpy()  # the rows not fetched yet
    rows = duck.sql(sql).fetchall()
    assert first == rows[:3]
    assert list(arrays) == ["id", "i", "s"]
    assert arrays["id"].tolist() == [r[0] for r in rows[3:]]
    assert [None if v != v else v for v in arrays["i"].tolist()] == [r[1] for r in rows[3:]]
    assert arrays["s"].tolist() == [r[2] for r in rows[3:]]


def test_pandas_read_sql(con, demo_duck):
    """pandas reads through the connection. It warns about every DB-API connection that
    is not sqlite3, SQLAlchemy or ADBC (its own check): that warning is pandas's, and
    ``fetch_df`` gives the same frame without it."""
    sql = "SELECT person, income FROM alice_income WHERE income > ?"
    expected = demo_duck.sql(bind_parameters(sql, (1000,))).df()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        df = pd.read_sql(sql, con, params=(1000,))
    pd.testing.assert_frame_equal(df, expected, check_dtype=False)
    assert all("pandas only supports SQLAlchemy" in str(w.message) for w in caught)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        df2 = con.execute(sql, (1000,)).fetch_df()
    pd.testing.assert_frame_equal(df2, expected, check_dtype=False)
    # a failing statement is reported as itself (rollback does not fail on top of it)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(Exception, match="unknown column 'nope'") as info:
            pd.read_sql("SELECT nope FROM alice_income", con)
    assert "rollback" not in str(info.value)


def test_connect_errors():
    # no `scql serve` is running for the demo: the asker's own server is named
    with pytest.raises(scql_py.OperationalError, match="alice"):
        con = scql_py.connect(DEMO, mode="network", insecure=True, timeout=2)
        con.cursor().execute("SELECT SUM(income) FROM alice_income")
    with pytest.raises(scql_py.ProgrammingError, match="mode"):
        scql_py.connect(DEMO, mode="carrier-pigeon")
    with pytest.raises(scql_py.ProgrammingError, match="mallory"):
        scql_py.connect(DEMO, party="mallory")
    with pytest.raises(scql_py.ProgrammingError):
        scql_py.connect(REPO / "no_such_catalog.toml")


def test_engine_errors_are_pep249(con):
    with pytest.raises(scql_py.ProgrammingError):
        con.execute("SELEC income FROM alice_income")
    with pytest.raises(scql_py.ProgrammingError):
        con.execute("SELECT no_such_column FROM alice_income")
    with pytest.raises(scql_py.SecurityError):
        con.execute("SELECT income FROM bob_income")  # bob's rows, not an aggregate


# --- parameter rendering, checked by parsing the SQL back ---------------------------------

_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(allow_nan=False, allow_infinity=False),
    st.decimals(allow_nan=False, allow_infinity=False, places=4,
                min_value=-(10**20), max_value=10**20),
    st.text(),
    st.dates(),
    st.datetimes(),
)


@settings(max_examples=300, deadline=None)
@given(value=_values)
def test_bound_parameter_is_exactly_one_equal_value(value):
    sql = bind_parameters("SELECT ? AS v FROM t WHERE 1 = 1", (value,))
    duck_sql = sqlglot.transpile(sql, read="mysql", write="duckdb")[0]
    duck_sql = duck_sql.replace(" FROM t WHERE 1 = 1", "")
    got = duckdb.sql(duck_sql).fetchall()
    assert len(got) == 1 and len(got[0]) == 1
    back = got[0][0]
    if isinstance(value, float):
        assert float(back) == value
    elif isinstance(value, decimal.Decimal):
        assert decimal.Decimal(back) == value
    else:
        assert back == value


def test_unsupported_parameters():
    with pytest.raises(scql_py.NotSupportedError):
        bind_parameters("SELECT ?", (float("nan"),))
    with pytest.raises(scql_py.NotSupportedError):
        bind_parameters("SELECT ?", (b"bytes",))
    with pytest.raises(scql_py.ProgrammingError):
        bind_parameters("SELECT ?", "x")  # a bare string is not a sequence of params
    with pytest.raises(scql_py.ProgrammingError):
        bind_parameters("SELECT :name", (1,))


def test_parameters_bind_in_text_order():
    sql = bind_parameters(
        "SELECT ? AS a FROM (SELECT x FROM t WHERE y = ?) AS s WHERE x BETWEEN ? AND ? LIMIT ?",
        (1, 2, 3, 4, 5),
    )
    assert sql == (
        "SELECT 1 AS a FROM (SELECT x FROM t WHERE y = 2) AS s WHERE x BETWEEN 3 AND 4 LIMIT 5"
    )


def test_parameters_bind_in_text_order_across_clauses():
    # the tree stores clauses by name: WHERE, HAVING and LIMIT holes must still be
    # numbered as the user wrote them
    sql = bind_parameters(
        "SELECT k, COUNT(*) FROM t WHERE x > ? GROUP BY k HAVING COUNT(*) > ? "
        "ORDER BY k LIMIT ?", (5, 1, 2))
    assert "WHERE x > 5" in sql and "HAVING COUNT(*) > 1" in sql and sql.endswith("LIMIT 2")
    # MySQL's LIMIT offset, count: the first hole is the offset
    sql = bind_parameters("SELECT x FROM t ORDER BY x LIMIT ?, ?", (10, 3))
    assert sql.endswith("LIMIT 10, 3")


def test_parameters_keep_the_text_of_the_statement():
    # the tree written back as MySQL is another query: a FULL JOIN became a UNION ALL of
    # a LEFT and a RIGHT join, and an aggregate over it two rows (issue 11, seed 5045:18)
    sql = bind_parameters("SELECT COUNT(*) AS n FROM a FULL JOIN b ON a.k = b.k "
                          "WHERE a.x > ? ORDER BY n NULLS FIRST LIMIT?", (5, 2))
    assert sql == ("SELECT COUNT(*) AS n FROM a FULL JOIN b ON a.k = b.k "
                   "WHERE a.x > 5 ORDER BY n NULLS FIRST LIMIT 2")
    assert bind_parameters("SELECT x-? FROM t WHERE s=?", (-3, "it's")) == \
        "SELECT x-(-3) FROM t WHERE s='it''s'"
    sql = bind_parameters("WITH c AS (SELECT ? AS z) SELECT z FROM c WHERE z > ?", (7, 8))
    assert "SELECT 7 AS z" in sql and "z > 8" in sql
    # a ? inside a string or a comment is no parameter
    assert bind_parameters("SELECT '?' AS q FROM t WHERE x = ? -- why?", (4,)).startswith(
        "SELECT '?' AS q FROM t WHERE x = 4")


def test_parameter_values_normalised_once_for_every_path():
    with pytest.raises(scql_py.NotSupportedError, match="infinities"):
        bind_parameters("SELECT ?", (float("inf"),))
    with pytest.raises(scql_py.ProgrammingError, match="2 parameter"):
        bind_parameters("SELECT ?, ?", (1,))
    with pytest.raises(scql_py.ProgrammingError, match="1 parameter"):
        bind_parameters("SELECT ?", None)
    plus_two = dt.timezone(dt.timedelta(hours=2))
    sql = bind_parameters("SELECT ?", (dt.datetime(2024, 1, 1, 12, 0, tzinfo=plus_two),))
    assert "2024-01-01 10:00:00" in sql  # UTC, as stored timestamps are


def test_type_objects():
    assert scql_py.NUMBER == "int64" == scql_py.NUMBER
    assert scql_py.NUMBER == "decimal(12,2)"
    assert scql_py.NUMBER == "bool"
    assert scql_py.DATETIME == "timestamp" and scql_py.DATETIME == "date"
    assert scql_py.STRING == "string" and scql_py.STRING != "int64"
    assert scql_py.BINARY != "string" and scql_py.ROWID != "int64"
