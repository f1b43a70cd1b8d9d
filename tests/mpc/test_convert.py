"""A2B, B2A, bit injection and bit logic against numpy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import INT64_MAX, INT64_MIN, edge_values, secure, traffic

from scql_py.mpc import convert, rss

RNG = np.random.default_rng(3)


def _words():
    return np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 3000),
                           edge_values(INT64_MIN, INT64_MAX)])


def test_a2b_gives_the_same_words():
    x = _words()
    np.testing.assert_array_equal(secure(convert.a2b, x), x)


def test_b2a_gives_the_same_integers():
    x = _words()
    np.testing.assert_array_equal(secure(convert.b2a, x, boolean=[True]), x)


def test_add_bool_adds_mod_2_64():
    x, y = _words(), _words()[::-1].copy()
    got = secure(convert.add_bool, x, y, boolean=[True, True])
    with np.errstate(over="ignore"):
        np.testing.assert_array_equal(got, x + y)


def test_addends_sum_to_the_secret():
    x = _words()

    def prog(rt, s):
        u, v = convert.addends(rt, s)
        return convert.b2a(rt, u) + convert.b2a(rt, v)

    np.testing.assert_array_equal(secure(prog, x), x)


def _bits(n):
    return RNG.integers(0, 2, n)


def test_b2a_bit_and_its_single_round():
    b = _bits(5000)
    np.testing.assert_array_equal(secure(convert.b2a_bit, b, boolean=[True]), b)
    stats = traffic(lambda rt, s: convert.b2a_bit(rt, rss.BShare(rt.party, s.a & np.uint64(1),
                                                                 s.b & np.uint64(1))), b)
    assert [s["rounds"] for s in stats] == [1, 1, 1]
    assert [s["bytes_sent"] for s in stats] == [32 * 5000, 8 * 5000, 8 * 5000]


def test_b2a_bit_reads_only_bit_0():
    b = _bits(999)
    noisy = b | (RNG.integers(0, 2**62, 999) << 1)  # garbage above bit 0 of the value
    np.testing.assert_array_equal(secure(convert.b2a_bit, noisy, boolean=[True]), b)


def test_bit_logic():
    x, y = _bits(3000), _bits(3000)
    got = secure(lambda rt, a, b: [convert.bit_and(rt, a, b), convert.bit_or(rt, a, b),
                                   convert.bit_xor(a, b), convert.bit_not(a)],
                 x, y, boolean=[True, True])
    for out, ref in zip(got, [x & y, x | y, x ^ y, 1 - x]):
        np.testing.assert_array_equal(out, ref)


def test_bit_and_packs_64_bits_per_word_on_the_wire():
    n = 64 * 100
    stats = traffic(lambda rt, a, b: convert.bit_and(
        rt, rss.BShare(rt.party, a.a & np.uint64(1), a.b & np.uint64(1)),
        rss.BShare(rt.party, b.a & np.uint64(1), b.b & np.uint64(1))), _bits(n), _bits(n))
    assert [s["bytes_sent"] for s in stats] == [n // 8] * 3


def test_bit_reverse_permute_is_the_index_reversal():
    x = _words().view(np.uint64)
    got = convert.bit_reverse_permute(x)
    for w, g in zip(x[:200].tolist(), got[:200].tolist()):
        expect = sum(1 << int(f"{p:06b}"[::-1], 2) for p in range(64) if (w >> p) & 1)
        assert g == expect


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(INT64_MIN, INT64_MAX), min_size=1, max_size=12))
def test_a2b_b2a_round_trip_property(values):
    x = np.array(values, dtype=np.int64)
    got = secure(lambda rt, s: convert.b2a(rt, convert.a2b(rt, s)), x)
    np.testing.assert_array_equal(got, x)
