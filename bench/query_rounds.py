"""Rounds and seconds of typical small queries: where users wait on round trips.

On the bundled ``types_open`` catalog (three parties, ~50 rows each), each query runs in
both modes (local pushdown, and everything after the scans under MPC) through the
in-process Federation; one line per query and mode:

    query  mode  rounds  seconds

``rounds`` is the asker's (every computing party takes the same), ``seconds`` the
median wall time of ``--repeat`` runs after one warm-up. Round counts do not depend
on the data and are the figure to compare between versions; seconds on a loaded
machine vary.

``--network`` runs them instead on one ``scql serve`` process per party over loopback
(TLS unless ``--insecure``), the asker's program a client of its own server: there
``seconds`` includes every round trip between the party processes.

    python bench/query_rounds.py
    python bench/query_rounds.py --queries sum,avg --repeat 5
    python bench/query_rounds.py --network --queries sum,group_by
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing

from scql_py.catalog import load_catalog  # noqa: E402
from scql_py.cluster.federation import Federation  # noqa: E402
from scql_py.testing.local_cluster import LocalCluster  # noqa: E402

CATALOG = REPO / "catalogs" / "types_open.toml"  # every column but one PLAINTEXT
U = ("(SELECT id, k, i, f, m, c FROM t_alice UNION ALL SELECT id, k, i, f, m, c FROM t_bob "
     "UNION ALL SELECT id, k, i, f, m, c FROM t_carol) AS u")

# name -> SQL, asked by alice
QUERIES: dict[str, str] = {
    "sum": f"SELECT SUM(i) AS s FROM {U}",
    "avg": f"SELECT AVG(i) AS a FROM {U}",
    "five_aggregates": f"SELECT COUNT(*) AS n, SUM(i) AS s, AVG(f) AS a, MIN(m) AS lo, "
                       f"MAX(i) AS hi FROM {U}",
    "group_by": f"SELECT k, COUNT(*) AS n, SUM(i) AS s, AVG(i) AS a, MIN(i) AS lo FROM {U} "
                "GROUP BY k",
    "where": f"SELECT COUNT(*) AS n FROM {U} WHERE c > 0 AND c < 40 AND c <> 7",
    "spread": f"SELECT STDDEV(i) AS sd, VAR_POP(f) AS vf, VAR_SAMP(m) AS vs FROM {U}",
    "quotients": f"SELECT id, i / c AS q FROM {U}",
    "order_by": f"SELECT id, k FROM {U} ORDER BY k, id",
}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", default=None,
                        help=f"comma-separated subset of: {', '.join(QUERIES)}")
    parser.add_argument("--repeat", type=int, default=3, help="timed runs per query (median)")
    parser.add_argument("--network", action="store_true",
                        help="one server process per party over loopback, not in-process")
    parser.add_argument("--insecure", action="store_true",
                        help="with --network: plain TCP instead of TLS")
    args = parser.parse_args(argv)
    names = args.queries.split(",") if args.queries else list(QUERIES)
    unknown = [n for n in names if n not in QUERIES]
    if unknown:
        parser.error(f"unknown query(s): {', '.join(unknown)}; known: {', '.join(QUERIES)}")
    print("# query mode rounds seconds", flush=True)
    if args.network:
        with tempfile.TemporaryDirectory(prefix="scql-rounds-") as tmp:
            with LocalCluster(CATALOG, tmp, insecure=args.insecure) as cluster:
                for pushdown in (True, False):
                    with cluster.client("alice", pushdown=pushdown) as fed:
                        _run(fed, names, pushdown, args.repeat)
        return 0
    catalog = load_catalog(CATALOG)
    for pushdown in (True, False):
        with Federation(catalog, pushdown=pushdown) as fed:
            _run(fed, names, pushdown, args.repeat)
    return 0


def _run(fed, names: list[str], pushdown: bool, repeat: int) -> None:
    """One line per query: ``fed`` (a Federation or a RemoteFederation) runs it."""
    for name in names:
        result = fed.execute("alice", QUERIES[name])  # warm-up
        times = []
        for _ in range(repeat):
            start = time.perf_counter()
            result = fed.execute("alice", QUERIES[name])
            times.append(time.perf_counter() - start)
        rounds = result.profile["alice"].totals().rounds
        mode = "pushdown" if pushdown else "secure"
        print(f"{name} {mode} {rounds} {statistics.median(times):.3f}", flush=True)


if __name__ == "__main__":
    sys.exit(main())
