"""Convert SCQL's regression-test data into a scql_py catalog (run by hand, once).

SCQL (github.com/secretflow/scql, Apache-2.0) tests its engine with queries in
``cmd/regtest/testdata/*.json`` over three parties' tables: the rows are the MySQL
scripts ``.ci/test-data/mysql/mysql_<party>_init.sql`` and the column controls the
JSON files ``pkg/util/mock/testdata/{generated_,}table_<party>.json``, where a
column's ``ccl`` is either one level, for every party but the owner, or one level per
party in the order alice, bob, carol. This script reads those files from a checkout
(or a bare clone, at a commit) and writes into ``data/`` beside it:

- ``<party>_<table>.parquet``: each table's rows, as the query files name it
  (``alice_tbl_0``);
- ``regtest.toml``: the catalog (types mapped: integer to int64, double to float64,
  varchar to string, datetime and timestamp to timestamp; levels mapped to ours);
- ``queries/<file>.json``: the query files, unchanged;
- ``NOTICE``: where the data comes from, and its licence.

    python tests/scql_regtest/convert.py --repo PATH [--commit 7bcdc89]
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from pathlib import Path

import duckdb

PARTIES = ("alice", "bob", "carol")
LEVELS = {
    "plain": "PLAINTEXT",
    "join": "PLAINTEXT_AFTER_JOIN",
    "joinpayload": "PLAINTEXT_AS_JOIN_PAYLOAD",
    "groupby": "PLAINTEXT_AFTER_GROUP_BY",
    "compare": "PLAINTEXT_AFTER_COMPARE",
    "aggregate": "PLAINTEXT_AFTER_AGGREGATE",
    "encrypt": "ENCRYPTED_ONLY",
    "rank": "REVEAL_RANK",
}
TYPES = {"int": "int64", "float": "float64", "string": "string",
         "datetime": "timestamp", "timestamp": "timestamp"}
QUERY_FILES = ("single_party", "single_party_postgres", "two_parties", "multi_parties",
               "multi_parties_semi2k", "view")
HERE = Path(__file__).resolve().parent

NOTICE = """\
The tables, column controls and queries in this folder are converted from SCQL's
regression tests (https://github.com/secretflow/scql, commit {commit}: the files
.ci/test-data/mysql/mysql_<party>_init.sql, pkg/util/mock/testdata/*table_<party>.json
and cmd/regtest/testdata/*.json), by tests/scql_regtest/convert.py.

Copyright 2023 Ant Group Co., Ltd.
Licensed under the Apache License, Version 2.0 (the "License"); you may not use these
files except in compliance with the License. You may obtain a copy of the License at
http://www.apache.org/licenses/LICENSE-2.0. Unless required by applicable law or agreed
to in writing, software distributed under the License is distributed on an "AS IS"
BASIS, WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.

Changes: the rows are stored as Parquet instead of MySQL scripts, the column controls
as a scql_py catalog (regtest.toml); the query files are unchanged.
"""


class Repo:
    """Files of a checkout, or of a (bare) clone at ``commit``."""

    def __init__(self, path: Path, commit: str | None):
        self.path, self.commit = path, commit

    def read(self, name: str) -> str:
        if self.commit is None:
            return (self.path / name).read_text(encoding="utf-8")
        return subprocess.run(["git", f"--git-dir={self.path}", "show", f"{self.commit}:{name}"],
                              check=True, capture_output=True, text=True).stdout


def _levels(owner: str, ccl: list[str]) -> dict[str, str]:
    """What each other party may learn of a column."""
    if len(ccl) == 1:
        return {p: LEVELS[ccl[0]] for p in PARTIES if p != owner}
    if len(ccl) != len(PARTIES):
        raise ValueError(f"a ccl of {len(ccl)} levels for {len(PARTIES)} parties")
    return {p: LEVELS[level] for p, level in zip(PARTIES, ccl) if p != owner}


def _rows_script(text: str) -> str:
    """A MySQL init script as DuckDB runs it: no database statements, no backquotes."""
    keep = [line for line in text.splitlines()
            if not re.match(r"\s*(CREATE DATABASE|USE)\b", line, re.IGNORECASE)]
    return "\n".join(keep).replace("`", '"').replace("START TRANSACTION;", "BEGIN TRANSACTION;")


def convert(repo: Repo, out: Path, commit_name: str) -> None:
    out.mkdir(parents=True, exist_ok=True)
    (out / "queries").mkdir(exist_ok=True)
    catalog = ['[catalog]', 'name = "scql_regtest"', 'protocol = "rss3"', '']
    for port, party in enumerate(PARTIES, start=7601):
        catalog += [f"[parties.{party}]", 'storage = ":memory:"',
                    f'address = "127.0.0.1:{port}"', ""]
    for party in PARTIES:
        con = duckdb.connect()
        con.execute(_rows_script(repo.read(f".ci/test-data/mysql/mysql_{party}_init.sql")))
        tables: dict[str, dict] = {}
        for prefix in ("generated_table", "table"):
            spec = json.loads(repo.read(f"pkg/util/mock/testdata/{prefix}_{party}.json"))
            tables.update(spec)
        for table, spec in tables.items():
            name = f"{party}_{table}"
            columns = spec["columns"]
            path = out / f"{name}.parquet"
            select = ", ".join(f'"{c["column_name"]}"' for c in columns)
            con.execute(f'COPY (SELECT {select} FROM "{table}") TO \'{path.as_posix()}\' '
                        "(FORMAT PARQUET, COMPRESSION ZSTD)")
            types = ", ".join(f'{c["column_name"]} = "{TYPES[c["dtype"]]}"' for c in columns)
            catalog += [f"[tables.{name}]", f'owner = "{party}"', f'source = "{name}.parquet"',
                        f"columns = {{ {types} }}", f"[tables.{name}.ccl]"]
            for c in columns:
                grants = ", ".join(f'{p} = "{lvl}"' for p, lvl in _levels(party, c["ccl"]).items())
                catalog.append(f"{c['column_name']} = {{ {grants} }}")
            catalog.append("")
        con.close()
    (out / "regtest.toml").write_text("\n".join(catalog), encoding="utf-8")
    for name in QUERY_FILES:
        text = repo.read(f"cmd/regtest/testdata/{name}.json")
        (out / "queries" / f"{name}.json").write_text(text, encoding="utf-8")
    (out / "NOTICE").write_text(NOTICE.format(commit=commit_name), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repo", type=Path, required=True,
                        help="an SCQL checkout, or a (bare) git directory with --commit")
    parser.add_argument("--commit", default=None, help="read the files at this commit")
    parser.add_argument("--out", type=Path, default=HERE / "data")
    args = parser.parse_args(argv)
    commit = args.commit
    if commit is not None:
        commit = subprocess.run(["git", f"--git-dir={args.repo}", "rev-parse", commit],
                                check=True, capture_output=True, text=True).stdout.strip()
    convert(Repo(args.repo, commit), args.out, commit or "(a checkout)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
