"""Networked channels: each party is an Arrow Flight (gRPC) server plus a data port.

A message from party *s* to party *d* in query (session) *q* is one frame on *s*'s
long-lived data connection to *d* (:mod:`scql_py.net.stream`; one per pair of parties,
shared by all queries, its port asked once through the Flight action ``data_port``),
carrying (*q*, seq) and the payload (:mod:`scql_py.net.wire`, no pickle). *d* files it
in the mailbox of (*q*, *s*) under its sequence number, and *d*'s communicator for *q*
reads them back in order, waiting at most the timeout. So several queries can run at
once over the same connections, a late message of a closed query is dropped by its
receiver (logged; the sender is not told: the stream is one-way), and a message that
arrives before its receiver opened the query waits for it (for a while). The server
still files a ``do_put`` on the descriptor path ``scql / q / s / seq`` the same way
(the former data plane; it answers a closed query with an error).

Security: TLS with client certificates from the catalog CA, then a signed handshake
that maps the connection to a party name (:mod:`scql_py.net.flight_auth`); the server
only accepts messages whose descriptor names the authenticated sender. The data port
takes the sender from its certificate (:mod:`scql_py.net.stream`). Plain TCP needs
``insecure=True``.

Other Flight actions (e.g. a party server's "run this plan") are served by the
``actions`` handlers given to :class:`FlightNetwork`; a handler gets the authenticated
caller's party name, which may be this party itself (its own client programs).
:meth:`FlightNetwork.call` runs an action on a peer.

>>> import tempfile
>>> from scql_py.net.certs import make_dev_certs
>>> names = ["alice", "bob"]
>>> tls = make_dev_certs(tempfile.mkdtemp(), names)
>>> nets = [FlightNetwork(names, ["127.0.0.1:0"] * 2, me, tls=tls[me]) for me in names]
>>> addresses = [net.start() for net in nets]
>>> for net in nets:
...     net.set_addresses(addresses)
>>> a, b = nets[0].communicator("q1"), nets[1].communicator("q1")
>>> a.send(1, {"hello": 1}); b.recv(0)
{'hello': 1}
>>> for net in nets:
...     net.stop()
"""

from __future__ import annotations

import json
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping, Sequence

import pyarrow as pa
import pyarrow.flight as fl

from scql_py.errors import OperationalError
from scql_py.net import stream, wire
from scql_py.net.certs import TLSConfig
from scql_py.net.channel import DEFAULT_TIMEOUT, Communicator, Payload, peer_silent
from scql_py.net.flight_auth import PartyClientAuth, PartyServerAuth

log = logging.getLogger(__name__)

_PATH_TAG = b"scql"
_SESSION_RE = re.compile(r"[A-Za-z0-9_.:\-]{1,128}")
_LEAVE_ACTION = "leave"
_ALIVE_ACTION = "alive"  # answered by the network itself: "still serving"
_DATA_PORT_ACTION = "data_port"  # answered by the network itself: its data port
_MAX_ORPHANS = 64  # sessions a peer opened here that this party has not opened yet
_MAX_CLOSED = 4096  # closed session ids remembered, to refuse their late messages
_MAX_AHEAD = 1024  # messages a sender may be ahead of its receiver in one session
# gRPC caps messages at 4 MiB by default; payloads are cut smaller, but let a peer
# with another chunk size through
_GRPC_OPTIONS = [("grpc.max_receive_message_length", -1), ("grpc.max_send_message_length", -1)]

# An action handler: (authenticated caller's party name, or None when insecure, body) ->
# result bodies. Raising a Flight error reports it to the caller.
ActionHandler = Callable[[str | None, bytes], Iterable[bytes]]


def _split_address(address: str) -> tuple[str, int]:
    host, sep, port = address.rpartition(":")
    if not sep or not port.isdigit():
        raise ValueError(f"address {address!r} is not host:port")
    return host.strip("[]"), int(port)


def check_session_id(session: str) -> str:
    """``session`` if it is a valid session (query) id, else ``ValueError``."""
    if not isinstance(session, str) or not _SESSION_RE.fullmatch(session):
        raise ValueError(f"session id {session!r}: use 1-128 letters, digits or ._:-")
    return session


class SessionClosedError(Exception):
    """The session is closed, or not open, on this party."""


class _Inbox:
    """What one session has received so far, by sender then sequence number."""

    def __init__(self, n_parties: int):
        self.pending: list[dict[int, Payload]] = [{} for _ in range(n_parties)]
        self.next_seq = [0] * n_parties
        self.left: set[int] = set()
        self.lost: set[int] = set()  # their connection ended mid-query: not an echo
        self.opened = False
        self.closed = False
        self.created = time.monotonic()


class Mailboxes:
    """The inboxes of every session on one party, behind one lock."""

    def __init__(self, n_parties: int, orphan_ttl: float):
        self.n_parties = n_parties
        self.orphan_ttl = orphan_ttl
        self._cond = threading.Condition()
        self._inboxes: dict[str, _Inbox] = {}
        self._closed: OrderedDict[str, None] = OrderedDict()
        self._stopped = False

    def open(self, session: str) -> None:
        with self._cond:
            if session in self._closed:
                raise ValueError(f"session {session!r} was closed; use a new id")
            box = self._inboxes.setdefault(session, _Inbox(self.n_parties))
            if box.opened:
                raise ValueError(f"session {session!r} is already open")
            box.opened = True

    def close(self, session: str) -> None:
        """Drop the session's messages and refuse any that come later."""
        with self._cond:
            box = self._inboxes.pop(session, None)
            if box is not None:
                box.closed = True
            self._closed[session] = None
            while len(self._closed) > _MAX_CLOSED:
                self._closed.popitem(last=False)
            self._cond.notify_all()

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            for box in self._inboxes.values():
                box.closed = True
            self._inboxes.clear()
            self._cond.notify_all()

    def _inbox_for_peer(self, session: str) -> _Inbox:
        if session in self._closed or self._stopped:
            raise SessionClosedError(session)
        box = self._inboxes.get(session)
        if box is None:
            now = time.monotonic()
            for sid in [s for s, b in self._inboxes.items()
                        if not b.opened and now - b.created > self.orphan_ttl]:
                del self._inboxes[sid]
            if sum(not b.opened for b in self._inboxes.values()) >= _MAX_ORPHANS:
                raise SessionClosedError(session)
            box = self._inboxes[session] = _Inbox(self.n_parties)
        return box

    def put(self, session: str, sender: int, seq: int, payload: Payload) -> None:
        with self._cond:
            box = self._inbox_for_peer(session)
            if seq - box.next_seq[sender] > _MAX_AHEAD:
                raise ValueError("sequence number too far ahead")
            if seq >= box.next_seq[sender]:  # older ones are retried duplicates
                box.pending[sender][seq] = payload
                self._cond.notify_all()

    def sender_gone(self, sender: int) -> None:
        """``sender``'s data connection ended (it stopped, or restarted and forgot its
        queries): it left every query open now; what it sent before stays readable."""
        with self._cond:
            for box in self._inboxes.values():
                box.left.add(sender)
                box.lost.add(sender)
            self._cond.notify_all()

    def leave(self, session: str, sender: int) -> None:
        with self._cond:
            try:
                box = self._inbox_for_peer(session)
            except SessionClosedError:
                return
            box.left.add(sender)
            self._cond.notify_all()

    def take(self, session: str, sender: int, timeout: float) -> Payload:
        """The next payload from ``sender``. Raises ``TimeoutError``, ``ConnectionAbortedError``
        (the sender left), ``ConnectionResetError`` (its connection ended: it stopped or
        restarted, a root cause rather than an echo of another party's failure), or
        ``SessionClosedError``."""
        with self._cond:
            box = self._inboxes.get(session)
            if box is None or not box.opened:
                raise SessionClosedError(session)
            seq = box.next_seq[sender]

            def ready() -> bool:
                return box.closed or seq in box.pending[sender] or sender in box.left

            if not self._cond.wait_for(ready, timeout):
                raise TimeoutError
            if box.closed:
                raise SessionClosedError(session)
            if seq not in box.pending[sender]:
                raise ConnectionResetError if sender in box.lost else ConnectionAbortedError
            box.next_seq[sender] = seq + 1
            return box.pending[sender].pop(seq)


class _PartyServer(fl.FlightServerBase):
    """Files incoming messages into the party's mailboxes; nothing else is served."""

    def __init__(self, network: FlightNetwork, location: str, **kwargs):
        self.network = network  # before serving starts, i.e. before the base __init__
        super().__init__(location, **kwargs)

    def _sender(self, context: fl.ServerCallContext, claimed: str) -> int:
        net = self.network
        if net.tls is not None:
            identity = self.caller(context)
            if identity != claimed:
                raise fl.FlightUnauthorizedError(
                    f"authenticated as {identity!r}, sending as {claimed!r}")
        if claimed not in net.party_names or claimed == net.me_name:
            raise fl.FlightUnauthorizedError(f"{claimed!r} is not a peer of this party")
        return net.party_names.index(claimed)

    def do_put(self, context, descriptor, reader, writer) -> None:
        path = descriptor.path or []
        if len(path) != 4 or path[0] != _PATH_TAG:
            raise fl.FlightServerError("unknown descriptor")
        try:
            session = check_session_id(path[1].decode())
            claimed = path[2].decode()
            seq = int(path[3].decode())
        except (UnicodeDecodeError, ValueError):
            raise fl.FlightServerError("malformed descriptor") from None
        sender = self._sender(context, claimed)
        if seq < 0:
            raise fl.FlightServerError("malformed descriptor")
        batches = [chunk.data for chunk in reader if chunk.data is not None]
        try:
            payload = wire.decode(reader.schema, batches)
        except wire.WireFormatError as exc:
            log.warning("malformed message from party %r: %s", claimed, exc)
            raise fl.FlightServerError(f"malformed payload: {exc}") from None
        try:
            self.network.mailboxes.put(session, sender, seq, payload)
        except SessionClosedError:
            raise fl.FlightServerError(
                f"party '{self.network.me_name}' has closed query {session!r}") from None
        except ValueError as exc:
            raise fl.FlightServerError(str(exc)) from None

    def caller(self, context: fl.ServerCallContext) -> str | None:
        """The authenticated party on the other end (None without TLS)."""
        if self.network.tls is None:
            return None
        identity = context.peer_identity()
        return identity.decode() if isinstance(identity, bytes) else identity

    def do_action(self, context, action):
        if action.type == _ALIVE_ACTION:
            return iter([fl.Result(pa.py_buffer(b"1"))])
        if action.type == _DATA_PORT_ACTION:
            port = self.network.data_port
            if port is None:
                raise fl.FlightServerError("not serving")
            return iter([fl.Result(pa.py_buffer(str(port).encode()))])
        if action.type != _LEAVE_ACTION:
            handler = self.network.actions.get(action.type)
            if handler is None:
                raise fl.FlightServerError(f"unknown action {action.type!r}")
            bodies = handler(self.caller(context), action.body.to_pybytes())
            return (fl.Result(pa.py_buffer(b)) for b in bodies)
        try:
            body = json.loads(action.body.to_pybytes())
            session, claimed = check_session_id(body["session"]), body["party"]
        except (ValueError, KeyError, TypeError):
            raise fl.FlightServerError("malformed action") from None
        self.network.mailboxes.leave(session, self._sender(context, claimed))
        return []

    def list_flights(self, context, criteria):
        return iter(())


class _Peer:
    """This party's client connection to one peer, made on first use."""

    def __init__(self, index: int, name: str, address: str):
        self.index, self.name, self.address = index, name, address
        self.client: fl.FlightClient | None = None
        self.lock = threading.Lock()
        self.data_port: int | None = None  # asked once, again when it stops answering
        self.stream: stream.StreamClient | None = None
        self.stream_lock = threading.Lock()  # one message at a time on the connection


class FlightNetwork:
    """One party's Flight server plus its clients to the other parties.

    Args:
        party_names: all parties by index, as in the catalog.
        addresses: ``host:port`` of every party, by index or by name. This party's own
            may have port 0: :meth:`start` binds a free port and returns the address.
        me: this party, by index or name.
        tls: this party's CA, certificate and key; required unless ``insecure``.
        insecure: use plain TCP without authentication (tests and benchmarks only).
        timeout: seconds to wait for a peer (connect, send, or the next message).
        chunk_bytes: at most this many payload bytes per Flight message.
        listen: ``host:port`` to bind, if not this party's address (e.g. ``0.0.0.0:7101``).
        orphan_ttl: seconds the messages of a query this party has not opened yet are
            kept (default ten timeouts); at most 64 such queries are kept.
        actions: handlers of further Flight action types served by this party.
    """

    def __init__(self, party_names: Sequence[str], addresses: Sequence[str] | Mapping[str, str],
                 me: int | str, tls: TLSConfig | None = None, *, insecure: bool = False,
                 timeout: float = DEFAULT_TIMEOUT, chunk_bytes: int = wire.DEFAULT_CHUNK_BYTES,
                 listen: str | None = None, orphan_ttl: float | None = None,
                 actions: Mapping[str, ActionHandler] | None = None):
        self.party_names = list(party_names)
        if len(set(self.party_names)) != len(self.party_names):
            raise ValueError("party names must be distinct")
        self.me = me if isinstance(me, int) else self.party_names.index(me)
        self.me_name = self.party_names[self.me]
        if tls is None and not insecure:
            raise ValueError("networked parties need TLS; pass insecure=True for plain TCP")
        if tls is not None and tls.party != self.me_name:
            raise ValueError(f"TLS certificate is for '{tls.party}', not '{self.me_name}'")
        self.tls = tls
        self.timeout = timeout
        self.chunk_bytes = chunk_bytes
        self.actions: dict[str, ActionHandler] = dict(actions or {})
        for reserved in (_LEAVE_ACTION, _ALIVE_ACTION, _DATA_PORT_ACTION):
            if reserved in self.actions:
                raise ValueError(f"action {reserved!r} is reserved")
        self._listen = listen
        self._peers: list[_Peer] = []
        self.set_addresses(addresses)
        self.mailboxes = Mailboxes(len(self.party_names),
                                   orphan_ttl if orphan_ttl is not None else 10 * timeout)
        self._server: _PartyServer | None = None
        self._data: stream.StreamServer | None = None
        self._client_ctx = stream.client_context(tls)

    @property
    def data_port(self) -> int | None:
        return None if self._data is None else self._data.port

    # -- life cycle ---------------------------------------------------------------------------
    def set_addresses(self, addresses: Sequence[str] | Mapping[str, str]) -> None:
        """Set where the peers are (before the first message to them)."""
        if isinstance(addresses, Mapping):
            addresses = [addresses[name] for name in self.party_names]
        addresses = list(addresses)
        if len(addresses) != len(self.party_names):
            raise ValueError("one address per party is needed")
        if getattr(self, "_server", None) is not None:
            addresses[self.me] = self.address  # where this party really listens
        for a in addresses:
            _split_address(a)
        if self._peers and any((p.client is not None or p.stream is not None)
                               and p.address != a
                               for p, a in zip(self._peers, addresses, strict=True)):
            raise ValueError("cannot move a peer that is already connected")
        self._peers = [_Peer(i, n, a) for i, (n, a) in enumerate(
            zip(self.party_names, addresses, strict=True))]

    @property
    def address(self) -> str:
        return self._peers[self.me].address

    def _location(self, address: str) -> str:
        host, port = _split_address(address)
        host = f"[{host}]" if ":" in host else host
        return f"grpc+{'tcp' if self.tls is None else 'tls'}://{host}:{port}"

    def start(self) -> str:
        """Start serving; returns this party's address (with the bound port)."""
        if self._server is not None:
            raise RuntimeError("network already started")
        kwargs = {}
        if self.tls is not None:
            kwargs = dict(
                tls_certificates=[fl.CertKeyPair(self.tls.cert, self.tls.key)],
                verify_client=True, root_certificates=self.tls.ca_cert,
                auth_handler=PartyServerAuth(self.me_name, self.party_names, self.tls))
        listen = self._listen or self.address
        try:
            self._server = _PartyServer(self, self._location(listen), **kwargs)
        except (OSError, pa.ArrowException) as exc:
            raise OperationalError(f"party '{self.me_name}' cannot listen on {listen}: {exc}"
                                   ) from None
        try:
            self._data = stream.StreamServer(
                self.me_name, self.party_names, self.tls, _split_address(listen)[0],
                self._file_message, check_session_id, handshake_timeout=self.timeout,
                gone=self._sender_gone)
        except OSError as exc:
            self._server.shutdown()
            self._server = None
            raise OperationalError(f"party '{self.me_name}' cannot listen for data on "
                                   f"{listen}: {exc}") from None
        host, port = _split_address(self.address)
        if port == 0:
            host = f"[{host}]" if ":" in host else host
            self._peers[self.me].address = f"{host}:{self._server.port}"
        return self.address

    def stop(self) -> None:
        """Stop serving and drop every session; waiting receivers get ``OperationalError``."""
        self.mailboxes.stop()
        if self._data is not None:
            self._data.stop()
            self._data = None
        for peer in self._peers:
            with peer.stream_lock:
                if peer.stream is not None:
                    peer.stream.close()
                    peer.stream = None
            with peer.lock:
                peer.client = None  # not closed: see _drop_client
        if self._server is not None:
            self._server.shutdown()
            self._server = None

    def __enter__(self) -> FlightNetwork:
        if self._server is None:
            self.start()
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    # -- sessions -----------------------------------------------------------------------------
    def communicator(self, session: str) -> FlightCommunicator:
        """Open query ``session`` on this party and return its communicator."""
        self.mailboxes.open(check_session_id(session))
        return FlightCommunicator(self, session)

    def close_session(self, session: str) -> None:
        self.mailboxes.close(session)

    # -- sending ------------------------------------------------------------------------------
    def _client(self, peer: _Peer, timeout: float) -> fl.FlightClient:
        with peer.lock:
            if peer.client is not None:
                return peer.client
            if self.tls is None:
                client = fl.FlightClient(self._location(peer.address),
                                         generic_options=_GRPC_OPTIONS)
            else:
                client = fl.FlightClient(
                    self._location(peer.address), tls_root_certs=self.tls.ca_cert,
                    cert_chain=self.tls.cert, private_key=self.tls.key,
                    generic_options=_GRPC_OPTIONS)
                try:
                    client.authenticate(
                        PartyClientAuth(self.me_name, peer.name, self.party_names, self.tls),
                        options=fl.FlightCallOptions(timeout=max(timeout, 0.01)))
                except (fl.FlightUnavailableError, fl.FlightTimedOutError):
                    client.close()
                    raise
                except Exception as exc:
                    client.close()
                    raise OperationalError(
                        f"party '{peer.name}' at {peer.address} refused this party's "
                        f"credentials, or presented wrong ones: {_short(exc)}") from None
            peer.client = client
            return client

    def _drop_client(self, peer: _Peer, client: fl.FlightClient | None) -> None:
        """Forget ``client``: the next call makes a new one. It is not closed: other
        threads may be in a call on it (e.g. one telling the peer that a query ended
        while another cancels it there), and ``FlightClient.close()`` frees the client's
        transport and auth handler under them, a use-after-free that killed the whole
        server (SIGSEGV in pyarrow's ``_get_token``). It closes itself when its last
        user lets go of it."""
        with peer.lock:
            if client is not None and peer.client is client:
                peer.client = None

    def _sender_gone(self, sender: int) -> None:
        log.info("the data connection of party %r ended: it left its open queries",
                 self.party_names[sender])
        self.mailboxes.sender_gone(sender)

    def _file_message(self, sender: int, session: str, seq: int, payload: Payload) -> None:
        """A message from the data port: into its mailbox, or dropped (logged)."""
        try:
            self.mailboxes.put(session, sender, seq, payload)
        except SessionClosedError:
            log.info("dropped a message of query %r from party %r: the query is closed "
                     "here", session, self.party_names[sender])

    def deliver(self, to: int, session: str, seq: int, payload: Payload,
                timeout: float) -> None:
        """Send one payload to ``to`` for ``session`` on the data connection; connect (and
        reconnect once, to a peer that restarted) retrying until ``timeout`` while the
        peer cannot be reached (it may still be starting)."""
        data = stream.encode_payload(payload, self.chunk_bytes)
        peer = self._peers[to]
        deadline = time.monotonic() + timeout
        with peer.stream_lock:
            for again in (False, True):
                if peer.stream is None:
                    peer.stream = self._connect_stream(peer, deadline, timeout)
                try:
                    peer.stream.send(session, seq, data, deadline - time.monotonic())
                    return
                except TimeoutError:
                    # part of a frame may be out: the connection cannot carry another
                    self._drop_stream(peer)
                    raise OperationalError(f"party '{peer.name}' at {peer.address} did not "
                                           f"take a message within {timeout:g} s") from None
                except OSError as exc:
                    self._drop_stream(peer)
                    if again or time.monotonic() >= deadline:
                        raise OperationalError(
                            f"party '{peer.name}' at {peer.address} cannot be reached "
                            f"within {timeout:g} s: {exc}") from None

    def _drop_stream(self, peer: _Peer) -> None:
        if peer.stream is not None:
            peer.stream.close()
            peer.stream = None
        peer.data_port = None  # a restarted peer listens on another one

    def _connect_stream(self, peer: _Peer, deadline: float, timeout: float
                        ) -> stream.StreamClient:
        host = _split_address(peer.address)[0]
        delay, last = 0.02, None
        while True:
            if peer.data_port is None:
                answer = self.call(peer.index, _DATA_PORT_ACTION, b"",
                                   timeout=max(deadline - time.monotonic(), 0.01))
                try:
                    port = int(answer[0])
                except (IndexError, ValueError):
                    port = -1
                if not 0 < port < 65536:
                    raise OperationalError(f"party '{peer.name}' at {peer.address} gave no "
                                           f"data port")
                peer.data_port = port
            client = stream.StreamClient(self.me_name, peer.name, self.party_names,
                                         self.tls, self._client_ctx)
            try:
                client.connect(host, peer.data_port, deadline - time.monotonic(),
                               f"{peer.address} (data port {peer.data_port})")
                return client
            except OSError as exc:
                last = exc
                peer.data_port = None
            if time.monotonic() + delay >= deadline:
                raise OperationalError(f"party '{peer.name}' at {peer.address} cannot be "
                                       f"reached within {timeout:g} s: {last}")
            time.sleep(delay)
            delay = min(2 * delay, 0.5)

    def deliver_by_flight(self, to: int, session: str, seq: int, payload: Payload,
                          timeout: float) -> None:
        """The former data plane: one ``do_put`` per message (kept for comparison and for
        peers' programs that still use it)."""
        schema, batches = wire.encode(payload, self.chunk_bytes)
        descriptor = fl.FlightDescriptor.for_path(_PATH_TAG, session, self.me_name, str(seq))

        def put(client, options) -> None:
            writer, _ = client.do_put(descriptor, schema, options=options)
            for batch in batches:
                writer.write_batch(batch)
            writer.close()

        self._retrying(self._peers[to], timeout, put, "take a message",
                       f"a message of query {session!r}")

    def call(self, to: int | str, action: str, body: bytes, timeout: float | None = None
             ) -> list[bytes]:
        """Run a short action on peer ``to`` and return its result bodies; retry until
        ``timeout`` while the peer cannot be reached (it may still be starting)."""
        peer = self._peers[to if isinstance(to, int) else self.party_names.index(to)]

        def act(client, options) -> list[bytes]:
            return [r.body.to_pybytes()
                    for r in client.do_action(fl.Action(action, body), options=options)]

        return self._retrying(peer, self.timeout if timeout is None else timeout, act,
                              f"answer action {action!r}", f"action {action!r}")

    def _retrying(self, peer, timeout: float, attempt, doing: str, what: str):
        """``attempt(client, options)`` against ``peer``, retried while it cannot be
        reached, until ``timeout``; every failure an ``OperationalError`` naming it.
        A certificate problem is final; a forgotten token is renewed once."""
        deadline = time.monotonic() + timeout
        delay, renewed, last = 0.02, False, None
        while True:
            client = None
            try:
                client = self._client(peer, deadline - time.monotonic())
                options = fl.FlightCallOptions(timeout=max(deadline - time.monotonic(), 0.01))
                return attempt(client, options)
            except (fl.FlightUnavailableError, fl.FlightCancelledError) as exc:
                self._drop_client(peer, client)
                if "handshake failed" in str(exc).lower():  # a certificate problem: final
                    raise OperationalError(f"TLS with party '{peer.name}' at {peer.address} "
                                           f"failed: {_short(exc)}") from None
                last = exc
            except fl.FlightUnauthenticatedError as exc:
                # the peer restarted and forgot our token: authenticate again, once
                self._drop_client(peer, client)
                if renewed:
                    raise OperationalError(f"party '{peer.name}' refused this party: "
                                           f"{_short(exc)}") from None
                renewed = True
                continue
            except fl.FlightTimedOutError:
                self._drop_client(peer, client)
                raise OperationalError(f"party '{peer.name}' at {peer.address} did not "
                                       f"{doing} within {timeout:g} s") from None
            except fl.FlightError as exc:
                raise OperationalError(f"party '{peer.name}' rejected {what}: "
                                       f"{_short(exc)}") from None
            if time.monotonic() + delay >= deadline:
                hint = (" (it closed the connection: it may have refused this party's "
                        "certificate)" if "socket closed" in str(last).lower() else "")
                raise OperationalError(f"party '{peer.name}' at {peer.address} cannot be "
                                       f"reached within {timeout:g} s{hint}: {_short(last)}")
            time.sleep(delay)
            delay = min(2 * delay, 0.5)

    def announce_leave(self, session: str) -> None:
        """Tell every peer (best effort, briefly) that this party left ``session``."""
        body = json.dumps({"session": session, "party": self.me_name}).encode()
        for peer in self._peers:
            if peer.index == self.me:
                continue
            try:
                client = self._client(peer, min(self.timeout, 2.0))
                list(client.do_action(fl.Action(_LEAVE_ACTION, body),
                                      options=fl.FlightCallOptions(timeout=2.0)))
            except (fl.FlightError, OperationalError) as exc:
                log.info("could not tell party %r that query %r ended: %s", peer.name,
                         session, exc)


def _short(exc: BaseException) -> str:
    """The first line of a Flight error, without gRPC's detail dump."""
    text = str(exc).split("\n")[0]
    return text.split(". gRPC client debug context")[0].split(". Detail:")[0]


class FlightCommunicator(Communicator):
    """One party's channels for one query (session) over a :class:`FlightNetwork`."""

    def __init__(self, network: FlightNetwork, session: str):
        super().__init__(network.me, network.party_names, network.timeout)
        self.network = network
        self.session = session
        self._send_seq = [0] * self.n_parties
        self._closed = False

    def _send(self, to: int, payload: Payload) -> None:
        self._check_open()
        seq = self._send_seq[to]
        self._send_seq[to] += 1
        self.network.deliver(to, self.session, seq, payload, self.timeout)

    def _recv(self, frm: int, timeout: float) -> Payload:
        self._check_open()
        name = self.name_of(frm)
        try:
            return self.network.mailboxes.take(self.session, frm, timeout)
        except TimeoutError:
            raise peer_silent(name, timeout) from None
        except ConnectionResetError:
            raise OperationalError(f"party '{name}' went away during the query (its "
                                   "connection ended)") from None
        except ConnectionAbortedError:
            raise OperationalError(f"party '{name}' left the query") from None
        except SessionClosedError:
            raise OperationalError(f"query {self.session!r} was closed on party "
                                   f"'{self.network.me_name}'") from None

    def peer_alive(self, frm: int) -> bool:
        """The peer's server answers (it is up; a party that failed leaves the query,
        which the receive reports)."""
        try:
            self.network.call(frm, _ALIVE_ACTION, b"", timeout=min(self.timeout, 5.0))
        except OperationalError:
            return False
        return not self._closed

    def _check_open(self) -> None:
        if self._closed:
            raise OperationalError(f"query {self.session!r} is closed")

    def close(self) -> None:
        """End the query on this party: its pending and late messages are dropped."""
        if not self._closed:
            self._closed = True
            self.network.close_session(self.session)

    def abort(self) -> None:
        """Close, and make the peers' receives from this party fail now, not at timeout."""
        if not self._closed:
            self.network.announce_leave(self.session)
            self.close()
