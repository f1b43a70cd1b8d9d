"""What the networked client asks for reaches the servers: its timeout (shorter than
theirs), its max_rows, progress reports back, Ctrl-C cancelling the query everywhere,
and which servers are up."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pexpect
import pytest
from conftest import REPO, SERVER_TIMEOUT, many_rounds_sql

import scql_py
from scql_py import errors
from scql_py.testing.local_cluster import LocalCluster
from scql_py.testing.slow_join import SLOW_SQL, write_slow_join_catalog

pytestmark = pytest.mark.network

CLIENT_TIMEOUT = 3.0  # shorter than the servers' own (SERVER_TIMEOUT): it must win
SLOW_JOIN_TIMEOUT = 30.0  # the servers' timeout, far above the time a cancel may take
QUICK_SQL = ("SELECT COUNT(*) AS n, SUM(k) AS s FROM (SELECT k FROM t_alice UNION ALL "
             "SELECT k FROM t_bob UNION ALL SELECT k FROM t_carol) AS u")
ROUNDS_SQL = many_rounds_sql()  # over a second: it reports its progress


@pytest.fixture(scope="module")
def cluster(types_cluster):
    """The session's cluster of types.toml: its servers wait longer than the client."""
    assert CLIENT_TIMEOUT + 5 < SERVER_TIMEOUT
    return types_cluster


def child_env() -> dict[str, str]:
    return dict(os.environ, PYTHONPATH=os.pathsep.join(
        [str(REPO), *filter(None, [os.environ.get("PYTHONPATH")])]), GRPC_VERBOSITY="ERROR")


def scql(cluster: LocalCluster, party: str, *args: str) -> tuple[subprocess.CompletedProcess,
                                                                  float]:
    """``scql --network`` as ``party``'s program runs it; the result and its seconds."""
    start = time.monotonic()
    proc = subprocess.run(
        [sys.executable, "-m", "scql_py.cli", "--network", "--catalog",
         str(cluster.catalog_path(party)), "--party", party, *args],
        capture_output=True, text=True, env=child_env(), timeout=120)
    return proc, time.monotonic() - start


def test_the_clients_timeout_is_honoured_when_a_party_is_stopped(cluster):
    # the command's own start-up (imports, catalog), with no server asked
    proc, startup = scql(cluster, "alice", "-c", "SHOW TABLES")
    assert proc.returncode == 0, proc.stderr
    proc, _ = scql(cluster, "alice", "--timeout", "3", "-c", QUICK_SQL)
    assert proc.returncode == 0, proc.stderr
    cluster.signal("carol", signal.SIGSTOP)
    try:
        proc, seconds = scql(cluster, "alice", "--timeout", "3", "-c", QUICK_SQL)
        assert proc.returncode == 1
        assert proc.stderr.startswith("error: ") and "party 'carol'" in proc.stderr
        assert "3 s" in proc.stderr
        assert seconds - startup < 5.0, (seconds, startup, proc.stderr)

        with scql_py.connect(cluster.catalog_path("alice"), party="alice", mode="network",
                             timeout=CLIENT_TIMEOUT) as con:
            start = time.monotonic()
            with pytest.raises(errors.OperationalError, match="party 'carol'"):
                con.execute(QUICK_SQL)
            assert time.monotonic() - start < 5.0
            status = con.party_status()
        assert status["alice"] == "up" and status["bob"] == "up"
        assert status["carol"].startswith("down")
    finally:
        cluster.signal("carol", signal.SIGCONT)
    with scql_py.connect(cluster.catalog_path("bob"), party="bob", mode="network") as con:
        assert con.party_status() == {"alice": "up", "bob": "up", "carol": "up"}
        assert con.execute(QUICK_SQL).fetchall()


def test_progress_reports_come_from_the_server(cluster):
    reports: list[scql_py.Progress] = []
    with cluster.client("alice", pushdown=False) as fed:
        fed.execute("alice", ROUNDS_SQL, progress=reports.append)
    assert reports, "a query of over a second reports at least once"
    steps = reports[0].steps
    assert all(r.steps == steps and 1 <= r.step <= steps for r in reports)
    assert [r.step for r in reports] == sorted(r.step for r in reports)


def test_max_rows_travels_with_the_plan(cluster):
    sql = "SELECT COUNT(*) AS n FROM t_alice AS a JOIN t_bob AS b ON a.c = b.c"  # 50 x 50
    with scql_py.connect(cluster.catalog_path("alice"), party="alice", mode="network",
                         max_rows=100) as con:
        with pytest.raises(errors.NotSupportedError, match=r"bound of 100 \(max_rows\)"):
            con.execute(sql)
    with scql_py.connect(cluster.catalog_path("alice"), party="alice", mode="network",
                         max_rows=2500) as con:
        assert con.execute(sql).fetchall()[0][0] > 0


def test_ctrl_c_in_the_shell_cancels_the_query_on_every_server(tmp_path):
    catalog = write_slow_join_catalog(tmp_path / "source")
    with LocalCluster(catalog, tmp_path / "cluster", timeout=SLOW_JOIN_TIMEOUT) as c:
        logged = {p: len(c.log(p)) for p in c.names}
        env = dict(child_env(), HOME=str(tmp_path), PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm")
        child = pexpect.spawn(sys.executable, [
            "-m", "scql_py.cli", "--network", "--catalog", str(c.catalog_path("alice")),
            "--party", "alice"], env=env, encoding="utf-8", timeout=60, dimensions=(40, 120))
        try:
            child.expect_exact("scql>")
            child.sendline(SLOW_SQL + ";")
            child.expect(r"step \d+/\d+: [^\r\n]*\(Ctrl-C cancels\)")
            c.wait_for_log("bob", "plan verified, running", logged["bob"])
            child.send("\x03")
            pressed = time.monotonic()
            child.expect_exact("cancelled")
            assert time.monotonic() - pressed < 10
            child.expect_exact("scql>")
            c.wait_for_log("alice", "cancelled by its client", logged["alice"])
            for peer in ("bob", "carol"):  # each dropped its part, well before its timeout
                c.wait_for_log(peer, "OperationalError after", logged[peer], timeout=15)
            child.sendline("SELECT SUM(w) AS total FROM y;")  # the next query works
            child.expect(r"\| total")
            child.expect_exact("scql>")
            child.sendline(".parties")
            child.expect(r"carol\s+owns no table \(computes only\); up")
            child.expect_exact("scql>")
            child.sendeof()
            child.expect(pexpect.EOF)
        finally:
            child.close()
