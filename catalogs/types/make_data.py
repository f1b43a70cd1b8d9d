"""Generate the data of catalogs/types.toml: one table per party, same schema, every column
type, ~15% NULLs, negative values, ties, pre-1970 dates, strings that need CSV quoting.

Deterministic (seeded); the CSVs are committed, rerun only to change the data:
    python catalogs/types/make_data.py [output_dir]
Floats have at most 3 decimals and |f| <= 1000, so 16-bit fixed point can match them.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np

SEED = 20240611
ROWS = 50
NULL_RATE = 0.15
HEADER = ["id", "k", "s", "i", "f", "b", "d", "ts", "m", "c", "secret"]
# owner -> first id (ids overlap between neighbouring tables, for joins on id)
TABLES = {"t_alice": 1, "t_bob": 26, "t_carol": 51}
WORDS = ["apple", "Banana", "cherry", "", "naïve café", 'say "hi"', "a,b", "zeta", "apple "]
EPOCH = dt.date(1970, 1, 1)


def _field(value: object) -> str:
    # NULL is an empty field; strings are always quoted so that "" stays an empty string
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, (bool, np.bool_)):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _rows(rng: np.random.Generator, first_id: int) -> list[list[object]]:
    rows = []
    for n in range(ROWS):
        days = int(rng.integers(-3650, 22000))  # 1960 .. 2030
        seconds = int(rng.integers(0, 86400))
        micros = int(rng.choice([0, 0, 0, 500000, 123456]))
        row: list[object] = [
            first_id + n,                                   # id: unique per table
            int(rng.integers(0, 5)),                        # k: small group/join key
            str(rng.choice(WORDS)),                         # s
            int(rng.choice([0, -1, 7, 1000000, -1000000, int(rng.integers(-500, 500))])),
            round(float(rng.uniform(-1000, 1000)), int(rng.integers(0, 4))),  # f
            bool(rng.integers(0, 2)),                       # b
            EPOCH + dt.timedelta(days=days),                # d
            dt.datetime.combine(EPOCH, dt.time()) + dt.timedelta(
                days=days, seconds=seconds, microseconds=micros),  # ts
            Decimal(int(rng.integers(-9999999, 9999999))).scaleb(-2),  # m: decimal(12,2)
            int(rng.integers(-20, 20)),                     # c
            int(rng.integers(0, 10**9)),                    # secret
        ]
        if n % 10 == 3:  # exact ties across rows, not only by chance
            row[3], row[4], row[8] = 42, -2.5, Decimal("10.50")
        for col in range(1, len(row)):  # id is never NULL
            if rng.random() < NULL_RATE:
                row[col] = None
        rows.append(row)
    return rows


def main(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    for name, first_id in TABLES.items():
        lines = [",".join(HEADER)]
        lines += [",".join(_field(v) for v in row) for row in _rows(rng, first_id)]
        (out / f"{name}.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
