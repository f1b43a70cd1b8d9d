"""The SQL oracle suite: every fixture query of ``tests/sql/*.sql`` runs through the
Federation (the real 3-party engine) and through DuckDB over the plaintext union of the
same catalog; the results must match (rules in ``sqlcases.py``).

Each query runs twice: with local pushdown (owners filter and pre-aggregate their own
rows) and with everything after the table scans done under MPC (``pushdown=False``),
unless its ``-- pushdown:`` header restricts it to one mode. The default run gives a
query that expects an answer one of its modes, alternating (``sqlcases.modes_to_run``);
``SCQL_ORACLE_MODES=all`` runs every mode. Queries with an
``-- error:`` header must raise that error class instead, in every mode they run in.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlcases import (
    Case,
    Result,
    arrow_result,
    compare,
    duckdb_result,
    has_outer_order,
    load_all,
    load_cases,
    modes_to_run,
    values_equal,
    without_outer_limit,
)

from scql_py import errors
from scql_py.catalog import load_catalog
from scql_py.cluster.federation import Federation
from scql_py.testing.plaintext_union import plaintext_union

HERE = Path(__file__).parent
CASES = load_all(HERE)

_federations: dict[tuple[Path, bool], Federation] = {}
_oracles: dict[Path, object] = {}


@pytest.fixture(scope="module", autouse=True)
def _close_federations():
    yield
    for fed in _federations.values():
        fed.close()
    _federations.clear()
    _oracles.clear()
    _expected.clear()


def federation(catalog: Path, pushdown: bool) -> Federation:
    key = (catalog, pushdown)
    if key not in _federations:
        _federations[key] = Federation(load_catalog(catalog), pushdown=pushdown)
    return _federations[key]


def oracle(catalog: Path):
    """DuckDB over the plaintext union, with MySQL's rule that x % 0 is NULL (``/`` gets
    it from sqlglot's transpilation to ``x / NULLIF(y, 0)``)."""
    if catalog not in _oracles:
        con = plaintext_union(load_catalog(catalog))
        con.execute("SET error_on_division_by_zero = false")
        _oracles[catalog] = con
    return _oracles[catalog]


_expected: dict[tuple[Path, str], Result] = {}


def expected_result(catalog: Path, sql: str) -> Result:
    """DuckDB's answer to ``sql`` (once per query: the suite's own check reuses it)."""
    key = (catalog, sql)
    if key not in _expected:
        _expected[key] = duckdb_result(oracle(catalog), sql)
    return _expected[key]


def _params():
    for index, case in enumerate(CASES):
        for pushdown in modes_to_run(case, index):
            mode = "pushdown" if pushdown else "secure"
            yield pytest.param(case, pushdown, id=f"{case.id}[{mode}]")


def asker(case: Case) -> str:
    return case.party or load_catalog(case.catalog).party_names[0]


@pytest.mark.parametrize(("case", "pushdown"), list(_params()))
def test_query(case: Case, pushdown: bool):
    fed = federation(case.catalog, pushdown)
    where = f"{case.file.name}:{case.line} {case.name}"
    error, error_text = case.expected_error(pushdown)
    if error is not None:
        with pytest.raises(getattr(errors, error)) as info:
            fed.execute(asker(case), case.sql)
        if error_text:
            assert error_text.lower() in str(info.value).lower(), (
                f"{where}: message {str(info.value)!r} does not mention {error_text!r}")
        return
    got = fed.execute(asker(case), case.sql)
    expected = expected_result(case.catalog, case.sql)
    unlimited = without_outer_limit(case.sql)
    subset = duckdb_result(oracle(case.catalog), unlimited).rows if unlimited is not None \
        else None
    problem = compare(arrow_result(got.table), expected, ordered=has_outer_order(case.sql),
                      subset_of=subset, exact_floats=case.exact_floats)
    assert problem is None, f"{where}:\n{case.sql}\n{problem}"


# --- the suite itself ----------------------------------------------------------------------


def test_the_suite_is_big_enough_and_well_formed():
    ok = [c for c in CASES if c.error is None]
    refused = [c for c in CASES if c.error == "SecurityError"]
    unsupported = [c for c in CASES if c.error == "NotSupportedError"]
    assert len(ok) >= 60, len(ok)
    assert refused and unsupported
    for case in CASES:
        assert case.catalog.is_file(), case.id
        for name in (case.error, case.secure_error):
            if name is not None:
                assert issubclass(getattr(errors, name), errors.Error), case.id
    for construct in ("JOIN",):
        assert any(c.error_text and construct in c.error_text.upper() for c in unsupported)
    # every oracle query must run on DuckDB (a typo in a fixture must not pass silently)
    for case in ok:
        assert expected_result(case.catalog, case.sql).families, case.id


def test_comparison_catches_differences():
    """The comparator must be able to fail: wrong values, NULLs, types, counts, order."""
    base = Result(["integer", "float", "string"], [(1, 0.5, "a"), (2, None, "b")])
    assert compare(base, base) is None
    swapped = Result(base.families, list(reversed(base.rows)))
    assert compare(swapped, base) is None  # multisets
    assert compare(swapped, base, ordered=True) is not None
    cases = [
        Result(base.families, [(1, 0.5, "a"), (2, 0.0, "b")]),           # NULL vs value
        Result(base.families, [(1, 0.51, "a"), (2, None, "b")]),         # float off
        Result(base.families, [(1, 0.5, "a")]),                          # a row missing
        Result(base.families, [(1, 0.5, "a"), (1, 0.5, "a")]),           # multiset
        Result(["integer", "integer", "string"], base.rows),              # type family
        Result(["integer", "float"], [(1, 0.5), (2, None)]),              # column count
        Result(base.families, [(1, 0.5, "a "), (2, None, "b")]),         # string exact
    ]
    for wrong in cases:
        assert compare(wrong, base) is not None, wrong
    near = Result(base.families, [(1, 0.5 + 2**-17, "a"), (2, None, "b")])
    assert compare(near, base) is None  # within the fixed-point tolerance
    assert compare(near, base, exact_floats=True) is not None  # a moved value must be equal
    assert compare(Result(base.families, [(1, 0.5 + 2**-12, "a"), (2, None, "b")]),
                   base) is not None
    assert not values_equal(True, 1) and not values_equal(1, "1")
    # rows are matched by counting first: by value and type (True is not 1)
    assert compare(Result(["integer"], [(True,), (2,)]), Result(["integer"], [(1,), (2,)]))
    assert compare(Result(["float"], [(1.0,)]), Result(["float"], [(1,)])) is None
    limited = Result(["integer"], [(7,)])
    assert compare(limited, Result(["integer"], [(3,)]), subset_of=[(3,), (7,)]) is None
    assert compare(limited, Result(["integer"], [(3,)]), subset_of=[(3,), (4,)]) is not None


def test_fixture_parser(tmp_path):
    catalog = HERE.parent.parent / "catalogs" / "demo.toml"
    f = tmp_path / "x.sql"
    f.write_text(
        f"-- catalog: {catalog}\n-- party: bob\n\n"
        "-- name: a\n-- pushdown: off\nSELECT 1\n  AS one;\n\n"
        "-- free text\n-- name: b\n-- party: carol\n-- error: NotSupportedError GROUP BY\n"
        "SELECT k FROM t GROUP BY k;\n\n"
        "-- name: c\n-- secure-error: NotSupportedError\nSELECT MAX(s) FROM t;\n"
        "-- name: d\n-- floats: exact\nSELECT MAX(f) FROM t;\n"
    )
    a, b, c, d = load_cases(f)
    assert d.exact_floats and not a.exact_floats
    assert c.expected_error(True) == (None, None)
    assert c.expected_error(False) == ("NotSupportedError", None)
    assert (a.name, a.party, a.pushdown_modes, a.sql) == ("a", "bob", (False,), "SELECT 1\n  AS one")
    assert (b.party, b.error, b.error_text, b.pushdown_modes) == (
        "carol", "NotSupportedError", "GROUP BY", (True, False))
