"""SHOW TABLES, DESCRIBE t and SHOW COLUMNS FROM t: answered from the asker's catalog.

These statements read no party's data: the asker's own copy of the catalog answers
them, and nothing is sent to anyone. They show only what the asker may know anyway:
table names and owners, column names and types, and for each column the asker's own
CCL level (what it may learn of that column; ``PLAINTEXT`` for its own tables). The
levels other parties were granted are not shown, except on the asker's own tables,
whose CCL it wrote (:func:`granted_levels`, used by the shell's ``.schema``).

>>> from pathlib import Path
>>> from scql_py.catalog import load_catalog
>>> cat = load_catalog(Path(__file__).parents[2] / "catalogs" / "demo.toml")
>>> answer(cat, "bob", "SHOW TABLES").to_pylist()[0]
{'table': 'alice_income', 'owner': 'alice'}
>>> answer(cat, "bob", "DESCRIBE alice_income").to_pylist()[1]
{'column': 'income', 'type': 'int64', 'ccl': 'PLAINTEXT_AFTER_AGGREGATE'}
>>> answer(cat, "bob", "SELECT 1") is None
True
"""

from __future__ import annotations

import re

import pyarrow as pa
from sqlglot import exp

from scql_py.catalog import Catalog, Table
from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql.parse import parse_statement

# a cheap look before parsing: most statements are queries
_MAYBE = re.compile(r"^\s*(SHOW|DESC|DESCRIBE)\b", re.IGNORECASE)


def is_catalog_statement(sql: str) -> bool:
    """Whether ``sql`` looks like SHOW or DESCRIBE (``EXPLAIN SELECT`` is not one)."""
    if not _MAYBE.match(sql):
        return False
    try:
        ast = parse_statement(sql)
    except ProgrammingError:
        return True  # let answer() report the syntax error
    return isinstance(ast, exp.Show) or (
        isinstance(ast, exp.Describe) and isinstance(ast.this, exp.Table))


def table_rows(catalog: Catalog, like: str | None = None) -> list[tuple[str, str]]:
    """(table, owner) of every table of the catalog, in file order."""
    pattern = _like(like) if like is not None else None
    return [(t.name, t.owner) for t in catalog.tables.values()
            if pattern is None or pattern.fullmatch(t.name)]


def column_rows(catalog: Catalog, asker: str, table: str) -> list[tuple[str, str, str]]:
    """(column, type, the asker's CCL level) of every column of ``table``."""
    t = lookup(catalog, table)
    return [(c, str(typ), t.ccl_level(c, asker).name) for c, typ in t.columns.items()]


def granted_levels(catalog: Catalog, asker: str, table: str) -> dict[str, dict[str, str]]:
    """For a table the asker owns: column -> {other party: level}; else empty (the
    asker may not know what others were granted on someone else's table)."""
    t = lookup(catalog, table)
    if t.owner != asker:
        return {}
    others = [p for p in catalog.party_names if p != asker]
    return {c: {p: t.ccl_level(c, p).name for p in others} for c in t.columns}


def lookup(catalog: Catalog, name: str) -> Table:
    table = catalog.tables.get(name.lower())
    if table is None:
        known = ", ".join(catalog.tables) or "none"
        raise ProgrammingError(f"unknown table '{name}': the catalog's tables are {known}")
    return table


def answer(catalog: Catalog, asker: str, sql: str) -> pa.Table | None:
    """The answer to a SHOW or DESCRIBE statement; None for any other statement."""
    if not is_catalog_statement(sql):
        return None
    ast = parse_statement(sql)
    if isinstance(ast, exp.Describe):
        return _columns(catalog, asker, ast.this.name)
    kind = str(ast.name).upper()
    if kind == "TABLES":
        like = ast.args.get("like")
        rows = table_rows(catalog, like.name if like is not None else None)
        return pa.table({"table": pa.array([r[0] for r in rows], pa.string()),
                         "owner": pa.array([r[1] for r in rows], pa.string())})
    if kind == "COLUMNS" and ast.args.get("target") is not None:
        return _columns(catalog, asker, ast.args["target"].name)
    raise NotSupportedError(f"SHOW {kind.lower()}: only SHOW TABLES, SHOW COLUMNS FROM t and "
                            "DESCRIBE t")


def _columns(catalog: Catalog, asker: str, table: str) -> pa.Table:
    rows = column_rows(catalog, asker, table)
    return pa.table({name: pa.array([r[i] for r in rows], pa.string())
                     for i, name in enumerate(("column", "type", "ccl"))})


def _like(pattern: str) -> re.Pattern:
    """SQL LIKE (``%``, ``_``) as a case-insensitive regular expression."""
    parts = (".*" if ch == "%" else "." if ch == "_" else re.escape(ch) for ch in pattern)
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)
