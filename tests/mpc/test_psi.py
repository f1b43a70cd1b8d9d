"""ECDH-PSI joins: results against pandas on the same data, and what each party receives.

The parties run on three threads over the in-process network; the expected answers
are computed independently with pandas/numpy on the plaintext inputs. The join with
duplicates on both sides runs on server-aided PSI as well (tests/mpc/psi_joins.py).
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from psi_joins import (
    CHECK_JOIN,
    LEFT,
    RIGHT,
    THIRD,
    expected_pairs,
    joined_pairs,
    run_recorded,
)
from psi_joins import check_ecdh_join as check_join
from psi_joins import run_ecdh_join as run_join

from scql_py.errors import InternalError
from scql_py.mpc import psi
from scql_py.net.inprocess import InProcessNetwork

# -- helpers ---------------------------------------------------------------------------


def unblinded_points(keys: list[np.ndarray]) -> set[bytes]:
    """H(k) for every key tuple: what a party would see if nobody blinded."""
    records, ok = psi.key_records(keys)
    digests = psi._digests([r for r, v in zip(records, ok, strict=True) if v], len(keys))
    one = (1).to_bytes(32, "little")
    return {bytes(p) for p in psi.hash_and_blind(digests, one)}


def is_group_element(point: np.ndarray) -> bool:
    s = psi.sodium()
    return s.lib.crypto_core_ristretto255_is_valid_point(bytes(point)) == 1


# -- inner join --------------------------------------------------------------------------


@pytest.mark.parametrize("protocol", sorted(CHECK_JOIN))
def test_join_with_duplicates_on_both_sides_matches_pandas(protocol):
    rng = np.random.default_rng(7)
    lk, rk = rng.integers(0, 40, 300), rng.integers(20, 60, 200)
    lv, rv = rng.random(300) > 0.1, rng.random(200) > 0.1
    results = CHECK_JOIN[protocol]([lk], [rk], lv, rv)
    left, right = results[LEFT].left, results[RIGHT].right
    assert (lk[left] == rk[right]).all() and lv[left].all() and rv[right].all()


def test_pairs_are_grouped_by_key_left_then_right_ascending():
    lk, rk = np.array([5, 1, 5, 1, 5]), np.array([1, 5, 5, 1])
    got = joined_pairs(check_join([lk], [rk]))
    blocks = [got[:6], got[6:]] if lk[got[0][0]] == 5 else [got[:4], got[4:]]
    for block in blocks:
        assert block == sorted(block)
        assert len({lk[i] for i, _ in block}) == 1


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.tuples(st.integers(-3, 3), st.booleans()), max_size=25),
    st.lists(st.tuples(st.integers(-3, 3), st.booleans()), max_size=25),
)
def test_join_random_small_tables(left, right):
    lk = np.array([k for k, _ in left], dtype=np.int64)
    rk = np.array([k for k, _ in right], dtype=np.int64)
    lv = np.array([v for _, v in left], dtype=bool)
    rv = np.array([v for _, v in right], dtype=bool)
    check_join([lk], [rk], lv, rv)


def test_extreme_int64_values():
    edge = np.array([np.iinfo(np.int64).min, -1, 0, 1, np.iinfo(np.int64).max], dtype=np.int64)
    got = joined_pairs(check_join([edge], [edge[::-1].copy()]))
    assert sorted(got) == [(i, 4 - i) for i in range(5)]


def test_null_keys_never_match():
    ints = np.array([1, 2, 3, 4])
    assert joined_pairs(run_join([ints], [ints], np.zeros(4, bool), np.ones(4, bool))) == []
    # None / NaN / NaT are NULL without a mask, also in one column of a multi-column key
    strs = np.array(["a", None, "c", "d"], dtype=object)
    floats = np.array([1.0, np.nan, 3.0, np.nan])
    dates = np.array(["2024-01-01", "NaT", "2024-01-03", "2024-01-04"], dtype="datetime64[D]")
    for col in (strs, floats, dates):
        got = joined_pairs(check_join([col], [col]))
        assert sorted(got) == [(i, i) for i in range(4) if not pd.isna(col[i])]
    got = joined_pairs(check_join([ints, strs], [ints, strs]))
    assert sorted(got) == [(0, 0), (2, 2), (3, 3)]


@pytest.mark.parametrize(
    ("n_left", "n_right"), [(0, 0), (0, 5), (5, 0)]
)
def test_empty_inputs(n_left, n_right):
    results = check_join([np.arange(n_left)], [np.arange(n_right)])
    assert len(results[LEFT].left) == len(results[RIGHT].right) == 0


def test_all_null_side():
    results = check_join([np.arange(6)], [np.arange(6)], None, np.zeros(6, bool))
    assert len(results[LEFT].left) == 0


def test_no_matches_and_all_match():
    assert joined_pairs(run_join([np.arange(50)], [np.arange(50, 90)])) == []
    keys = np.arange(40)
    perm = np.random.default_rng(3).permutation(40)
    got = joined_pairs(check_join([keys], [keys[perm]]))
    assert sorted(got) == sorted((int(perm[j]), j) for j in range(40))


def test_string_keys_with_unicode_and_prefixes():
    lk = np.array(["", "a", "ab", "abc", "zürich", "東京", "a", "ab\x00"], dtype=object)
    rk = np.array(["ab", "ABC", "東京", "a", "abc ", "zürich", "", "ab"], dtype=object)
    check_join([lk], [rk])
    check_join([lk.astype(str)], [rk])  # numpy unicode arrays encode like Python str


def test_multi_column_keys_are_unambiguous():
    # ("a", "bc") must not meet ("ab", "c"); (1, "2") must not meet ("1", 2)
    lk = [np.array(["a", "ab", "x", "1"], dtype=object), np.array(["bc", "c", "y", 2], dtype=object)]
    rk = [np.array(["ab", "a", "x", 1], dtype=object), np.array(["c", "bc", "y", "2"], dtype=object)]
    got = joined_pairs(check_join(lk, rk))
    assert sorted(got) == [(0, 1), (1, 0), (2, 2)]


def test_multi_column_random_keys_match_pandas():
    rng = np.random.default_rng(11)
    names = np.array(["ann", "bob", "cy", "dee"], dtype=object)
    lk = [rng.integers(0, 4, 200), names[rng.integers(0, 4, 200)]]
    rk = [rng.integers(0, 4, 150), names[rng.integers(0, 4, 150)]]
    check_join(lk, rk, rng.random(200) > 0.2, None)


def test_keys_of_equal_value_but_different_dtype_meet():
    got = joined_pairs(run_join([np.array([1, 2, 3], np.int32)], [np.array([3.0, 2.0, 2.5])]))
    assert sorted(got) == [(1, 1), (2, 0)]
    days = np.array(["2024-02-29", "1969-12-31"], dtype="datetime64[D]")
    objs = np.array([dt.date(1969, 12, 31), dt.date(2024, 3, 1)], dtype=object)
    assert joined_pairs(run_join([days], [objs])) == [(1, 0)]
    stamps = np.array(["2024-01-01T10:00:00.000001"], dtype="datetime64[us]")
    pystamps = np.array([dt.datetime(2024, 1, 1, 10, 0, 0, 1)], dtype=object)
    assert joined_pairs(run_join([stamps], [pystamps])) == [(0, 0)]
    # a string never meets a number, a bool never meets an integer
    assert joined_pairs(run_join([np.array(["1"], dtype=object)], [np.array([1])])) == []
    assert joined_pairs(run_join([np.array([True, False])], [np.array([1, 0])])) == []


def test_threads_give_the_same_join():
    rng = np.random.default_rng(5)
    n = psi._MIN_PARALLEL + 300  # large enough for the thread pool
    lk = rng.integers(0, 10**9, n)
    rk = np.concatenate([lk[: n // 2], rng.integers(0, 10**9, n // 2)])
    check_join([lk], [rk], workers=2)


# -- left join and membership -----------------------------------------------------------


def expected_left(lk, rk, lv, rv):
    pairs = expected_pairs(lk, rk, lv, rv)
    matched = {i for i, _ in pairs}
    return pairs, [i for i in range(len(lk[0])) if i not in matched]


@pytest.mark.parametrize("seed", [0, 1])
def test_left_join_matches_pandas(seed):
    rng = np.random.default_rng(seed)
    lk, rk = [rng.integers(0, 30, 120)], [rng.integers(10, 40, 80)]
    lv, rv = rng.random(120) > 0.15, rng.random(80) > 0.15
    results = run_join(lk, rk, lv, rv, fn=psi.psi_left_join_indices)
    lres, rres = results[LEFT], results[RIGHT]
    pairs, unmatched = expected_left(lk, rk, lv, rv)
    got = sorted(zip(lres.left.tolist(), rres.right.tolist(), strict=True))
    assert got == pairs
    assert lres.unmatched_left.tolist() == unmatched
    assert lres.n_unmatched == rres.n_unmatched == len(unmatched)
    assert rres.left is None and rres.unmatched_left is None and lres.right is None
    assert results[THIRD] is None
    # every left row appears: matched ones in pairs, the rest once as unmatched
    assert set(lres.left.tolist()) | set(unmatched) == set(range(120))


def test_left_join_without_any_match():
    results = run_join([np.arange(5)], [np.arange(5, 8)], fn=psi.psi_left_join_indices)
    assert results[LEFT].unmatched_left.tolist() == [0, 1, 2, 3, 4]
    assert results[RIGHT].n_unmatched == 5 and len(results[RIGHT].right) == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=20),
    st.lists(st.one_of(st.none(), st.text(max_size=3)), max_size=20),
)
def test_membership_matches_isin(left, right):
    lk, rk = np.array(left, dtype=object), np.array(right, dtype=object)
    results = run_join([lk], [rk], fn=psi.psi_membership)
    right_values = {v for v in right if v is not None}
    expected = [v is not None and v in right_values for v in left]
    assert results[LEFT].dtype == bool and results[LEFT].tolist() == expected
    assert results[RIGHT] is None and results[THIRD] is None


# -- what each party receives ------------------------------------------------------------


def test_join_messages_are_blinded_group_elements_and_match_counts():
    rng = np.random.default_rng(9)
    lk, rk = rng.integers(0, 30, 90), rng.integers(15, 45, 70)
    lv = rng.random(90) > 0.1
    results, comms = run_recorded(
        lambda comm, a: psi.psi_join_indices(comm, LEFT, RIGHT, a[0], a[1]),
        [([lk], lv), ([rk], None), (None, None)],
    )
    distinct = {LEFT: set(lk[lv].tolist()), RIGHT: set(rk.tolist())}
    count = {LEFT: pd.Series(lk[lv]).value_counts(), RIGHT: pd.Series(rk).value_counts()}
    common = distinct[LEFT] & distinct[RIGHT]
    for me, peer in ((LEFT, RIGHT), (RIGHT, LEFT)):
        got = comms[me].received
        assert [frm for frm, _ in got] == [peer, peer, peer]
        (_, once), (_, twice), (_, counts) = got
        assert len(once) == len(distinct[peer]) and len(twice) == len(distinct[me])
        for points in (once, twice):
            assert points.dtype == np.uint8 and points.shape[1] == psi.POINT_BYTES
            assert all(is_group_element(p) for p in points)
            assert len({bytes(p) for p in points}) == len(points)
        # nothing arrives as a bare hash of a key: every element is blinded
        keys = [np.array(sorted(distinct[peer] | distinct[me]))]
        assert not unblinded_points(keys) & {bytes(p) for p in np.concatenate([once, twice])}
        # the only other message: the peer's multiplicity of each matched key
        assert counts.dtype == np.int64
        assert sorted(counts.tolist()) == sorted(int(count[peer][k]) for k in common)
        assert comms[me].stats.rounds == 3
    assert comms[THIRD].received == [] and comms[THIRD].stats.messages_sent == 0
    assert results[THIRD] is None


def test_both_owners_shuffle_their_lists():
    keys = [np.arange(60)]  # distinct keys: key id = row = position if nobody shuffled
    results, comms = run_recorded(
        lambda comm, k: psi.psi_join_indices(comm, LEFT, RIGHT, k), [keys, keys, None]
    )
    left, right = results[LEFT].left, results[RIGHT].right
    # the common order is the left owner's shuffled order (odds of sorted: 1/60!)
    assert left.tolist() != sorted(left.tolist())
    # each owner's list doubly blinded, in its own sending order
    left_twice, right_twice = comms[LEFT].received[1][1], comms[RIGHT].received[1][1]
    p, q = psi.match_positions(left_twice, right_twice)
    assert p.tolist() == list(range(60))
    assert q.tolist() != right.tolist()  # right position q is not right row q


def test_fresh_secrets_every_run():
    keys = [np.arange(10)]
    outs = []
    for _ in range(2):
        _, comms = run_recorded(
            lambda comm, k: psi.psi_join_indices(comm, LEFT, RIGHT, k),
            [keys, keys, None],
        )
        outs.append({bytes(p) for p in comms[RIGHT].received[0][1]})
    assert not outs[0] & outs[1]


def test_membership_right_owner_sees_only_blinded_left_keys():
    lk, rk = np.array([1, 2, 2, 3, 9]), np.array([2, 3, 4])
    results, comms = run_recorded(
        lambda comm, k: psi.psi_membership(comm, LEFT, RIGHT, k),
        [[lk], [rk], None],
    )
    assert results[LEFT].tolist() == [False, True, True, True, False]
    (frm, once), = comms[RIGHT].received
    assert frm == LEFT and once.shape == (4, psi.POINT_BYTES)  # distinct left keys
    assert all(is_group_element(p) for p in once)
    assert not unblinded_points([np.array([1, 2, 3, 9])]) & {bytes(p) for p in once}
    assert [len(p) for _, p in comms[LEFT].received] == [3, 4]
    assert comms[LEFT].stats.rounds == comms[RIGHT].stats.rounds == 2
    assert comms[THIRD].received == [] and results[RIGHT] is None


# -- encoding, matching, misuse ----------------------------------------------------------

scalars = st.one_of(
    st.integers(-(2**70), 2**70), st.text(max_size=4), st.binary(max_size=4), st.booleans()
)


@settings(max_examples=200, deadline=None)
@given(st.lists(scalars, min_size=1, max_size=3), st.lists(scalars, min_size=1, max_size=3))
def test_key_records_equal_only_for_equal_tuples(a, b):
    if len(a) != len(b):
        return
    ra, _ = psi.key_records([np.array([v], dtype=object) for v in a])
    rb, _ = psi.key_records([np.array([v], dtype=object) for v in b])
    same = all(type(x) is type(y) and x == y for x, y in zip(a, b, strict=True))
    assert (ra[0] == rb[0]) == same


def test_numeric_fast_path_encodes_like_python_values():
    ints = np.array([0, -5, 2**40], dtype=np.int64)
    assert psi.key_records([ints])[0] == psi.key_records([ints.astype(object)])[0]
    mixed = np.array([1.5, 2.0, -0.0])
    objs = np.array([1.5, 2, 0], dtype=object)
    assert psi.key_records([mixed])[0] == psi.key_records([objs])[0]


def test_match_positions_falls_back_on_prefix_collisions():
    rng = np.random.default_rng(2)
    left = rng.integers(0, 256, (6, 32), dtype=np.uint8)
    left[1, :8] = left[0, :8]  # two points agreeing on their first 64 bits
    right = left[[5, 1, 3]].copy()
    right[2, 31] ^= 1  # same prefix as left[3], different point
    p, q = psi.match_positions(left, right)
    assert p.tolist() == [1, 5] and q.tolist() == [1, 0]


def test_misuse_is_refused():
    net = InProcessNetwork(["a", "b", "c"])
    with pytest.raises(ValueError):
        psi.psi_join_indices(net.communicator(0), 0, 0, [np.arange(3)])
    with pytest.raises(ValueError):
        psi.psi_join_indices(net.communicator(0), 0, 1, None)
    with pytest.raises(ValueError):
        psi.key_records([np.arange(3), np.arange(4)])
    with pytest.raises(TypeError):
        psi.key_records([np.array([object()], dtype=object)])


def test_malformed_peer_message_is_an_error():
    def peer_sends_garbage(comm, keys):
        if comm.party == RIGHT:
            comm.exchange({LEFT: np.zeros((2, 16), np.uint8)}, [LEFT])
            return None
        return psi.psi_join_indices(comm, LEFT, RIGHT, keys)

    with pytest.raises(InternalError, match="malformed"):
        run_recorded(peer_sends_garbage, [[np.arange(3)], None, None])

    def peer_sends_non_points(comm, keys):
        if comm.party == RIGHT:
            comm.exchange({LEFT: np.full((2, 32), 0xFF, np.uint8)}, [LEFT])
            return None
        return psi.psi_join_indices(comm, LEFT, RIGHT, keys)

    with pytest.raises(InternalError, match="not a group element"):
        run_recorded(peer_sends_non_points, [[np.arange(3)], None, None])
