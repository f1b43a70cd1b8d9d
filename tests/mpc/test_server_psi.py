"""Server-aided PSI joins: results against pandas, and what each party receives.

Party 0 and 1 own the keys, party 2 is the server that matches them. Expected answers
come from pandas on the plaintext inputs; what a party receives is read from channels
that record it (``comm.received``). The join with duplicates and NULLs on both sides is
tests/mpc/test_psi.py's, parametrised over both PSI joins.
"""

from __future__ import annotations

import hashlib

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psi_joins import LEFT, RIGHT, expected_pairs, run_recorded
from psi_joins import THIRD as SERVER
from psi_joins import check_server_join as check_join
from psi_joins import run_server_join as run_join

from scql_py.errors import InternalError
from scql_py.mpc import server_psi as sp
from scql_py.net.inprocess import InProcessNetwork


def recorded_join(lk, rk, lv=None, rv=None):
    return run_recorded(
        lambda comm, a: sp.server_psi_join_indices(comm, LEFT, RIGHT, SERVER, a[0], a[1]),
        [(lk, lv), (rk, rv), (None, None)])


# -- joins ---------------------------------------------------------------------------------


def test_pairs_are_grouped_by_key_left_then_right_ascending():
    lk, rk = np.array([5, 7, 5, 7, 9]), np.array([7, 5, 5, 7, 7])
    results = check_join([lk], [rk])
    pairs = list(zip(results[LEFT].left.tolist(), results[RIGHT].right.tolist(), strict=True))
    for key in (5, 7):
        block = [(i, j) for i, j in pairs if lk[i] == key]
        assert block == sorted(block)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(-5, 5) | st.none(), max_size=25),
       st.lists(st.integers(-5, 5) | st.none(), max_size=25))
def test_random_small_tables(left, right):
    lk = np.array([0 if v is None else v for v in left], np.int64)
    rk = np.array([0 if v is None else v for v in right], np.int64)
    lv = np.array([v is not None for v in left], bool)
    rv = np.array([v is not None for v in right], bool)
    check_join([lk], [rk], lv, rv)


def test_extreme_int64_values():
    ext = np.array([-(2**63), 2**63 - 1, 0, -1, 1], np.int64)
    check_join([ext], [ext[::-1].copy()])


def test_string_keys_unicode_prefixes_and_long_strings():
    long = "x" * 100
    lk = np.array(["", "a", "ab", "abc", "é", "日本", long, long + "y", None, "a" * 16],
                  dtype=object)
    rk = np.array(["ab", "", "日本", long + "y", "a" * 16, "a" * 17, None, "A", "é"],
                  dtype=object)
    check_join([lk], [rk])


def test_multi_column_keys_are_unambiguous():
    # ("a", 1) must not meet ("a1", ...) or (1, "a"): the header and digests keep them apart
    lk = [np.array(["a", "a", "b"], dtype=object), np.array([1, 2, 1])]
    rk = [np.array(["a", "b", "a"], dtype=object), np.array([2, 1, 3])]
    check_join(lk, rk)
    results = run_join([np.array([1, 2])], [np.array(["1", "2"], dtype=object)])
    assert len(results[LEFT].left) == 0 and results[SERVER] == 0


def test_random_multi_column_keys_match_pandas():
    rng = np.random.default_rng(11)
    words = np.array(["x", "yy", "zzz", None], dtype=object)
    lk = [rng.integers(0, 4, 200), words[rng.integers(0, 4, 200)]]
    rk = [rng.integers(0, 4, 150), words[rng.integers(0, 4, 150)]]
    check_join(lk, rk)


@pytest.mark.parametrize("n_left, n_right", [(0, 5), (5, 0), (0, 0)])
def test_empty_inputs(n_left, n_right):
    check_join([np.arange(n_left)], [np.arange(n_right)])


def test_all_null_side_and_no_match_and_all_match():
    check_join([np.arange(5)], [np.arange(5)], None, np.zeros(5, bool))
    check_join([np.arange(5)], [np.arange(5, 10)])
    check_join([np.arange(50)], [np.arange(50)[::-1].copy()])


@pytest.mark.parametrize("seed", [1, 2])
def test_left_join_matches_pandas(seed):
    rng = np.random.default_rng(seed)
    lk, rk = rng.integers(0, 20, 80), rng.integers(10, 30, 60)
    lv = rng.random(80) > 0.2
    results = run_join([lk], [rk], lv, None, outer=True)
    left, right = results[LEFT], results[RIGHT]
    pairs = sorted(zip(left.left.tolist(), right.right.tolist(), strict=True))
    assert pairs == expected_pairs([lk], [rk], lv)
    matched = {i for i, _ in pairs}
    want_unmatched = [i for i in range(80) if i not in matched]
    assert left.unmatched_left.tolist() == want_unmatched
    assert left.n_unmatched == right.n_unmatched == len(want_unmatched)
    assert right.unmatched_left is None


def test_large_join_is_exact():
    rng = np.random.default_rng(3)
    base = rng.choice(2**62, size=20_000, replace=False).astype(np.int64)
    right = np.concatenate([base[:7_000], -1 - base[7_000:]])[rng.permutation(20_000)]
    results = run_join([base], [right])
    left_rows, right_rows = results[LEFT].left, results[RIGHT].right
    assert len(left_rows) == 7_000 == results[SERVER]
    assert (base[left_rows] == right[right_rows]).all()


# -- what each party receives ----------------------------------------------------------------


def _sent_lists(comms):
    """The two tag lists the server received, by owner."""
    got = dict(comms[SERVER].received)
    return got[LEFT], got[RIGHT]


def test_each_party_receives_only_its_messages():
    rng = np.random.default_rng(9)
    lk, rk = rng.integers(0, 30, 90), rng.integers(15, 45, 70)
    lv = rng.random(90) > 0.1
    results, comms = recorded_join([lk], [rk], lv, None)
    distinct = {LEFT: set(lk[lv].tolist()), RIGHT: set(rk.tolist())}
    common = distinct[LEFT] & distinct[RIGHT]
    # the server: one list of distinct tags from each owner, nothing else
    assert sorted(frm for frm, _ in comms[SERVER].received) == [LEFT, RIGHT]
    lists = _sent_lists(comms)
    for owner, tags in zip((LEFT, RIGHT), lists, strict=True):
        assert tags.dtype == np.uint8 and tags.shape == (len(distinct[owner]), sp.TAG_BYTES)
        assert len({bytes(t) for t in tags}) == len(tags)
    assert len({bytes(t) for t in lists[0]} & {bytes(t) for t in lists[1]}) == len(common)
    assert results[SERVER] == len(common)
    # the right owner: the join key from the left, its positions, the left's counts
    (k_from, key), (p_from, _), (c_from, counts) = comms[RIGHT].received
    assert (k_from, p_from, c_from) == (LEFT, SERVER, LEFT)
    assert isinstance(key, bytes) and len(key) == sp.KEY_BYTES
    left_counts = pd.Series(lk[lv]).value_counts()
    assert sorted(counts.tolist()) == sorted(int(left_counts[k]) for k in common)
    # the left owner: its positions, the right's counts; never the key back
    assert [frm for frm, _ in comms[LEFT].received] == [SERVER, RIGHT]
    assert all(comms[SERVER].stats.per_peer_sent.get(p, 0) > 0 for p in (LEFT, RIGHT))
    for me in (LEFT, RIGHT):
        assert comms[me].stats.rounds <= 4


def test_each_owner_gets_its_own_positions_aligned():
    """What the server sends an owner indexes that owner's list, in one common order: a
    server that sent the left owner the right owner's positions (or the other way round)
    fails here, and so does one whose two answers are not aligned."""
    rng = np.random.default_rng(4)
    lk, rk = rng.choice(1000, 300, replace=False), rng.choice(1000, 400, replace=False)
    results, comms = recorded_join([lk], [rk])
    left_list, right_list = _sent_lists(comms)
    p = dict(comms[LEFT].received)[SERVER]
    q = dict(comms[RIGHT].received)[SERVER]
    assert len(p) == len(q) == len(set(lk.tolist()) & set(rk.tolist())) > 0
    assert isinstance(results[LEFT].left, np.ndarray) and results[LEFT].right is None
    assert p.max() < len(left_list) and q.max() < len(right_list)
    assert (left_list[p] == right_list[q]).all()


def test_server_sees_only_random_looking_tags():
    """Consecutive integers (the most structured keys) give tags whose bits are balanced,
    that equal neither the keys' bytes nor any unkeyed hash of them."""
    n = 4000
    keys = np.arange(n, dtype=np.int64)
    _, comms = recorded_join([keys], [keys + n // 2])
    both = np.concatenate(_sent_lists(comms))
    tags = np.unique(both.view(f"V{sp.TAG_BYTES}").ravel()).view(np.uint8).reshape(-1, 16)
    assert len(tags) == 3 * n // 2  # the common keys' tags, once
    bits = np.unpackbits(tags, axis=1)
    # each of the 128 bit positions is set in about half the tags (binomial, sd ~ 0.0065)
    assert np.abs(bits.mean(axis=0) - 0.5).max() < 0.04
    # bytes are spread over all 256 values (a raw int64 key has mostly zero bytes)
    counts = np.bincount(tags.ravel(), minlength=256)
    expected = tags.size / 256
    assert ((counts - expected) ** 2 / expected).sum() < 400  # chi-square: 255 +- 23
    seen = {bytes(t) for t in tags}
    raw = {v.tobytes().ljust(sp.TAG_BYTES, b"\0") for v in keys}
    unkeyed = {hashlib.blake2b(v.tobytes(), digest_size=sp.TAG_BYTES).digest() for v in keys}
    sha = {hashlib.sha256(v.tobytes()).digest()[: sp.TAG_BYTES] for v in keys}
    assert not seen & (raw | unkeyed | sha)


def test_tags_come_from_a_fresh_key_every_join():
    """The same keys joined twice give unrelated tags: the server cannot link two queries,
    nor tabulate a hash of likely keys (an unkeyed or fixed-key hash fails here)."""
    keys = [np.arange(200)]
    outs = []
    for _ in range(2):
        _, comms = recorded_join(keys, keys)
        outs.append({bytes(t) for t in _sent_lists(comms)[0]})
    assert not outs[0] & outs[1]


def test_tags_are_the_keyed_prf_of_the_keys_in_tag_order():
    """Whoever holds the join key (the right owner got it) can recompute the tags; the
    server, without it, sees them in the order of their values, not the rows'."""
    keys = np.arange(60)
    _, comms = recorded_join([keys], [keys])
    key = next(m for frm, m in comms[RIGHT].received if frm == LEFT)  # before the counts
    left_list, right_list = _sent_lists(comms)
    mine = sp.keyed_tags(key, [keys])
    position = {bytes(t): i for i, t in enumerate(mine)}
    order_l = [position[bytes(t)] for t in left_list]
    order_r = [position[bytes(t)] for t in right_list]
    assert sorted(order_l) == sorted(order_r) == list(range(60))
    assert order_l != list(range(60)) and order_r != list(range(60))
    for tags in (left_list, right_list):
        first = tags.view(np.uint64)[:, 0]
        assert (first[1:] > first[:-1]).all()
    assert not {bytes(t) for t in sp.keyed_tags(bytes(32), [keys])} & set(position)


# -- exactness and misuse -------------------------------------------------------------------


def test_distinct_and_matching_are_exact_on_64_bit_prefix_collisions():
    rng = np.random.default_rng(2)
    tags = rng.integers(0, 256, (6, sp.TAG_BYTES), dtype=np.uint8)
    tags[1, :8] = tags[0, :8]  # two different tags sharing their first 64 bits
    codes, rep = sp._distinct(np.concatenate([tags, tags[[1, 0]]]))
    assert len(rep) == 6 and codes.tolist() == [0, 1, 2, 3, 4, 5, 1, 0]
    right = tags[[5, 1, 3]].copy()
    right[2, 15] ^= 1  # same prefix as tags[3], a different tag
    p, q = sp.match_tags(tags, right)
    assert p.tolist() == [5, 1] and q.tolist() == [0, 1]
    p, q = sp.match_tags(right, tags)
    assert p.tolist() == [1, 0] and q.tolist() == [1, 5]
    # sorted lists (as owners send them) are merged: a shared prefix is not a match
    left = np.sort(rng.integers(0, 2**63, (8, 2)).astype(np.uint64), axis=0)
    left = np.ascontiguousarray(left).view(np.uint8).reshape(8, sp.TAG_BYTES)
    right = left[[1, 4, 6]].copy()
    right[1, 15] ^= 1
    p, q = sp.match_tags(left, right)
    assert p.tolist() == [1, 6] and q.tolist() == [0, 2]
    assert [x.tolist() for x in sp.match_tags(left, left[[7]])] == [[7], [0]]


def test_misuse_is_refused():
    net = InProcessNetwork(["a", "b", "c"])
    with pytest.raises(ValueError):
        sp.server_psi_join_indices(net.communicator(0), 0, 1, 1, [np.arange(3)])
    with pytest.raises(ValueError):
        sp.server_psi_join_indices(net.communicator(0), 0, 1, 2, None)
    with pytest.raises(TypeError):
        sp.keyed_tags(bytes(32), [np.array([1.5])])


def test_malformed_messages_are_errors():
    def server_sends_out_of_range(comm, keys):
        if comm.party == SERVER:
            comm.exchange({}, [LEFT, RIGHT])
            comm.exchange({LEFT: np.array([7], np.int64), RIGHT: np.array([0], np.int64)}, [])
            return None
        return sp.server_psi_join_indices(comm, LEFT, RIGHT, SERVER, keys)

    with pytest.raises(InternalError, match="malformed"):
        run_recorded(server_sends_out_of_range, [[np.arange(3)], [np.arange(3)], None])

    def owner_sends_garbage(comm, keys):
        if comm.party == RIGHT:
            comm.exchange({}, [LEFT])
            comm.exchange({SERVER: np.zeros((2, 32), np.uint8)}, [])
            return None
        return sp.server_psi_join_indices(comm, LEFT, RIGHT, SERVER, keys)

    with pytest.raises(InternalError, match="malformed"):
        run_recorded(owner_sends_garbage, [[np.arange(3)], None, None])


def test_fresh_order_is_a_uniform_permutation():
    for n in (0, 1, 2, 1000):
        assert sorted(sp.fresh_order(n).tolist()) == list(range(n))
    counts = pd.Series([tuple(sp.fresh_order(3).tolist()) for _ in range(3000)]).value_counts()
    assert len(counts) == 6
    chi2 = (((counts - 500) ** 2) / 500).sum()
    assert chi2 < 25  # 5 degrees of freedom: p ~ 1e-4
