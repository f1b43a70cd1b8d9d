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
    print("# case rows seconds rounds mb_sent_per_party", flush=True)
    for name in names:
        c = CASES[name]
        rows = args.rows if args.rows is not None else c.default_rows
        t = c.run(rows, args.repeat)
        print(f"{name} {rows} {t.seconds:.4f} {t.rounds} {t.bytes_sent / 1e6:.1f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
