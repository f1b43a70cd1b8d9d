"""Flight communicators between parties in this process (each with its own server and
clients, over loopback TLS): payloads, sessions, authentication, failures, robustness."""

from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.flight as fl
import pytest

from scql_py.errors import OperationalError
from scql_py.mpc import rss
from scql_py.mpc.runtime import Runtime
from scql_py.net.certs import TLSConfig, make_dev_certs
from scql_py.net.channel import payload_size
from scql_py.net.flight import FlightNetwork
from scql_py.net.flight_auth import PartyClientAuth
from scql_py.net.wire import encode

sys.path.insert(0, str(Path(__file__).parent))
from flight_party import send_garbage  # noqa: E402

NAMES = ["p0", "p1", "p2"]
TIMEOUT = 2.0


@pytest.fixture(scope="module")
def cert_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("certs")


@pytest.fixture(scope="module")
def certs(cert_dir) -> dict[str, TLSConfig]:
    return make_dev_certs(cert_dir, NAMES)


@contextmanager
def networks(tls: dict[str, TLSConfig] | None, names: list[str] = NAMES,
             timeout: float = TIMEOUT, **kwargs) -> Iterator[list[FlightNetwork]]:
    nets = [FlightNetwork(names, ["127.0.0.1:0"] * len(names), me,
                          tls=None if tls is None else tls[me], insecure=tls is None,
                          timeout=timeout, **kwargs) for me in names]
    try:
        addresses = [net.start() for net in nets]
        for net in nets:
            net.set_addresses(addresses)
        yield nets
    finally:
        for net in nets:
            net.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def run_threads(fns: list[Callable[[], object]]) -> list[object]:
    """Run each function in its own thread; return results or the exceptions raised."""
    out: list[object] = [None] * len(fns)

    def body(i: int) -> None:
        try:
            out[i] = fns[i]()
        except Exception as exc:  # returned to the test to inspect
            out[i] = exc

    threads = [threading.Thread(target=body, args=(i,)) for i in range(len(fns))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return out


def mul_program(comm, x: np.ndarray | None, y: np.ndarray | None, n: int):
    rt = Runtime(comm)
    xs = rss.share_input(rt, 0, x, n)
    ys = rss.share_input(rt, 1, y, n)
    return rss.reveal(rt, rss.mul(rt, xs, ys), to=2)


def run_mul(nets: list[FlightNetwork], session: str, x: np.ndarray, y: np.ndarray):
    comms = [net.communicator(session) for net in nets]
    n = len(x)
    res = run_threads([lambda: mul_program(comms[0], x, None, n),
                       lambda: mul_program(comms[1], None, y, n),
                       lambda: mul_program(comms[2], None, None, n)])
    for c in comms:
        c.close()
    return res, comms


# -- payloads ---------------------------------------------------------------------------------

PAYLOADS = [
    np.arange(5, dtype=np.uint64),
    np.array([[1, -2], [3, -4]], dtype=np.int64),
    np.array([True, False, True]),
    np.zeros((0, 4), np.float64),
    [np.arange(3, dtype=np.uint64), np.array([0.5, 1.5])],
    (np.arange(2, dtype=np.uint32),),
    b"\x00\x01raw key bytes",
    {"plan": ["scan", "join"], "rows": 12, "ok": True, "x": None},
    "a string",
    [],
]


def test_payloads_cross_and_both_ends_count_the_payload_bytes(certs):
    with networks(certs) as nets:
        a, b = nets[0].communicator("q"), nets[1].communicator("q")
        for p in PAYLOADS:
            a.send(1, p)
        got = [b.recv(0) for _ in PAYLOADS]
    for sent, received in zip(PAYLOADS, got, strict=True):
        if isinstance(sent, np.ndarray):
            assert received.dtype == sent.dtype and received.shape == sent.shape
            assert np.array_equal(received, sent)
        elif isinstance(sent, (list, tuple)) and sent:
            assert type(received) is type(sent)
            assert all(np.array_equal(r, s) and r.dtype == s.dtype
                       for r, s in zip(received, sent, strict=True))
        else:
            assert received == sent
    total = sum(payload_size(p) for p in PAYLOADS)
    assert a.stats.bytes_sent == b.stats.bytes_received == total
    assert a.stats.messages_sent == len(PAYLOADS)


def test_16m_element_payload_is_chunked_and_arrives_whole(certs):
    x = np.random.default_rng(7).integers(0, 2**64, 16 << 20, dtype=np.uint64, endpoint=False)
    with networks(certs, timeout=30) as nets:
        a, b = nets[0].communicator("big"), nets[1].communicator("big")
        a.send(1, x)
        got = b.recv(0)
        assert got.dtype == np.uint64 and np.array_equal(got, x)
        assert b.stats.bytes_received == a.stats.bytes_sent == x.nbytes


def test_three_party_mul_over_tls_matches_numpy(certs):
    rng = np.random.default_rng(3)
    n = 2000
    x = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    y = rng.integers(0, 2**64, n, dtype=np.uint64, endpoint=False)
    x[:4] = [0, 1, 2**64 - 1, 2**63]
    y[:4] = [2**64 - 1, 2**64 - 1, 2**64 - 1, 2]
    with networks(certs) as nets:
        res, comms = run_mul(nets, "mul", x, y)
    assert res[0] is None and res[1] is None
    assert np.array_equal(res[2], x * y)  # numpy wraps mod 2^64, as the ring does
    # three rounds of data + key set-up; every word sent once per receiving party
    assert sum(c.stats.bytes_sent for c in comms) == sum(c.stats.bytes_received for c in comms)


# -- sessions -----------------------------------------------------------------------------------

def test_sessions_are_separate_ordered_and_wait_for_their_receiver(certs):
    with networks(certs) as nets:
        a1 = nets[0].communicator("s1")
        a2 = nets[0].communicator("s2")
        for i in range(5):  # p1 has not opened either session yet: messages must wait
            a1.send(1, {"s": 1, "i": i})
            a2.send(1, {"s": 2, "i": i})
        b2 = nets[1].communicator("s2")
        b1 = nets[1].communicator("s1")
        assert [b2.recv(0) for _ in range(5)] == [{"s": 2, "i": i} for i in range(5)]
        assert [b1.recv(0) for _ in range(5)] == [{"s": 1, "i": i} for i in range(5)]
        with pytest.raises(ValueError):
            nets[1].communicator("s1")  # one communicator per session


def test_closed_session_refuses_late_messages_and_others_go_on(certs, caplog):
    # the data stream is one-way: the receiver drops a late message (and logs it), the
    # sender is not told
    with networks(certs) as nets:
        a_old, a_new = nets[0].communicator("old"), nets[0].communicator("new")
        b_old, b_new = nets[1].communicator("old"), nets[1].communicator("new")
        a_old.send(1, b"dropped with the session")
        b_old.close()
        with caplog.at_level("INFO", logger="scql_py.net.flight"):
            a_old.send(1, b"late")
            with pytest.raises(ValueError):
                nets[1].communicator("old")  # an id is not reused
            a_new.send(1, b"fine")  # same connection, so filed after the late one
            assert b_new.recv(0) == b"fine"
        assert "old" not in nets[1].mailboxes._inboxes  # it reached no mailbox
        assert any("query 'old'" in r.getMessage() and "closed" in r.getMessage()
                   for r in caplog.records)
        # the former do_put path still answers a closed query with an error
        with pytest.raises(OperationalError, match="closed query 'old'"):
            nets[0].deliver_by_flight(1, "old", 5, b"late", TIMEOUT)


def test_abort_makes_peers_fail_at_once_not_at_timeout(certs):
    with networks(certs, timeout=20) as nets:
        a, b = nets[0].communicator("q"), nets[1].communicator("q")
        a.send(1, b"first")
        a.abort()
        assert b.recv(0) == b"first"  # what was sent before leaving is still delivered
        start = time.monotonic()
        with pytest.raises(OperationalError, match="party 'p0' left the query"):
            b.recv(0)
        assert time.monotonic() - start < 2


def test_stop_releases_a_waiting_receiver(certs):
    with networks(certs, timeout=20) as nets:
        b = nets[1].communicator("q")
        threading.Timer(0.3, nets[1].stop).start()
        start = time.monotonic()
        with pytest.raises(OperationalError, match="closed"):
            b.recv(0)
        assert time.monotonic() - start < 5


# -- failures -----------------------------------------------------------------------------------

def test_dead_party_is_named_within_the_timeout(certs):
    dead = f"127.0.0.1:{free_port()}"
    nets = [FlightNetwork(NAMES, ["127.0.0.1:0"] * 3, me, tls=certs[me], timeout=TIMEOUT)
            for me in NAMES[:2]]
    try:
        addresses = [net.start() for net in nets] + [dead]
        for net in nets:
            net.set_addresses(addresses)
        comms = [net.communicator("q") for net in nets]
        start = time.monotonic()
        errors = run_threads([lambda c=c: Runtime(c) for c in comms])
        elapsed = time.monotonic() - start
    finally:
        for net in nets:
            net.stop()
    for err in errors:  # p0 cannot send its key to p2; p1 never hears from p2
        assert isinstance(err, OperationalError) and "'p2'" in str(err), err
    assert elapsed < TIMEOUT + 1.5


def test_silent_party_is_named_within_the_timeout(certs):
    with socket.socket() as silent:  # accepts connections, never says a word
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        address = f"127.0.0.1:{silent.getsockname()[1]}"
        with networks(certs) as nets:
            nets[0].stop()
            net = FlightNetwork(NAMES, [nets[0].address, nets[1].address, address], "p0",
                                tls=certs["p0"], timeout=1.0)
            comm = net.communicator("q")
            start = time.monotonic()
            with pytest.raises(OperationalError, match="'p2'"):
                comm.send(2, np.arange(10, dtype=np.uint64))
            assert time.monotonic() - start < 1.0 + 1.0
            with pytest.raises(OperationalError, match="'p2' did not answer within 1 s"):
                comm.recv(2)
            assert time.monotonic() - start < 2 * 1.0 + 1.5


# -- authentication -----------------------------------------------------------------------------

def test_certificate_from_another_ca_is_refused(certs, tmp_path):
    forged = make_dev_certs(tmp_path / "forged", NAMES)  # same names, another CA
    with networks(certs) as nets:
        addresses = [nets[0].address, "127.0.0.1:0", nets[2].address]
        # the impostor trusts the real CA, but its own certificate is from the other one
        impostor = TLSConfig(certs["p1"].ca_cert, forged["p1"].cert, forged["p1"].key)
        evil = FlightNetwork(NAMES, addresses, "p1", tls=impostor, timeout=TIMEOUT)
        p0 = nets[0].communicator("q")
        with pytest.raises(OperationalError, match="'p0'.*refused this party's certificate"):
            evil.communicator("q").send(0, b"let me in")
        p0.timeout = 0.3
        with pytest.raises(OperationalError, match="did not answer"):
            p0.recv(1)  # nothing was delivered
        assert p0.stats.bytes_received == 0
        # and the other way round: p0 does not talk to a server with a forged certificate
        addresses[1] = evil.start()
        try:
            honest = FlightNetwork(NAMES, addresses, "p0", tls=certs["p0"], timeout=TIMEOUT)
            with pytest.raises(OperationalError, match="TLS with party 'p1'.*certificate"):
                honest.communicator("r").send(1, b"secret share")
        finally:
            evil.stop()


def test_certificate_of_a_non_party_is_refused(certs, cert_dir):
    # signed by the catalog's own CA (make_dev_certs reuses it), but not a catalog party
    mallory = make_dev_certs(cert_dir, ["mallory"])["mallory"]
    with networks(certs) as nets:
        net = FlightNetwork(["p0", "mallory", "p2"], [n.address for n in nets], "mallory",
                            tls=mallory, timeout=TIMEOUT)
        with pytest.raises(OperationalError, match="not a party of the catalog"):
            net.communicator("q").send(0, b"hi")


def _authenticated_client(address: str, tls: TLSConfig, claim: str, server: str):
    client = fl.FlightClient(f"grpc+tls://{address}", tls_root_certs=tls.ca_cert,
                             cert_chain=tls.cert, private_key=tls.key)
    client.authenticate(PartyClientAuth(claim, server, NAMES, tls),
                        options=fl.FlightCallOptions(timeout=TIMEOUT))
    return client


def _put(client, path: list[str], schema, batches) -> None:
    writer, _ = client.do_put(fl.FlightDescriptor.for_path(*path), schema,
                              options=fl.FlightCallOptions(timeout=TIMEOUT))
    for b in batches:
        writer.write_batch(b)
    writer.close()


def test_a_party_cannot_pose_as_another(certs):
    with networks(certs) as nets:
        p0 = nets[0].communicator("q")
        with pytest.raises(fl.FlightUnauthenticatedError, match="claimed party"):
            _authenticated_client(nets[0].address, certs["p1"], "p2", "p0")  # p1's cert
        client = _authenticated_client(nets[0].address, certs["p1"], "p1", "p0")
        schema, batches = encode(b"from p2, honestly")
        with pytest.raises(fl.FlightUnauthorizedError):
            _put(client, ["scql", "q", "p2", "0"], schema, batches)
        client.close()
        p0.timeout = 0.3
        with pytest.raises(OperationalError, match="did not answer"):
            p0.recv(2)


def test_client_without_certificate_is_refused(certs):
    with networks(certs) as nets:
        client = fl.FlightClient(f"grpc+tls://{nets[0].address}",
                                 tls_root_certs=certs["p1"].ca_cert)
        with pytest.raises(fl.FlightError):
            client.authenticate(PartyClientAuth("p1", "p0", NAMES, certs["p1"]),
                                options=fl.FlightCallOptions(timeout=TIMEOUT))
        client.close()


def test_tls_is_required_unless_insecure_is_explicit(certs):
    with pytest.raises(ValueError, match="insecure=True"):
        FlightNetwork(NAMES, ["127.0.0.1:0"] * 3, "p0")
    with pytest.raises(ValueError, match="certificate is for 'p1'"):
        FlightNetwork(NAMES, ["127.0.0.1:0"] * 3, "p0", tls=certs["p1"])
    with networks(None) as nets:  # plain TCP, when asked for
        a, b = nets[0].communicator("q"), nets[1].communicator("q")
        a.send(1, np.arange(4, dtype=np.uint64))
        assert b.recv(0).tolist() == [0, 1, 2, 3]


# -- robustness -----------------------------------------------------------------------------------

def test_garbage_on_the_port_leaves_the_server_working(certs):
    rng = np.random.default_rng(5)
    x = rng.integers(0, 2**64, 100, dtype=np.uint64, endpoint=False)
    y = rng.integers(0, 2**64, 100, dtype=np.uint64, endpoint=False)
    with networks(certs) as nets:
        hanging = [send_garbage(net.address) for net in nets]
        res, _ = run_mul(nets, "after-garbage", x, y)
        for s in hanging:
            s.close()
        assert np.array_equal(res[2], x * y)


def test_malformed_messages_from_an_authenticated_peer_are_refused(certs):
    with networks(certs) as nets:
        p0 = nets[0].communicator("q")
        client = _authenticated_client(nets[0].address, certs["p1"], "p1", "p0")
        schema, batches = encode(np.arange(4, dtype=np.uint64))
        forged = schema.with_metadata({b"scql": json.dumps(
            {"v": 1, "kind": "array", "parts": [{"dtype": "|O", "shape": [4]}]})})
        wrong_type = pa.schema([pa.field("a0", pa.large_list(pa.int32()))],
                               metadata=schema.metadata)
        wrong_batch = pa.record_batch([pa.array([[1, 2, 3, 4]], pa.large_list(pa.int32()))],
                                      schema=wrong_type)
        for path, sch, bs in [
            (["scql", "q", "p1", "0"], forged, batches),
            (["scql", "q", "p1", "0"], wrong_type, [wrong_batch]),
            (["scql", "q", "p1", "0"], pa.schema([("x", pa.int64())]), []),
            (["scql", "q/../x", "p1", "0"], schema, batches),
            (["scql", "q", "p1", "-1"], schema, batches),
            (["scql", "q", "p1", str(10**30)], schema, batches),
            (["scql", "q", "p1"], schema, batches),
            (["other"], schema, batches),
        ]:
            with pytest.raises(fl.FlightError):
                _put(client, path, sch, bs)
        with pytest.raises(fl.FlightError):
            list(client.do_action(fl.Action("leave", b"\xff not json")))
        with pytest.raises(fl.FlightError):
            list(client.do_action(fl.Action("shutdown", b"{}")))
        client.close()
        # the real p1 still gets through, and p0 sees exactly its message, first
        nets[1].communicator("q").send(0, b"real message")
        assert p0.recv(1) == b"real message"


# -- the data port ----------------------------------------------------------------------------

def _data_socket(net: FlightNetwork, tls: TLSConfig | None):
    """A raw connection to ``net``'s data port, TLS with ``tls``'s certificate."""
    from scql_py.net import stream
    raw = socket.create_connection(("127.0.0.1", net.data_port), timeout=TIMEOUT)
    return raw if tls is None else stream.client_context(tls).wrap_socket(raw)


def _raw_frame(header: dict, payload: bytes = b"") -> bytes:
    from scql_py.net import stream
    head, body = stream._frame(header, payload)
    return head + bytes(body)


def test_data_port_takes_the_sender_from_its_certificate(certs):
    from scql_py.net.stream import encode_payload
    with networks(certs) as nets:
        p0 = nets[0].communicator("q")
        s = _data_socket(nets[0], certs["p1"])  # p1's certificate, claiming to be p2
        s.sendall(_raw_frame({"party": "p2", "to": "p0"}))
        s.sendall(_raw_frame({"session": "q", "seq": 0},
                             encode_payload(b"from p2, honestly", 1 << 20).to_pybytes()))
        assert s.recv(1) == b""  # refused: closed without the accepting byte
        s.close()
        p0.timeout = 0.3
        with pytest.raises(OperationalError, match="did not answer"):
            p0.recv(2)
        nets[2].communicator("q").send(0, b"the real p2")
        assert p0.recv(2) == b"the real p2"


def test_data_port_refuses_a_certificate_from_another_ca(certs, tmp_path):
    forged = make_dev_certs(tmp_path / "forged", NAMES)
    impostor = TLSConfig(certs["p1"].ca_cert, forged["p1"].cert, forged["p1"].key)
    with networks(certs) as nets:
        p0 = nets[0].communicator("q")
        with pytest.raises(OSError):  # TLS 1.3: the refusal arrives on the first read
            s = _data_socket(nets[0], impostor)
            s.sendall(_raw_frame({"party": "p1", "to": "p0"}))
            assert s.recv(1) == b""
            raise ConnectionResetError("closed")
        p0.timeout = 0.3
        with pytest.raises(OperationalError, match="did not answer"):
            p0.recv(1)
        nets[1].communicator("q").send(0, b"still works")
        assert p0.recv(1) == b"still works"


@pytest.mark.parametrize("frame", [
    b"GET / HTTP/1.0\r\n\r\n",
    b"SQLS\x01\x00" + (10).to_bytes(2, "little") + (1 << 40).to_bytes(8, "little"),
    b"SQLS\x01\x00" + (60000).to_bytes(2, "little") + (0).to_bytes(8, "little"),
    _raw_frame({"session": "q/../x", "seq": 0}, b""),
    _raw_frame({"session": "q", "seq": -1}, b""),
    _raw_frame({"session": "q", "seq": "0"}, b""),
    _raw_frame({"session": "q", "seq": 0}, b"not arrow"),
    _raw_frame({"session": "q", "seq": 0, "more": 1}, b""),
])
def test_malformed_frames_close_the_connection_and_the_server_goes_on(certs, frame):
    with networks(certs) as nets:
        p0 = nets[0].communicator("q")
        s = _data_socket(nets[0], certs["p1"])
        s.sendall(_raw_frame({"party": "p1", "to": "p0"}))
        assert s.recv(1) == b"\x01"
        s.sendall(frame)
        assert s.recv(1) == b""  # closed (the oversized length before allocating)
        s.close()
        # nothing was filed; p1's connection ended, so p1 is gone from the open queries
        with pytest.raises(OperationalError, match="'p1' went away during the query"):
            p0.recv(1)
        nets[1].communicator("q2").send(0, b"real message")
        assert nets[0].communicator("q2").recv(1) == b"real message"


def test_forged_payload_on_the_data_port_is_refused(certs):
    with networks(certs) as nets:
        p0 = nets[0].communicator("q")
        schema, batches = encode(np.arange(4, dtype=np.uint64))
        forged = schema.with_metadata({b"scql": json.dumps(
            {"v": 1, "kind": "array", "parts": [{"dtype": "|O", "shape": [4]}]})})
        sink = pa.BufferOutputStream()
        with pa.ipc.new_stream(sink, forged) as w:
            for b in batches:
                w.write_batch(b.replace_schema_metadata(forged.metadata))
        s = _data_socket(nets[0], certs["p1"])
        s.sendall(_raw_frame({"party": "p1", "to": "p0"}))
        assert s.recv(1) == b"\x01"
        s.sendall(_raw_frame({"session": "q", "seq": 0}, sink.getvalue().to_pybytes()))
        assert s.recv(1) == b""
        s.close()
        with pytest.raises(OperationalError, match="'p1' went away during the query"):
            p0.recv(1)  # nothing was filed


def test_a_restarted_peer_is_reconnected(certs):
    with networks(certs) as nets:
        a, b = nets[0].communicator("q1"), nets[1].communicator("q1")
        a.send(1, b"before")
        assert b.recv(0) == b"before"
        address = nets[1].address
        nets[1].stop()
        nets[1] = FlightNetwork(NAMES, [n.address for n in nets], "p1", tls=certs["p1"],
                                timeout=TIMEOUT, listen=address)
        nets[1].start()
        b = nets[1].communicator("q2")
        a = nets[0].communicator("q2")
        a.send(1, b"after")
        assert b.recv(0) == b"after"


def test_stop_leaves_no_data_threads(certs):
    before = {t for t in threading.enumerate() if t.name.startswith("scql-data")}
    with networks(certs) as nets:
        a, b = nets[0].communicator("q"), nets[1].communicator("q")
        a.send(1, b"x")
        assert b.recv(0) == b"x"
    time.sleep(0.1)
    left = {t for t in threading.enumerate() if t.name.startswith("scql-data")} - before
    assert not left, left


def test_a_dropped_client_stays_usable_by_a_call_that_holds_it(certs):
    """A thread whose call failed drops the peer's client while another thread may be in
    a call on it (a query's cancel and its leave notice to a peer that was killed):
    closing it there freed it under that call, a SIGSEGV that ended the whole server."""
    with networks(certs) as nets:
        peer = nets[0]._peers[1]
        client = nets[0]._client(peer, TIMEOUT)
        nets[0]._drop_client(peer, client)
        assert peer.client is None
        # the holder's call still works: a closed client would refuse it ("closed")
        assert [r.body.to_pybytes() for r in client.do_action(fl.Action("alive", b""))] \
            == [b"1"]
        assert nets[0]._client(peer, TIMEOUT) is not client
        nets[0].stop()
        assert list(client.do_action(fl.Action("alive", b"")))  # stop does not close it
