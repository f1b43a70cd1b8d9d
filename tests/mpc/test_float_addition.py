"""Sums of two doubles from their float keys against Python's, bit for bit: the result is
the key of IEEE-754's own ``x + y`` with that double's fixed-point value; whether it is
past 2^47 is exact; subnormals, cancellation and far-apart exponents included."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.mpc import float_keys, rss
from scql_py.mpc.float_addition import SUM_BITS, add_keys
from scql_py.mpc.inprocess import run_parties

F = 16
EDGES = [(0.1, 0.2), (0.001, 0.001), (0.3, -0.1), (1.0, -1.0), (-0.0, 0.0), (0.0, 0.0),
         (1.0, 2.0**-53), (1.0, 2.0**-53 + 2.0**-105), (1.0, -(2.0**-54)), (1.0, -(2.0**-53)),
         (1.0000000000000002, -1.0), (2.0**46, 2.0**46), (2.0**47, -1.0), (-(2.0**46), -(2.0**46)),
         (2.0**47 - 0.0078125, 0.00390625), (5e-324, 5e-324), (5e-324, -5e-324),
         (2.2250738585072014e-308, -5e-324), (1e-300, 1.0), (1e-300, -1e-300), (1e308, -1e308),
         (1.7976931348623157e308, 1.0), (1.5, -(1.5 - 2.0**-52)), (123456.789, -123456.788),
         (1e16, 1.0), (2.0**-17, 2.0**-17), (-0.02, 0.73), (3.0, -(2.0**-60)),
         # the smaller operand's shifted-out bits decide a tie: sticky, one unit off a difference
         (1.0, -(2.0**-54 * (1 + 2.0**-52))), (1.0, 2.0**-53 * (1 + 2.0**-52)),
         (-(2.0**40), 2.0**-14 * (1 + 2.0**-52)), (1.5, -(2.0**-53 * (1 + 2.0**-52)))]


def _add(pairs: list[tuple[float, float]]):
    ka = float_keys.encode(np.array([p[0] for p in pairs]))
    kb = float_keys.encode(np.array([p[1] for p in pairs]))

    def prog(rt, _):
        x = rss.share_input(rt, 0, ka if rt.party == 0 else None, len(ka))
        y = rss.share_input(rt, 1, kb if rt.party == 1 else None, len(kb))
        out = add_keys(rt, x, y)
        return [rss.reveal(rt, w) for w in (out.q, out.key)] + [
            rss.reveal(rt, out.beyond) & np.uint64(1)]

    return run_parties(prog)[0]


def _round_half_away(x: Fraction) -> int:
    rounded = int(abs(x) + Fraction(1, 2))
    return rounded if x >= 0 else -rounded


def _check(pairs):
    q, key, beyond = _add(pairs)
    opened = float_keys.decode(key).tolist()
    for (x, y), qi, bi, got in zip(pairs, q.view(np.int64).tolist(), beyond.tolist(), opened):
        want = x + y + 0.0  # -0.0 is 0.0 as a key
        assert bool(bi) == (abs(want) >= 2**SUM_BITS), (x, y)
        if bi:
            continue
        assert got == want and str(got) == str(want), (x, y, got)
        assert qi == _round_half_away(Fraction(want) * 2**F), (x, y, qi)


def test_the_edges():
    _check(EDGES)


finite = st.floats(allow_nan=False, allow_infinity=False)


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(finite, finite), min_size=1, max_size=40))
def test_random_doubles(pairs):
    _check(pairs)


def test_every_binade_and_the_range():
    rng = np.random.default_rng(11)
    n = 400
    a = rng.uniform(0.5, 1, n) * 2.0 ** rng.integers(-70, 48, n) * rng.choice([-1, 1], n)
    b = rng.uniform(0.5, 1, n) * 2.0 ** rng.integers(-70, 48, n) * rng.choice([-1, 1], n)
    near = a * (1 + rng.uniform(-1e-12, 1e-12, n)) * -1  # cancellation
    _check([(float(x), float(y)) for x, y in zip(a, b)]
           + [(float(x), float(y)) for x, y in zip(a, near)])
