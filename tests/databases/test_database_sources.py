"""Tables in a party's databases: types and NULLs, checks before any row moves, where the
work runs, secrets, and faults (a database down, a wrong password, a silent server)."""

from __future__ import annotations

import datetime as dt
import json
import socket
import threading
import time
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

from scql_py.catalog import CatalogError, load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import DataError, OperationalError
from scql_py.storage import PartyStorage
from scql_py.storage.databases import DatabaseClient

from .pg_server import PASSWORD, free_port
from .types_data import PASSWORD_ENV, write_sqlite

PARTIES = """
[catalog]
name = "db"
protocol = "rss3"
[parties.alice]
address = "127.0.0.1:7501"
{alice}
[parties.bob]
address = "127.0.0.1:7502"
[parties.carol]
address = "127.0.0.1:7503"
"""

COLUMNS = ('i = "int64", n = "decimal(10,2)", u = "decimal(12,3)", f = "float64", '
           's = "string", d = "date", ts = "timestamp", tz = "timestamp", b = "bool"')
TYPE_ROWS = [
    "(1, 1, 12.34, 1.2345, 0.5, 2.5, 'b', 'ab', 'x  ', '2020-01-02', "
    "'2020-01-02 03:04:05.123456', '2020-01-02 03:04:05+02', true)",
    "(NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL)",
    "(-9223372036854775808, -32768, -99999999.99, 100, -1e300, 1, 'B', '', 'é', "
    "'1900-01-01', '1900-01-01 00:00:00', '1969-12-31 23:59:59.5-05', false)",
]


def catalog(folder: Path, databases: str, tables: str, name: str = "c.toml") -> Path:
    path = folder / name
    path.write_text(PARTIES.format(alice=databases) + tables)
    return path


def pg_database(pg, url: str | None = None, env: str = PASSWORD_ENV) -> str:
    return (f'[parties.alice.databases.main]\nurl = "{url or pg.url("app")}"\n'
            f'password_env = "{env}"\n')


@pytest.fixture(scope="module")
def app(pg):
    """Database 'app' with table public.kinds (many PostgreSQL types) and big (10000 rows)."""
    pg.create_database("app")
    pg.execute(
        "CREATE TABLE kinds (i bigint, k smallint, n numeric(10,2), u numeric, f double precision,"
        " r real, s text, v varchar(5), c char(3), d date, ts timestamp, tz timestamptz, "
        "b boolean)",
        f"INSERT INTO kinds VALUES {', '.join(TYPE_ROWS)}",
        'CREATE TABLE "Mixed" ("Id" integer, "Name" text)',
        """INSERT INTO "Mixed" VALUES (1, 'one'), (2, 'two')""",
        "CREATE TABLE big AS SELECT g AS id, g % 7 AS grp, (g * 0.01)::numeric(12,2) AS amount"
        " FROM generate_series(1, 10000) AS g",
        database="app")
    return pg


def kinds_catalog(tmp_path: Path, pg, columns: str = COLUMNS) -> Path:
    return catalog(tmp_path, pg_database(pg), f"""
[tables.kinds]
owner = "alice"
database = "main"
table = "public.kinds"
columns = {{ {columns} }}
""")


def test_postgresql_types_and_nulls(app, tmp_path):
    cat = load_catalog(kinds_catalog(tmp_path, app, 'i = "int64", k = "int64", n = "decimal(10,2)",'
                                     ' u = "decimal(12,3)", f = "float64", r = "float64", '
                                     's = "string", v = "string", c = "string", d = "date", '
                                     'ts = "timestamp", tz = "timestamp", b = "bool"'))
    types = [str(t) for t in cat.tables["kinds"].columns.values()]
    with PartyStorage(cat, "alice") as storage:
        got = storage.query('SELECT * FROM "kinds"', types=types)
    assert got.schema.types == [cat.tables["kinds"].columns[c].to_arrow() for c in got.column_names]
    rows = got.to_pylist()
    assert rows[0] == {
        "i": 1, "k": 1, "n": Decimal("12.34"), "u": Decimal("1.235"), "f": 0.5, "r": 2.5,
        "s": "b", "v": "ab", "c": "x", "d": dt.date(2020, 1, 2),
        "ts": dt.datetime(2020, 1, 2, 3, 4, 5, 123456),
        "tz": dt.datetime(2020, 1, 2, 1, 4, 5),   # timestamptz: its UTC wall time
        "b": True}
    assert set(rows[1].values()) == {None}
    assert rows[2]["i"] == -2**63 and rows[2]["tz"] == dt.datetime(1970, 1, 1, 4, 59, 59, 500000)
    assert rows[2]["s"] == "B" and rows[2]["v"] == "" and rows[2]["c"] == "é"


def test_postgresql_strings_compare_bytewise(app, tmp_path):
    """'B' < 'b' (DuckDB's order), whatever the database's collation says."""
    cat = load_catalog(kinds_catalog(tmp_path, app))
    with PartyStorage(cat, "alice") as storage:
        got = storage.query('SELECT "s" FROM "kinds" WHERE "s" IS NOT NULL ORDER BY "s"',
                            types=["string"])
    assert got.column("s").to_pylist() == ["B", "b"]


def test_mixed_case_names_in_the_database(app, tmp_path):
    cat = load_catalog(catalog(tmp_path, pg_database(app), """
[tables.mixed]
owner = "alice"
database = "main"
table = "public.Mixed"
columns = { id = "int64", name = "string" }
"""))
    with PartyStorage(cat, "alice") as storage:
        got = storage.query('SELECT SUM("id") AS s FROM "mixed" WHERE "name" <> \'x\'',
                            types=["int64"])
    assert got.column(0).to_pylist() == [3]


@pytest.mark.parametrize(("columns", "expected"), [
    ('i = "string", n = "decimal(10,2)"',
     "column public.kinds.i is bigint there, which cannot be read as the catalog's string "
     "(tables.kinds.columns.i)"),
    ('i = "int64", s = "int64"',
     "column public.kinds.s is text there, which cannot be read as the catalog's int64 "
     "(tables.kinds.columns.s)"),
    ('f = "decimal(10,2)"',
     "column public.kinds.f is double precision there, which cannot be read as the catalog's "
     "decimal(10,2)"),
    ('tz = "date"', "column public.kinds.tz is timestamp with time zone there"),
    ('i = "int64", missing = "int64"', "table public.kinds has no column 'missing'"),
])
def test_type_mismatch_before_any_row_moves(app, tmp_path, monkeypatch, columns, expected):
    cat = load_catalog(kinds_catalog(tmp_path, app, columns))
    fetched = []
    monkeypatch.setattr(DatabaseClient, "fetch", lambda self, *a, **k: fetched.append(a))
    with PartyStorage(cat, "alice") as storage, pytest.raises(DataError) as info:
        storage.query('SELECT COUNT(*) FROM "kinds"', types=["int64"])
    message = str(info.value)
    assert message.startswith("party alice: database main (PostgreSQL): "), message
    assert expected in message
    assert fetched == []  # no statement ran


def test_missing_table(app, tmp_path):
    cat = load_catalog(catalog(tmp_path, pg_database(app), """
[tables.gone]
owner = "alice"
database = "main"
table = "public.nowhere"
columns = { x = "int64" }
"""))
    with Federation(cat) as fed, pytest.raises(OperationalError) as info:
        fed.execute("bob", "SELECT COUNT(*) FROM gone")
    assert str(info.value) == ("party alice: database main (PostgreSQL): has no table "
                               "public.nowhere (table 'gone' of the catalog)")


def big_catalog(folder: Path, pg, **kwargs) -> Path:
    return catalog(folder, pg_database(pg, **kwargs), """
[tables.big]
owner = "alice"
database = "main"
columns = { id = "int64", grp = "int64", amount = "decimal(12,2)" }
[tables.big.ccl]
amount = { bob = "PLAINTEXT_AFTER_AGGREGATE", carol = "PLAINTEXT_AFTER_AGGREGATE" }
grp = { bob = "PLAINTEXT", carol = "PLAINTEXT" }
id = { bob = "PLAINTEXT_AFTER_COMPARE", carol = "PLAINTEXT_AFTER_COMPARE" }
""")


def test_the_database_does_the_work(app, tmp_path, monkeypatch):
    """A grouped aggregate over 10000 rows brings back 7 rows, not 10000."""
    returned = []
    fetch = DatabaseClient.fetch

    def counting(self, sql, types=None):
        table = fetch(self, sql, types)
        returned.append(table.num_rows)
        return table

    monkeypatch.setattr(DatabaseClient, "fetch", counting)
    with Federation(load_catalog(big_catalog(tmp_path, app))) as fed:
        got = fed.execute("bob", "SELECT grp, SUM(amount) AS total FROM big WHERE id > 100 "
                                 "GROUP BY grp ORDER BY grp")
        explained = fed.explain("bob", "SELECT SUM(amount) AS total FROM big WHERE id > 100")
    expected = duckdb.sql("SELECT g % 7 AS grp, SUM((g * 0.01)::DECIMAL(12,2)) AS total FROM "
                          "range(101, 10001) t(g) GROUP BY grp ORDER BY grp").fetchall()
    assert [tuple(r.values()) for r in got.table.to_pylist()] == expected
    assert returned == [7]
    assert "sent to alice's PostgreSQL database main: SELECT" in explained
    assert 'FROM "big") AS "big"' in explained and '"id" > 100' in explained


def test_a_statement_sqlite_cannot_run_reads_its_rows_instead(tmp_path):
    """SQLite's % of reals differs from DuckDB's: the owner computes it in DuckDB."""
    rows = pa.table({"x": [7.5, -7.5, None], "y": [2, 2, 1]})
    write_sqlite(tmp_path / "f.db", "t", rows, "x REAL, y INTEGER")
    cat = load_catalog(catalog(tmp_path, '[parties.alice.databases.f]\nurl = "sqlite:///f.db"\n',
                               """
[tables.t]
owner = "alice"
database = "f"
columns = { x = "float64", y = "int64" }
"""))
    with Federation(cat) as fed:
        got = fed.execute("alice", "SELECT x % y AS m, x + y AS s FROM t")
        explained = fed.explain("alice", "SELECT x % y AS m FROM t")
    assert got.table.to_pylist() == [{"m": 1.5, "s": 9.5}, {"m": -1.5, "s": -5.5},
                                     {"m": None, "s": None}]
    assert "reads t from alice's SQLite database f: SELECT" in explained
    assert "then in its DuckDB (SQLite has no faithful equivalent of MOD)" in explained


def test_duckdb_file(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA sales")
    con.execute("CREATE TABLE sales.orders AS SELECT range AS id, "
                "TIMESTAMPTZ '2020-01-01 00:00:00+00' + to_hours(range) AS at, "
                "CAST(range AS INTEGER) AS qty FROM range(48)")
    con.close()
    cat = load_catalog(catalog(tmp_path, '[parties.alice.databases.w]\n'
                               'url = "duckdb:///w.duckdb"\n', """
[tables.orders]
owner = "alice"
database = "w"
table = "sales.orders"
columns = { id = "int64", at = "timestamp", qty = "int64" }
"""))
    with Federation(cat) as fed:
        got = fed.execute("alice", "SELECT MAX(at) AS last, SUM(qty) AS n FROM orders "
                                   "WHERE at < CAST('2020-01-02 00:00:00' AS DATETIME)")
    assert got.table.to_pylist() == [{"last": dt.datetime(2020, 1, 1, 23), "n": 276}]


# -- secrets -------------------------------------------------------------------------------


def test_password_never_shows(app, tmp_path):
    """Not in the plan other parties receive, EXPLAIN, errors, nor the catalog."""
    cat = load_catalog(big_catalog(tmp_path, app))
    sql = "SELECT SUM(amount) AS total FROM big WHERE id > 1"
    with Federation(cat) as fed:
        texts = [fed.plan("bob", sql).to_json(), fed.explain("bob", sql),
                 fed.explain("alice", sql), json.dumps(fed.execute("bob", sql).messages)]
    assert all(PASSWORD not in t for t in texts)


def test_a_password_in_the_url_is_refused(tmp_path, pg):
    path = catalog(tmp_path, f'[parties.alice.databases.main]\nurl = '
                   f'"postgresql://u:hunter2@127.0.0.1:{pg.port}/app"\n', "")
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    assert "parties.alice.databases.main.url: the URL holds a password" in str(info.value)
    assert "hunter2" not in str(info.value)


def test_password_variable_not_set(app, tmp_path, monkeypatch):
    monkeypatch.delenv("SCQL_NOT_SET", raising=False)
    cat = load_catalog(big_catalog(tmp_path, app, env="SCQL_NOT_SET"))
    with Federation(cat) as fed, pytest.raises(OperationalError) as info:
        fed.execute("bob", "SELECT SUM(amount) AS total FROM big")
    assert str(info.value) == ("party alice: database main (PostgreSQL): the environment "
                               "variable SCQL_NOT_SET (its password_env) is not set")


# -- faults --------------------------------------------------------------------------------

TIMEOUT = 3.0


def test_wrong_password(app, tmp_path, monkeypatch):
    monkeypatch.setenv("SCQL_WRONG_PW", "not-" + PASSWORD)
    cat = load_catalog(big_catalog(tmp_path, app, env="SCQL_WRONG_PW"))
    start = time.monotonic()
    with Federation(cat, timeout=TIMEOUT) as fed, pytest.raises(OperationalError) as info:
        fed.execute("bob", "SELECT SUM(amount) AS total FROM big")
    message = str(info.value)
    assert message.startswith("party alice: database main (PostgreSQL): cannot connect: ")
    assert "password authentication failed" in message
    assert PASSWORD not in message and "not-" not in message
    assert time.monotonic() - start < TIMEOUT


def test_database_down(app, tmp_path):
    """Nothing listens there: refused at once; the other parties abandon the query."""
    url = f"postgresql://postgres@127.0.0.1:{free_port()}/app"
    cat = load_catalog(big_catalog(tmp_path, app, url=url))
    start = time.monotonic()
    with Federation(cat, timeout=TIMEOUT) as fed:
        with pytest.raises(OperationalError) as info:
            fed.execute("bob", "SELECT SUM(amount) AS total FROM big")
        assert time.monotonic() - start < TIMEOUT
        assert str(info.value).startswith("party alice: database main (PostgreSQL): cannot "
                                          "connect: Connection refused")
        # every party was released: the next query runs (and fails) just the same
        with pytest.raises(OperationalError):
            fed.execute("carol", "SELECT SUM(amount) AS total FROM big")
        assert time.monotonic() - start < 2 * TIMEOUT


def test_database_stopped_between_queries(app, tmp_path):
    cat = load_catalog(big_catalog(tmp_path, app))
    with Federation(cat, timeout=TIMEOUT) as fed:
        sql = "SELECT COUNT(*) AS n FROM big"
        assert fed.execute("bob", sql).table.to_pylist() == [{"n": 10000}]
        app.pause()
        try:
            start = time.monotonic()
            with pytest.raises(OperationalError) as info:
                fed.execute("bob", sql)
            assert time.monotonic() - start < TIMEOUT + 1.0
            assert str(info.value).startswith("party alice: database main (PostgreSQL): ")
        finally:
            app.resume()
        # it reconnects once the database is back
        assert fed.execute("bob", sql).table.to_pylist() == [{"n": 10000}]


def test_silent_server_times_out(app, tmp_path):
    """A server that accepts connections and never answers: OperationalError within the
    timeout (libpq's connect_timeout)."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    held: list[socket.socket] = []
    stop = threading.Event()

    def accept() -> None:
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                held.append(listener.accept()[0])
            except OSError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        url = f"postgresql://postgres@127.0.0.1:{listener.getsockname()[1]}/app"
        cat = load_catalog(big_catalog(tmp_path, app, url=url))
        start = time.monotonic()
        with Federation(cat, timeout=TIMEOUT) as fed, pytest.raises(OperationalError) as info:
            fed.execute("bob", "SELECT SUM(amount) AS total FROM big")
        assert time.monotonic() - start < TIMEOUT + 1.5
        assert str(info.value).startswith("party alice: database main (PostgreSQL): ")
    finally:
        stop.set()
        thread.join()
        for s in held:
            s.close()
        listener.close()
