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
from fuzz_oracle import TOTAL_SEMANTICS_MACRO

import scql_py
from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.mpc.fixedpoint import FRAC_BITS, max_abs
from scql_py.sql.source_rows import SIZE_PREFIX
from scql_py.storage.sources import quote_ident
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
    # the plan's group-size threshold (groups of fewer rows are left out), if any
    threshold: int | None = None
    # the tables whose distinct rows size the plan's groups for the threshold, where a
    # join may repeat their rows (scql_py/sql/source_rows.py)
    counted: tuple[str, ...] = ()
    # whether an owner that does not ask computes part of it (total semantics: an
    # overflow there is NULL, where DuckDB over the union fails)
    total_owner: bool = False


def plan_total_owner(plan) -> bool:
    """Whether an owner that does not ask runs part of ``plan`` in its own database, where
    total semantics make an overflow NULL."""
    return any(s.op == "local" and s.party != plan.asker for s in plan.steps)


def plan_counted_tables(plan) -> tuple[str, ...]:
    """The tables whose distinct rows, not the group's row count, the threshold measures."""
    return tuple(sorted({size.removeprefix(SIZE_PREFIX) for s in plan.steps
                         for size in s.args.get("sizes", ())}))


def plan_threshold(plan) -> int | None:
    """The group-size threshold the plan's secure GROUP BYs apply (the catalog's, or the
    default where the asker may see another party's keys only grouped), if any."""
    found = [s.args.get("threshold") for s in plan.steps if s.args.get("threshold")]
    return max(found) if found else None


class FederationUnderTest:
    """A catalog on disk with its two engines (pushdown on and off) and its oracle."""

    def __init__(self, catalog_path: Path, timeout: float = 60.0):
        self.catalog_path = catalog_path
        self.catalog = load_catalog(catalog_path)
        self.timeout = timeout
        self._engines: dict[bool, Federation] = {}
        self._connections: dict[str, object] = {}  # DB-API connections by asker
        self._oracle = None
        self._fixed_point_oracle = None

    def owners(self) -> dict[str, str]:
        return {name: t.owner for name, t in self.catalog.tables.items()}

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
            con.execute(TOTAL_SEMANTICS_MACRO)  # (fuzz_oracle.total_semantics_sql)
            self._oracle = con
        return self._oracle

    @property
    def fixed_point_oracle(self):
        """The plaintext union with every real as it enters arithmetic under MPC: rounded
        to a multiple of 2^-16, ties away from zero (fixedpoint.encode), none of 2^47 or
        more. DuckDB's answer over these inputs is what the README's bound on computed
        reals is measured from (a product of a real is off by |x| 2^-17 through the real's
        rounding, a CAST may round the other way near a tie)."""
        if self._fixed_point_oracle is None:
            con = plaintext_union(self.catalog)
            con.execute("SET error_on_division_by_zero = false")
            unit, limit = float(2**FRAC_BITS), max_abs()
            for name, table in self.catalog.tables.items():
                reals = [quote_ident(c) for c, t in table.columns.items() if t.kind == "float64"]
                if not reals:
                    continue
                rounded = ", ".join(f"CASE WHEN abs({c}) < {limit!r} THEN round({c} * {unit!r})"
                                    f" / {unit!r} ELSE {c} END AS {c}" for c in reals)
                con.execute(f"CREATE OR REPLACE TABLE {quote_ident(name)} AS "
                            f"SELECT * REPLACE ({rounded}) FROM {quote_ident(name)}")
            self._fixed_point_oracle = con
        return self._fixed_point_oracle

    def run(self, asker: str, sql: str, pushdown: bool, params=None) -> EngineRun:
        engine = self.engine(pushdown)
        path, joins, threshold, counted, total = "unplanned", (), None, (), False
        start = time.perf_counter()
        try:
            plan = engine.plan(asker, sql, params)
            ops = [s.op for s in plan.steps]
            path = "mpc" if SECURE_OPS & set(ops) else "local"
            joins = tuple(op for op in ops if op in ("psi_join", "secret_join"))
            threshold, counted = plan_threshold(plan), plan_counted_tables(plan)
            total = plan_total_owner(plan)
            table = engine.execute(asker, sql, params).table
        except Exception as err:  # every failure is classified by the caller
            return EngineRun(None, err, time.perf_counter() - start, path, joins, threshold,
                             counted, total)
        return EngineRun(table, None, time.perf_counter() - start, path, joins, threshold,
                         counted, total)

    def run_dbapi(self, asker: str, sql: str, params) -> EngineRun:
        """Through ``scql_py.connect`` (in-process, the default pushdown) as a user would."""
        start = time.perf_counter()
        threshold, counted, total = None, (), False
        try:
            plan = self.engine(True).plan(asker, sql, params)
            threshold, counted = plan_threshold(plan), plan_counted_tables(plan)
            total = plan_total_owner(plan)
            if asker not in self._connections:
                self._connections[asker] = scql_py.connect(str(self.catalog_path), party=asker,
                                                           timeout=self.timeout)
            table = self._connections[asker].cursor().execute(sql, params).fetch_arrow_table()
        except Exception as err:  # every failure is classified by the caller
            return EngineRun(None, err, time.perf_counter() - start, "dbapi",
                             threshold=threshold, counted=counted, total_owner=total)
        return EngineRun(table, None, time.perf_counter() - start, "dbapi", threshold=threshold,
                         counted=counted, total_owner=total)

    def close(self) -> None:
        for engine in self._engines.values():
            engine.close()
        self._engines.clear()
        for con in self._connections.values():
            con.close()
        self._connections.clear()
        for con in (self._oracle, self._fixed_point_oracle):
            if con is not None:
                con.close()
        self._oracle = self._fixed_point_oracle = None
