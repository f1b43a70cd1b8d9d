"""The SQL oracle suite over tables that live in databases.

Every query of ``tests/sql/types_*.sql`` runs through the Federation over a catalog that
places the same rows in PostgreSQL (t_alice), a SQLite file (t_bob) and a CSV file
(t_carol); a second catalog puts them in a DuckDB file, PostgreSQL and SQLite. The answer
must equal DuckDB's over the original CSV files (rules in ``tests/sql/sqlcases.py``).
Only with pushdown: that is when the owners' work runs in their databases (without it
they only read their tables, which the first queries of each file already do).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlcases import (
    arrow_result,
    compare,
    duckdb_result,
    has_outer_order,
    load_cases,
    without_outer_limit,
)

from scql_py import errors
from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.sql.planner import plan_query
from scql_py.storage.databases import route
from scql_py.testing.plaintext_union import plaintext_union

from .types_data import CATALOGS, REPO

SUITE = REPO / "tests" / "sql"
CASES = [c for f in sorted(SUITE.glob("types_*.sql")) for c in load_cases(f)
         if c.catalog == (CATALOGS / "types.toml").resolve() and True in c.pushdown_modes
         and c.secure_error is None]
# the DuckDB-file catalog runs a sample: every fifth query
SAMPLE = CASES[::5]
# the PostgreSQL/SQLite/CSV catalog runs every other query by default (every query's
# statements are still routed by test_owners_work_runs_in_postgresql);
# SCQL_DATABASE_ORACLE=all runs them all
MIXED = CASES if os.environ.get("SCQL_DATABASE_ORACLE") == "all" else CASES[::2]

_federations: dict[Path, Federation] = {}


@pytest.fixture(scope="module")
def oracle():
    con = plaintext_union(load_catalog(CATALOGS / "types.toml"))
    con.execute("SET error_on_division_by_zero = false")
    yield con
    for fed in _federations.values():
        fed.close()
    _federations.clear()


def federation(catalog: Path) -> Federation:
    if catalog not in _federations:
        _federations[catalog] = Federation(load_catalog(catalog), pushdown=True)
    return _federations[catalog]


def check(case, catalog: Path, oracle) -> None:
    fed = federation(catalog)
    asker = case.party or "alice"
    if case.error is not None:
        with pytest.raises(getattr(errors, case.error)):
            fed.execute(asker, case.sql)
        return
    got = fed.execute(asker, case.sql)
    expected = duckdb_result(oracle, case.sql)
    unlimited = without_outer_limit(case.sql)
    subset = duckdb_result(oracle, unlimited).rows if unlimited is not None else None
    problem = compare(arrow_result(got.table), expected, ordered=has_outer_order(case.sql),
                      subset_of=subset)
    assert problem is None, f"{case.id}:\n{case.sql}\n{problem}"


@pytest.mark.parametrize("case", MIXED, ids=[c.id for c in MIXED])
def test_postgresql_sqlite_csv(case, mixed_catalog, oracle):
    check(case, mixed_catalog, oracle)


@pytest.mark.parametrize("case", SAMPLE, ids=[c.id for c in SAMPLE])
def test_duckdb_postgresql_sqlite(case, duckdb_catalog, oracle):
    check(case, duckdb_catalog, oracle)


# constructs PostgreSQL has but with other result types, frames or NULL rules (STDDEV_POP
# of a bigint is numeric there; COUNT(DISTINCT (a, b)) counts a row with one NULL):
# statements using them are read into the owner's DuckDB
NOT_SENT_TO_POSTGRESQL = ("STDDEVPOP", "STDDEVSAMP", "VARIANCEPOP", "VARIANCE", "LEAD",
                          "LAG", "FIRSTVALUE", "LASTVALUE", "NTHVALUE", "NTILE",
                          "PERCENTILECONT", "PERCENTILEDISC", "MEDIAN", "FILTER", "TUPLE",
                          "WINDOWSPEC")


def test_owners_work_runs_in_postgresql(mixed_catalog):
    """The suite's local statements over the PostgreSQL table go to PostgreSQL whole:
    none has to be computed in the owner's DuckDB instead, but for the constructs of
    ``NOT_SENT_TO_POSTGRESQL``."""
    catalog = load_catalog(mixed_catalog)
    sent, kept = 0, []
    for case in CASES:
        if case.error is not None:
            continue
        plan = plan_query(catalog, case.party or "alice", case.sql, True)
        for step in plan.steps:
            if step.op == "local" and step.party == "alice":
                how = route(catalog, "alice", step.args["sql"])
                if how.database is not None:
                    sent += 1
                elif not how.reason.endswith(NOT_SENT_TO_POSTGRESQL):
                    kept.append((case.id, how.reason))
    assert sent > 50 and not kept, sorted(set(r for _, r in kept))


# the scalar functions (tests/sql/functions.sql) over alice's PostgreSQL table and the
# others' SQLite and CSV: a statement using one runs in the owner's DuckDB after reading
# the rows, so the answer is DuckDB's on every kind of database
FUNCTION_CASES = [c for c in load_cases(SUITE / "functions.sql")
                  if c.catalog == (CATALOGS / "types.toml").resolve()
                  and True in c.pushdown_modes and c.error is None]


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=[c.id for c in FUNCTION_CASES])
def test_functions_on_postgresql_sqlite_csv(case, mixed_catalog, oracle):
    check(case, mixed_catalog, oracle)
