"""Column types: parsing, canonical text, and agreement with DuckDB's and Arrow's types."""

from __future__ import annotations

import duckdb
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from scql_py.catalog import BOOL, DATE, FLOAT64, INT64, STRING, TIMESTAMP, CCLLevel, SqlType

SIMPLE = {"int64": INT64, "float64": FLOAT64, "bool": BOOL, "string": STRING, "date": DATE,
          "timestamp": TIMESTAMP}


@pytest.mark.parametrize("text", list(SIMPLE))
def test_parse_simple_kinds(text: str) -> None:
    assert SqlType.parse(text) == SIMPLE[text]
    assert SqlType.parse(f"  {text.upper()} ") == SIMPLE[text]
    assert str(SqlType.parse(text)) == text


@pytest.mark.parametrize(
    "text", ["decimal(15,2)", "DECIMAL(15,2)", " Decimal ( 15 , 2 ) ", "decimal(15, 2)"]
)
def test_parse_decimal_spellings(text: str) -> None:
    t = SqlType.parse(text)
    assert (t.kind, t.precision, t.scale) == ("decimal", 15, 2)
    assert str(t) == "decimal(15,2)"
    assert t.to_duckdb() == "DECIMAL(15,2)"


@given(st.integers(1, 38).flatmap(lambda p: st.tuples(st.just(p), st.integers(0, p))))
def test_decimal_round_trip(ps: tuple[int, int]) -> None:
    p, s = ps
    t = SqlType.parse(f"decimal({p},{s})")
    assert SqlType.parse(str(t)) == t
    assert t.to_arrow() == pa.decimal128(p, s)


@pytest.mark.parametrize(
    "text", ["integer", "int", "decimal", "decimal(0,0)", "decimal(39,2)", "decimal(3,5)",
             "decimal(-1,2)", "decimal(10)", "", "string(10)", "float"]
)
def test_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        SqlType.parse(text)


def test_parse_rejects_non_string() -> None:
    with pytest.raises(ValueError):
        SqlType.parse(5)  # type: ignore[arg-type]


ALL_TYPES = [*SIMPLE.values(), SqlType.parse("decimal(12,2)"), SqlType.parse("decimal(38,10)"),
             SqlType.parse("decimal(4,0)")]


@pytest.mark.parametrize("t", ALL_TYPES, ids=str)
def test_duckdb_and_arrow_types_agree_with_duckdb(t: SqlType) -> None:
    # DuckDB itself says what type the name means and which Arrow type it returns
    con = duckdb.connect()
    con.execute(f"CREATE TABLE x (v {t.to_duckdb()})")
    declared = con.execute("SELECT data_type FROM information_schema.columns "
                           "WHERE table_name = 'x'").fetchall()[0][0]
    assert declared == t.to_duckdb()
    assert con.sql("SELECT v FROM x").to_arrow_table().schema.field("v").type == t.to_arrow()


def test_is_numeric() -> None:
    assert [t.is_numeric for t in ALL_TYPES] == [True, True, False, False, False, False,
                                                 True, True, True]


def test_types_are_hashable_values() -> None:
    assert {SqlType.parse("decimal(12,2)"), SqlType("decimal", 12, 2)} == {SqlType("decimal", 12, 2)}


def test_ccl_levels() -> None:
    assert [lv.value for lv in CCLLevel] == [
        "PLAINTEXT", "PLAINTEXT_AFTER_JOIN", "PLAINTEXT_AS_JOIN_PAYLOAD",
        "PLAINTEXT_AFTER_GROUP_BY", "PLAINTEXT_AFTER_COMPARE", "PLAINTEXT_AFTER_AGGREGATE",
        "REVEAL_RANK", "ENCRYPTED_ONLY",
    ]
    assert all(CCLLevel.parse(lv.value.lower()) is lv for lv in CCLLevel)
    with pytest.raises(ValueError, match="unknown CCL level 'SECRET'"):
        CCLLevel.parse("SECRET")
