"""The catalog's databases: ``[parties.P.databases.NAME]`` and ``[tables.T] database``.

Mistakes are CatalogErrors naming the file and the key; only the owner's copy must say
how to reach its databases (another party's copy may leave them out or give no URL).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from scql_py.catalog import CatalogError, load_catalog
from scql_py.cluster.federation import Federation
from scql_py.sql.explain import explain_plan
from scql_py.sql.planner import plan_query
from scql_py.storage import PartyStorage

HEAD = """
[catalog]
name = "db"
protocol = "rss3"
[parties.alice]
address = "127.0.0.1:7601"
{alice}
[parties.bob]
address = "127.0.0.1:7602"
[parties.carol]
address = "127.0.0.1:7603"
"""
MAIN = """[parties.alice.databases.main]
url = "postgresql://alice@db.internal:5433/clinic?sslmode=require"
password_env = "ALICE_DB_PASSWORD"
[parties.alice.databases.files]
url = "sqlite:///data/alice.db"
"""
VISITS = """
[tables.visits]
owner = "alice"
database = "main"
table = "public.visits"
columns = { patient = "string", cost = "decimal(10,2)" }
[tables.visits.ccl]
cost = { bob = "PLAINTEXT_AFTER_AGGREGATE" }
[tables.notes]
owner = "alice"
database = "files"
columns = { n = "int64" }
"""


def write(tmp_path: Path, alice: str = MAIN, tables: str = VISITS) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(HEAD.format(alice=alice) + tables)
    return path


def test_databases_and_tables_in_them(tmp_path):
    cat = load_catalog(write(tmp_path))
    main = cat.parties["alice"].databases["main"]
    assert (main.kind, main.url.user, main.url.host, main.url.port, main.url.database,
            main.url.params, main.password_env) == (
        "postgresql", "alice", "db.internal", 5433, "clinic", {"sslmode": "require"},
        "ALICE_DB_PASSWORD")
    files = cat.parties["alice"].databases["files"]
    assert files.url.path == str((tmp_path / "data" / "alice.db").resolve())  # relative
    assert (cat.tables["visits"].database, cat.tables["visits"].db_table) == (
        "main", ("public", "visits"))
    assert cat.tables["notes"].db_table == ("notes",)  # default: the SQL name
    assert cat.tables["visits"].source is None


def test_absolute_file_path(tmp_path):
    alice = f'[parties.alice.databases.files]\nurl = "duckdb:///{tmp_path}/x.duckdb"\n'
    tables = '[tables.t]\nowner = "alice"\ndatabase = "files"\ncolumns = { n = "int64" }\n'
    cat = load_catalog(write(tmp_path, alice, tables))
    assert cat.parties["alice"].databases["files"].url.path == str(tmp_path / "x.duckdb")


@pytest.mark.parametrize(("alice", "tables", "key", "problem"), [
    ('[parties.alice.databases.main]\nurl = "clinic.db"\n', "",
     "parties.alice.databases.main.url", "must look like"),
    ('[parties.alice.databases.main]\nurl = "postgresql://a:pw123@h/db"\n', "",
     "parties.alice.databases.main.url", "the URL holds a password"),
    ('[parties.alice.databases.main]\nurl = "postgresql://a@h:99999/db"\n', "",
     "parties.alice.databases.main.url", "port"),
    ('[parties.alice.databases.main]\nurl = "sqlite:///"\n', "",
     "parties.alice.databases.main.url", "needs a path"),
    ('[parties.alice.databases.main]\nurl = "sqlite:///x.db"\npassword_env = "1-x"\n', "",
     "parties.alice.databases.main.password_env", "not an environment variable name"),
    ('[parties.alice.databases.main]\nurl = "sqlite:///x.db"\npassword = "x"\n', "",
     "parties.alice.databases.main.password", "unknown key"),
    ('[parties.alice.databases.main-db]\nurl = "sqlite:///x.db"\n', "",
     "parties.alice.databases.main-db", "database name"),
    (MAIN, VISITS.replace('database = "main"', 'database = "warehouse"'),
     "tables.visits.database", "party alice declares no database 'warehouse' (its "
     "databases: main, files"),
    (MAIN, VISITS.replace('database = "main"\n', ''),
     "tables.visits", "needs a source file, a database or shared = true"),
    (MAIN, VISITS.replace('database = "main"\n', 'source = "v.csv"\n'),
     "tables.visits.table", "set 'database' too"),
    (MAIN, VISITS.replace('database = "main"\n', 'database = "main"\nsource = "v.csv"\n'),
     "tables.visits.source", "a source file or a database, not both"),
    (MAIN, VISITS.replace('database = "main"\n', 'database = "main"\nshared = true\n'),
     "tables.visits.database", "a shared table lives in no database"),
    (MAIN, VISITS.replace('"public.visits"', '"a..b"'),
     "tables.visits.table", "must be 'table', 'schema.table'"),
])
def test_mistakes_name_the_key(tmp_path, alice, tables, key, problem):
    path = write(tmp_path, alice, tables)
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert message.startswith(f"{path.resolve()}: {key}: "), message
    assert problem in message
    assert "pw123" not in message


def test_another_partys_copy_needs_no_url(tmp_path):
    """Bob's copy mentions alice's database without a URL, or not at all: it loads for
    bob, and EXPLAIN says only alice knows the statement; alice's own copy must have it."""
    partial = '[parties.alice.databases.main]\n[parties.alice.databases.files]\n'
    for alice in (partial, ""):
        path = write(tmp_path, alice)
        cat = load_catalog(path, party="bob")
        plan = plan_query(cat, "bob", "SELECT SUM(cost) AS c FROM visits")
        text = explain_plan(plan, cat)
        assert "in alice's database main (described in alice's catalog only)" in text
        with pytest.raises(CatalogError, match="tables.visits.database|main.url: missing"):
            load_catalog(path, party="alice")
    # the plan is the same whichever copy made it: every party verifies it against its own
    full = load_catalog(write(tmp_path / "..", MAIN))
    assert plan.to_json() == plan_query(full, "bob", "SELECT SUM(cost) AS c FROM visits").to_json()


def test_unknown_kind_of_database(tmp_path):
    alice = '[parties.alice.databases.main]\nurl = "oracle://a@h/db"\n'
    path = write(tmp_path, alice, VISITS.replace('database = "files"', 'database = "main"'))
    cat = load_catalog(path)
    with pytest.raises(CatalogError) as info:
        PartyStorage(cat, "alice")
    assert str(info.value).startswith(
        f"{path.resolve()}: parties.alice.databases.main.url: unknown kind of database "
        "'oracle://' (supported: postgresql://, sqlite://, duckdb://)")
    with pytest.raises(CatalogError):
        Federation(cat)
