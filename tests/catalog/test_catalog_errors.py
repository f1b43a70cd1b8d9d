"""Every mistake in a catalog file is a CatalogError naming the file and the key.

Each case edits the demo catalog's text (in a copy under tmp_path) and checks the
message names the file, the dotted key and the problem.
"""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from scql_py.catalog import CatalogError, load_catalog
from scql_py.errors import ProgrammingError

DEMO = Path(__file__).parents[2] / "catalogs" / "demo.toml"
CAROL = """[parties.carol]
storage = ":memory:"
address = "127.0.0.1:7103"
"""

# (case id, text to replace, replacement, key expected in the message, problem expected)
CASES = [
    ("unknown type", 'person = "string", income = "int64" }\n[tables.alice_income.ccl]',
     'person = "string", income = "integer" }\n[tables.alice_income.ccl]',
     "tables.alice_income.columns.income", "unknown type 'integer'"),
    ("interval is no column type", 'person = "string", income = "int64" }\n[tables.alice_income.ccl]',
     'person = "string", income = "interval" }\n[tables.alice_income.ccl]',
     "tables.alice_income.columns.income", "an interval is a result, not a column type"),
    ("bad decimal", 'income = "int64" }\n[tables.bob_income.ccl]',
     'income = "decimal(3,5)" }\n[tables.bob_income.ccl]',
     "tables.bob_income.columns.income", "scale must be between 0 and the precision"),
    ("unknown owner", 'owner = "carol"', 'owner = "dave"',
     "tables.carol_income.owner", "unknown party 'dave'"),
    ("ccl unknown party", 'income = { bob = "PLAINTEXT_AFTER_AGGREGATE", carol',
     'income = { bobby = "PLAINTEXT_AFTER_AGGREGATE", carol',
     "tables.alice_income.ccl.income.bobby", "unknown party 'bobby'"),
    ("ccl unknown column", '[tables.alice_income.ccl]\nincome', '[tables.alice_income.ccl]\nsalary',
     "tables.alice_income.ccl.salary", "unknown column 'salary'"),
    ("ccl unknown level", 'income = { bob = "PLAINTEXT_AFTER_AGGREGATE", carol',
     'income = { bob = "AFTER_AGGREGATE", carol',
     "tables.alice_income.ccl.income.bob", "unknown CCL level 'AFTER_AGGREGATE'"),
    ("ccl not a table", '[tables.alice_income.ccl]\nincome = {', '[tables.alice_income.ccl]\nincome = 3 #',
     "tables.alice_income.ccl.income", "must be a table"),
    ("missing source", 'demo/bob_income.csv', 'demo/bob.csv',
     "tables.bob_income.source", "file not found"),
    ("source suffix", 'demo/bob_income.csv', 'demo/bob_income.txt',
     "tables.bob_income.source", "must be a .csv or .parquet file"),
    ("no source", 'source = "demo/bob_income.csv"\n', '',
     "tables.bob_income", "needs a source file, a database or shared = true"),
    ("source and shared", 'source = "demo/bob_income.csv"\n',
     'source = "demo/bob_income.csv"\nshared = true\n',
     "tables.bob_income.source", "a shared table has no source file"),
    ("shared not bool", 'source = "demo/bob_income.csv"\n', 'shared = "yes"\n',
     "tables.bob_income.shared", "must be true or false"),
    ("duplicate table", "[tables.bob_income]", "[tables.Alice_Income]",
     "tables.Alice_Income", "duplicate table name 'alice_income'"),
    ("duplicate column", 'columns = { person = "string", income = "int64" }\n[tables.carol',
     'columns = { person = "string", Person = "int64" }\n[tables.carol',
     "tables.carol_income.columns.Person", "duplicate column name 'person'"),
    ("duplicate party", "[parties.carol]", "[parties.Bob]",
     "parties.Bob", "duplicate party name 'Bob'"),
    ("bad table name", "[tables.bob_income]", "[tables.bob-income]",
     "tables.bob-income", "must be letters, digits and '_'"),
    ("bad column name", 'income = "int64" }\n[tables.bob_income.ccl]',
     'income = "int64", "2x" = "int64" }\n[tables.bob_income.ccl]',
     "tables.bob_income.columns.2x", "must be letters, digits and '_'"),
    ("protocol", 'protocol = "rss3"', 'protocol = "semi2k"',
     "catalog.protocol", "unknown protocol 'semi2k' (supported: rss3)"),
    ("two parties", CAROL, "", "parties",
     "needs 3 computing parties and the catalog has 2 (alice, bob): add a compute-only "
     "party"),
    ("four parties", CAROL, CAROL + CAROL.replace("carol", "dave").replace("7103", "7104"),
     "catalog.compute", "missing: the catalog has 4 parties (alice, bob, carol, dave); "
     "name the 3 that run protocol rss3"),
    ("compute unknown party", 'protocol = "rss3"',
     'protocol = "rss3"\ncompute = ["alice", "bob", "dave"]',
     "catalog.compute", "unknown party 'dave' (parties: alice, bob, carol)"),
    ("compute two", 'protocol = "rss3"', 'protocol = "rss3"\ncompute = ["alice", "bob"]',
     "catalog.compute", "runs on exactly 3 computing parties, 'compute' names 2"),
    ("compute duplicate", 'protocol = "rss3"',
     'protocol = "rss3"\ncompute = ["alice", "bob", "bob"]',
     "catalog.compute", "party 'bob' is named twice"),
    ("compute not a list", 'protocol = "rss3"', 'protocol = "rss3"\ncompute = "alice"',
     "catalog.compute", "must be a list of party names"),
    ("bad address", '"127.0.0.1:7102"', '"127.0.0.1"',
     "parties.bob.address", "must be 'host:port'"),
    ("bad port", '"127.0.0.1:7102"', '"127.0.0.1:99999"',
     "parties.bob.address", "must be 'host:port'"),
    ("missing address", 'address = "127.0.0.1:7102"\n', '',
     "parties.bob.address", "missing"),
    ("unknown table key", 'owner = "bob"', 'owner = "bob"\nsorce = "x.csv"',
     "tables.bob_income.sorce", "unknown key"),
    ("unknown party key", 'address = "127.0.0.1:7101"', 'address = "127.0.0.1:7101"\nport = 1',
     "parties.alice.port", "unknown key"),
    ("unknown section", "[catalog]", "[catalgo]\nx = 1\n[catalog]",
     "catalgo", "unknown section"),
    ("missing name", 'name = "demo"\n', '', "catalog.name", "missing"),
    ("empty name", 'name = "demo"', 'name = ""', "catalog.name", "must be a non-empty string"),
    ("threshold", 'protocol = "rss3"', 'protocol = "rss3"\ngroup_size_threshold = 0',
     "catalog.group_size_threshold", "must be a positive integer"),
    ("max_rows", 'protocol = "rss3"', 'protocol = "rss3"\nmax_rows = "many"',
     "catalog.max_rows", "must be a positive integer"),
    ("no columns", 'columns = { person = "string", income = "int64" }\n[tables.carol',
     'columns = {}\n[tables.carol',
     "tables.carol_income.columns", "at least one column"),
    ("missing columns", 'columns = { person = "string", income = "int64" }\n[tables.carol',
     '[tables.carol', "tables.carol_income.columns", "section missing"),
]


def _write(tmp_path: Path, text: str) -> Path:
    shutil.copytree(DEMO.parent / "demo", tmp_path / "demo")
    path = tmp_path / "broken.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize(("old", "new", "key", "problem"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_error_names_file_and_key(tmp_path: Path, old: str, new: str, key: str,
                                  problem: str) -> None:
    text = DEMO.read_text()
    assert old in text, "the case no longer matches the demo catalog"
    path = _write(tmp_path, text.replace(old, new, 1))
    with pytest.raises(CatalogError) as info:
        load_catalog(path)
    message = str(info.value)
    assert message.startswith(f"{path.resolve()}: {key}: "), message
    assert problem in message
    assert isinstance(info.value, ProgrammingError)


def test_demo_itself_is_valid(tmp_path: Path) -> None:
    assert load_catalog(_write(tmp_path, DEMO.read_text())).name == "demo"


def test_invalid_toml(tmp_path: Path) -> None:
    path = _write(tmp_path, DEMO.read_text().replace('name = "demo"', 'name = "demo'))
    with pytest.raises(CatalogError, match=re.escape(f"{path.resolve()}: not valid TOML")):
        load_catalog(path)


def test_toml_duplicate_key(tmp_path: Path) -> None:
    path = _write(tmp_path, DEMO.read_text() + '\n[tables.bob_income]\nowner = "bob"\n')
    with pytest.raises(CatalogError, match=r"broken\.toml: not valid TOML"):
        load_catalog(path)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match=r"nope\.toml: catalog file not found"):
        load_catalog(tmp_path / "nope.toml")
