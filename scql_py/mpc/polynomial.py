"""Polynomials with public coefficients on secret fixed-point values in ``[-1, 1]``.

The elementary functions (:mod:`exp_log`, :mod:`trig`) reduce their argument to a
variable ``s`` in ``[-1, 1]`` and evaluate a Chebyshev interpolant of the function
there (:func:`chebyshev`: numpy interpolates at the Chebyshev points, which is within
a small factor of the best polynomial of its degree, and converts it to monomials).

Evaluation (:func:`evaluate`) at ``FRAC = 28`` fractional bits: the powers ``s^2 ..
s^d`` in ``ceil(log2 d)`` levels (level ``L`` multiplies ``s^(2^(L-1))`` by the powers
below it, one batched product and one exact truncation, :mod:`exact_shift`), then
``sum c_i s^i`` with the coefficients rounded to ``2^-28`` and one exact rounding. No
step can fail: ``|s^i| <= 1`` keeps every product below ``2^56`` and every term of
the sum below ``|c_i| 2^56`` (the callers' coefficients are below 8). Each power is
below its exact value by less than ``(i - 1) 2^-28``; the sum is within
``sum |c_i| i 2^-28 + 2^-28`` of the interpolant, itself within the fit error the
callers state.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
from numpy.polynomial import Chebyshev, Polynomial

from scql_py.mpc import rss
from scql_py.mpc.exact_shift import floor_shift, round_shift
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime

FRAC = 28
ONE = 1 << FRAC
_MAX_COEFFICIENT = 8.0  # |c| 2^56 stays below 2^63


def chebyshev(f: Callable[[np.ndarray], np.ndarray], degree: int) -> list[float]:
    """Monomial coefficients (constant first) of the interpolant of ``f`` on
    ``[-1, 1]`` at the Chebyshev points of the given degree."""
    coefficients = Chebyshev.interpolate(f, degree).convert(kind=Polynomial).coef
    return [float(c) for c in coefficients]


def powers(rt: Runtime, s: AShare, degree: int) -> list[AShare]:
    """``[s^1, ..., s^degree]`` at ``FRAC`` bits, for ``|s| <= 1`` (module doc)."""
    out, n = [s], len(s)
    while len(out) < degree:
        half = len(out)  # a power of two: out[-1] is s^half
        count = min(half, degree - half)
        lhs = AShare.concat([out[-1]] * count)
        rhs = AShare.concat(out[:count])
        product = floor_shift(rt, rss.mul(rt, lhs, rhs), FRAC)
        out.extend(product[i * n:(i + 1) * n] for i in range(count))
    return out[:degree]


def evaluate_many(rt: Runtime, s: AShare, polynomials: list[list[float]]) -> list[AShare]:
    """``sum c_i s^i`` at ``FRAC`` bits for each coefficient list, for ``|s| <= 1`` at
    ``FRAC`` bits: the powers once, every sum rounded in one batch."""
    if any(abs(c) >= _MAX_COEFFICIENT for cs in polynomials for c in cs):
        raise ValueError("coefficients must be below 8 in magnitude")
    n = len(s)
    ps = powers(rt, s, max(len(cs) for cs in polynomials) - 1)
    sums = []
    for cs in polynomials:
        acc = AShare.public(rt.party, np.full(n, round(cs[0] * ONE * ONE), np.int64))
        for c, p in zip(cs[1:], ps):
            acc = acc + p.mul_public(np.int64(round(c * ONE)).view(np.uint64))
        sums.append(acc)
    rounded = round_shift(rt, AShare.concat(sums), FRAC)
    return [rounded[i * n:(i + 1) * n] for i in range(len(polynomials))]


def evaluate(rt: Runtime, s: AShare, coefficients: list[float]) -> AShare:
    """``sum c_i s^i`` at ``FRAC`` bits for ``|s| <= 1`` at ``FRAC`` bits."""
    return evaluate_many(rt, s, [coefficients])[0]


__all__ = ["FRAC", "ONE", "chebyshev", "evaluate", "evaluate_many", "powers"]
