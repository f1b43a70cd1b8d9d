"""The exact overflow tests of :mod:`scql_py.mpc.int_overflow` against Python integers:
every pair of edge values (powers of two and their neighbours, the int64 ends,
products at and next to 2^63 and -2^63), and random words of every size."""

from __future__ import annotations

import itertools

import numpy as np
from rss3_helpers import INT64_MAX, INT64_MIN, secure, wrap_int64

from scql_py.mpc import convert, int_overflow

EDGES = sorted({0, 1, -1, 2, -2, 3, -3, 5, INT64_MIN, INT64_MAX, INT64_MIN + 1, INT64_MAX - 1,
                3037000499, 3037000500, -3037000500, 6074001000, 1518500249, 1518500250}
               | {s * (2**k + d) for k in (30, 31, 32, 33, 62) for d in (-1, 0, 1)
                  for s in (1, -1)} | {-(2**62) - 1, 2**63 // 3, -(2**63 // 3)})


def _outside(v: int) -> int:
    return int(not INT64_MIN <= v <= INT64_MAX)


def _pairs(seed: int, count: int) -> tuple[list[int], list[int]]:
    xs, ys = map(list, zip(*itertools.product(EDGES, repeat=2)))
    rng = np.random.default_rng(seed)
    for _ in range(count):  # random magnitudes of every bit length, so products straddle 2^63
        kx, ky = (int(k) for k in rng.integers(0, 64, 2))
        xs.append(int(rng.integers(0, 2**63, dtype=np.uint64)) >> (63 - kx) or 1)
        ys.append(int(rng.integers(0, 2**63, dtype=np.uint64)) >> (63 - ky) or 1)
        xs[-1] *= int(rng.choice([1, -1]))
        ys[-1] *= int(rng.choice([1, -1]))
    return [int(wrap_int64([v])[0]) for v in xs], [int(wrap_int64([v])[0]) for v in ys]


def test_product_overflow_is_exact():
    xs, ys = _pairs(1, 3000)
    got = secure(lambda rt, x, y: convert.b2a_bit(rt, int_overflow.product(rt, x, y)),
                 np.array(xs), np.array(ys)).tolist()
    want = [_outside(x * y) for x, y in zip(xs, ys)]
    bad = [(x, y, g) for x, y, g, w in zip(xs, ys, got, want) if g != w]
    assert not bad, bad[:10]
    assert 0 < sum(want) < len(want)


def test_sum_and_difference_overflow_are_exact():
    xs, ys = _pairs(2, 500)

    def prog(rt, x, y):
        return [convert.b2a_bit(rt, int_overflow.additive(rt, x, y, x + y, subtract=False)),
                convert.b2a_bit(rt, int_overflow.additive(rt, x, y, x - y, subtract=True))]

    sums, differences = secure(prog, np.array(xs), np.array(ys))
    assert sums.tolist() == [_outside(x + y) for x, y in zip(xs, ys)]
    assert differences.tolist() == [_outside(x - y) for x, y in zip(xs, ys)]


def test_public_operands():
    xs = np.array(EDGES, dtype=np.int64)
    constants = [0, 1, -1, 2, -2, 3, -3, 7, 1000, -1000, 2**31, 2**32 + 1, INT64_MAX, INT64_MIN,
                 2**62, -(2**62)]
    for k in constants:
        def prog(rt, x, k=k):
            out = [convert.b2a_bit(rt, int_overflow.public_product(rt, x, k)),
                   convert.b2a_bit(rt, int_overflow.additive(rt, x, k, x.add_public(
                       np.uint64(k % 2**64)), subtract=False))]
            if k != INT64_MIN:  # (x - k is x + (-k) for the others)
                out.append(convert.b2a_bit(rt, int_overflow.additive(
                    rt, x, k, x.add_public(np.uint64(-k % 2**64)), subtract=True)))
            return out

        got = [g.tolist() for g in secure(prog, xs)]
        assert got[0] == [_outside(int(x) * k) for x in xs], k
        assert got[1] == [_outside(int(x) + k) for x in xs], k
        if k != INT64_MIN:
            assert got[2] == [_outside(int(x) - k) for x in xs], k


def test_negation():
    xs = np.array(EDGES, dtype=np.int64)
    got = secure(lambda rt, x: convert.b2a_bit(rt, int_overflow.negation(rt, x)), xs)
    assert got.tolist() == [_outside(-int(x)) for x in xs]
