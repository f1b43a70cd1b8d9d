"""A throwaway PostgreSQL server for tests and benchmarks: Debian's ``initdb`` and
``pg_ctl``, in a temporary folder, on a free loopback port, stopped and removed after.

PostgreSQL refuses to run as root: when we are root, its programs run as the
unprivileged ``postgres`` user (which Debian's package creates) and the folder is given
to it. Authentication is by password (scram-sha-256), as a real deployment's.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
from pathlib import Path

import pyarrow as pa

PASSWORD = "s3cret-pw!"  # the superuser's password of the throwaway server
USER = "postgres"


def find_bindir() -> Path | None:
    """The folder of ``initdb`` and ``pg_ctl`` (Debian keeps them out of PATH)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class PostgresServer:
    """``with PostgresServer() as pg:`` a running server; ``pg.url(db)`` for a catalog."""

    def __init__(self, bindir: Path | None = None):
        self.bindir = bindir or find_bindir()
        if self.bindir is None:
            raise FileNotFoundError("PostgreSQL's initdb not found (apt-get install postgresql)")
        self.port = free_port()
        self.dir = Path(tempfile.mkdtemp(prefix="scql_pg_"))
        self.data = self.dir / "data"
        self._as_postgres = os.geteuid() == 0

    def _run(self, *args: str) -> None:
        kwargs = {"user": "postgres", "group": "postgres"} if self._as_postgres else {}
        subprocess.run(args, check=True, capture_output=True, timeout=120, **kwargs)

    def start(self) -> PostgresServer:
        (self.dir / "pw").write_text(PASSWORD + "\n")
        if self._as_postgres:
            shutil.chown(self.dir, "postgres", "postgres")
            shutil.chown(self.dir / "pw", "postgres", "postgres")
        self._run(str(self.bindir / "initdb"), "-D", str(self.data), "-U", USER,
                  "--auth=scram-sha-256", f"--pwfile={self.dir / 'pw'}", "-E", "UTF8",
                  "--locale=C.UTF-8")
        # durability off: a test server's data is thrown away anyway
        options = (f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "log"), "-w", "-t", "60", "start")
        return self

    def stop(self) -> None:
        if self.data.exists():
            try:
                self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast",
                          "-w", "stop")
            except subprocess.CalledProcessError:
                pass  # not running (a test stopped it)
        shutil.rmtree(self.dir, ignore_errors=True)

    def pause(self) -> None:
        """Stop the server (its data stays): the database is down."""
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-m", "fast", "-w",
                  "stop")

    def resume(self) -> None:
        options = f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} -c fsync=off"
        self._run(str(self.bindir / "pg_ctl"), "-D", str(self.data), "-o", options,
                  "-l", str(self.dir / "log"), "-w", "-t", "60", "start")

    def __enter__(self) -> PostgresServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- using it ---------------------------------------------------------------------------
    def url(self, database: str = "postgres", user: str = USER) -> str:
        """The catalog URL of ``database`` (no password: it comes from the environment)."""
        return f"postgresql://{user}@127.0.0.1:{self.port}/{database}"

    def connect(self, database: str = "postgres"):
        import adbc_driver_postgresql.dbapi as pg

        return pg.connect(f"host=127.0.0.1 port={self.port} dbname={database} user={USER} "
                          f"password={PASSWORD}", autocommit=True)

    def execute(self, *statements: str, database: str = "postgres") -> list[tuple]:
        """Run statements; the rows of the last one (if it has any)."""
        with self.connect(database) as con, con.cursor() as cur:
            rows: list[tuple] = []
            for sql in statements:
                cur.execute(sql)
                try:
                    rows = cur.fetchall()
                except Exception:
                    rows = []
            return rows

    def create_database(self, name: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{name}"', f'CREATE DATABASE "{name}"')

    def load(self, database: str, table: str, rows: pa.Table, ddl: str,
             insert_select: str = "*") -> None:
        """Create ``table`` with ``ddl`` (its column list) and fill it with ``rows``:
        ingested by binary COPY into a staging table, then converted by
        ``INSERT ... SELECT insert_select`` (PostgreSQL casts to the declared types)."""
        with self.connect(database) as con, con.cursor() as cur:
            cur.execute("DROP TABLE IF EXISTS _stage")
            cur.adbc_ingest("_stage", rows, mode="create")
            cur.execute(f"DROP TABLE IF EXISTS {table}")
            cur.execute(f"CREATE TABLE {table} ({ddl})")
            cur.execute(f"INSERT INTO {table} SELECT {insert_select} FROM _stage")
            cur.execute("DROP TABLE _stage")
