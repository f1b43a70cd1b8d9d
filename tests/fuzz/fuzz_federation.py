"""Random federations for the differential tester: mostly three parties (alice, bob,
carol), else four or five (dave, erin) of which three compute and the others are data
parties, sometimes with a compute-only helper that owns no table; one to three tables a
party, every catalog column type, written as a real catalog file with CSV and Parquet
sources.

The data is shaped to find bugs, not to look realistic: NULLs at random rates (up to a
column of NULLs only), duplicated rows, empty and one-row tables, negative and extreme
values, strings over one small alphabet and keys over domains shared by every owner, so
that joins, IN and GROUP BY across parties match partly.

Values mostly stay inside what the engine documents it computes on
(``mpc/fixedpoint.py``, ``mpc/division.py``, ``mpc/rounded_division.py``): reals are
fixed point with 16 fractional bits and ``|v| < 2^47``; a quotient needs
``|a| * 2^16 < 2^62``, so a sum that may be divided (AVG) must stay below 2^46. Hence
integers below 2^31, reals below 2^30 and decimals whose unscaled values stay below
10^11. Reals have at most three decimals so that distinct values are far apart compared
to the fixed-point resolution (orderings of moved values cannot flip). Columns of
"extreme" magnitude also draw from the edges of those ranges and past them (integers at
2^47, 2^53 + 1, 2^62, the int64 limits; reals below 2^-17, subnormal, -0.0): there the
README promises a clear refusal (the out-of-range ``DataError``, ``NotSupportedError``
for a real of 2^47 or more) or an exact answer, never a wrapped value.

The CCL is role-aware: for each table and each other party, keys are mostly PLAINTEXT or
PLAINTEXT_AFTER_JOIN, group-like columns PLAINTEXT or PLAINTEXT_AFTER_GROUP_BY, measures
PLAINTEXT or PLAINTEXT_AFTER_AGGREGATE, with a few restrictive levels so that some
queries must be refused.
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
from dataclasses import dataclass, field, replace
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

PARTIES = ("alice", "bob", "carol")
# Larger federations: three of the parties compute, the others are data parties only
# (they share their rows in and receive results; DESIGN.md section 2).
MORE_PARTIES = ("dave", "erin")
LARGER_FEDERATION_RATE = 0.3

# A shared alphabet: equal strings across owners make joins and IN match; "a" and "a "
# differ, "" is not NULL, "é" is two UTF-8 bytes, and the long one needs two 8-byte words.
STRING_POOL = ("a", "b", "ab", "ba", "A", "a ", "", "é", "x'y", "zz", "longer than eight")
DATE_POOL = (dt.date(1969, 12, 31), dt.date(1970, 1, 1), dt.date(2000, 2, 29),
             dt.date(1999, 12, 31), dt.date(2024, 6, 1), dt.date(1901, 1, 1))
TIMESTAMP_POOL = (dt.datetime(1970, 1, 1), dt.datetime(1969, 12, 31, 23, 59, 59, 999999),
                  dt.datetime(2000, 1, 1, 12, 0), dt.datetime(2024, 6, 1, 8, 30, 0, 500000),
                  dt.datetime(1950, 5, 5, 5, 5, 5))
# Extremes inside the documented ranges, at their edges and past them (module docstring):
# an int64 past 2^47 cannot be made a real under MPC, one past 2^53 has no double, and
# sums or products of those near the int64 limits wrap a 64-bit ring; a real below 2^-17
# enters fixed-point arithmetic as 0, and 5e-324 is the least subnormal.
INT_EXTREMES = (2**31 - 1, -(2**31), 10**9, -(10**9), 0)
INT_PAST_RANGE = (2**47, -(2**47), 2**53 + 1, 2**62, -(2**63), 2**63 - 1)
FLOAT_EXTREMES = (1e9 + 0.125, -(1e9 + 0.125), 0.001, -0.001, -0.0, 0.0)
FLOAT_TINY = (1e-7, -1e-7, 1e-300, 5e-324, -5e-324)
PAST_RANGE_RATE = 0.5  # of the extreme values drawn, those from the pools past the ranges
MAX_DECIMAL_UNSCALED = 10**11

LEVELS = ("PLAINTEXT", "PLAINTEXT_AFTER_JOIN", "PLAINTEXT_AS_JOIN_PAYLOAD",
          "PLAINTEXT_AFTER_GROUP_BY", "PLAINTEXT_AFTER_COMPARE", "PLAINTEXT_AFTER_AGGREGATE",
          "REVEAL_RANK", "ENCRYPTED_ONLY")


@dataclass(frozen=True)
class ColumnSpec:
    """One column: ``role`` says how queries use it (``key`` joins, ``group`` groups,
    ``text`` strings, ``measure`` everything else); ``domain`` names the value domain
    shared across tables (columns of one domain join with each other)."""

    name: str
    type: str  # catalog type name, e.g. "decimal(12,2)"
    role: str
    domain: str

    @property
    def kind(self) -> str:
        return "decimal" if self.type.startswith("decimal") else self.type

    @property
    def scale(self) -> int:
        if self.kind != "decimal":
            return 0
        return int(self.type.split(",")[1].rstrip(")"))

    @property
    def precision(self) -> int:
        return int(self.type.split("(")[1].split(",")[0]) if self.kind == "decimal" else 0


@dataclass
class TableSpec:
    name: str
    owner: str
    columns: list[ColumnSpec]
    rows: list[tuple]
    # column -> party -> level, for the parties other than the owner; absent: ENCRYPTED_ONLY
    ccl: dict[str, dict[str, str]] = field(default_factory=dict)
    file_format: str = "csv"

    def level(self, column: str, party: str) -> str:
        if party == self.owner:
            return "PLAINTEXT"
        return self.ccl.get(column, {}).get(party, "ENCRYPTED_ONLY")

    def column(self, name: str) -> ColumnSpec:
        return next(c for c in self.columns if c.name == name)

    def values(self, name: str) -> list:
        i = [c.name for c in self.columns].index(name)
        return [row[i] for row in self.rows]


@dataclass
class RandomFederation:
    seed: int
    tables: list[TableSpec]
    parties: tuple[str, ...] = PARTIES
    compute: tuple[str, ...] = PARTIES  # the three computing parties

    @property
    def data_parties(self) -> tuple[str, ...]:
        return tuple(p for p in self.parties if p not in self.compute)

    def with_tables(self, tables: list[TableSpec]) -> RandomFederation:
        return replace(self, tables=list(tables))

    def table(self, name: str) -> TableSpec:
        return next(t for t in self.tables if t.name == name)

    def with_rows(self, table: str, rows: list[tuple]) -> RandomFederation:
        """The same federation with one table's rows replaced (for shrinking)."""
        return self.with_tables([replace(t, rows=list(rows)) if t.name == table else t
                                 for t in self.tables])

    def write(self, directory: Path) -> Path:
        """Write the catalog and its source files under ``directory``; return the catalog."""
        directory.mkdir(parents=True, exist_ok=True)
        for t in self.tables:
            path = directory / f"{t.name}.{t.file_format}"
            if t.file_format == "parquet":
                _write_parquet(t, path)
            else:
                path.write_text(_csv_text(t), encoding="utf-8")
        catalog = directory / "catalog.toml"
        catalog.write_text(catalog_toml(self), encoding="utf-8")
        return catalog


# --- generation ---------------------------------------------------------------------------


def federation_parties(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], str | None]:
    """The parties of federation ``seed``, the three of them that compute, and a
    compute-only helper that owns no table (or None): mostly alice, bob and carol; else
    four or five, some of them data parties. A stream of its own, so that three-party
    federations are those of earlier versions of the tester."""
    rng = random.Random(f"parties:{seed}")
    if rng.random() >= LARGER_FEDERATION_RATE:
        return PARTIES, PARTIES, None
    parties = PARTIES + MORE_PARTIES[:rng.choice((1, 2))]
    chosen = set(rng.sample(parties, 3))
    compute = tuple(p for p in parties if p in chosen)
    helper = rng.choice(compute) if rng.random() < 0.3 else None
    return parties, compute, helper


def generate_federation(seed: int) -> RandomFederation:
    rng = random.Random(f"federation:{seed}")
    parties, compute, helper = federation_parties(seed)
    openness = rng.choice((0.95, 0.85, 0.6))  # how often a column is plain to the others
    alphabet = rng.sample(STRING_POOL, rng.randint(3, 7))
    id_domain = rng.randint(8, 40)
    tables = []
    for party in parties:
        for n in range(rng.choice((1, 1, 2, 2, 3)) if party != helper else 0):
            name = f"{party[0]}{n + 1}"  # a1, a2, b1, ...
            tables.append(_table(rng, name, party, parties, alphabet, id_domain, openness))
    # edge sizes in many federations, not only where the size draw gives them
    if rng.random() < 0.4:
        t = rng.choice(tables)
        t.rows = t.rows[:1] if rng.random() < 0.6 else []
    return RandomFederation(seed, tables, parties, compute)


def _decimal_type(rng: random.Random) -> str:
    scale = rng.choice((0, 1, 2, 2, 3, 4))
    precision = rng.randint(max(scale + 1, 4), 18)
    return f"decimal({precision},{scale})"


def _table(rng: random.Random, name: str, owner: str, parties: tuple[str, ...],
           alphabet: list[str], id_domain: int, openness: float) -> TableSpec:
    columns = [
        ColumnSpec("id", "int64", "key", "id"),
        ColumnSpec("k", "int64", "group", "k"),
        ColumnSpec("s", "string", "text", "s"),
        ColumnSpec("i", "int64", "measure", "i"),
        ColumnSpec("f", "float64", "measure", "f"),
        ColumnSpec("b", "bool", "measure", "b"),
        ColumnSpec("d", "date", "group", "d"),
        ColumnSpec("ts", "timestamp", "measure", "ts"),
        ColumnSpec("m", _decimal_type(rng), "measure", "m"),
    ]
    extras = [ColumnSpec("i2", "int64", "measure", "i"), ColumnSpec("f2", "float64", "measure", "f"),
              ColumnSpec("m2", _decimal_type(rng), "measure", "m"),
              ColumnSpec("s2", "string", "text", "s"), ColumnSpec("k2", "int64", "group", "k")]
    columns += rng.sample(extras, rng.choice((0, 0, 1, 2)))
    size = rng.choices((0, 1, 2, 5, 12, 25), weights=(5, 10, 10, 20, 30, 25))[0]
    if size > 2:
        size = rng.randint(size // 2, size)
    generators = [_column_values(rng, c, size, alphabet, id_domain) for c in columns]
    rows = [tuple(g[r] for g in generators) for r in range(size)]
    if len(rows) > 1 and rng.random() < 0.4:  # exact duplicate rows
        for _ in range(rng.randint(1, 3)):
            rows.insert(rng.randrange(len(rows) + 1), rng.choice(rows))
    rng.shuffle(rows)
    others = [p for p in parties if p != owner]
    ccl = {c.name: {p: _level(rng, c, openness) for p in others} for c in columns}
    ccl = {c: {p: lv for p, lv in by_party.items() if lv != "ENCRYPTED_ONLY"}
           for c, by_party in ccl.items()}
    return TableSpec(name, owner, columns, rows, ccl, rng.choice(("csv", "csv", "parquet")))


def _level(rng: random.Random, column: ColumnSpec, openness: float) -> str:
    if rng.random() < openness:
        if column.role == "key":
            return rng.choice(("PLAINTEXT", "PLAINTEXT", "PLAINTEXT_AFTER_JOIN"))
        if column.role == "measure" and rng.random() < 0.5:
            return "PLAINTEXT_AFTER_AGGREGATE"
        return "PLAINTEXT"
    by_role = {
        "key": ("PLAINTEXT_AFTER_JOIN", "PLAINTEXT_AFTER_COMPARE", "ENCRYPTED_ONLY"),
        "group": ("PLAINTEXT_AFTER_GROUP_BY", "REVEAL_RANK", "PLAINTEXT_AFTER_COMPARE",
                  "PLAINTEXT_AS_JOIN_PAYLOAD", "ENCRYPTED_ONLY"),
        "text": ("PLAINTEXT_AFTER_GROUP_BY", "PLAINTEXT_AS_JOIN_PAYLOAD", "ENCRYPTED_ONLY"),
        "measure": ("PLAINTEXT_AFTER_AGGREGATE", "PLAINTEXT_AFTER_COMPARE", "REVEAL_RANK",
                    "PLAINTEXT_AS_JOIN_PAYLOAD", "ENCRYPTED_ONLY"),
    }
    return rng.choice(by_role[column.role])


def _column_values(rng: random.Random, column: ColumnSpec, size: int, alphabet: list[str],
                   id_domain: int) -> list:
    null_rate = rng.choices((0.0, 0.1, 0.3, 0.8, 1.0), weights=(35, 35, 18, 8, 4))[0]
    if column.role == "key":
        null_rate = min(null_rate, 0.1)
    make = _value_maker(rng, column, alphabet, id_domain)
    return [None if rng.random() < null_rate else make() for _ in range(size)]


def _value_maker(rng: random.Random, column: ColumnSpec, alphabet: list[str], id_domain: int):
    kind = column.kind
    if column.role == "key":
        # every owner draws from one shared window of ids, partly overlapping the others
        start = rng.randint(1, max(1, id_domain // 2))
        return lambda: rng.randint(start, start + id_domain // 2)
    if column.role == "group" and kind == "int64":
        top = rng.choice((2, 4, 6))
        return lambda: rng.randint(-1 if rng.random() < 0.1 else 0, top)
    if kind == "string":
        return lambda: rng.choice(alphabet)
    if kind == "bool":
        return lambda: rng.random() < 0.5
    if kind == "date":
        return lambda: (rng.choice(DATE_POOL) if rng.random() < 0.6 else
                        dt.date(1900, 1, 1) + dt.timedelta(days=rng.randint(0, 200 * 365)))
    if kind == "timestamp":
        def stamp():
            if rng.random() < 0.5:
                return rng.choice(TIMESTAMP_POOL)
            micro = rng.choice((0, 0, rng.randint(0, 999999)))
            return (dt.datetime(1900, 1, 1) + dt.timedelta(seconds=rng.randint(0, 200 * 365 * 86400),
                                                             microseconds=micro))
        return stamp
    magnitude = rng.choice(("small", "small", "medium", "extreme"))
    if kind == "int64":
        top = {"small": 20, "medium": 100000, "extreme": 100000}[magnitude]
        def integer():
            if magnitude == "extreme" and rng.random() < 0.3:
                return rng.choice(INT_PAST_RANGE if rng.random() < PAST_RANGE_RATE
                                  else INT_EXTREMES)
            return rng.randint(-top, top)
        return integer
    if kind == "float64":
        top = {"small": 30, "medium": 10000, "extreme": 10000}[magnitude]
        def real():
            if magnitude == "extreme" and rng.random() < 0.3:
                return rng.choice(FLOAT_TINY if rng.random() < PAST_RANGE_RATE
                                  else FLOAT_EXTREMES)
            return round(rng.uniform(-top, top), rng.choice((0, 1, 2, 3)))
        return real
    scale = column.scale
    top = min(10 ** (column.precision - scale) - 1, {"small": 50, "medium": 100000,
                                                       "extreme": 1000000}[magnitude])
    top = min(top, MAX_DECIMAL_UNSCALED // 10**scale)
    quantum = decimal.Decimal(1).scaleb(-scale)
    def fixed():
        units = rng.randint(-top * 10**scale, top * 10**scale)
        if magnitude != "extreme" and rng.random() < 0.5:
            units = units // 10**scale * 10**scale  # whole numbers tie more often
        return (decimal.Decimal(units) * quantum).quantize(quantum)
    return fixed


# --- files ----------------------------------------------------------------------------------


def sql_text(value) -> str:
    """A value as written in a CSV field (also used for SQL literals' inner text)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, decimal.Decimal):
        return format(value, "f")
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _csv_text(t: TableSpec) -> str:
    lines = [",".join(c.name for c in t.columns)]
    for row in t.rows:
        fields = []
        for c, v in zip(t.columns, row):
            if v is None:
                fields.append("")  # an empty field is NULL; "" is the empty string
            elif c.kind == "string":
                fields.append('"' + v.replace('"', '""') + '"')
            else:
                fields.append(sql_text(v))
        lines.append(",".join(fields))
    return "\n".join(lines) + "\n"


def arrow_type(c: ColumnSpec) -> pa.DataType:
    return {
        "int64": pa.int64(), "float64": pa.float64(), "bool": pa.bool_(),
        "string": pa.string(), "date": pa.date32(), "timestamp": pa.timestamp("us"),
    }.get(c.kind) or pa.decimal128(c.precision, c.scale)


def _write_parquet(t: TableSpec, path: Path) -> None:
    arrays = [pa.array([row[i] for row in t.rows], type=arrow_type(c))
              for i, c in enumerate(t.columns)]
    pq.write_table(pa.table(arrays, names=[c.name for c in t.columns]), path)


def catalog_toml(fed: RandomFederation) -> str:
    out = [f"# random federation, seed {fed.seed}", "[catalog]",
           f'name = "fuzz_{fed.seed}"', 'protocol = "rss3"']
    if fed.compute != fed.parties:
        out.append("compute = [" + ", ".join(f'"{p}"' for p in fed.compute) + "]")
    out.append("")
    for n, p in enumerate(fed.parties):
        out += [f"[parties.{p}]", 'storage = ":memory:"',
                f'address = "127.0.0.1:{7400 + n}"', ""]
    for t in fed.tables:
        columns = ", ".join(f'{c.name} = "{c.type}"' for c in t.columns)
        out += [f"[tables.{t.name}]", f'owner = "{t.owner}"',
                f'source = "{t.name}.{t.file_format}"', f"columns = {{ {columns} }}",
                f"[tables.{t.name}.ccl]"]
        for c in t.columns:
            levels = t.ccl.get(c.name, {})
            if levels:
                body = ", ".join(f'{p} = "{lv}"' for p, lv in levels.items())
                out.append(f"{c.name} = {{ {body} }}")
        out.append("")
    return "\n".join(out)
