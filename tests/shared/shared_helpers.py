"""Helpers of the shared-table tests: catalogs in a temporary folder, random plaintext,
and opening a shared table to one party (a real reveal of the loaded shares)."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from scql_py.catalog.types import SqlType
from scql_py.cluster.federation import Federation
from scql_py.cluster.shared_table_changes import run_inprocess
from scql_py.engine.relation import SecretRelation
from scql_py.engine.reveal import open_relation
from scql_py.engine.shared_table_versions import load_shared
from scql_py.testing import catalog_files

PARTIES = ("alice", "bob", "carol")
COLUMNS = {
    "id": "int64", "amount": "float64", "flag": "bool", "name": "string",
    "day": "date", "at": "timestamp", "price": "decimal(12,2)",
}


def write_catalog(folder: Path, *, persistent: bool,
                  tables: dict[str, tuple[str, dict[str, str]]] | None = None) -> Path:
    """A catalog of three parties and shared tables, each ``(owner, column types)``;
    ``people`` (alice's, every type, its amount aggregate-only) by default."""
    def schema(columns: dict[str, str]) -> pa.Schema:
        return pa.schema([(c, SqlType.parse(t).to_arrow()) for c, t in columns.items()])

    if tables is None:
        shared = {"people": catalog_files.OwnedTable(
            "alice", schema(COLUMNS), ccl={"amount": "PLAINTEXT_AFTER_AGGREGATE"}, shared=True)}
    else:
        shared = {name: catalog_files.OwnedTable(owner, schema(columns), shared=True)
                  for name, (owner, columns) in tables.items()}
    storage = {party: f"{party}.duckdb" for party in PARTIES} if persistent else None
    return catalog_files.write_catalog(folder, "shared_test", shared, storage=storage,
                                       first_port=7301)


def random_people(rows: int, seed: int = 0, null_rate: float = 0.1) -> pa.Table:
    """Rows of every column type, with NULLs, extremes and non-ASCII strings."""
    rng = np.random.default_rng(seed)

    def nulls() -> np.ndarray:
        return rng.random(rows) < null_rate

    ids = rng.integers(-(2**63), 2**63 - 1, rows, dtype=np.int64, endpoint=True)
    amounts = np.round(rng.normal(0, 1e6, rows), 3)
    words = ["", "a", "Zoë", "hello world", "x" * 17, "日本語テキスト", "tab\tsep"]
    names = [words[i] for i in rng.integers(0, len(words), rows)]
    days = [dt.date(1970, 1, 1) + dt.timedelta(days=int(d))
            for d in rng.integers(-30000, 30000, rows)]
    ats = [dt.datetime(2000, 1, 1) + dt.timedelta(microseconds=int(u))
           for u in rng.integers(-10**15, 10**15, rows)]
    prices = [decimal.Decimal(int(c)).scaleb(-2) for c in rng.integers(-10**11, 10**11, rows)]
    cols = {
        "id": pa.array(ids, mask=nulls()),
        "amount": pa.array(amounts, mask=nulls()),
        "flag": pa.array(rng.random(rows) < 0.5, mask=nulls()),
        "name": pa.array(names, pa.string(), mask=nulls()),
        "day": pa.array(days, pa.date32(), mask=nulls()),
        "at": pa.array(ats, pa.timestamp("us"), mask=nulls()),
        "price": pa.array(prices, pa.decimal128(12, 2), mask=nulls()),
    }
    return pa.table(cols)


def reveal_relation(rt, rel: SecretRelation, to: int) -> pa.Table | None:
    """Open every column of ``rel`` (and its validity, as column ``_valid``) to ``to``."""
    return open_relation(rt, rel, to, with_valid=True)


def open_shared(fed: Federation, table: str, to: str = "alice",
                columns: list[str] | None = None) -> tuple[pa.Table, int]:
    """Load a shared table on every party and reveal it to ``to``: (rows, version)."""
    index = PARTIES.index(to)

    def fn(storage, rt, _):
        rel, version = load_shared(storage, rt, table, columns)
        return reveal_relation(rt, rel, index), version

    results = run_inprocess(fed, fn)
    versions = {v for _, v in results}
    assert len(versions) == 1, versions
    return results[index][0], versions.pop()
