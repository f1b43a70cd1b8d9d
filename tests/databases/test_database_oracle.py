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
import sqlglot
from sqlcases import (
    arrow_result,
    compare,
    duckdb_result,
    has_outer_order,
    load_cases,
    without_outer_limit,
)
from sqlglot.optimizer.annotate_types import annotate_types
from sqlglot.optimizer.qualify import qualify

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
# the PostgreSQL/SQLite/CSV catalog runs, by default, the queries of mixed_cases.txt:
# together they send every construct, with every type, that any query of the suite sends
# to PostgreSQL or SQLite, and read every table the ways any query does (checked by
# test_owners_work_runs_in_postgresql, which routes every query's statements; the others
# never reach a database, or only as those do). SCQL_DATABASE_ORACLE=all runs them all.
MIXED_CASES = Path(__file__).with_name("mixed_cases.txt")
CHOSEN = {line.strip() for line in MIXED_CASES.read_text().splitlines()
          if line.strip() and not line.startswith("#")}
MIXED = (CASES if os.environ.get("SCQL_DATABASE_ORACLE") == "all"
         else [c for c in CASES if c.id in CHOSEN])

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


def routed_paths(catalog, plan) -> set[tuple[str, ...]]:
    """What a plan's owners' statements make their databases do: each construct, with
    its type, of a statement sent whole; each reason a statement is read instead."""
    schema = catalog.sqlglot_schema()
    paths = set()
    for step in plan.steps:
        if step.op != "local":
            continue
        how = route(catalog, step.party, step.args["sql"])
        if how.database is not None:
            typed = annotate_types(qualify(sqlglot.parse_one(step.args["sql"], read="duckdb"),
                                           schema=schema, dialect="duckdb"),
                                   schema=schema, dialect="duckdb")
            paths |= {("sent", step.party, node.key,
                       node.type.sql() if node.type is not None else "")
                      for node in typed.walk()}
        elif how.reads:
            paths.add(("read", step.party, how.reason or ""))
    return paths


def test_owners_work_runs_in_postgresql(mixed_catalog):
    """The suite's local statements over the PostgreSQL table go to PostgreSQL whole:
    none has to be computed in the owner's DuckDB instead, but for the constructs of
    ``NOT_SENT_TO_POSTGRESQL``. And the queries of ``mixed_cases.txt`` make the databases
    do all that the whole suite makes them do."""
    catalog = load_catalog(mixed_catalog)
    sent, kept, paths = 0, [], {}
    for case in CASES:
        try:
            plan = plan_query(catalog, case.party or "alice", case.sql, True)
        except errors.Error:
            if case.error is None:
                raise
            paths[case.id] = set()  # refused before anything runs
            continue
        paths[case.id] = routed_paths(catalog, plan)
        if case.error is not None:
            continue
        for step in plan.steps:
            if step.op == "local" and step.party == "alice":
                how = route(catalog, "alice", step.args["sql"])
                if how.database is not None:
                    sent += 1
                elif not how.reason.endswith(NOT_SENT_TO_POSTGRESQL):
                    kept.append((case.id, how.reason))
    assert sent > 50 and not kept, sorted(set(r for _, r in kept))
    assert CHOSEN <= set(paths), f"not queries of the suite: {sorted(CHOSEN - set(paths))}"
    missing = set().union(*paths.values()) - set().union(*(paths[i] for i in CHOSEN))
    add = []
    while missing:  # the fewest queries that would cover the rest, for the message
        best = max(paths, key=lambda i: len(paths[i] & missing))
        add.append(best)
        missing -= paths[best]
    assert not add, f"add to {MIXED_CASES.name} (they reach the databases in new ways): {add}"


# the scalar functions (tests/sql/functions.sql) over alice's PostgreSQL table and the
# others' SQLite and CSV: a statement using one runs in the owner's DuckDB after reading
# the rows, so the answer is DuckDB's on every kind of database
FUNCTION_CASES = [c for c in load_cases(SUITE / "functions.sql")
                  if c.catalog == (CATALOGS / "types.toml").resolve()
                  and True in c.pushdown_modes and c.error is None]


@pytest.mark.parametrize("case", FUNCTION_CASES, ids=[c.id for c in FUNCTION_CASES])
def test_functions_on_postgresql_sqlite_csv(case, mixed_catalog, oracle):
    check(case, mixed_catalog, oracle)
