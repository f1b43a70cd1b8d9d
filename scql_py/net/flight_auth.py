"""Mutual party authentication on top of mutual TLS, as a Flight handshake.

TLS with ``verify_client`` already refuses any peer without a certificate from the
catalog's CA, but pyarrow does not tell the server *which* certificate the peer used,
and every party certificate carries the same host names, so neither side learns from
TLS alone which party is on the other end. This handshake binds the connection to
party names:

1. client -> server: its name, the server name it means to reach, its certificate and
   a fresh nonce ``nc``;
2. server: checks the certificate (signed by the CA, valid, common name = claimed name,
   a catalog party, not itself) and that it is the party meant; answers with its own
   certificate, a nonce ``ns`` and its signature over the transcript;
3. client: checks the server certificate names the party it meant to reach and the
   signature, then signs the transcript itself;
4. server: checks that signature and returns a random bearer token, which the client
   sends on every later call (only ever inside this TLS connection's server).

Both signatures cover both names and both nonces, so a party cannot replay or relay
another's handshake to pose as it. Every later call's identity is
``ServerCallContext.peer_identity()``: the authenticated party name. A client may
authenticate as the server's own party (a program of that party, such as the asker's
DB-API connection to its own server); the server refuses peer messages from it.
"""

from __future__ import annotations

import json
import logging
import os
import threading
from collections import OrderedDict
from collections.abc import Sequence

import pyarrow.flight as fl
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec

from scql_py.net.certs import TLSConfig, party_of_certificate

log = logging.getLogger(__name__)

_PROTOCOL = "scql-flight-auth-v1"
_NONCE_BYTES = 32
_MAX_HELLO_BYTES = 64 << 10
_MAX_TOKENS = 1024


def _transcript(role: str, client: str, server: str, client_nonce: str, server_nonce: str
                ) -> bytes:
    return json.dumps([_PROTOCOL, role, client, server, client_nonce, server_nonce]).encode()


def _sign(tls: TLSConfig, data: bytes) -> str:
    return tls.private_key().sign(data, ec.ECDSA(hashes.SHA256())).hex()


def _verify(cert_pem: bytes, signature_hex: object, data: bytes) -> bool:
    if not isinstance(signature_hex, str):
        return False
    key = x509.load_pem_x509_certificate(cert_pem).public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), data, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _read_json(incoming, who: str) -> dict:
    raw = incoming.read()
    if raw is None or len(raw) > _MAX_HELLO_BYTES:
        raise fl.FlightUnauthenticatedError(f"bad handshake message from {who}")
    try:
        msg = json.loads(raw)
    except (UnicodeDecodeError, ValueError, RecursionError):
        msg = None
    if not isinstance(msg, dict):
        raise fl.FlightUnauthenticatedError(f"bad handshake message from {who}")
    return msg


class PartyServerAuth(fl.ServerAuthHandler):
    """The server side: maps each authenticated connection's token to a party name."""

    def __init__(self, me: str, party_names: Sequence[str], tls: TLSConfig):
        super().__init__()
        self.me = me
        self.party_names = list(party_names)
        self.tls = tls
        self._tokens: OrderedDict[bytes, str] = OrderedDict()
        self._lock = threading.Lock()

    def authenticate(self, outgoing, incoming) -> None:
        hello = _read_json(incoming, "a client")
        claimed, target = hello.get("party"), hello.get("to")
        nc, cert = hello.get("nonce"), hello.get("cert")
        if not (isinstance(claimed, str) and isinstance(nc, str) and isinstance(cert, str)):
            raise fl.FlightUnauthenticatedError("malformed handshake")
        if target != self.me:
            raise fl.FlightUnauthenticatedError(f"this is party '{self.me}', not {target!r}")
        try:
            name = party_of_certificate(cert.encode(), self.tls.ca_cert, self.party_names)
        except ValueError as exc:
            log.warning("refused a peer claiming to be %r: %s", claimed, exc)
            raise fl.FlightUnauthenticatedError(f"certificate refused: {exc}") from None
        # a connection as this party itself is one of its own programs (e.g. the asker's
        # client); the server decides what such a caller may do (it sends no messages)
        if name != claimed:
            raise fl.FlightUnauthenticatedError("certificate does not name the claimed party")
        ns = os.urandom(_NONCE_BYTES).hex()
        outgoing.write(json.dumps({
            "cert": self.tls.cert.decode(), "nonce": ns,
            "sig": _sign(self.tls, _transcript("server", name, self.me, nc, ns)),
        }).encode())
        answer = _read_json(incoming, f"party '{name}'")
        if not _verify(cert.encode(), answer.get("sig"), _transcript("client", name, self.me,
                                                                    nc, ns)):
            log.warning("refused party %r: bad handshake signature", name)
            raise fl.FlightUnauthenticatedError("handshake signature does not verify")
        token = os.urandom(_NONCE_BYTES)
        with self._lock:
            self._tokens[token] = name
            while len(self._tokens) > _MAX_TOKENS:
                self._tokens.popitem(last=False)
        outgoing.write(token)

    def is_valid(self, token: bytes) -> str:
        with self._lock:
            name = self._tokens.get(bytes(token or b""))
        if name is None:
            raise fl.FlightUnauthenticatedError("not authenticated")
        return name


class PartyClientAuth(fl.ClientAuthHandler):
    """The client side, for one connection from ``tls.party`` to ``server``."""

    def __init__(self, me: str, server: str, party_names: Sequence[str], tls: TLSConfig):
        super().__init__()
        self.me, self.server = me, server
        self.party_names = list(party_names)
        self.tls = tls
        self._token = b""

    def authenticate(self, outgoing, incoming) -> None:
        nc = os.urandom(_NONCE_BYTES).hex()
        outgoing.write(json.dumps({"party": self.me, "to": self.server, "nonce": nc,
                                   "cert": self.tls.cert.decode()}).encode())
        reply = _read_json(incoming, f"party '{self.server}'")
        cert, ns = reply.get("cert"), reply.get("nonce")
        if not (isinstance(cert, str) and isinstance(ns, str)):
            raise fl.FlightUnauthenticatedError("malformed handshake reply")
        try:
            name = party_of_certificate(cert.encode(), self.tls.ca_cert, self.party_names)
        except ValueError as exc:
            raise fl.FlightUnauthenticatedError(f"server certificate refused: {exc}") from None
        if name != self.server:
            raise fl.FlightUnauthenticatedError(
                f"the server at this address is party '{name}', not '{self.server}'")
        if not _verify(cert.encode(), reply.get("sig"),
                       _transcript("server", self.me, self.server, nc, ns)):
            raise fl.FlightUnauthenticatedError("server handshake signature does not verify")
        outgoing.write(json.dumps({
            "sig": _sign(self.tls, _transcript("client", self.me, self.server, nc, ns)),
        }).encode())
        self._token = incoming.read()

    def get_token(self) -> bytes:
        return self._token
