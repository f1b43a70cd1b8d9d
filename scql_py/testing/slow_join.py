"""A small catalog whose one join takes seconds: for tests of progress and Ctrl-C.

Two owners' tables of ``rows`` rows each (``x`` of alice, ``y`` of bob) on keys that
nobody may see, so that ``SLOW_SQL`` joins them by an oblivious sort (a secret join)
and only an aggregate is opened, to alice.

>>> import tempfile
>>> from scql_py.catalog import load_catalog
>>> sorted(load_catalog(write_slow_join_catalog(tempfile.mkdtemp(), rows=10)).tables)
['x', 'y']
"""

from __future__ import annotations

import random
from pathlib import Path

import pyarrow as pa

from scql_py.testing.catalog_files import OwnedTable, write_catalog

SLOW_SQL = "SELECT SUM(v * w) AS s FROM x JOIN y ON x.k = y.k"


def write_slow_join_catalog(directory: str | Path, rows: int = 60000) -> Path:
    """Write the catalog and its two sources into ``directory``; the catalog's path."""
    rng = random.Random(7)
    x = pa.table(
        {
            "k": pa.array(range(rows), pa.int64()),
            "v": pa.array([rng.randint(0, 99) for _ in range(rows)], pa.int64()),
        }
    )
    y = pa.table(
        {
            "k": pa.array(range(0, 2 * rows, 2), pa.int64()),
            "w": pa.array([rng.randint(0, 99) for _ in range(rows)], pa.int64()),
        }
    )
    return write_catalog(
        directory,
        "slow_join",
        {
            "x": OwnedTable("alice", x),
            "y": OwnedTable("bob", y, ccl={"w": {"alice": "PLAINTEXT_AFTER_AGGREGATE"}}),
        },
        first_port=7201,
    )
