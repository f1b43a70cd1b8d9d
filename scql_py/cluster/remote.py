"""The asker's side of a networked federation: a client of its own party's server.

:class:`RemoteFederation` has the interface of the in-process
:class:`~scql_py.cluster.federation.Federation` (``execute``, ``explain``, ``close``), so
the DB-API and the CLI use either. It connects only to the server of its own party (the
asker), with that party's certificate; that server plans the query, runs it with the
other parties' servers and sends back the result or the error, which is raised here as
the same PEP 249 class.

>>> fed = RemoteFederation("catalogs/demo.toml", "alice")                  # doctest: +SKIP
>>> fed.execute("alice", "SELECT COUNT(*) FROM alice_income").table        # doctest: +SKIP
"""

from __future__ import annotations

import json
import queue
import threading
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import pyarrow.flight as fl

from scql_py.catalog import Catalog, load_catalog
from scql_py.cluster import remote_protocol as rp
from scql_py.cluster.query_result import QueryResult, analyzed
from scql_py.engine.profile import QueryProfile
from scql_py.engine.progress import ProgressCallback
from scql_py.errors import Error, InternalError, OperationalError, ProgrammingError
from scql_py.net.certs import TLSConfig
from scql_py.net.channel import DEFAULT_TIMEOUT
from scql_py.net.flight_auth import PartyClientAuth
from scql_py.sql.params import bind_parameters

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

_GRPC_OPTIONS = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]
_CONNECT_WINDOW = 3.0  # seconds to keep trying a server that is not up (it may be starting)
_END = object()


def catalog_parties(catalog_path: str | Path) -> dict[str, str]:
    """The parties a catalog file declares, in order, with their addresses, without
    loading it: a party's machine lacks the others' sources, which :func:`load_catalog`
    checks (and so may the machine that makes the certificates)."""
    try:
        with Path(catalog_path).open("rb") as f:
            parties = tomllib.load(f).get("parties")
    except (OSError, tomllib.TOMLDecodeError):
        parties = None
    if not isinstance(parties, dict) or not parties or not all(
            isinstance(p, dict) for p in parties.values()):
        load_catalog(catalog_path)  # raises the precise CatalogError
        raise ProgrammingError(f"catalog {catalog_path} has no parties")
    return {name: str(p.get("address", "")) for name, p in parties.items()}


def party_names(catalog_path: str | Path) -> list[str]:
    """The parties a catalog file declares, in order (see :func:`catalog_parties`)."""
    return list(catalog_parties(catalog_path))


def _short(exc: BaseException) -> str:
    text = str(exc).split("\n")[0]
    return text.split(". gRPC client debug context")[0].split(". Detail:")[0]


class RemoteFederation:
    """Runs queries through party ``party``'s server (``scql serve``).

    Args:
        catalog: the catalog file (or a loaded :class:`Catalog`): the party's address.
        party: the asking party (default: the catalog's first); every query asks as it.
        certs: directory of the TLS files (default: ``certs/`` beside the catalog);
            ``tls`` gives them directly instead.
        insecure: plain TCP, for a server started with ``--insecure``.
        timeout: seconds to wait for any party: the server applies it to the other
            parties in this client's queries when it is shorter than the server's own,
            and this client gives up on a server silent for that long.
        pushdown: let owners compute on their own rows locally (False: everything after
            the scans runs under MPC).
        address: the server's ``host:port``, if not the party's catalog address.
        max_rows: row pairs a many-to-many secret join may compare (default: the
            catalog's ``max_rows``).

    Ctrl-C during :meth:`execute` asks the server to cancel the query on every party,
    then raises ``KeyboardInterrupt``.
    """

    def __init__(self, catalog: Catalog | str | Path, party: str | None = None, *,
                 certs: str | Path | None = None, tls: TLSConfig | None = None,
                 insecure: bool = False, timeout: float = DEFAULT_TIMEOUT,
                 pushdown: bool = True, address: str | None = None,
                 max_rows: int | None = None):
        if party is None:
            party = (catalog.party_names if isinstance(catalog, Catalog)
                     else party_names(catalog))[0]
        self.catalog = (catalog if isinstance(catalog, Catalog)
                        else load_catalog(catalog, party=party))
        self.party = party
        self.address = address or self.catalog.party(party).address
        self.tls = tls if tls is not None else rp.load_tls(self.catalog.path, party, certs,
                                                           insecure)
        self.timeout = timeout
        self.pushdown = pushdown
        self.max_rows = max_rows
        self._client: fl.FlightClient | None = None
        self._lock = threading.Lock()

    # -- the Federation interface ---------------------------------------------------------------
    def execute(self, asker: str, sql: str, params: Sequence | None = None, *,
                progress: ProgressCallback | None = None) -> QueryResult:
        """Run ``sql`` as ``asker`` (this client's own party) and return the answer;
        ``progress`` hears of each step, as the server's engine reports them."""
        query_id = f"c-{uuid.uuid4().hex}"
        body = self._body(asker, sql, params, id=query_id, timeout=self.timeout)
        pieces = self._stream(rp.QUERY, body, query_id, progress)
        head = rp.read_outcome(pieces[0])
        if "error" in head:
            raise rp.error_from_json(head["error"])
        chunks = pieces[1:]
        if head.get("chunks") != len(chunks) or not all(c.startswith(rp.TABLE) for c in chunks):
            raise InternalError(f"party '{self.party}''s server sent an incomplete result")
        stats = head.get("stats") if isinstance(head.get("stats"), dict) else {}
        messages = [str(m) for m in head.get("messages") or []]
        profiles = head.get("profile") if isinstance(head.get("profile"), dict) else {}
        profile = {str(name): QueryProfile.from_json(p) for name, p in profiles.items()}
        return QueryResult(table=rp.table_from_chunks(chunks), messages=messages, stats=stats,
                           profile=profile)

    def explain(self, asker: str, sql: str, params: Sequence | None = None, *,
                analyze: bool = False) -> str:
        """The plan of ``sql``, as ``asker``'s server makes it; with ``analyze``, also
        run it and add each party's seconds, rounds and bytes per step."""
        text = self._explain(asker, sql, params)
        if not analyze:
            return text
        start = time.perf_counter()
        result = self.execute(asker, sql, params)
        return analyzed(text, result, time.perf_counter() - start)

    def _explain(self, asker: str, sql: str, params: Sequence | None) -> str:
        answers = self._call(rp.EXPLAIN, self._body(asker, sql, params))
        if len(answers) != 1:
            raise InternalError(f"party '{self.party}''s server sent a malformed answer")
        reply = rp.read_outcome(answers[0])
        if "error" in reply:
            raise rp.error_from_json(reply["error"])
        return str(reply.get("text", ""))

    def ping(self) -> dict:
        """The server's party and catalog name (a check that it is up and trusted)."""
        return rp.read_outcome(self._call(rp.PING, b"{}")[0])

    def party_status(self) -> dict[str, str]:
        """For every party, whether its server is up: this party's server answers, and
        pings the others (this client talks to its own server only)."""
        reply = rp.read_outcome(self._call(rp.PING, json.dumps({"peers": True}).encode())[0])
        peers = reply.get("peers") if isinstance(reply.get("peers"), dict) else {}
        status = {self.party: "up"}
        status.update({str(k): str(v) for k, v in peers.items()})
        return {n: status.get(n, "unknown") for n in self.catalog.party_names}

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    def __enter__(self) -> RemoteFederation:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- the connection -------------------------------------------------------------------------
    def _body(self, asker: str, sql: str, params: Sequence | None, **extra) -> bytes:
        if asker != self.party:
            raise ProgrammingError(
                f"this connection asks as party '{self.party}' through its server; it "
                f"cannot ask as '{asker}'")
        text = bind_parameters(sql, params)
        request = {"sql": text, "pushdown": self.pushdown, **extra}
        if self.max_rows is not None:
            request["max_rows"] = self.max_rows
        return json.dumps(request).encode()

    def _where(self) -> str:
        return f"party '{self.party}''s server at {self.address}"

    def _location(self) -> str:
        host, _, port = self.address.rpartition(":")
        host = host.strip("[]")
        host = f"[{host}]" if ":" in host else host
        return f"grpc+{'tcp' if self.tls is None else 'tls'}://{host}:{port}"

    def _connect(self) -> fl.FlightClient:
        with self._lock:
            if self._client is not None:
                return self._client
            if self.tls is None:
                client = fl.FlightClient(self._location(), generic_options=_GRPC_OPTIONS)
            else:
                client = fl.FlightClient(self._location(), tls_root_certs=self.tls.ca_cert,
                                         cert_chain=self.tls.cert, private_key=self.tls.key,
                                         generic_options=_GRPC_OPTIONS)
                deadline = time.monotonic() + min(_CONNECT_WINDOW, self.timeout)
                delay = 0.05
                while True:
                    try:
                        client.authenticate(
                            PartyClientAuth(self.party, self.party, self.catalog.party_names,
                                            self.tls),
                            options=fl.FlightCallOptions(timeout=self.timeout))
                        break
                    except fl.FlightUnavailableError as exc:
                        if "handshake failed" in str(exc).lower() or \
                                time.monotonic() + delay > deadline:
                            client.close()
                            raise self._unreachable(exc) from None
                    except fl.FlightTimedOutError:
                        client.close()
                        raise OperationalError(f"{self._where()} did not answer within "
                                               f"{self.timeout:g} s") from None
                    except fl.FlightError as exc:
                        client.close()
                        raise OperationalError(f"{self._where()} refused this program's "
                                               f"credentials: {_short(exc)}") from None
                    time.sleep(delay)
                    delay = min(2 * delay, 0.5)
            self._client = client
            return client

    def _unreachable(self, exc: BaseException) -> OperationalError:
        text = _short(exc)
        if "handshake failed" in text.lower():
            return OperationalError(f"TLS with {self._where()} failed (wrong certificate?): "
                                    f"{text}")
        return OperationalError(f"{self._where()} is not reachable (is `scql serve --party "
                                f"{self.party}` running?): {text}")

    def _drop(self, client: fl.FlightClient) -> None:
        """Forget ``client`` without closing it: the thread reading a stream on it may
        still be in that call, and ``FlightClient.close()`` frees the client under it
        (a crash, see ``FlightNetwork._drop_client``); it closes itself once unused."""
        with self._lock:
            if self._client is client:
                self._client = None

    def _call(self, action: str, body: bytes) -> list[bytes]:
        """A short action: all its results, within the timeout."""
        return self._with_client(lambda client: [
            r.body.to_pybytes() for r in client.do_action(
                fl.Action(action, body), options=fl.FlightCallOptions(timeout=self.timeout))])

    def _stream(self, action: str, body: bytes, query_id: str,
                progress: ProgressCallback | None) -> list[bytes]:
        """A long action: its results but the heartbeats and progress reports (those go
        to ``progress``); ``OperationalError`` when the server is silent for longer than
        the timeout. Ctrl-C cancels query ``query_id`` on the server."""

        def run(client: fl.FlightClient) -> list[bytes]:
            items: queue.Queue = queue.Queue()

            def pump() -> None:  # blocking reads, in a thread so that we can stop waiting
                try:
                    for r in client.do_action(fl.Action(action, body)):
                        items.put(r.body.to_pybytes())
                    items.put(_END)
                except BaseException as exc:
                    items.put(exc)

            threading.Thread(target=pump, daemon=True, name="scql-client-read").start()
            out: list[bytes] = []
            heard = False
            while True:
                try:
                    item = items.get(timeout=self.timeout)
                except queue.Empty:
                    self._drop(client)
                    raise OperationalError(f"{self._where()} did not answer within "
                                           f"{self.timeout:g} s") from None
                except KeyboardInterrupt:
                    self._cancel_query(client, query_id)
                    self._drop(client)  # the answer, if any, is not waited for
                    raise
                if item is _END:
                    break
                if isinstance(item, fl.FlightUnavailableError):
                    self._drop(client)
                    if not heard:
                        raise self._unreachable(item)
                    raise OperationalError(f"{self._where()} went away during the query: "
                                           f"{_short(item)}")
                if isinstance(item, BaseException):
                    raise item
                heard = True
                if item.startswith(rp.PROGRESS):
                    if progress is not None:
                        try:
                            report = rp.read_progress(item)
                        except ValueError:
                            continue  # only a report: the answer still counts
                        progress(report)
                elif item != rp.HEARTBEAT:
                    out.append(item)
            if not out:
                raise InternalError(f"{self._where()} sent no answer")
            return out

        return self._with_client(run)

    def _cancel_query(self, client: fl.FlightClient, query_id: str) -> None:
        """Ask the server to cancel the query (best effort, briefly)."""
        body = json.dumps({"id": query_id}).encode()
        try:
            list(client.do_action(fl.Action(rp.CANCEL_QUERY, body),
                                  options=fl.FlightCallOptions(timeout=min(self.timeout, 5.0))))
        except fl.FlightError:
            pass  # the server is gone or slow: it will end the query by its timeout

    def _with_client(self, fn):
        renewed = False
        while True:
            client = self._connect()
            try:
                return fn(client)
            except Error:
                raise
            except fl.FlightUnauthenticatedError as exc:
                # the server restarted and forgot this client: authenticate again, once
                self._drop(client)
                if renewed:
                    raise OperationalError(f"{self._where()} refused this program: "
                                           f"{_short(exc)}") from None
                renewed = True
            except fl.FlightUnauthorizedError as exc:
                raise OperationalError(f"{self._where()} refused this program: "
                                       f"{_short(exc)}") from None
            except (fl.FlightUnavailableError, fl.FlightCancelledError) as exc:
                self._drop(client)
                raise self._unreachable(exc) from None
            except fl.FlightTimedOutError:
                self._drop(client)
                raise OperationalError(f"{self._where()} did not answer within "
                                       f"{self.timeout:g} s") from None
            except fl.FlightError as exc:
                raise OperationalError(f"{self._where()} failed: {_short(exc)}") from None
