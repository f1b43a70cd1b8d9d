"""Oblivious selection against numpy."""

from __future__ import annotations

import numpy as np
from rss3_helpers import INT64_MAX, INT64_MIN, secure, traffic

from scql_py.mpc import mux, rss

RNG = np.random.default_rng(9)
N = 3000


def _data():
    return (RNG.integers(0, 2, N), RNG.integers(INT64_MIN, INT64_MAX, N),
            RNG.integers(INT64_MIN, INT64_MAX, N))


def test_select_and_mul_bit():
    c, t, f = _data()
    got = secure(lambda rt, cb, a, b: [mux.select(rt, cb, a, b), mux.mul_bit(rt, cb, a)],
                 c, t, f, boolean=[True, False, False])
    np.testing.assert_array_equal(got[0], np.where(c == 1, t, f))
    np.testing.assert_array_equal(got[1], np.where(c == 1, t, 0))


def test_select_many_in_two_rounds():
    c, t, f = _data()

    def prog(rt, cb, a, b):
        before = rt.comm.stats.rounds
        out = mux.select_many(rt, [(cb, a, b), (cb[:10], b[:10], a[:10])])
        return out + [np.array([rt.comm.stats.rounds - before])]

    first, second, rounds = secure(prog, c, t, f, boolean=[True, False, False])
    np.testing.assert_array_equal(first, np.where(c == 1, t, f))
    np.testing.assert_array_equal(second, np.where(c[:10] == 1, f[:10], t[:10]))
    assert rounds.tolist() == [2]


def test_select_bits_and_words():
    c, t, f = _data()
    tb, fb = t & 1, f & 1
    got = secure(lambda rt, cb, a, b, w1, w2: [mux.select_bits(rt, cb, a, b),
                                               mux.select_words(rt, cb, w1, w2)],
                 c, tb, fb, t, f, boolean=[True] * 5)
    np.testing.assert_array_equal(got[0], np.where(c == 1, tb, fb))
    np.testing.assert_array_equal(got[1], np.where(c == 1, t, f))


def test_select_traffic():
    c, t, f = _data()

    def prog(rt, cb, a, b):
        bit = rss.BShare(rt.party, cb.a & np.uint64(1), cb.b & np.uint64(1))
        return mux.select(rt, bit, a, b)

    stats = traffic(prog, c, t, f)
    assert [s["rounds"] for s in stats] == [2, 2, 2]
    assert [s["bytes_sent"] for s in stats] == [40 * N, 16 * N, 16 * N]
