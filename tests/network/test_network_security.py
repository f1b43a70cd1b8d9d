"""Each party server checks what it is asked to run and who asks; junk does not hurt it."""

from __future__ import annotations

import json
import socket
import ssl
import sys

import pyarrow.flight as fl
import pytest
from conftest import CATALOGS, REPO, average_sql

from scql_py import errors
from scql_py.catalog import load_catalog
from scql_py.cluster import remote_protocol as rp
from scql_py.cluster.server import PartyServer
from scql_py.net.certs import TLSConfig, make_dev_certs
from scql_py.net.flight import FlightNetwork
from scql_py.net.flight_auth import PartyClientAuth
from scql_py.sql.physical import PhysicalPlan
from scql_py.sql.planner import plan_query
from scql_py.testing.local_cluster import LocalCluster

sys.path.insert(0, str(REPO / "tests" / "net"))
from flight_party import throw_junk  # noqa: E402

pytestmark = pytest.mark.network


def as_party(cluster: LocalCluster, party: str) -> FlightNetwork:
    """A party's own network endpoint (its certificate), not serving: to send actions."""
    tls = TLSConfig.from_dir(cluster.dir(party) / "certs", party)
    return FlightNetwork(cluster.names, cluster.addresses, party, tls=tls, timeout=5.0)


def reveal_rows_of_bob(plan: dict) -> dict:
    """Tamper: bob's local step returns his raw ``i`` values instead of their sum."""
    for step in plan["steps"]:
        if step["op"] == "local" and step["party"] == "bob":
            step["args"]["sql"] = 'SELECT "i" AS "total" FROM "t_bob"'
    return plan


def drop_the_aggregate(plan: dict) -> dict:
    """Tamper: reveal the secret-shared rows of the union instead of their sum."""
    steps = plan["steps"]
    agg = next(s for s in steps if s["op"] == "aggregate")
    reveal = steps[-1]
    reveal["inputs"] = list(agg["inputs"])
    reveal["columns"], reveal["types"] = ["total"], ["int64"]
    plan["steps"] = [s for s in steps if s["op"] not in ("aggregate", "project")]
    return plan


def other_sql(plan: dict) -> dict:
    """Tamper: the steps of one query under the SQL text of another."""
    plan["sql"] = "SELECT COUNT(*) AS total FROM t_bob"
    return plan


def run_request(plan: dict | str, session: str) -> bytes:
    text = plan if isinstance(plan, str) else json.dumps(plan, sort_keys=True)
    return json.dumps({"session": session, "plan": text}).encode()


@pytest.mark.parametrize(("sql", "pushdown", "tamper"), [
    ("SELECT SUM(i) AS total FROM t_bob", True, reveal_rows_of_bob),
    ("SELECT SUM(i) AS total FROM (SELECT i FROM t_alice UNION ALL SELECT i FROM t_bob) AS u",
     False, drop_the_aggregate),
    ("SELECT SUM(i) AS total FROM t_bob", True, other_sql),
])
def test_owner_refuses_a_tampered_plan(types_cluster, sql, pushdown, tamper):
    alice = as_party(types_cluster, "alice")
    catalog = load_catalog(types_cluster.catalog_path("alice"), party="alice")
    plan = json.loads(plan_query(catalog, "alice", sql, pushdown).to_json())
    session = f"tampered-{tamper.__name__}-{pushdown}"
    (answer,) = alice.call("bob", rp.RUN, run_request(tamper(plan), session))
    err = rp.error_from_json(rp.read_outcome(answer)["error"])
    assert isinstance(err, errors.SecurityError)
    assert str(err).startswith("party 'bob' refuses the plan"), err
    assert "refused a plan from alice: party 'bob' refuses" in types_cluster.log("bob")
    assert f"query {session}" not in types_cluster.log("bob")  # nothing ran


def test_plans_must_come_from_their_asker_and_be_plans(types_cluster):
    alice = as_party(types_cluster, "alice")
    catalog = load_catalog(types_cluster.catalog_path("alice"), party="alice")
    carols = plan_query(catalog, "carol", "SELECT SUM(i) AS total FROM t_bob").to_json()
    for plan, why in [(carols, "names 'carol' as the asker but comes from 'alice'"),
                      ("{not json", "not a valid plan"),
                      (json.dumps({"asker": "alice"}), "not a valid plan")]:
        (answer,) = alice.call("bob", rp.RUN, run_request(plan, "spoofed"))
        err = rp.error_from_json(rp.read_outcome(answer)["error"])
        assert isinstance(err, errors.SecurityError) and why in str(err), err
    # a party's own certificate cannot send plans to itself, nor ask as another party
    bob = as_party(types_cluster, "bob")
    with pytest.raises(errors.OperationalError, match="rejected action 'query'"):
        bob.call("alice", rp.QUERY, json.dumps({"sql": average_sql()}).encode())


class TamperingServer(PartyServer):
    """A modified asker's server: it sends a plan that reveals bob's rows."""

    def plan(self, sql: str, pushdown: bool, max_rows: int | None = None) -> PhysicalPlan:
        honest = json.loads(super().plan(sql, pushdown, max_rows).to_json())
        return PhysicalPlan.from_json(json.dumps(reveal_rows_of_bob(honest)))


def test_modified_asker_gets_a_security_error_naming_the_refusing_party(tmp_path):
    cluster = LocalCluster(CATALOGS / "types.toml", tmp_path, timeout=5.0)
    try:
        cluster.start(["bob", "carol"])
        server = TamperingServer(cluster.catalog_path("alice"), "alice", timeout=5.0)
        server.start()
        try:
            with cluster.client("alice") as fed, pytest.raises(errors.SecurityError) as info:
                fed.execute("alice", "SELECT SUM(i) AS total FROM t_bob")
        finally:
            server.stop()
        assert "party 'bob' refuses the plan" in str(info.value)
        assert "refused a plan from alice" in cluster.log("bob")
    finally:
        cluster.close()


def test_party_with_a_certificate_of_another_ca_is_refused(tmp_path):
    names = ["alice", "bob", "carol"]
    make_dev_certs(tmp_path / "other", names)
    cluster = LocalCluster(CATALOGS / "demo.toml", tmp_path / "cluster", timeout=3.0,
                           certs={"carol": tmp_path / "other"})
    with cluster:
        with cluster.client("alice") as fed, pytest.raises(errors.OperationalError) as info:
            fed.execute("alice", average_sql())
        assert "'carol'" in str(info.value)
        # a client with a certificate of the other CA is refused by alice's own server
        impostor = TLSConfig.from_dir(tmp_path / "other", "alice")
        with cluster.client("alice", tls=impostor) as fed, \
                pytest.raises(errors.OperationalError, match="party 'alice''s server"):
            fed.execute("alice", average_sql())
        assert all(proc.poll() is None for proc in cluster.procs.values())


GARBAGE = [
    b"\x00" * 4096,
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + bytes(range(256)) * 4,  # HTTP/2 preface, then junk
    b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\xff" * 300,  # a broken TLS hello
    b"GET / HTTP/1.1\r\nHost: x\r\n\r\n",
]


def send_garbage(address: str) -> None:
    throw_junk(address, GARBAGE)
    host, port = address.rsplit(":", 1)
    # a TLS client without a certificate
    context = ssl.create_default_context()
    context.check_hostname, context.verify_mode = False, ssl.CERT_NONE
    with socket.create_connection((host, int(port)), timeout=2) as raw:
        try:
            with context.wrap_socket(raw) as s:
                s.sendall(b"\x00" * 100)
                s.recv(10)
        except OSError:
            pass


def test_garbage_on_the_ports_is_logged_and_survived(demo_cluster, demo_reference):
    for address in demo_cluster.addresses.values():
        send_garbage(address)
    # authenticated but malformed requests: refused, logged, harmless
    tls = TLSConfig.from_dir(demo_cluster.dir("alice") / "certs", "alice")
    client = fl.FlightClient(f"grpc+tls://{demo_cluster.addresses['alice']}",
                             tls_root_certs=tls.ca_cert, cert_chain=tls.cert, private_key=tls.key)
    client.authenticate(PartyClientAuth("alice", "alice", demo_cluster.names, tls))
    for action, body in [(rp.QUERY, b"\xff\xfe not json"), (rp.QUERY, b"[1, 2]"),
                         (rp.EXPLAIN, b"{"), ("no-such-action", b"")]:
        with pytest.raises(fl.FlightError):
            list(client.do_action(fl.Action(action, body)))
    client.close()
    assert "malformed 'query' request from alice" in demo_cluster.log("alice")
    with demo_cluster.client("alice") as fed:
        value = fed.execute("alice", average_sql()).table.column(0)[0].as_py()
    assert value == pytest.approx(
        demo_reference.execute("alice", average_sql()).table.column(0)[0].as_py(), abs=0.1)
    assert all(proc.poll() is None for proc in demo_cluster.procs.values())
