"""Bad input and wrong answers found by an adversarial review: each is strict-xfail until
fixed (an xpass fails, so the marker goes with the fix)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlcases import arrow_result, compare, duckdb_result

from scql_py import errors
from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.plaintext_union import plaintext_union

CATALOG = Path(__file__).resolve().parents[2] / "catalogs" / "types_open.toml"


@pytest.fixture(scope="module", params=[True, False], ids=["pushdown", "secure"])
def fed(request):
    with Federation(load_catalog(CATALOG), pushdown=request.param) as f:
        yield f


# a column or NULL as PERCENTILE_CONT's fraction: the planner raised TypeError
@pytest.mark.parametrize("fraction", ["i", "NULL"])
def test_percentile_of_a_non_constant_fraction(fed, fraction):
    with pytest.raises(errors.Error):
        fed.execute("alice", f"SELECT PERCENTILE_CONT({fraction}) WITHIN GROUP (ORDER BY i) "
                             "AS p FROM t_alice")


# two CTEs of one name: DuckDB and MySQL refuse; we silently used the last one
def test_duplicate_cte_name_is_an_error(fed):
    with pytest.raises(errors.ProgrammingError):
        fed.execute("alice", "WITH x AS (SELECT id FROM t_alice), x AS (SELECT id FROM t_bob) "
                             "SELECT id FROM x")


NULL_NOT_IN = "SELECT id FROM t_alice WHERE NULL NOT IN (SELECT k FROM t_bob WHERE id < 0)"


def test_null_not_in_an_empty_subquery_pushdown():
    with Federation(load_catalog(CATALOG)) as f:
        got = f.execute("alice", NULL_NOT_IN)
    expected = duckdb_result(plaintext_union(load_catalog(CATALOG)), NULL_NOT_IN)
    assert compare(arrow_result(got.table), expected) is None


# secure mode gave InternalError 'unknown type null' (the NULL literal of NULL NOT IN
# (...) had no engine type)
def test_null_not_in_an_empty_subquery_secure():
    with Federation(load_catalog(CATALOG), pushdown=False) as f:
        got = f.execute("alice", NULL_NOT_IN)
    expected = duckdb_result(plaintext_union(load_catalog(CATALOG)), NULL_NOT_IN)
    assert compare(arrow_result(got.table), expected) is None
