"""Float keys (IEEE-754 doubles as ordered int64 words) and the comparisons that order
them: the round trip is exact, the order is the doubles' order, for every finite double
(subnormals, the extremes, -0.0 as 0.0)."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import secure

from scql_py.mpc import compare, extremum, fixedpoint, float_keys, rss, segment
from scql_py.mpc.inprocess import run_parties

finite = st.floats(allow_nan=False, allow_infinity=False)
INT64 = st.integers(min_value=-(2**63), max_value=2**63 - 1)

EDGES = [0.0, -0.0, 5e-324, -5e-324, 2.2250738585072014e-308, -2.2250738585072009e-308,
         1e-300, 1e-7, -1e-7, 0.1, 0.30000000000000004, 0.73, -0.02, 1.0, 2.0**47 - 1,
         1.7976931348623157e308, -1.7976931348623157e308, math.inf, -math.inf]


def _same_double(a: float, b: float) -> bool:
    """Bit equality, but for -0.0, which the keys make 0.0."""
    if b == 0.0:
        return a == 0.0 and math.copysign(1.0, a) == 1.0
    return np.float64(a).view(np.int64) == np.float64(b).view(np.int64)


# a few hundred random doubles per run: the edges (subnormals, extremes, -0.0,
# infinities), where an encoding goes wrong, are checked one by one below
@settings(max_examples=300, deadline=None)
@given(st.lists(finite, min_size=1, max_size=20))
def test_round_trip_is_exact(values):
    back = float_keys.decode(float_keys.encode(np.array(values)))
    assert all(_same_double(a, b) for a, b in zip(back.tolist(), values))


def test_round_trip_of_the_edges():
    back = float_keys.decode(float_keys.encode(np.array(EDGES))).tolist()
    assert all(_same_double(a, b) for a, b in zip(back, EDGES))
    # ring words come back too: the engine opens uint64 words
    words = float_keys.encode(np.array(EDGES)).view(np.uint64)
    assert float_keys.decode(words).tolist() == back


@settings(max_examples=300, deadline=None)
@given(finite, finite)
def test_order_and_equality_are_the_doubles(x, y):
    kx, ky = float_keys.key_of(x), float_keys.key_of(y)
    assert (kx < ky) == (x < y)
    assert (kx == ky) == (x == y)  # -0.0 == 0.0 included


@given(finite)
def test_negation_is_ring_negation(x):
    assert float_keys.key_of(-x) == -float_keys.key_of(x)


def test_edges_sort_like_the_doubles():
    keys = float_keys.encode(np.array(EDGES))
    assert [EDGES[i] for i in np.argsort(keys, kind="stable")] == sorted(EDGES)
    assert float_keys.key_of(-0.0) == float_keys.key_of(0.0) == 0
    assert float_keys.key_of(math.inf) == 2**63 - 2**52


def test_nan_is_refused():
    with pytest.raises(ValueError, match="NaN"):
        float_keys.encode(np.array([1.0, math.nan]))


# -- comparisons over the whole int64 range ------------------------------------------------

def _lt_all(rt, x, y):
    return [compare.less_than_wide(rt, x, y),
            compare.less_than_wide_public(rt, x, 123),
            compare.greater_than_wide_public(rt, x, 123)]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(INT64, INT64), min_size=1, max_size=30))
def test_wide_less_than_holds_when_the_difference_wraps(pairs):
    x = np.array([p[0] for p in pairs], dtype=np.int64)
    y = np.array([p[1] for p in pairs], dtype=np.int64)
    lt, lt_c, gt_c = (b & 1 for b in secure(_lt_all, x, y))
    assert lt.tolist() == (x < y).astype(int).tolist()
    assert lt_c.tolist() == (x < 123).astype(int).tolist()
    assert gt_c.tolist() == (x > 123).astype(int).tolist()


@settings(max_examples=10, deadline=None)
@given(st.lists(finite, min_size=1, max_size=9), finite)
def test_wide_comparison_of_float_keys_with_a_public_key(values, c):
    keys = float_keys.encode(np.array(values))
    ck = float_keys.key_of(c)

    def prog(rt, _):
        x = rss.share_input(rt, 0, keys if rt.party == 0 else None, len(keys))
        bits = [compare.less_than_wide_public(rt, x, ck),
                compare.greater_than_wide_public(rt, x, ck)]
        return [(rss.reveal(rt, b) & np.uint64(1)).tolist() for b in bits]

    lt, gt = run_parties(prog)[0]
    assert lt == [int(v < c) for v in values]
    assert gt == [int(v > c) for v in values]


def test_minimum_of_float_keys_carries_a_payload():
    values = np.array([0.73, -1e300, 5e-324, 1.7976931348623157e308, -0.02, 0.0])
    keys = float_keys.encode(values)
    payload = np.arange(len(values), dtype=np.int64) * 10

    def prog(rt, _):
        k = rss.share_input(rt, 0, keys if rt.party == 0 else None, len(keys))
        p = rss.share_input(rt, 0, payload if rt.party == 0 else None, len(keys))
        out = []
        for smallest in (True, False):
            best, (moved,) = extremum.extreme_with(rt, k, [p], smallest,
                                                   compare.less_than_wide)
            out.append((float_keys.decode(rss.reveal(rt, best))[0],
                        int(rss.reveal(rt, moved).view(np.int64)[0])))
        return out

    (lo, lo_at), (hi, hi_at) = run_parties(prog)[0]
    assert (lo, lo_at) == (-1e300, 10) and (hi, hi_at) == (1.7976931348623157e308, 30)


def test_segmented_extreme_of_float_keys():
    values = np.array([0.1, 0.100001, -5e-324, 7.0, -1e300, 1e-7])
    starts = np.array([1, 0, 0, 1, 0, 0], dtype=np.uint64)
    keys = float_keys.encode(values)

    def prog(rt, _):
        k = rss.share_input(rt, 0, keys if rt.party == 0 else None, len(keys))
        s = rss.share_input_bool(rt, 0, starts if rt.party == 0 else None, len(keys))
        lo, (also,) = segment.segmented_extreme_with(rt, k, s, True, [k],
                                                     compare.less_than_wide)
        hi, _ = segment.segmented_extreme_with(rt, k, s, False, [], compare.less_than_wide)
        return [float_keys.decode(rss.reveal(rt, v)).tolist() for v in (lo, also, hi)]

    lo, also, hi = run_parties(prog)[0]
    assert lo == also == [0.1, 0.1, -5e-324, 7.0, -1e300, -1e300]
    assert hi == [0.1, 0.100001, 0.100001, 7.0, 7.0, 7.0]


# -- keys of computed (fixed-point) values ---------------------------------------------------

FIXED = st.integers(min_value=-(2**63) + 1, max_value=2**63 - 1)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.one_of(FIXED, st.integers(-(2**24), 2**24)), min_size=1, max_size=40))
def test_key_of_a_fixed_point_value_is_the_key_of_its_double(words):
    x = np.array(words, dtype=np.int64)

    def prog(rt, _):
        s = rss.share_input(rt, 0, x if rt.party == 0 else None, len(x))
        return rss.reveal(rt, float_keys.from_fixed(rt, s)).view(np.int64)

    want = float_keys.encode(fixedpoint.decode(x))  # rounds to the nearest double, ties even
    np.testing.assert_array_equal(run_parties(prog)[0], want)


def test_key_of_fixed_point_edges():
    # 0, tiny, the limits of exact doubles (2^53 +- 1: rounding), ties to even, extremes
    x = np.array([0, 1, -1, 65536, -1311, 2**53 - 1, 2**53 + 1, 2**53 + 3, 2**54 + 2,
                  2**62 + 2**9, 2**62 + 2**9 + 1, 2**63 - 1, -(2**63) + 1], dtype=np.int64)

    def prog(rt, _):
        s = rss.share_input(rt, 0, x if rt.party == 0 else None, len(x))
        return rss.reveal(rt, float_keys.from_fixed(rt, s)).view(np.int64)

    np.testing.assert_array_equal(run_parties(prog)[0],
                                  float_keys.encode(fixedpoint.decode(x)))
