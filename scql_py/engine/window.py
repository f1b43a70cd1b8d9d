"""Window functions under MPC.

Rows (compacted first) are sorted obliviously by (partition keys, order keys). Then,
with ``starts`` marking each partition's first row and ``peers`` each run of rows equal
on all keys (without ORDER BY: the whole partition):

* ROW_NUMBER: the running count of rows within the partition;
* RANK: ROW_NUMBER minus the running count within the peer run, plus 1;
* DENSE_RANK: the running count of peer-run starts within the partition;
* PERCENT_RANK: (RANK - 1) / (partition size - 1), or 0 for one-row partitions; the
  size is the running count plus the running count over the reversed rows, minus 1.

* NTILE(b): from the row number and the partition size, DuckDB's buckets (one exact
  division by a public b, two by secret bucket sizes);
* SUM, COUNT, AVG, MIN, MAX: running within the partition (prefix sums, a min/max
  scan), then read at the last row of the row's frame -- DuckDB's default frame,
  RANGE UNBOUNDED PRECEDING to the current row's last peer -- by a copy scan upwards;
* the same over a ROWS frame ``[i + s, i + e]``: SUM and COUNT as the difference of
  the prefix sums at ``i + e`` and ``i + s - 1`` (the rows a public distance away: a
  shift of the shares, local; clipped to the partition by comparing the row number,
  or the rows left, with that public distance); MIN and MAX of an unbounded side as a
  running (or reversed running) extreme read there, of a bounded frame of ``w`` rows
  as a segmented scan over the ``w`` candidates of every row (log-depth);
* NTH_VALUE(x, k): the partition's ``k``-th row (a shift by ``k - 1``, then a copy
  scan from the partition's first row), NULL where the frame has fewer rows; over a
  ROWS frame FIRST_VALUE, LAST_VALUE and NTH_VALUE read the row a public distance
  away (or the partition's first or last row where that is nearer), NULL where the
  frame has no such row;
* LAG/LEAD(x, k, d): the rows k places away (a public shift of the shares, local),
  with d (or NULL) where the row number (or the rows left) shows there is none;
* FIRST_VALUE / LAST_VALUE: a copy scan from the partition's first row, or from the
  frame's last one.

Nothing is opened but the sort's shuffled comparisons.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from scql_py.catalog.types import BOOL, FLOAT64, INT64, SqlType
from scql_py.engine import kept_range
from scql_py.engine.aggregate import average_many, range_bits
from scql_py.engine.group_by import running_extreme
from scql_py.engine.ordering import flatten, sort_keys, unflatten, with_null_keys_zeroed
from scql_py.engine.relation import (
    FloatBits,
    Quotient,
    SecretColumn,
    SecretRelation,
    null_column,
)
from scql_py.engine.secure_expr import SecureEvaluator, bit_not, bit_or
from scql_py.errors import NotSupportedError
from scql_py.mpc import compare, convert, division, equality, mux, rss, segment, sum_range
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare
from scql_py.mpc.runtime import Runtime
from scql_py.mpc.sort import sort
from scql_py.sql import plan_text
from scql_py.sql.logical import WINDOW_AGGREGATES


def _equal_words(col: SecretColumn) -> list[AShare | BShare]:
    """What makes two rows peers on a column (a float by its exact key while it has one,
    as the sort orders it)."""
    words: list[AShare | BShare] = [col.null] if col.null is not None else []
    return words + [col.key if col.key is not None else col.value]



def window(rt: Runtime, rel: SecretRelation, partition: list[str],
           order: list[tuple[str, bool, bool]], funcs: list, string_key: bytes
           ) -> SecretRelation:
    """``rel`` (no validity bits) sorted by partition and order, with one column per
    function of ``funcs`` (the plan's ``[name, func, arg, type, offset, default]``)."""
    assert rel.valid is None, "compact before computing windows"
    n = rel.n
    party = rt.party
    if n > 1:  # NULL keys must tie, as partitions and as peers (see engine.ordering)
        rel = with_null_keys_zeroed(rt, rel, partition + [name for name, _, _ in order])
    keys = []
    for name in partition:
        keys.extend(sort_keys(rel.column(name), False, True))
    for name, desc, nulls_first in order:
        keys.extend(sort_keys(rel.column(name), desc, nulls_first))
    if n > 1 and keys:
        _, moved = sort(rt, keys, flatten(rel))
        rel = SecretRelation(n, list(rel.names), unflatten(rel, moved, n))
    names = [f[0] for f in funcs]
    if n == 0:  # in the form later steps expect of the type (a bool is an XOR word)
        cols = [_empty_result(party, rel, f[2], SqlType.parse(f[3])) for f in funcs]
        return SecretRelation(0, rel.names + names, rel.columns + cols)

    part_words = [w for name in partition for w in _equal_words(rel.column(name))]
    order_words = [w for name, _, _ in order for w in _equal_words(rel.column(name))]
    starts = segment.segment_starts(rt, part_words) if part_words else _first_only(party, n)
    peers = segment.segment_starts(rt, part_words + order_words) if order_words else starts
    # a peer run never crosses a partition start
    frame = _Frame(rt, starts, peers, n)
    out = []
    for _, func, arg, t, offset, default, rows in funcs:
        t = SqlType.parse(t)
        col = rel.column(arg) if arg else None
        if func in RANKINGS:
            out.append(_ranking(rt, frame, func, offset))
        elif func in WINDOW_AGGREGATES and rows is not None:
            out.append(_sliding_aggregate(rt, frame, func, col, t, *rows))
        elif func in WINDOW_AGGREGATES:
            out.append(_frame_aggregate(rt, frame, func, col, t))
        else:
            ev = SecureEvaluator(rt, SecretRelation(n, [arg], [col]), string_key)
            out.append(_other_row(rt, ev, frame, func, col, t, offset, default, rows))
    return SecretRelation(n, rel.names + names, rel.columns + out)


RANKINGS = ("row_number", "rank", "dense_rank", "percent_rank", "ntile")


class _Frame:
    """The sorted rows' partitions and peer runs, and what every function reads of them:
    the row number, the partition size (both computed once)."""

    def __init__(self, rt: Runtime, starts: BShare, peers: BShare, n: int):
        self.rt, self.starts, self.peers, self.n = rt, starts, peers, n
        self.row_number = segment.segmented_count(rt, starts)
        self._after: AShare | None = None

    @property
    def after(self) -> AShare:
        """The rows from this one to its partition's end (this one included)."""
        if self._after is None:
            self._after = segment.segmented_count(
                self.rt, segment.group_ends(self.starts).reversed()).reversed()
        return self._after

    def at_frame_end(self, values: list[AShare], words: list[BShare] = ()
                     ) -> list[AShare | BShare]:
        """Each row gets the values (then the XOR-shared ``words``) of the last row of
        its frame (DuckDB's default: the last peer of the row with ORDER BY, else the
        partition's last row)."""
        marks = segment.group_ends(self.peers).reversed()
        copied = segment.copy_down(self.rt, marks, [v.reversed() for v in values])
        if words:
            copied += segment.copy_down_words(self.rt, marks, [w.reversed() for w in words])
        return [c.reversed() for c in copied]

    def at_partition_start(self, values: list[AShare]) -> list[AShare]:
        return segment.copy_down(self.rt, self.starts, values)

    def at_partition_end(self, values: list[AShare]) -> list[AShare]:
        marks = segment.group_ends(self.starts).reversed()
        copied = segment.copy_down(self.rt, marks, [v.reversed() for v in values])
        return [c.reversed() for c in copied]

    def at_offset(self, values: list[AShare], d: int, before_start: str) -> list[AShare]:
        """Each row gets the values of the row ``d`` places after it (before it, for a
        negative ``d``) in its partition: past the partition's last row, the last row's;
        before its first row, zero (``before_start="zero"``) or the first row's
        (``"first"``)."""
        rt, n = self.rt, self.n
        if d == 0:
            return values
        moved = [v[np.clip(np.arange(n) + d, 0, n - 1)] for v in values]
        if d > 0:
            outside = compare.less_equal_public(rt, self.after, d)  # fewer rows after it
            bounds = self.at_partition_end(values)
        else:
            outside = compare.less_equal_public(rt, self.row_number, -d)
            bounds = (self.at_partition_start(values) if before_start == "first"
                      else [AShare.zeros(rt.party, n) for _ in values])
        return mux.select_many(rt, [(outside, b, m) for b, m in zip(bounds, moved)])

    def inside(self, offsets: range) -> BShare:
        """For each offset ``d`` (offset-major), whether the row ``d`` places after
        (before) each row is in its partition (one comparison for all)."""
        n = self.n
        counts = AShare.concat([self.after if d > 0 else self.row_number for d in offsets])
        bounds = np.repeat([abs(d) for d in offsets], n)
        # offset 0 is the row itself: row_number > 0 holds
        return compare.greater_than_public(self.rt, counts, bounds)


def _ranking(rt: Runtime, frame: _Frame, func: str, buckets: int) -> SecretColumn:
    n, party = frame.n, rt.party
    row_number = frame.row_number
    if func == "row_number":
        return SecretColumn(INT64, row_number)
    if func == "rank":
        return SecretColumn(INT64, _rank(rt, row_number, frame.peers))
    if func == "dense_rank":
        return SecretColumn(INT64, segment.segmented_count(rt, frame.starts, frame.peers))
    if func == "ntile":
        return SecretColumn(INT64, _ntile(rt, row_number, row_number + frame.after
                                          - _ones(party, n), buckets))
    rank = _rank(rt, row_number, frame.peers)
    size = row_number + frame.after
    # (rank - 1) / (size - 1); a one-row partition divides 0 by 0: make it 0 / 1
    denom = size.add_public(np.full(n, -2, np.int64))
    single = equality.equal_zero(rt, denom)
    denom = mux.select(rt, single, _ones(party, n), denom)
    numer = rank.add_public(np.full(n, -1, np.int64))
    # opened, the quotient shows more bits (see reveal)
    return SecretColumn(FLOAT64, divide_rounded(rt, numer, denom, FRAC_BITS),
                        exact=Quotient(numer, denom))


def _ntile(rt: Runtime, row_number: AShare, size: AShare, buckets: int) -> AShare:
    """NTILE(b) as DuckDB numbers it: ``N mod b`` buckets of ``N DIV b + 1`` rows first,
    then buckets of ``N DIV b``; with fewer rows than buckets, the row number."""
    n, party = len(size), rt.party
    small_size = division.divide_public(rt, size, buckets)
    large = size - small_size.mul_public(buckets)
    big_size = small_size + _ones(party, n)
    in_large = rss.mul(rt, large, big_size)  # rows in the larger buckets
    index = row_number - _ones(party, n)
    is_large = compare.less_than(rt, index, in_large)
    few = equality.equal_zero(rt, small_size)
    divisor = mux.select(rt, few, _ones(party, n), small_size)
    q = division.divmod_(rt, AShare.concat([index, index - in_large]),
                         AShare.concat([big_size, divisor]), bits=40)[0]
    bucket = mux.select(rt, is_large, q[:n], large + q[n:]) + _ones(party, n)
    return mux.select(rt, few, row_number, bucket)


def _summed(rt: Runtime, present: BShare, value: AShare) -> list[AShare]:
    """What a frame's SUM or AVG adds up per row: the value where present, and its
    halves (sum_range), whose sums tell whether the frame's total left the range."""
    kept = mux.mul_bit(rt, present, value)
    return [kept, *sum_range.halves(rt, kept)]


def _count_sum_or_average(rt: Runtime, func: str, t: SqlType, col: SecretColumn | None,
                          count: AShare, sums: list[AShare], n: int) -> SecretColumn:
    """COUNT, SUM or AVG of each row's frame from its count and its sums (the total,
    then its halves' sums: :func:`_summed`), NULL where empty. A total past the ring's
    range, or a mean too large for its word, marks its row out of range (as a grouped
    SUM or AVG marks its group: engine.kept_range)."""
    if func == "count":
        return SecretColumn(INT64, count)
    empty = equality.equal_zero(rt, count)
    total, high, low = sums
    averaged = (count, col.type) if func == "avg" else None
    out_of_range = kept_range.any_of(rt, range_bits(rt, [(total, high, low, averaged)]))
    if func == "sum":
        return SecretColumn(t, total, empty, out_of_range=out_of_range)
    count = mux.select(rt, empty, _ones(rt.party, n), count)
    ((mean, fine),) = average_many(rt, [(total, count, col.type)])
    return SecretColumn(FLOAT64, mean, empty, exact=fine, out_of_range=out_of_range)


def _frame_aggregate(rt: Runtime, frame: _Frame, func: str, col: SecretColumn | None,
                     t: SqlType) -> SecretColumn:
    """SUM, COUNT, AVG, MIN or MAX of each row's frame: running within the partition,
    read at the frame's last row."""
    n, party = frame.n, rt.party
    if col is None:  # COUNT(*)
        (count,) = frame.at_frame_end([frame.row_number])
        return SecretColumn(INT64, count)
    string = col.type.kind == "string"
    if string and func not in ("count", "min", "max"):
        raise NotSupportedError(f"{func.upper()} OVER (...) of a secret string")
    present = bit_not(col.null) if col.null is not None else BShare.public(
        party, np.ones(n, np.uint64))
    running = segment.segmented_count(rt, frame.starts, present)
    if string and func != "count":  # the hash, then the bytes (mpc/string_extreme.py)
        hashes, *words = running_extreme(rt, col, present, frame.starts, func == "min")
        count, hashes, *chars = frame.at_frame_end([running, hashes], words)
        return SecretColumn(t, hashes, equality.equal_zero(rt, count), chars)
    if func in ("sum", "avg"):
        running = [running, *segment.segmented_sum(rt, _summed(rt, present, col.value),
                                                   frame.starts)]
    elif func in ("min", "max"):
        running = [running, *running_extreme(rt, col, present, frame.starts, func == "min")]
    else:
        running = [running]
    count, *values = frame.at_frame_end(running)
    if func in ("count", "sum", "avg"):
        return _count_sum_or_average(rt, func, t, col, count, values, n)
    empty = equality.equal_zero(rt, count)
    exact = FloatBits(values[1]) if len(values) > 1 else None
    value = values[0]
    if col.type.kind == "bool":
        value = bit_not(equality.equal_zero(rt, value))
    return SecretColumn(t, value, empty, exact=exact)


def _sliding_aggregate(rt: Runtime, frame: _Frame, func: str, col: SecretColumn | None,
                    t: SqlType, start: int | None, end: int | None, kind: str = "ROWS"
                    ) -> SecretColumn:
    """SUM, COUNT, AVG, MIN or MAX over each row's frame: for ROWS, the rows
    ``[i + start, i + end]`` of row ``i`` (None: the partition's first, or last, row),
    clipped to its partition; for RANGE, from the row's first peer (``start`` 0) to its
    last peer (``end`` 0) or to the partition's end (``end`` None)."""
    n, party = frame.n, rt.party
    if col is not None and col.type.kind == "string" and func != "count":
        raise NotSupportedError(f"{func.upper()} OVER (...) of a secret string")
    if kind == "RANGE" and (start != 0 or end not in (0, None)):
        # offsets in the key's units: the planner leaves them to the owner's database
        raise NotSupportedError(f"{func.upper()} OVER (...) over a RANGE frame with an offset")
    if col is None:
        present = BShare.public(party, np.ones(n, np.uint64))
    else:
        present = bit_not(col.null) if col.null is not None else BShare.public(
            party, np.ones(n, np.uint64))
    own = [convert.b2a_bit(rt, present)]  # what the row itself adds to the prefixes
    if func in ("sum", "avg"):
        own.extend(_summed(rt, present, col.value))
    prefixes = segment.segmented_sum(rt, own, frame.starts)
    if kind == "RANGE":
        upper = frame.at_partition_end(prefixes) if end is None else frame.at_frame_end(prefixes)
        # the prefixes just before the first peer
        lower = segment.copy_down(rt, frame.peers, [p - w for p, w in zip(prefixes, own)])
    else:
        upper = frame.at_partition_end(prefixes) if end is None \
            else frame.at_offset(prefixes, end, "zero")
        lower = [AShare.zeros(party, n) for _ in prefixes] if start is None \
            else frame.at_offset(prefixes, start - 1, "zero")
        if _inverted(start, end):
            lower = upper  # every frame is empty
    count, *sums = [u - low for u, low in zip(upper, lower)]
    if func in ("count", "sum", "avg"):
        return _count_sum_or_average(rt, func, t, col, count, sums, n)
    empty = equality.equal_zero(rt, count)
    smallest = func == "min"
    if kind == "RANGE" and end == 0:  # the extreme of the peer run, read at its last row
        values = frame.at_frame_end(running_extreme(rt, col, present, frame.peers, smallest))
    elif start is None:  # the running extreme, read at the frame's last row
        values = frame.at_offset(running_extreme(rt, col, present, frame.starts, smallest),
                                 end, "zero")
    elif end is None:  # the extreme from each row to the partition's end, read at its first
        ends = segment.group_ends(frame.starts).reversed()
        suffix = running_extreme(rt, col.take(np.arange(n)[::-1]), present.reversed(), ends,
                                 smallest)
        suffix = [v.reversed() for v in suffix]
        values = segment.copy_down(rt, frame.peers, suffix) if kind == "RANGE" \
            else frame.at_offset(suffix, start, "first")
    else:
        values = _bounded_extreme(rt, frame, col, present, start, end, smallest)
    exact = FloatBits(values[1]) if len(values) > 1 else None
    value = values[0]
    if col.type.kind == "bool":
        value = bit_not(equality.equal_zero(rt, value))
    return SecretColumn(t, value, empty, exact=exact)


def _bounded_extreme(rt: Runtime, frame: _Frame, col: SecretColumn, present: BShare,
                     start: int, end: int, smallest: bool) -> list[AShare]:
    """MIN or MAX over ``[i + start, i + end]``: the ``w`` candidate rows of every row
    side by side (row ``i``'s at ``i * w .. i * w + w - 1``, those outside its partition
    or NULL not present), one segmented scan over them, read at each segment's end."""
    n, party = frame.n, rt.party
    width = end - start + 1
    if width < 1:  # an empty frame: the count is 0, the value NULL
        return [AShare.zeros(party, n)]
    offsets = range(start, end + 1)
    idx = (np.arange(n)[:, None] + np.array(offsets)[None, :]).reshape(-1)
    inside = frame.inside(offsets)
    row_major = (np.arange(width)[None, :] * n + np.arange(n)[:, None]).reshape(-1)
    candidates = rss.and_(rt, present[np.clip(idx, 0, n - 1)], inside[row_major])
    marks = np.zeros(n * width, np.uint64)
    marks[::width] = 1
    best = running_extreme(rt, col.take(np.clip(idx, 0, n - 1)), candidates,
                           BShare.public(party, marks), smallest)
    last = np.arange(n) * width + width - 1
    return [b[last] for b in best]


def _other_row(rt: Runtime, ev: SecureEvaluator, frame: _Frame, func: str,
               col: SecretColumn, t: SqlType, offset: int, default: str | None,
               rows: list | None = None) -> SecretColumn:
    """LAG/LEAD (the row ``offset`` before/after in the partition, else ``default``);
    in the default frame FIRST_VALUE (the partition's first row), LAST_VALUE (the
    frame's last row), NTH_VALUE (the partition's ``offset``-th row, NULL where the
    frame has fewer rows); over a ROWS frame ``rows`` (see :func:`_framed_row`)."""
    n, party = frame.n, rt.party
    if func in ("lag", "lead"):
        if offset == 0:
            return col
        idx = np.arange(n) + (offset if func == "lead" else -offset)
        moved = col.take(np.clip(idx, 0, n - 1))
        position = frame.row_number if func == "lag" else frame.after
        outside = compare.less_equal_public(rt, position, offset)  # no such row
        if default is None:
            return replace(moved, null=convert.clean_bit(bit_or(rt, moved.null, outside)))
        fill = ev.visit(plan_text.parse(default))
        chosen = ev.choose(SecretColumn(BOOL, outside), fill, moved, t)
        return ev.materialize(chosen)
    if col.chars is not None:
        raise NotSupportedError(f"{func.upper()} OVER (...) of a secret string")
    words = [col.value if isinstance(col.value, AShare) else convert.b2a_bit(rt, col.value)]
    words.append(convert.b2a_bit(rt, col.null) if col.null is not None
                 else AShare.zeros(party, n))
    words += col.exact.words() if col.exact is not None else []
    missing = None
    if rows is not None:
        (value, null, *exact), missing = _framed_row(rt, frame, func, words, offset, *rows[:2])
    elif func == "nth_value":
        # the rows of the frame: those up to the last peer (the partition's without ORDER BY)
        count = frame.at_frame_end([frame.row_number])[0]
        missing = compare.less_than_public(rt, count, offset)
        value, null, *exact = frame.at_partition_start(_shifted(words, offset - 1))
    else:
        copy = frame.at_partition_start if func == "first_value" else frame.at_frame_end
        value, null, *exact = copy(words)
    if isinstance(col.value, BShare):
        value = bit_not(equality.equal_zero(rt, value))
    null_bit = bit_not(equality.equal_zero(rt, null)) if col.null is not None else None
    if missing is not None:
        null_bit = convert.clean_bit(bit_or(rt, null_bit, missing))
    return SecretColumn(col.type, value, null_bit,
                        exact=col.exact.with_words(exact) if col.exact is not None else None)


def _empty_result(party: int, rel: SecretRelation, arg: str | None, t: SqlType
                  ) -> SecretColumn:
    """A function's column over no rows: its argument's form where it has its type (LAG,
    FIRST_VALUE, MIN, ... of a string or a float), else a bool's XOR word or a ring word."""
    if arg and rel.column(arg).type == t:
        return null_column(party, rel.column(arg), 0)
    return SecretColumn(t, BShare.zeros(party, 0) if t.kind == "bool" else AShare.zeros(party, 0))


def _shifted(words: list[AShare], d: int) -> list[AShare]:
    """The words of the row ``d`` places further down (the last row's past the end)."""
    n = len(words[0])
    return [w[np.clip(np.arange(n) + d, 0, n - 1)] for w in words]


def _framed_row(rt: Runtime, frame: _Frame, func: str, words: list[AShare], nth: int,
                start: int | None, end: int | None) -> tuple[list[AShare], BShare]:
    """FIRST_VALUE, LAST_VALUE or NTH_VALUE(x, ``nth``) over the ROWS frame
    ``[i + start, i + end]`` clipped to the partition: the picked row's words, and
    whether there is no such row (the frame is empty, or has fewer than ``nth`` rows)."""
    n, party = frame.n, rt.party
    upper = frame.at_partition_end([frame.row_number]) if end is None \
        else frame.at_offset([frame.row_number], end, "zero")
    lower = [AShare.zeros(party, n)] if start is None \
        else frame.at_offset([frame.row_number], start - 1, "zero")
    count = upper[0] - (upper[0] if _inverted(start, end) else lower[0])
    if func == "last_value":
        picked = frame.at_partition_end(words) if end is None \
            else frame.at_offset(words, end, "zero")
        return picked, compare.less_than_public(rt, count, 1)
    nth = 1 if func == "first_value" else nth
    if start is None:
        picked = frame.at_partition_start(_shifted(words, nth - 1))
    elif start >= 0:
        picked = frame.at_offset(words, start + nth - 1, "zero")
    else:  # the frame starts at the partition's first row where that is nearer
        clipped = compare.less_equal_public(rt, frame.row_number, -start)
        from_first = frame.at_partition_start(_shifted(words, nth - 1))
        near = frame.at_offset(words, start + nth - 1, "zero")
        picked = mux.select_many(rt, [(clipped, f, m) for f, m in zip(from_first, near)])
    return picked, compare.less_than_public(rt, count, nth)


def _inverted(start: int | None, end: int | None) -> bool:
    """Whether a ROWS frame starts after it ends (``2 FOLLOWING AND 1 FOLLOWING``): empty."""
    return start is not None and end is not None and start > end


def _ones(party: int, n: int) -> AShare:
    return AShare.public(party, np.ones(n, np.int64))


def _rank(rt: Runtime, row_number: AShare, peers: BShare) -> AShare:
    within_peers = segment.segmented_count(rt, peers)
    return (row_number - within_peers).add_public(np.ones(len(row_number), np.int64))


def _first_only(party: int, n: int) -> BShare:
    marks = np.zeros(n, np.uint64)
    marks[0] = 1
    return BShare.public(party, marks)
