"""``bench/micro.py --network``: the micro-benchmark cases with each party in its own process.

Three processes on loopback, talking over Arrow Flight with mutual TLS (``--insecure``:
plain TCP), run the very cases of :mod:`micro_cases` (their ``time_protocol`` runs the party
function on the process's own party instead of three threads). The same cases then run
in-process, in this process, for the ratio. One line per case::

    case  rows  seconds  inprocess_s  ratio  rounds  mb_sent_per_party

``seconds`` is measured as in-process (median over ``--repeat`` of the slowest party);
``rounds`` and ``mb_sent_per_party`` are each party's, ``p0/p1/p2``, for one run.

    python bench/micro.py --network --cases lt,sort --rows 1000000 --repeat 3
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import micro_cases  # first: it puts the checkout on sys.path

from scql_py.mpc.runtime import Runtime  # noqa: E402
from scql_py.net.certs import TLSConfig, make_dev_certs  # noqa: E402
from scql_py.net.flight import FlightNetwork  # noqa: E402

BENCH = Path(__file__).resolve().parent
REPO = BENCH.parent
NAMES = ["p0", "p1", "p2"]
PEER_TIMEOUT = 900.0  # a 1M-row sort on a loaded machine: be patient with peers


# -- one party's process ------------------------------------------------------------------------

def party_main(config: dict[str, Any]) -> None:
    """Run every case of ``config`` as party ``config["me"]``; print party 0's findings."""
    me = config["me"]
    tls = TLSConfig.from_dir(config["cert_dir"], NAMES[me]) if config.get("cert_dir") else None
    net = FlightNetwork(NAMES, ["127.0.0.1:0"] * 3, me, tls=tls, insecure=tls is None,
                        timeout=PEER_TIMEOUT)
    print(json.dumps({"address": net.start()}), flush=True)
    net.set_addresses(json.loads(sys.stdin.readline())["addresses"])

    session = {"id": "", "per_party": None}

    def run_here(fn, per_party_args=None, *, timeout: float = 60.0, with_runtimes=None):
        """``run_parties`` for this process's party: run ``fn`` here, then swap the three
        parties' outputs (timings and counters) so every party sees all of them."""
        comm = net.communicator(session["id"])
        try:
            rt = Runtime(comm)
            arg = per_party_args[me] if per_party_args is not None else None
            out = fn(rt, arg)
            others = comm.exchange({rt.next: out, rt.prev: out}, [rt.prev, rt.next])
            per_party = [None] * 3
            per_party[me], per_party[rt.prev], per_party[rt.next] = out, *others
        finally:
            comm.close()
        session["per_party"] = per_party
        if with_runtimes is not None:
            with_runtimes.append(rt)
        return per_party

    micro_cases.set_party_runner(run_here)
    results = []
    for i, job in enumerate(config["cases"]):
        session["id"] = f"bench-{i}-{job['name']}"
        timing = micro_cases.CASES[job["name"]].run(job["rows"], job["repeat"])
        firsts = [p[0] for p in session["per_party"]]  # (seconds, rounds, bytes) of run 1
        results.append({"name": job["name"], "rows": job["rows"], "seconds": timing.seconds,
                        "rounds": [int(f[1]) for f in firsts],
                        "bytes_sent": [int(f[2]) for f in firsts]})
    if me == 0:
        print(json.dumps({"results": results}), flush=True)
    else:
        print(json.dumps({"results": None}), flush=True)
    sys.stdin.readline()  # serve until every party is done
    net.stop()


# -- the parent -----------------------------------------------------------------------------

def run_networked(jobs: list[dict[str, Any]], insecure: bool = False) -> list[dict[str, Any]]:
    """Run ``jobs`` (``{"name", "rows", "repeat"}``) over three party processes."""
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]), GRPC_VERBOSITY="ERROR")
    with tempfile.TemporaryDirectory(prefix="scql-bench-") as tmp:
        cert_dir = None
        if not insecure:
            make_dev_certs(tmp, NAMES)
            cert_dir = tmp
        procs = [subprocess.Popen(
            [sys.executable, __file__, json.dumps(
                {"me": i, "cert_dir": cert_dir, "cases": jobs})],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
            for i in range(3)]
        try:
            addresses = [_read(p)["address"] for p in procs]
            for p in procs:
                p.stdin.write(json.dumps({"addresses": addresses}) + "\n")
                p.stdin.flush()
            outputs = [_read(p) for p in procs]
            for p in procs:
                p.stdin.write("done\n")
                p.stdin.flush()
        finally:
            for p in procs:
                try:
                    p.stdin.close()
                    p.wait(30)
                except (OSError, subprocess.TimeoutExpired):
                    p.kill()
                    p.wait()
                p.stdout.close()
    return outputs[0]["results"]


def _read(proc: subprocess.Popen) -> dict[str, Any]:
    line = proc.stdout.readline()
    if not line:
        raise RuntimeError(f"a party process exited with status {proc.wait()}")
    return json.loads(line)


def main_network(names: list[str], rows: dict[str, int], repeat: int,
                 insecure: bool = False, reference: bool = True) -> int:
    """Print one line per case: networked seconds, in-process seconds, per-party costs."""
    # only cases that run their parties through time_protocol can be spread over processes
    networked = [n for n in names if "time_protocol" in micro_cases.CASES[n].run.__code__.co_names]
    skipped = [n for n in names if n not in networked]
    if skipped:
        print(f"# skipped (they do not run through time_protocol): {', '.join(skipped)}",
              flush=True)
    jobs = [{"name": n, "rows": rows[n], "repeat": repeat} for n in networked]
    if not jobs:
        return 1
    start = time.perf_counter()
    results = run_networked(jobs, insecure)
    print(f"# three processes over loopback {'plain TCP' if insecure else 'TLS'}; "
          f"{time.perf_counter() - start:.1f} s in all", flush=True)
    print("# case rows seconds inprocess_s ratio rounds mb_sent_per_party", flush=True)
    for r in results:
        local = micro_cases.CASES[r["name"]].run(r["rows"], repeat).seconds if reference else None
        ratio = f"{r['seconds'] / local:.2f}" if local else "-"
        rounds = "/".join(str(x) for x in r["rounds"])
        mb = "/".join(f"{b / 1e6:.1f}" for b in r["bytes_sent"])
        local_text = f"{local:.4f}" if local is not None else "-"
        print(f"{r['name']} {r['rows']} {r['seconds']:.4f} {local_text} {ratio} {rounds} {mb}",
              flush=True)
    return 0


if __name__ == "__main__":
    party_main(json.loads(sys.argv[1]))
