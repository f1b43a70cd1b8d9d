"""Secure equality against numpy, on random, equal and edge values, and its traffic."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import INT64_MAX, INT64_MIN, edge_values, secure, traffic

from scql_py.mpc import equality

RNG = np.random.default_rng(11)


def _pairs():
    e = edge_values(INT64_MIN, INT64_MAX)
    x = np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 4000), np.repeat(e, len(e))])
    y = np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 4000), np.tile(e, len(e))])
    y[:1500] = x[:1500]
    # values that differ in exactly one bit, in every position
    bits = np.arange(64, dtype=np.uint64)
    z = RNG.integers(INT64_MIN, INT64_MAX, 64)
    x = np.concatenate([x, z])
    y = np.concatenate([y, (z.view(np.uint64) ^ (np.uint64(1) << bits)).view(np.int64)])
    return x, y


def test_equal_and_not_equal():
    x, y = _pairs()
    np.testing.assert_array_equal(secure(equality.equal, x, y), (x == y).astype(np.int64))
    np.testing.assert_array_equal(secure(equality.not_equal, x, y), (x != y).astype(np.int64))


def test_equal_zero_and_public():
    x, _ = _pairs()
    x[::7] = 0
    np.testing.assert_array_equal(secure(equality.equal_zero, x), (x == 0).astype(np.int64))
    for c in (0, -1, INT64_MIN, int(x[3])):
        got = secure(lambda rt, s, c=c: equality.equal_public(rt, s, c), x)
        np.testing.assert_array_equal(got, (x == c).astype(np.int64))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(INT64_MIN, INT64_MAX), st.integers(-2, 2)),
                min_size=1, max_size=16))
def test_equal_property(pairs):
    x = np.array([p[0] for p in pairs], dtype=np.int64)
    y = np.array([max(INT64_MIN, min(INT64_MAX, p[0] + p[1])) for p in pairs],
                 dtype=np.int64)
    np.testing.assert_array_equal(secure(equality.equal, x, y), (x == y).astype(np.int64))


def test_equal_traffic():
    n = 4096
    x, y = RNG.integers(-9, 9, n), RNG.integers(-9, 9, n)
    stats = traffic(equality.equal, x, y)
    tree = 4 * n + 2 * n + n + n + n + n  # uint32, uint16, uint8 halves; 3 in-byte levels
    assert [s["rounds"] for s in stats] == [7, 7, 7]
    assert stats[0]["bytes_sent"] == 8 * n + tree
    assert stats[1]["bytes_sent"] == stats[2]["bytes_sent"] == tree
