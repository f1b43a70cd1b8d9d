"""Segmented aggregation and compaction against pandas / DuckDB on the same plaintext:
group marks, running sums, counts, min, max, count distinct, group totals, compaction
(in order and not), and an end-to-end GROUP BY after an oblivious sort."""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd
import pytest

from scql_py.mpc import rss, segment, sort
from scql_py.mpc.inprocess import run_parties


def _share(rt, values, boolean=False, owner=0):
    values = np.asarray(values, dtype=np.int64)
    share = rss.share_input_bool if boolean else rss.share_input
    return share(rt, owner, values if rt.party == owner else None, len(values))


def _open(rt, x) -> np.ndarray:
    return rss.reveal(rt, x).view(np.int64)


def _groups(n: int, n_groups: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    keys = np.sort(rng.integers(-n_groups, n_groups, n)).astype(np.int64)
    values = rng.integers(-(10**6), 10**6, n).astype(np.int64)
    return keys, values


SHAPES = [(0, 1), (1, 1), (2, 1), (2, 5), (7, 3), (257, 20), (300, 1000), (64, 1)]


@pytest.mark.parametrize("n, n_groups", SHAPES)
def test_running_aggregates_match_pandas(n: int, n_groups: int):
    keys, values = _groups(n, n_groups, seed=n)
    valid = (np.arange(n) % 3 != 1).astype(np.int64)

    def prog(rt, _):
        k, v = _share(rt, keys), _share(rt, values, owner=1)
        w = _share(rt, valid, boolean=True, owner=2)
        starts = segment.segment_starts(rt, [k])
        return {
            "starts": _open(rt, starts) & 1,
            "ends": _open(rt, segment.group_ends(starts)) & 1,
            "sum": _open(rt, segment.segmented_sum(rt, v, starts)),
            "count": _open(rt, segment.segmented_count(rt, starts)),
            "count_valid": _open(rt, segment.segmented_count(rt, starts, w)),
            "min": _open(rt, segment.segmented_min(rt, v, starts)),
            "max": _open(rt, segment.segmented_max(rt, v, starts)),
        }

    got = run_parties(prog)[0]
    df = pd.DataFrame({"k": keys, "v": values, "w": valid})
    by = df.groupby("k", sort=False)
    starts = np.r_[np.ones(min(n, 1), np.int64), (keys[1:] != keys[:-1]).astype(np.int64)]
    np.testing.assert_array_equal(got["starts"], starts)
    np.testing.assert_array_equal(got["ends"], np.r_[starts[1:], np.ones(min(n, 1), np.int64)])
    np.testing.assert_array_equal(got["sum"], by.v.cumsum().to_numpy())
    np.testing.assert_array_equal(got["count"], by.cumcount().to_numpy() + 1)
    np.testing.assert_array_equal(got["count_valid"], by.w.cumsum().to_numpy())
    np.testing.assert_array_equal(got["min"], by.v.cummin().to_numpy())
    np.testing.assert_array_equal(got["max"], by.v.cummax().to_numpy())


def test_multi_column_keys_and_several_sums():
    n = 200
    rng = np.random.default_rng(3)
    a = np.sort(rng.integers(0, 4, n)).astype(np.int64)
    b = rng.integers(0, 3, n).astype(np.int64)
    order = np.lexsort((b, a))
    a, b = a[order], b[order]
    x, y = rng.integers(-50, 50, n), rng.integers(0, 9, n)

    def prog(rt, _):
        ka, kb = _share(rt, a), _share(rt, b, boolean=True, owner=1)  # boolean key too
        starts = segment.segment_starts(rt, [ka, kb])
        sums = segment.segmented_sum(rt, [_share(rt, x), _share(rt, y)], starts)
        return _open(rt, starts) & 1, [_open(rt, s) for s in sums]

    starts, (sx, sy) = run_parties(prog)[0]
    df = pd.DataFrame({"a": a, "b": b, "x": x, "y": y})
    expected_starts = np.r_[1, ((a[1:] != a[:-1]) | (b[1:] != b[:-1])).astype(np.int64)]
    np.testing.assert_array_equal(starts, expected_starts)
    np.testing.assert_array_equal(sx, df.groupby(["a", "b"]).x.cumsum().to_numpy())
    np.testing.assert_array_equal(sy, df.groupby(["a", "b"]).y.cumsum().to_numpy())


def test_count_distinct():
    n = 300
    rng = np.random.default_rng(4)
    g = rng.integers(0, 6, n).astype(np.int64)
    v = rng.integers(0, 10, n).astype(np.int64)
    order = np.lexsort((v, g))
    g, v = g[order], v[order]

    def prog(rt, _):
        kg, kv = _share(rt, g), _share(rt, v, owner=1)
        starts = segment.segment_starts(rt, [kg])
        marks = segment.distinct_starts(rt, [kg], [kv])
        per_row = segment.segmented_count(rt, starts, marks)
        return _open(rt, segment.group_ends(starts)) & 1, _open(rt, per_row)

    ends, running = run_parties(prog)[0]
    expected = pd.DataFrame({"g": g, "v": v}).groupby("g").v.nunique()
    np.testing.assert_array_equal(running[ends == 1], expected.to_numpy())


@pytest.mark.parametrize("pattern", ["random", "all", "none", "first", "last"])
@pytest.mark.parametrize("keep_order", [False, True])
def test_compact(pattern: str, keep_order: bool):
    n = 101
    rng = np.random.default_rng(5)
    valid = {
        "random": rng.integers(0, 2, n),
        "all": np.ones(n),
        "none": np.zeros(n),
        "first": np.r_[1, np.zeros(n - 1)],
        "last": np.r_[np.zeros(n - 1), 1],
    }[pattern].astype(np.int64)
    x = rng.integers(-(2**63), 2**63 - 1, n, dtype=np.int64)
    y = np.arange(n, dtype=np.int64)

    def prog(rt, _):
        w = _share(rt, valid, boolean=True)
        kept = segment.compact(rt, w, [_share(rt, x, owner=1), _share(rt, y, boolean=True)],
                               keep_order=keep_order)
        return [_open(rt, c) for c in kept]

    kx, ky = run_parties(prog)[0]
    keep = valid == 1
    if keep_order:
        np.testing.assert_array_equal(kx, x[keep])
        np.testing.assert_array_equal(ky, y[keep])
    else:
        assert sorted(zip(kx.tolist(), ky.tolist(), strict=True)) == sorted(
            zip(x[keep].tolist(), y[keep].tolist(), strict=True))


def test_compact_leaks_only_the_count():
    """The opened validity bits are those of a shuffled column: over many runs the
    position of the single valid row is spread evenly over all rows (chi-square)."""
    n, runs = 4, 200
    valid = np.array([1, 0, 0, 0])
    opened: dict[int, list[np.ndarray]] = {}
    plain = segment._open_bits

    def recording(rt, bit):
        bits = plain(rt, bit)
        opened.setdefault(rt.party, []).append(bits)
        return bits

    def prog(rt, _):
        w, x = _share(rt, valid, boolean=True), _share(rt, np.arange(n))
        for _ in range(runs):
            segment.compact(rt, w, [x])

    segment._open_bits = recording  # pass-through: records what party 0 sees
    try:
        run_parties(prog)
    finally:
        segment._open_bits = plain
    where = [int(np.flatnonzero(bits)[0]) for bits in opened[0]]
    counts = np.bincount(where, minlength=n)
    expected = runs / n
    assert float(((counts - expected) ** 2 / expected).sum()) < 21.1, counts  # df 3


@pytest.mark.parametrize("n_groups", [1, 5, 400])
def test_group_by_sum_end_to_end_against_duckdb(n_groups: int):
    """Unsorted secret rows -> sort by key -> marks -> sum_by_group, vs DuckDB."""
    n = 400
    rng = np.random.default_rng(n_groups)
    keys = rng.integers(-n_groups, n_groups, n).astype(np.int64) if n_groups > 1 else \
        np.full(n, 7, np.int64)
    values = rng.integers(-(10**9), 10**9, n).astype(np.int64)

    def prog(rt, _):
        (k,), (v,) = sort.sort(rt, [(_share(rt, keys), False)], [_share(rt, values, owner=1)])
        starts = segment.segment_starts(rt, [k])
        (gk,), (total,), count = segment.sum_by_group(rt, starts, [k], [v])
        return _open(rt, gk), _open(rt, total), _open(rt, count)

    gk, total, count = run_parties(prog)[0]
    con = duckdb.connect()
    con.register("t", pd.DataFrame({"k": keys, "v": values}))
    ref = con.execute("SELECT k, SUM(v)::BIGINT, COUNT(*) FROM t GROUP BY k ORDER BY k").fetchnumpy()
    cols = list(ref.values())
    np.testing.assert_array_equal(gk, cols[0])
    np.testing.assert_array_equal(total, cols[1])
    np.testing.assert_array_equal(count, cols[2])
