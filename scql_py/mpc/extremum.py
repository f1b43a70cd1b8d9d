"""Minimum and maximum of a shared vector by a tournament tree.

Each level compares the first half with the second half elementwise (one vectorised
comparison, 8 rounds) and keeps the winners (one vectorised select, 2 rounds); an odd
element waits for the next level. ``ceil(log2 n)`` levels, n - 1 comparisons in all.
Values must differ by less than 2^63 (e.g. all in the int64 range of ``[-2^62, 2^62)``).

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

from scql_py.mpc import compare, mux
from scql_py.mpc.rss import AShare
from scql_py.mpc.runtime import Runtime


def _reduce(rt: Runtime, x: AShare, keep_smaller: bool) -> AShare:
    if len(x) == 0:
        raise ValueError("the extremum of an empty vector is undefined")
    while len(x) > 1:
        half = len(x) // 2
        left, right, rest = x[:half], x[half:2 * half], x[2 * half:]
        left_wins = compare.less_than(rt, left, right) if keep_smaller \
            else compare.greater_than(rt, left, right)
        winners = mux.select(rt, left_wins, left, right)
        x = AShare.concat([winners, rest]) if len(rest) else winners
    return x


def reduce_min(rt: Runtime, x: AShare) -> AShare:
    """The smallest element, as a one-element sharing (``ceil(log2 n)`` levels)."""
    return _reduce(rt, x, keep_smaller=True)


def reduce_max(rt: Runtime, x: AShare) -> AShare:
    """The largest element, as a one-element sharing."""
    return _reduce(rt, x, keep_smaller=False)
