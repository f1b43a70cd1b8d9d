"""The exact range tests of :mod:`scql_py.mpc.sum_range`, at the edges of the ranges:
each against the same test on Python integers."""

from __future__ import annotations

import numpy as np
from rss3_helpers import INT64_MAX, INT64_MIN, secure

from scql_py.mpc import convert, sum_range
from scql_py.mpc.rss import AShare

# groups of int64 words (one sum each) whose exact sums are at and next to the ends
GROUPS = [
    [INT64_MAX],
    [INT64_MIN],
    [INT64_MAX, 1],
    [INT64_MIN, -1],
    [INT64_MIN, 1],
    [2**62, 2**62 - 1],
    [2**62, 2**62],
    [-(2**62), -(2**62)],
    [-(2**62), -(2**62), -1],
    [INT64_MAX, INT64_MAX, INT64_MIN, INT64_MIN, 2],
    [INT64_MAX, INT64_MAX, INT64_MIN],
    [5, -3, 0],
    [-1] * 7,
    [INT64_MIN] * 3 + [INT64_MAX] * 3,
    [2**32 - 1] * 5,
    [-(2**32)] * 5,
    [INT64_MAX] * 9,
    [INT64_MIN] * 8 + [2**63 - 8, 7],
]


def _out_of_range(groups: list[list[int]]) -> list[int]:
    """Under MPC: per group, whether its exact sum is outside int64 (one call for all)."""
    at = np.cumsum([0] + [len(g) for g in groups])

    def prog(rt, x: AShare):
        high, low = sum_range.halves(rt, x)
        sums = [
            AShare.concat([w[at[i] : at[i + 1]].sum() for i in range(len(groups))])
            for w in (x, high, low)
        ]
        return convert.b2a_bit(rt, sum_range.out_of_range(rt, *sums))

    return secure(prog, np.array([v for g in groups for v in g], dtype=np.int64)).tolist()


def _past_int64(groups: list[list[int]]) -> list[int]:
    return [int(not INT64_MIN <= sum(g) <= INT64_MAX) for g in groups]


def test_out_of_range_is_exactly_a_sum_past_int64():
    assert _out_of_range(GROUPS) == _past_int64(GROUPS)
    # and on random groups of large words, about half of them past the range
    rng = np.random.default_rng(3)
    groups = [
        rng.integers(INT64_MIN, INT64_MAX, rng.integers(1, 6), endpoint=True).tolist()
        for _ in range(200)
    ]
    expected = _past_int64(groups)
    assert _out_of_range(groups) == expected and 20 < sum(expected) < 180


def test_halves_are_exact_with_a_low_part_below_2_to_32():
    x = np.array(
        [0, 1, -1, INT64_MIN, INT64_MAX, 2**32, -(2**32), 2**32 - 1, -(2**32) - 1], dtype=np.int64
    )
    high, low = secure(sum_range.halves, x)
    assert [h * 2**32 + lo for h, lo in zip(high.tolist(), low.tolist())] == x.tolist()
    assert all(0 <= lo < 2**32 for lo in low.tolist())


def test_quotient_beyond_is_exactly_a_dividend_of_2_to_bits_divisors():
    bits = 46
    rows = []
    for b in (1, -1, 3, -7, 2**16, -(2**17) + 1, 2**40, INT64_MAX >> bits):
        edge = abs(b) << bits
        for a in (
            edge,
            edge - 1,
            -edge,
            -edge + 1,
            -edge - 1,
            edge + 1,
            0,
            1,
            -1,
            INT64_MIN,
            INT64_MAX,
        ):
            if INT64_MIN <= a <= INT64_MAX:
                rows.append((a, b))
    a = np.array([r[0] for r in rows], dtype=np.int64)
    b = np.array([r[1] for r in rows], dtype=np.int64)
    got = secure(
        lambda rt, x, y: convert.b2a_bit(rt, sum_range.quotient_beyond(rt, x, y, bits)), a, b
    )
    assert got.tolist() == [int(abs(x) >= abs(y) << bits) for x, y in rows]


def test_beyond_and_any_set():
    x = np.array([0, 99, 100, -99, -100, -101, INT64_MIN, INT64_MAX], dtype=np.int64)
    got = secure(lambda rt, v: convert.b2a_bit(rt, sum_range.beyond(rt, v, 100)), x)
    assert got.tolist() == [int(not -100 <= v < 100) for v in x.tolist()]
    for bits in ([0], [0, 0, 0], [0, 1, 0], [1] * 5, [0] * 300 + [1]):
        got = secure(
            lambda rt, v: convert.b2a_bit(rt, sum_range.any_set(rt, [v[:1], v[1:]])),
            np.array(bits, dtype=np.int64),
            boolean=[True],
        )
        assert got.tolist() == [int(any(bits))]


def test_a_mean_beyond_its_word_is_a_dividend_past_divisor_2_to_bits_and_no_mean_is_not():
    bits = 46
    rows = [(0, 0)]  # an AVG of no values: NULL, never out of range
    for b in (1, 3, 2**16, 10**4 * 7, INT64_MAX >> bits):
        edge = b << bits
        rows += [
            (a, b)
            for a in (edge, edge - 1, -edge, -edge + 1, -edge - 1, 0, -1, INT64_MIN, INT64_MAX)
            if INT64_MIN <= a <= INT64_MAX
        ]
    a = np.array([r[0] for r in rows], dtype=np.int64)
    b = np.array([r[1] for r in rows], dtype=np.int64)

    def prog(rt, x, y, words):  # beside them, one sum past the range: 2^62 + 2^62
        high, low = sum_range.halves(rt, words)
        wrapped, large = sum_range.out_of_range_or_beyond(
            rt, words.sum(), high.sum(), low.sum(), x, y, bits
        )
        return convert.b2a_bit(rt, wrapped), convert.b2a_bit(rt, large)

    wrapped, large = secure(prog, a, b, np.array([2**62, 2**62], dtype=np.int64))
    assert wrapped.tolist() == [1]
    assert large.tolist() == [int(y > 0 and abs(x) >= y << bits) for x, y in rows]
