"""A party's storage engine: its own source tables in DuckDB, and pushed-down local SQL."""

from __future__ import annotations

from scql_py.storage.party_storage import PartyStorage
from scql_py.storage.sources import load_table

__all__ = ["PartyStorage", "load_table"]
