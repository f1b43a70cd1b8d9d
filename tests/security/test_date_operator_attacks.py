"""Attacks through the date operators computed under MPC: the INTERVAL of ``timestamp -
timestamp``, WEEKDAY / DAYOFWEEK, TIMESTAMPDIFF, MEDIAN and PERCENTILE_CONT of
timestamps; and through the refusal of NaN and infinite reals by their owner.

The asker (alice) knows her own timestamps, so the difference of one of them and bob's
is bob's timestamp; a weekday is a part of his date (with the year and the week, all of
it); an ORDER BY of a difference ranks his values; a MEDIAN of one row is its value.
Each must pass bob's CCL exactly as the value itself would: refused on ENCRYPTED_ONLY,
allowed where the level allows the same question (each allowed twin must run and give
DuckDB's answer, so that refusing everything fails). A NaN that bob's column holds is
refused by bob before he shares anything; what alice hears of it names neither his
column nor his values.
"""

from __future__ import annotations

import datetime as dt
import re

import numpy as np
import pyarrow as pa
import pytest
from attack_federation import assert_like_duckdb, attack_tests

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.errors import NotSupportedError
from scql_py.testing.catalog_files import OwnedTable, write_catalog
from scql_py.testing.plaintext_union import plaintext_union

ROWS = 24


def _federation(folder) -> str:
    rng = np.random.default_rng(13)
    start = dt.datetime(2020, 1, 1)
    stamps = [start + dt.timedelta(seconds=int(s)) for s in rng.integers(0, 10**8, 3 * ROWS)]
    visit = pa.table({
        "id": np.arange(ROWS), "k": np.arange(ROWS) + 100,
        "t": pa.array(stamps[:ROWS], pa.timestamp("us")),
        "d": pa.array([s.date() for s in stamps[ROWS:2 * ROWS]], pa.date32()),
    })
    weights = rng.normal(size=ROWS)
    weights[3] = np.nan
    stay = pa.table({
        "ck": np.arange(ROWS) + 100,
        "secret_ts": pa.array(stamps[ROWS:2 * ROWS], pa.timestamp("us")),
        "secret_d": pa.array([s.date() for s in stamps[2 * ROWS:]], pa.date32()),
        "agg_ts": pa.array(stamps[2 * ROWS:], pa.timestamp("us")),
        "grp_d": pa.array([dt.date(2024, 5, 1 + i % 5) for i in range(ROWS)], pa.date32()),
        "pub_ts": pa.array(stamps[:ROWS][::-1], pa.timestamp("us")),
        "w": weights,  # with a NaN
        "z": rng.normal(size=ROWS),
    })
    return write_catalog(folder, "date_attacks", {
        "visit": OwnedTable("alice", visit, ccl={"id": "PLAINTEXT", "k": "PLAINTEXT_AFTER_JOIN",
                                                 "t": "PLAINTEXT", "d": "PLAINTEXT"}),
        "stay": OwnedTable("bob", stay, ccl={
            "ck": "PLAINTEXT_AFTER_JOIN", "agg_ts": "PLAINTEXT_AFTER_AGGREGATE",
            "grp_d": "PLAINTEXT_AFTER_GROUP_BY", "pub_ts": "PLAINTEXT", "z": "PLAINTEXT",
            "w": "PLAINTEXT_AFTER_AGGREGATE"}),
    }, first_port=7461)


@pytest.fixture(scope="module")
def attack_catalog(tmp_path_factory):
    return _federation(tmp_path_factory.mktemp("date_attacks"))


@pytest.fixture(scope="module")
def attack_fed(attack_catalog):
    with Federation(load_catalog(attack_catalog)) as fed:
        yield fed


@pytest.fixture(scope="module")
def attack_oracle(attack_catalog):
    return plaintext_union(load_catalog(attack_catalog))


JOIN = "FROM visit v JOIN stay s ON v.k = s.ck"

REFUSED = {
    # her own timestamp less the difference is his
    "interval_of_an_encrypted_timestamp": (
        "alice", f"SELECT v.id, v.t - s.secret_ts AS gap {JOIN}", "stay.secret_ts"),
    "interval_of_an_encrypted_date_and_a_timestamp": (
        "alice", f"SELECT v.id, s.secret_d - v.t AS gap {JOIN}", "stay.secret_d"),
    "interval_of_an_aggregate_only_timestamp_row_by_row": (
        "alice", f"SELECT v.id, s.agg_ts - v.t AS gap {JOIN}", "stay.agg_ts"),
    # the order of the differences ranks his values
    "order_by_an_interval_of_an_encrypted_timestamp": (
        "alice", f"SELECT v.id {JOIN} ORDER BY s.secret_ts - v.t", "stay.secret_ts"),
    "interval_compared_in_where": (
        "alice", f"SELECT v.id {JOIN} WHERE s.secret_ts - v.t > v.t - v.t", "stay.secret_ts"),
    "extreme_of_intervals_of_an_encrypted_timestamp": (
        "alice", f"SELECT MAX(s.secret_ts - v.t) AS m {JOIN}", "stay.secret_ts"),
    # a weekday is a part of the date; with its group, a count of each
    "weekday_of_an_encrypted_date": (
        "alice", f"SELECT v.id, WEEKDAY(s.secret_d) AS wd {JOIN}", "stay.secret_d"),
    "dayofweek_of_an_encrypted_timestamp_in_where": (
        "alice", f"SELECT v.id {JOIN} WHERE DAYOFWEEK(s.secret_ts) = 3", "stay.secret_ts"),
    "group_by_weekday_of_an_encrypted_date": (
        "alice", f"SELECT WEEKDAY(s.secret_d) AS wd, COUNT(*) AS n {JOIN} "
                 "GROUP BY WEEKDAY(s.secret_d)", "stay.secret_d"),
    "weekday_of_an_aggregate_only_timestamp_row_by_row": (
        "alice", f"SELECT v.id, WEEKDAY(s.agg_ts) AS wd {JOIN}", "stay.agg_ts"),
    # the microseconds since 1970 are the value
    "timestampdiff_of_an_encrypted_timestamp_from_the_epoch": (
        "alice", f"SELECT v.id, TIMESTAMPDIFF(MICROSECOND, '1970-01-01', s.secret_ts) AS us "
                 f"{JOIN}", "stay.secret_ts"),
    # a median of one row is that row's value
    "median_of_an_encrypted_timestamp_per_row": (
        "alice", f"SELECT v.id, MEDIAN(s.secret_ts) AS m {JOIN} GROUP BY v.id", "stay.secret_ts"),
    "percentile_of_an_encrypted_timestamp": (
        "alice", f"SELECT PERCENTILE_CONT(0.25) WITHIN GROUP (ORDER BY s.secret_ts) AS p "
                 f"{JOIN}", "stay.secret_ts"),
}

ALLOWED = {
    "interval_of_a_plaintext_timestamp": (
        "alice", f"SELECT v.id, v.t - s.pub_ts AS gap {JOIN} ORDER BY v.id"),
    "weekday_of_a_plaintext_timestamp": (
        "alice", f"SELECT v.id, WEEKDAY(s.pub_ts) AS wd, DAYOFWEEK(v.t) AS dw {JOIN} "
                 "ORDER BY v.id"),
    "median_of_an_aggregate_timestamp": (
        "alice", f"SELECT MEDIAN(s.agg_ts) AS m, PERCENTILE_CONT(0.75) WITHIN GROUP "
                 f"(ORDER BY s.agg_ts) AS q3 {JOIN}"),
    "count_by_the_weekday_of_a_group_by_date_over_union": (
        "alice", "SELECT WEEKDAY(d) AS wd, COUNT(*) AS n FROM (SELECT grp_d AS d FROM stay "
                 "UNION ALL SELECT d FROM visit) AS u GROUP BY WEEKDAY(d) HAVING COUNT(*) >= 4"),
}

test_attack_is_refused, test_allowed_twin_runs = attack_tests(REFUSED, ALLOWED)


def test_a_nan_is_refused_by_its_owner_naming_nothing_of_his(attack_fed, attack_oracle):
    """bob refuses to share his NaN (a column alice may aggregate, summed under MPC with
    a column of alice's): alice hears that bob could not run a step, not which column, nor
    a value; a question over his finite column runs."""
    with pytest.raises(NotSupportedError) as info:
        attack_fed.execute("alice", f"SELECT SUM(s.w + v.id) AS total {JOIN}")
    assert re.fullmatch(r"party 'bob' could not run step s\d+ \(\w+\) of the query; "
                        r"its error stays with that party", str(info.value)), str(info.value)
    assert_like_duckdb(attack_fed, attack_oracle, "alice",
                       f"SELECT COUNT(*) AS n, MIN(s.z + v.id) AS lo {JOIN}")
