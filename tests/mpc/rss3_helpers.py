"""Helpers for the rss3 protocol tests: share plaintext inputs, run a protocol on three
in-process parties, open the result. The expected values are always computed by the
test itself with numpy or Python integers on the plaintext."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from scql_py.mpc import rss
from scql_py.mpc.inprocess import run_parties
from scql_py.mpc.runtime import Runtime

INT64_MIN = int(np.iinfo(np.int64).min)
INT64_MAX = int(np.iinfo(np.int64).max)


def _share_all(rt: Runtime, values: Sequence[np.ndarray], boolean: Sequence[bool]):
    shares = []
    for i, (v, is_bool) in enumerate(zip(values, boolean)):
        owner = i % 3
        share = rss.share_input_bool if is_bool else rss.share_input
        shares.append(share(rt, owner, v if rt.party == owner else None, len(v)))
    return shares


def _open(rt: Runtime, out: Any) -> Any:
    if isinstance(out, (rss.AShare, rss.BShare)):
        return rss.reveal(rt, out).view(np.int64)
    if isinstance(out, (list, tuple)):
        return type(out)(_open(rt, o) for o in out)
    return out


def secure(fn: Callable[..., Any], *values, boolean: Sequence[bool] | None = None) -> Any:
    """Share each array of ``values`` (input ``i`` by party ``i % 3``; boolean-shared
    where ``boolean[i]``), run ``fn(rt, *shares)`` on all parties, open every share in
    the result to everyone; return party 0's view after checking all parties agree."""
    arrays = [np.asarray(v, dtype=np.int64) for v in values]
    kinds = list(boolean) if boolean is not None else [False] * len(arrays)

    def party(rt: Runtime, _):
        return _open(rt, fn(rt, *_share_all(rt, arrays, kinds)))

    results = run_parties(party)
    _assert_same(results[0], results[1])
    _assert_same(results[0], results[2])
    return results[0]


def _assert_same(x: Any, y: Any) -> None:
    if isinstance(x, np.ndarray):
        np.testing.assert_array_equal(x, y)
    elif isinstance(x, (list, tuple)):
        for a, b in zip(x, y):
            _assert_same(a, b)


def traffic(fn: Callable[..., Any], *values) -> list[dict[str, int]]:
    """Per-party channel stats of ``fn(rt, *shares)`` alone (inputs shared before)."""
    arrays = [np.asarray(v, dtype=np.int64) for v in values]

    def party(rt: Runtime, _):
        shares = _share_all(rt, arrays, [False] * len(arrays))
        rt.comm.stats.reset()
        fn(rt, *shares)
        return rt.comm.stats.snapshot()

    return run_parties(party)


def wrap_int64(values) -> np.ndarray:
    """Python integers reduced to int64 two's complement."""
    return np.array([((int(v) + 2**63) % 2**64) - 2**63 for v in values], dtype=np.int64)


def edge_values(low: int = INT64_MIN + 1, high: int = INT64_MAX - 1) -> np.ndarray:
    """0, +-1, powers of two and the range ends, clipped to ``[low, high]``."""
    vals = {0, 1, -1, 2, -2, low, high, low + 1, high - 1}
    for k in (8, 16, 31, 32, 33, 47, 61, 62):
        vals |= {2**k, -(2**k), 2**k - 1, -(2**k) + 1}
    return np.array(sorted(v for v in vals if low <= v <= high), dtype=np.int64)
