"""SQRT, EXP, LN, LOG, POWER and the trigonometric functions of two parties' values
(after a join, so under MPC), against DuckDB on the same rows, within the bounds the
README states; and where DuckDB gives NaN or an infinity, NULL (the dialect's rule:
a secret value cannot be NaN, and an error would depend on another party's data).

The inputs are exact in every encoding (floats on the 2^-10 grid, decimals, integers),
so the difference to DuckDB's double is the protocols' error alone.
"""

from __future__ import annotations

import math
from decimal import Decimal

import numpy as np
import pyarrow as pa
import pytest
import sqlglot

from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.catalog_files import OwnedTable, write_catalog
from scql_py.testing.plaintext_union import plaintext_union

RNG = np.random.default_rng(2026)
FLOATS = [0.0, 1.0, -1.0, 0.5, -0.5, 2**-10, -(2**-10), 32.0, 33.0, -11.0, -12.0, 1e5, 0.9990234375,
          1024.5, -2.0, -0.75]
DECIMALS = ["0.0000", "1.0000", "-1.0000", "0.9999", "-0.9999", "0.0001", "0.5000", "99.9999",
            "-0.7071", "0.7072"]


def _catalog(tmp_path):
    floats = FLOATS + [float(v) for v in np.round(RNG.uniform(-40, 40, 100) * 1024) / 1024]
    floats += [float(v) for v in np.round(RNG.uniform(-1, 1, 30) * 1024) / 1024]
    decimals = DECIMALS + [f"{v:.4f}" for v in RNG.uniform(-1, 1, 60)]
    decimals += [f"{v:.4f}" for v in RNG.uniform(-100, 100, 60)]
    n = max(len(floats), len(decimals))
    va = pa.table({
        "id": pa.array(range(n), pa.int64()),
        "f": pa.array(floats + [None] * (n - len(floats)), pa.float64()),
        "m": pa.array([Decimal(m) for m in decimals] + [None] * (n - len(decimals)),
                      pa.decimal128(12, 4)),
        "i": pa.array([int(RNG.integers(-1000, 1000)) if k > 3 else k - 1 for k in range(n)],
                      pa.int64())})
    vb = pa.table({"id": pa.array(range(n), pa.int64()), "z": pa.array([0] * n, pa.int64())})
    return load_catalog(write_catalog(tmp_path, "secure_math", {
        "va": OwnedTable("alice", va, ccl=dict.fromkeys(va.column_names, "PLAINTEXT")),
        "vb": OwnedTable("bob", vb, ccl=dict.fromkeys(vb.column_names, "PLAINTEXT"))},
        first_port=7311))


# name: (SQL of x, the secret input; a.f + b.z is a float of two parties), bound(duck)
_ABS = 2**-16
CASES = {
    "sqrt": ("SQRT(ABS(a.f) + b.z)", lambda d: _ABS),
    "sqrt_dec": ("SQRT(ABS(a.m) + b.z)", lambda d: _ABS),
    "sqrt_neg": ("SQRT(a.f + b.z)", lambda d: _ABS),
    "exp": ("EXP(a.f + b.z)", lambda d: _ABS + 2**-22 * abs(d)),
    "exp_dec": ("EXP(a.m * 0.25 + b.z)", lambda d: _ABS + 2**-22 * abs(d)),
    "exp_int": ("EXP(a.i % 40 + b.z)", lambda d: _ABS + 2**-22 * abs(d)),
    "ln": ("LN(a.f + b.z)", lambda d: _ABS),
    "ln_dec": ("LN(a.m + b.z)", lambda d: _ABS),
    "ln_int": ("LN(a.i + b.z)", lambda d: _ABS),
    "log10": ("LOG10(a.m + b.z)", lambda d: _ABS),
    "log2": ("LOG2(a.f + b.z)", lambda d: _ABS),
    "log_half": ("LOG(0.5, a.f + b.z)", lambda d: _ABS),
    # the logarithms' errors over that of the base: |log2 base| >= 1 here
    "log_secret_base": ("LOG(ABS(a.m) + b.z + 2, ABS(a.f) + 1)",
                        lambda d: _ABS + 2**-23 * (1 + abs(d))),
    "power_int": ("POWER(a.i % 50 + b.z, 3)", lambda d: 0),
    "power_half": ("POWER(a.f + b.z, 0.5)", lambda d: _ABS + 2**-21 * abs(d)),
    "power_secret": ("POWER(ABS(a.m) + b.z, a.f / 8)", lambda d: _ABS + 2**-19 * abs(d)),
    "power_negative": ("POWER(a.f + b.z, -2)", lambda d: _ABS + 2**-20 * abs(d)),
    "sin": ("SIN(a.f + b.z)", lambda d: _ABS),
    "cos": ("COS(a.m + b.z)", lambda d: _ABS),
    "tan": ("TAN(a.f + b.z)", lambda d: _ABS + 2**-21 * (1 + d * d)),
    "atan": ("ATAN(a.f + b.z)", lambda d: _ABS),
    "atan_int": ("ATAN(a.i + b.z)", lambda d: _ABS),
    "asin": ("ASIN(a.m + b.z)", lambda d: _ABS),
    "acos": ("ACOS(a.m + b.z)", lambda d: _ABS),
    "asin_float": ("ASIN(a.f + b.z)", lambda d: _ABS),
}
FIXED_POINT_LIMIT = 2.0**47


@pytest.fixture(scope="module")
def results(tmp_path_factory):
    catalog = _catalog(tmp_path_factory.mktemp("secure_math"))
    select = ", ".join(f"{sql} AS {name}" for name, (sql, _) in CASES.items())
    sql = f"SELECT a.id, {select} FROM va AS a JOIN vb AS b ON a.id = b.id ORDER BY a.id"
    with Federation(catalog) as fed:
        got = fed.execute("alice", sql).table.to_pylist()
    duck = plaintext_union(catalog)
    expected = duck.sql(sqlglot.transpile(sql, read="mysql", write="duckdb")[0]).fetchall()
    return got, expected


@pytest.mark.parametrize("name", list(CASES))
def test_within_bound_of_duckdb(results, name):
    got, expected = results
    bound = CASES[name][1]
    column = list(CASES).index(name) + 1
    checked = 0
    for row, duck_row in zip(got, expected, strict=True):
        value, duck = row[name], duck_row[column]
        if duck is None or not math.isfinite(duck) or abs(duck) >= FIXED_POINT_LIMIT:
            # DuckDB's NaN, infinities and values fixed point cannot hold are NULL here
            assert value is None, (name, row["id"], value, duck)
            continue
        assert value is not None, (name, row["id"], duck)
        assert abs(value - duck) <= bound(duck), (name, row["id"], value, duck,
                                                  abs(value - duck) / 2**-16)
        checked += 1
    assert checked >= 20, (name, checked)  # the grid reaches each function's domain


def test_domain_errors_are_null_not_nan(results):
    """The dialect's rule, on the rows where DuckDB says NaN or infinity: each function
    met at least one such row (the grid holds 0, negatives and |x| > 1)."""
    got, expected = results
    for name in ("sqrt_neg", "ln", "ln_int", "log10", "log2", "asin", "acos", "asin_float",
                 "power_half", "power_negative", "exp"):
        column = list(CASES).index(name) + 1
        special = [r for r, d in zip(got, expected, strict=True)
                   if d[column] is None or not math.isfinite(d[column])
                   or abs(d[column]) >= FIXED_POINT_LIMIT]
        assert special, name
        assert all(r[name] is None for r in special), name
