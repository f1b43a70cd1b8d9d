"""Benchmark: one n-element ``rss.mul`` between three processes over loopback Flight
(TLS, and plain TCP) against the in-process network. Not collected by pytest.

Usage: ``python tests/net/bench_flight_mul.py [n ...]`` (default 1M). Prints, per setting,
the seconds of the ``mul`` round (the slowest party, best of the repetitions; the round
moves 8n bytes per party) and the bytes party 0 sent in the whole job (key set-up,
sharing x, mul, reveal: 16 + 32n), as its communicator counted them.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
sys.path.insert(0, str(Path(__file__).parent))

from flight_party import PartyProcesses, digest, job_inputs, run_mul_job  # noqa: E402

from scql_py.mpc.inprocess import run_parties  # noqa: E402
from scql_py.net.certs import make_dev_certs  # noqa: E402

NAMES = ["p0", "p1", "p2"]
REPEAT = 3


def bench_network(n: int, cert_dir: str | None) -> tuple[float, int]:
    """Best mul seconds, and the bytes party 0 sent in the whole job (as counted)."""
    jobs = [{"session": f"r{i}", "seed": i, "n": n} for i in range(REPEAT)]
    config = {"cert_dir": cert_dir, "timeout": 120.0, "jobs": jobs, "sequential": True}
    with PartyProcesses(NAMES, [config] * 3) as parties:
        outcomes = parties.run()
    x, y = job_inputs(0, n)
    assert outcomes[2]["r0"]["result"] == digest(x * y), "wrong product"
    best = min(max(o[f"r{i}"]["mul_seconds"] for o in outcomes) for i in range(REPEAT))
    return best, outcomes[0]["r0"]["stats"]["bytes_sent"]


def bench_in_process(n: int) -> tuple[float, int]:
    best, sent = float("inf"), 0
    for i in range(REPEAT):
        out = run_parties(lambda rt, _, i=i: run_mul_job(rt, i, n))
        best = min(best, max(o["mul_seconds"] for o in out))
        sent = out[0]["stats"]["bytes_sent"]
    return best, sent


def main(sizes: list[int]) -> None:
    with tempfile.TemporaryDirectory() as cert_dir:
        make_dev_certs(cert_dir, NAMES)
        for n in sizes:
            for label, run in [("in-process", lambda n=n: bench_in_process(n)),
                               ("flight tcp", lambda n=n: bench_network(n, None)),
                               ("flight tls", lambda n=n: bench_network(n, cert_dir))]:
                start = time.perf_counter()
                seconds, sent = run()
                print(f"n={n:>10,}  {label:<11} mul {seconds:7.3f} s  "
                      f"p0 sent {sent:>11,} B  "
                      f"(whole run {time.perf_counter() - start:5.1f} s)", flush=True)


if __name__ == "__main__":
    main([int(a) for a in sys.argv[1:]] or [1 << 20])
