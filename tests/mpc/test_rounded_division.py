"""Correctly rounded quotients and their refinement against exact rationals in Python:
``divide_rounded`` is round-half-away-from-zero of ``a 2^f / b``; ``divide_refined``'s
further bits are the quotient rounded to odd, so one more rounding gives the nearest
double, which is what an opened AVG or ``/`` shows."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import secure

from scql_py.mpc import rss
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.rounded_division import divide_refined, divide_rounded

F = 16


def _round_half_away(x: Fraction) -> int:
    rounded = int(abs(x) + Fraction(1, 2))  # floor, as it is positive
    return rounded if x >= 0 else -rounded


def _pairs(max_a_bits: int, max_b_bits: int):
    a = st.integers(-(2 ** max_a_bits), 2 ** max_a_bits)
    b = st.integers(1, 2 ** max_b_bits).flatmap(lambda m: st.sampled_from([m, -m]))
    return st.lists(st.tuples(a, b), min_size=1, max_size=30)


@settings(max_examples=5, deadline=None)
@given(_pairs(45, 40))
def test_divide_rounded_for_quotients_up_to_2_62(pairs):
    a = np.array([p[0] for p in pairs], np.int64)
    b = np.array([p[1] for p in pairs], np.int64)
    got = secure(lambda rt, x, y: divide_rounded(rt, x, y, F, quotient_bits=62), a, b)
    want = [_round_half_away(Fraction(int(x) << F, int(y))) for x, y in zip(a, b)]
    assert got.tolist() == want


def test_divide_rounded_near_its_default_bound():
    """The default bound, 2^32 (AVG, ``/``): one correction leaves the quotient within
    two units, and the steps after it must take it the rest of the way."""
    rng = np.random.default_rng(16)
    b = rng.integers(1, 2**29, 3000) * rng.choice([-1, 1], 3000)
    quotients = rng.integers(2**24, 2**32, 3000)  # a / b * 2^F, below 2^32
    a = np.clip((quotients * np.abs(b)) >> F, 1, 2**45) * np.sign(b) * rng.choice([-1, 1], 3000)
    got = secure(lambda rt, x, y: divide_rounded(rt, x, y, F), a.astype(np.int64),
                 b.astype(np.int64))
    want = [_round_half_away(Fraction(int(x) << F, int(y))) for x, y in zip(a, b)]
    assert got.tolist() == want


def _refined(a: np.ndarray, b: np.ndarray):
    def prog(rt, _):
        x = rss.share_input(rt, 0, a if rt.party == 0 else None, len(a))
        y = rss.share_input(rt, 1, b if rt.party == 1 else None, len(b))
        start = divide_rounded(rt, x, y, F)
        q, e, bits = divide_refined(rt, x, y, F, start=start)
        return rss.reveal(rt, q).view(np.int64), rss.reveal(rt, e).view(np.int64), bits

    return run_parties(prog)[0]


@settings(max_examples=5, deadline=None)
@given(_pairs(44, 44))
def test_refined_quotient_is_rounded_to_odd(pairs):
    a = np.array([p[0] for p in pairs], np.int64)
    b = np.array([p[1] for p in pairs], np.int64)
    q, e, bits = _refined(a, b)
    for x, y, qi, ei in zip(a.tolist(), b.tolist(), q.tolist(), e.tolist()):
        exact = Fraction(x, y) * 2**F
        assert qi == _round_half_away(exact)
        approx = qi + Fraction(ei, 2**bits)
        if ei % 2 == 0:
            assert approx == exact
        else:  # strictly inside the unit around the odd grid point
            assert abs(approx - exact) < Fraction(1, 2**bits)
        value = Fraction(x, y)
        opened = ((qi << bits) + ei) / (1 << (F + bits))
        if value == 0 or abs(value) >= Fraction(1, 128):
            assert opened == float(value)  # the nearest double
        else:
            assert abs(Fraction(opened) - value) <= Fraction(1, 2**60)


def test_refined_quotients_near_double_midpoints():
    # 1/300 lies within 1/160 of a unit of a midpoint between doubles: rounding the
    # rounded quotient (no odd bit) picked the wrong neighbour
    a = np.array([1, 2587177, 1999, -9995, 2, 1, 7], np.int64)
    b = np.array([300, 300, 7, 700, 5, 3, 1], np.int64)
    q, e, bits = _refined(a, b)
    for x, y, qi, ei in zip(a.tolist(), b.tolist(), q.tolist(), e.tolist()):
        assert ((qi << bits) + ei) / (1 << (F + bits)) == float(Fraction(x, y))
