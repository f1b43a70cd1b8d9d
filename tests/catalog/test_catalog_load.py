"""Loading the bundled catalogs and the parts of the format they do not show."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import sqlglot
from sqlglot.optimizer.qualify import qualify

from scql_py.catalog import CatalogError, CCLLevel, SqlType, load_catalog

CATALOGS = Path(__file__).parents[2] / "catalogs"
BUNDLED = ["demo", "health", "types", "types_open"]


def test_demo() -> None:
    cat = load_catalog(CATALOGS / "demo.toml")
    assert (cat.name, cat.protocol, cat.group_size_threshold) == ("demo", "rss3", None)
    assert cat.max_rows == 10_000_000  # the default bound of many-to-many secret joins
    assert cat.path == (CATALOGS / "demo.toml").resolve()
    assert cat.party_names == ["alice", "bob", "carol"]
    assert [(p.index, p.storage, p.address) for p in cat.parties.values()] == [
        (0, ":memory:", "127.0.0.1:7101"), (1, ":memory:", "127.0.0.1:7102"),
        (2, ":memory:", "127.0.0.1:7103")]
    assert list(cat.tables) == ["alice_income", "bob_income", "carol_income"]
    for owner in cat.party_names:
        table = cat.tables[f"{owner}_income"]
        assert table.owner == owner and not table.shared
        assert table.source == (CATALOGS / "demo" / f"{owner}_income.csv").resolve()
        assert table.columns == {"person": SqlType("string"), "income": SqlType("int64")}
        assert [t.name for t in cat.tables_of(owner)] == [table.name]
        for party in cat.party_names:
            income, person = table.ccl_level("income", party), table.ccl_level("person", party)
            if party == owner:
                assert income is person is CCLLevel.PLAINTEXT
            else:
                assert income is CCLLevel.PLAINTEXT_AFTER_AGGREGATE
                assert person is CCLLevel.ENCRYPTED_ONLY


@pytest.mark.parametrize("name", BUNDLED)
def test_bundled_catalogs_load(name: str) -> None:
    cat = load_catalog(CATALOGS / f"{name}.toml")
    assert len(cat.parties) == 3
    for table in cat.tables.values():
        assert table.source is not None and table.source.is_file()
        assert set(table.ccl) <= set(table.columns)


def test_party_lookup() -> None:
    cat = load_catalog(CATALOGS / "demo.toml")
    assert cat.party("bob").index == 1
    with pytest.raises(CatalogError, match=r"demo\.toml: unknown party 'dave'"):
        cat.party("dave")


def test_health_ccl_mix() -> None:
    cat = load_catalog(CATALOGS / "health.toml")
    levels = {lv for t in cat.tables.values() for grants in t.ccl.values()
              for lv in grants.values()}
    assert levels == set(CCLLevel) - {CCLLevel.ENCRYPTED_ONLY}
    claims, accounts = cat.tables["claims"], cat.tables["accounts"]
    assert claims.ccl_level("claim_id", "hospital") is CCLLevel.ENCRYPTED_ONLY
    assert accounts.ccl_level("credit_score", "hospital") is CCLLevel.ENCRYPTED_ONLY
    assert claims.ccl_level("status", "bank") is CCLLevel.PLAINTEXT


def test_sqlglot_schema_qualifies_queries() -> None:
    cat = load_catalog(CATALOGS / "health.toml")
    schema = cat.sqlglot_schema()
    assert schema["patients"]["cost"] == "DECIMAL(12,2)"
    assert schema["claims"]["filed_at"] == "TIMESTAMP"
    ast = qualify(sqlglot.parse_one("SELECT cost FROM patients JOIN claims USING (patient_id)",
                                    read="duckdb"), schema=schema, dialect="duckdb")
    assert "patients.cost" in ast.sql(dialect="duckdb").replace('"', "")


CUSTOM = """
[catalog]
name = "custom"
protocol = "rss3"
group_size_threshold = 4

[parties.P1]
storage = "store/p1.duckdb"
address = "localhost:9001"
[parties.p2]
address = "[::1]:9002"
[parties.p3]
storage = ":memory:"
address = "10.0.0.3:9003"

[tables.Mixed_Case]
owner = "P1"
source = "data/m.csv"
columns = { Id = "INT64", Amount = "Decimal(10, 3)" }
[tables.Mixed_Case.ccl]
AMOUNT = { p2 = "plaintext_after_aggregate" }

[tables.pooled]
owner = "p2"
shared = true
columns = { v = "float64" }
"""


def test_format_details(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "m.csv").write_text("id,amount\n1,2.5\n")
    (tmp_path / "c.toml").write_text(CUSTOM)
    cat = load_catalog(tmp_path / "c.toml")
    assert cat.group_size_threshold == 4
    assert cat.party_names == ["P1", "p2", "p3"]
    assert cat.parties["P1"].storage == str((tmp_path / "store" / "p1.duckdb").resolve())
    assert cat.parties["p2"].storage == ":memory:"  # the default
    table = cat.tables["mixed_case"]
    assert list(table.columns) == ["id", "amount"]
    assert table.columns["amount"] == SqlType("decimal", 10, 3)
    assert table.ccl_level("Amount", "p2") is CCLLevel.PLAINTEXT_AFTER_AGGREGATE
    assert table.ccl_level("amount", "p3") is CCLLevel.ENCRYPTED_ONLY
    assert table.ccl_level("id", "P1") is CCLLevel.PLAINTEXT
    pooled = cat.tables["pooled"]
    assert pooled.shared and pooled.source is None
    assert cat.sqlglot_schema()["mixed_case"] == {"id": "BIGINT", "amount": "DECIMAL(10,3)"}


def test_party_only_checks_own_sources(tmp_path: Path) -> None:
    shutil.copytree(CATALOGS / "demo", tmp_path / "demo")
    shutil.copy(CATALOGS / "demo.toml", tmp_path / "demo.toml")
    (tmp_path / "demo" / "bob_income.csv").unlink()
    assert load_catalog(tmp_path / "demo.toml", party="alice").party_names[0] == "alice"
    with pytest.raises(CatalogError, match=r"tables\.bob_income\.source: file not found"):
        load_catalog(tmp_path / "demo.toml")
    with pytest.raises(CatalogError, match=r"tables\.bob_income\.source: file not found"):
        load_catalog(tmp_path / "demo.toml", party="bob")
    with pytest.raises(CatalogError, match="unknown party 'dave'"):
        load_catalog(tmp_path / "demo.toml", party="dave")
