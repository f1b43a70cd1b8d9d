"""Secure comparisons against numpy, on random and edge values, and their traffic."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import INT64_MAX, INT64_MIN, edge_values, secure, traffic

from scql_py.mpc import compare

RNG = np.random.default_rng(7)
HALF = 2**62  # operands in [-2^62, 2^62) keep |x - y| < 2^63


def _pairs():
    e = edge_values(-HALF, HALF - 1)
    x = np.concatenate([RNG.integers(-HALF, HALF, 6000), np.repeat(e, len(e)),
                        RNG.integers(-5, 5, 500)])
    y = np.concatenate([RNG.integers(-HALF, HALF, 6000), np.tile(e, len(e)),
                        RNG.integers(-5, 5, 500)])
    y[:300] = x[:300]  # equal operands
    return x, y


def test_msb_over_the_whole_int64_range():
    x = np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 5000),
                        edge_values(INT64_MIN, INT64_MAX)])
    np.testing.assert_array_equal(secure(compare.msb, x), (x < 0).astype(np.int64))


@pytest.mark.parametrize("fn, ref", [
    (compare.less_than, np.less), (compare.less_equal, np.less_equal),
    (compare.greater_than, np.greater), (compare.greater_equal, np.greater_equal),
])
def test_comparisons_match_numpy(fn, ref):
    x, y = _pairs()
    np.testing.assert_array_equal(secure(fn, x, y), ref(x, y).astype(np.int64))


@pytest.mark.parametrize("fn, ref", [
    (compare.less_than_public, np.less), (compare.less_equal_public, np.less_equal),
    (compare.greater_than_public, np.greater), (compare.greater_equal_public, np.greater_equal),
])
def test_public_comparisons_scalar_and_array(fn, ref):
    x, y = _pairs()
    for c in (0, -1, 17, y):
        got = secure(lambda rt, s, c=c: fn(rt, s, c), x)
        np.testing.assert_array_equal(got, ref(x, c).astype(np.int64))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.tuples(st.integers(-HALF, HALF - 1), st.integers(-HALF, HALF - 1)),
                min_size=1, max_size=16))
def test_less_than_property(pairs):
    x = np.array([p[0] for p in pairs], dtype=np.int64)
    y = np.array([p[1] for p in pairs], dtype=np.int64)
    np.testing.assert_array_equal(secure(compare.less_than, x, y), (x < y).astype(np.int64))


def test_result_is_a_clean_bit_usable_by_other_protocols():
    x, y = _pairs()

    def prog(rt, a, b):
        bit = compare.less_than(rt, a, b)
        return [np.array([np.unique(np.concatenate([bit.a, bit.b])).tolist() in
                          ([0], [1], [0, 1])])]

    assert secure(prog, x, y)[0].tolist() == [True]


def test_less_than_traffic():
    n = 4096
    x, y = RNG.integers(-99, 99, n), RNG.integers(-99, 99, n)
    stats = traffic(compare.less_than, x, y)
    # bytes: generate bits 8n; uint32, uint16, uint8 halves (two products each) 8n, 4n,
    # 2n; nibbles and bit pairs 2n each; the last level (G only) n. Party 0 also shares u.
    levels = 8 * n + 8 * n + 4 * n + 2 * n + 2 * n + 2 * n + n
    assert [s["rounds"] for s in stats] == [8, 8, 8]
    assert stats[0]["bytes_sent"] == 8 * n + levels
    assert stats[1]["bytes_sent"] == stats[2]["bytes_sent"] == levels
