"""Generate the data of catalogs/health.toml: a hospital's admissions, an insurer's claims
and a bank's accounts, about overlapping sets of people.

Deterministic (seeded); the CSVs are committed, rerun only to change the data:
    python catalogs/health/make_data.py [output_dir]
Person ids: hospital 1-400, insurer 100-500, bank 200-600, so every pair of tables and all
three share people; ids repeat (readmissions, several claims, joint accounts) and some
are NULL. Floats have at most 3 decimals, for 16-bit fixed point.
"""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal
from pathlib import Path

import numpy as np

SEED = 7_2024
DIAGNOSES = ["E11", "I10", "J45", "C50", "F32", "K35", "M54", "N39", "S72", "Z00"]
ZIPS = ["10115", "10117", "20095", "50667", "60311", "80331", "01067"]
STATUSES = ["approved", "denied", "pending", "appealed"]


def _field(value: object) -> str:
    # NULL is an empty field; strings are always quoted so that "" stays an empty string
    if value is None:
        return ""
    if isinstance(value, str):
        return '"' + value.replace('"', '""') + '"'
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    return str(value)


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    lines = [",".join(header)] + [",".join(_field(v) for v in row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _nulls(rng: np.random.Generator, rows: list[list[object]], rates: dict[int, float]) -> None:
    for row in rows:
        for col, rate in rates.items():
            if rng.random() < rate:
                row[col] = None


def _money(rng: np.random.Generator, low: float, high: float) -> Decimal:
    return Decimal(int(rng.integers(int(low * 100), int(high * 100)))).scaleb(-2)


def patients(rng: np.random.Generator) -> list[list[object]]:
    rows = []
    for _ in range(300):
        admitted = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3 * 365)))
        stay = int(rng.geometric(0.25)) - 1  # 0 = day case
        rows.append([
            int(rng.integers(1, 401)),                      # patient_id (readmissions repeat)
            int(rng.integers(0, 96)),                        # age
            str(rng.choice(["F", "M"])),                     # sex
            str(rng.choice(ZIPS)),                           # zip (text: leading zeros)
            str(rng.choice(DIAGNOSES, p=[.2, .2, .1, .05, .1, .05, .1, .05, .05, .1])),
            admitted,                                        # admitted
            stay,                                            # length_of_stay
            _money(rng, 150, 2500) * (stay + 1),             # cost
            bool(rng.random() < 0.22),                       # smoker
        ])
    _nulls(rng, rows, {0: 0.02, 1: 0.05, 3: 0.08, 4: 0.03, 7: 0.05, 8: 0.15})
    return rows


def claims(rng: np.random.Generator) -> list[list[object]]:
    rows = []
    for n in range(350):
        day = dt.date(2021, 1, 1) + dt.timedelta(days=int(rng.integers(0, 3 * 365)))
        status = str(rng.choice(STATUSES, p=[.6, .2, .15, .05]))
        amount = _money(rng, 20, 40000)
        if rng.random() < 0.05:  # corrections refund part of an earlier claim
            amount = -_money(rng, 20, 2000)
        filed = dt.datetime.combine(day, dt.time()) + dt.timedelta(
            days=int(rng.integers(0, 30)), seconds=int(rng.integers(0, 86400)))
        rows.append([
            5000 + n,                                        # claim_id, unique
            int(rng.integers(100, 501)),                     # patient_id
            day,                                             # claim_date
            amount,                                          # amount
            status,                                          # status
            None if status == "pending" else status == "approved",  # approved
            filed,                                           # filed_at
        ])
    _nulls(rng, rows, {1: 0.03, 3: 0.04, 6: 0.05})
    return rows


def accounts(rng: np.random.Generator) -> list[list[object]]:
    rows = []
    for _ in range(320):
        income = round(float(rng.lognormal(10.5, 0.6)), int(rng.integers(0, 4)))
        if rng.random() < 0.04:  # self-employed with a loss this year
            income = -round(float(rng.uniform(1000, 20000)), 2)
        if rng.random() < 0.05:  # round numbers tie
            income = 50000.0
        rows.append([
            int(rng.integers(200, 601)),                     # customer_id (joint accounts)
            income,                                          # income
            _money(rng, -5000, 250000),                      # balance (overdrafts < 0)
            int(rng.integers(300, 851)),                     # credit_score
            bool(rng.random() < 0.08),                       # defaulted
            dt.date(1995, 1, 1) + dt.timedelta(days=int(rng.integers(0, 30 * 365))),
        ])
    _nulls(rng, rows, {0: 0.02, 1: 0.1, 2: 0.03, 3: 0.06, 4: 0.02, 5: 0.04})
    return rows


def main(out: Path) -> None:
    rng = np.random.default_rng(SEED)
    out.mkdir(parents=True, exist_ok=True)
    _write(out / "patients.csv", ["patient_id", "age", "sex", "zip", "diagnosis", "admitted",
                                  "length_of_stay", "cost", "smoker"], patients(rng))
    _write(out / "claims.csv", ["claim_id", "patient_id", "claim_date", "amount", "status",
                                "approved", "filed_at"], claims(rng))
    _write(out / "accounts.csv", ["customer_id", "income", "balance", "credit_score",
                                  "defaulted", "opened"], accounts(rng))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).parent)
