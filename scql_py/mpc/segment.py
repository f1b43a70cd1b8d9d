"""Segmented aggregation over rows sorted by a group key, and compaction.

After :func:`scql_py.mpc.sort.sort` the rows of a group are adjacent. A secret bit per
row marks the first row of each group (:func:`segment_starts`, by equality with the
previous row); aggregates are then scans that restart at the marks:

* sums and counts: prefix sums are local on additive shares; the segmented version
  subtracts the prefix before the group's start, which a log-depth "copy down the last
  start" scan (Hillis-Steele) brings to every row: ``ceil(log2 n)`` rounds of products;
* min / max: the same scan with a comparison and a selection per level;
* :func:`sum_by_group`: group totals without a scan: prefix sums at the group ends,
  compacted in order, then differences of neighbours (reveals only the group count).

:func:`compact` keeps the rows whose secret validity bit is 1: shuffle, open the bits,
keep (optionally in the original order): it reveals the number of valid rows only.

Conventions: a secret bit is a :class:`BShare` with value 0/1 (share words may carry
garbage above bit 0; it is masked off). Running aggregates are per row: the value of
row ``i`` covers the rows of its group up to ``i``, so at a group's last row
(:func:`group_ends`) it is the group's total.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from scql_py.mpc import compare, convert, equality, mux, openings, rss
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.shuffle import shuffle

U64 = np.uint64
Column = AShare | BShare


# -- marks ------------------------------------------------------------------------------------

def _ones(party: int, n: int) -> BShare:
    return BShare.public(party, np.ones(n, U64))


def segment_starts(rt: Runtime, sorted_keys: Sequence[AShare | BShare]) -> BShare:
    """Bit per row: 1 at the first row of each run of equal keys (row 0 always).

    Several key columns form one composite key. Boolean key columns are converted to
    arithmetic first (``convert.b2a``). Rounds: one equality test (7) plus
    ``ceil(log2(keys))`` ANDs.

    >>> import numpy as np
    >>> from scql_py.mpc.inprocess import run_parties
    >>> def prog(rt, _):
    ...     k = rss.share_input(rt, 0, np.array([3, 3, 5, 5, 5, 7]) if rt.party == 0 else None, 6)
    ...     return (rss.reveal(rt, segment_starts(rt, [k])) & 1).tolist()
    >>> run_parties(prog)[0]
    [1, 0, 1, 0, 0, 1]
    """
    if not sorted_keys:
        raise ValueError("segment_starts needs at least one key column")
    n = len(sorted_keys[0])
    party = rt.party
    if n <= 1:
        return _ones(party, n)
    keys = [k if isinstance(k, AShare) else convert.b2a(rt, k) for k in sorted_keys]
    width = n - 1
    same = equality.equal(rt, AShare.concat([k[1:] for k in keys]),
                          AShare.concat([k[:-1] for k in keys]))
    parts = [same[i * width:(i + 1) * width] for i in range(len(keys))]
    while len(parts) > 1:  # AND the per-key equalities, a tree of rounds
        pairs = [(parts[i], parts[i + 1]) for i in range(0, len(parts) - 1, 2)]
        merged = convert.and_bits_many(rt, pairs)
        parts = merged + ([parts[-1]] if len(parts) % 2 else [])
    return BShare.concat([_ones(party, 1), convert.bit_not(parts[0])])


def group_ends(starts: BShare) -> BShare:
    """Bit per row: 1 at the last row of each group (the row before a start; local)."""
    n = len(starts)
    if n == 0:
        return starts.copy()
    return BShare.concat([starts[1:], _ones(starts.party, 1)])


def distinct_starts(rt: Runtime, group_keys: Sequence[AShare | BShare],
                    value_keys: Sequence[AShare | BShare]) -> BShare:
    """For rows sorted by (group, value): 1 at the first row of each distinct
    (group, value) pair. Its running sum per group (:func:`segmented_sum` with the
    group starts) is COUNT(DISTINCT value) so far; at the group's end, the total."""
    return segment_starts(rt, list(group_keys) + list(value_keys))


# -- sums and counts ----------------------------------------------------------------------------

def prefix_sum(x: AShare) -> AShare:
    """Inclusive running sum (local: the shares add up independently, mod 2^64)."""
    return AShare(x.party, np.cumsum(x.a, dtype=U64), np.cumsum(x.b, dtype=U64))


def _shifted_down(x: AShare, d: int) -> AShare:
    """Row ``i`` gets row ``i - d``; the first ``d`` rows get 0."""
    z = AShare.zeros(x.party, min(d, len(x)))
    return AShare.concat([z, x[: len(x) - d]]) if d < len(x) else z


def copy_down(rt: Runtime, starts: BShare, values: list[AShare]) -> list[AShare]:
    """For each row, the values of the last row at or above it that has a start mark.

    Hillis-Steele scan of ``(F_l, V_l) . (F_r, V_r) = (F_l | F_r, F_r ? V_r : V_l)``:
    ``ceil(log2 n)`` rounds, each 1 + len(values) products per row.
    """
    n = len(starts)
    flag = convert.b2a_bit(rt, starts)
    d = 1
    while d < n:
        last = 2 * d >= n
        pairs = [(flag[d:], v[d:] - v[:-d]) for v in values]
        if not last:
            pairs.append((flag[d:], flag[:-d]))
        prods = rss.mul_many(rt, pairs)
        values = [AShare.concat([v[:d], v[:-d] + p]) for v, p in zip(values, prods, strict=False)]
        if not last:
            both = prods[-1]
            flag = AShare.concat([flag[:d], flag[d:] + flag[:-d] - both])
        d *= 2
    return values


def copy_down_words(rt: Runtime, starts: BShare, words: list[BShare]) -> list[BShare]:
    """:func:`copy_down` of XOR-shared words (a string's bytes): ``F_r ? V_r : V_l`` is
    ``V_l ^ (F_r & (V_r ^ V_l))``, the bit ``F_r`` spread over the word (local)."""
    n = len(starts)
    flag = convert.clean_bit(starts)
    d = 1
    while d < n:
        last = 2 * d >= n
        one = U64(1)  # the bit's low bit in every share (the AND below leaves others)
        spread = BShare(flag.party, U64(0) - (flag.a[d:] & one), U64(0) - (flag.b[d:] & one))
        pairs = [(spread, w[d:] ^ w[:-d]) for w in words]
        if not last:
            pairs.append((flag[d:], flag[:-d]))
        prods = rss.and_many(rt, pairs)
        words = [BShare.concat([w[:d], w[:-d] ^ p]) for w, p in zip(words, prods, strict=False)]
        if not last:
            flag = BShare.concat([flag[:d], flag[d:] ^ flag[:-d] ^ prods[-1]])  # OR
        d *= 2
    return words


def segmented_sum(rt: Runtime, values: AShare | Sequence[AShare], starts: BShare
                  ) -> AShare | list[AShare]:
    """Running sums that restart at every start mark (several columns in one scan).

    At the rows of :func:`group_ends` these are the group totals.

    >>> import numpy as np
    >>> from scql_py.mpc.inprocess import run_parties
    >>> def prog(rt, _):
    ...     v = rss.share_input(rt, 0, np.array([1, 2, 3, 4, 5]) if rt.party == 0 else None, 5)
    ...     s = rss.share_input_bool(rt, 0, np.array([1, 0, 1, 0, 0]) if rt.party == 0 else None, 5)
    ...     return rss.reveal(rt, segmented_sum(rt, v, s)).tolist()
    >>> run_parties(prog)[0]
    [1, 3, 3, 7, 12]
    """
    single = isinstance(values, AShare)
    cols = [values] if single else list(values)
    n = len(starts)
    if n == 0 or not cols:
        return cols[0].copy() if single else [c.copy() for c in cols]
    prefix = [prefix_sum(c) for c in cols]
    before = [_shifted_down(p, 1) for p in prefix]  # prefix up to the previous row
    at_start = copy_down(rt, starts, before)
    out = [p - s for p, s in zip(prefix, at_start, strict=True)]
    return out[0] if single else out


def segmented_count(rt: Runtime, starts: BShare, valid: BShare | None = None) -> AShare:
    """Running count of rows (or of rows whose ``valid`` bit is 1) within each group."""
    n = len(starts)
    if valid is None:
        ones = AShare.public(rt.party, np.ones(n, np.int64))
    else:
        ones = convert.b2a_bit(rt, valid)
    return segmented_sum(rt, ones, starts)  # type: ignore[return-value]


# -- min and max ---------------------------------------------------------------------------------

def _segmented_extreme(rt: Runtime, values: AShare, starts: BShare, keep_smaller: bool,
                       payload: Sequence[AShare] = (), less=compare.less_than
                       ) -> list[AShare]:
    n = len(values)
    carried = [values, *payload]
    if n <= 1:
        return [c.copy() for c in carried]
    flag = convert.clean_bit(starts)
    d = 1
    while d < n:
        v = carried[0]
        left, right = v[:-d], v[d:]
        # take the upper row's value when it is better and the lower row starts no group
        better = less(rt, left, right) if keep_smaller else less(rt, right, left)
        no_start = convert.bit_not(flag[d:])
        if 2 * d < n:
            take_left, both = convert.and_bits_many(rt, [(better, no_start),
                                                          (flag[:-d], flag[d:])])
            flag = BShare.concat([flag[:d], flag[:-d] ^ flag[d:] ^ both])  # OR
        else:
            take_left = convert.bit_and(rt, better, no_start)
        chosen = mux.select_many(rt, [(take_left, c[:-d], c[d:]) for c in carried])
        carried = [AShare.concat([c[:d], x]) for c, x in zip(carried, chosen)]
        d *= 2
    return carried


def segmented_min(rt: Runtime, values: AShare, starts: BShare) -> AShare:
    """Running minimum within each group (the group's minimum at its last row).
    Values must differ by less than 2^63 (``compare.less_than``)."""
    return _segmented_extreme(rt, values, starts, keep_smaller=True)[0]


def segmented_max(rt: Runtime, values: AShare, starts: BShare) -> AShare:
    """Running maximum within each group (the group's maximum at its last row)."""
    return _segmented_extreme(rt, values, starts, keep_smaller=False)[0]


def segmented_extreme_with(rt: Runtime, values: AShare, starts: BShare, smallest: bool,
                           payload: Sequence[AShare], less=compare.less_than
                           ) -> tuple[AShare, list[AShare]]:
    """Running minimum (or maximum) of ``values`` within each group, and each payload
    column's value on the row it came from, in the same scan. ``less``:
    ``compare.less_than_wide`` for values that may differ by 2^63 or more."""
    out = _segmented_extreme(rt, values, starts, smallest, payload, less)
    return out[0], out[1:]


# -- compaction ------------------------------------------------------------------------------------

def _open_bits(rt: Runtime, bit: BShare) -> np.ndarray:
    """Reveal secret bits to every party (packed 8 per byte on the wire)."""
    n = len(bit)
    packed = BShare(bit.party, np.packbits((bit.a & U64(1)).astype(np.uint8)),
                    np.packbits((bit.b & U64(1)).astype(np.uint8)))
    return np.unpackbits(rss.reveal(rt, packed, what=openings.ROW_COUNT), count=n).astype(bool)


def compact(rt: Runtime, valid: BShare, columns: Sequence[Column], *, keep_order: bool = False
            ) -> list[Column]:
    """The rows of ``columns`` whose ``valid`` bit is 1.

    Rows are shuffled, then the validity bits opened: what leaks is the number of valid
    rows. With ``keep_order`` the kept rows stay in their original order: each carries
    its rank among the valid rows (a running count), which is opened for kept rows
    only -- after the shuffle those ranks are a random permutation of ``0..k-1``.
    """
    n = len(valid)
    for c in columns:
        if len(c) != n:
            raise ValueError("compact: every column needs one row per validity bit")
    if n == 0:
        return [c.copy() for c in columns]
    carried: list[Column] = [valid, *columns]
    if keep_order:
        carried.append(prefix_sum(convert.b2a_bit(rt, valid)))
    mixed = shuffle(rt, carried)
    kept = np.flatnonzero(_open_bits(rt, mixed[0]))
    out = [c[kept] for c in mixed[1:]]
    if keep_order:
        # a random permutation of 0..k-1 after the shuffle: nothing beyond the count
        rank = rss.reveal(rt, out.pop(), what=openings.ROW_COUNT).astype(np.int64) - 1
        where = np.empty(len(kept), np.int64)
        where[rank] = np.arange(len(kept))
        out = [c[where] for c in out]
    return out


def sum_by_group(rt: Runtime, starts: BShare, keys: Sequence[Column],
                 values: Sequence[AShare]) -> tuple[list[Column], list[AShare], AShare]:
    """One row per group, in order: the group's key columns, the SUM of each value
    column and the row count. Rows must be sorted by group. Reveals the group count.

    Prefix sums at the group ends are compacted in order; a group's total is its end
    prefix minus the previous group's: no scan, one shuffle.
    """
    n = len(starts)
    ends = group_ends(starts)
    prefixes = [prefix_sum(v) for v in values]
    rows = AShare.public(rt.party, np.arange(1, n + 1, dtype=np.int64))  # prefix of ones
    kept = compact(rt, ends, [*keys, *prefixes, rows], keep_order=True)
    group_keys = kept[: len(keys)]
    at_end = kept[len(keys):]
    totals = [p - _shifted_down(p, 1) for p in at_end]  # type: ignore[arg-type]
    return group_keys, totals[:-1], totals[-1]
