"""One ``scql serve`` process per party on loopback, for tests, benchmarks and local demos.

:class:`LocalCluster` gives each party its own directory holding what that party's
machine would hold: a copy of the catalog with loopback addresses on free ports chosen at
run time, its *own* source files only (the others' are absent), and its own TLS key and
certificate with the CA certificate (never the CA key or another party's key). Each
server logs to ``<party>/server.log``.

>>> with LocalCluster("catalogs/demo.toml", tmp_dir) as cluster:            # doctest: +SKIP
...     cluster.client("alice").execute("alice", "SELECT ...").table
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from scql_py.catalog import load_catalog
from scql_py.cluster import remote_protocol as rp
from scql_py.cluster.remote import RemoteFederation
from scql_py.net.certs import CA_CERT_FILE, make_dev_certs
from scql_py.testing.catalog_files import dump_toml

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

REPO = Path(__file__).resolve().parents[2]
_READY = re.compile(r"serving at (\S+)")


def _die_with_parent() -> None:
    """In the child, before exec: get SIGTERM when the parent dies (Linux), so a crashed
    test run leaves no servers behind."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def free_ports(n: int, host: str = "127.0.0.1") -> list[int]:
    """``n`` distinct ports that were free a moment ago."""
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind((host, 0))
            socks.append(s)
        return [s.getsockname()[1] for s in socks]
    finally:
        for s in socks:
            s.close()


class LocalCluster:
    """One ``scql serve`` process per party of ``catalog``, on loopback.

    Args:
        catalog: the catalog file to serve (its sources are copied, each only to its owner).
        workdir: an empty directory for the parties' directories and the certificates.
        insecure: plain TCP instead of TLS.
        timeout: the servers' (and clients') timeout, in seconds.
        certs: per party, a certificate directory to use instead of the cluster's own
            (e.g. one from another CA, to test that it is refused).
    """

    def __init__(self, catalog: str | Path, workdir: str | Path, *, insecure: bool = False,
                 timeout: float = 30.0, certs: dict[str, Path] | None = None):
        self.source_catalog = Path(catalog).resolve()
        self.workdir = Path(workdir)
        self.insecure = insecure
        self.timeout = timeout
        with self.source_catalog.open("rb") as f:
            self._doc = tomllib.load(f)
        self.names = list(self._doc["parties"])
        self.procs: dict[str, subprocess.Popen] = {}
        self._log_offsets: dict[str, int] = {}
        self._cert_override = dict(certs or {})
        self._setup()

    # -- set-up ---------------------------------------------------------------------------------
    def _setup(self) -> None:
        full = load_catalog(self.source_catalog)
        ports = free_ports(len(self.names))
        self.addresses = {n: f"127.0.0.1:{p}" for n, p in zip(self.names, ports)}
        ca_dir = self.workdir / "ca"
        if not self.insecure:
            make_dev_certs(ca_dir, self.names)
        for name in self.names:
            home = self.dir(name)
            home.mkdir(parents=True, exist_ok=True)
            doc = json.loads(json.dumps(self._doc))  # a deep copy of plain data
            for party, pdoc in doc["parties"].items():
                pdoc["address"] = self.addresses[party]
                if pdoc.get("storage", ":memory:") != ":memory:":
                    pdoc["storage"] = f"storage/{party}.duckdb"
            for tname, tdoc in doc.get("tables", {}).items():
                if "source" not in tdoc:
                    continue
                table = full.tables[tname.lower()]
                rel = f"sources/{tname}{table.source.suffix}"
                tdoc["source"] = rel
                if table.owner == name:  # only the owner's machine holds the file
                    (home / "sources").mkdir(exist_ok=True)
                    shutil.copyfile(table.source, home / rel)
                    os.chmod(home / rel, 0o600)
            self.catalog_path(name).write_text(dump_toml(doc))
            if not self.insecure:
                certs = home / rp.CERTS_DIR
                certs.mkdir(exist_ok=True)
                src = self._cert_override.get(name, ca_dir)
                for fname in (CA_CERT_FILE, f"{name}.pem", f"{name}.key"):
                    shutil.copyfile(Path(src) / fname, certs / fname)
                os.chmod(certs / f"{name}.key", 0o600)

    def dir(self, party: str) -> Path:
        return self.workdir / party

    def catalog_path(self, party: str) -> Path:
        return self.dir(party) / "catalog.toml"

    def log_path(self, party: str) -> Path:
        return self.dir(party) / "server.log"

    def log(self, party: str) -> str:
        try:
            return self.log_path(party).read_text(errors="replace")
        except FileNotFoundError:
            return ""

    # -- processes ------------------------------------------------------------------------------
    def command(self, party: str) -> list[str]:
        cmd = [sys.executable, "-m", "scql_py.cli.serve_cmd", "serve",
               "--catalog", str(self.catalog_path(party)), "--party", party,
               "--timeout", str(self.timeout), "--log-file", str(self.log_path(party))]
        return [*cmd, "--insecure"] if self.insecure else cmd

    def start(self, parties: list[str] | None = None, wait: bool = True) -> None:
        """Start the servers of ``parties`` (default: all); wait until they serve.

        On Linux they get SIGTERM if the thread that started them ends (call it from
        the main thread, or one that outlives the cluster)."""
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(
            [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]),
            GRPC_VERBOSITY=os.environ.get("GRPC_VERBOSITY", "ERROR"))
        for name in parties or self.names:
            if name in self.procs and self.procs[name].poll() is None:
                raise RuntimeError(f"party {name} is already running")
            self._log_offsets[name] = len(self.log(name))
            with (self.dir(name) / "server.stderr").open("ab") as err:
                self.procs[name] = subprocess.Popen(
                    self.command(name), env=env, stdin=subprocess.DEVNULL,
                    stdout=subprocess.DEVNULL, stderr=err,
                    preexec_fn=_die_with_parent if sys.platform == "linux" else None)
        if wait:
            for name in parties or self.names:
                self.wait_ready(name)

    def wait_ready(self, party: str, timeout: float = 60.0) -> None:
        deadline = time.monotonic() + timeout
        proc = self.procs[party]
        while time.monotonic() < deadline:
            if _READY.search(self.log(party)[self._log_offsets.get(party, 0):]):
                return
            if proc.poll() is not None:
                err = (self.dir(party) / "server.stderr").read_text(errors="replace")
                raise RuntimeError(f"party {party}'s server exited with {proc.returncode}: "
                                   f"{err.strip()[-2000:]} {self.log(party)[-2000:]}")
            time.sleep(0.02)
        raise RuntimeError(f"party {party}'s server did not start within {timeout} s")

    def wait_for_log(self, party: str, text: str, after: int = 0, timeout: float = 30.0,
                     poll: float = 0.05) -> None:
        """Wait until ``party``'s log shows ``text`` past its first ``after`` characters
        (an ``AssertionError`` after ``timeout`` seconds)."""
        deadline = time.monotonic() + timeout
        while text not in self.log(party)[after:]:
            assert time.monotonic() < deadline, f"{party} never logged {text!r}"
            time.sleep(poll)

    def client(self, party: str, **kwargs) -> RemoteFederation:
        """A client of ``party``'s server, as that party's program would make it."""
        kwargs.setdefault("timeout", self.timeout)
        return RemoteFederation(self.catalog_path(party), party, insecure=self.insecure,
                                **kwargs)

    def signal(self, party: str, sig: int) -> None:
        self.procs[party].send_signal(sig)

    def kill(self, party: str) -> None:
        """Kill a party's server outright (SIGKILL)."""
        proc = self.procs[party]
        proc.kill()
        proc.wait()

    def terminate(self, party: str, timeout: float = 30.0) -> int:
        """Stop a party's server with SIGTERM; its exit status."""
        proc = self.procs[party]
        proc.send_signal(signal.SIGTERM)
        return proc.wait(timeout)

    def close(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGCONT)  # a paused server cannot stop
                proc.terminate()
        for proc in self.procs.values():
            try:
                proc.wait(15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def __enter__(self) -> LocalCluster:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.close()
