"""Micro-benchmarks of single rss3 protocols: three in-process parties, one thread each.

Prints one line per case::

    case  rows  seconds  rounds  mb_sent

``seconds`` is the wall time of the protocol call alone, after the inputs are shared and
the parties have synchronised; the maximum over the three parties, then the median over
``--repeat`` runs (the first, cold run is included in the median's sample).
``rounds`` and ``mb_sent`` are per party (the maximum over parties) for one run.

    python bench/micro.py                        # every case at its default size
    python bench/micro.py --rows 100000 --cases mul,lt
    python bench/micro.py --network --cases lt,sort   # three processes over loopback TLS
    python bench/micro.py --memory --cases sort,groupby   # peak memory per party

``--memory`` runs each case once with :mod:`tracemalloc` on (numpy's arrays are traced)
and prints the peak of everything the three in-process parties allocated, divided by
three: ``mb_per_party`` and ``bytes_per_row_col`` (per row and secret column the case
holds: a sort of keys with one payload holds two). Inputs and their setup count.

Adding a case (in ``bench/micro_cases.py``)::

    @case("shuffle", 1_000_000)
    def bench_shuffle(rows: int, repeat: int) -> Timing:
        return time_protocol(
            setup=lambda rt: share_random(rt, rows),        # untimed
            body=lambda rt, x: shuffle.shuffle(rt, x),      # timed
            repeat=repeat,
        )
"""

from __future__ import annotations

import argparse
import sys
import tracemalloc

from micro_cases import CASES
from micro_network import main_network


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=None,
                        help="rows per case (default: each case's own size)")
    parser.add_argument("--cases", default=None,
                        help=f"comma-separated subset of: {', '.join(CASES)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per case (median)")
    parser.add_argument("--network", action="store_true",
                        help="each party in its own process, over loopback TLS "
                        "(bench/micro_network.py); also runs in-process for the ratio")
    parser.add_argument("--memory", action="store_true",
                        help="peak memory per party instead of time (one run under tracemalloc)")
    parser.add_argument("--insecure", action="store_true",
                        help="with --network: plain TCP instead of TLS")
    args = parser.parse_args(argv)
    names = args.cases.split(",") if args.cases else list(CASES)
    unknown = [n for n in names if n not in CASES]
    if unknown:
        parser.error(f"unknown case(s): {', '.join(unknown)}; known: {', '.join(CASES)}")
    if args.network:
        rows = {n: args.rows if args.rows is not None else CASES[n].default_rows for n in names}
        return main_network(names, rows, args.repeat, insecure=args.insecure)
    if args.memory:
        return main_memory(names, args.rows)
    print("# case rows seconds rounds mb_sent_per_party", flush=True)
    for name in names:
        c = CASES[name]
        rows = args.rows if args.rows is not None else c.default_rows
        t = c.run(rows, args.repeat)
        print(f"{name} {rows} {t.seconds:.4f} {t.rounds} {t.bytes_sent / 1e6:.1f}", flush=True)
    return 0


def main_memory(names: list[str], rows_asked: int | None) -> int:
    print("# case rows mb_per_party bytes_per_row_col", flush=True)
    for name in names:
        c = CASES[name]
        rows = rows_asked if rows_asked is not None else c.default_rows
        tracemalloc.start()
        try:
            c.run(rows, 1)
            peak = tracemalloc.get_traced_memory()[1] / 3  # three parties in this process
        finally:
            tracemalloc.stop()
        print(f"{name} {rows} {peak / 1e6:.1f} {peak / rows / c.columns:.0f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
