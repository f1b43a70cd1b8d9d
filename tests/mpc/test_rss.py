"""rss.mul / rss.and_ (and the PRG paths they use) against numpy, and their traffic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import INT64_MAX, INT64_MIN, edge_values, secure, traffic

from scql_py.mpc import rss
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.prg import PRG

RNG = np.random.default_rng(20240601)
int64s = st.integers(INT64_MIN, INT64_MAX)


def test_mul_random_and_edges_wraps_like_int64():
    e = edge_values(INT64_MIN, INT64_MAX)
    x = np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 5000), np.repeat(e, len(e))])
    y = np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 5000), np.tile(e, len(e))])
    got = secure(rss.mul, x, y)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(got, x * y)


def test_and_random_words():
    x = RNG.integers(INT64_MIN, INT64_MAX, 7001)
    y = RNG.integers(INT64_MIN, INT64_MAX, 7001)
    got = secure(rss.and_, x, y, boolean=[True, True])
    np.testing.assert_array_equal(got, x & y)


def test_mul_many_and_and_many_batch_in_one_round():
    x, y = RNG.integers(-1000, 1000, 300), RNG.integers(-1000, 1000, 300)

    def prog(rt, a, b):
        before = rt.comm.stats.rounds
        prods = rss.mul_many(rt, [(a, b), (a[:10], a[:10])])
        ands = rss.and_many(rt, [(rss.BShare(rt.party, a.a, a.b), rss.BShare(rt.party, b.a, b.b))])
        return prods[0], prods[1], ands[0].copy(), np.array([rt.comm.stats.rounds - before])

    p0, p1, _, rounds = secure(prog, x, y)
    np.testing.assert_array_equal(p0, x * y)
    np.testing.assert_array_equal(p1, x[:10] ** 2)
    assert rounds.tolist() == [2]


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.uint32, np.uint64])
def test_and_arrays_on_narrow_words(dtype):
    n = 999
    x = RNG.integers(0, np.iinfo(dtype).max, n, dtype=dtype, endpoint=True)
    y = RNG.integers(0, np.iinfo(dtype).max, n, dtype=dtype, endpoint=True)

    def party(rt, _):
        def share(v, owner):
            w = rss.share_input_bool(rt, owner, v.astype(np.uint64) if rt.party == owner
                                     else None, n)
            return w.a.astype(dtype), w.b.astype(dtype)

        (xa, xb), (ya, yb) = share(x, 0), share(y, 2)
        za, zb = rss.and_arrays(rt, xa, xb, ya, yb)
        out = rss.reveal(rt, rss.BShare(rt.party, za.astype(np.uint64), zb.astype(np.uint64)))
        return out, za.dtype

    for out, dt in run_parties(party):
        assert dt == dtype
        np.testing.assert_array_equal(out, (x & y).astype(np.uint64))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(int64s, int64s), min_size=1, max_size=20))
def test_mul_property(pairs):
    x = np.array([p[0] for p in pairs], dtype=np.int64)
    y = np.array([p[1] for p in pairs], dtype=np.int64)
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(secure(rss.mul, x, y), x * y)


def test_prg_in_place_draws_match_plain_draws():
    key = bytes(range(16))
    a, b = PRG(key), PRG(key)
    for n in (0, 1, 2, 3, 5, 33, 1000, 70001):
        z = np.zeros(n, np.uint64)
        a.xor_into(z)
        np.testing.assert_array_equal(z, b.uint64(n))
        base = RNG.integers(0, 2**63, n, dtype=np.uint64)
        z = base.copy()
        a.add_into(z)
        np.testing.assert_array_equal(z, base + b.uint64(n))
        z = base.copy()
        a.add_into(z, subtract=True)
        np.testing.assert_array_equal(z, base - b.uint64(n))
    narrow = np.zeros(37, np.uint8)
    a.xor_into(narrow)
    assert narrow.tobytes() == b.bytes(37)
    np.testing.assert_array_equal(a.uint64(4), b.uint64(4))  # still in step


def test_prg_streams_differ_by_key_and_position():
    a, b = PRG(b"a" * 16), PRG(b"b" * 16)
    first, second = a.uint64(1000), a.uint64(1000)
    assert not np.array_equal(first, second)
    assert not np.array_equal(first, b.uint64(1000))


def test_mul_and_and_traffic_one_word_per_element_per_party():
    n = 4096
    x, y = RNG.integers(-99, 99, n), RNG.integers(-99, 99, n)
    for stats in traffic(rss.mul, x, y):
        assert stats["rounds"] == 1
        assert stats["bytes_sent"] == 8 * n and stats["bytes_received"] == 8 * n
        assert stats["messages_sent"] == 1

    def and_words(rt, a, b):
        return rss.and_(rt, rss.BShare(rt.party, a.a, a.b), rss.BShare(rt.party, b.a, b.b))

    for stats in traffic(and_words, x, y):
        assert (stats["rounds"], stats["bytes_sent"]) == (1, 8 * n)


def test_shares_are_not_modified_by_later_protocol_calls():
    # in-process peers receive references: a party must never overwrite an array it sent
    x, y = RNG.integers(-99, 99, 50), RNG.integers(-99, 99, 50)

    def prog(rt, a, b):
        z = rss.mul(rt, a, b)
        saved = (z.a.copy(), z.b.copy())
        rss.mul(rt, z, z)
        rss.and_(rt, rss.BShare(rt.party, z.a, z.b), rss.BShare(rt.party, z.a, z.b))
        assert np.array_equal(saved[0], z.a) and np.array_equal(saved[1], z.b)
        return z

    np.testing.assert_array_equal(secure(prog, x, y), x * y)
