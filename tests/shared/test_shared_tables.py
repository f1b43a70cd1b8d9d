"""Secret-shared tables at rest: import, read back, append, drop, restart, errors, and what
a party's storage holds. Answers are checked against DuckDB or numpy on the plaintext."""

from __future__ import annotations

import math
from pathlib import Path

import duckdb
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from shared_helpers import (
    PARTIES,
    open_shared,
    random_people,
    reveal_relation,
    write_catalog,
)

from scql_py.catalog import load_catalog
from scql_py.cli.import_cmd import describe, run_import
from scql_py.cluster.federation import Federation
from scql_py.cluster.shared_table_changes import (
    drop_inprocess,
    import_table_inprocess,
    run_inprocess,
)
from scql_py.engine import encoding
from scql_py.engine.shared_table_versions import append, load_shared, shared_string_key, versions
from scql_py.errors import DataError, ProgrammingError, SecurityError
from scql_py.mpc import rss
from scql_py.mpc.rss import AShare
from scql_py.storage.stored_shares import DATA_PREFIX


def assert_same_rows(got: pa.Table, want: pa.Table) -> None:
    """Equal column by column; float64 up to fixed-point rounding (2^-20 relative)."""
    assert got.column_names == want.column_names
    assert got.num_rows == want.num_rows
    for name in want.column_names:
        g, w = got.column(name), want.column(name)
        if pa.types.is_floating(w.type):
            gv, wv = g.to_pylist(), w.to_pylist()
            assert [x is None for x in gv] == [x is None for x in wv], name
            for x, y in zip(gv, wv):
                if y is not None:
                    assert math.isclose(x, y, rel_tol=1e-6, abs_tol=1e-5), (name, x, y)
        else:
            assert g.cast(w.type).equals(w), name


def share_tables(con: duckdb.DuckDBPyConnection) -> list[str]:
    rows = con.execute("SELECT table_name FROM duckdb_tables() ORDER BY 1").fetchall()
    return [t for (t,) in rows if t.startswith(DATA_PREFIX)]


def secure_sums(fed: Federation, table: str, columns: list[str]) -> tuple[list[int], int]:
    """SUM of each column's ring words over the stored shares, opened to bob (NULLs are
    encoded as 0, so this is SQL's SUM of the non-NULL values)."""

    def fn(storage, rt, _):
        rel, version = load_shared(storage, rt, table, columns)
        sums = AShare.concat([rel.column(c).value.sum() for c in columns])
        return rss.reveal(rt, sums, to=1), version

    results = run_inprocess(fed, fn)
    return [int(np.int64(v)) for v in results[1][0].view(np.int64)], results[1][1]


# -- import, query, restart -------------------------------------------------------------------

def test_import_query_restart_same_answer_as_duckdb(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, persistent=True)
    source = tmp_path / "people.parquet"
    pq.write_table(random_people(3000, seed=7), source)
    want = duckdb.sql(f"SELECT * FROM read_parquet('{source}')").to_arrow_table()
    sums_sql = (f"SELECT SUM(day - DATE '1970-01-01')::BIGINT, SUM(price * 100)::BIGINT, "
                f"SUM(CAST(id AS HUGEINT) % 1000)::BIGINT FROM read_parquet('{source}')")
    want_days, want_cents, _ = duckdb.sql(sums_sql).fetchall()[0]

    with Federation(catalog) as fed:
        result = import_table_inprocess(fed, "alice", "people", source=source)
        assert (result.version, result.rows) == (1, 3000)
        got, version = open_shared(fed, "people", to="carol")
        assert version == 1
        assert_same_rows(got, want)
        before = secure_sums(fed, "people", ["day", "price"])
    assert before == ([want_days, want_cents], 1)

    # a restart: new engines over the same storage files, the owner's file gone
    source.unlink()
    with Federation(load_catalog(catalog)) as fed:
        got, version = open_shared(fed, "people", to="bob")
        assert version == 1
        assert_same_rows(got, want)
        assert secure_sums(fed, "people", ["day", "price"]) == before


def test_scan_reads_only_the_columns_asked_for(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, persistent=False)
    data = random_people(300, seed=3)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=data)
        got, _ = open_shared(fed, "people", to="bob", columns=["price", "name"])
        assert_same_rows(got, data.select(["price", "name"]))
        with pytest.raises(ProgrammingError, match="no column 'nope'"):
            open_shared(fed, "people", columns=["nope"])


_int64 = st.integers(-(2**63), 2**63 - 1)
_row = st.tuples(
    st.one_of(st.none(), _int64),
    st.one_of(st.none(), st.booleans()),
    # U+0000 is refused (test_strings_with_nul_are_refused): zero padding would cut it off
    st.one_of(st.none(), st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)),
    st.one_of(st.none(), st.floats(-1e9, 1e9, allow_nan=False)),
)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(_row, max_size=70))
def test_roundtrip_edge_values(rows: list[tuple]) -> None:
    import tempfile

    tables = {"edge": ("bob", {"i": "int64", "b": "bool", "s": "string", "f": "float64"})}
    with tempfile.TemporaryDirectory() as tmp:
        catalog = write_catalog(Path(tmp), persistent=False, tables=tables)
        cols = list(zip(*rows)) if rows else [[], [], [], []]
        data = pa.table({"i": pa.array(cols[0], pa.int64()), "b": pa.array(cols[1], pa.bool_()),
                         "s": pa.array(cols[2], pa.string()),
                         "f": pa.array(cols[3], pa.float64())})
        with Federation(catalog) as fed:
            result = import_table_inprocess(fed, "bob", "edge", data=data)
            assert result.rows == len(rows)
            got, version = open_shared(fed, "edge", to="alice")
    assert version == 1
    assert_same_rows(got, data)


@pytest.mark.parametrize("value", ["a\x00", "\x00", "a\x00b"])
def test_strings_with_nul_are_refused(tmp_path: Path, value: str) -> None:
    """A string ending in U+0000 would come back cut off ("a" for "a\\0"): refused, named."""
    tables = {"edge": ("bob", {"s": "string"})}
    catalog = write_catalog(tmp_path, persistent=False, tables=tables)
    data = pa.table({"s": pa.array(["ok", value], pa.string())})
    with Federation(catalog) as fed:
        with pytest.raises(DataError, match=r"table 'edge', column 's': .*NUL character"):
            import_table_inprocess(fed, "bob", "edge", data=data)


def test_strings_hash_under_one_key_for_every_shared_table(tmp_path: Path) -> None:
    """Equal strings of two shared tables hash alike (so queries can join and compare
    them), under the key every party derives, also after a restart."""
    tables = {"t1": ("alice", {"s": "string"}), "t2": ("carol", {"s": "string"})}
    catalog = write_catalog(tmp_path, persistent=True, tables=tables)
    words = ["apple", "", None, "Zoë", "apple"]
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "t1", data=pa.table({"s": words}))
        import_table_inprocess(fed, "carol", "t2", data=pa.table({"s": words[::-1]}))
        keys = run_inprocess(fed, lambda e, rt, _: shared_string_key(e, rt))

        def hashes(storage, rt, _):
            one, _v = load_shared(storage, rt, "t1")
            two, _v = load_shared(storage, rt, "t2")
            both = AShare.concat([one.columns[0].value, two.columns[0].value])
            return rss.reveal(rt, both, to=0)

        opened = run_inprocess(fed, hashes)[0]
    assert len(set(keys)) == 1
    want = encoding.string_hash(words, keys[0])
    assert opened[:5].tolist() == want.tolist()
    assert opened[5:].tolist() == want[::-1].tolist()
    with Federation(catalog) as fed:
        assert run_inprocess(fed, lambda e, rt, _: shared_string_key(e, rt)) == keys


# -- append, drop -----------------------------------------------------------------------------

def test_append_keeps_secret_validity_then_drop_removes_everywhere(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, persistent=True)
    first, second = random_people(200, seed=1), random_people(120, seed=2)
    keep = np.random.default_rng(5).random(120) < 0.4  # carol's secret filter
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=first)
        import_table_inprocess(fed, "alice", "people", data=second)  # replaces: version 2

        def insert_filtered(storage, rt, mask):
            # INSERT INTO people SELECT * FROM people WHERE <carol's secret predicate>
            rel, _ = load_shared(storage, rt, "people")
            rel.valid = rss.share_input_bool(rt, 2, mask, rel.n)
            return append(storage, rt, "people", rel)

        results = run_inprocess(fed, insert_filtered, [None, None, keep.astype(np.uint64)])
        assert {(r.version, r.rows) for r in results} == {(3, 240)}
        got, version = open_shared(fed, "people", to="alice")
        assert version == 3
        valid = got.column("_valid").to_numpy(zero_copy_only=False)
        assert valid.tolist() == [True] * 120 + keep.tolist()
        assert_same_rows(got.drop_columns(["_valid"]), pa.concat_tables([second, second]))

        dropped = drop_inprocess(fed, "people")
        assert dropped.version == 4
        with pytest.raises(ProgrammingError, match="'people' was dropped"):
            open_shared(fed, "people")
        with pytest.raises(ProgrammingError, match="'people' was dropped"):
            drop_inprocess(fed, "people")
        for engine in fed.engines:
            assert share_tables(engine.storage.connection) == []
            assert [v[:2] for v in versions(engine.storage)["people"]] == [[4, "committed"]]
        again = import_table_inprocess(fed, "alice", "people", data=first)
        assert again.version == 5
        got, version = open_shared(fed, "people")
        assert version == 5
        assert_same_rows(got, first)


def test_append_checks_types(tmp_path: Path) -> None:
    tables = {"a": ("alice", {"x": "int64"}), "b": ("bob", {"x": "float64"})}
    catalog = write_catalog(tmp_path, persistent=False, tables=tables)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "a", data=pa.table({"x": [1, 2]}))
        import_table_inprocess(fed, "bob", "b", data=pa.table({"x": [1.5]}))

        def insert(storage, rt, _):
            rel, _v = load_shared(storage, rt, "b")
            return append(storage, rt, "a", rel)

        with pytest.raises(ProgrammingError, match=r"INSERT INTO a: the rows have types \(float64"):
            run_inprocess(fed, insert)
        assert open_shared(fed, "a")[1] == 1


# -- errors -----------------------------------------------------------------------------------

def _no_versions_anywhere(fed: Federation) -> None:
    for engine in fed.engines:
        assert versions(engine.storage) == {}
        assert share_tables(engine.storage.connection) == []


def test_wrong_type_names_row_and_column_and_stores_nothing(tmp_path: Path) -> None:
    tables = {"t": ("bob", {"a": "int64", "b": "date"})}
    catalog = write_catalog(tmp_path, persistent=True, tables=tables)
    csv = tmp_path / "t.csv"
    csv.write_text("a,b\n1,2020-01-01\n2,2020-01-02\n3,someday\n")
    bad_rows = pa.table({"a": ["1", "2", "x3"], "b": ["2020-01-01"] * 3})
    with Federation(catalog) as fed:
        with pytest.raises(DataError, match=r"line 4, column 'b': cannot read 'someday' as date"):
            import_table_inprocess(fed, "bob", "t", source=csv)
        with pytest.raises(DataError, match=r"row 3, column 'a': cannot read 'x3' as int64"):
            import_table_inprocess(fed, "bob", "t", data=bad_rows)
        with pytest.raises(DataError, match="the table declares a, b"):
            import_table_inprocess(fed, "bob", "t", data=pa.table({"a": [1]}))
        _no_versions_anywhere(fed)


def test_values_the_encoding_cannot_hold_name_row_and_column(tmp_path: Path) -> None:
    import decimal

    tables = {"t": ("alice", {"f": "float64", "d": "decimal(38,2)"})}
    catalog = write_catalog(tmp_path, persistent=False, tables=tables)
    big = decimal.Decimal(10**18)  # 10^20 once scaled by 10^2: more than 64 bits
    fine = pa.array([decimal.Decimal(1)] * 3, pa.decimal128(38, 2))
    with Federation(catalog) as fed:
        with pytest.raises(DataError, match=r"row 2, column 'f': cannot hold nan as float64"):
            import_table_inprocess(fed, "alice", "t", data=pa.table(
                {"f": [1.0, float("nan"), 2.0], "d": fine}))
        with pytest.raises(DataError, match=r"row 3, column 'd': cannot hold Decimal"):
            import_table_inprocess(fed, "alice", "t", data=pa.table(
                {"f": [1.0, 2.0, 3.0],
                 "d": pa.array([decimal.Decimal(1), None, big], pa.decimal128(38, 2))}))
        _no_versions_anywhere(fed)


def test_null_where_not_allowed_names_row_and_column(tmp_path: Path) -> None:
    tables = {"t": ("carol", {"a": "int64", "s": "string"})}
    catalog = write_catalog(tmp_path, persistent=False, tables=tables)
    csv = tmp_path / "t.csv"
    csv.write_text('a,s\n1,x\n2,\n3,"z"\n')  # an empty field is NULL
    with Federation(catalog) as fed:
        with pytest.raises(DataError, match=r"row 2, column 's': NULL in a column that does not"):
            import_table_inprocess(fed, "carol", "t", source=csv, not_null=["a", "s"])
        _no_versions_anywhere(fed)
        result = import_table_inprocess(fed, "carol", "t", source=csv, not_null=["a"])
        got, _ = open_shared(fed, "t")
    assert result.rows == 3
    assert got.to_pydict() == {"a": [1, 2, 3], "s": ["x", None, "z"]}


def test_unknown_or_foreign_table(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, persistent=False)
    with Federation(catalog) as fed:
        with pytest.raises(ProgrammingError, match="unknown table 'nope'"):
            import_table_inprocess(fed, "alice", "nope", data=pa.table({"x": [1]}))
        with pytest.raises(ProgrammingError, match="owned by 'alice', not 'bob'"):
            import_table_inprocess(fed, "bob", "people", data=random_people(2))
        with pytest.raises(ProgrammingError, match="'people' has not been imported"):
            open_shared(fed, "people")


def test_catalog_must_declare_the_table_as_imported(tmp_path: Path) -> None:
    catalog = write_catalog(tmp_path, persistent=True)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=random_people(10))
    text = catalog.read_text()
    looser = catalog.with_name("looser.toml")
    looser.write_text(text.replace('carol = "PLAINTEXT_AFTER_AGGREGATE"', 'carol = "PLAINTEXT"'))
    with Federation(looser) as fed, pytest.raises(SecurityError, match="gives party 'carol'"):
        open_shared(fed, "people")
    other = catalog.with_name("other.toml")
    other.write_text(text.replace('price = "decimal(12,2)"', 'price = "decimal(12,3)"'))
    with Federation(other) as fed, pytest.raises(ProgrammingError, match="imported with columns"):
        open_shared(fed, "people")


def test_run_import_from_the_command_line_function(tmp_path: Path) -> None:
    tables = {"t": ("bob", {"k": "int64", "v": "float64"})}
    catalog = write_catalog(tmp_path, persistent=True, tables=tables)
    data = pa.table({"k": [3, 1, 2], "v": [0.5, None, -2.25]})
    pacsv.write_csv(data, tmp_path / "t.csv")
    result = run_import(catalog, "bob", "t", source=tmp_path / "t.csv")
    assert describe(result) == "imported 3 rows into shared table t (version 1)"
    with Federation(catalog) as fed:
        got, version = open_shared(fed, "t", to="carol")
    assert version == 1
    assert_same_rows(got, data)


# -- what the storage holds -------------------------------------------------------------------

def _stored_words(engine, table: str) -> np.ndarray:
    """Every 64-bit word a party stores for ``table``, read straight from its DuckDB."""
    con = engine.storage.connection
    words = []
    for name in share_tables(con):
        if name.startswith(f"{DATA_PREFIX}{table}__"):
            for column in con.execute(f'SELECT * FROM "{name}"').fetchnumpy().values():
                words.append(np.asarray(column, dtype=np.uint64))
    return np.concatenate(words) if words else np.zeros(0, np.uint64)


def monobit_p_value(words: np.ndarray) -> float:
    """NIST SP 800-22 frequency (monobit) test over all bits of ``words``."""
    ones = int(np.unpackbits(words.view(np.uint8)).sum())
    n = words.size * 64
    s_obs = abs(2 * ones - n) / math.sqrt(n)
    return math.erfc(s_obs / math.sqrt(2))


def byte_chi2_p_value(words: np.ndarray) -> float:
    """Chi-square test that the stored bytes are uniform over 0..255 (255 d.o.f.,
    Wilson-Hilferty normal approximation)."""
    counts = np.bincount(words.view(np.uint8), minlength=256)
    expected = counts.sum() / 256
    chi2 = float(((counts - expected) ** 2 / expected).sum())
    k = 255
    z = ((chi2 / k) ** (1 / 3) - (1 - 2 / (9 * k))) / math.sqrt(2 / (9 * k))
    return 0.5 * math.erfc(z / math.sqrt(2))


def test_two_imports_store_different_random_looking_words(tmp_path: Path) -> None:
    tables = {"z": ("alice", {"a": "int64", "b": "bool", "s": "string"})}
    catalog = write_catalog(tmp_path, persistent=False, tables=tables)
    n = 20_000
    data = pa.table({"a": np.zeros(n, np.int64), "b": np.zeros(n, bool),
                     "s": ["same text"] * n})  # as low-entropy as a table gets
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "z", data=data)
        first = {p: _stored_words(e, "z") for p, e in zip(PARTIES, fed.engines)}
        import_table_inprocess(fed, "alice", "z", data=data)
        second = {p: _stored_words(e, "z") for p, e in zip(PARTIES, fed.engines)}
        got, version = open_shared(fed, "z")
    assert version == 2
    assert_same_rows(got, data)
    # the owner keeps seeds only; bob and carol keep the words of the third share
    assert first["alice"].size == 0
    # a: 1 word, s: hash + 2 words of bytes; NULL bits of 3 columns and b packed
    assert first["bob"].size == n * 4 + 4 * math.ceil(n / 64)
    for party in ("bob", "carol"):
        a, b = first[party], second[party]
        assert a.size == b.size
        assert np.count_nonzero(a == b) <= 2  # equal words: chance 2^-64 each
        for words in (a, b):
            assert monobit_p_value(words) > 0.001
            assert byte_chi2_p_value(words) > 0.001
    # the tests can fail: the plaintext words themselves fail them
    plain = np.concatenate([np.zeros(n, np.uint64), encoding.string_hash(["same text"] * n,
                                                                          b"k" * 16)])
    assert monobit_p_value(plain) < 1e-6 and byte_chi2_p_value(plain) < 1e-6


def test_storage_per_value_within_budget(tmp_path: Path) -> None:
    """At most 2 x 8 bytes per value plus 1 bit of NULL flag, as the DuckDB file grows."""
    tables = {"w": ("carol", {"a": "int64", "b": "int64", "c": "float64", "d": "date"})}
    catalog = write_catalog(tmp_path, persistent=True, tables=tables)
    n = 150_000
    rng = np.random.default_rng(0)
    data = pa.table({"a": rng.integers(0, 10, n), "b": np.arange(n),
                     "c": rng.random(n), "d": pa.array(np.arange(n, dtype=np.int32),
                                                       pa.int32()).cast(pa.date32())})
    with Federation(catalog) as fed:
        for e in fed.engines:
            e.storage.connection.execute("CHECKPOINT")
        before = [Path(e.storage.party.storage).stat().st_size for e in fed.engines]
        import_table_inprocess(fed, "carol", "w", data=data)
        for e in fed.engines:
            e.storage.connection.execute("CHECKPOINT")
        after = [Path(e.storage.party.storage).stat().st_size for e in fed.engines]
    values = 4 * n
    per_value = [(a - b) / values for a, b in zip(after, before)]
    assert max(per_value) <= 16 + 1 / 8, per_value
    assert per_value[2] < per_value[0] / 4  # the owner, carol, keeps seeds only


def test_secret_relation_shapes(tmp_path: Path) -> None:
    """What load_shared hands to the engine: per column its type, NULL bits, chars."""
    catalog = write_catalog(tmp_path, persistent=False)
    data = random_people(70, seed=11)
    with Federation(catalog) as fed:
        import_table_inprocess(fed, "alice", "people", data=data)

        def shapes(storage, rt, _):
            rel, version = load_shared(storage, rt, "people")
            out = [(str(c.type), type(c.value).__name__, len(c.value), c.null is not None,
                    None if c.chars is None else len(c.chars)) for c in rel.columns]
            reveal_relation(rt, rel, 0)
            return rel.n, rel.names, rel.valid, out, version

        results = run_inprocess(fed, shapes)
    width = encoding.string_width(data.column("name"))
    assert results[0] == results[1] == results[2]
    n, names, valid, cols, version = results[0]
    assert (n, names, valid, version) == (70, list(data.column_names), None, 1)
    assert cols == [("int64", "AShare", 70, True, None), ("float64", "AShare", 70, True, None),
                    ("bool", "BShare", 70, True, None), ("string", "AShare", 70, True, width),
                    ("date", "AShare", 70, True, None), ("timestamp", "AShare", 70, True, None),
                    ("decimal(12,2)", "AShare", 70, True, None)]
