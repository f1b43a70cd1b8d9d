"""Data parties (not computing) and a compute-only helper: what each one receives.

A data party sends its rows in as replicated pairs and receives its own result as one
masked share from each computing party; it takes no other part. A helper receives
only shares (uniformly random words) and opens only what the plan's ledger lists for
it: sizes, never a value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from parties_data import FIVE, large_five

from scql_py.cluster.federation import Federation
from scql_py.mpc.openings import JOIN_MATCHES, OUT_OF_RANGE, RESULT

PARTIES = ["alice", "bob", "carol", "dave", "erin"]
COMPUTE = [0, 1, 2]
# erin asks over alice's and dave's rows under MPC; a literal column and its NULL bits
# have public shares (x0 = c, x1 = x2 = 0) that only the opening's masks randomise
UNION = ("SELECT name, 7 AS seven FROM (SELECT name FROM a_people UNION ALL "
         "SELECT name FROM d_people) AS u")


@pytest.fixture(scope="module")
def large(tmp_path_factory) -> Path:
    return large_five(tmp_path_factory.mktemp("five"))


@pytest.fixture(scope="module")
def fed_large(large):
    fed = Federation(large, pushdown=False, record=True, timeout=120)
    yield fed
    fed.close()


def _received(fed: Federation, party: int) -> list[tuple[int, object]]:
    return list(fed.last_network.communicator(party).received)


def _uniform(data: np.ndarray) -> float:
    counts = np.bincount(data, minlength=256)
    expected = data.size / 256
    return float(((counts - expected) ** 2 / expected).sum())


def test_data_party_receives_one_masked_share_from_each_computing_party(fed_large):
    result = fed_large.execute("erin", UNION)
    assert result.table.num_rows == 6000
    assert set(result.table.column("seven").to_pylist()) == {7}
    got = _received(fed_large, PARTIES.index("erin"))
    # from each, one message: the result, with the bit whether anything was out of
    # range as its last XOR word; nothing else
    assert sorted(frm for frm, _ in got) == sorted(COMPUTE)
    for _, payload in got:
        header, arith, boolean = payload
        words = np.concatenate([np.asarray(arith), np.asarray(boolean)]).view(np.uint8)
        assert words.size > 100_000
        # 255 degrees of freedom: mean 255, sd ~22.6; without the masks the shares of
        # the literal column and of the NULL bits are zeros
        assert _uniform(words) < 400


def test_dave_takes_part_only_by_sharing_its_rows_in(fed_large):
    fed_large.execute("erin", UNION)
    dave = PARTIES.index("dave")
    got = _received(fed_large, dave)
    # the string key, from the first computing party: dave hashes its own strings
    assert [(frm, type(p).__name__, len(p)) for frm, p in got] == [(0, "bytes", 32)]
    sent = fed_large.last_network.communicator(dave).stats
    assert sent.messages_sent == 3 and set(sent.per_peer_sent) == set(COMPUTE)


def test_data_party_sharing_costs_two_shares_per_word_per_computing_party(fed_large):
    """One int64 column of n rows: its value and its NULL bit, each as two words, in
    one message to each computing party (with a header of the row count)."""
    fed_large.execute("alice", "SELECT SUM(x) AS s FROM (SELECT age AS x FROM a_people "
                      "UNION ALL SELECT age AS x FROM d_people) AS u")
    stats = fed_large.last_network.communicator(PARTIES.index("dave")).stats
    n = 3000
    assert stats.messages_sent == 3
    for p in COMPUTE:
        # header: the row count and one string width per column
        assert stats.per_peer_sent[p] == 8 * 2 + 2 * 8 * n * 2, stats.per_peer_sent


def test_parties_outside_the_query_take_no_part(fed_large):
    fed_large.execute("alice", "SELECT COUNT(*) AS n FROM a_people JOIN b_visits "
                      "ON a_people.id = b_visits.id")
    for party in ("dave", "erin"):
        comm = fed_large.last_network.communicator(PARTIES.index(party))
        assert comm.received == [] and comm.stats.messages_sent == 0


def test_helper_opens_only_what_the_ledger_lists_and_receives_random_words(fed_large):
    sql = ("SELECT tag, COUNT(*) AS n, SUM(age) AS s FROM d_people JOIN e_orders "
           "ON d_people.id = e_orders.id GROUP BY tag")
    plan = fed_large.plan("dave", sql)
    result = fed_large.execute("dave", sql)
    assert result.table.num_rows == 3
    carol = PARTIES.index("carol")
    listed = {what for s in plan.steps for what, to, _ in s.args["opens"] if "carol" in to}
    assert listed and not listed & {RESULT, JOIN_MATCHES}  # sizes only
    opened = {o.what for o in fed_large.engines[carol].rt.openings if carol in o.to}
    assert opened <= listed
    # what the data parties sent it: their rows' shares, uniformly random words (the
    # protocol among the three is tested in tests/engine/test_query_view.py)
    from_data = [p for frm, p in _received(fed_large, carol) if frm >= 3]
    assert len(from_data) == 2
    words = np.concatenate([np.ascontiguousarray(a).view(np.uint8).ravel()
                            for p in from_data for a in p[1:]])
    assert words.size > 100_000 and _uniform(words) < 400


def test_data_party_learns_no_other_sizes():
    """erin's view of a query she asks over others' rows is her result only: the
    ledger lists nothing else for her."""
    with Federation(FIVE) as fed:
        plan = fed.plan("erin", "SELECT AVG(age) AS a FROM (SELECT age, name FROM a_people "
                        "UNION ALL SELECT age, name FROM d_people) AS u WHERE name > 'M'")
    for step in plan.steps:
        for what, to, _ in step.args["opens"]:
            if "erin" in to:
                assert what in (RESULT, OUT_OF_RANGE) and to == ["erin"]
            if "dave" in to:
                pytest.fail(f"dave learns {what} of a query he only shares rows for")
