"""Secure minimum and maximum against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import secure

from scql_py.mpc import extremum

RNG = np.random.default_rng(13)


@pytest.mark.parametrize("n", [1, 2, 3, 7, 64, 1001])
def test_min_max_random(n):
    x = RNG.integers(-(2**62), 2**62, n)
    got = secure(lambda rt, s: [extremum.reduce_min(rt, s), extremum.reduce_max(rt, s)], x)
    assert got[0].tolist() == [x.min()] and got[1].tolist() == [x.max()]


def test_min_max_with_ties_and_edges():
    x = np.array([5, -(2**62), 5, 2**62 - 1, 0, -1, -(2**62), 2**62 - 1])
    got = secure(lambda rt, s: [extremum.reduce_min(rt, s), extremum.reduce_max(rt, s)], x)
    assert got[0].tolist() == [-(2**62)] and got[1].tolist() == [2**62 - 1]


def test_empty_is_refused():
    with pytest.raises(ValueError):
        secure(extremum.reduce_min, np.zeros(0, dtype=np.int64))


@settings(max_examples=20, deadline=None)
@given(st.lists(st.integers(-(2**62), 2**62 - 1), min_size=1, max_size=9))
def test_min_max_property(values):
    x = np.array(values, dtype=np.int64)
    got = secure(lambda rt, s: [extremum.reduce_min(rt, s), extremum.reduce_max(rt, s)], x)
    assert got[0].tolist() == [min(values)] and got[1].tolist() == [max(values)]
