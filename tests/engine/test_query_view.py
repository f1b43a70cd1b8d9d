"""What a party sees while a query runs over secret columns: its received words look
uniformly random, and two runs on the same data differ (fresh randomness per query).

A party's view must not depend on the data beyond sizes; a frequency test is a cheap
necessary condition that catches unmasked shares (it fails if, e.g., the zero-sharing
mask of multiplication is left out). Only the bulk messages (>= 64 words) are tested:
a few short messages carry deterministic zero bits (dead bit positions of folded
boolean circuits, shares of public constants), which is structure, not data. The
quicksort's message count varies from run to run (random pivots), so runs are
compared word by word over their common length."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from scql_py.cluster.federation import Federation

ROOT = Path(__file__).resolve().parents[2]
# aggregates only: what is opened (to the asker) is then one row
SQL = ("SELECT k, SUM(i) AS si, MAX(f) AS mf, COUNT(*) AS n "
       "FROM (SELECT k, i, f FROM t_alice UNION ALL SELECT k, i, f FROM t_bob "
       "UNION ALL SELECT k, i, f FROM t_carol) AS u GROUP BY k")


def _received_words(fed: Federation, party: int) -> np.ndarray:
    comm = fed.last_network.communicator(party)
    arrays = [np.ascontiguousarray(p).view(np.uint8).ravel()
              for _, p in comm.received
              if isinstance(p, np.ndarray) and p.dtype == np.uint64 and p.size >= 64]
    return np.concatenate(arrays)


@pytest.fixture(scope="module")
def views():
    fed = Federation(ROOT / "catalogs" / "types.toml", pushdown=False, record=True)
    try:
        runs = []
        for _ in range(2):
            fed.execute("carol", SQL)
            runs.append([_received_words(fed, p) for p in range(3)])
        return runs
    finally:
        fed.close()


@pytest.mark.parametrize("party", [0, 1, 2])
def test_received_bytes_are_uniform(views, party):
    data = views[0][party]
    assert data.size > 50_000
    counts = np.bincount(data, minlength=256)
    expected = data.size / 256
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    # 255 degrees of freedom: mean 255, sd ~22.6; 400 is > 6 sd
    assert chi2 < 400, chi2
    bits = np.unpackbits(data)
    assert abs(bits.mean() - 0.5) < 0.01


@pytest.mark.parametrize("party", [0, 1, 2])
def test_two_runs_on_the_same_data_look_different(views, party):
    first, second = views[0][party], views[1][party]
    n = min(first.size, second.size)
    assert n > 50_000
    same = np.mean(first[:n] == second[:n])
    assert same < 0.01, same  # random bytes agree 1/256 of the time
