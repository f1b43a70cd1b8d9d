"""The two PSI joins of the engine, run the same way and checked against pandas: ECDH-PSI
(the owners alone, party 2 idle) and server-aided PSI (party 2 matches the keys).

Party 0 owns the left keys, party 1 the right; each gets its own rows of the pairs.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scql_py.mpc import psi
from scql_py.mpc import server_psi as sp
from scql_py.mpc.inprocess import run_parties
from scql_py.net.inprocess import InProcessNetwork

LEFT, RIGHT, THIRD = 0, 1, 2


def run_recorded(fn, per_party_args):
    """Run ``fn(comm, arg)`` on three threads over channels that keep what each party
    receives (``comm.received``)."""
    net = InProcessNetwork(["alice", "bob", "carol"], record=True)
    comms = [net.communicator(i) for i in range(3)]
    return net.run(lambda i: fn(comms[i], per_party_args[i])), comms


def frame(keys: list[np.ndarray], valid: np.ndarray | None, index_name: str) -> pd.DataFrame:
    df = pd.DataFrame({f"k{c}": pd.Series(col, dtype=object) for c, col in enumerate(keys)})
    df[index_name] = np.arange(len(df))
    if valid is not None:
        df = df[np.asarray(valid, bool)]
    return df.dropna()


def expected_pairs(lk, rk, lv=None, rv=None) -> list[tuple[int, int]]:
    """Inner equi-join pairs by pandas, NULL keys dropped first (they never match)."""
    on = [f"k{c}" for c in range(len(lk))]
    merged = frame(lk, lv, "i").merge(frame(rk, rv, "j"), on=on, how="inner")
    return sorted(zip(merged["i"].tolist(), merged["j"].tolist(), strict=True))


def run_ecdh_join(left_keys, right_keys, left_valid=None, right_valid=None, fn=None, **kw):
    fn = fn or psi.psi_join_indices
    args = [(left_keys, left_valid), (right_keys, right_valid), (None, None)]
    return run_parties(lambda rt, a: fn(rt, LEFT, RIGHT, a[0], a[1], **kw), args)


def run_server_join(lk, rk, lv=None, rv=None, outer=False):
    fn = sp.server_psi_left_join_indices if outer else sp.server_psi_join_indices
    args = [(lk, lv), (rk, rv), (None, None)]
    return run_parties(lambda rt, a: fn(rt, LEFT, RIGHT, THIRD, a[0], a[1]), args)


def joined_pairs(results) -> list[tuple[int, int]]:
    """The (left row, right row) pairs, zipping each owner's own aligned output."""
    left, right = results[LEFT].left, results[RIGHT].right
    assert left.dtype == np.int64 and right.dtype == np.int64
    assert len(left) == len(right)
    return list(zip(left.tolist(), right.tolist(), strict=True))


def check_ecdh_join(lk, rk, lv=None, rv=None, **kw):
    results = run_ecdh_join(lk, rk, lv, rv, **kw)
    got = joined_pairs(results)
    assert sorted(got) == expected_pairs(lk, rk, lv, rv)
    assert len(set(got)) == len(got)
    assert results[THIRD] is None
    assert results[LEFT].right is None and results[RIGHT].left is None
    return results


def check_server_join(lk, rk, lv=None, rv=None):
    results = run_server_join(lk, rk, lv, rv)
    assert results[LEFT].right is None and results[RIGHT].left is None
    got = joined_pairs(results)
    assert sorted(got) == expected_pairs(lk, rk, lv, rv) and len(set(got)) == len(got)
    # the server gets only the intersection's size
    on = [f"k{c}" for c in range(len(lk))]
    common = (
        frame(lk, lv, "i")[on]
        .drop_duplicates()
        .merge(frame(rk, rv, "j")[on].drop_duplicates(), on=on)
    )
    assert results[THIRD] == len(common)
    return results


CHECK_JOIN = {"ecdh": check_ecdh_join, "server_aided": check_server_join}
