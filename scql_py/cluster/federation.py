"""Every party's engine in one process, each in its own thread, talking only through
the in-process network.

>>> fed = Federation("catalogs/demo.toml")                      # doctest: +SKIP
>>> fed.execute("alice", "SELECT AVG(income) FROM ...").table   # doctest: +SKIP
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from scql_py.catalog import Catalog, load_catalog
from scql_py.cluster.query_result import QueryResult, analyzed
from scql_py.engine.engine import Engine
from scql_py.engine.progress import ProgressCallback
from scql_py.errors import Error, InternalError
from scql_py.net.channel import Communicator
from scql_py.net.inprocess import InProcessNetwork
from scql_py.sql.explain import explain_plan
from scql_py.sql.params import bind_parameters
from scql_py.sql.participants import plan_parties
from scql_py.sql.physical import PhysicalPlan
from scql_py.sql.planner import plan_query
from scql_py.storage import PartyStorage


class Federation:
    """Runs queries across the catalog's parties, all in this process.

    Args:
        catalog: a :class:`Catalog` or the path of a catalog file.
        timeout: seconds a party waits for another before ``OperationalError``.
        pushdown: let owners filter, compute and pre-aggregate their own rows locally
            (False: everything after the table scans runs under MPC; for testing).
        max_rows: row pairs a many-to-many secret join may compare (default: the
            catalog's ``max_rows``).

    Ctrl-C during :meth:`execute` cancels the query on every party; the
    ``KeyboardInterrupt`` is raised once all of them have stopped.
    """

    def __init__(self, catalog: Catalog | str | Path, timeout: float = 30.0,
                 pushdown: bool = True, record: bool = False, max_rows: int | None = None):
        self.catalog = catalog if isinstance(catalog, Catalog) else load_catalog(catalog)
        self.timeout = timeout
        self.pushdown = pushdown
        self.max_rows = max_rows  # None: the catalog's
        self.record = record  # keep each party's received messages in self.last_network
        self.last_network: InProcessNetwork | None = None
        self.engines = [Engine(self.catalog, name, PartyStorage(self.catalog, name, timeout))
                        for name in self.catalog.party_names]
        self._lock = threading.Lock()  # one statement at a time over the in-process network

    def close(self) -> None:
        for engine in self.engines:
            engine.close()

    def __enter__(self) -> Federation:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def plan(self, asker: str, sql: str, params: Sequence | None = None) -> PhysicalPlan:
        return plan_query(self.catalog, asker, bind_parameters(sql, params), self.pushdown,
                          self.max_rows)

    def explain(self, asker: str, sql: str, params: Sequence | None = None, *,
                analyze: bool = False) -> str:
        """The plan; with ``analyze``, also run it and add each party's seconds, rounds
        and bytes per step (the result itself is not shown)."""
        text = explain_plan(self.plan(asker, sql, params), self.catalog)
        if not analyze:
            return text
        start = time.perf_counter()
        result = self.execute(asker, sql, params)
        return analyzed(text, result, time.perf_counter() - start)

    def execute(self, asker: str, sql: str, params: Sequence | None = None, *,
                progress: ProgressCallback | None = None) -> QueryResult:
        """Run ``sql`` as ``asker``; ``progress`` hears of each step of the asker's engine."""
        plan = self.plan(asker, sql, params)
        plan_json = plan.to_json()
        names = self.catalog.party_names
        me = names.index(asker)
        taking_part = plan_parties(plan, names, self.catalog.compute)

        def run(engine: Engine, comm: Communicator):
            return engine.run(plan_json, comm, progress if comm.party == me else None)

        results, net = self.run_on_parties(run, prefer=me, parties=taking_part)
        table = results[names.index(asker)]
        if table is None:
            raise InternalError("the asker received no result")
        stats = {name: net.communicator(i).stats.snapshot() for i, name in enumerate(names)}
        messages = list(self.engines[names.index(asker)].messages)
        profile = {name: self.engines[names.index(name)].profile for name in names
                   if name in taking_part}
        return QueryResult(table=table, messages=messages, stats=stats, profile=profile)

    def party_status(self) -> dict[str, str]:
        """Every party's engine runs in this process: all are up while it is."""
        return {name: "up (in this process)" for name in self.catalog.party_names}

    def run_on_parties(self, fn: Callable[[Engine, Communicator], Any],
                       prefer: int | None = None, parties: Sequence[str] | None = None
                       ) -> tuple[list[Any], InProcessNetwork]:
        """Run ``fn(engine, comm)`` on every party (or those named in ``parties``) at
        once, each in its own thread, over a fresh in-process network; return the
        results by party (None for a party not run) and the network, for its counters.
        A party's failure releases the others and is raised here (party ``prefer``'s
        own error first)."""
        names = self.catalog.party_names
        indices = None if parties is None else [names.index(p) for p in parties]
        with self._lock:
            net = InProcessNetwork(self.catalog.party_names, timeout=self.timeout,
                                   record=self.record)
            self.last_network = net
            try:
                results = net.run(lambda i: fn(self.engines[i], net.communicator(i)), prefer,
                                  indices)
            except (Error, KeyboardInterrupt):
                raise
            except BaseException as err:  # a bug, not a user error: say so
                raise InternalError(f"{type(err).__name__}: {err}") from err
        return results, net
