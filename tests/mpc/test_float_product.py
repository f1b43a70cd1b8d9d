"""Products of doubles from their float keys against Python's: the result is the key of
IEEE-754's own ``x * y`` with that double's fixed-point value (not the product of the
operands' fixed-point forms); whether it is past 2^47 is exact, subnormal
results included."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.mpc import float_keys, rss
from scql_py.mpc.float_product import PRODUCT_BITS, multiply_keys
from scql_py.mpc.inprocess import run_parties

F = 16
EDGES = [(19.99, 1000.0), (1e-6, 1e6), (0.0, 1.7976931348623157e308), (0.1, 0.1), (-0.02, 0.73), (0.0, 5.0), (-0.0, -3.0),
         (5e-324, 1e300), (5e-324, 0.5), (1e-300, 1e-300), (2.0**23, 2.0**23),
         (2.0**23, -(2.0**24)), (1.9999999999999998, 1.9999999999999998),
         (123456.789, 0.000123), (2**-17, 1.0), (3 * 2**-18, -1.0), (1.5 * 2**-17, 1.0),
         (1.7976931348623157e308, 1e-300), (2.2250738585072014e-308, 2.0**60),
         # subnormal results, ties to even among them, rounding up to the least normal
         (5e-324, 0.5), (1.5e-323, 0.5), (5e-324, 0.75), (3e-320, 1e-5), (1e-310, -0.3),
         (2.2250738585072014e-308, 0.5), (2.2250738585072009e-308, 1.0000000000000002),
         (1e-300, 1e-300), (1e-160, 1e-160)]


def _multiply(pairs: list[tuple[float, float]]):
    ka = float_keys.encode(np.array([p[0] for p in pairs]))
    kb = float_keys.encode(np.array([p[1] for p in pairs]))

    def prog(rt, _):
        x = rss.share_input(rt, 0, ka if rt.party == 0 else None, len(ka))
        y = rss.share_input(rt, 1, kb if rt.party == 1 else None, len(kb))
        out = multiply_keys(rt, x, y)
        return [rss.reveal(rt, w) for w in (out.q, out.key)] + [
            rss.reveal(rt, out.beyond) & np.uint64(1)]

    return run_parties(prog)[0]


def _round_half_away(x: Fraction) -> int:
    rounded = int(abs(x) + Fraction(1, 2))
    return rounded if x >= 0 else -rounded


def _check(pairs):
    q, key, beyond = _multiply(pairs)
    opened = float_keys.decode(key).tolist()
    for (x, y), qi, bi, got in zip(pairs, q.view(np.int64).tolist(), beyond.tolist(), opened):
        want = x * y + 0.0  # -0.0 is 0.0 as a key
        assert bool(bi) == (abs(want) >= 2**PRODUCT_BITS), (x, y)
        if bi:
            continue
        assert got == want and str(got) == str(want), (x, y, got)
        assert qi == _round_half_away(Fraction(want) * 2**F), (x, y, qi)


def test_the_edges():
    _check(EDGES)


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=4, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=40))
def test_random_doubles(pairs):
    _check(pairs)


def test_every_binade_and_the_range():
    rng = np.random.default_rng(11)
    n = 400
    a = rng.uniform(0.5, 1, n) * 2.0 ** rng.integers(-60, 40, n) * rng.choice([-1, 1], n)
    p = rng.uniform(0.5, 1, n) * 2.0 ** rng.integers(-40, 50, n) * rng.choice([-1, 1], n)
    _check([(float(x), float(z / x)) for x, z in zip(a, p)])


def test_products_whose_64_bits_end_on_a_midpoint_of_doubles():
    # the bits after the first 64 decide the rounding: the sticky bit must say so
    pairs, rng = [], np.random.default_rng(5)
    while len(pairs) < 6:
        x, y = (float(v) for v in rng.uniform(1, 2, 2))
        p = Fraction(x) * Fraction(y)
        scaled = p * 2**63 if p < 2 else p * 2**62  # the leading one at bit 63
        bits = int(scaled)
        if scaled != bits and bits & 0x7FF == 0x400:
            pairs.append((x, y))
    _check(pairs)


def test_ties_of_the_fixed_point_unit_round_away_from_zero():
    _check([(float((2 * k + 1) * 2.0**-18), 2.0) for k in range(-300, 300)])


def test_exact_ties_of_doubles_round_to_even():
    # each product is exactly a midpoint between two doubles whose last bit is odd
    _check([(1.6045301889741301, 1.25), (1.759230281441666, 1.25),
            (1.9757128656955585, -1.25), (1.78663351855037, 1.25)])


def test_a_product_that_rounds_up_to_2_47_is_past_the_range():
    # below 2^47 exactly, 2^47 as a double: its fixed-point word would leave the ring
    _check([(140737488355327.97, 1.0000000000000002), (140737488355327.94, 1.0000000000000004),
            (140737488355327.97, 0.9999999999999999)])
