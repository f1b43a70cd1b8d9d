"""Probabilistic truncation: the stated error bound, and its failure rate."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import secure, traffic

from scql_py.mpc import rss, trunc

RNG = np.random.default_rng(5)


def _check_within_one_below(got, x, d):
    exact = np.floor_divide(x, d)
    assert set(np.unique(exact - got).tolist()) <= {0, 1}
    return exact


@pytest.mark.parametrize("bits", [1, 16, 20, 33])
def test_truncate_error_at_most_one_ulp_downwards(bits):
    # |x| < 2^30: failure probability per element <= 2^-34
    x = np.concatenate([RNG.integers(-(2**30), 2**30, 20000), [0, 1, -1, 2**bits, -(2**bits)]])
    got = secure(lambda rt, s: trunc.truncate(rt, s, bits), x)
    exact = _check_within_one_below(got, x, 2**bits)
    assert (got == exact).mean() > 0.3  # and mostly exact


@pytest.mark.parametrize("d", [3, 10, 1000, 2**40 + 7])
def test_truncate_public_div(d):
    x = RNG.integers(-(2**30), 2**30, 10000)
    _check_within_one_below(secure(lambda rt, s: trunc.truncate_public_div(rt, s, d), x), x, d)


def test_failure_rate_matches_the_bound():
    # |x| in [2^58, 2^59): each element fails (huge error) with probability (|x| + 1) / 2^64,
    # i.e. below 2^-5: count the failures and compare with the expected number
    n = 20000
    x = RNG.integers(2**58, 2**59, n) * RNG.choice([-1, 1], n)
    got = secure(lambda rt, s: trunc.truncate(rt, s, 16), x)
    err = np.floor_divide(x, 2**16) - got
    failed = ~np.isin(err, [0, 1])
    expected = float(np.sum((np.abs(x) + 1) / 2.0**64))
    assert failed.sum() <= n * 2.0 ** (59 - 64)  # the stated bound 2^(l - 64), l = 59
    assert abs(failed.sum() - expected) < 6 * np.sqrt(expected)
    assert np.all(np.abs(err[failed]) > 2**40)  # a failure is a wrap, never a small error


def test_public_sharing_truncates_exactly():
    def prog(rt, _s):
        x = rss.AShare.public(rt.party, np.array([-(2**40) - 3, 2**40 + 3, -1, 5]))
        return trunc.truncate(rt, x, 4)

    got = secure(prog, np.zeros(1))
    np.testing.assert_array_equal(got, np.floor_divide([-(2**40) - 3, 2**40 + 3, -1, 5], 16))


def test_truncate_is_one_message_of_n_words():
    n = 1000
    stats = traffic(lambda rt, s: trunc.truncate(rt, s, 16), RNG.integers(-9, 9, n))
    assert [s["rounds"] for s in stats] == [1, 1, 1]
    assert [s["bytes_sent"] for s in stats] == [0, 8 * n, 0]


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(-(2**36), 2**36), min_size=1, max_size=10),
       st.integers(1, 40))
def test_truncate_property(values, bits):
    x = np.array(values, dtype=np.int64)
    _check_within_one_below(secure(lambda rt, s: trunc.truncate(rt, s, bits), x), x, 2**bits)
