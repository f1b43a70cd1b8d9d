"""The SQL oracle suite (``tests/sql/*.sql``) with the parties as three ``scql serve``
processes: the same answers as DuckDB over the plaintext union, the same errors.

By default a fixed subset runs (of every ``SUBSET_STRIDE``-th case of the types catalog,
the first of each fixture file; and every third case of the five-party federation, five
servers, two of them data parties;
a case that expects an answer runs in one of its modes, as in the in-process suite);
``SCQL_NETWORK_ORACLE=all pytest tests/network`` runs every case on every catalog, which
is what CI's networked job does.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import REPO, SERVER_TIMEOUT
from sqlcases import (
    Case,
    arrow_result,
    compare,
    duckdb_result,
    has_outer_order,
    load_all,
    modes_to_run,
    without_outer_limit,
)

from scql_py import errors
from scql_py.catalog import load_catalog
from scql_py.testing.local_cluster import LocalCluster
from scql_py.testing.plaintext_union import plaintext_union

pytestmark = pytest.mark.network

RUN_ALL = os.environ.get("SCQL_NETWORK_ORACLE", "").lower() == "all"
SUBSET_STRIDE = 20
FIVE_STRIDE = 3
CASES = load_all(REPO / "tests" / "sql")
FIVE = REPO / "tests" / "sql" / "parties" / "five.toml"


def _selected() -> list[Case]:
    if RUN_ALL:
        return CASES
    types = [c for c in CASES if c.catalog.resolve() == (REPO / "catalogs" / "types.toml")]
    five = [c for c in CASES if c.catalog.resolve() == FIVE]
    # of the types catalog, the sample's first case of each fixture file: the wire carries
    # the same messages for a file's other cases, whose answers the in-process suite checks
    first_of_file: dict[str, Case] = {}
    for case in types[::SUBSET_STRIDE]:
        first_of_file.setdefault(case.file.name, case)
    return list(first_of_file.values()) + five[::FIVE_STRIDE]


def _params():
    for index, case in enumerate(_selected()):
        for pushdown in (case.pushdown_modes if RUN_ALL else modes_to_run(case, index)):
            yield pytest.param(case, pushdown,
                               id=f"{case.id}[{'pushdown' if pushdown else 'secure'}]")


@pytest.fixture(scope="module")
def clusters(tmp_path_factory, types_cluster, five_cluster):
    """One cluster per catalog, started on first use (the session's for types.toml and
    the five parties)."""
    shared = {types_cluster.source_catalog: types_cluster,
              five_cluster.source_catalog: five_cluster}
    running: dict[Path, LocalCluster] = {}

    def get(catalog: Path) -> LocalCluster:
        catalog = catalog.resolve()
        if catalog in shared:
            return shared[catalog]
        if catalog not in running:
            cluster = LocalCluster(catalog, tmp_path_factory.mktemp(catalog.stem),
                                   timeout=SERVER_TIMEOUT)
            cluster.start()
            running[catalog] = cluster
        return running[catalog]

    yield get
    for cluster in running.values():
        cluster.close()


@pytest.fixture(scope="module")
def oracles():
    made: dict[Path, object] = {}

    def get(catalog: Path):
        catalog = catalog.resolve()
        if catalog not in made:
            con = plaintext_union(load_catalog(catalog))
            con.execute("SET error_on_division_by_zero = false")  # MySQL's x % 0 is NULL
            made[catalog] = con
        return made[catalog]

    yield get
    for con in made.values():
        con.close()


def test_the_subset_is_not_empty():
    assert len(list(_params())) >= 8 or RUN_ALL


@pytest.mark.parametrize(("case", "pushdown"), list(_params()))
def test_query_over_the_network(clusters, oracles, case: Case, pushdown: bool):
    cluster = clusters(case.catalog)
    asker = case.party or cluster.names[0]
    where = f"{case.file.name}:{case.line} {case.name}"
    error, error_text = case.expected_error(pushdown)
    with cluster.client(asker, pushdown=pushdown) as fed:
        if error is not None:
            with pytest.raises(getattr(errors, error)) as info:
                fed.execute(asker, case.sql)
            if error_text:
                assert error_text.lower() in str(info.value).lower(), where
            return
        got = fed.execute(asker, case.sql)
    duck = oracles(case.catalog)
    expected = duckdb_result(duck, case.sql)
    unlimited = without_outer_limit(case.sql)
    subset = duckdb_result(duck, unlimited).rows if unlimited is not None else None
    problem = compare(arrow_result(got.table), expected, ordered=has_outer_order(case.sql),
                      subset_of=subset)
    assert problem is None, f"{where}:\n{case.sql}\n{problem}"
