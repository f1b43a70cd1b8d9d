"""The engine under test and the plaintext union it is judged against, for one written
federation.

This is the only module of the tester that imports the engine's runner and the oracle's
loader, so that a move of either is followed in one place.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import pyarrow as pa

import scql_py
from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.plaintext_union import plaintext_union

SECURE_OPS = {"share", "scan_shared", "concat", "filter", "project", "aggregate", "sort",
              "window", "scalar_join", "psi_join", "secret_join", "limit", "reveal"}


@dataclass
class EngineRun:
    """What the engine did with one query: a table, or the exception it raised."""

    table: pa.Table | None
    error: BaseException | None
    seconds: float
    path: str  # "local" (owners' DuckDB only), "mpc", or "unplanned"
    joins: tuple[str, ...] = ()  # psi_join / secret_join steps of the plan


class FederationUnderTest:
    """A catalog on disk with its two engines (pushdown on and off) and its oracle."""

    def __init__(self, catalog_path: Path, timeout: float = 60.0):
        self.catalog_path = catalog_path
        self.catalog = load_catalog(catalog_path)
        self.timeout = timeout
        self._engines: dict[bool, Federation] = {}
        self._connections: dict[str, object] = {}  # DB-API connections by asker
        self._oracle = None

    def engine(self, pushdown: bool) -> Federation:
        if pushdown not in self._engines:
            self._engines[pushdown] = Federation(self.catalog, timeout=self.timeout,
                                                 pushdown=pushdown)
        return self._engines[pushdown]

    @property
    def oracle(self):
        if self._oracle is None:
            con = plaintext_union(self.catalog)
            con.execute("SET error_on_division_by_zero = false")  # MySQL: x / 0 is NULL
            self._oracle = con
        return self._oracle

    def run(self, asker: str, sql: str, pushdown: bool, params=None) -> EngineRun:
        engine = self.engine(pushdown)
        path, joins = "unplanned", ()
        start = time.perf_counter()
        try:
            plan = engine.plan(asker, sql, params)
            ops = [s.op for s in plan.steps]
            path = "mpc" if SECURE_OPS & set(ops) else "local"
            joins = tuple(op for op in ops if op in ("psi_join", "secret_join"))
            table = engine.execute(asker, sql, params).table
        except Exception as err:  # every failure is classified by the caller
            return EngineRun(None, err, time.perf_counter() - start, path, joins)
        return EngineRun(table, None, time.perf_counter() - start, path, joins)

    def run_dbapi(self, asker: str, sql: str, params) -> EngineRun:
        """Through ``scql_py.connect`` (in-process, the default pushdown) as a user would."""
        start = time.perf_counter()
        try:
            if asker not in self._connections:
                self._connections[asker] = scql_py.connect(str(self.catalog_path), party=asker,
                                                           timeout=self.timeout)
            table = self._connections[asker].cursor().execute(sql, params).fetch_arrow_table()
        except Exception as err:  # every failure is classified by the caller
            return EngineRun(None, err, time.perf_counter() - start, "dbapi")
        return EngineRun(table, None, time.perf_counter() - start, "dbapi")

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
        for con in self._connections.values():
            con.close()
        self._connections.clear()
        if self._oracle is not None:
            self._oracle.close()
            self._oracle = None
