"""A catalog and its sources, written from Arrow tables and their CCLs: the federations of
tests and benchmarks.

Each table is written as ``<name>.parquet`` beside the catalog (Parquet keeps every bit
of a float and the exact type of a decimal or a date), its column types read from its
Arrow schema; a table given by its schema alone is a shared table that starts empty, or
names a source file that is already there. A CCL grant is a level for every party but
the owner, or a level per party.

>>> import tempfile
>>> from scql_py.catalog import load_catalog
>>> path = write_catalog(tempfile.mkdtemp(), "demo", {
...     "t": OwnedTable("alice", pa.table({"id": [1, 2], "x": [0.5, None]}),
...                     ccl={"id": "PLAINTEXT", "x": {"bob": "PLAINTEXT_AFTER_AGGREGATE"}})})
>>> table = load_catalog(path).tables["t"]
>>> {c: str(t) for c, t in table.columns.items()}
{'id': 'int64', 'x': 'float64'}
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

PARTIES = ("alice", "bob", "carol")
MEMORY = ":memory:"


@dataclass(frozen=True)
class OwnedTable:
    """One party's table: its rows, or only their schema (for a shared table that starts
    empty, filled by an import or an INSERT, or with ``source``, a file beside the
    catalog that is already there) and, per column, what the other parties may see."""

    owner: str
    data: pa.Table | pa.Schema
    ccl: Mapping[str, str | Mapping[str, str]] = field(default_factory=dict)
    shared: bool = False
    source: str | None = None

    def grants(self, parties: Sequence[str]) -> dict[str, dict[str, str]]:
        """The CCL as the catalog spells it: per column, per party, a level."""
        others = [p for p in parties if p != self.owner]
        return {
            column: dict(level) if isinstance(level, Mapping) else dict.fromkeys(others, level)
            for column, level in self.ccl.items()
        }


def column_type(arrow: pa.DataType) -> str:
    """The catalog's name of the type of an Arrow column.

    >>> column_type(pa.decimal128(12, 4)), column_type(pa.large_string())
    ('decimal(12,4)', 'string')
    """
    if pa.types.is_decimal(arrow):
        return f"decimal({arrow.precision},{arrow.scale})"
    kinds = [
        (pa.types.is_boolean, "bool"),
        (pa.types.is_integer, "int64"),
        (pa.types.is_floating, "float64"),
        (pa.types.is_string, "string"),
        (pa.types.is_large_string, "string"),
        (pa.types.is_date, "date"),
        (pa.types.is_timestamp, "timestamp"),
    ]
    for matches, name in kinds:
        if matches(arrow):
            return name
    raise TypeError(f"no catalog type for the Arrow type {arrow}")


def write_catalog(
    folder: str | Path,
    name: str,
    tables: Mapping[str, OwnedTable],
    *,
    parties: Sequence[str] = PARTIES,
    storage: Mapping[str, str] | None = None,
    first_port: int = 7401,
    settings: Mapping[str, Any] | None = None,
) -> Path:
    """Write ``<name>.toml`` and the tables' sources into ``folder``; the catalog's path.

    ``storage`` is per party (in memory where not given); party ``i`` is at
    ``127.0.0.1:first_port + i``; ``settings`` are more keys of ``[catalog]``.
    """
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    storage = storage or {}
    doc: dict[str, Any] = {
        "catalog": {"name": name, "protocol": "rss3", **(settings or {})},
        "parties": {
            party: {"storage": storage.get(party, MEMORY), "address": f"127.0.0.1:{first_port + i}"}
            for i, party in enumerate(parties)
        },
        "tables": {},
    }
    for table_name, table in tables.items():
        schema = table.data if isinstance(table.data, pa.Schema) else table.data.schema
        entry: dict[str, Any] = {"owner": table.owner}
        if table.shared:
            entry["shared"] = True
        if isinstance(table.data, pa.Table):
            if table.source is not None:
                raise ValueError(f"{table_name}: rows are written to a source of their own")
            pq.write_table(table.data, folder / f"{table_name}.parquet")
            entry["source"] = f"{table_name}.parquet"
        elif table.source is not None:
            entry["source"] = table.source
        entry["columns"] = {f.name: column_type(f.type) for f in schema}
        entry["ccl"] = table.grants(parties)
        doc["tables"][table_name] = entry
    path = folder / f"{name}.toml"
    path.write_text(dump_toml(doc), encoding="utf-8")
    return path


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _toml_key(key: str) -> str:
    return key if _BARE_KEY.fullmatch(key) else json.dumps(key)


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value)  # a JSON string is a valid TOML basic string
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def dump_toml(doc: dict[str, Any]) -> str:
    """A TOML text for ``doc`` (nested tables as ``[a.b]`` sections; enough for catalogs).

    >>> print(dump_toml({"catalog": {"name": "x"}, "t": {"a": {"b": 1}}}).strip())
    [catalog]
    name = "x"
    <BLANKLINE>
    [t.a]
    b = 1
    """
    lines: list[str] = []

    def section(path: list[str], table: dict[str, Any]) -> None:
        scalars = {k: v for k, v in table.items() if not isinstance(v, dict)}
        if scalars and path:
            lines.append(f"[{'.'.join(_toml_key(p) for p in path)}]")
        for k, v in scalars.items():
            lines.append(f"{_toml_key(k)} = {_toml_value(v)}")
        if scalars:
            lines.append("")
        for k, v in table.items():
            if isinstance(v, dict):
                section([*path, k], v)

    section([], doc)
    return "\n".join(lines)
