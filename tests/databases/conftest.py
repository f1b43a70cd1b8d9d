"""Fixtures: a real PostgreSQL server for the session, and catalogs whose tables live in
it, in SQLite and DuckDB files and in CSV files (see :mod:`.types_data`).

Without PostgreSQL's programs the tests that need the server are skipped, except under
CI (``CI=true``), where ``.ci/run`` installs them and a skip would hide a failure.
(This folder is a package so that this conftest does not clash with other folders'.)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .pg_server import PASSWORD, PostgresServer, find_bindir
from .types_data import (
    CATALOGS,
    PASSWORD_ENV,
    PG_DDL,
    PG_FROM_STAGE,
    types_catalog_text,
    types_rows,
    write_duckdb,
    write_sqlite,
)

sys.path.insert(0, str(CATALOGS.parent / "tests" / "sql"))  # the oracle suite's sqlcases


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
