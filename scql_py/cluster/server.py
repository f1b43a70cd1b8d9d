"""One party as its own server: ``scql serve --catalog C --party P``.

A :class:`PartyServer` loads the catalog for its party only (it needs its own source
files, no one else's), and serves at the party's catalog address: the MPC messages of
every query (:class:`~scql_py.net.flight.FlightNetwork`), plus the actions of
:mod:`scql_py.cluster.remote_protocol`.

A query, as the asker's server runs it:

1. its own client program sends ``query`` (SQL); the server plans it for its party;
2. it opens a new session and sends the plan to both other servers (``run``); each
   re-plans the SQL under its *own* catalog and CCL and refuses anything else
   (:meth:`Engine.verify`) before any data moves, and only runs plans whose asker is the
   party that sent them;
3. all three engines run the plan in lockstep, each in its own thread, one
   :class:`Engine` per session so that several queries run at once;
4. each other server reports how its part ended on the session's control channel; the
   asker's server picks the root cause of any failure (a refusal, a party that is down)
   and answers its client with the result table or that error.

A party whose engine fails aborts the session (its peers fail fast instead of waiting
for the timeout) and closes it, which drops its messages; the server stays up.

>>> server = PartyServer("catalogs/demo.toml", "alice", insecure=True)  # doctest: +SKIP
>>> server.start(); server.serve_forever()                              # doctest: +SKIP
"""

from __future__ import annotations

import json
import logging
import signal
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.flight as fl

from scql_py.catalog import load_catalog
from scql_py.cluster import remote_protocol as rp
from scql_py.engine.engine import Engine
from scql_py.engine.profile import QueryProfile
from scql_py.engine.progress import Progress, ProgressCallback
from scql_py.errors import Error, InternalError, OperationalError, SecurityError
from scql_py.net.certs import TLSConfig
from scql_py.net.channel import DEFAULT_TIMEOUT
from scql_py.net.flight import FlightCommunicator, FlightNetwork, check_session_id
from scql_py.sql.explain import explain_plan
from scql_py.sql.participants import plan_parties
from scql_py.sql.physical import PhysicalPlan
from scql_py.sql.planner import plan_query
from scql_py.storage import PartyStorage

log = logging.getLogger("scql_py.server")

MAX_SESSIONS = 16  # queries one party runs at once; more are refused as busy
_PROGRESS_EVERY = 0.2  # seconds between a running query's reports to its client
_MAX_REQUEST_BYTES = 16 << 20


@dataclass
class Outcome:
    """How one query ended on the asker's server."""

    table: pa.Table | None = None
    error: Error | None = None
    messages: list[str] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)
    profile: dict[str, list] = field(default_factory=dict)  # QueryProfile.to_json by party


# what a party says when the query failed elsewhere first
_ECHOES = ("left the query", "was closed on party", "has closed query", "is closed")


def _rank(exc: Error) -> int:
    """Root causes first: a party's own error, then a party that is down or silent,
    then the echoes (a party left, a session was closed under someone)."""
    if isinstance(exc, OperationalError):
        return 2 if any(echo in str(exc) for echo in _ECHOES) else 1
    return 0


def _max_rows_of(request: dict) -> int | None:
    value = request.get("max_rows")
    if value is not None and (isinstance(value, bool) or not isinstance(value, int)):
        raise InternalError("malformed request: max_rows must be an integer")
    return value


def _silent_parties(exc: BaseException | None, names: list[str]) -> set[str]:
    """The parties an ``OperationalError`` says are down or silent (not merely left)."""
    if not isinstance(exc, OperationalError):
        return set()
    text = str(exc)
    if any(echo in text for echo in _ECHOES):
        return set()
    return {n for n in names if f"party '{n}'" in text}


def _blamed(reporter: str, exc: Error, names: list[str]) -> str | None:
    """The one other party that ``reporter``'s error says was down or silent, if any."""
    others = _silent_parties(exc, names) - {reporter}
    return next(iter(others)) if len(others) == 1 else None


def _root_of_silence(errors: dict[str, Error], chosen: str, names: list[str]) -> Error:
    """The error to report when ``errors[chosen]`` blames a party that was there but
    itself waited on another: a party that waits on a silent one stops sending too, so
    its neighbours time out on it; its own report names the silent one. Followed to the
    end of the chain (a cycle keeps the first choice); the end's error is reported as what
    it saw of the party it blames."""
    name, seen = chosen, {chosen}
    while (target := _blamed(name, errors[name], names)) is not None:
        if target in seen:
            return errors[chosen]
        if target not in errors or _rank(errors[target]) != 1 or \
                _blamed(target, errors[target], names) is None:
            break
        name = target
        seen.add(name)
    error = errors[name]
    if name == chosen and _blamed(name, error, names) is None:
        return error
    # the relayed error says what the waiting party saw ("party 'carol' did not answer"):
    # about the party it names, not about the one that relayed it
    cause = error.__cause__
    return cause if isinstance(cause, OperationalError) else error


class PartyServer:
    """The engine of party ``party`` behind its Flight server.

    Args:
        catalog_path: the catalog file; only ``party``'s own sources must exist.
        party: this server's party.
        certs: directory of the TLS files (default: ``certs/`` beside the catalog);
            ``tls`` gives them directly instead.
        insecure: plain TCP without authentication (tests and benchmarks only).
        timeout: seconds to wait for another party before ``OperationalError``.
        listen: ``host:port`` to bind, if not the party's catalog address.
        max_sessions: queries this party runs at once.
    """

    def __init__(self, catalog_path: str | Path, party: str, *,
                 certs: str | Path | None = None, tls: TLSConfig | None = None,
                 insecure: bool = False, timeout: float = DEFAULT_TIMEOUT,
                 listen: str | None = None, max_sessions: int = MAX_SESSIONS):
        self.catalog = load_catalog(catalog_path, party=party)
        self.party = party
        self.names = self.catalog.party_names
        self.me = self.names.index(party)
        self.timeout = timeout
        self.heartbeat = min(1.0, timeout / 4)
        if tls is None:
            tls = rp.load_tls(self.catalog.path, party, certs, insecure)
        self.storage = PartyStorage(self.catalog, party, timeout)
        self.network = FlightNetwork(
            self.names, {n: p.address for n, p in self.catalog.parties.items()}, party,
            tls=tls, insecure=insecure, timeout=timeout, listen=listen,
            actions={rp.QUERY: self._on_query, rp.EXPLAIN: self._on_explain,
                     rp.RUN: self._on_run, rp.CANCEL: self._on_cancel, rp.PING: self._on_ping,
                     rp.CANCEL_QUERY: self._on_cancel_query})
        self._sessions = threading.BoundedSemaphore(max_sessions)
        self._threads: set[threading.Thread] = set()
        self._running: dict[str, str] = {}  # session -> asker, of the plans run for others
        self._asked: dict[str, str] = {}  # client's query id -> session, of its own queries
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._stopped = False

    # -- life cycle ---------------------------------------------------------------------------
    def start(self) -> str:
        """Start serving; returns the address."""
        address = self.network.start()
        log.info("party %s of catalog %r serving at %s (%s)", self.party, self.catalog.name,
                 address, "TLS" if self.network.tls is not None else "INSECURE plain TCP")
        return address

    def serve_forever(self) -> None:
        """Serve until SIGTERM or SIGINT (or :meth:`request_stop`), then stop cleanly."""
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGTERM, signal.SIGINT):
                signal.signal(sig, self._on_signal)
        while not self._stop.wait(0.5):
            pass
        self.stop()

    def _on_signal(self, signum: int, _frame) -> None:
        if not self._stop.is_set():
            log.info("party %s received %s: stopping", self.party,
                     signal.Signals(signum).name)
        self._stop.set()

    def request_stop(self) -> None:
        self._stop.set()

    def stop(self) -> None:
        """Stop serving: running queries fail on every party, the storage is closed."""
        with self._lock:
            if self._stopped:
                return
            self._stopped = True
            threads = list(self._threads)
        self._stop.set()
        # receivers fail at once, so the engines end; they start no new threads now. Wait
        # for them (a send being retried may take longer) before the clients they use go
        self.network.mailboxes.stop()
        deadline = time.monotonic() + min(2.0, self.timeout)
        for t in threads:
            t.join(timeout=max(deadline - time.monotonic(), 0.0))
        self.network.stop()
        self.storage.close()
        log.info("party %s stopped", self.party)

    def __enter__(self) -> PartyServer:
        self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _spawn(self, target, *args, name: str) -> bool:
        """Run ``target(*args)`` in a thread that :meth:`stop` waits for; False (and not
        run) once the server is stopping."""
        def body() -> None:
            try:
                target(*args)
            finally:
                with self._lock:
                    self._threads.discard(threading.current_thread())

        thread = threading.Thread(target=body, name=name, daemon=True)
        with self._lock:
            if self._stopped:
                return False
            self._threads.add(thread)
        thread.start()
        return True

    def _stopping(self) -> OperationalError:
        return OperationalError(f"party '{self.party}' is shutting down")

    # -- requests -----------------------------------------------------------------------------
    def _request(self, body: bytes, caller: str | None, action: str) -> dict:
        if len(body) > _MAX_REQUEST_BYTES:
            raise fl.FlightServerError("request too large")
        try:
            request = json.loads(body)
        except (UnicodeDecodeError, ValueError, RecursionError):
            request = None
        if not isinstance(request, dict):
            log.warning("malformed %r request from %s", action, caller or "an insecure client")
            raise fl.FlightServerError(f"malformed {action!r} request")
        return request

    def _own_program(self, caller: str | None, action: str) -> None:
        """Only this party's own programs may ask or explain through its server."""
        if self.network.tls is not None and caller != self.party:
            log.warning("refused %r from party %r: only party %s's own programs may ask",
                        action, caller, self.party)
            raise fl.FlightUnauthorizedError(
                f"only party '{self.party}' may send queries to its own server")

    def _on_ping(self, caller: str | None, body: bytes) -> list[bytes]:
        answer = {"party": self.party, "catalog": self.catalog.name}
        request = self._request(body, caller, rp.PING)
        if request.get("peers") is True:
            self._own_program(caller, rp.PING)  # (only its own programs make it call out)
            answer["peers"] = self._peer_status()
        return [rp.outcome(answer)]

    def _peer_status(self) -> dict[str, str]:
        """Whether each other party's server answers a ping now (briefly, at once)."""
        status: dict[str, str] = {}
        wait = min(2.0, self.timeout)

        def ping(peer: int) -> None:
            try:
                self.network.call(peer, rp.PING, b"{}", timeout=wait)
                status[self.names[peer]] = "up"
            except Error as exc:
                status[self.names[peer]] = f"down ({exc})"

        threads = [threading.Thread(target=ping, args=(p,), daemon=True)
                   for p in range(len(self.names)) if p != self.me]
        for t in threads:
            t.start()
        # bounded even when a ping first waits for a connection that another query's
        # thread is still trying to make
        deadline = time.monotonic() + wait
        for t in threads:
            t.join(max(deadline - time.monotonic(), 0.0))
        silent = f"down (no answer within {wait:g} s)"
        return {n: status.get(n, silent) for n in self.names if n != self.party}

    def _on_explain(self, caller: str | None, body: bytes) -> list[bytes]:
        self._own_program(caller, rp.EXPLAIN)
        request = self._request(body, caller, rp.EXPLAIN)
        try:
            sql, pushdown = self._sql_of(request)
            plan = self.plan(sql, pushdown, _max_rows_of(request))
            return [rp.outcome({"text": explain_plan(plan, self.catalog)})]
        except Error as exc:
            return [rp.outcome({"error": rp.error_to_json(exc)})]

    @staticmethod
    def _sql_of(request: dict) -> tuple[str, bool]:
        sql, pushdown = request.get("sql"), request.get("pushdown", True)
        if not isinstance(sql, str) or not isinstance(pushdown, bool):
            raise InternalError("malformed request: sql must be text, pushdown true or false")
        return sql, pushdown

    def _on_query(self, caller: str | None, body: bytes) -> Iterator[bytes]:
        self._own_program(caller, rp.QUERY)
        request = self._request(body, caller, rp.QUERY)
        try:
            sql, pushdown = self._sql_of(request)
            timeout = rp.positive_number(request, "timeout")
            max_rows = _max_rows_of(request)
            query_id = request.get("id")
            if query_id is not None:
                check_session_id(query_id)
        except (Error, ValueError) as exc:
            error = exc if isinstance(exc, Error) else InternalError(f"malformed request: {exc}")
            return [rp.outcome({"error": rp.error_to_json(error)})]
        done = threading.Event()
        box: dict[str, Outcome] = {}
        reports: list[Progress] = []  # the newest last; read by answer() below

        def work() -> None:
            try:
                box["outcome"] = self.ask(sql, pushdown, timeout=timeout, max_rows=max_rows,
                                          query_id=query_id, progress=reports.append)
            except BaseException as exc:  # a bug: still answer the client
                log.exception("query failed unexpectedly")
                box["outcome"] = Outcome(error=InternalError(f"{type(exc).__name__}: {exc}"))
            finally:
                done.set()

        if not self._spawn(work, name=f"scql-ask-{self.party}"):
            return [rp.outcome({"error": rp.error_to_json(self._stopping())})]

        def answer() -> Iterator[bytes]:
            # tells the client how far the query is, or at least that this server is alive
            sent, quiet = 0, 0.0
            while not done.wait(_PROGRESS_EVERY):
                quiet += _PROGRESS_EVERY
                if len(reports) > sent:
                    sent = len(reports)
                    quiet = 0.0
                    yield rp.progress_item(reports[-1])
                elif quiet >= self.heartbeat:
                    quiet = 0.0
                    yield rp.HEARTBEAT
            result = box["outcome"]
            head = {"messages": result.messages, "stats": result.stats,
                    "profile": result.profile}
            if result.error is not None:
                yield rp.outcome({**head, "error": rp.error_to_json(result.error)})
                return
            chunks = rp.table_chunks(result.table)
            yield rp.outcome({**head, "chunks": len(chunks)})
            yield from chunks

        return answer()

    def _abort(self, comm: FlightCommunicator) -> None:
        """Close the session here and tell the peers, in the background: a silent peer
        must not hold up the error report."""
        self._spawn(self.network.announce_leave, comm.session, name="scql-leave")
        comm.close()

    def _cancel(self, session: str, peers: list[int]) -> None:
        """Tell ``peers`` to drop ``session`` now, in the background: one that waits for
        a third party which is gone would otherwise wait for the timeout."""
        body = json.dumps({"session": session}).encode()

        def cancel(peer: int) -> None:
            try:
                self.network.call(peer, rp.CANCEL, body, timeout=min(2.0, self.timeout))
            except Error as exc:
                log.info("query %s: could not cancel it on %s: %s", session,
                         self.names[peer], exc)

        for peer in peers:
            self._spawn(cancel, peer, name="scql-cancel")

    # -- the asker's side -----------------------------------------------------------------------
    def ask(self, sql: str, pushdown: bool = True, *, timeout: float | None = None,
            max_rows: int | None = None, query_id: str | None = None,
            progress: ProgressCallback | None = None) -> Outcome:
        """Plan ``sql`` for this party, run it with the other two servers, and return the
        result (or the root-cause error).

        ``timeout``: the client's wait for any party, used when shorter than this
        server's; ``query_id``: the client's name for the query, to cancel it by;
        ``progress``: hears of each step of this party's engine."""
        start = time.perf_counter()
        session = f"q-{self.party}-{uuid.uuid4().hex[:16]}"
        wait = self.timeout if timeout is None else min(self.timeout, timeout)
        try:
            plan = self.plan(sql, pushdown, max_rows)
        except Error as exc:
            log.info("query %s refused before running: %s: %s", session, type(exc).__name__, exc)
            return Outcome(error=exc)
        if not self._sessions.acquire(blocking=False):
            return Outcome(error=OperationalError(
                f"party '{self.party}' is busy: too many queries at once"))
        if query_id is not None:
            with self._lock:
                self._asked[query_id] = session
        try:
            result = self._run_as_asker(plan, session, wait, progress)
        finally:
            self._sessions.release()
            if query_id is not None:
                with self._lock:
                    self._asked.pop(query_id, None)
        seconds = time.perf_counter() - start
        mine = result.stats.get(self.party, {})
        if result.error is None:
            log.info("query %s: ok, %d row(s) in %.3f s; sent %d bytes in %d rounds", session,
                     result.table.num_rows, seconds, mine.get("bytes_sent", 0),
                     mine.get("rounds", 0))
        else:
            log.info("query %s: %s after %.3f s: %s", session, type(result.error).__name__,
                     seconds, result.error)
        return result

    def plan(self, sql: str, pushdown: bool, max_rows: int | None = None) -> PhysicalPlan:
        """The plan this server sends to the others (a test may subclass to tamper)."""
        return plan_query(self.catalog, self.party, sql, pushdown, max_rows)

    def _start_peers(self, session: str, plan_json: str, timeout: float,
                     peers: list[int]) -> dict[str, Error]:
        """Send the plan to the other servers that take part, at once; the refusals by
        party."""
        body = json.dumps({"session": session, "plan": plan_json, "timeout": timeout}).encode()
        refusals: dict[str, Error] = {}

        def start(peer: int) -> None:
            name = self.names[peer]
            try:
                (answer,) = self.network.call(peer, rp.RUN, body, timeout=timeout)
                reply = rp.read_outcome(answer)
                if "error" in reply:
                    refusals[name] = rp.naming(name, rp.error_from_json(reply["error"]))
            except Error as exc:
                refusals[name] = rp.naming(name, exc)
            except ValueError:
                refusals[name] = InternalError(f"party '{name}' answered with no outcome")

        threads = [threading.Thread(target=start, args=(p,), daemon=True) for p in peers]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return refusals

    def _run_as_asker(self, plan: PhysicalPlan, session: str, timeout: float,
                      progress: ProgressCallback | None) -> Outcome:
        plan_json = plan.to_json()
        # only the parties the plan needs: a data party whose rows it does not read is
        # not asked (and a query does not fail because it is down)
        peers = [self.names.index(p) for p in plan_parties(plan, self.names,
                                                            self.catalog.compute)
                 if p != self.party]
        ctl = self.network.communicator(session + rp.CTL_SUFFIX)
        comm = self.network.communicator(session)
        comm.timeout = ctl.timeout = timeout
        errors: dict[str, Error] = {}
        result = Outcome()
        try:
            refusals = self._start_peers(session, plan_json, timeout, peers)
            if refusals:
                self._abort(comm)  # a peer that did start leaves at once
                self._cancel(session, [p for p in peers if self.names[p] not in refusals])
                errors.update(refusals)
            else:
                engine = Engine(self.catalog, self.party, storage=self.storage)
                try:
                    result.table = engine.run(plan_json, comm, progress)
                    result.messages = [str(m) for m in getattr(engine, "messages", [])]
                except BaseException as exc:
                    self._abort(comm)
                    errors[self.party] = exc if isinstance(exc, Error) else InternalError(
                        f"{type(exc).__name__}: {exc}")
                    if not isinstance(exc, Error):
                        log.exception("query %s: engine failed", session)
                    silent = _silent_parties(errors[self.party], self.names)
                    self._cancel(session, [p for p in peers if self.names[p] not in silent])
                result.stats[self.party] = comm.stats.snapshot()
                result.profile[self.party] = engine.profile.to_json()
                self._collect_reports(ctl, peers, errors, result, timeout)
        finally:
            comm.close()
            ctl.close()
        if errors:
            # the asker's own error first: the others say only which step they failed at
            order = {name: (name != self.party, i) for i, name in enumerate(self.names)}
            chosen, _ = min(errors.items(), key=lambda kv: (_rank(kv[1]), order[kv[0]]))
            result.error = _root_of_silence(errors, chosen, self.names)
            result.table = None
        elif result.table is None:
            result.error = InternalError("the asker's engine produced no result")
        return result

    def _collect_reports(self, ctl: FlightCommunicator, peers: list[int],
                         errors: dict[str, Error], result: Outcome, timeout: float) -> None:
        """Each peer's report of how its part ended (its error and channel counters).

        The reports are polled in turns until the timeout; a party some error names as
        down or silent is not waited for (only a report already there counts). In turns,
        not one after the other: the report of a party that waited on a silent one names
        it while that one is being waited for."""
        silent = _silent_parties(errors.get(self.party), self.names)
        pending = [self.names[p] for p in peers]
        deadline = time.monotonic() + timeout
        ctl.timeout = 0.05
        while pending:
            for name in list(pending):
                try:
                    report = ctl.recv(self.names.index(name))
                except OperationalError as exc:
                    if getattr(exc, "silent", False):
                        continue  # not yet: asked again in the next turn
                    pending.remove(name)
                    if not errors:  # our engine has its answer: a missing report changes nothing
                        log.warning("party %s did not report on its part: %s", name, exc)
                    elif name not in silent:
                        errors.setdefault(name, OperationalError(
                            f"party '{name}' did not report on its part of the query: {exc}"))
                    continue
                pending.remove(name)
                self._take_report(name, report, errors, result, silent)
            if all(n in silent for n in pending):
                return  # (a silent one is named by an error already)
            if time.monotonic() > deadline:
                for name in pending:
                    if not errors:
                        log.warning("party %s did not report on its part within %g s",
                                    name, timeout)
                    elif name not in silent:
                        errors.setdefault(name, OperationalError(
                            f"party '{name}' did not report on its part of the query within "
                            f"{timeout:g} s"))
                return

    def _take_report(self, name: str, report: object, errors: dict[str, Error],
                     result: Outcome, silent: set[str]) -> None:
        """One peer's report into ``result`` and ``errors``; ``silent`` gains the parties
        its error names."""
        if not isinstance(report, dict):
            errors[name] = InternalError(f"party '{name}' sent a malformed report")
            return
        stats = report.get("stats")
        if isinstance(stats, dict):
            result.stats[name] = {k: v for k, v in stats.items() if isinstance(v, int)}
        if "profile" in report:
            try:
                result.profile[name] = QueryProfile.from_json(report["profile"]).to_json()
            except InternalError:
                log.warning("party %s sent a malformed profile", name)
        if "error" in report:
            error = rp.naming(name, rp.error_from_json(report["error"]))
            silent |= _silent_parties(error, self.names) - {name}
            if self.party in errors or result.table is None:
                errors[name] = error
            else:  # our engine has its answer: a late failure elsewhere changes nothing
                log.warning("party %s failed after its part: %s", name, error)

    # -- the other parties' side ----------------------------------------------------------------
    def _on_run(self, caller: str | None, body: bytes) -> list[bytes]:
        if caller is not None and (caller == self.party or caller not in self.names):
            raise fl.FlightUnauthorizedError("only another party's server may send plans")
        request = self._request(body, caller, rp.RUN)
        try:
            wait = rp.positive_number(request, "timeout")
            session, engine, plan = self._accept(caller, request)
        except Error as exc:
            log.warning("refused a plan from %s: %s", caller or "an insecure client", exc)
            return [rp.outcome({"error": rp.error_to_json(exc)})]
        if not self._sessions.acquire(blocking=False):
            return [rp.outcome({"error": rp.error_to_json(OperationalError(
                f"party '{self.party}' is busy: too many queries at once"))})]
        try:
            comm = self.network.communicator(session)
        except ValueError as exc:
            self._sessions.release()
            return [rp.outcome({"error": rp.error_to_json(SecurityError(
                f"party '{self.party}' refuses the plan: {exc}", party=self.party))})]
        if wait is not None:  # the asker's client waits no longer than this
            comm.timeout = min(comm.timeout, wait)
        with self._lock:
            self._running[session] = plan.asker
        if not self._spawn(self._run_as_peer, engine, plan, request["plan"], comm,
                           name=f"scql-run-{self.party}"):
            with self._lock:
                self._running.pop(session, None)
            comm.close()
            self._sessions.release()
            return [rp.outcome({"error": rp.error_to_json(self._stopping())})]
        log.info("query %s for %s: plan verified, running", session, plan.asker)
        return [rp.outcome({"ok": True})]

    def _on_cancel(self, caller: str | None, body: bytes) -> list[bytes]:
        request = self._request(body, caller, rp.CANCEL)
        session = request.get("session")
        with self._lock:
            asker = self._running.get(session) if isinstance(session, str) else None
        if asker is None or (caller is not None and caller != asker):
            return [rp.outcome({"ok": False})]  # over already, or not the caller's
        log.info("query %s: cancelled by %s", session, asker)
        self.network.close_session(session)
        return [rp.outcome({"ok": True})]

    def _on_cancel_query(self, caller: str | None, body: bytes) -> list[bytes]:
        """This party's own client cancels the query it asked (Ctrl-C): the query's
        session is closed here, which ends this engine's part at its next message, and
        the peers are told to drop it too."""
        self._own_program(caller, rp.CANCEL_QUERY)
        request = self._request(body, caller, rp.CANCEL_QUERY)
        query_id = request.get("id")
        with self._lock:
            session = self._asked.get(query_id) if isinstance(query_id, str) else None
        if session is None:
            return [rp.outcome({"ok": False})]  # over already
        log.info("query %s: cancelled by its client", session)
        self._cancel(session, [p for p in range(len(self.names)) if p != self.me])
        self.network.close_session(session)
        return [rp.outcome({"ok": True})]

    def _accept(self, caller: str | None, request: dict) -> tuple[str, Engine, PhysicalPlan]:
        """Check a ``run`` request: a valid session, a plan from its own asker that this
        party's planning of the same SQL produces (else ``SecurityError``)."""
        session, plan_json = request.get("session"), request.get("plan")

        def refuse(why: str) -> SecurityError:
            return SecurityError(f"party '{self.party}' refuses the plan: {why}",
                                 party=self.party)

        try:
            check_session_id(session)
        except ValueError as exc:
            raise refuse(str(exc)) from None
        if session.endswith(rp.CTL_SUFFIX) or not isinstance(plan_json, str):
            raise refuse("malformed request")
        try:
            plan = PhysicalPlan.from_json(plan_json)
        except (ValueError, TypeError, KeyError, AttributeError):
            raise refuse("it is not a valid plan") from None
        if caller is not None and plan.asker != caller:
            raise refuse(f"it names '{plan.asker}' as the asker but comes from '{caller}'")
        engine = Engine(self.catalog, self.party, storage=self.storage)
        try:
            engine.verify(plan_json)
        except SecurityError as exc:
            if str(exc).startswith(f"party '{self.party}' refuses"):
                raise
            raise refuse(str(exc)) from None
        except Error as exc:  # e.g. a table this party's catalog does not have
            raise refuse(str(exc)) from None
        except Exception as exc:  # a plan crafted to break the planner
            raise refuse(f"it cannot be checked ({type(exc).__name__})") from None
        return session, engine, plan

    def _run_as_peer(self, engine: Engine, plan: PhysicalPlan, plan_json: str,
                     comm: FlightCommunicator) -> None:
        start = time.perf_counter()
        asker = self.names.index(plan.asker)
        report: dict = {"ok": True}
        try:
            engine.run(plan_json, comm)
        except BaseException as exc:
            self._abort(comm)
            if not isinstance(exc, Error):
                log.exception("query %s: engine failed", comm.session)
            report = {"error": rp.error_to_json(exc)}
        finally:
            comm.close()
            with self._lock:
                self._running.pop(comm.session, None)
            self._sessions.release()
        report["stats"] = comm.stats.snapshot()
        report["profile"] = engine.profile.to_json()
        seconds = time.perf_counter() - start
        if "error" in report:
            log.info("query %s for %s: %s after %.3f s: %s", comm.session, plan.asker,
                     report["error"]["class"], seconds, report["error"]["message"])
        else:
            log.info("query %s for %s: ok in %.3f s; sent %d bytes in %d rounds", comm.session,
                     plan.asker, seconds, comm.stats.bytes_sent, comm.stats.rounds)
        if self._stop.is_set():
            return  # the asker hears of it from the closed session
        ctl = self.network.communicator(comm.session + rp.CTL_SUFFIX)
        try:
            ctl.send(asker, report)
        except OperationalError as exc:
            log.info("query %s: could not report to %s: %s", comm.session, plan.asker, exc)
        finally:
            ctl.close()

