"""Helpers of the shared-table tests: catalogs in a temporary folder, random plaintext,
and opening a shared table to one party (a real reveal of the loaded shares)."""

from __future__ import annotations

import datetime as dt
import decimal
from pathlib import Path

import numpy as np
import pyarrow as pa

from scql_py.cluster.federation import Federation
from scql_py.cluster.shared_table_changes import run_inprocess
from scql_py.engine.relation import SecretRelation
from scql_py.engine.reveal import open_relation
from scql_py.engine.shared_table_versions import load_shared

PARTIES = ("alice", "bob", "carol")
COLUMNS = {
    "id": "int64", "amount": "float64", "flag": "bool", "name": "string",
    "day": "date", "at": "timestamp", "price": "decimal(12,2)",
}


def write_catalog(folder: Path, *, persistent: bool, tables: str | None = None,
                  name: str = "shared.toml") -> Path:
    """A catalog of three parties; ``people`` (alice's, shared, every type) by default."""
    lines = ["[catalog]", 'name = "shared_test"', 'protocol = "rss3"', ""]
    for i, party in enumerate(PARTIES):
        storage = f"{party}.duckdb" if persistent else ":memory:"
        lines += [f"[parties.{party}]", f'storage = "{storage}"',
                  f'address = "127.0.0.1:{7301 + i}"', ""]
    if tables is None:
        cols = ", ".join(f'{c} = "{t}"' for c, t in COLUMNS.items())
        tables = (
            "[tables.people]\nowner = \"alice\"\nshared = true\n"
            f"columns = {{ {cols} }}\n"
            "[tables.people.ccl]\n"
            'amount = { bob = "PLAINTEXT_AFTER_AGGREGATE", carol = "PLAINTEXT_AFTER_AGGREGATE" }\n'
        )
    path = folder / name
    path.write_text("\n".join(lines) + tables)
    return path


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
