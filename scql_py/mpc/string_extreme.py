"""MIN and MAX of secret strings: of a whole column (a tournament), or running within
groups (a GROUP BY's segmented scan).

A string is its packed bytes, XOR-shared words (engine/encoding.py), and its keyed
hash, an arithmetic share, which moves with it. The scan doubles its reach each level,
as :func:`mpc.segment.segmented_min` does: row ``i`` takes row ``i - d``'s string when
that one is better (:func:`mpc.byte_order.less_than`, byte-wise as DuckDB compares
VARCHARs) and no group starts in between. Rows that do not count (NULL, filtered out)
must never win: a leading word, compared first, is 1 on them for MIN (0 on the others)
and 0 on them for MAX, so that the rows' own bytes do not matter. Moving a word is an
AND with the choice bit spread over the word (local) and an XOR.

The tournament pairs the first half of the rows with the second and keeps each pair's
winner, as :func:`mpc.extremum.reduce_min` does.

Rounds: about 30 per level, ``ceil(log2 n)`` levels; nothing is opened.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scql_py.mpc import byte_order, convert, mux, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime

U64 = np.uint64


def _spread(bit: BShare) -> BShare:
    """A secret bit (in bit 0) as a word of 64 copies of it (local: ``0 - b`` per share)."""
    one = U64(1)
    return BShare(bit.party, U64(0) - (bit.a & one), U64(0) - (bit.b & one))


def _choose(
    rt: Runtime,
    take_first: BShare,
    first: list[BShare],
    second: list[BShare],
    hashes_first: AShare,
    hashes_second: AShare,
) -> tuple[list[BShare], AShare]:
    """``first`` where the bit is 1, else ``second`` (words and hashes, 2 rounds)."""
    mask = _spread(take_first)
    moved = rss.and_many(rt, [(mask, a ^ b) for a, b in zip(first, second)])
    (hashes,) = mux.select_many(rt, [(take_first, hashes_first, hashes_second)])
    return [b ^ m for b, m in zip(second, moved)], hashes


def _marked(words: Sequence[BShare], present: BShare, smallest: bool) -> list[BShare]:
    """The words behind a leading word that makes the rows that do not count lose."""
    mark = convert.bit_not(present) if smallest else convert.clean_bit(present)
    return [mark, *words]


def string_extreme(
    rt: Runtime, words: Sequence[BShare], hashes: AShare, present: BShare, smallest: bool
) -> tuple[list[BShare], AShare]:
    """The smallest (or largest) present string of the column, as one row: its words
    and its hash (any row's when none is present; the count says so)."""
    if len(hashes) == 0:
        raise ValueError("the extremum of an empty column is undefined")
    carried = _marked(words, present, smallest)
    while len(hashes) > 1:
        half = len(hashes) // 2
        first = [w[:half] for w in carried]
        second = [w[half : 2 * half] for w in carried]
        if smallest:
            first_wins = byte_order.less_than(rt, first, second, half)
        else:
            first_wins = byte_order.less_than(rt, second, first, half)
        won, won_hashes = _choose(
            rt, first_wins, first, second, hashes[:half], hashes[half : 2 * half]
        )
        carried = [BShare.concat([w, c[2 * half :]]) for w, c in zip(won, carried)]
        hashes = AShare.concat([won_hashes, hashes[2 * half :]])
    return carried[1:], hashes


def segmented_string_extreme(
    rt: Runtime,
    words: Sequence[BShare],
    hashes: AShare,
    present: BShare,
    starts: BShare,
    smallest: bool,
) -> tuple[list[BShare], AShare]:
    """Per row, the smallest (or largest) present string of its group up to that row:
    its words and its hash (the group's at its last row)."""
    n = len(hashes)
    carried = _marked(words, present, smallest)
    if n <= 1:
        return [w.copy() for w in words], hashes.copy()
    flag = convert.clean_bit(starts)
    d = 1
    while d < n:
        left, right = [w[:-d] for w in carried], [w[d:] for w in carried]
        # take the upper row's string when it is better and the lower row starts no group
        if smallest:
            better = byte_order.less_than(rt, left, right, n - d)
        else:
            better = byte_order.less_than(rt, right, left, n - d)
        no_start = convert.bit_not(flag[d:])
        if 2 * d < n:
            take_left, both = convert.and_bits_many(rt, [(better, no_start), (flag[:-d], flag[d:])])
            flag = BShare.concat([flag[:d], flag[:-d] ^ flag[d:] ^ both])  # OR
        else:
            take_left = convert.bit_and(rt, better, no_start)
        chosen, chosen_hashes = _choose(rt, take_left, left, right, hashes[:-d], hashes[d:])
        carried = [BShare.concat([w[:d], c]) for w, c in zip(carried, chosen)]
        hashes = AShare.concat([hashes[:d], chosen_hashes])
        d *= 2
    return carried[1:], hashes


__all__ = ["segmented_string_extreme", "string_extreme"]
