"""Wrong answers found by an adversarial review, against DuckDB on the plaintext union:
each is strict-xfail until fixed (an xpass fails, so the marker goes with the fix).

The data is ordinary: four amounts in cents between 10 and 40 million, two per party;
carol, who owns none of them, asks, so everything after the scans runs under MPC. Each
result is past a bound the README states (var < 2^46, reals < 2^47), which nothing
checked, so the answer was silently wrong (a negative variance, which the README says
never happens) where a refusal or an error is due: now it is a DataError.
"""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest
from sqlcases import arrow_result, compare, duckdb_result

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import DataError, NotSupportedError
from scql_py.testing.catalog_files import OwnedTable, write_catalog
from scql_py.testing.plaintext_union import plaintext_union

UNION = "(SELECT v FROM ta UNION ALL SELECT v FROM tb) u"


@pytest.fixture(scope="module")
def cents(tmp_path_factory):
    def amounts(*cents: int) -> pa.Table:
        return pa.table({"v": pa.array(cents, pa.int64())})

    catalog = load_catalog(write_catalog(tmp_path_factory.mktemp("cents"), "cents", {
        "ta": OwnedTable("alice", amounts(10000000, 20000000),
                         ccl={"v": "PLAINTEXT_AFTER_AGGREGATE"}),
        "tb": OwnedTable("bob", amounts(30000000, 40000000),
                         ccl={"v": "PLAINTEXT_AFTER_AGGREGATE"})}, first_port=7531))
    with Federation(catalog) as fed:
        yield fed, plaintext_union(catalog)


def _check(cents, sql):
    fed, duck = cents
    problem = compare(arrow_result(fed.execute("carol", sql).table), duckdb_result(duck, sql))
    assert problem is None, f"{sql}\n{problem}"


def test_var_pop_of_cents(cents):
    _check(cents, f"SELECT VAR_POP(u.v) AS v FROM {UNION}")


# Each of these was silently wrong (a negative variance, a saturated STDDEV, a negative
# AVG): the result is past a bound the README states; the engine now checks the bounds
# under MPC and the asker gets a DataError (one bit in the ledger), never the wrap.
@pytest.mark.parametrize("sql", [
    f"SELECT VAR_SAMP(u.v) AS v FROM {UNION}",  # was -1.1e14 (DuckDB 1.67e14 > 2^46)
    f"SELECT STDDEV(u.v) AS s FROM {UNION}",  # was 8388607.996 (DuckDB 11180339.887)
    f"SELECT AVG(u.v * u.v) AS a FROM {UNION}",  # was -9.4e13 (DuckDB 7.5e14 > 2^46)
], ids=["var_samp", "stddev", "avg_of_squares"])
def test_past_the_bounds_is_an_error(cents, sql):
    fed, _ = cents
    with pytest.raises(DataError, match="out of the range the engine computes in"):
        fed.execute("carol", sql)


@pytest.mark.parametrize("sql", [
    f"SELECT STDDEV(u.v / 10) AS s FROM {UNION}",  # was 0.0 (DuckDB 1118033.99)
    f"SELECT VAR_POP(u.v / 10) AS v FROM {UNION}",  # was 1.2e9 (DuckDB 1.25e12)
], ids=["stddev_of_floats_in_the_millions", "var_pop_of_a_quotient"])
def test_spreads_of_reals_in_the_millions(cents, sql):
    """Wrong, then refused as out of range: reals within 2^23 of their mean are squared
    exactly from their words' halves (11.new-variance-range)."""
    _check(cents, sql)


def test_sum_of_squares_in_range(cents):
    _check(cents, f"SELECT SUM(u.v * u.v) AS s, AVG(u.v) AS a FROM {UNION}")


OWN = Path(__file__).resolve().parents[2] / "catalogs" / "types_open.toml"


# MEDIAN(DISTINCT x) ignored DISTINCT, at the owner and under MPC (t_alice: 0.0, DuckDB
# -1.0): refused until the percentile step has a DISTINCT form
@pytest.mark.parametrize("pushdown", [True, False], ids=["pushdown", "secure"])
@pytest.mark.parametrize("sql", [
    "SELECT MEDIAN(DISTINCT i) AS m FROM t_alice",
    "SELECT MEDIAN(DISTINCT u.i) AS m FROM (SELECT i FROM t_alice UNION ALL "
    "SELECT i FROM t_bob) u",
], ids=["own", "union"])
def test_median_distinct(sql, pushdown):
    catalog = load_catalog(OWN)
    with Federation(catalog, pushdown=pushdown) as fed, \
            pytest.raises(NotSupportedError, match=r"MEDIAN\(DISTINCT"):
        fed.execute("alice", sql)


def test_var_pop_of_cents_below_the_variance_bound(cents):
    # VAR_POP 1.25e14 is below 2^47: computed, not refused; its STDDEV is not (the
    # integer square root takes variances below 2^46)
    _check(cents, f"SELECT VAR_POP(u.v) AS v FROM {UNION}")
    with pytest.raises(DataError, match="out of the range the engine computes in"):
        cents[0].execute("carol", f"SELECT STDDEV_POP(u.v) AS s FROM {UNION}")
