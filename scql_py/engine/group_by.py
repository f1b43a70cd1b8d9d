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
"""

from __future__ import annotations

from fractions import Fraction

import duckdb
import numpy as np
import pyarrow as pa
from sqlglot import exp

from scql_py.catalog.types import FLOAT64, INT64, SqlType
from scql_py.engine.aggregate import SENTINEL
from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.engine.secure_expr import SecureEvaluator, bit_not
from scql_py.engine.sharing import share_table
from scql_py.errors import InternalError, NotSupportedError
from scql_py.mpc import compare, convert, division, equality, mux, rss, segment
from scql_py.mpc.fixedpoint import FRAC_BITS
from scql_py.mpc.rounded_division import divide_rounded
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.mpc.sort import sort


def _zero_where(ev: SecureEvaluator, bit: BShare, col: SecretColumn) -> SecretColumn:
    """The column with its value (and string bytes) set to 0 where ``bit`` is 1."""
    rt = ev.rt
    keep = bit_not(bit)
    if isinstance(col.value, BShare):
        value = and_(rt, keep, col.value)
    else:
        value = mux.mul_bit(rt, keep, col.value)
    chars = None
    if col.chars is not None:
        mask = mux.broadcast_bit(keep)
        chars = [and_(rt, mask, w) for w in col.chars]
    return SecretColumn(col.type, value, col.null, chars)


def _key_words(col: SecretColumn) -> list[AShare | BShare]:
    """What makes two keys equal: NULL bit, then the value (strings: the hash)."""
    words: list[AShare | BShare] = []
    if col.null is not None:
        words.append(col.null)
    words.append(col.value)
    return words


def _sort_key(word: AShare | BShare):
    return (word, False, 1) if isinstance(word, BShare) else (word, False)


def group_aggregate(ev: SecureEvaluator, rel: SecretRelation,
                    keys: list[tuple[str, str, str]],
                    aggs: list[tuple[str, str, str | None, str, bool]],
                    names: list[str], threshold: int | None = None,
                    ) -> tuple[SecretRelation, int]:
    """GROUP BY ``keys`` computing ``aggs`` (plan step arguments).

    Returns the relation of groups (compacted) and the number of groups dropped by the
    group-size ``threshold`` (0 when none is set).
    """
    rt = ev.rt
    n = rel.n
    party = rt.party
    valid = rel.valid if rel.valid is not None else BShare.public(party, np.ones(n, np.uint64))
    invalid = bit_not(valid)

    key_cols = [ev.evaluate(exp.maybe_parse(sql), SqlType.parse(t)) for _, sql, t in keys]
    # NULL keys and filtered-out rows get zero values: each forms one group
    cleaned = []
    for col in key_cols:
        if col.null is not None:
            col = _zero_where(ev, col.null, col)
            col = SecretColumn(col.type, col.value, and_(rt, col.null, valid), col.chars)
        cleaned.append(_zero_where(ev, invalid, col) if rel.valid is not None else col)
    key_cols = cleaned

    arg_cols: dict[str, SecretColumn] = {}
    # rows are also sorted by at most one argument: COUNT(DISTINCT x) counts its runs,
    # PERCENTILE_DISC(p) WITHIN GROUP (ORDER BY x) picks by rank
    distinct_args = {arg for _, func, arg, _, distinct in aggs
                     if (distinct or func.startswith("percentile_disc")) and arg is not None}
    if len(distinct_args) > 1:
        raise NotSupportedError("COUNT(DISTINCT ...) or PERCENTILE_DISC of more than one "
                                "expression in a query")
    for _, func, arg, _, distinct in aggs:
        if arg is not None and arg not in arg_cols:
            arg_cols[arg] = ev.evaluate(exp.maybe_parse(arg))
            if arg_cols[arg].type.kind == "string" and func not in ("count",):
                raise NotSupportedError(f"{func.split(':')[0].upper()} of a secret string")
        if distinct and func != "count":
            raise NotSupportedError(f"{func.upper()}(DISTINCT ...)")

    # -- sort rows by (valid first, keys[, distinct argument]) -------------------------------
    group_words = [w for col in key_cols for w in _key_words(col)]
    sort_keys = [(valid, True, 1)] + [_sort_key(w) for w in group_words]
    distinct_col = None
    if distinct_args:
        distinct_col = arg_cols[next(iter(distinct_args))]
        if distinct_col.null is not None:
            distinct_col = _zero_where(ev, distinct_col.null, distinct_col)
        sort_keys += [_sort_key(w) for w in _key_words(distinct_col)]
    payload: list = [valid]
    for col in key_cols:
        payload += [col.value, col.null if col.null is not None else BShare.zeros(party, n)]
        payload += list(col.chars or [])
    arg_names = list(arg_cols)
    for name in arg_names:
        col = arg_cols[name]
        payload += [col.value, col.null if col.null is not None else BShare.zeros(party, n)]
    if distinct_col is not None:
        payload += _key_words(distinct_col)
    if n > 1:
        _, moved = sort(rt, sort_keys, payload)
    else:
        moved = payload
    it = iter(moved)
    valid_s = next(it)
    keys_s = []
    for col in key_cols:
        value, null = next(it), next(it)
        chars = [next(it) for _ in col.chars] if col.chars is not None else None
        keys_s.append(SecretColumn(col.type, value, null, chars))
    args_s = {}
    for name in arg_names:
        value, null = next(it), next(it)
        args_s[name] = SecretColumn(arg_cols[name].type, value, null)
    distinct_s = list(it)

    # -- segments and running aggregates ---------------------------------------------------
    starts = segment.segment_starts(rt, [valid_s] + [w for c in keys_s for w in _key_words(c)])
    ends = segment.group_ends(starts)
    present = {}
    for name, col in args_s.items():
        present[name] = and_(rt, valid_s, bit_not(col.null))
    count_star = segment.segmented_count(rt, starts, valid_s)
    running: list[AShare] = []
    for _, func, arg, _, distinct in aggs:
        if arg is None:
            running.append(count_star)
        elif distinct:
            first = segment.distinct_starts(rt, [valid_s] + [w for c in keys_s
                                                             for w in _key_words(c)], distinct_s)
            running.append(segment.segmented_count(rt, starts, and_(rt, first, present[arg])))
        elif func == "count":
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func in ("sum", "avg"):
            col = args_s[arg]
            value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
            running.append(segment.segmented_sum(rt, mux.mul_bit(rt, present[arg], value), starts))
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func.startswith("percentile_disc"):
            running.append(_percentile_disc(rt, args_s[arg], present[arg], starts,
                                            float(func.split(":")[1])))
            running.append(segment.segmented_count(rt, starts, present[arg]))
        elif func in ("min", "max"):
            fill = SENTINEL if func == "min" else -SENTINEL
            sentinel = AShare.public(party, np.full(n, np.int64(fill).view(np.uint64)))
            value = mux.select(rt, present[arg], args_s[arg].value, sentinel)
            scan = segment.segmented_min if func == "min" else segment.segmented_max
            running.append(scan(rt, value, starts))
            running.append(segment.segmented_count(rt, starts, present[arg]))
        else:
            raise NotSupportedError(f"aggregate {func.upper()}")

    # -- keep each valid group's last row ---------------------------------------------------
    keep = and_(rt, ends, valid_s)
    dropped = 0
    if threshold:
        big = convert.bit_not(compare.less_than_public(rt, count_star, threshold))
        total = convert.b2a_bit(rt, keep).sum()
        keep = and_(rt, keep, big)
        dropped_share = total - convert.b2a_bit(rt, keep).sum()
    flat: list = []
    for col in keys_s:
        flat += [col.value, col.null] + list(col.chars or [])
    flat += running
    kept = segment.compact(rt, keep, flat) if n else flat
    if threshold:
        dropped = int(rss.reveal(rt, dropped_share)[0])
    groups = len(kept[0]) if kept else 0
    it = iter(kept)
    out_cols: list[SecretColumn] = []
    for col in keys_s:
        value, null = next(it), next(it)
        chars = [next(it) for _ in col.chars] if col.chars is not None else None
        out_cols.append(SecretColumn(col.type, value, null, chars))
    finals: list[tuple[str, AShare, AShare | None]] = []
    for _, func, arg, _, _ in aggs:
        v = next(it)
        if arg is None or func == "count":
            finals.append((func, v, None))
        else:
            finals.append((func, v, next(it)))
    for (_, func, arg, t, _), (_, v, cnt) in zip(aggs, finals):
        out_type = SqlType.parse(t)
        if func == "count" or arg is None:
            out_cols.append(SecretColumn(INT64, v))
            continue
        null = equality.equal_zero(rt, cnt)
        if func == "avg":
            src = args_s[arg].type
            scale = cnt
            if src.kind == "decimal":
                scale = cnt.mul_public(10**src.scale)
            elif src.kind == "float64":
                scale = cnt.mul_public(1 << FRAC_BITS)
            out_cols.append(SecretColumn(FLOAT64, divide_rounded(rt, v, scale, FRAC_BITS), null))
        else:
            out_cols.append(SecretColumn(out_type, v, null))
    return SecretRelation(groups, list(names), out_cols), dropped


def _reverse(x):
    return type(x)(x.party, x.a[::-1].copy(), x.b[::-1].copy())


def _percentile_disc(rt, col: SecretColumn, present: BShare, starts: BShare, p: float) -> AShare:
    """Running value that, at each group's last row, is the group's PERCENTILE_DISC(p):
    the non-NULL value of rank ceil(p N) (at least 1) among the group's N non-NULL values,
    which the sort put first, in ascending order."""
    n = len(present)
    frac = Fraction(str(p)).limit_denominator(1 << 20)
    rank = segment.segmented_count(rt, starts, present)  # among non-NULL rows so far
    after = _reverse(segment.segmented_count(rt, _reverse(segment.group_ends(starts)),
                                             _reverse(present)))
    size = rank + after - convert.b2a_bit(rt, present)  # N, on every row of the group
    # target = max(1, ceil(p N)) = floor((a N + b - 1) / b), or 1 when p = 0
    if frac == 0:
        target = AShare.public(rt.party, np.ones(n, np.int64))
    else:
        num = size.mul_public(frac.numerator).add_public(frac.denominator - 1)
        target = division.divide_public(rt, num, frac.denominator)
    hit = and_(rt, present, equality.equal(rt, rank, target))
    value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
    return segment.segmented_sum(rt, mux.mul_bit(rt, hit, value), starts)


# the one-hot matrix of the owner path holds n * k words per party
OWNER_GROUPING_MAX_CELLS = 1 << 23


def owner_group_aggregate(ev: SecureEvaluator, rel: SecretRelation, owner: int,
                          keys: list[tuple[str, str, str]],
                          aggs: list[tuple[str, str, str | None, str, bool]],
                          names: list[str], threshold: int | None = None,
                          ) -> tuple[SecretRelation, int]:
    """GROUP BY keys that one party computes from its own rows (SCQL's cheaper path).

    Right after a PSI join the key ``owner`` knows its own columns of every row, so it
    groups in plaintext: it announces the number of groups ``k``, shares the ``k``
    distinct keys and a one-hot row-to-group matrix, and every SUM/COUNT/AVG is one
    round of per-group dot products (:func:`rss.dot_columns`). No oblivious sort; the
    others learn ``k``, the owner nothing it did not know. Falls back to
    :func:`group_aggregate` when ``n * k`` is too large.
    """
    rt = ev.rt
    n = rel.n
    key_types = [SqlType.parse(t) for _, _, t in keys]
    if rt.party == owner:
        if rel.own_rows is None or rel.own_rows.num_rows != n:
            raise InternalError("the key owner lost its rows' order")
        ids, distinct = _plain_groups(rel.own_rows, [sql for _, sql, _ in keys], key_types)
        meta = {"groups": len(distinct)}
        rt.comm.exchange({p: meta for p in range(3) if p != owner}, [])
    else:
        (meta,) = rt.comm.exchange({}, [owner])
        ids = distinct = None
    k = int(meta["groups"])
    if n * k > OWNER_GROUPING_MAX_CELLS:
        return group_aggregate(ev, rel, keys, aggs, names, threshold)
    onehot = None
    if ids is not None:
        onehot = np.zeros((n, k), dtype=np.uint64)
        onehot[np.arange(n), ids] = 1
        onehot = onehot.ravel()
    matrix = rss.share_input(rt, owner, onehot, n * k)
    key_rel = share_table(rt, owner, distinct, key_types, ev.string_key,
                          [name for name, _, _ in keys])

    # per-row vectors to sum per group: row presence, then each aggregate's terms
    valid = rel.valid if rel.valid is not None else BShare.public(
        rt.party, np.ones(n, np.uint64))
    vectors = [convert.b2a_bit(rt, valid)]
    layout = []
    for _, func, arg, _, _ in aggs:
        if arg is None:
            layout.append((func, 0, None))
            continue
        col = ev.evaluate(exp.maybe_parse(arg))
        present = and_(rt, valid, bit_not(col.null)) if col.null is not None else valid
        count_at = len(vectors)
        vectors.append(convert.b2a_bit(rt, present))
        if func == "count":
            layout.append((func, count_at, None))
            continue
        value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
        vectors.append(mux.mul_bit(rt, present, value))
        layout.append((func, count_at, col.type))
    sums = rss.dot_columns(rt, matrix, k, vectors)

    out_cols = list(key_rel.columns)
    for (func, at, src), (_, _, _, t, _) in zip(layout, aggs):
        if func == "count":
            out_cols.append(SecretColumn(INT64, sums[at]))
            continue
        count, total = sums[at], sums[at + 1]
        null = equality.equal_zero(rt, count)
        if func == "sum":
            out_cols.append(SecretColumn(SqlType.parse(t), total, null))
            continue
        scale = count
        if src.kind == "decimal":
            scale = count.mul_public(10**src.scale)
        elif src.kind == "float64":
            scale = count.mul_public(1 << FRAC_BITS)
        out_cols.append(SecretColumn(FLOAT64, divide_rounded(rt, total, scale, FRAC_BITS), null))
    out = SecretRelation(k, list(names), out_cols)
    # a group with no valid row (all its rows filtered out) is no group
    keep = bit_not(equality.equal_zero(rt, sums[0]))
    dropped = 0
    if threshold:
        big = convert.bit_not(compare.less_than_public(rt, sums[0], threshold))
        total = convert.b2a_bit(rt, keep).sum()
        keep = and_(rt, keep, big)
        dropped = int(rss.reveal(rt, total - convert.b2a_bit(rt, keep).sum())[0])
    out.valid = keep
    return out, dropped


def _plain_groups(rows, key_sql: list[str], types: list[SqlType]):
    """The owner's grouping of its rows: a group id per row and the distinct keys."""
    con = duckdb.connect()
    con.register("r", rows.append_column("__row", pa.array(np.arange(rows.num_rows))))
    cols = ", ".join(f"{sql} AS k{i}" for i, sql in enumerate(key_sql))
    order = ", ".join(f"k{i} NULLS FIRST" for i in range(len(key_sql)))
    keyed = con.sql(f"SELECT {cols}, dense_rank() OVER (ORDER BY {order}) - 1 AS g "
                    f"FROM r ORDER BY __row")
    table = keyed.to_arrow_table()
    ids = table.column("g").to_numpy().astype(np.int64)
    distinct = con.sql(f"SELECT DISTINCT {', '.join(f'k{i}' for i in range(len(key_sql)))} "
                       f"FROM keyed ORDER BY {order}").to_arrow_table()
    arrays = [distinct.column(i).cast(t.to_arrow()) for i, t in enumerate(types)]
    return ids, pa.Table.from_arrays(arrays, names=[f"k{i}" for i in range(len(types))])
