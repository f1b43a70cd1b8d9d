"""Secure GROUP BY: oblivious sort by the group keys, then segmented aggregation.

1. Evaluate the key and argument expressions; NULL keys get value 0 so that all NULLs
   form one group, and filtered-out rows (validity bit 0) get all-zero keys and sort
   after the valid ones.
2. Sort every needed share by (validity, keys[, the COUNT(DISTINCT) argument]).
3. Mark group starts by equality with the previous row; running COUNT/SUM restart at
   the marks (prefix sums), MIN/MAX by a log-depth scan.
4. A group's aggregates are the running values at its last row: those rows, if valid,
   are kept by one compaction, which reveals the number of groups and nothing else.
5. AVG divisions and the NULL-ness of empty aggregates are computed on the (few) kept
   rows.

When one party knows every row's keys, :mod:`scql_py.engine.owner_grouping` needs no sort.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction

import numpy as np
from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64, TIMESTAMP, SqlType
from scql_py.engine.aggregate import average_many, bit_of, extreme_fill, range_bits
from scql_py.engine.group_threshold import leave_out_small_groups
from scql_py.engine.ordering import zero_where
from scql_py.engine.real_sums import is_keyed_real, limbs_of, sums_and_averages
from scql_py.engine.relation import FloatBits, SecretColumn, SecretRelation
from scql_py.engine.secure_dates import US_PER_DAY
from scql_py.engine.secure_expr import SecureEvaluator, bit_not, bit_or
from scql_py.engine.spread import (
    SPREADS,
    finish_spreads,
    running_spread_sums,
    spread_out_of_range,
)
from scql_py.errors import NotSupportedError
from scql_py.mpc import (
    compare,
    convert,
    division,
    double_rounding,
    equality,
    float_keys,
    mux,
    rss,
    segment,
    sum_range,
)
from scql_py.mpc.exact_shift import floor_shift
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.float_sum import LIMBS
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.sort import sort
from scql_py.mpc.string_extreme import segmented_string_extreme
from scql_py.sql import plan_text
from scql_py.sql.logical import sorts_by_argument


def _key_words(col: SecretColumn) -> list[AShare | BShare]:
    """What makes two keys equal: NULL bit, then the value (strings: the hash; floats:
    the exact key while they have one)."""
    words: list[AShare | BShare] = []
    if col.null is not None:
        words.append(col.null)
    words.append(col.key if col.key is not None else col.value)
    return words


def _sort_key(word: AShare | BShare):
    return (word, False, 1) if isinstance(word, BShare) else (word, False)


Aggs = list[tuple[str, str, "str | None", str, bool]]  # (name, func, arg, type, distinct)


@dataclass
class _SortedRows:
    """The rows after the sort, every share a party holds of them."""

    valid: BShare
    keys: list[SecretColumn]
    args: dict[str, SecretColumn]
    distinct: list[AShare | BShare]  # the one COUNT(DISTINCT)/PERCENTILE argument's words
    # (of each expression of COUNT(DISTINCT a, b)'s tuple)
    group_ids: AShare | None = None


def group_aggregate(ev: SecureEvaluator, rel: SecretRelation,
                    keys: list[tuple[str, str, str]], aggs: Aggs, names: list[str],
                    threshold: int | None = None, group_ids: AShare | None = None,
                    sizes: list[str] = (),
                    ) -> tuple[SecretRelation, int]:
    """GROUP BY ``keys`` computing ``aggs`` (plan step arguments).

    Returns the relation of groups (compacted) and the number of groups dropped by the
    group-size ``threshold`` (0 when none is set).

    ``group_ids``: one word per row, equal exactly where the keys are (a key owner's
    numbering of its groups, see owner_grouping): the rows are sorted and split into
    groups by it alone, one word instead of every key's, and the keys only move along.

    Aggregates that sort by their argument (DISTINCT, percentiles) of different
    arguments take one sort each: every pass keeps its groups in key order, so their
    rows line up (each pass shows only what the first does: the number of groups).

    ``sizes``: the aggregates (by name) that measure a group against the ``threshold``
    instead of its row count, each of which it must reach. They may be computed in
    another pass than the others, so every group is kept until all passes are done,
    and those under the threshold are then marked invalid: the number of groups was
    to be known anyway (the kept ones and the number left out are).
    """
    rt = ev.rt
    valid = rel.valid if rel.valid is not None else BShare.public(
        rt.party, np.ones(rel.n, np.uint64))
    key_cols = _group_keys(ev, rel, keys, valid)
    passes = _passes(aggs)
    out: list[SecretColumn | None] = [None] * len(aggs)
    groups: list[SecretColumn] | None = None
    dropped = 0
    checked_before = len(ev.out_of_range)
    for indices in passes:
        cols, dropped = _one_pass(ev, valid, key_cols, [aggs[i] for i in indices],
                                  None if sizes else threshold,
                                  keep_order=len(passes) > 1,
                                  group_ids=group_ids)
        if groups is None:
            groups = cols[:len(key_cols)]
        for i, col in zip(indices, cols[len(key_cols):]):
            out[i] = col
    columns = list(groups or []) + out
    n = len(columns[0]) if columns else 0
    out_rel = SecretRelation(n, list(names), columns)
    if sizes and threshold:
        out_rel.valid, dropped = _leave_out_by_sizes(
            ev, [columns[len(key_cols) + i] for i, agg in enumerate(aggs) if agg[0] in sizes],
            threshold, checked_before)
    return out_rel, dropped


def _leave_out_by_sizes(ev: SecureEvaluator, sizes: list[SecretColumn], threshold: int,
                        checked_before: int) -> tuple[BShare, int]:
    """Every group's validity: whether each of ``sizes`` reaches the ``threshold``; and
    how many groups that leaves out (opened). The range checks of the groups' values
    made since ``checked_before`` count only for the groups kept."""
    rt = ev.rt
    n = len(sizes[0].value)
    every = BShare.public(rt.party, np.ones(n, np.uint64))
    keep, dropped = leave_out_small_groups(rt, every, [s.value for s in sizes], threshold)
    checks = ev.out_of_range[checked_before:] if n else []
    for j, bits in enumerate(checks):
        ev.out_of_range[checked_before + j] = and_(
            rt, bits, BShare.concat([keep] * (len(bits) // n)))
    return keep, dropped


def _passes(aggs: Aggs) -> list[list[int]]:
    """Which aggregates share a sort: the first pass takes those that need none and
    those of the first sorted argument; each further argument gets its own."""
    sorted_args: list[str] = []
    for _, func, arg, _, distinct in aggs:
        if sorts_by_argument(func, distinct) and arg is not None and arg not in sorted_args:
            sorted_args.append(arg)
    if len(sorted_args) <= 1:
        return [list(range(len(aggs)))]
    passes: list[list[int]] = [[] for _ in sorted_args]
    for i, (_, func, arg, _, distinct) in enumerate(aggs):
        sorts = sorts_by_argument(func, distinct) and arg is not None
        passes[sorted_args.index(arg) if sorts else 0].append(i)
    return passes


def _one_pass(ev: SecureEvaluator, valid: BShare, key_cols: list[SecretColumn], aggs: Aggs,
              threshold: int | None, keep_order: bool, group_ids: AShare | None = None,
              ) -> tuple[list[SecretColumn], int]:
    """One sort by (valid, keys[, one aggregate argument]) and the segmented scans:
    the kept groups' key columns, then one column per aggregate."""
    rt = ev.rt
    arg_cols, distinct_cols = _aggregate_arguments(ev, aggs)
    rows = _sort_by_groups(ev, valid, key_cols, arg_cols, distinct_cols, group_ids)
    starts = segment.segment_starts(rt, [rows.valid] + (
        [rows.group_ids] if group_ids is not None else _words_of(rows.keys)))
    count_star = segment.segmented_count(rt, starts, rows.valid)
    running = _running_aggregates(rt, rows, starts, count_star, aggs)
    keep, dropped = leave_out_small_groups(
        rt, and_(rt, segment.group_ends(starts), rows.valid), count_star, threshold)
    flat = [share for col in rows.keys for share in col.shares()] + running
    kept = segment.compact(rt, keep, flat, keep_order=keep_order) if len(valid) else flat
    return _final_columns(rt, iter(kept), rows, aggs, ev.out_of_range), dropped


def _group_keys(ev: SecureEvaluator, rel: SecretRelation, keys: list[tuple[str, str, str]],
                valid: BShare) -> list[SecretColumn]:
    """The key columns, with value 0 on NULL keys and on filtered-out rows (validity 0),
    so that all NULLs form one group and filtered rows one more, sorted last."""
    rt = ev.rt
    invalid = bit_not(valid)
    cleaned = []
    for _, sql, t in keys:
        col = ev.evaluate(plan_text.parse(sql), SqlType.parse(t))
        if col.null is not None:
            col = zero_where(ev.rt, col.null, col)
            col = replace(col, null=and_(rt, col.null, valid))
        cleaned.append(zero_where(ev.rt, invalid, col) if rel.valid is not None else col)
    return cleaned


def _aggregate_arguments(ev: SecureEvaluator, aggs: Aggs
                         ) -> tuple[dict[str, SecretColumn], list[SecretColumn]]:
    """Every aggregate's argument, evaluated once; and the columns the rows are also
    sorted by, if any: COUNT(DISTINCT x) counts the runs of ``x``, PERCENTILE_DISC picks
    by rank, COUNT(DISTINCT a, b) counts the runs of ``(a, b)``."""
    arg_cols: dict[str, SecretColumn] = {}
    tuples: dict[str, list[SecretColumn]] = {}
    distinct_args = {arg for _, func, arg, _, distinct in aggs
                     if sorts_by_argument(func, distinct) and arg is not None}
    assert len(distinct_args) <= 1, "one sorted argument per pass"
    # MIN, MAX and the percentiles pick a row's value: only they need its exact form
    picked = {arg for _, func, arg, _, _ in aggs
              if func in ("min", "max") or func.startswith("percentile")}
    summed = {arg for _, func, arg, _, _ in aggs if func in ("sum", "avg")}
    for _, func, arg, _, distinct in aggs:
        if arg is not None and arg not in arg_cols:
            parsed = plan_text.parse(arg)
            if isinstance(parsed, exp.Tuple):
                tuples[arg] = [ev.evaluate(part) for part in parsed.expressions]
                arg_cols[arg] = _tuple_presence(ev, tuples[arg])
                continue
            arg_cols[arg] = ev.evaluate(parsed)
            if arg_cols[arg].type.kind == "string" and func not in ("count", "min", "max"):
                raise NotSupportedError(f"{func.split(':')[0].upper()} of a secret string")
        if distinct and func not in ("count", "sum", "avg"):
            raise NotSupportedError(f"{func.upper()}(DISTINCT ...)")
    for arg, col in arg_cols.items():
        if arg in summed and is_keyed_real(col):
            continue  # summed exactly from its bits (real_sums)
        if arg not in picked and arg not in distinct_args and col.exact is not None:
            arg_cols[arg] = replace(col, exact=None)  # one word less to sort
    sorted_by = next(iter(distinct_args), None)
    if sorted_by is None:
        return arg_cols, []
    return arg_cols, tuples.get(sorted_by, [arg_cols[sorted_by]])


def _tuple_presence(ev: SecureEvaluator, parts: list[SecretColumn]) -> SecretColumn:
    """What stands for COUNT(DISTINCT a, b)'s tuple among the arguments: a column that
    is NULL where any of its expressions is (MySQL counts only tuples without a NULL)."""
    null = None
    for part in parts:
        null = bit_or(ev.rt, null, part.null)
    n = len(parts[0])
    return SecretColumn(INT64, AShare.zeros(ev.rt.party, n), null)


def _sort_by_groups(ev: SecureEvaluator, valid: BShare, key_cols: list[SecretColumn],
                    arg_cols: dict[str, SecretColumn], distinct_cols: list[SecretColumn],
                    group_ids: AShare | None = None) -> _SortedRows:
    """Sort every needed share by (valid first, keys or ``group_ids``[, the distinct
    argument's expressions])."""
    rt, n = ev.rt, len(valid)
    words = [group_ids] if group_ids is not None else _words_of(key_cols)
    sort_keys = [(valid, True, 1)] + [_sort_key(w) for w in words]
    distinct_words: list = []
    for col in distinct_cols:
        if col.null is not None:
            col = zero_where(ev.rt, col.null, col)
        distinct_words += _key_words(col)
    sort_keys += [_sort_key(w) for w in distinct_words]
    payload: list = [valid]
    payload += [share for col in key_cols for share in col.shares()]
    payload += [share for col in arg_cols.values() for share in col.shares()]
    if group_ids is not None:
        payload.append(group_ids)
    payload += distinct_words
    moved = sort(rt, sort_keys, payload)[1] if n > 1 else payload
    it = iter(moved)
    valid_s = next(it)
    keys_s = [col.rebuilt(it) for col in key_cols]
    args_s = {name: col.rebuilt(it) for name, col in arg_cols.items()}
    ids_s = next(it) if group_ids is not None else None
    return _SortedRows(valid_s, keys_s, args_s, list(it), ids_s)


def _running_aggregates(rt, rows: _SortedRows, starts: BShare, count_star: AShare,
                        aggs: Aggs) -> list[AShare]:
    """Per aggregate, its running value(s) within each group: at a group's last row they
    are the group's (value, then the count of non-NULL arguments where NULL-ness needs
    it)."""
    present = {name: and_(rt, rows.valid, bit_not(col.null)) for name, col in rows.args.items()}
    running: list[AShare] = []
    for _, func, arg, _, distinct in aggs:
        if arg is None:
            running.append(count_star)
        elif distinct:
            # the first row of each run of equal values stands for the run
            first = segment.distinct_starts(rt, [rows.valid] + _words_of(rows.keys),
                                            rows.distinct)
            once = and_(rt, first, present[arg])
            if func != "count":  # SUM or AVG
                running += _running_sum(rt, rows.args[arg], once, starts)
            running.append(segment.segmented_count(rt, starts, once))
        elif func == "count":
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func in ("sum", "avg"):
            running += _running_sum(rt, rows.args[arg], present[arg], starts)
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func in SPREADS:
            col = rows.args[arg]
            running += running_spread_sums(rt, col.value, present[arg], starts, col.type.kind)
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func.startswith("percentile_cont"):
            running += _percentile_cont(rt, rows.args[arg], present[arg], starts,
                                        float(func.split(":")[1]))
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func.startswith("percentile_disc"):
            running += _percentile_disc(rt, rows.args[arg], present[arg], starts,
                                        float(func.split(":")[1]))
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func in ("min", "max"):
            running += running_extreme(rt, rows.args[arg], present[arg], starts, func == "min")
            running.append(segment.segmented_count(rt, starts, present[arg]))
        else:
            raise NotSupportedError(f"aggregate {func.upper()}")
    return running


def _running_sum(rt, col: SecretColumn, present: BShare, starts: BShare) -> list[AShare]:
    """A SUM's running values over the rows where ``present``: the total and its halves'
    (for its range check), or a real with its bits its limbs' (real_sums)."""
    if is_keyed_real(col):
        return segment.segmented_sum(rt, limbs_of(rt, [(col, present)])[0], starts)
    value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
    kept = mux.mul_bit(rt, present, value)
    high, low = sum_range.halves(rt, kept) if len(kept) else (kept, kept)
    return segment.segmented_sum(rt, [kept, high, low], starts)  # total, halves


def running_extreme(rt, col: SecretColumn, present: BShare, starts: BShare,
                     smallest: bool) -> list[AShare]:
    """Running MIN or MAX: the value, then (a float with its exact key) the key. Such a
    float is compared by its key, and its fixed-point value moves with it."""
    n = len(present)
    if col.type.kind == "string":  # the hash, then the bytes of the picked string
        words, hashes = segmented_string_extreme(rt, col.chars or [], col.value, present,
                                                 starts, smallest)
        return [hashes, *words]
    key = col.key
    fill = extreme_fill(key is None, smallest)
    sentinel = AShare.public(rt.party, np.full(n, np.int64(fill).view(np.uint64)))
    if key is None:
        # FALSE < TRUE: a bool's extreme is the extreme of its 0/1 value
        value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
        value = mux.select(rt, present, value, sentinel)
        # int64 and decimal words span the int64 range: the wide comparison (issue 11)
        best_value, _ = segment.segmented_extreme_with(rt, value, starts, smallest, [],
                                                       compare.less_than_wide)
        return [best_value]
    compared = mux.select(rt, present, key, sentinel)
    best_key, (best,) = segment.segmented_extreme_with(rt, compared, starts, smallest,
                                                       [col.value], compare.less_than_wide)
    return [best, best_key]


def _final_columns(rt, kept, rows: _SortedRows, aggs: Aggs, out_of_range: list[BShare]
                   ) -> list[SecretColumn]:
    """The result columns from the kept groups' words (keys, then per aggregate its
    running values): AVG divided, empty aggregates NULL. The NULL tests, range checks,
    AVG divisions and VAR/STDDEV of all aggregates each run once for them all."""
    out_cols: list[SecretColumn | None] = [col.rebuilt(kept) for col in rows.keys]
    pending = []  # (where, func, type, value, count, exact, chars) of each SUM, AVG, ...
    checks = []  # the range check of every SUM and AVG
    spreads = []  # (where, spread) of every VAR/STDDEV: finished at once
    for _, func, arg, t, _ in aggs:
        v = next(kept)
        if arg is None or func == "count":
            out_cols.append(SecretColumn(INT64, v))
            continue
        arg_col = rows.args[arg]
        if func in SPREADS:
            s2, far, h2, l2, count = (next(kept) for _ in range(5))
            if len(v):
                out_of_range.append(spread_out_of_range(rt, s2, far, h2, l2))
            spreads.append((len(out_cols), (func, arg_col.type, count, v, s2)))
            out_cols.append(None)
            continue
        if func.startswith("percentile_cont"):
            hi, rem = next(kept), next(kept)
            keys = (next(kept), next(kept)) if arg_col.key is not None else None
            count = next(kept)
            p = float(func.split(":")[1])
            if arg_col.type.kind == "int64" and len(v):
                out_of_range.append(_interpolation_beyond(rt, p, v, hi))
            out_cols.append(_interpolated(rt, arg_col.type, p, v, hi,
                                          rem, equality.equal_zero(rt, count), keys))
            continue
        if func in ("sum", "avg") and is_keyed_real(arg_col):
            limbs = [v] + [next(kept) for _ in range(LIMBS - 1)]
            pending.append((len(out_cols), func, None, limbs, next(kept), None, None))
            out_cols.append(None)
            continue
        halves = (next(kept), next(kept)) if func in ("sum", "avg") else None
        picked = func in ("min", "max") or func.startswith("percentile_disc")
        exact = FloatBits(next(kept)) if picked and arg_col.key is not None else None
        chars = [next(kept) for _ in arg_col.chars or []] if arg_col.type.kind == "string" else None
        count = next(kept)
        if halves is not None and len(v):
            checks.append((v, *halves, (count, arg_col.type) if func == "avg" else None))
        pending.append((len(out_cols), func, arg_col.type if func == "avg" else
                        SqlType.parse(t), v, count, exact, chars))
        out_cols.append(None)
    out_of_range.extend(range_bits(rt, checks))
    nulls = equality.equal_zero(rt, AShare.concat([p[4] for p in pending])) if pending \
        else None
    at = np.cumsum([0] + [len(p[4]) for p in pending])
    divisions = []  # (where, total, count, type, NULL bit) of every AVG: divided at once
    reals = []  # (where, (is an AVG, limb sums, count, NULL bit)) of keyed reals' SUM, AVG
    for k, (where, func, t, v, count, exact, chars) in enumerate(pending):
        null = nulls[at[k]:at[k + 1]]
        if t is None:
            reals.append((where, (func == "avg", v, count, null)))
            continue
        if func == "avg":
            divisions.append((where, v, count, t, null))
            continue
        if t.kind == "bool":
            v = bit_of(rt, v)
        out_cols[where] = SecretColumn(t, v, null, chars, exact=exact)
    means = average_many(rt, [(v, count, t) for _, v, count, t, _ in divisions])
    for (where, _, _, _, null), (mean, fine) in zip(divisions, means):
        out_cols[where] = SecretColumn(FLOAT64, mean, null, exact=fine)
    for (where, _), col in zip(reals, sums_and_averages(rt, [r for _, r in reals],
                                                        out_of_range)):
        out_cols[where] = col
    for (where, _), col in zip(spreads, finish_spreads(rt, [s for _, s in spreads],
                                                       out_of_range)):
        out_cols[where] = col
    return out_cols


def _words_of(cols: list[SecretColumn]) -> list[AShare | BShare]:
    return [w for col in cols for w in _key_words(col)]


def _group_size(rt, present: BShare, starts: BShare) -> tuple[AShare, AShare]:
    """The running count of present rows, and the group's count of them on every row."""
    rank = segment.segmented_count(rt, starts, present)
    after = segment.segmented_count(rt, segment.group_ends(starts).reversed(),
                                    present.reversed()).reversed()
    return rank, rank + after - convert.b2a_bit(rt, present)


def _fraction(p: float) -> Fraction:
    return Fraction(str(p)).limit_denominator(1 << 20)


def _percentile_cont(rt, col: SecretColumn, present: BShare, starts: BShare, p: float
                     ) -> list[AShare]:
    """Running values that, at each group's last row, are the two neighbours of
    PERCENTILE_CONT(p) and the weight of the upper one: with ``p = a / b`` and ``N``
    non-NULL values (sorted first, ascending), the values of rank ``lo + 1`` and
    ``lo + 2`` for ``lo = floor(a (N - 1) / b)``, and ``rem = a (N - 1) - b lo``: the
    percentile is ``v_lo + rem (v_hi - v_lo) / b`` (DuckDB's interpolation); then, for a
    float with its exact key, the keys of both neighbours."""
    n = len(present)
    frac = _fraction(p)
    rank, size = _group_size(rt, present, starts)
    scaled = size.add_public(np.full(n, -1, np.int64)).mul_public(frac.numerator)
    lo = division.divide_public(rt, scaled, frac.denominator)
    rem = scaled - lo.mul_public(frac.denominator)
    at = lo.add_public(np.ones(n, np.int64))
    hits = equality.equal(rt, AShare.concat([rank, rank]),
                          AShare.concat([at, at.add_public(np.ones(n, np.int64))]))
    hits = and_(rt, BShare.concat([present, present]), hits)
    words = [col.value] if col.key is None else [col.value, col.key]
    picked = mux.mul_bit(rt, BShare.concat([hits] * len(words)),
                         AShare.concat([w for w in words for _ in range(2)]))
    sums = segment.segmented_sum(rt, [picked[k * n:(k + 1) * n] for k in range(2 * len(words))],
                                 starts)
    return [sums[0], sums[1], rem] + sums[2:]  # rem depends on N only: one per group


def _interpolation_beyond(rt, p: float, v_lo: AShare, v_hi: AShare) -> BShare:
    """1 for a group whose integer neighbours :func:`_interpolated` cannot hold in fixed
    point (``|x| < 2^47``, ``|v_hi - v_lo| b < 2^47``): the asker's out-of-range error,
    never the wrapped value (2^62 came back as 0.0)."""
    limit = 1 << 47  # reals are fixed point below 2^47
    n = len(v_lo)
    ends = sum_range.beyond(rt, AShare.concat([v_lo, v_hi]), limit)
    gap = sum_range.beyond(rt, v_hi - v_lo, max(1, limit // _fraction(p).denominator))
    return convert.bit_or(rt, convert.bit_or(rt, ends[:n], ends[n:]), gap)


def _interpolated(rt, t: SqlType, p: float, v_lo: AShare, v_hi: AShare, rem: AShare,
                  null: BShare, keys: tuple[AShare, AShare] | None = None) -> SecretColumn:
    """PERCENTILE_CONT from :func:`_percentile_cont`'s terms, ``v_lo + rem (v_hi - v_lo)
    / b`` in fixed point: the whole part exact, the fraction truncated to 2^-16 (so any
    value the fixed point holds, ``|x| < 2^47``, and ``|v_hi - v_lo| b < 2^47``). A float
    with ``keys`` (of ``v_lo``, ``v_hi``) is exact where DuckDB's is, where the percentile
    is one of its values (``rem = 0``: p = 0, p = 1, a rank that falls on a row; or equal
    neighbours), and elsewhere opens as its fixed-point value."""
    frac = _fraction(p)
    if t.kind in ("decimal", "date"):
        return _interpolated_exactly(rt, t, frac, v_lo, v_hi, rem, null)
    if t.kind == "timestamp":
        return _interpolated_timestamps(rt, frac, v_lo, v_hi, rem, null)
    shift = 1 if t.kind == "float64" else 1 << FRAC_BITS  # to fixed point
    part = rss.mul(rt, rem, v_hi - v_lo).mul_public(shift)
    value = v_lo.mul_public(shift) + division.divide_public(rt, part, frac.denominator)
    if keys is None:
        return SecretColumn(FLOAT64, value, null)
    k_lo, k_hi = keys
    n = len(value)
    zero = equality.equal_zero(rt, AShare.concat([rem, k_hi - k_lo]))
    one_value = convert.bit_or(rt, zero[:n], zero[n:])
    key = mux.select(rt, one_value, k_lo, float_keys.from_fixed(rt, value))
    return SecretColumn(FLOAT64, value, null, exact=FloatBits(key))


def _interpolated_exactly(rt, t: SqlType, frac: Fraction, v_lo: AShare, v_hi: AShare,
                          rem: AShare, null: BShare) -> SecretColumn:
    """PERCENTILE_CONT of decimals and dates as DuckDB computes it, ``lo + d (hi - lo)``
    in doubles: for a fraction ``p = a / 2^k`` (the planner allows no other) every step
    of that is exact (sql/physical.py checks the bounds), so its answer is the exact one.
    A decimal keeps its type, the quotient truncated toward zero as DuckDB's cast of the
    double is; a date becomes a timestamp (a day's microseconds are a multiple of
    ``2^k``)."""
    b = frac.denominator
    part = rss.mul(rt, rem, v_hi - v_lo)
    if t.kind == "decimal":
        value = division.divide_public(rt, v_lo.mul_public(b) + part, b)
        return SecretColumn(t, value, null)
    value = v_lo.mul_public(US_PER_DAY) + part.mul_public(US_PER_DAY // b)
    return SecretColumn(TIMESTAMP, value, null)


def _interpolated_timestamps(rt, frac: Fraction, v_lo: AShare, v_hi: AShare, rem: AShare,
                             null: BShare) -> SecretColumn:
    """PERCENTILE_CONT of timestamps as DuckDB computes it: ``lo + llround(double(hi -
    lo) * d)`` with ``d = rem / b`` (exact for ``b = 2^k``, which the planner keeps to
    ``k <= 3``): the difference (below 2^59) and its product with ``rem`` (below 2^62)
    rounded as doubles hold them, the quotient by ``b`` exact, then rounded half up."""
    b = frac.denominator
    k = b.bit_length() - 1
    gap = double_rounding.round_to_double(rt, v_hi - v_lo, 59)
    scaled = double_rounding.round_to_double(rt, rss.mul(rt, rem, gap), 62)
    step = floor_shift(rt, scaled.add_public(np.int64(b // 2)), k) if k else scaled
    return SecretColumn(TIMESTAMP, v_lo + step, null)


def _percentile_disc(rt, col: SecretColumn, present: BShare, starts: BShare, p: float
                     ) -> list[AShare]:
    """Running value that, at each group's last row, is the group's PERCENTILE_DISC(p):
    the non-NULL value of rank ceil(p N) (at least 1) among the group's N non-NULL values,
    which the sort put first, in ascending order; then, for a float with its exact key,
    the key of that value (the sum of one picked row is exact on any word)."""
    n = len(present)
    frac = _fraction(p)
    rank, size = _group_size(rt, present, starts)  # among non-NULL rows so far; N
    # target = max(1, ceil(p N)) = floor((a N + b - 1) / b), or 1 when p = 0
    if frac == 0:
        target = AShare.public(rt.party, np.ones(n, np.int64))
    else:
        num = size.mul_public(frac.numerator).add_public(frac.denominator - 1)
        target = division.divide_public(rt, num, frac.denominator)
    hit = and_(rt, present, equality.equal(rt, rank, target))
    value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
    words = [value] if col.key is None else [value, col.key]
    picked = mux.mul_bit(rt, BShare.concat([hit] * len(words)), AShare.concat(words))
    return segment.segmented_sum(rt, [picked[k * n:(k + 1) * n] for k in range(len(words))],
                                 starts)


