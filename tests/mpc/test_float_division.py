"""Quotients of doubles from their float keys against Python's: the result is the key of
IEEE-754's own ``a / b`` (the nearest double) with that double's fixed-point value (not
the quotient of the operands' fixed-point forms); whether it is past 2^46 is exact,
subnormal results included."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.mpc import float_keys, rss
from scql_py.mpc.float_division import QUOTIENT_BITS, divide_keys
from scql_py.mpc.inprocess import run_parties

F = 16
EDGES = [(-2.68, 0.001), (0.1, 0.001), (1e6, 1e-3), (0.73, 2.0), (1.0, 3.0), (1.0, 1e-6),
         (5e-324, 5e-324), (1e-310, 3e-310), (2.2250738585072014e-308, 5e-324 * 7),
         (0.0, 0.37), (0.0, 5e-324), (-0.0, -1.5), (1e-300, 0.73), (3.0, 1e300),
         (2.0**45, 1.0), (2.0**46, 1.0), (-(2.0**46) + 2**-6, 1.0), (2.0**46, -1.0000000000000002),
         (1e15, 1e-300), (7.0, 2.0**-40), (123456.789, 0.000123), (-1e-5, -3e-7),
         (1.5 * 2**-17, 1.0), (2**-17, 1.0), (-(2**-17), 1.0), (3 * 2**-18, -1.0),
         (1e-300, 1e300), (1.7976931348623157e308, 1e300), (1e-200, 1e200),
         # subnormal quotients, ties to even among them, rounding up to the least normal
         (5e-324, 2.0), (1.5e-323, 2.0), (1e-310, 3.0), (-1e-310, 7.0), (1e-300, 1e10),
         (2.2250738585072009e-308, 0.9999999999999999), (4e-320, 1.3)]


def _divide(pairs: list[tuple[float, float]]):
    ka = float_keys.encode(np.array([p[0] for p in pairs]))
    kb = float_keys.encode(np.array([p[1] for p in pairs]))

    def prog(rt, _):
        x = rss.share_input(rt, 0, ka if rt.party == 0 else None, len(ka))
        y = rss.share_input(rt, 1, kb if rt.party == 1 else None, len(kb))
        out = divide_keys(rt, x, y)
        return [rss.reveal(rt, w) for w in (out.q, out.key)] + [
            rss.reveal(rt, bit) & np.uint64(1) for bit in (out.beyond, out.undefined)]

    return run_parties(prog)[0]


def _round_half_away(x: Fraction) -> int:
    rounded = int(abs(x) + Fraction(1, 2))
    return rounded if x >= 0 else -rounded


def _check(pairs):
    q, key, beyond, zero = _divide(pairs)
    opened = float_keys.decode(key).tolist()
    for (x, y), qi, bi, zi, got in zip(pairs, q.view(np.int64).tolist(), beyond.tolist(),
                                       zero.tolist(), opened):
        assert bool(zi) == (y == 0)
        if y == 0:
            continue
        want = x / y + 0.0  # -0.0 is 0.0 as a key
        assert bool(bi) == (abs(want) >= 2**QUOTIENT_BITS), (x, y)
        if bi:
            continue
        assert got == want and str(got) == str(want), (x, y, got)
        # the fixed-point value of that double, as a stored real has
        assert qi == _round_half_away(Fraction(want) * 2**F), (x, y, qi)


def test_the_edges():
    _check(EDGES)


def test_quotients_whose_64_bits_end_on_a_midpoint_of_doubles():
    # cut after 64 bits each of these is a midpoint between two doubles, and the bits
    # further on decide it: the sticky bit must say that there are some
    _check([(1.9422902373195974, 1.8368752640791781), (1.5441533220447057, 1.9866262369578402),
            (1.9560069010696859, 1.8126886313631345), (1.6781821580484224, 1.4751828480959293),
            (-1.9422902373195974 * 2**-30, 1.8368752640791781 * 2**10)])


finite = st.floats(allow_nan=False, allow_infinity=False)
nonzero = finite.filter(lambda v: v != 0.0)


@settings(max_examples=4, deadline=None)
@given(st.lists(st.tuples(finite, nonzero), min_size=1, max_size=40))
def test_random_doubles(pairs):
    _check(pairs)


def test_exponents_far_apart_and_near_the_range():
    rng = np.random.default_rng(7)
    n = 400
    b = rng.uniform(0.5, 1, n) * 2.0 ** rng.integers(-60, 40, n) * rng.choice([-1, 1], n)
    q = rng.uniform(0.5, 1, n) * 2.0 ** rng.integers(-40, 48, n)
    _check([(float(x), float(y)) for x, y in zip(q * b, b)])


def test_ties_of_the_fixed_point_unit_round_away_from_zero():
    # (2k + 1) 2^-17 is a tie of 2^-16: half away from zero, like fixedpoint.encode
    ks = np.arange(-300, 300)
    _check([(float((2 * k + 1) * 2.0**-17) * 3, 3.0) for k in ks])


def test_what_opens_is_a_function_of_the_quotient_alone():
    """Operands with one quotient open the same words: nothing of which significand was
    the larger (the doubling of step 2), or of which operand had the sign, shows."""
    pairs = [(1.125, 1.5), (0.75, 1.0), (3.0, 4.0), (3.0 * 2**-40, 2.0**-38),
             (-3.0, 4.0), (3.0, -4.0), (-0.75, 1.0)]
    q, key, _, _ = _divide(pairs)
    words = list(zip(q.tolist(), key.tolist()))
    assert len(set(words[:4])) == 1 and len(set(words[4:])) == 1, words
