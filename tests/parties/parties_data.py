"""Catalogs of more than three parties for the data-party tests: tests/sql/parties's
five and four parties, and a copy of the five with larger tables (for statistics on
what a party receives)."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv

FIXTURES = Path(__file__).resolve().parents[1] / "sql" / "parties"
FIVE = FIXTURES / "five.toml"
FOUR = FIXTURES / "four.toml"
NAMES = ["ann", "ben", "cat", "dan", "eve", "fay", "gus", "hal"]


def large_five(directory: Path, rows: int = 3000, seed: int = 5) -> Path:
    """five.toml over tables of ``rows`` rows each (ids overlap by about half)."""
    rng = np.random.default_rng(seed)
    shutil.copy(FIVE, directory / "five.toml")

    def write(name: str, columns: dict) -> None:
        pacsv.write_csv(pa.table(columns), directory / f"{name}.csv")

    ids = np.arange(rows)
    write("a_people", {"id": ids, "name": rng.choice(NAMES, rows),
                       "age": rng.integers(18, 90, rows)})
    write("b_visits", {"id": rng.integers(0, 2 * rows, rows),
                       "cost": rng.integers(100, 99999, rows) / 100,
                       "day": pa.array(rng.integers(19000, 19500, rows).astype(np.int32),
                                       pa.date32())})
    write("d_people", {"id": ids + rows // 2, "name": rng.choice(NAMES, rows),
                       "age": rng.integers(18, 90, rows),
                       "score": np.round(rng.uniform(-50, 50, rows), 3)})
    write("e_orders", {"id": rng.integers(0, 2 * rows, rows),
                       "amount": rng.integers(-50, 500, rows),
                       "tag": rng.choice(["red", "green", "blue"], rows)})
    return directory / "five.toml"
