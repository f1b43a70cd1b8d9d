"""Sums of doubles from their float keys against ``math.fsum``: the result is the key of
the nearest double to the exact sum (ties to even), with that double's fixed-point
value, whatever the order, the binades or the cancellation; past 2^47 it is out of
range, exactly; bits below 2^-80 are truncated (toward 0)."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.mpc import float_keys, rss
from scql_py.mpc.float_sum import SUM_BITS, UNIT_BITS, signed_limbs, sum_keys, total
from scql_py.mpc.inprocess import run_parties

F = 16


def _sums(columns: list[list[float]], present: list[list[int]] | None = None):
    """Each column's secure sum (q, key, beyond), one total per column in one batch."""
    keys = [float_keys.encode(np.array(c, dtype=np.float64)) for c in columns]
    sizes = [len(c) for c in columns]
    flat = np.concatenate(keys) if keys else np.zeros(0, np.int64)
    bits = None if present is None else np.concatenate([np.array(p, np.uint64)
                                                        for p in present])

    def prog(rt, _):
        x = rss.share_input(rt, 0, flat if rt.party == 0 else None, len(flat))
        p = None if bits is None else rss.share_input_bool(
            rt, 1, bits if rt.party == 1 else None, len(flat))
        limbs = signed_limbs(rt, x, p)
        at = np.cumsum([0] + sizes)
        sums = [rss.AShare.concat([limb[at[i]:at[i + 1]].sum() for i in range(len(sizes))])
                for limb in limbs]
        out = total(rt, sums)
        return [rss.reveal(rt, w) for w in (out.q, out.key)] + [
            rss.reveal(rt, out.beyond) & np.uint64(1), rss.reveal(rt, out.undefined)]

    return run_parties(prog)[0]


def _window(x: float) -> Fraction:
    """``x`` truncated toward 0 to a multiple of 2^-80, as the window holds it."""
    scaled = Fraction(x) * 2**UNIT_BITS
    whole = math.floor(abs(scaled))
    return Fraction(whole if x >= 0 else -whole, 2**UNIT_BITS)


def _nearest(x: Fraction) -> float:
    """The nearest double to an exact rational, ties to even (Python's own)."""
    return float(x) + 0.0


def _round_half_away(x: Fraction) -> int:
    rounded = int(abs(x) + Fraction(1, 2))
    return rounded if x >= 0 else -rounded


def _check(columns, present=None):
    q, key, beyond, undefined = _sums(columns, present)
    assert not undefined.any()
    opened = float_keys.decode(key).tolist()
    for i, col in enumerate(columns):
        rows = col if present is None else [x for x, p in zip(col, present[i]) if p]
        exact = sum((_window(x) for x in rows), Fraction(0))
        assert bool(beyond[i]) == (abs(_nearest(exact)) >= 2**SUM_BITS), (col, exact)
        if beyond[i]:
            continue
        want = _nearest(exact)
        if all(_window(x) == Fraction(x) for x in rows):
            assert want == math.fsum(rows) + 0.0  # the window is exact: fsum's answer
        assert opened[i] == want and str(opened[i]) == str(want), (col, opened[i], want)
        assert int(q.view(np.int64)[i]) == _round_half_away(Fraction(want) * 2**F), col


def test_the_edges():
    _check([
        [0.001], [0.001] * 7, [0.1, 0.2, 0.3], [-0.0], [0.0, -0.0], [],
        [1e-7, -1e-7], [0.1, -0.1, 1e-20], [5e-324], [1e-300, 2.0], [-2.5],
        [2.0**46, 2.0**46 - 1], [2.0**46, 2.0**46], [-(2.0**46), -(2.0**46)],
        [2.0**47 - 2.0**-5, 1.0], [123456.789, -123456.789, 0.73],
        # ties of the exact sum: to even, and just above one (the sticky bit)
        [1.0, 2.0**-53], [1.0 + 2.0**-52, 2.0**-53], [1.0, 2.0**-53, 2.0**-78],
        [1.0, -(2.0**-54)], [2.0**40, 2.0**-13, 2.0**-75],
        # cancellation to exactly 0, and to the smallest bits
        [1e10, 3.0, -1e10, -3.0], [2.0**-28, -(2.0**-28) + 2.0**-80],
        [0.1] * 10, [-0.1] * 3 + [0.3],
    ])


def test_rows_that_do_not_count():
    _check([[0.001, 5.0, -3.25], [1.0, 2.0**46, 2.0**46]], [[1, 0, 1], [1, 1, 0]])


finite = st.floats(min_value=-(2.0**40), max_value=2.0**40, allow_nan=False)


@settings(max_examples=4, deadline=None)
@given(st.lists(st.lists(finite, max_size=12), min_size=1, max_size=8))
def test_random_doubles(columns):
    _check(columns)


def test_many_binades_mixed_signs():
    rng = np.random.default_rng(7)
    columns = []
    for size in (1, 2, 5, 30, 200):
        for _ in range(3):
            v = rng.uniform(0.5, 1, size) * 2.0 ** rng.integers(-27, 40, size)
            columns.append((v * rng.choice([-1, 1], size)).tolist())
    # a sum that cancels but for one small value
    big = (rng.uniform(0, 1e6, 20)).tolist()
    columns.append(big + [-x for x in big] + [2.0**-20])
    _check(columns)


def test_sum_keys_of_one_column():
    key = float_keys.encode(np.array([0.001, 0.002]))

    def prog(rt, _):
        out = sum_keys(rt, rss.share_input(rt, 0, key if rt.party == 0 else None, 2))
        return rss.reveal(rt, out.key)

    assert float_keys.decode(run_parties(prog)[0]).tolist() == [0.003]
