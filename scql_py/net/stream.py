"""The data plane: one long-lived socket per (this party -> peer), shared by all sessions.

A Flight ``do_put`` per protocol message costs ~2 ms a round (gRPC and thread hand-offs);
a plain socket costs a few microseconds. So each party also listens on a *data port*
(asked once per peer through a Flight action, :mod:`scql_py.net.flight`), and every
message to a peer is one frame on this party's connection to it:

* a fixed header ``<4s B x H Q``: magic ``SQLS``, version, JSON header length, payload
  length;
* a JSON header ``{"session": ..., "seq": ...}``;
* the payload: an Arrow IPC stream of :func:`scql_py.net.wire.encode`'s schema and
  batches, decoded by :func:`scql_py.net.wire.decode`, which trusts nothing.

The stream is one-way: the receiver files a frame into its :class:`Mailboxes` or drops
it (closed session: logged), and a malformed frame closes that connection only.

Security: TLS 1.3 with client certificates from the catalog CA. The connecting party is
the common name of its certificate (:func:`~scql_py.net.certs.party_of_certificate`: CA,
validity, a catalog party, not this party); its first frame (a hello) must name the same
party and this party as the target. The client checks that the server's certificate
names the peer it meant (host names are not checked: every party certificate carries
the same ones, see :mod:`scql_py.net.flight_auth`). The server answers the hello with one
byte once it accepted the peer, so a refused certificate fails the connect, not a later
message. Without TLS (``insecure``) the hello alone names the sender.
"""

from __future__ import annotations

import json
import logging
import os
import select
import shutil
import socket
import ssl
import struct
import tempfile
import threading
import time
from collections.abc import Callable, Sequence

import pyarrow as pa

from scql_py.errors import OperationalError
from scql_py.net import wire
from scql_py.net.certs import TLSConfig, party_of_certificate
from scql_py.net.channel import Payload

log = logging.getLogger(__name__)

_MAGIC = b"SQLS"
_VERSION = 1
_HEAD = struct.Struct("<4sBxHQ")
_MAX_HEADER = 4096
MAX_PAYLOAD = 1 << 34  # refused before allocating: bounds what a peer makes us reserve
_ACCEPTED = b"\x01"
_MAX_CONNECTIONS = 256  # reader threads; a flood of connections is refused beyond it
_POLL = 0.2  # seconds between the accept loop's looks at stop()


class FrameError(ValueError):
    """A peer sent something that is not a frame of this protocol."""


def _ssl_context(tls: TLSConfig, server: bool) -> ssl.SSLContext:
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER if server else ssl.PROTOCOL_TLS_CLIENT)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_3
    ctx.check_hostname = False  # the certificate's common name is checked instead
    ctx.verify_mode = ssl.CERT_REQUIRED
    if server:
        ctx.num_tickets = 0  # no resumption; and nothing for the client to read later
    ctx.load_verify_locations(cadata=tls.ca_cert.decode())
    # load_cert_chain only reads files: write the PEM bytes to a private (0700 dir, 0600
    # files) temporary directory, load them and delete them at once
    tmp = tempfile.mkdtemp(prefix="scql-tls-")
    try:
        paths = []
        for name, data in (("cert.pem", tls.cert), ("key.pem", tls.key)):
            path = os.path.join(tmp, name)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as f:
                f.write(data)
            paths.append(path)
        ctx.load_cert_chain(paths[0], paths[1])
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return ctx


def _peer_party(sock: ssl.SSLSocket, tls: TLSConfig, party_names: Sequence[str]) -> str:
    der = sock.getpeercert(binary_form=True)
    if not der:
        raise ValueError("no certificate")
    return party_of_certificate(ssl.DER_cert_to_PEM_cert(der).encode(), tls.ca_cert,
                                party_names)


def _read_exact(sock: socket.socket, n: int) -> bytearray:
    buf = bytearray(n)
    view = memoryview(buf)
    got = 0
    while got < n:
        k = sock.recv_into(view[got:], min(n - got, 1 << 24))
        if k == 0:
            raise EOFError
        got += k
    return buf


def _frame(header: dict, payload: bytes | pa.Buffer = b"") -> list:
    head = json.dumps(header).encode()
    return [_HEAD.pack(_MAGIC, _VERSION, len(head), len(payload)) + head, payload]


def read_frame(sock: socket.socket) -> tuple[dict, bytearray]:
    """(JSON header, payload bytes) of the next frame; ``EOFError`` at a clean end."""
    try:
        raw = _read_exact(sock, _HEAD.size)
    except EOFError:
        raise
    magic, version, head_len, payload_len = _HEAD.unpack(raw)
    if magic != _MAGIC or version != _VERSION:
        raise FrameError("not a frame of this protocol")
    if head_len > _MAX_HEADER or payload_len > MAX_PAYLOAD:
        raise FrameError(f"frame too large ({head_len} + {payload_len} bytes)")
    try:
        header = json.loads(_read_exact(sock, head_len))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise FrameError("malformed frame header") from None
    if not isinstance(header, dict):
        raise FrameError("malformed frame header")
    return header, _read_exact(sock, payload_len)


def encode_payload(payload: Payload, chunk_bytes: int) -> pa.Buffer:
    schema, batches = wire.encode(payload, chunk_bytes)
    sink = pa.BufferOutputStream()
    with pa.ipc.new_stream(sink, schema) as writer:
        for batch in batches:
            writer.write_batch(batch)
    return sink.getvalue()


def decode_payload(data: bytearray) -> Payload:
    """The payload of a frame; ``wire.WireFormatError`` if it is not a valid one."""
    try:
        reader = pa.ipc.open_stream(pa.py_buffer(data))
        batches = list(reader)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise wire.WireFormatError(f"not an Arrow IPC stream: {exc}") from None
    return wire.decode(reader.schema, batches)


# -- receiving ------------------------------------------------------------------------------

# (sender index, session, seq, payload) -> None; raises to drop the frame (logged)
Deliver = Callable[[int, str, int, Payload], None]
CheckSession = Callable[[str], str]
Gone = Callable[[int], None]  # a sender's connection ended: it stopped or restarted


class StreamServer:
    """Accepts peers' data connections; one reader thread each."""

    def __init__(self, me: str, party_names: Sequence[str], tls: TLSConfig | None,
                 host: str, deliver: Deliver, check_session: CheckSession,
                 handshake_timeout: float, gone: Gone | None = None):
        self.me, self.party_names, self.tls = me, list(party_names), tls
        self._deliver, self._check_session = deliver, check_session
        self._handshake_timeout = handshake_timeout
        self._gone = gone
        self._ctx = _ssl_context(tls, server=True) if tls is not None else None
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self._sock = socket.socket(family, socket.SOCK_STREAM)
        self._sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._sock.bind((host, 0))
        self._sock.listen(64)
        self._sock.settimeout(_POLL)
        self.port: int = self._sock.getsockname()[1]
        self._stopped = threading.Event()
        self._lock = threading.Lock()
        self._conns: set[socket.socket] = set()
        self._threads: set[threading.Thread] = set()
        self._acceptor = threading.Thread(target=self._accept_loop, daemon=True,
                                          name=f"scql-data-accept-{me}")
        self._acceptor.start()

    def _accept_loop(self) -> None:
        while not self._stopped.is_set():
            try:
                conn, _ = self._sock.accept()
            except TimeoutError:
                continue
            except OSError:
                if self._stopped.is_set():
                    return
                time.sleep(_POLL)
                continue
            with self._lock:
                if self._stopped.is_set() or len(self._threads) >= _MAX_CONNECTIONS:
                    conn.close()
                    continue
                t = threading.Thread(target=self._serve, args=(conn,), daemon=True,
                                     name=f"scql-data-read-{self.me}")
                self._conns.add(conn)
                self._threads.add(t)
            t.start()

    def _serve(self, conn: socket.socket) -> None:
        sock = conn
        who, sender = "a peer", None
        try:
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            conn.settimeout(self._handshake_timeout)
            if self._ctx is not None:
                sock = self._ctx.wrap_socket(conn, server_side=True)
                with self._lock:
                    self._conns.add(sock)
            sender = self._hello(sock)
            who = f"party {self.party_names[sender]!r}"
            sock.sendall(_ACCEPTED)
            sock.settimeout(None)  # long-lived: idle between queries
            while not self._stopped.is_set():
                try:
                    header, data = read_frame(sock)
                except EOFError:
                    return
                self._file(sender, header, data)
        except (FrameError, wire.WireFormatError, ValueError) as exc:
            if not self._stopped.is_set():
                log.warning("closed the data connection of %s: %s", who, exc)
        except (OSError, EOFError) as exc:
            if not self._stopped.is_set():
                log.info("data connection of %s ended: %s", who, exc)
        finally:
            if sender is not None and self._gone is not None and not self._stopped.is_set():
                self._gone(sender)
            for s in {sock, conn}:
                try:
                    s.close()
                except OSError:
                    pass
            with self._lock:
                self._conns.discard(sock)
                self._conns.discard(conn)
                self._threads.discard(threading.current_thread())

    def _hello(self, sock: socket.socket) -> int:
        """The index of the party on the other end, or ``ValueError``."""
        header, data = read_frame(sock)
        claimed, target = header.get("party"), header.get("to")
        if data or not isinstance(claimed, str) or target != self.me:
            raise FrameError("malformed hello")
        if self.tls is not None:
            name = _peer_party(sock, self.tls, self.party_names)
            if name != claimed:
                raise ValueError(f"certificate names {name!r}, hello claims {claimed!r}")
        if claimed not in self.party_names or claimed == self.me:
            raise ValueError(f"{claimed!r} is not a peer of this party")
        return self.party_names.index(claimed)

    def _file(self, sender: int, header: dict, data: bytearray) -> None:
        session, seq = header.get("session"), header.get("seq")
        if set(header) != {"session", "seq"} or not isinstance(seq, int) \
                or isinstance(seq, bool) or seq < 0:
            raise FrameError("malformed frame header")
        self._check_session(session)  # ValueError closes the connection
        self._deliver(sender, session, seq, decode_payload(data))

    def stop(self) -> None:
        self._stopped.set()
        self._sock.close()
        with self._lock:
            conns = list(self._conns)
            threads = list(self._threads)
        for s in conns:
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            try:
                s.close()
            except OSError:
                pass
        self._acceptor.join(5)
        for t in threads:
            t.join(5)


# -- sending --------------------------------------------------------------------------------

class StreamClient:
    """This party's connection to one peer's data port; one message at a time."""

    def __init__(self, me: str, peer: str, party_names: Sequence[str],
                 tls: TLSConfig | None, ctx: ssl.SSLContext | None):
        self.me, self.peer, self.party_names, self.tls = me, peer, list(party_names), tls
        self._ctx = ctx
        self.sock: socket.socket | None = None
        self.lock = threading.Lock()

    def connect(self, host: str, port: int, timeout: float, address: str) -> None:
        """Connect, authenticate both ways; ``OSError`` while the peer cannot be reached,
        ``OperationalError`` when a certificate is refused."""
        raw = socket.create_connection((host, port), timeout=max(timeout, 0.01))
        sock: socket.socket = raw
        try:
            raw.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._ctx is not None:
                try:
                    sock = self._ctx.wrap_socket(raw)
                except ssl.SSLError as exc:
                    raise OperationalError(f"TLS with party '{self.peer}' at {address} "
                                           f"failed: {exc.reason or exc}") from None
                try:
                    name = _peer_party(sock, self.tls, self.party_names)
                except ValueError as exc:
                    raise OperationalError(f"TLS with party '{self.peer}' at {address} "
                                           f"failed: server certificate refused: {exc}"
                                           ) from None
                if name != self.peer:
                    raise OperationalError(f"the server at {address} is party '{name}', "
                                           f"not '{self.peer}'")
            for part in _frame({"party": self.me, "to": self.peer}):
                sock.sendall(part)
            try:
                ok = _read_exact(sock, 1)
            except (EOFError, ssl.SSLError, ConnectionResetError) as exc:
                raise OperationalError(f"party '{self.peer}' at {address} refused this "
                                       f"party's certificate or name: {exc}") from None
            if bytes(ok) != _ACCEPTED:
                raise OperationalError(f"party '{self.peer}' at {address} answered "
                                       f"something else than this protocol")
        except BaseException:
            sock.close()
            raise
        self.sock = sock

    def closed_by_peer(self) -> bool:
        """The server never writes after its accepting byte, so anything readable is its
        end of the connection (a peer that stopped or restarted): a send would vanish."""
        assert self.sock is not None
        if not select.select([self.sock], [], [], 0)[0]:
            return False
        self.sock.setblocking(False)
        try:
            self.sock.recv(1)
        except (ssl.SSLWantReadError, BlockingIOError):
            return False
        except OSError:
            return True
        finally:
            if self.sock.fileno() >= 0:
                self.sock.setblocking(True)
        return True

    def send(self, session: str, seq: int, data: pa.Buffer, timeout: float) -> None:
        assert self.sock is not None
        if self.closed_by_peer():
            raise ConnectionResetError("the peer closed the connection")
        self.sock.settimeout(max(timeout, 0.01))
        head, body = _frame({"session": session, "seq": seq}, data)
        if len(body) <= 1 << 16:
            self.sock.sendall(head + body.to_pybytes())
        else:
            self.sock.sendall(head)
            self.sock.sendall(memoryview(body))

    def close(self) -> None:
        if self.sock is not None:
            try:
                self.sock.close()
            except OSError:
                pass
            self.sock = None


def client_context(tls: TLSConfig | None) -> ssl.SSLContext | None:
    return _ssl_context(tls, server=False) if tls is not None else None
