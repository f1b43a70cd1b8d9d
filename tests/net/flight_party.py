"""One party as its own process, for the networked tests and the benchmark.

Run as ``python flight_party.py '<config json>'``. It talks to its parent on stdin/stdout,
one JSON object per line:

1. it starts its Flight server on a free loopback port and prints ``{"address": ...}``;
2. it reads ``{"addresses": [...]}`` (every party's address) from stdin;
3. it runs each job of the config in its own session, all at once (one thread each;
   one after another if ``sequential``), and prints ``{"jobs": {session: outcome}}``.

A ``mul`` job: party 0 draws ``x`` and party 1 draws ``y`` from the job's seed (only the
owner draws its input), both are secret-shared, multiplied with ``rss.mul`` and the
product is revealed to party 2, which reports it (the values, or a SHA-256 of their
bytes when long). Every party reports its channel statistics and the seconds ``mul``
took. The parent side is :class:`PartyProcesses`.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[2]
LIST_LIMIT = 1000  # products longer than this are reported as a hash


def job_inputs(seed: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(x, y) of a mul job: what parties 0 and 1 draw (the parent uses it to check)."""
    x = np.random.default_rng([seed, 0]).integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    y = np.random.default_rng([seed, 1]).integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    return x, y


def digest(values: np.ndarray) -> list[int] | str:
    values = np.ascontiguousarray(values, dtype=np.uint64)
    if len(values) <= LIST_LIMIT:
        return [int(v) for v in values]
    return hashlib.sha256(values.tobytes()).hexdigest()


def run_mul_job(rt, seed: int, n: int) -> dict:
    """The mul job on a party's runtime (set up over its communicator)."""
    from scql_py.mpc import rss

    comm = rt.comm
    x, y = job_inputs(seed, n) if comm.party in (0, 1) else (None, None)
    xs = rss.share_input(rt, 0, x if comm.party == 0 else None, n)
    ys = rss.share_input(rt, 1, y if comm.party == 1 else None, n)
    start = time.perf_counter()
    zs = rss.mul(rt, xs, ys)
    mul_seconds = time.perf_counter() - start
    z = rss.reveal(rt, zs, to=2)
    return {"result": None if z is None else digest(z), "mul_seconds": mul_seconds,
            "stats": comm.stats.snapshot()}


def party_main(config: dict) -> None:
    from scql_py.errors import OperationalError
    from scql_py.net.certs import TLSConfig
    from scql_py.net.flight import FlightNetwork

    names, me = config["names"], config["me"]
    tls = None
    if config.get("cert_dir"):
        tls = TLSConfig.from_dir(config["cert_dir"], config.get("cert_name", names[me]))
    net = FlightNetwork(names, ["127.0.0.1:0"] * len(names), me, tls=tls,
                        insecure=tls is None, timeout=config.get("timeout", 10.0))
    print(json.dumps({"address": net.start()}), flush=True)
    net.set_addresses(json.loads(sys.stdin.readline())["addresses"])
    outcomes: dict[str, dict] = {}

    def run(job: dict) -> None:
        from scql_py.mpc.runtime import Runtime

        comm = net.communicator(job["session"])
        start = time.perf_counter()
        try:
            outcomes[job["session"]] = run_mul_job(Runtime(comm), job["seed"], job["n"])
        except OperationalError as exc:
            outcomes[job["session"]] = {"error": str(exc),
                                        "seconds": time.perf_counter() - start}
            comm.abort()
        finally:
            comm.close()

    if config.get("sequential"):
        for job in config["jobs"]:
            run(job)
    else:
        threads = [threading.Thread(target=run, args=(job,)) for job in config["jobs"]]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    print(json.dumps({"jobs": outcomes}), flush=True)
    sys.stdin.readline()  # keep serving until the parent says every party is done
    net.stop()


GARBAGE = [
    os.urandom(4096),
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + os.urandom(512),  # HTTP/2 preface, then junk
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + os.urandom(300),  # TLS-like junk
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
    b"\x00" * 100_000,
]


def throw_junk(address: str, garbage: list[bytes]) -> None:
    """Throw junk at a party's port over raw sockets, one connection per kind of junk."""
    host, port = address.rsplit(":", 1)
    for junk in garbage:
        with socket.create_connection((host, int(port)), timeout=2) as s:
            try:
                s.sendall(junk)
                s.settimeout(0.2)
                s.recv(1024)
            except OSError:
                pass  # the server may well hang up on us: that is the point


def send_garbage(address: str) -> socket.socket:
    """Throw :data:`GARBAGE` at a party's port (:func:`throw_junk`).

    Returns one more connection, opened with half a TLS record and then left silent:
    the caller closes it after checking that the server still serves everyone else.
    """
    throw_junk(address, GARBAGE)
    host, port = address.rsplit(":", 1)
    hanging = socket.create_connection((host, int(port)), timeout=2)
    hanging.sendall(GARBAGE[2][:5])
    return hanging


class PartyProcesses:
    """Start one process per party; learn their addresses; run; collect outcomes.

    ``configs[i]`` is party *i*'s config without ``names``/``me`` (``cert_dir``,
    ``timeout``, ``jobs``).
    """

    def __init__(self, names: list[str], configs: list[dict]):
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
            GRPC_VERBOSITY="ERROR")
        self.procs = [
            subprocess.Popen(
                [sys.executable, str(Path(__file__)),
                 json.dumps({**cfg, "names": names, "me": i})],
                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
            for i, cfg in enumerate(configs)
        ]
        self.addresses = [self._read(p)["address"] for p in self.procs]
        self.killed: set[int] = set()

    def kill(self, party: int) -> None:
        """Kill a party's process outright (its server goes with it)."""
        self.procs[party].kill()
        self.procs[party].wait()
        self.killed.add(party)

    def _alive(self) -> list[subprocess.Popen]:
        return [p for i, p in enumerate(self.procs) if i not in self.killed]

    @staticmethod
    def _read(proc: subprocess.Popen) -> dict:
        line = proc.stdout.readline()
        if not line:
            raise RuntimeError(f"party process exited with {proc.wait()}")
        return json.loads(line)

    def run(self) -> list[dict | None]:
        """Give every live party the addresses; return each party's ``jobs`` outcomes
        (None for a killed party)."""
        for p in self._alive():
            p.stdin.write(json.dumps({"addresses": self.addresses}) + "\n")
            p.stdin.flush()
        outcomes = [None if i in self.killed else self._read(p)["jobs"]
                    for i, p in enumerate(self.procs)]
        for p in self._alive():
            p.stdin.write("done\n")
            p.stdin.flush()
        return outcomes

    def close(self, timeout: float = 10.0) -> None:
        for p in self.procs:
            try:
                p.stdin.close()  # a party waiting for "done" or addresses then exits
            except OSError:
                pass
            try:
                p.wait(timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
            p.stdout.close()

    def __enter__(self) -> PartyProcesses:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


if __name__ == "__main__":
    party_main(json.loads(sys.argv[1]))
