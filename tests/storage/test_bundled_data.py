"""The bundled catalogs' data: loadable, reproducible, and shaped as the suites need."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pandas as pd
import pytest

from scql_py.catalog import load_catalog
from scql_py.storage import PartyStorage
from scql_py.testing.plaintext_union import plaintext_union

CATALOGS = Path(__file__).parents[2] / "catalogs"


def test_demo_average_is_6000() -> None:
    con = plaintext_union(load_catalog(CATALOGS / "demo.toml"))
    got = con.execute("SELECT person, income FROM alice_income UNION ALL SELECT person, income "
                      "FROM bob_income UNION ALL SELECT person, income FROM carol_income "
                      "ORDER BY income").fetchall()
    assert got == [("Alice", 5000), ("Bob", 6000), ("Carol", 7000)]
    assert sum(i for _, i in got) / 3 == 6000.0


@pytest.mark.parametrize("name", ["demo", "health", "types", "types_open"])
def test_union_oracle_matches_each_partys_storage(name: str) -> None:
    cat = load_catalog(CATALOGS / f"{name}.toml")
    oracle = plaintext_union(cat)
    for party in cat.party_names:
        with PartyStorage(cat, party) as storage:
            for table in cat.tables_of(party):
                own = storage.query(f"SELECT * FROM {table.name}")
                assert own.equals(oracle.sql(f"SELECT * FROM {table.name}").to_arrow_table())
                assert own.schema.names == list(table.columns)
                assert own.schema.types == [t.to_arrow() for t in table.columns.values()]


@pytest.mark.parametrize("name", ["health", "types"])
def test_make_data_reproduces_the_committed_csvs(name: str, tmp_path: Path) -> None:
    script = CATALOGS / name / "make_data.py"
    spec = importlib.util.spec_from_file_location(f"make_{name}_data", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.main(tmp_path)
    committed = sorted(p.name for p in (CATALOGS / name).glob("*.csv"))
    assert sorted(p.name for p in tmp_path.glob("*.csv")) == committed
    for csv_name in committed:
        assert (tmp_path / csv_name).read_bytes() == (CATALOGS / name / csv_name).read_bytes()


def _raw(path: Path) -> pd.DataFrame:
    # independent of our loader: every field as text, empty unquoted field = NaN
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])


def test_types_data_shape() -> None:
    cat = load_catalog(CATALOGS / "types.toml")
    con = plaintext_union(cat)
    for table in cat.tables.values():
        raw = _raw(table.source)
        assert list(raw.columns) == list(table.columns) and 45 <= len(raw) <= 60
        assert raw["id"].notna().all() and raw["id"].is_unique
        for column in table.columns:
            nulls = con.execute(f"SELECT avg(({column} IS NULL)::INT) FROM {table.name}")
            rate = nulls.fetchall()[0][0]
            assert (rate == 0) if column == "id" else (0.04 <= rate <= 0.30), column
        for column in ("i", "f", "m", "c"):
            assert (raw[column].dropna().astype(float) < 0).any(), column
            assert raw[column].dropna().duplicated().any(), column  # ties
        assert raw["f"].dropna().map(lambda v: len(v.partition(".")[2]) <= 3).all()
        assert raw["f"].dropna().astype(float).abs().max() <= 1000
        assert (raw["d"].dropna() < "1970-01-01").any()
    # the empty string survives as a value distinct from NULL
    assert con.execute("SELECT count(*) FROM t_alice WHERE s = ''").fetchall()[0][0] > 0


def test_health_data_shape() -> None:
    cat = load_catalog(CATALOGS / "health.toml")
    con = plaintext_union(cat)
    for table in cat.tables.values():
        n = con.execute(f"SELECT count(*) FROM {table.name}").fetchall()[0][0]
        assert 200 <= n <= 500
        nulls = con.execute("SELECT " + ", ".join(
            f"count(*) - count({c})" for c in table.columns) + f" FROM {table.name}").fetchall()
        assert sum(nulls[0]) > 0, table.name
    ids = {name: set(_raw(cat.tables[name].source)[column].dropna().astype(int))
           for name, column in [("patients", "patient_id"), ("claims", "patient_id"),
                                ("accounts", "customer_id")]}
    assert len(ids["patients"] & ids["claims"] & ids["accounts"]) >= 20
    for name, column in [("patients", "patient_id"), ("claims", "patient_id"),
                         ("accounts", "customer_id")]:
        dup = con.execute(f"SELECT count(*) - count(DISTINCT {column}) FROM {name} "
                          f"WHERE {column} IS NOT NULL").fetchall()[0][0]
        assert dup > 0, f"{name}.{column} has no duplicate keys"
    negatives = con.execute("SELECT (SELECT count(*) FROM claims WHERE amount < 0), "
                            "(SELECT count(*) FROM accounts WHERE income < 0), "
                            "(SELECT count(*) FROM accounts WHERE balance < 0)").fetchall()[0]
    assert all(n > 0 for n in negatives)
