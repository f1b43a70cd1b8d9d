"""A real PostgreSQL server for the session, SQLite and DuckDB files, and catalogs whose
tables live in them: the rows of ``catalogs/types.toml`` (the SQL oracle suite's), so
that every answer can be checked against DuckDB over the original CSV files.

Without PostgreSQL's programs the tests that need the server are skipped, except under
CI (``CI=true``), where ``.ci/run`` installs them and a skip would hide a failure.
"""

from __future__ import annotations

import os
import sqlite3
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pytest

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
CATALOGS = REPO / "catalogs"
sys.path.insert(0, str(HERE))                    # pg_server
sys.path.insert(0, str(REPO / "tests" / "sql"))  # the SQL oracle suite's machinery

from pg_server import PASSWORD, PostgresServer, find_bindir  # noqa: E402

from scql_py.catalog import load_catalog  # noqa: E402
from scql_py.storage.sources import load_table  # noqa: E402

PASSWORD_ENV = "SCQL_TEST_PG_PASSWORD"
TYPES_COLUMNS = ("id", "k", "s", "i", "f", "b", "d", "ts", "m", "c", "secret")

# t_alice in PostgreSQL: narrower integer types, varchar, timestamptz, numeric
PG_DDL = ("id integer, k smallint, s varchar(40), i bigint, f double precision, b boolean, "
          "d date, ts timestamptz, m numeric(12,2), c integer, secret bigint")
PG_FROM_STAGE = "id, k, s, i, f, b, d, ts AT TIME ZONE 'UTC', m, c, secret"
SQLITE_DDL = ("id INTEGER, k INTEGER, s TEXT, i INTEGER, f REAL, b BOOLEAN, d DATE, "
              "ts TIMESTAMP, m NUMERIC(12,2), c INTEGER, secret INTEGER")


def types_rows(table: str) -> pa.Table:
    """The rows of ``table`` of the types catalog, as its CSV file gives them."""
    con = duckdb.connect()
    load_table(con, load_catalog(CATALOGS / "types.toml").tables[table])
    return con.sql(f"SELECT * FROM {table} ORDER BY id").to_arrow_table()


def write_sqlite(path: Path, table: str, rows: pa.Table, ddl: str = SQLITE_DDL) -> None:
    con = sqlite3.connect(path)
    con.execute(f"CREATE TABLE {table} ({ddl})")
    names = rows.column_names
    values = [tuple(_sqlite_value(v) for v in row.values())
              for row in rows.to_pylist()]
    con.executemany(f"INSERT INTO {table} VALUES ({', '.join('?' * len(names))})", values)
    con.commit()
    con.close()


def _sqlite_value(v):
    import datetime as dt
    import decimal

    if isinstance(v, decimal.Decimal):
        return float(v)
    if isinstance(v, dt.datetime):
        return v.isoformat(sep=" ")
    if isinstance(v, dt.date):
        return v.isoformat()
    return v


def write_duckdb(path: Path, table: str, rows: pa.Table) -> None:
    con = duckdb.connect(str(path))
    con.register("rows", rows)
    con.execute(f"CREATE TABLE {table} AS SELECT * FROM rows")
    con.close()


@pytest.fixture(scope="session")
def pg():
    if find_bindir() is None:
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL is not installed (.ci/run should have installed it)")
        pytest.skip("PostgreSQL is not installed (apt-get install postgresql)")
    old = os.environ.get(PASSWORD_ENV)
    os.environ[PASSWORD_ENV] = PASSWORD
    with PostgresServer() as server:
        yield server
    if old is None:
        os.environ.pop(PASSWORD_ENV, None)
    else:
        os.environ[PASSWORD_ENV] = old


def types_catalog_text(placements: dict[str, str], databases: dict[str, str]) -> str:
    """The types catalog with each table placed: ``placements`` maps a table to TOML
    lines replacing its ``source`` line; ``databases`` maps a party to the TOML of its
    databases sections."""
    text = (CATALOGS / "types.toml").read_text()
    for table, lines in placements.items():
        text = text.replace(f'source = "types/{table}.csv"', lines)
    for party, sections in databases.items():
        header = f"[parties.{party}]\n"
        start = text.index(header)
        end = text.index("\n\n", start)
        text = text[:end] + "\n" + sections.rstrip("\n") + text[end:]
    return text


@pytest.fixture(scope="session")
def mixed_catalog(pg, tmp_path_factory) -> Path:
    """t_alice in PostgreSQL (schema clinic, another name, a New York time zone), t_bob
    in a SQLite file, t_carol a CSV file."""
    folder = tmp_path_factory.mktemp("mixed")
    pg.create_database("clinic")
    pg.execute("CREATE SCHEMA clinic", "ALTER DATABASE clinic SET timezone = 'America/New_York'",
               database="clinic")
    pg.load("clinic", "clinic.alice_rows", types_rows("t_alice"), PG_DDL, PG_FROM_STAGE)
    (folder / "data").mkdir()
    write_sqlite(folder / "data" / "bob.db", "t_bob", types_rows("t_bob"))
    (folder / "t_carol.csv").write_bytes((CATALOGS / "types" / "t_carol.csv").read_bytes())
    text = types_catalog_text(
        {"t_alice": 'database = "clinic"\ntable = "clinic.alice_rows"',
         "t_bob": 'database = "files"',
         "t_carol": 'source = "t_carol.csv"'},
        {"alice": f'[parties.alice.databases.clinic]\nurl = "{pg.url("clinic")}"\n'
                  f'password_env = "{PASSWORD_ENV}"\n',
         "bob": '[parties.bob.databases.files]\nurl = "sqlite:///data/bob.db"\n'})
    path = folder / "mixed.toml"
    path.write_text(text)
    return path


@pytest.fixture(scope="session")
def duckdb_catalog(pg, tmp_path_factory) -> Path:
    """t_alice in a DuckDB file, t_bob in PostgreSQL (public schema), t_carol in SQLite."""
    folder = tmp_path_factory.mktemp("duck")
    pg.create_database("bank")
    pg.load("bank", "t_bob", types_rows("t_bob"), PG_DDL, PG_FROM_STAGE)
    write_duckdb(folder / "alice.duckdb", "t_alice", types_rows("t_alice"))
    write_sqlite(folder / "carol.sqlite", "t_carol", types_rows("t_carol"))
    text = types_catalog_text(
        {"t_alice": 'database = "own"', "t_bob": 'database = "bank"',
         "t_carol": 'database = "lite"'},
        {"alice": '[parties.alice.databases.own]\nurl = "duckdb:///alice.duckdb"\n',
         "bob": f'[parties.bob.databases.bank]\nurl = "{pg.url("bank")}"\n'
                f'password_env = "{PASSWORD_ENV}"\n',
         "carol": '[parties.carol.databases.lite]\nurl = "sqlite:///carol.sqlite"\n'})
    path = folder / "duck.toml"
    path.write_text(text)
    return path
