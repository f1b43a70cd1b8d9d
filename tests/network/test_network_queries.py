"""Queries through three ``scql serve`` processes give the in-process answers."""

from __future__ import annotations

import threading

import pytest
from conftest import average_sql
from sqlcases import arrow_result, compare

from scql_py import errors
from scql_py.cluster.remote import RemoteFederation
from scql_py.dbapi import Connection

pytestmark = pytest.mark.network

TYPES_QUERIES = {
    "count": "SELECT COUNT(*) AS n FROM (SELECT id FROM t_alice UNION ALL "
             "SELECT id FROM t_bob UNION ALL SELECT id FROM t_carol) AS u",
    "sum_int": "SELECT SUM(i) AS total, COUNT(i) AS n FROM (SELECT i FROM t_alice "
               "UNION ALL SELECT i FROM t_bob UNION ALL SELECT i FROM t_carol) AS u",
    "decimal_sum": "SELECT SUM(m) AS total FROM (SELECT m FROM t_alice UNION ALL "
                   "SELECT m FROM t_bob) AS u",
    "min_max_date": "SELECT MIN(d) AS lo, MAX(d) AS hi FROM (SELECT d FROM t_bob "
                    "UNION ALL SELECT d FROM t_carol) AS u",
    "filter_compare": "SELECT COUNT(*) AS n FROM (SELECT c FROM t_alice UNION ALL "
                      "SELECT c FROM t_carol) AS u WHERE c > 5",
    "plaintext_rows": "SELECT id, k, s FROM t_bob WHERE id < 30",
    # a PSI join, server-aided (carol matches alice's and bob's keys) with pushdown
    "psi_join_sums": "SELECT COUNT(*) AS n, SUM(b.i) AS s FROM t_alice a "
                     "JOIN t_bob b ON a.id = b.id",
    "psi_join_rows": "SELECT a.id, a.s, b.k FROM t_alice a LEFT JOIN t_bob b ON a.id = b.id",
}


def assert_same(got, expected, what: str) -> None:
    problem = compare(arrow_result(got.table), arrow_result(expected.table))
    assert problem is None, f"{what}: {problem}"
    assert got.table.schema == expected.table.schema, what


def test_demo_average_through_the_dbapi(demo_cluster, demo_reference):
    # as connect(catalog, mode="network") makes it: the first party, certs/ beside the
    # catalog, the address in the catalog
    fed = RemoteFederation(demo_cluster.catalog_path("alice"))
    assert fed.party == "alice"
    with Connection(fed, fed.party, fed.catalog) as con:
        cur = con.cursor()
        cur.execute(average_sql())
        ((value,),) = cur.fetchall()
        assert cur.description[0][0] == "avg_income"
    assert value == pytest.approx(6000.0, abs=1e-3, rel=1e-6)
    # the networked channels count exactly what the in-process ones count
    got = demo_cluster.client("bob").execute("bob", average_sql())
    expected = demo_reference.execute("bob", average_sql())
    assert got.stats == expected.stats
    assert all(s["rounds"] > 0 and s["bytes_sent"] > 0 for s in got.stats.values())


@pytest.mark.parametrize(("name", "pushdown"), [
    pytest.param(name, pushdown, id=f"{name}[{'pushdown' if pushdown else 'secure'}]")
    for name in TYPES_QUERIES for pushdown in (True, False)
    if name != "plaintext_rows" or pushdown  # rows of a secret filter: not this suite's
])
def test_types_queries_match_in_process(types_cluster, types_reference, name, pushdown):
    sql = TYPES_QUERIES[name]
    with types_cluster.client("carol", pushdown=pushdown) as fed:
        got = fed.execute("carol", sql)
        if name.startswith("psi_join") and pushdown:
            assert "by server-aided PSI between alice and bob, matched by carol" in \
                fed.explain("carol", sql)
    types_reference.pushdown = pushdown
    try:
        expected = types_reference.execute("carol", sql)
    finally:
        types_reference.pushdown = True
    assert_same(got, expected, name)


def test_parameters_and_explain(types_cluster, types_reference):
    sql = "SELECT COUNT(*) AS n FROM (SELECT k FROM t_alice UNION ALL SELECT k FROM t_bob) " \
          "AS u WHERE k = ?"
    with types_cluster.client("alice") as fed:
        for k in (1, 3):
            assert_same(fed.execute("alice", sql, (k,)),
                        types_reference.execute("alice", sql, (k,)), f"k = {k}")
        assert fed.explain("alice", sql, (2,)) == types_reference.explain("alice", sql, (2,))


def outcome(fn):
    """What ``fn()`` ended with: the result's rows, or the error's class and message."""
    try:
        return ("rows", arrow_result(fn().table).rows)
    except errors.Error as exc:
        return (type(exc).__name__, str(exc))


@pytest.mark.parametrize(("sql", "error"), [
    ("SELEC 1", "ProgrammingError"),
    ("SELECT nope FROM t_alice", "ProgrammingError"),
    ("SELECT secret FROM t_bob", "SecurityError"),
    ("SELECT i FROM t_carol", "SecurityError"),
    ("SELECT k, COUNT(*) AS n FROM t_bob GROUP BY k HAVING COUNT(*) > 2", None),
])
def test_errors_keep_their_class_and_message(types_cluster, types_reference, sql, error):
    expected = outcome(lambda: types_reference.execute("alice", sql))
    with types_cluster.client("alice") as fed:
        assert outcome(lambda: fed.execute("alice", sql)) == expected
        if error is not None:
            assert expected[0] == error
        # and the servers are still there
        assert fed.execute("alice", TYPES_QUERIES["count"]).table.column(0).to_pylist() == [150]


def test_a_client_asks_only_as_its_own_party(types_cluster):
    with types_cluster.client("alice") as fed, pytest.raises(errors.ProgrammingError,
                                                              match="cannot ask as 'bob'"):
        fed.execute("bob", TYPES_QUERIES["count"])
    # bob's program, with bob's certificate, at alice's server: refused by the handshake
    bob = types_cluster.client("bob", address=types_cluster.addresses["alice"])
    with bob, pytest.raises(errors.OperationalError, match="party 'bob''s server"):
        bob.execute("bob", TYPES_QUERIES["count"])


def test_two_askers_at_once_get_their_own_answers(types_cluster, types_reference):
    jobs = [("alice", TYPES_QUERIES["sum_int"]), ("bob", TYPES_QUERIES["min_max_date"]),
            ("alice", TYPES_QUERIES["filter_compare"]), ("carol", TYPES_QUERIES["count"])]
    results: list = [None] * len(jobs)
    clients = [types_cluster.client(party) for party, _ in jobs]
    barrier = threading.Barrier(len(jobs))

    def ask(i: int) -> None:
        party, sql = jobs[i]
        barrier.wait()
        try:
            results[i] = clients[i].execute(party, sql)
        except Exception as exc:  # reported below
            results[i] = exc

    threads = [threading.Thread(target=ask, args=(i,)) for i in range(len(jobs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    for client in clients:
        client.close()
    for (party, sql), got in zip(jobs, results):
        assert not isinstance(got, Exception), got
        assert_same(got, types_reference.execute(party, sql), f"{party}: {sql}")


def test_each_party_holds_only_its_own_sources_and_key(types_cluster, types_reference):
    with types_cluster.client("bob") as fed:  # every party's data is used
        assert_same(fed.execute("bob", TYPES_QUERIES["sum_int"]),
                    types_reference.execute("bob", TYPES_QUERIES["sum_int"]), "sum_int")
    for party in types_cluster.names:
        home = types_cluster.dir(party)
        assert sorted(p.name for p in (home / "sources").iterdir()) == [f"t_{party}.csv"]
        assert sorted(p.name for p in (home / "certs").iterdir()) == sorted(
            ["ca.pem", f"{party}.pem", f"{party}.key"])


PARAMETERISED = [
    ("SELECT k, COUNT(*) AS n FROM t_bob WHERE id > ? GROUP BY k HAVING COUNT(*) > ? "
     "ORDER BY k LIMIT ?", (30, 1, 2)),
    ("SELECT id FROM t_bob WHERE id BETWEEN ? AND ? ORDER BY id LIMIT ?, ?", (30, 60, 2, 3)),
    ("SELECT COUNT(*) AS n FROM (SELECT id, c FROM t_alice UNION ALL "
     "SELECT id, c FROM t_carol) AS u WHERE c > ? AND id < ?", (5, 90)),
]


@pytest.mark.parametrize("sql, params", PARAMETERISED)
def test_parameters_bind_the_same_on_every_path(types_cluster, types_reference, sql, params):
    # one binder: the DB-API, the in-process federation and the networked client agree
    networked = types_cluster.client("bob").execute("bob", sql, params)
    in_process = types_reference.execute("bob", sql, params)
    assert_same(networked, in_process, sql)
    cur = Connection(types_reference, "bob", types_reference.catalog).cursor()
    cur.execute(sql, params)
    assert cur.fetchall() == [tuple(r.values()) for r in in_process.table.to_pylist()]
    assert in_process.table.num_rows > 0, "a query that returns nothing proves no order"


def test_explain_analyze_over_the_network(demo_cluster, demo_reference):
    """Every server reports its steps' figures to the asker's; they add up to the
    channel counters, and count exactly what the in-process run counts."""
    client = demo_cluster.client("bob")
    got = client.execute("bob", average_sql())
    expected = demo_reference.execute("bob", average_sql())
    assert set(got.profile) == {"alice", "bob", "carol"}
    for party, prof in got.profile.items():
        total = prof.totals()
        assert (total.rounds, total.bytes_sent) == (got.stats[party]["rounds"],
                                                    got.stats[party]["bytes_sent"])
        assert [(s.step, s.op, s.ran, s.rounds, s.bytes_sent) for s in prof.steps] == [
            (s.step, s.op, s.ran, s.rounds, s.bytes_sent)
            for s in expected.profile[party].steps]
    text = client.explain("bob", average_sql(), analyze=True)
    assert "what each party learns" in text and "analyze: the query ran in " in text
    assert "result: 1 row(s), 1 column(s)" in text and "6000" not in text.split("analyze:")[1]
