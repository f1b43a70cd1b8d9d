"""TPC-H benchmark: the 22 standard queries over the three-party split of
``scql_py.testing.tpch`` (data by ``tpchgen-cli``), asked by alice, against DuckDB over
the plaintext union of the same files. One line per query:

    query  status  seconds  duckdb_s  ratio  rounds  mb_per_party  match

``seconds`` is the Federation's wall time for the query (each party has loaded its own
files first, as DuckDB has), ``ratio`` that over DuckDB's; ``rounds`` and
``mb_per_party`` are the communication rounds and megabytes sent of the busiest party
(the maximum over the three); ``match`` says whether the answer equals DuckDB's by the
test suite's rules (``tests/sql/sqlcases.py``). A query the engine refuses prints its
error class and message instead. The last line sums the queries that ran.

    python bench/tpch.py --sf 0.01
    python bench/tpch.py --sf 0.1 --query 1 --query 6 --data /tmp/tpch_sf01   # keep the data
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(REPO / "tests" / "sql"))

from sqlcases import arrow_result, compare, duckdb_result, has_outer_order  # noqa: E402

from scql_py import errors  # noqa: E402
from scql_py.catalog import load_catalog  # noqa: E402
from scql_py.cluster.federation import Federation  # noqa: E402
from scql_py.testing import tpch  # noqa: E402
from scql_py.testing.plaintext_union import plaintext_union  # noqa: E402
from scql_py.testing.tpch_queries import QUERIES  # noqa: E402

ASKER = "alice"


def run(data: Path, scale_factor: float, numbers: list[int], timeout: float) -> int:
    t0 = time.perf_counter()
    catalog = load_catalog(tpch.generate(data, scale_factor))
    duck = plaintext_union(catalog)
    duck.execute("SET error_on_division_by_zero = false")
    print(f"# TPC-H SF {scale_factor}: data and oracle ready in {time.perf_counter() - t0:.1f} s"
          f" (lineitem {duck.execute('SELECT COUNT(*) FROM lineitem').fetchall()[0][0]} rows)",
          flush=True)
    print(f"{'query':<6} {'status':<8} {'seconds':>9} {'duckdb_s':>9} {'ratio':>8} "
          f"{'rounds':>8} {'mb_per_party':>12}  match", flush=True)
    ran, total_s, total_duck, mismatches = 0, 0.0, 0.0, 0
    with Federation(catalog, timeout=timeout) as fed:
        for engine in fed.engines:
            engine.storage.load_all()
        for number in numbers:
            sql = QUERIES[number]
            t0 = time.perf_counter()
            expected = duckdb_result(duck, sql)
            duck_s = time.perf_counter() - t0
            t0 = time.perf_counter()
            try:
                result = fed.execute(ASKER, sql)
            except errors.Error as err:
                print(f"q{number:02d}   {type(err).__name__}: {err}", flush=True)
                continue
            secs = time.perf_counter() - t0
            rounds = max(s["rounds"] for s in result.stats.values())
            mb = max(s["bytes_sent"] for s in result.stats.values()) / 1e6
            problem = compare(arrow_result(result.table), expected, ordered=has_outer_order(sql))
            ran, total_s, total_duck = ran + 1, total_s + secs, total_duck + duck_s
            mismatches += problem is not None
            print(f"q{number:02d}   {'ran':<8} {secs:>9.2f} {duck_s:>9.4f} "
                  f"{secs / max(duck_s, 1e-9):>8.0f} {rounds:>8} {mb:>12.1f}  "
                  f"{'yes' if problem is None else 'NO: ' + problem}", flush=True)
    print(f"# {ran} of {len(numbers)} queries ran, {mismatches} answers differ; "
          f"{total_s:.1f} s in all (DuckDB {total_duck:.2f} s)", flush=True)
    return 1 if mismatches else 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sf", type=float, default=0.01, help="scale factor (default 0.01)")
    parser.add_argument("--query", type=int, action="append", choices=sorted(QUERIES),
                        help="run only this query (repeatable)")
    parser.add_argument("--data", type=Path, default=None,
                        help="keep the generated data in this directory (reused if present)")
    parser.add_argument("--timeout", type=float, default=3600.0)
    args = parser.parse_args(argv)
    numbers = args.query or sorted(QUERIES)
    if args.data is not None:
        return run(args.data, args.sf, numbers, args.timeout)
    with tempfile.TemporaryDirectory(prefix="scql_tpch_") as tmp:
        return run(Path(tmp), args.sf, numbers, args.timeout)


if __name__ == "__main__":
    sys.exit(main())
