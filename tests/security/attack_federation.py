"""The security tests' own federation (see the conftest of this folder), and the harness of
their attack tables: each attack an adversary who writes the SQL would try must be refused
naming the column that blocks it, and each allowed twin must run and give DuckDB's answer
(so that refusing everything fails the tests).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pytest

from scql_py.errors import SecurityError
from scql_py.testing.catalog_files import PARTIES, OwnedTable, write_catalog

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sql"))
from sqlcases import arrow_result, compare, duckdb_result  # noqa: E402

ROWS = 40

# bob's values that must never reach alice or carol in the clear
NOTES = ["Zebra-7", "Quokka-3", "Narwhal-9", "Axolotl-1"]


def write_federation(folder: Path, data_party: str | None = None) -> Path:
    """The catalog; with ``data_party``, that party too, outside the three that compute
    (it owns no table and may see every column: it asks the queries whose openings go
    through :mod:`scql_py.mpc.outside`)."""
    rng = np.random.default_rng(10)
    keys = np.arange(100, 100 + ROWS)
    acct = pa.table(
        {
            "id": np.arange(ROWS),
            "k": keys,
            "bal": rng.integers(0, 1000, ROWS),
            "region": [["north", "south", "east"][i % 3] for i in range(ROWS)],
        }
    )
    claim_keys = np.concatenate([keys[: ROWS // 2], np.arange(500, 500 + ROWS // 2)])
    claim = pa.table(
        {
            "cid": claim_keys,
            "ck": claim_keys,
            "amount": rng.integers(1, 10_000, ROWS),
            "score": rng.integers(0, 100, ROWS),
            "hidden": rng.integers(0, 10, ROWS),
            "g": [["x", "y"][i % 2] for i in range(ROWS)],
            "note": [NOTES[i % len(NOTES)] for i in range(ROWS)],
            # groups of 37, 2 and 1 rows: two are under the default size threshold
            "tier": ["gold"] * (ROWS - 3) + ["silver"] * 2 + ["bronze"],
            "level": rng.integers(0, 1000, ROWS),
        }
    )
    tables = {
        "acct": OwnedTable(
            "alice",
            acct,
            ccl={
                "id": "PLAINTEXT",
                "k": "PLAINTEXT_AFTER_JOIN",
                "bal": "PLAINTEXT_AFTER_AGGREGATE",
                "region": "PLAINTEXT",
            },
        ),
        # cid and hidden: ENCRYPTED_ONLY
        "claim": OwnedTable(
            "bob",
            claim,
            ccl={
                "ck": "PLAINTEXT_AFTER_JOIN",
                "amount": "PLAINTEXT_AS_JOIN_PAYLOAD",
                "score": {"alice": "PLAINTEXT_AFTER_AGGREGATE"},
                "g": {"alice": "PLAINTEXT_AFTER_GROUP_BY"},
                "tier": {"alice": "PLAINTEXT_AFTER_GROUP_BY"},
                "level": {"alice": "PLAINTEXT_AFTER_COMPARE"},
                "note": {"alice": "PLAINTEXT_AFTER_AGGREGATE"},
            },
        ),
    }
    if data_party is None:
        return write_catalog(folder, "attacks", tables)
    for name, table in tables.items():
        grants = table.grants(PARTIES)
        ccl = {c: {**grants.get(c, {}), data_party: "PLAINTEXT"} for c in table.data.column_names}
        tables[name] = OwnedTable(table.owner, table.data, ccl)
    return write_catalog(folder, "attacks", tables, parties=(*PARTIES, data_party),
                         settings={"compute": list(PARTIES)})


def assert_like_duckdb(fed, oracle, asker: str, sql: str) -> None:
    got = fed.execute(asker, sql).table
    problem = compare(arrow_result(got), duckdb_result(oracle, sql), ordered="ORDER BY" in sql)
    assert problem is None, f"{sql}: {problem}"


def attack_tests(refused: dict, allowed: dict):
    """The two tests of a module's attack tables, to bind to names starting ``test_``.

    ``refused``: per name, (asker, SQL, the column the refusal names, or a tuple of
    columns any of which it may name); ``allowed``: per name, (asker, SQL).
    """

    @pytest.mark.parametrize("name", sorted(refused))
    def test_attack_is_refused(attack_fed, name):
        asker, sql, culprit = refused[name]
        with pytest.raises(SecurityError) as info:
            attack_fed.execute(asker, sql)
        culprits = culprit if isinstance(culprit, tuple) else (culprit,)
        assert any(c in str(info.value) for c in culprits), str(info.value)
        assert info.value.party == asker

    @pytest.mark.parametrize("name", sorted(allowed))
    def test_allowed_twin_runs(attack_fed, attack_oracle, name):
        asker, sql = allowed[name]
        assert_like_duckdb(attack_fed, attack_oracle, asker, sql)

    return test_attack_is_refused, test_allowed_twin_runs
