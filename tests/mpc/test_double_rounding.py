"""``round_to_double`` against Python's int-to-float conversion (correctly rounded, ties
to even): at the powers of two where a double stops holding every integer, at ties of
each shift (even and odd quotients), and on random integers below 2^59 and 2^62."""

from __future__ import annotations

import numpy as np
from rss3_helpers import secure

from scql_py.mpc.double_rounding import round_to_double


def _doubles(values) -> list[int]:
    return [int(float(int(v))) for v in values]


def test_edges_and_ties_of_every_shift():
    values = [0, 1, 2**53 - 1, 2**53, 2**53 + 1, 2**53 + 2, 2**53 + 3, 2**54 + 2, 2**54 + 6,
              2**54 - 1, 2**58 + 31, 2**58 + 32, 2**58 + 96, 2**59 - 1, 2**61 - 1,
              2**61 + 2**8 + 2**7, 2**62 - 1]
    x = np.array(values, np.int64)
    assert secure(lambda rt, v: round_to_double(rt, v, 62), x).tolist() == _doubles(values)


def test_random_integers():
    rng = np.random.default_rng(5)
    for bits in (59, 62):
        x = rng.integers(0, 2**bits, 200, dtype=np.int64)
        x[:50] >>= rng.integers(0, 12, 50)  # exponents around 2^53 too
        assert secure(lambda rt, v, b=bits: round_to_double(rt, v, b), x).tolist() == _doubles(x)


def test_below_2_53_nothing_changes():
    x = np.array([0, 5, 2**53 - 1], np.int64)
    assert secure(lambda rt, v: round_to_double(rt, v, 53), x).tolist() == x.tolist()
