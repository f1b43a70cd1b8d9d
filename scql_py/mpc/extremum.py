"""Minimum and maximum of a shared vector by a tournament tree.

Each level compares the first half with the second half elementwise (one vectorised
comparison, 8 rounds) and keeps the winners (one vectorised select, 2 rounds); an odd
element waits for the next level. ``ceil(log2 n)`` levels, n - 1 comparisons in all.
Values must differ by less than 2^63 (e.g. all in the int64 range of ``[-2^62, 2^62)``),
unless the comparison is ``compare.less_than_wide``.

>>> import numpy as np
>>> from scql_py.mpc import rss
>>> from scql_py.mpc.inprocess import run_parties
>>> def prog(rt, _):
...     x = rss.share_input(rt, 0, np.array([4, -7, 9, 0, 3]) if rt.party == 0 else None, 5)
...     lo, hi = reduce_min(rt, x), reduce_max(rt, x)
...     return [rss.reveal(rt, v).view(np.int64).tolist() for v in (lo, hi)]
>>> run_parties(prog)[0]
[[-7], [9]]
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from scql_py.mpc import compare, mux
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

Less = Callable[[Runtime, AShare, AShare], BShare]


def _reduce(rt: Runtime, x: AShare, payload: Sequence[AShare], keep_smaller: bool,
            less: Less) -> tuple[AShare, list[AShare]]:
    if len(x) == 0:
        raise ValueError("the extremum of an empty vector is undefined")
    carried = [x, *payload]
    while len(carried[0]) > 1:
        half = len(carried[0]) // 2
        key = carried[0]
        left, right = key[:half], key[half:2 * half]
        left_wins = less(rt, left, right) if keep_smaller else less(rt, right, left)
        # the winner's payload travels in the same select as its key
        winners = mux.select_many(rt, [(left_wins, c[:half], c[half:2 * half])
                                       for c in carried])
        carried = [AShare.concat([w, c[2 * half:]]) if len(c) > 2 * half else w
                   for w, c in zip(winners, carried)]
    return carried[0], carried[1:]


def reduce_min(rt: Runtime, x: AShare, less: Less = compare.less_than) -> AShare:
    """The smallest element, as a one-element sharing (``ceil(log2 n)`` levels)."""
    return _reduce(rt, x, (), True, less)[0]


def reduce_max(rt: Runtime, x: AShare, less: Less = compare.less_than) -> AShare:
    """The largest element, as a one-element sharing."""
    return _reduce(rt, x, (), False, less)[0]


def extreme_with(rt: Runtime, x: AShare, payload: Sequence[AShare], smallest: bool,
                 less: Less = compare.less_than) -> tuple[AShare, list[AShare]]:
    """The smallest (or largest) element of ``x`` and each payload vector's element at
    its position, in the same levels (a float's fixed-point value travels with its key).
    ``less``: ``compare.less_than_wide`` for values that may differ by 2^63 or more."""
    return _reduce(rt, x, payload, smallest, less)
