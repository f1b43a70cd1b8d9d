"""SCQL's regression queries (converted into ``data/`` by ``convert.py``) run through the
Federation and through DuckDB over the plaintext union; one :class:`Outcome` per query.

The asker is the one SCQL's regression test uses: alice, and carol for
``single_party_postgres``. A query counts only if DuckDB runs it (its text in
DuckDB's dialect, transpiled by sqlglot from the MySQL-like one); its outcome is then
``pass`` (same answer by the rules of ``tests/sql/sqlcases.py``), ``wrong`` (another
answer: a bug), ``refused`` (NotSupportedError or SecurityError: a construct or a CCL
rule we do not run) or ``error`` (any other error).

    python tests/scql_regtest/regtest_cases.py          # the figure and every failure
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import duckdb

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
sys.path.insert(0, str(REPO))  # run from a checkout without installing
sys.path.insert(0, str(REPO / "tests" / "sql"))

from sqlcases import arrow_result, compare, duckdb_result, has_outer_order  # noqa: E402

from scql_py import errors  # noqa: E402
from scql_py.catalog import Catalog, load_catalog  # noqa: E402
from scql_py.cluster.federation import Federation  # noqa: E402
from scql_py.testing.plaintext_union import plaintext_union  # noqa: E402

DATA = HERE / "data"
CATALOG = DATA / "regtest.toml"
# the query files in the order SCQL's test runs them, each with its asker
ASKERS = {"single_party": "alice", "single_party_postgres": "carol", "two_parties": "alice",
          "multi_parties": "alice", "multi_parties_semi2k": "alice", "view": "alice"}


@dataclass(frozen=True)
class Query:
    file: str
    index: int
    name: str
    sql: str
    asker: str

    @property
    def id(self) -> str:
        return f"{self.file}[{self.index}]"


@dataclass(frozen=True)
class Outcome:
    status: str  # pass | wrong | refused | error | duckdb_cannot
    detail: str = ""


def load_queries() -> list[Query]:
    out = []
    for file, asker in ASKERS.items():
        spec = json.loads((DATA / "queries" / f"{file}.json").read_text(encoding="utf-8"))
        for i, q in enumerate(spec["queries"]):
            out.append(Query(file, i, q["name"], q["query"].strip().rstrip(";"), asker))
    return out


def oracle(catalog: Catalog) -> duckdb.DuckDBPyConnection:
    con = plaintext_union(catalog)
    con.execute("SET error_on_division_by_zero = false")
    return con


def run_query(query: Query, fed: Federation, duck: duckdb.DuckDBPyConnection) -> Outcome:
    try:
        expected = duckdb_result(duck, query.sql)
    except Exception as err:  # noqa: BLE001 - any DuckDB or transpiler error: not counted
        return Outcome("duckdb_cannot", f"{type(err).__name__}: {err}".splitlines()[0])
    try:
        got = fed.execute(query.asker, query.sql)
    except (errors.NotSupportedError, errors.SecurityError) as err:
        return Outcome("refused", f"{type(err).__name__}: {err}")
    except errors.Error as err:
        return Outcome("error", f"{type(err).__name__}: {err}")
    problem = compare(arrow_result(got.table), expected, ordered=has_outer_order(query.sql))
    return Outcome("pass") if problem is None else Outcome("wrong", problem)


def main() -> int:
    catalog = load_catalog(CATALOG)
    duck = oracle(catalog)
    outcomes: dict[Query, Outcome] = {}
    with Federation(catalog, timeout=300.0) as fed:
        for engine in fed.engines:
            engine.storage.load_all()
        for query in load_queries():
            outcome = run_query(query, fed, duck)
            outcomes[query] = outcome
            print(f"{query.id:<28} {outcome.status:<13} {query.name} | {outcome.detail[:300]}",
                  flush=True)
    counts = Counter(o.status for o in outcomes.values())
    counted = len(outcomes) - counts["duckdb_cannot"]
    print(f"# {counts['pass']} of {counted} queries DuckDB runs pass "
          f"({100 * counts['pass'] / max(counted, 1):.1f}%); {dict(counts)}")
    return 1 if counts["wrong"] else 0


if __name__ == "__main__":
    sys.exit(main())
