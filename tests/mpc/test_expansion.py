"""Oblivious expansion and routing (:mod:`scql_py.mpc.expansion`) against numpy, and
what a party sees while they run: only the public sizes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from rss3_helpers import secure

from scql_py.mpc import expansion, openings, rss, segment
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.rss import AShare, BShare


def _expand_plain(counts, values, bits):
    """expand(counts) of an int64 column and a boolean word column, opened."""
    total = int(np.sum(counts))

    def fn(rt, c, v, w):
        (ev, ew), copy = expansion.expand(rt, c, total, [v, w])
        return [ev, ew, copy]

    return secure(fn, counts, values, bits, boolean=[False, False, True])


@pytest.mark.parametrize(
    "counts",
    [
        [2, 0, 1, 3],
        [0, 0, 0, 5],
        [5, 0, 0, 0],
        [1, 1, 1, 1],
        [0, 3, 0, 0, 2, 0],
        [7],
        [0, 1],
    ],
)
def test_expand_repeats_each_row_its_count(counts):
    n = len(counts)
    rng = np.random.default_rng(len(counts) * 31 + sum(counts))
    values = rng.integers(-(2**62), 2**62, n)
    bits = rng.integers(0, 2**62, n)
    ev, ew, copy = _expand_plain(counts, values, bits)
    np.testing.assert_array_equal(ev, np.repeat(values, counts))
    np.testing.assert_array_equal(ew, np.repeat(bits, counts))
    np.testing.assert_array_equal(copy, np.concatenate([np.arange(c) for c in counts]))


def test_expand_random_counts_against_numpy():
    rng = np.random.default_rng(7)
    counts = rng.choice([0, 0, 1, 2, 5, 13], size=300)
    values = rng.integers(-1000, 1000, 300)
    ev, ew, _ = _expand_plain(counts, values, values * 3)
    np.testing.assert_array_equal(ev, np.repeat(values, counts))
    np.testing.assert_array_equal(ew, np.repeat(values * 3, counts))


def test_expand_to_nothing():
    ev, ew, copy = _expand_plain([0, 0, 0], [1, 2, 3], [4, 5, 6])
    assert len(ev) == len(ew) == len(copy) == 0


def test_route_applies_the_permutation():
    rng = np.random.default_rng(3)
    dest = rng.permutation(50)
    values = rng.integers(0, 10**9, 50)
    (out,) = secure(lambda rt, d, v: expansion.route(rt, d, [v]), dest, values)
    want = np.empty(50, np.int64)
    want[dest] = values
    np.testing.assert_array_equal(out, want)


def test_route_refuses_what_is_not_a_permutation():
    with pytest.raises(ValueError, match="not a permutation"):
        secure(lambda rt, d, v: expansion.route(rt, d, [v]), [0, 0, 2], [1, 2, 3])


def test_expand_and_route_make_a_many_to_many_join_like_pandas():
    """The join recipe on sorted plaintext groups: left rows repeated by the partner
    count, right rows repeated and routed to their partners (pandas merge agrees)."""
    rng = np.random.default_rng(11)
    lk = np.sort(rng.integers(0, 6, 40))
    rk = np.sort(rng.integers(2, 9, 30))
    la, ra = rng.integers(0, 10**6, 40), rng.integers(0, 10**6, 30)
    n_right = np.array([np.sum(rk == k) for k in lk])
    n_left = np.array([np.sum(lk == k) for k in rk])
    rank = np.array([np.sum(rk[:j] == rk[j]) for j in range(30)])
    before = np.cumsum(n_left) - n_left  # where right row j's copies start
    first = before - rank * n_left  # where its group starts in the result
    total = int(n_right.sum())

    def fn(rt, cl, vl, cr, vr, off, nr):
        (xl,), _ = expansion.expand(rt, cl, total, [vl])
        (xr, xoff, xnr), copy = expansion.expand(rt, cr, total, [vr, off, nr])
        dest = xoff + rss.mul(rt, copy, xnr)
        (routed,) = expansion.route(rt, dest, [xr])
        return [xl, routed]

    rk_n_right = np.array([np.sum(rk == k) for k in rk])
    got_l, got_r = secure(fn, n_right, la, n_left, ra, first + rank, rk_n_right)
    want = pd.merge(pd.DataFrame({"k": lk, "a": la}), pd.DataFrame({"k": rk, "b": ra}), on="k")
    assert sorted(zip(got_l, got_r)) == sorted(zip(want.a, want.b))


# -- what a party sees ------------------------------------------------------------------------


def _views(counts: np.ndarray, runs: int) -> list[tuple]:
    """Per run on party 0: its openings, and every value opened to it (sort comparisons,
    compaction bits, ranks), as one tuple; plus the rounds and bytes of the run."""
    opened: list = []
    plain = rss.reveal

    def recording(rt, x, to=None, what="values"):
        out = plain(rt, x, to, what)
        if rt.party == 0:
            opened.append((what, tuple(out.tolist())))
        return out

    total = int(counts.sum())

    def prog(rt, _):
        c = rss.share_input(rt, 1, counts if rt.party == 1 else None, len(counts))
        v = rss.share_input(rt, 2, np.arange(len(counts)) if rt.party == 2 else None, len(counts))
        views = []
        for _ in range(runs):
            start = len(opened)
            rt.comm.stats.reset()
            rt.openings.clear()
            expansion.expand(rt, c, total, [v])
            views.append(
                (
                    tuple(rt.openings),
                    rt.comm.stats.rounds,
                    rt.comm.stats.bytes_sent,
                    tuple(opened[start:]) if rt.party == 0 else None,
                )
            )
        return views

    rss.reveal = recording
    try:
        return run_parties(prog)[0]
    finally:
        rss.reveal = plain


def _distribution(views: list[tuple], pick) -> dict:
    out: dict = {}
    for v in views:
        key = pick(v)
        out[key] = out.get(key, 0) + 1
    return out


def test_expand_view_depends_only_on_the_sizes():
    """Counts [3, 0, 0] and [1, 1, 1] (same n and total): what party 0 records as opened,
    and the distribution of what it sees (rounds, bytes, the opened values), must be
    the same -- otherwise the view tells the multiplicities."""
    runs = 240
    a = _views(np.array([3, 0, 0]), runs)
    b = _views(np.array([1, 1, 1]), runs)
    assert {v[0] for v in a} == {v[0] for v in b}  # the same openings, same sizes
    assert {o.what for v in a for o in v[0]} <= {openings.SHUFFLED_COMPARISONS, openings.ROW_COUNT}
    for pick in (lambda v: (v[1], v[2]), lambda v: v[3]):
        da, db = _distribution(a, pick), _distribution(b, pick)
        keys = set(da) | set(db)
        # two-sample chi-square over the outcomes seen (few: 6 rows sort in few ways)
        chi2 = sum((da.get(k, 0) - db.get(k, 0)) ** 2 / (da.get(k, 0) + db.get(k, 0)) for k in keys)
        dof = max(1, len(keys) - 1)
        assert chi2 < dof + 6 * np.sqrt(2 * dof) + 10, (chi2, dof, da, db)


def test_the_view_test_can_fail():
    """The same check tells apart an expansion that opens the starting positions."""

    def leaky(rt, counts, total, columns):
        start = segment.prefix_sum(counts) - counts
        rss.reveal(rt, start, what=openings.ROW_COUNT)
        return plain_expand(rt, counts, total, columns)

    plain_expand = expansion.expand
    expansion.expand = leaky
    try:
        a = _views(np.array([3, 0, 0]), 40)
        b = _views(np.array([1, 1, 1]), 40)
    finally:
        expansion.expand = plain_expand
    assert {v[3] for v in a}.isdisjoint({v[3] for v in b})


def test_expand_carries_bits_of_boolean_words():
    def fn(rt, c):
        word = BShare.public(rt.party, np.array([1, 2, 4], np.uint64))
        arith = AShare.public(rt.party, np.array([5, 6, 7], np.uint64))
        (w, x), _ = expansion.expand(rt, c, 4, [word, arith])
        return [w, x]

    w, x = secure(fn, [0, 3, 1])
    assert w.tolist() == [2, 2, 2, 4] and x.tolist() == [6, 6, 6, 7]
