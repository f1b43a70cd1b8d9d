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

SLOW_SQL = "SELECT SUM(v * w) AS s FROM x JOIN y ON x.k = y.k"

_CATALOG = """\
[catalog]
name = "slow_join"
protocol = "rss3"

[parties.alice]
address = "127.0.0.1:7201"
[parties.bob]
address = "127.0.0.1:7202"
[parties.carol]
address = "127.0.0.1:7203"

[tables.x]
owner = "alice"
source = "x.csv"
columns = { k = "int64", v = "int64" }

[tables.y]
owner = "bob"
source = "y.csv"
columns = { k = "int64", w = "int64" }
[tables.y.ccl]
w = { alice = "PLAINTEXT_AFTER_AGGREGATE" }
"""


def write_slow_join_catalog(directory: str | Path, rows: int = 20000) -> Path:
    """Write the catalog and its two sources into ``directory``; the catalog's path."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    rng = random.Random(7)
    (directory / "x.csv").write_text(
        "k,v\n" + "".join(f"{i},{rng.randint(0, 99)}\n" for i in range(rows)))
    (directory / "y.csv").write_text(
        "k,w\n" + "".join(f"{2 * i},{rng.randint(0, 99)}\n" for i in range(rows)))
    path = directory / "slow_join.toml"
    path.write_text(_CATALOG)
    return path
