"""Fixed-point encoding and the fixed-point product."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import secure

from scql_py.mpc import fixedpoint
from scql_py.mpc.fixedpoint import FRAC_BITS, decode, encode

ULP = 2.0**-FRAC_BITS


def test_rounding_is_half_away_from_zero():
    v = np.array([0.5, 1.5, 2.5, -0.5, -1.5, 0.49, -0.49]) * ULP
    assert encode(v).tolist() == [1, 2, 3, -1, -2, 0, 0]


def test_round_trip_within_half_ulp():
    v = np.random.default_rng(2).uniform(-1e9, 1e9, 10000)
    assert np.max(np.abs(decode(encode(v)) - v)) <= ULP / 2


def test_range_and_non_finite_values_are_refused():
    limit = fixedpoint.max_abs()
    assert limit == 2.0**47
    encode(np.array([limit * (1 - 2**-40), -limit * (1 - 2**-40)]))
    for bad in (limit, -limit, np.nan, np.inf):
        with pytest.raises(ValueError):
            encode(np.array([bad]))


def test_decode_reads_ring_words_as_signed():
    words = encode(np.array([-2.25])).view(np.uint64)
    assert decode(words).tolist() == [-2.25]
    assert decode(np.array([3 << 10]), frac_bits=10).tolist() == [3.0]


def test_secure_fixed_point_product():
    rng = np.random.default_rng(4)
    x, y = rng.uniform(-40, 40, 5000), rng.uniform(-40, 40, 5000)
    x[:4], y[:4] = [0.0, -1.0, 1.5, ULP], [3.0, -1.0, -2.0, ULP]
    got = decode(secure(fixedpoint.mul, encode(x), encode(y)))
    exact = decode(encode(x)) * decode(encode(y))
    # floor of the exact product, then at most one more ulp down: error in (-2, 0] ulp
    assert np.all(got - exact <= 1e-12) and np.all(got - exact > -2 * ULP)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.floats(-1000, 1000), min_size=1, max_size=10))
def test_encode_decode_property(values):
    v = np.array(values)
    assert np.all(np.abs(decode(encode(v)) - v) <= ULP / 2)
