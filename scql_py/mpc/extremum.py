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


def extremes_many(rt: Runtime, items: Sequence[tuple[AShare, Sequence[AShare], bool]],
                  less: Less = compare.less_than) -> list[tuple[AShare, list[AShare]]]:
    """For each ``(x, payload, smallest)``: the smallest (or largest) element of ``x``
    and each payload vector's element at its position, every vector's level in the
    same comparison and select (``ceil(log2 n)`` levels for the longest)."""
    if any(len(x) == 0 for x, _, _ in items):
        raise ValueError("the extremum of an empty vector is undefined")
    carried = [[x, *payload] for x, payload, _ in items]
    while any(len(c[0]) > 1 for c in carried):
        active = [i for i, c in enumerate(carried) if len(c[0]) > 1]
        halves = [len(carried[i][0]) // 2 for i in active]
        firsts, seconds = [], []
        for i, half in zip(active, halves):
            key = carried[i][0]
            left, right = key[:half], key[half:2 * half]
            firsts.append(left if items[i][2] else right)
            seconds.append(right if items[i][2] else left)
        left_wins = less(rt, AShare.concat(firsts), AShare.concat(seconds))
        # the winner's payload travels in the same select as its key
        choices, at = [], 0
        for i, half in zip(active, halves):
            wins = left_wins[at:at + half]
            at += half
            choices += [(wins, c[:half], c[half:2 * half]) for c in carried[i]]
        winners = mux.select_many(rt, choices)
        for i, half in zip(active, halves):
            mine, winners = winners[:len(carried[i])], winners[len(carried[i]):]
            carried[i] = [AShare.concat([w, c[2 * half:]]) if len(c) > 2 * half else w
                          for w, c in zip(mine, carried[i])]
    return [(c[0], c[1:]) for c in carried]


def _reduce(rt: Runtime, x: AShare, payload: Sequence[AShare], keep_smaller: bool,
            less: Less) -> tuple[AShare, list[AShare]]:
    return extremes_many(rt, [(x, payload, keep_smaller)], less)[0]


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
