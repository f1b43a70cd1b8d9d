"""Oblivious sort against numpy's stable sorts: random, adversarial and edge inputs,
descending and multi-key orders, payloads of both share kinds, stability; and the
view: the comparison results a party sees are those of a random order, whatever the
order (or the repetitions) of the input."""

from __future__ import annotations

import threading
from collections import Counter

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.mpc import rss
from scql_py.mpc import sort as sort_mod
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.sort import null_order_key, sort

INT64_MIN = int(np.iinfo(np.int64).min)
INT64_MAX = int(np.iinfo(np.int64).max)


def _share(rt, values, boolean=False, owner=0):
    values = np.asarray(values, dtype=np.int64)
    share = rss.share_input_bool if boolean else rss.share_input
    return share(rt, owner, values if rt.party == owner else None, len(values))


def _secure_sort(keys: list[tuple[np.ndarray, bool]], payload: list[np.ndarray],
                 boolean_keys: bool = False, boolean_payload: bool = False):
    """Share every column (owners rotate), sort, open everything; check all parties agree."""

    def prog(rt, _):
        ks = [(_share(rt, k, boolean_keys, owner=i % 3), d) for i, (k, d) in enumerate(keys)]
        ps = [_share(rt, p, boolean_payload, owner=(i + 1) % 3) for i, p in enumerate(payload)]
        out_keys, out_payload = sort(rt, ks, ps)
        for got, given_ in zip(out_keys, ks, strict=True):
            assert type(got) is type(given_[0])
        return ([rss.reveal(rt, k).view(np.int64) for k in out_keys],
                [rss.reveal(rt, p).view(np.int64) for p in out_payload])

    results = run_parties(prog)
    for other in results[1:]:
        for x, y in zip(results[0][0] + results[0][1], other[0] + other[1], strict=True):
            np.testing.assert_array_equal(x, y)
    return results[0]


def _expected_order(keys: list[tuple[np.ndarray, bool]]) -> np.ndarray:
    """Stable lexicographic order by numpy (first key most significant)."""
    n = len(keys[0][0])
    order = np.arange(n)
    for values, descending in reversed(keys):
        v = values[order]
        # stable descending: sort ascending by the negated rank, ties kept in place
        rank = np.unique(v, return_inverse=True)[1]
        order = order[np.argsort(-rank if descending else rank, kind="stable")]
    return order


def _check(keys, n_payload=1, **kwargs):
    n = len(keys[0][0])
    payload = [np.arange(n, dtype=np.int64) * (j + 2) - 5 for j in range(n_payload)]
    got_keys, got_payload = _secure_sort(keys, payload, **kwargs)
    order = _expected_order(keys)
    for (values, _), got in zip(keys, got_keys, strict=True):
        np.testing.assert_array_equal(got, values[order])
    for p, got in zip(payload, got_payload, strict=True):
        np.testing.assert_array_equal(got, p[order])  # payload follows; stable on ties


RNG = np.random.default_rng(20240611)
CASES = {
    "random_full_range": RNG.integers(INT64_MIN, INT64_MAX, 1001, dtype=np.int64,
                                      endpoint=True),
    "all_equal": np.full(300, 42, np.int64),
    "already_sorted": np.arange(-150, 150, dtype=np.int64),
    "reversed": np.arange(300, 0, -1, dtype=np.int64),
    "negative": -RNG.integers(1, 1000, 257, dtype=np.int64),
    "few_duplicates": RNG.integers(0, 4, 333, dtype=np.int64),
    "extremes": np.array([INT64_MAX, INT64_MIN, 0, -1, 1, INT64_MIN, INT64_MAX, -1] * 9,
                         dtype=np.int64),
    "empty": np.zeros(0, np.int64),
    "one": np.array([7], np.int64),
    "two": np.array([9, -9], np.int64),
    "two_equal": np.array([3, 3], np.int64),
    "three": np.array([2, 0, 1], np.int64),
}


@pytest.mark.parametrize("name", list(CASES))
@pytest.mark.parametrize("descending", [False, True])
def test_single_key(name: str, descending: bool):
    _check([(CASES[name], descending)])


def test_boolean_keys_and_payload():
    keys = RNG.integers(INT64_MIN, INT64_MAX, 200, dtype=np.int64)
    keys[::7] = keys[3]
    _check([(keys, False)], n_payload=2, boolean_keys=True, boolean_payload=True)


@pytest.mark.parametrize("directions", [(False, False), (False, True), (True, False),
                                        (True, True, False), (False, True, False, True, True)])
def test_multi_key(directions):
    n = 401
    cols = [RNG.integers(-3, 3, n, dtype=np.int64) for _ in directions]
    cols[-1] = RNG.integers(INT64_MIN, INT64_MAX, n, dtype=np.int64)
    cols[-1][::5] = 0  # ties on every key for some rows
    _check(list(zip(cols, directions, strict=True)), n_payload=2)


@pytest.mark.parametrize("small_bits", [10, 40])
def test_narrow_keys_pack_with_the_row_index(small_bits: int):
    """Keys declared narrow (bits) share a word with the row index; order is unchanged.
    With 10 bits the last word stays below 2^32 (two rows per word in the comparison
    tree), with 40 it does not (one row per word)."""
    n = 300
    small = RNG.integers(0, 2**small_bits, n, dtype=np.int64)
    small[::4] = small[1]
    flag = RNG.integers(0, 2, n, dtype=np.int64)
    big = RNG.integers(-5, 5, n, dtype=np.int64)
    payload = np.arange(n, dtype=np.int64)

    def prog(rt, _):
        ks = [(_share(rt, flag, boolean=True), True, 1), (_share(rt, big), False),
              (_share(rt, small), True, small_bits)]
        out_keys, (p,) = sort(rt, ks, [_share(rt, payload)])
        return [rss.reveal(rt, k).view(np.int64) for k in out_keys], rss.reveal(rt, p)

    (k0, k1, k2), p = run_parties(prog)[0]
    order = _expected_order([(flag, True), (big, False), (small, True)])
    np.testing.assert_array_equal(p.view(np.int64), order)
    np.testing.assert_array_equal(k0 & 1, flag[order])
    np.testing.assert_array_equal(k1, big[order])
    np.testing.assert_array_equal(k2, small[order])


@pytest.mark.parametrize("nulls_first", [False, True])
def test_null_order_key(nulls_first: bool):
    values = np.array([5, 0, 3, 0, 1, 0], np.int64)
    is_null = np.array([0, 1, 0, 1, 0, 0], np.int64)

    def prog(rt, _):
        null_bit = _share(rt, is_null, boolean=True)
        keys = [null_order_key(null_bit, nulls_first), (_share(rt, values), False)]
        _, (idx,) = sort(rt, keys, [_share(rt, np.arange(6))])
        return rss.reveal(rt, idx).view(np.int64).tolist()

    got = run_parties(prog)[0]
    non_null = [5, 4, 2, 0]  # rows with values 0, 1, 3, 5
    nulls = [1, 3]  # stable among themselves
    assert got == (nulls + non_null if nulls_first else non_null + nulls)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from([INT64_MIN, INT64_MIN + 1, -(2**32), -2, -1, 0, 1, 2,
                                 2**31, 2**32 - 1, 2**62, INT64_MAX - 1, INT64_MAX]),
                min_size=0, max_size=40),
       st.booleans())
def test_edge_values(values, descending):
    _check([(np.array(values, dtype=np.int64), descending)])


def test_rejects_ragged_columns():
    def prog(rt, _):
        sort(rt, [(_share(rt, [1, 2, 3]), False)], [_share(rt, [1, 2])])

    with pytest.raises(ValueError, match="same length"):
        run_parties(prog)


# -- the view -------------------------------------------------------------------------------

def _comparison_views(values: list[int], runs: int) -> list[tuple]:
    """Party 0's opened comparison results of ``runs`` sorts of ``values``: each run's
    view is the tuple of the bit vectors it saw. Recorded by a pass-through wrapper."""
    seen: dict[int, list] = {}
    plain = sort_mod._less_open

    def recording(rt, *args, **kwargs):
        bits = plain(rt, *args, **kwargs)
        if rt.party == 0:
            seen.setdefault(threading.get_ident(), []).append(tuple(bits.tolist()))
        return bits

    def prog(rt, _):
        col = _share(rt, values)
        views = []
        for _ in range(runs):
            start = len(seen.get(threading.get_ident(), []))
            sort(rt, [(col, False)])
            views.append(tuple(seen.get(threading.get_ident(), [])[start:]))
        return views

    sort_mod._less_open = recording
    try:
        return run_parties(prog)[0]
    finally:
        sort_mod._less_open = plain


@pytest.mark.parametrize("values", [[1, 2, 3], [3, 2, 1], [5, 5, 5], [9, 2, 2], [2, 9, 2]])
def test_opened_comparisons_are_those_of_a_random_order(values):
    """Sorting 3 rows with pivot-first quicksort opens one of 6 equally likely comparison
    patterns when the rows are in random order and their keys distinct. The same
    distribution must appear for sorted, reversed and repeated keys: otherwise the
    pattern would tell the input order or the ties (chi-square, p = 1e-4)."""
    runs = 180
    views = _comparison_views(values, runs)
    counts = Counter(views)
    assert len(counts) == 6, counts  # the 3! orders of 3 distinct (key, index) pairs
    expected = runs / 6
    chi2 = sum((c - expected) ** 2 / expected for c in counts.values())
    assert chi2 < 25.7, counts  # df = 5


@pytest.mark.parametrize("values", [list(range(8)), [4] * 8, [1, 1, 1, 1, 0, 0, 0, 0]])
def test_first_split_is_that_of_a_median_of_three(values, monkeypatch):
    """With 8 rows the pivot is the median of 3 candidates (when short segments are not
    ranked by all their pairs); for distinct keys in random order it has rank r with
    probability r (7 - r) / 56, so that many rows open as 'less'. Repeated or ordered
    keys must show the same distribution."""
    monkeypatch.setattr(sort_mod, "_ALL_PAIRS_ROWS", 1)
    monkeypatch.setattr(sort_mod, "_ALL_PAIRS_BUDGET", 0)
    runs = 150
    views = _comparison_views(values, runs)
    left = np.array([sum(view[1]) for view in views])  # view[0]: the candidates' batch
    counts = np.bincount(left, minlength=8)
    assert counts[0] == counts[7] == 0, counts
    expected = np.array([r * (7 - r) / 56 * runs for r in range(1, 7)])
    chi2 = float(((counts[1:7] - expected) ** 2 / expected).sum())
    assert chi2 < 25.7, counts  # df = 5, p = 1e-4


@pytest.mark.parametrize("values", [list(range(8)), [4] * 8, [1, 1, 1, 1, 0, 0, 0, 0]])
def test_a_small_sort_opens_all_pairs_of_a_random_order(values):
    """8 rows are sorted by one batch of all 28 pairs; the rank it opens for the first
    shuffled row is uniform over 0..7 whatever the keys (ordered, repeated)."""
    runs = 160
    views = _comparison_views(values, runs)
    assert all(len(view) == 1 and len(view[0]) == 28 for view in views)
    # pairs (0, j) come first: row 0 is above each j where 'row 0 < row j' is false
    ranks = np.array([7 - sum(view[0][:7]) for view in views])
    counts = np.bincount(ranks, minlength=8)
    chi2 = float(((counts - runs / 8) ** 2 / (runs / 8)).sum())
    assert chi2 < 29.9, counts  # df = 7, p = 1e-4


def test_many_keys_up_to_the_limit():
    """32 int64 keys: the comparison tree merges 32 words per row (5 levels across
    words); one key more is refused with a clear error, before any comparison."""
    n = 40
    cols = [RNG.integers(-1, 2, n, dtype=np.int64) for _ in range(32)]
    _check([(c, i % 2 == 1) for i, c in enumerate(cols)])

    def prog(rt, _):
        col = _share(rt, cols[0])
        sort(rt, [(col, False)] * 33)

    with pytest.raises(ValueError, match="at most 32"):
        run_parties(prog)
