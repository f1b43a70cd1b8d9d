"""A party that is down, killed mid-query or silent: an ``OperationalError`` naming it
within the timeout; the others abandon the query and serve the next one."""

from __future__ import annotations

import signal
import threading
import time

import pytest
from conftest import CATALOGS, many_rounds_sql
from sqlcases import arrow_result, compare

from scql_py import errors
from scql_py.cluster import remote_protocol as rp
from scql_py.cluster.server import _root_of_silence
from scql_py.testing.local_cluster import LocalCluster

pytestmark = pytest.mark.network

TIMEOUT = 2.0
SLACK = 2.5  # process and scheduling overheads on a loaded 2-core machine
SLOW_SQL = many_rounds_sql()  # surely still running 0.4 s in
LOG_WAIT = {"timeout": 20.0, "poll": 0.002}  # a log line is seen within milliseconds
QUICK_SQL = ("SELECT COUNT(*) AS n, SUM(k) AS s FROM (SELECT k FROM t_alice UNION ALL "
             "SELECT k FROM t_bob UNION ALL SELECT k FROM t_carol) AS u")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    with LocalCluster(CATALOGS / "types.toml", tmp_path_factory.mktemp("faults"),
                      timeout=TIMEOUT) as c:
        yield c


def assert_serves(cluster: LocalCluster, types_reference, asker: str = "alice") -> None:
    with cluster.client(asker, timeout=30.0) as fed:
        got = fed.execute(asker, QUICK_SQL)
    problem = compare(arrow_result(got.table),
                      arrow_result(types_reference.execute(asker, QUICK_SQL).table))
    assert problem is None, problem


def ask_in_background(cluster: LocalCluster, asker: str, sql: str, pushdown: bool = False):
    """Start a query in a thread; returns (thread, box) where box gets 'error'/'result'
    and 'done_at'."""
    box: dict = {}

    def run() -> None:
        try:
            with cluster.client(asker, pushdown=pushdown) as fed:
                box["result"] = fed.execute(asker, sql)
        except errors.Error as exc:
            box["error"] = exc
        box["done_at"] = time.monotonic()

    thread = threading.Thread(target=run)
    thread.start()
    return thread, box


def test_a_party_that_is_down_is_named_within_the_timeout(cluster, types_reference):
    cluster.kill("carol")
    try:
        start = time.monotonic()
        with cluster.client("alice") as fed, pytest.raises(errors.OperationalError) as info:
            fed.execute("alice", QUICK_SQL)
        assert "party 'carol'" in str(info.value)
        assert time.monotonic() - start < TIMEOUT + SLACK
    finally:
        cluster.start(["carol"])
    assert_serves(cluster, types_reference)


@pytest.mark.parametrize("fault", ["killed", "silent"])
def test_a_party_failing_mid_query_is_named_and_the_others_stay_up(cluster, types_reference,
                                                                    fault):
    pids = {p: proc.pid for p, proc in cluster.procs.items()}
    logged = {p: len(cluster.log(p)) for p in cluster.names}
    thread, box = ask_in_background(cluster, "alice", SLOW_SQL)
    cluster.wait_for_log("carol", "plan verified, running", logged["carol"], **LOG_WAIT)
    time.sleep(0.4)  # into the engines' rounds (the query takes about 3 s)
    assert not box, "the query ended before the fault: use a slower one"
    if fault == "killed":
        cluster.kill("carol")
    else:
        cluster.signal("carol", signal.SIGSTOP)
    struck = time.monotonic()
    try:
        thread.join(TIMEOUT * 4 + 10)
        assert not thread.is_alive()
        assert isinstance(box.get("error"), errors.OperationalError), box
        assert "party 'carol'" in str(box["error"]), box["error"]
        assert "party 'bob'" not in str(box["error"]), box["error"]  # only waited on carol
        assert box["done_at"] - struck < TIMEOUT + SLACK
    finally:
        if fault == "killed":
            cluster.start(["carol"])
        else:
            cluster.signal("carol", signal.SIGCONT)
    # bob abandoned the query (and said so); alice and bob are the same processes
    cluster.wait_for_log("bob", "OperationalError after", logged["bob"], **LOG_WAIT)
    assert {p: cluster.procs[p].pid for p in ("alice", "bob")} == {
        p: pids[p] for p in ("alice", "bob")}
    if fault == "silent":  # carol's own part fails once it runs again: the others left
        cluster.wait_for_log("carol", "OperationalError after", logged["carol"], **LOG_WAIT)
        assert cluster.procs["carol"].pid == pids["carol"]
    assert_serves(cluster, types_reference, "alice")
    assert_serves(cluster, types_reference, "carol")


NAMES = ["alice", "bob", "carol"]


def test_a_silent_party_is_named_not_the_one_that_waited_on_it():
    """carol silent: bob waits on her and stops sending, so the asker may time out on
    bob first; bob's report names carol, and carol is the one reported."""
    waited = errors.OperationalError("party 'bob' did not answer within 2 s")
    relayed = rp.naming("bob", errors.OperationalError("party 'carol' did not answer within 2 s"))
    got = _root_of_silence({"alice": waited, "bob": relayed}, "alice", NAMES)
    assert str(got) == "party 'carol' did not answer within 2 s"
    # bob's own failure is bob's; without bob's report, bob is all the asker knows of
    own = rp.naming("bob", errors.DataError("bad value"))
    assert _root_of_silence({"alice": waited, "bob": own}, "alice", NAMES) is waited
    assert _root_of_silence({"alice": waited}, "alice", NAMES) is waited
    # each waited on the other: no root to follow to, the first choice stays
    back = rp.naming("bob", errors.OperationalError("party 'alice' did not answer within 2 s"))
    assert _root_of_silence({"alice": waited, "bob": back}, "alice", NAMES) is waited


def test_sigterm_stops_a_server_cleanly(cluster, types_reference):
    logged = len(cluster.log("bob"))
    assert cluster.terminate("bob") == 0
    assert "received SIGTERM: stopping" in cluster.log("bob")[logged:]
    assert "party bob stopped" in cluster.log("bob")[logged:]
    cluster.start(["bob"])
    assert_serves(cluster, types_reference, "bob")
