"""Every bundled query file (queries/*.sql) runs as its headers say and matches DuckDB."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import sqlglot

from scql_py import dbapi
from scql_py.catalog import load_catalog
from scql_py.cli.script import read_headers, split_script
from scql_py.testing.plaintext_union import plaintext_union

REPO = Path(__file__).resolve().parents[2]
QUERY_FILES = sorted((REPO / "queries").glob("*.sql"))


def test_there_are_query_files():
    names = {p.name for p in QUERY_FILES}
    assert "average_income.sql" in names
    assert len([n for n in names if n.startswith("health_")]) >= 3


def _close(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if isinstance(a, float) or isinstance(b, float):
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-3)
    return type(a) is type(b) and a == b


@pytest.mark.parametrize("path", QUERY_FILES, ids=[p.stem for p in QUERY_FILES])
def test_query_file_matches_duckdb(path: Path):
    text = path.read_text(encoding="utf-8")
    headers = read_headers(text)
    catalog_path = path.parent / headers.get("catalog", "../catalogs/demo.toml")
    duck = plaintext_union(load_catalog(catalog_path))
    with dbapi.connect(catalog_path, party=headers.get("party")) as con:
        for sql in split_script(text):
            got = con.execute(sql).fetchall()
            expected = duck.sql(sqlglot.transpile(sql, read="mysql", write="duckdb")[0]).fetchall()
            assert expected and len(got) == len(expected), (sql, got, expected)
            if sqlglot.parse_one(sql, read="mysql").args.get("order") is None:
                got, expected = sorted(got, key=repr), sorted(expected, key=repr)
            for g_row, e_row in zip(got, expected):
                assert all(_close(g, e) for g, e in zip(g_row, e_row, strict=True)), (
                    f"{path.name}: {got} != {expected}")
