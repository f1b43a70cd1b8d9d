"""Five ``scql serve`` processes, two of them data parties (tests/sql/parties/five.toml):
a data party takes part only in the queries that read its rows or that it asks, and
one that is down fails only those (the answers themselves are checked against DuckDB by
``test_network_oracle``)."""

from __future__ import annotations

import pytest
from conftest import REPO

from scql_py import errors
from scql_py.cluster.federation import Federation

pytestmark = pytest.mark.network

FIVE = REPO / "tests" / "sql" / "parties" / "five.toml"
WITHOUT_ERIN = ("SELECT AVG(age) AS a, COUNT(*) AS n FROM (SELECT age FROM a_people "
                "UNION ALL SELECT age FROM d_people) AS u")
READS_ERIN = ("SELECT COUNT(*) AS n, SUM(amount) AS total FROM d_people JOIN e_orders "
              "ON d_people.id = e_orders.id")


@pytest.fixture(scope="module")
def cluster(five_cluster):
    return five_cluster


@pytest.fixture(scope="module")
def reference():
    with Federation(FIVE) as fed:
        yield fed


def test_a_data_party_is_not_asked_for_a_query_without_its_rows(cluster, reference):
    before = len(cluster.log("erin"))
    with cluster.client("dave") as fed:
        got = fed.execute("dave", WITHOUT_ERIN).table
    assert got.equals(reference.execute("dave", WITHOUT_ERIN).table)
    assert "query" not in cluster.log("erin")[before:]


def test_a_data_party_asks_and_answers(cluster, reference):
    with cluster.client("erin") as fed:
        got = fed.execute("erin", READS_ERIN).table
    assert got.equals(reference.execute("erin", READS_ERIN).table)


def test_a_data_party_that_is_down_fails_only_the_queries_that_read_it(cluster, reference):
    cluster.kill("erin")
    try:
        with cluster.client("dave") as fed:
            with pytest.raises(errors.OperationalError) as info:
                fed.execute("dave", READS_ERIN)
            assert "party 'erin'" in str(info.value)
            got = fed.execute("dave", WITHOUT_ERIN).table
        assert got.equals(reference.execute("dave", WITHOUT_ERIN).table)
        with cluster.client("alice") as fed:
            assert fed.execute("alice", WITHOUT_ERIN).table.num_rows == 1
    finally:
        cluster.start(["erin"])
    with cluster.client("erin") as fed:
        assert fed.execute("erin", READS_ERIN).table.equals(
            reference.execute("erin", READS_ERIN).table)
