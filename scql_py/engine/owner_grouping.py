"""GROUP BY keys that one party knows for every row (SCQL's cheaper path).

Right after a PSI join the key owner knows its own columns of every joined row, so it
groups in plaintext: it announces the number of groups ``k``, shares the ``k`` distinct
keys and a one-hot row-to-group matrix, and every SUM/COUNT/AVG is one round of
per-group dot products (:func:`rss.dot_columns`). No oblivious sort; the others learn
``k``, the owner nothing it did not know.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pyarrow as pa

from scql_py.catalog.types import FLOAT64, INT64, SqlType
from scql_py.engine.aggregate import average_many, range_bits
from scql_py.engine.group_by import group_aggregate
from scql_py.engine.group_threshold import leave_out_small_groups
from scql_py.engine.input_sharing import share_table
from scql_py.engine.real_sums import is_keyed_real, limbs_of, sums_and_averages
from scql_py.engine.relation import SecretColumn, SecretRelation
from scql_py.engine.secure_expr import SecureEvaluator, bit_not
from scql_py.errors import InternalError
from scql_py.mpc import convert, equality, mux, openings, rss, sum_range
from scql_py.mpc.float_sum import LIMBS
from scql_py.mpc.rss import AShare, BShare, and_
from scql_py.sql import plan_text

# the one-hot matrix of the owner path holds n * k words per party
OWNER_GROUPING_MAX_CELLS = 1 << 23


def owner_group_aggregate(ev: SecureEvaluator, rel: SecretRelation, owner: int,
                          keys: list[tuple[str, str, str]],
                          aggs: list[tuple[str, str, str | None, str, bool]],
                          names: list[str], threshold: int | None = None,
                          ) -> tuple[SecretRelation, int]:
    """GROUP BY ``keys``, which computing party ``owner`` (a protocol index, 0-2)
    computes from its own rows (see the module); falls back to :func:`group_aggregate` when ``n * k`` is too large."""
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
    rt.record_opening(openings.GROUP_COUNT, None, 1)
    if n * k > OWNER_GROUPING_MAX_CELLS:
        # too many cells: the oblivious sort, by the owner's numbering of its groups
        # (one word, not every key's); numbered in an order of its own random choice,
        # so the sort's comparisons show the groups in no order anybody else knows
        numbered = None
        if ids is not None:
            numbered = rt.prg_own.permutation(k).astype(np.uint64)[ids]
        group_ids = rss.share_input(rt, owner, numbered, n)
        return group_aggregate(ev, rel, keys, aggs, names, threshold, group_ids=group_ids)
    onehot = None
    if ids is not None:
        onehot = np.zeros((n, k), dtype=np.uint64)
        onehot[np.arange(n), ids] = 1
        onehot = onehot.ravel()
    matrix = rss.share_input(rt, owner, onehot, n * k)
    # share_table names its owner among every party (``world``), not the three computing
    key_rel = share_table(rt, rt.compute[owner], distinct, key_types, ev.string_key,
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
        col = ev.evaluate(plan_text.parse(arg))
        present = and_(rt, valid, bit_not(col.null)) if col.null is not None else valid
        count_at = len(vectors)
        vectors.append(convert.b2a_bit(rt, present))
        if func == "count":
            layout.append((func, count_at, None))
            continue
        if func in ("sum", "avg") and is_keyed_real(col):  # exact (real_sums)
            vectors += limbs_of(rt, [(col, present)])[0]
            layout.append((func, count_at, None))
            continue
        value = convert.b2a_bit(rt, col.value) if col.type.kind == "bool" else col.value
        kept = mux.mul_bit(rt, present, value)
        vectors.append(kept)
        if func in ("sum", "avg") and n:
            vectors += sum_range.halves(rt, kept)  # checked for overflow below
        layout.append((func, count_at, col.type))
    sums = rss.dot_columns(rt, matrix, k, vectors)

    out_cols: list[SecretColumn | None] = list(key_rel.columns)
    divisions = []  # (where, total, count, type, NULL bit) of every AVG: divided at once
    checks = []  # per SUM and AVG, its range check (every group's)
    pending = []  # (where, func, type, total, count, argument type) per SUM and AVG
    for (func, at, src), (_, _, _, t, _) in zip(layout, aggs):
        if func == "count":
            out_cols.append(SecretColumn(INT64, sums[at]))
            continue
        count, total = sums[at], sums[at + 1]
        if src is None:  # a keyed real's limb sums (COUNT(*), the other, is above)
            pending.append((len(out_cols), func, None, sums[at + 1:at + 1 + LIMBS], count,
                            src))
            out_cols.append(None)
            continue
        if func in ("sum", "avg") and n:
            checks.append((total, sums[at + 2], sums[at + 3], (count, src)
                           if func == "avg" else None))
        pending.append((len(out_cols), func, SqlType.parse(t), total, count, src))
        out_cols.append(None)
    # every aggregate of no values is NULL: one test for them all
    nulls = equality.equal_zero(rt, AShare.concat([p[4] for p in pending])) if pending \
        else None
    reals = []  # (where, (is an AVG, limb sums, count, NULL bit)) of keyed reals
    for j, (where, func, t, total, count, src) in enumerate(pending):
        null = nulls[j * k:(j + 1) * k]
        if t is None:
            reals.append((where, (func == "avg", total, count, null)))
        elif func == "sum":
            out_cols[where] = SecretColumn(t, total, null)
        else:
            divisions.append((where, total, count, src, null))
    means = average_many(rt, [(total, count, t) for _, total, count, t, _ in divisions])
    for (where, _, _, _, null), (mean, fine) in zip(divisions, means):
        out_cols[where] = SecretColumn(FLOAT64, mean, null, exact=fine)
    real_checks: list[BShare] = []
    for (where, _), col in zip(reals, sums_and_averages(rt, [r for _, r in reals],
                                                        real_checks)):
        out_cols[where] = col
    out = SecretRelation(k, list(names), out_cols)
    # a group with no valid row (all its rows filtered out) is no group
    keep = bit_not(equality.equal_zero(rt, sums[0]))
    out.valid, dropped = leave_out_small_groups(rt, keep, sums[0], threshold)
    # of the groups the asker gets only: nothing of those the threshold leaves out
    bits = range_bits(rt, checks) + real_checks
    if bits and k:
        every = BShare.concat(bits)
        ev.out_of_range.append(and_(rt, every, BShare.concat([out.valid] * (len(every) // k))))
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
