"""Secure division against exact integer arithmetic in Python."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rss3_helpers import INT64_MAX, INT64_MIN, secure, wrap_int64

from scql_py.mpc import division

RNG = np.random.default_rng(17)


def _log_uniform(n, top_bits):
    mags = np.floor(2.0 ** RNG.uniform(0, top_bits, n)).astype(np.int64)
    return mags * RNG.choice([-1, 1], n)


def _sql_div(a: int, b: int) -> int:
    q = abs(a) // abs(b)
    return q if (a < 0) == (b < 0) else -q


@pytest.mark.parametrize("frac_bits", [16, 0, 30])
def test_divide_relative_error_bound(frac_bits):
    n = 3000
    a, b = _log_uniform(n, 46), _log_uniform(n, 40)
    a[:8] = [0, 1, -1, 2**46 - 1, -(2**46) + 1, 12345, 7, -7]
    b[:8] = [1, 1, -1, 1, -3, 12345, 2**40, -(2**40)]
    got = secure(lambda rt, x, y: division.divide(rt, x, y, frac_bits), a, b).astype(float)
    exact = a.astype(float) / b.astype(float) * 2.0**frac_bits
    fits = np.abs(exact) < 2.0**62
    err = np.abs(got - exact)[fits]
    assert np.all(err <= 2.0**-16 * np.abs(exact[fits]) + 1)


def test_divide_larger_operands():
    n = 1000
    a, b = _log_uniform(n, 61), _log_uniform(n, 61)
    got = secure(lambda rt, x, y: division.divide(rt, x, y, 0), a, b).astype(float)
    exact = a.astype(float) / b.astype(float)
    assert np.all(np.abs(got - exact) <= 2.0**-16 * np.abs(exact) + 1)


@pytest.mark.parametrize("d", [1, 2, 3, 7, 10, 1000, 2**31 - 1, 2**40 + 1, 2**61 + 3, 2**16, 2**32, 2**61])
def test_divide_public_is_exact(d):
    x = np.concatenate([RNG.integers(INT64_MIN, INT64_MAX, 1500), _log_uniform(500, 62),
                        [0, 1, -1, d, -d, d - 1, 1 - d, INT64_MIN, INT64_MIN + 1, INT64_MAX]])
    got = secure(lambda rt, s: division.divide_public(rt, s, d), x)
    np.testing.assert_array_equal(got, wrap_int64([_sql_div(int(v), d) for v in x]))


def test_int_divide_and_modulo_sql_semantics():
    a = np.concatenate([[-7, 7, -7, 7, 0, INT64_MAX, INT64_MIN, 5, -5],
                        RNG.integers(INT64_MIN, INT64_MAX, 40), _log_uniform(40, 40)])
    b = np.concatenate([[3, 3, -3, -3, 5, 2, 7, 5, 5], _log_uniform(40, 61),
                        _log_uniform(40, 20)])
    q, r = secure(lambda rt, x, y: list(division.divmod_(rt, x, y)), a, b)
    exp_q = [_sql_div(int(x), int(y)) for x, y in zip(a, b)]
    np.testing.assert_array_equal(q, wrap_int64(exp_q))
    np.testing.assert_array_equal(r, wrap_int64([int(x) - int(y) * e
                                                 for x, y, e in zip(a, b, exp_q)]))
    assert q[:4].tolist() == [-2, 2, 2, -2] and r[:4].tolist() == [-1, 1, -1, 1]


def test_int_divide_and_modulo_with_divisors_near_2_to_62():
    """The base-4 steps test ``X >= 3 b`` unsigned: divisors whose triple passes 2^63."""
    big = [2**62 - 1, -(2**62 - 1), 3 * 2**60 + 5, 2**61 + 12345, (2**63) // 3 + 1,
           (2**63) // 3 - 1, 2**61, -(2**61) - 7]
    a = np.array([x for _ in big for x in (INT64_MAX, INT64_MIN, INT64_MIN + 1, -(2**62),
                                           2**62 + 3, 0, -1, 2**63 // 3 * 2)], dtype=np.int64)
    b = np.array([d for d in big for _ in range(8)], dtype=np.int64)
    q, r = secure(lambda rt, x, y: list(division.divmod_(rt, x, y)), a, b)
    exp_q = [_sql_div(int(x), int(y)) for x, y in zip(a, b)]
    np.testing.assert_array_equal(q, wrap_int64(exp_q))
    np.testing.assert_array_equal(r, wrap_int64([int(x) - int(y) * e
                                                 for x, y, e in zip(a, b, exp_q)]))


@settings(max_examples=10, deadline=None)
@given(st.lists(st.tuples(st.integers(-(2**20), 2**20),
                          st.integers(1, 2**12).map(lambda v: v * (-1) ** v)),
                min_size=1, max_size=6))
def test_int_divide_modulo_property(pairs):
    a = np.array([p[0] for p in pairs], dtype=np.int64)
    b = np.array([p[1] for p in pairs], dtype=np.int64)
    q = secure(lambda rt, x, y: division.int_divide(rt, x, y, bits=21), a, b)
    r = secure(lambda rt, x, y: division.modulo(rt, x, y, bits=21), a, b)
    exp_q = [_sql_div(int(x), int(y)) for x, y in zip(a, b)]
    assert q.tolist() == exp_q
    assert r.tolist() == [int(x) - int(y) * e for x, y, e in zip(a, b, exp_q)]
