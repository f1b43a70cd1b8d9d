"""Loading CSV and Parquet sources into DuckDB with the catalog's declared types."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scql_py.catalog import SqlType, Table
from scql_py.errors import DataError, OperationalError
from scql_py.storage import load_table

SCHEMA = {"i": "int64", "f": "float64", "b": "bool", "s": "string", "d": "date",
          "ts": "timestamp", "m": "decimal(12,2)"}


def _table(path: Path, schema: dict[str, str] = SCHEMA, name: str = "t") -> Table:
    return Table(name, "alice", path, {c: SqlType.parse(t) for c, t in schema.items()})


def _rows(con: duckdb.DuckDBPyConnection, name: str = "t") -> list[tuple]:
    return con.execute(f"SELECT * FROM {name}").fetchall()


def test_csv_every_type_and_nulls(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text(
        "i,f,b,s,d,ts,m\n"
        "-9223372036854775808,-0.125,true,\"a,\"\"b\"\"\",1969-12-31,1900-01-01 00:00:00,-0.01\n"
        ",,,,,,\n"
        "9223372036854775807,1e3,false,\"\",2038-01-19,2021-03-04 05:06:07.123456,9999999999.99\n"
        " 42 ,3.5,TRUE,naïve,2000-02-29,2000-02-29 23:59:59,12.345\n"
    )
    con = duckdb.connect()
    load_table(con, _table(src))
    assert _rows(con) == [
        (-2**63, -0.125, True, 'a,"b"', dt.date(1969, 12, 31), dt.datetime(1900, 1, 1),
         Decimal("-0.01")),
        (None,) * 7,
        (2**63 - 1, 1000.0, False, "", dt.date(2038, 1, 19),
         dt.datetime(2021, 3, 4, 5, 6, 7, 123456), Decimal("9999999999.99")),
        (42, 3.5, True, "naïve", dt.date(2000, 2, 29), dt.datetime(2000, 2, 29, 23, 59, 59),
         Decimal("12.35")),  # decimals round to their scale, as SQL's CAST does
    ]
    arrow = con.sql("SELECT * FROM t").to_arrow_table()
    assert arrow.schema.types == [SqlType.parse(t).to_arrow() for t in SCHEMA.values()]


def test_csv_header_order_and_case(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("B,I\ntrue,1\nfalse,2\n")
    con = duckdb.connect()
    load_table(con, _table(src, {"i": "int64", "b": "bool"}))
    assert _rows(con) == [(1, True), (2, False)]
    assert [c[0] for c in con.execute("DESCRIBE t").fetchall()] == ["i", "b"]


def test_reload_replaces(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("i\n1\n")
    con = duckdb.connect()
    load_table(con, _table(src, {"i": "int64"}))
    src.write_text("i\n2\n3\n")
    load_table(con, _table(src, {"i": "int64"}))
    assert _rows(con) == [(2,), (3,)]


BAD_VALUES = [
    ("i", "1.5"), ("i", "abc"), ("i", "9223372036854775808"), ("i", '""'),
    ("f", "x1"), ("b", "maybe"), ("d", "2021-02-30"), ("ts", "yesterday"),
    ("m", "12345678901.5"), ("m", "1,5"),
]


@pytest.mark.parametrize(("column", "bad"), BAD_VALUES)
def test_csv_bad_value_names_file_line_and_column(tmp_path: Path, column: str, bad: str) -> None:
    good = {"i": "7", "f": "1.5", "b": "true", "s": "x", "d": "2020-01-01",
            "ts": "2020-01-01 00:00:00", "m": "1.00"}
    lines = ["i,f,b,s,d,ts,m"] + [",".join(good.values())] * 3
    row = dict(good, **{column: bad if bad != "1,5" else '"1,5"'})
    lines.insert(3, ",".join(row.values()))  # data row 3 = line 4
    src = tmp_path / "bad.csv"
    src.write_text("\n".join(lines) + "\n")
    with pytest.raises(DataError) as info:
        load_table(duckdb.connect(), _table(src))
    message = str(info.value)
    assert message.startswith(f"{src}: line 4, column '{column}': cannot read "), message
    assert SCHEMA[column] in message


def test_csv_wrong_field_count(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("i,b\n1,true\n2\n")
    with pytest.raises(DataError, match=re.escape(f"{src}: line 3: expected 2 fields, found 1")):
        load_table(duckdb.connect(), _table(src, {"i": "int64", "b": "bool"}))


def test_csv_missing_and_extra_columns(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("i,zz,b\n1,2,true\n")
    with pytest.raises(DataError) as info:
        load_table(duckdb.connect(), _table(src, {"i": "int64", "b": "bool", "s": "string"}))
    assert str(info.value) == (f"{src}: missing column(s) 's' and unexpected column(s) 'zz' "
                               "(table 't' declares i, b, s)")


def test_csv_duplicate_header(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("i,I\n1,2\n")
    with pytest.raises(DataError, match="column 'I' appears twice"):
        load_table(duckdb.connect(), _table(src, {"i": "int64"}))


def test_csv_empty_file_and_missing_file(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("")
    with pytest.raises(DataError, match="empty file, expected a header row"):
        load_table(duckdb.connect(), _table(src, {"i": "int64"}))
    with pytest.raises(OperationalError, match="not found"):
        load_table(duckdb.connect(), _table(tmp_path / "gone.csv", {"i": "int64"}))


def test_csv_header_only_gives_empty_table(tmp_path: Path) -> None:
    src = tmp_path / "t.csv"
    src.write_text("i,s\n")
    con = duckdb.connect()
    load_table(con, _table(src, {"i": "int64", "s": "string"}))
    assert _rows(con) == []


@settings(max_examples=30, deadline=None)
@given(ints=st.lists(st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)), min_size=1,
                     max_size=20),
       floats=st.lists(st.integers(-10**9, 10**9), min_size=1, max_size=20))
def test_csv_numbers_round_trip(tmp_path_factory: pytest.TempPathFactory,
                                ints: list[int | None], floats: list[int]) -> None:
    n = max(len(ints), len(floats))
    ints = (ints * n)[:n]
    values = [f / 1000 for f in (floats * n)[:n]]  # at most 3 decimals
    src = tmp_path_factory.mktemp("rt") / "t.csv"
    src.write_text("i,f\n" + "".join(f"{'' if i is None else i},{f!r}\n"
                                     for i, f in zip(ints, values, strict=True)))
    con = duckdb.connect()
    load_table(con, _table(src, {"i": "int64", "f": "float64"}))
    assert _rows(con) == list(zip(ints, values, strict=True))


def _parquet(tmp_path: Path, columns: dict[str, pa.Array]) -> Path:
    path = tmp_path / "t.parquet"
    pq.write_table(pa.table(columns), path)
    return path


def test_parquet_casts_to_declared_types(tmp_path: Path) -> None:
    src = _parquet(tmp_path, {
        "S": pa.array(["a", None, "c"]),
        "i": pa.array([1, None, -3], pa.int32()),
        "f": pa.array([1.5, 2.0, None], pa.float32()),
        "m": pa.array([Decimal("1.5"), None, Decimal("-2.25")], pa.decimal128(6, 2)),
        "d": pa.array([dt.date(1969, 1, 1), None, dt.date(2024, 2, 29)]),
        "ts": pa.array([dt.datetime(2020, 1, 1, 1, 2, 3), None, None], pa.timestamp("ms")),
        "b": pa.array([True, None, False]),
    })
    con = duckdb.connect()
    load_table(con, _table(src, {**SCHEMA, "m": "decimal(10,3)"}))
    assert _rows(con) == [
        (1, 1.5, True, "a", dt.date(1969, 1, 1), dt.datetime(2020, 1, 1, 1, 2, 3),
         Decimal("1.500")),
        (None, 2.0, None, None, None, None, None),
        (-3, None, False, "c", dt.date(2024, 2, 29), None, Decimal("-2.250")),
    ]


def test_parquet_bad_value_names_row_and_column(tmp_path: Path) -> None:
    src = _parquet(tmp_path, {"i": pa.array(["1", "2", "x3"]), "s": pa.array(["a", "b", "c"])})
    with pytest.raises(DataError) as info:
        load_table(duckdb.connect(), _table(src, {"i": "int64", "s": "string"}))
    assert str(info.value) == f"{src}: row 3, column 'i': cannot read 'x3' as int64"


def test_parquet_missing_column(tmp_path: Path) -> None:
    src = _parquet(tmp_path, {"i": pa.array([1])})
    with pytest.raises(DataError, match=r"missing column\(s\) 's'"):
        load_table(duckdb.connect(), _table(src, {"i": "int64", "s": "string"}))


def test_not_parquet(tmp_path: Path) -> None:
    src = tmp_path / "t.parquet"
    src.write_text("i\n1\n")
    with pytest.raises(OperationalError, match="cannot read as Parquet"):
        load_table(duckdb.connect(), _table(src, {"i": "int64"}))
