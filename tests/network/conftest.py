"""Parties as separate ``scql serve`` processes on loopback: shared clusters and helpers.

Each cluster gives every party its own directory with its own sources only and its own
TLS key (see :class:`~scql_py.testing.local_cluster.LocalCluster`); ports are chosen at
run time. The in-process :class:`Federation` over the full catalog is the reference.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.local_cluster import LocalCluster

REPO = Path(__file__).resolve().parents[2]
CATALOGS = REPO / "catalogs"
SERVER_TIMEOUT = 10.0  # the shared clusters' timeout; fault tests use shorter ones

sys.path.insert(0, str(REPO / "tests" / "sql"))  # the SQL oracle suite's comparator


def many_rounds_sql() -> str:
    """A query of types.toml with many rounds (a secure sort per DISTINCT or percentile
    argument, per group), about 1.5 s over the network here, so that it is surely
    still running a fraction of a second in and reports its progress. (The protocols
    got faster: seven such aggregates without GROUP BY took 0.5 s, MIN/MAX 0.2 s.)"""
    aggs = ([f"COUNT(DISTINCT u.{c}) AS n{c}" for c in "ifdsm"]
            + [f"MEDIAN(u.{c}) AS m{c}" for c in "ifdm"]
            + [f"PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY u.{c}) AS p{c}" for c in "ifm"])
    rows = " UNION ALL ".join(f"SELECT d, i, f, s, k, m FROM t_{p}"
                              for p in ["alice", "bob", "carol"] * 2)
    return f"SELECT u.k, {', '.join(aggs)} FROM ({rows}) AS u GROUP BY u.k"


def average_sql() -> str:
    return ("SELECT AVG(income) AS avg_income FROM (SELECT income FROM alice_income "
            "UNION ALL SELECT income FROM bob_income UNION ALL SELECT income FROM "
            "carol_income) AS t")


@pytest.fixture(scope="session")
def types_cluster(tmp_path_factory):
    with LocalCluster(CATALOGS / "types.toml", tmp_path_factory.mktemp("types"),
                      timeout=SERVER_TIMEOUT) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def demo_cluster(tmp_path_factory):
    with LocalCluster(CATALOGS / "demo.toml", tmp_path_factory.mktemp("demo"),
                      timeout=SERVER_TIMEOUT) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def five_cluster(tmp_path_factory):
    """Five servers, two of them data parties (tests/sql/parties/five.toml)."""
    with LocalCluster(REPO / "tests" / "sql" / "parties" / "five.toml",
                      tmp_path_factory.mktemp("five"), timeout=SERVER_TIMEOUT) as cluster:
        yield cluster


@pytest.fixture(scope="session")
def types_reference():
    with Federation(load_catalog(CATALOGS / "types.toml")) as fed:
        yield fed


@pytest.fixture(scope="session")
def demo_reference():
    with Federation(load_catalog(CATALOGS / "demo.toml")) as fed:
        yield fed
