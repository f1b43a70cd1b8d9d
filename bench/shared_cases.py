"""Benchmark cases of secret-shared tables at rest, registered in ``bench/micro.py``:

* ``import``: the owner secret-shares a Parquet file of ``rows`` x 4 columns (int64,
  float64, int64, date) into the three parties' persistent DuckDB storage (target for 1M
  rows: 10 s). Timed from the start of the session to every party's commit.
* ``scan_shared``: SUM over one column of that table, read from each party's storage and
  opened to one party (target for 1M rows: 2 s).

Each returns ``(seconds, rounds, bytes_sent)`` (per party: the maximum over the parties;
seconds: the median over ``repeat`` runs) and prints a comment line with the storage
each party's DuckDB file holds per value.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from scql_py.cluster.federation import Federation
from scql_py.cluster.shared_table_changes import run_inprocess
from scql_py.engine.shared_table_versions import import_table, load_shared
from scql_py.mpc import rss
from scql_py.testing.catalog_files import PARTIES, OwnedTable, write_catalog

TABLE = "sales"
SCHEMA = pa.schema([("id", pa.int64()), ("amount", pa.float64()), ("qty", pa.int64()),
                    ("day", pa.date32())])


def _catalog(folder: Path) -> Path:
    return write_catalog(folder, "bench_shared", {
        TABLE: OwnedTable("alice", SCHEMA, shared=True)},
        storage={p: f"{p}.duckdb" for p in PARTIES})


def _source(folder: Path, rows: int) -> tuple[Path, int]:
    """The owner's Parquet file, and the plaintext SUM(qty) to check the scan against."""
    rng = np.random.default_rng(1)
    qty = rng.integers(0, 1000, rows)
    data = pa.table({
        "id": np.arange(rows, dtype=np.int64),
        "amount": np.round(rng.random(rows) * 10_000, 2),
        "qty": qty,
        "day": pa.array(rng.integers(0, 20_000, rows).astype(np.int32)).cast(pa.date32()),
    })
    path = folder / "sales.parquet"
    pq.write_table(data, path)
    return path, int(qty.sum())


def _timed(fed: Federation, fn) -> tuple[float, int, int, list]:
    def party(storage, rt, _):
        rt.comm.stats.reset()
        start = time.perf_counter()
        out = fn(storage, rt)
        return time.perf_counter() - start, rt.comm.stats.rounds, rt.comm.stats.bytes_sent, out

    start = time.perf_counter()
    results = run_inprocess(fed, party)
    wall = time.perf_counter() - start
    return (wall, max(r[1] for r in results), max(r[2] for r in results),
            [r[3] for r in results])


def _import(fed: Federation, source: Path):
    def fn(storage, rt):
        data = pq.read_table(source) if storage.party.name == "alice" else None
        return import_table(storage, rt, "alice", TABLE, data)
    return _timed(fed, fn)


def _storage_line(folder: Path, rows: int) -> str:
    sizes = [(folder / f"{p}.duckdb").stat().st_size / (rows * len(SCHEMA)) for p in PARTIES]
    return "# import: storage bytes per value: " + ", ".join(
        f"{p} {s:.2f}" for p, s in zip(PARTIES, sizes))


def time_import(rows: int, repeat: int) -> tuple[float, int, int]:
    times, rounds, sent = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, _ = _source(folder, rows)
        with Federation(_catalog(folder)) as fed:
            for run in range(repeat):  # each run is a new version; the old one is dropped
                seconds, rounds, sent, _out = _import(fed, source)
                times.append(seconds)
                if run == 0:
                    for engine in fed.engines:
                        engine.storage.connection.execute("CHECKPOINT")
                    print(_storage_line(folder, rows), flush=True)
        print(_storage_line(folder, rows).replace("import:", f"after {repeat} imports:"),
              flush=True)
    return statistics.median(times), rounds, sent


def time_scan_shared(rows: int, repeat: int) -> tuple[float, int, int]:
    times, rounds, sent = [], 0, 0
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        source, want = _source(folder, rows)
        catalog = _catalog(folder)
        with Federation(catalog) as fed:
            _import(fed, source)
        source.unlink()  # the owner's data is gone: only the shares remain

        def scan(storage, rt):
            rel, _version = load_shared(storage, rt, TABLE, ["qty"])
            return rss.reveal(rt, rel.columns[0].value.sum(), to=1)

        with Federation(catalog) as fed:  # a restart: engines reopen the storage files
            for _ in range(repeat):
                seconds, rounds, sent, out = _timed(fed, scan)
                if int(out[1][0]) != want:
                    raise AssertionError(f"scan_shared: SUM {int(out[1][0])}, expected {want}")
                times.append(seconds)
    return statistics.median(times), rounds, sent
