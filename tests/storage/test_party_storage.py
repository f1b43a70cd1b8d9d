"""A party's storage engine: only its own tables, loaded lazily, errors as PEP 249 classes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pyarrow as pa
import pytest

from scql_py.catalog import CatalogError, load_catalog
from scql_py.errors import DataError, OperationalError, ProgrammingError
from scql_py.storage import PartyStorage

CATALOGS = Path(__file__).parents[2] / "catalogs"
INCOME = {"alice": ("Alice", 5000), "bob": ("Bob", 6000), "carol": ("Carol", 7000)}


def _demo_copy(tmp_path: Path, storage: str | None = None) -> Path:
    shutil.copytree(CATALOGS / "demo", tmp_path / "demo")
    text = (CATALOGS / "demo.toml").read_text()
    if storage is not None:
        text = text.replace('storage = ":memory:"', f'storage = "{storage}"', 1)
    (tmp_path / "demo.toml").write_text(text)
    return tmp_path / "demo.toml"


@pytest.mark.parametrize("party", list(INCOME))
def test_each_party_holds_only_its_own_table(party: str) -> None:
    cat = load_catalog(CATALOGS / "demo.toml")
    with PartyStorage(cat, party) as storage:
        assert storage.table_names == [f"{party}_income"]
        result = storage.query(f"SELECT person, income FROM {party}_income")
        assert result.to_pylist() == [dict(zip(("person", "income"), INCOME[party], strict=True))]
        assert result.schema.types == [pa.string(), pa.int64()]
        for other in set(INCOME) - {party}:
            with pytest.raises(ProgrammingError, match=f"party {party}: .*{other}_income"):
                storage.query(f"SELECT * FROM {other}_income")
        names = storage.query("SELECT table_name FROM duckdb_tables()").column(0).to_pylist()
        assert names == [f"{party}_income"]


def test_never_opens_another_partys_source(tmp_path: Path) -> None:
    path = _demo_copy(tmp_path)
    (tmp_path / "demo" / "bob_income.csv").unlink()
    (tmp_path / "demo" / "carol_income.csv").unlink()
    cat = load_catalog(path, party="alice")
    with PartyStorage(cat, "alice") as alice:
        alice.load_all()
        assert alice.query("SELECT SUM(income) AS s FROM alice_income").to_pylist() == [
            {"s": 5000}]
    # bob's storage opens fine; it fails only when it needs its own (missing) file
    with PartyStorage(cat, "bob") as bob:
        assert bob.query("SELECT 1 AS one").to_pylist() == [{"one": 1}]
        with pytest.raises(OperationalError, match=r"bob_income\.csv.*not found"):
            bob.query("SELECT * FROM bob_income")


def test_loads_lazily_what_the_query_names(tmp_path: Path) -> None:
    path = _demo_copy(tmp_path)
    src = tmp_path / "demo" / "alice_income.csv"
    with PartyStorage(load_catalog(path), "alice") as alice:
        src.write_text("person,income\nAlice,5001\n")  # not read before the first use
        assert alice.query('SELECT income FROM "ALICE_INCOME"').to_pylist() == [
            {"income": 5001}]
        src.write_text("person,income\nAlice,1\n")  # read once per session
        assert alice.query("SELECT income FROM alice_income").to_pylist() == [
            {"income": 5001}]


def test_params_ddl_and_errors() -> None:
    with PartyStorage(load_catalog(CATALOGS / "demo.toml"), "carol") as carol:
        got = carol.query("SELECT person FROM carol_income WHERE income > ?", [6500])
        assert got.to_pylist() == [{"person": "Carol"}]
        carol.query("CREATE TEMP TABLE scratch AS SELECT 2 AS x")
        assert carol.query("SELECT x FROM scratch").to_pylist() == [{"x": 2}]
        with pytest.raises(ProgrammingError, match="party carol: Parser Error"):
            carol.query("SELEC 1")
        with pytest.raises(DataError, match="party carol: .*Overflow"):
            carol.query("SELECT 9223372036854775807::BIGINT + income FROM carol_income")
    with pytest.raises(OperationalError, match="party carol: storage is closed"):
        carol.query("SELECT 1")


def test_bad_source_value_is_data_error(tmp_path: Path) -> None:
    path = _demo_copy(tmp_path)
    src = tmp_path / "demo" / "bob_income.csv"
    src.write_text("person,income\nBob,6000\nBobby,lots\n")
    with PartyStorage(load_catalog(path), "bob") as bob, pytest.raises(DataError) as info:
        bob.query("SELECT * FROM bob_income")
    assert str(info.value) == f"{src.resolve()}: line 3, column 'income': cannot read 'lots' as int64"


def test_unknown_party_and_unopenable_storage(tmp_path: Path) -> None:
    cat = load_catalog(CATALOGS / "demo.toml")
    with pytest.raises(CatalogError, match="unknown party 'dave'"):
        PartyStorage(cat, "dave")
    (tmp_path / "dir.duckdb").mkdir()
    cat = load_catalog(_demo_copy(tmp_path, "dir.duckdb"))
    with pytest.raises(OperationalError, match="party alice: cannot open its storage"):
        PartyStorage(cat, "alice")


def test_file_storage_keeps_tables_until_the_source_changes(tmp_path: Path) -> None:
    path = _demo_copy(tmp_path, "state/alice.duckdb")
    src = tmp_path / "demo" / "alice_income.csv"
    cat = load_catalog(path)
    assert cat.parties["alice"].storage == str(tmp_path / "state" / "alice.duckdb")
    with PartyStorage(cat, "alice") as alice:
        assert alice.query("SELECT income FROM alice_income").column(0).to_pylist() == [5000]
    assert (tmp_path / "state" / "alice.duckdb").is_file()

    # same size and mtime: the stored table is used, the file is not read again
    stat = src.stat()
    src.write_text(src.read_text().replace("5000", "5999"))
    os.utime(src, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with PartyStorage(cat, "alice") as alice:
        assert alice.query("SELECT income FROM alice_income").column(0).to_pylist() == [5000]

    # a changed source is reloaded
    src.write_text("person,income\nAlice,1\nAlice2,2\n")
    with PartyStorage(cat, "alice") as alice:
        assert alice.query("SELECT income FROM alice_income").column(0).to_pylist() == [1, 2]

    # so are changed column types in the catalog
    path.write_text(path.read_text().replace(
        'columns = { person = "string", income = "int64" }',
        'columns = { person = "string", income = "float64" }', 1))
    with PartyStorage(load_catalog(path), "alice") as alice:
        got = alice.query("SELECT income FROM alice_income")
        assert got.schema.types == [pa.float64()] and got.column(0).to_pylist() == [1.0, 2.0]
