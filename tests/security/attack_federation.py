"""The security tests' own federation (see the conftest of this folder)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

ROWS = 40
CATALOG = """
[catalog]
name = "attacks"
protocol = "rss3"

[parties.alice]
storage = ":memory:"
address = "127.0.0.1:7401"
[parties.bob]
storage = ":memory:"
address = "127.0.0.1:7402"
[parties.carol]
storage = ":memory:"
address = "127.0.0.1:7403"

[tables.acct]
owner = "alice"
source = "acct.csv"
columns = { id = "int64", k = "int64", bal = "int64", region = "string" }
[tables.acct.ccl]
id = { bob = "PLAINTEXT", carol = "PLAINTEXT" }
k = { bob = "PLAINTEXT_AFTER_JOIN", carol = "PLAINTEXT_AFTER_JOIN" }
bal = { bob = "PLAINTEXT_AFTER_AGGREGATE", carol = "PLAINTEXT_AFTER_AGGREGATE" }
region = { bob = "PLAINTEXT", carol = "PLAINTEXT" }

[tables.claim]
owner = "bob"
source = "claim.csv"
columns = { cid = "int64", ck = "int64", amount = "int64", score = "int64", hidden = "int64", g = "string", note = "string", tier = "string", level = "int64" }
[tables.claim.ccl]
ck = { alice = "PLAINTEXT_AFTER_JOIN", carol = "PLAINTEXT_AFTER_JOIN" }
amount = { alice = "PLAINTEXT_AS_JOIN_PAYLOAD", carol = "PLAINTEXT_AS_JOIN_PAYLOAD" }
score = { alice = "PLAINTEXT_AFTER_AGGREGATE" }
g = { alice = "PLAINTEXT_AFTER_GROUP_BY" }
tier = { alice = "PLAINTEXT_AFTER_GROUP_BY" }
level = { alice = "PLAINTEXT_AFTER_COMPARE" }
note = { alice = "PLAINTEXT_AFTER_AGGREGATE" }
"""

# bob's values that must never reach alice or carol in the clear
NOTES = ["Zebra-7", "Quokka-3", "Narwhal-9", "Axolotl-1"]


def write_federation(folder: Path) -> Path:
    rng = np.random.default_rng(10)
    keys = np.arange(100, 100 + ROWS)
    acct = pa.table({"id": np.arange(ROWS), "k": keys, "bal": rng.integers(0, 1000, ROWS),
                     "region": [["north", "south", "east"][i % 3] for i in range(ROWS)]})
    claim_keys = np.concatenate([keys[: ROWS // 2], np.arange(500, 500 + ROWS // 2)])
    claim = pa.table({
        "cid": claim_keys, "ck": claim_keys, "amount": rng.integers(1, 10_000, ROWS),
        "score": rng.integers(0, 100, ROWS), "hidden": rng.integers(0, 10, ROWS),
        "g": [["x", "y"][i % 2] for i in range(ROWS)],
        "note": [NOTES[i % len(NOTES)] for i in range(ROWS)],
        # groups of 37, 2 and 1 rows: two are under the default size threshold
        "tier": ["gold"] * (ROWS - 3) + ["silver"] * 2 + ["bronze"],
        "level": rng.integers(0, 1000, ROWS)})
    pacsv.write_csv(acct, folder / "acct.csv")
    pacsv.write_csv(claim, folder / "claim.csv")
    (folder / "attacks.toml").write_text(CATALOG)
    return folder / "attacks.toml"
