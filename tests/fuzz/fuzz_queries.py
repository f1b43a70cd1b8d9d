"""Random queries over a random federation, in the MySQL-like dialect users write.

Every query is tagged with the shapes it exercises (its body, e.g. ``group_by``, and its
source, e.g. ``join_left``) for the report. The generator is role-aware: it models, for
the asker, what each column's CCL level allows (the rules of ``sql/visibility.py``: a
value shown as rows must be plain, an aggregate lifts PLAINTEXT_AFTER_AGGREGATE, a
comparison PLAINTEXT_AFTER_COMPARE, a group key PLAINTEXT_AFTER_GROUP_BY, an order key
needs REVEAL_RANK, a join key PLAINTEXT_AFTER_JOIN ...) and mostly picks what is allowed,
so that most queries run; the ``refusal`` shape deliberately shows what must be refused.

Results must be deterministic for the oracle to judge them: a top-level ORDER BY lists
every output column (ties are then rows equal in every column), ROW_NUMBER orders by
every selected column, and numeric expressions carry a bound on their magnitude so that
they stay inside the engine's documented ranges (see ``fuzz_federation``).
"""

from __future__ import annotations

import datetime as dt
import decimal
import random
import re
from dataclasses import dataclass, replace

from fuzz_federation import RandomFederation, TableSpec, sql_text

# What a CCL level still waits for before the value is plain (None: plain already).
AGG, CMP, GRP, JOIN, PAYLOAD, RANK, HIDDEN = ("agg", "cmp", "grp", "join", "payload",
                                               "rank", "hidden")
_WAITS_FOR = {
    "PLAINTEXT": None, "PLAINTEXT_AFTER_AGGREGATE": AGG, "PLAINTEXT_AFTER_COMPARE": CMP,
    "PLAINTEXT_AFTER_GROUP_BY": GRP, "PLAINTEXT_AFTER_JOIN": JOIN,
    "PLAINTEXT_AS_JOIN_PAYLOAD": PAYLOAD, "REVEAL_RANK": RANK, "ENCRYPTED_ONLY": HIDDEN,
}
NOT_HIDDEN = frozenset({AGG, CMP, GRP, JOIN, PAYLOAD, RANK})
NUMERIC = ("int64", "float64", "decimal")
ORDERED = NUMERIC + ("date", "timestamp", "string", "bool")

INT_LIMIT = 2.0**40
FLOAT_LIMIT = 2.0**40
DECIMAL_UNSCALED_LIMIT = 2.0**44
FLOAT_PRODUCT_LIMIT = 2.0**28  # the engine's fixed-point products are exact below 2^31
DIVISOR_RESOLUTION = 1e-4      # reals have 3 decimals and decimals at most 4
# integers this large (fuzz_federation.INT_PAST_RANGE) have no fixed-point real under MPC:
# arithmetic on them past INT_LIMIT is sometimes asked anyway, for the refusal
PAST_RANGE_BOUND = 2.0**47
PAST_RANGE_ARITHMETIC_RATE = 0.6
TINY_REAL = 2.0**-17  # a nonzero real below it enters fixed-point arithmetic as 0
# INTERVAL literals a user adds to a date or timestamp (MySQL's units; a quoted amount too)
INTERVAL_UNITS = {"date": ("DAY", "DAY", "WEEK", "MONTH", "QUARTER", "YEAR"),
                  "timestamp": ("DAY", "HOUR", "MINUTE", "SECOND", "MONTH", "YEAR")}
INTERVAL_RATE = 0.12  # of date and timestamp values and comparisons
# fractions PERCENTILE_CONT of a timestamp runs across parties for (a / 8), and one not
TIMESTAMP_FRACTIONS = ("0", "0.125", "0.25", "0.375", "0.5", "0.5", "0.625", "0.75",
                       "0.875", "1", "0.1")


@dataclass(frozen=True)
class Column:
    """A column as a query sees it in its FROM clause."""

    ref: str
    kind: str
    scale: int
    bound: float
    waits: frozenset  # what the asker's levels still wait for (empty: plain)
    domain: str
    samples: tuple = ()


@dataclass(frozen=True)
class Expr:
    sql: str
    kind: str
    scale: int = 0
    bound: float = 0.0
    waits: frozenset = frozenset()
    domain: str = ""
    samples: tuple = ()  # values of the column it is, for literals that match


@dataclass
class Source:
    sql: str
    columns: list[Column]
    tables: list[str]
    shapes: list[str]
    rows: int  # a bound on its row count
    comma_condition: str | None = None  # the WHERE a comma join needs
    ctes: tuple[tuple[str, str], ...] = ()  # (name, body) of the WITH tables it reads


@dataclass
class Query:
    sql: str
    asker: str
    shapes: tuple[str, ...]
    must_refuse: bool = False
    tables: tuple[str, ...] = ()
    items: tuple = ()  # the select items' Exprs, to use the query as a derived table
    params: list | None = None  # qmark parameters of ``sql``, bound by ``binder``
    binder: str = "execute"  # "execute" (Federation.execute) or "dbapi" (a cursor)
    literal_sql: str = ""  # the same query with its literals in place (for the oracle)

    def literal(self) -> Query:
        """The query as the oracle reads it: literals in place of parameters."""
        if self.params is None:
            return self
        return replace(self, sql=self.literal_sql, params=None)


@dataclass(frozen=True)
class Context:
    """What may take part in an expression: ``values`` are the waits allowed on a value
    (empty: it must be plain); comparisons additionally lift CMP."""

    values: frozenset

    def allows(self, waits: frozenset, compared: bool = False) -> bool:
        allowed = self.values | {CMP} if compared else self.values
        return waits <= allowed


ROWS = Context(frozenset())
UNDER_AGGREGATE = Context(frozenset({AGG}))
FILTER_UNDER_AGGREGATE = Context(NOT_HIDDEN)


def literal(kind: str, value) -> str:
    if value is None:
        return "NULL"
    if kind == "string":
        return "'" + value.replace("'", "''") + "'"
    if kind == "date":
        return f"CAST('{sql_text(value)}' AS DATE)"
    if kind == "timestamp":
        return f"CAST('{sql_text(value)}' AS DATETIME)"
    if kind == "bool":
        return "TRUE" if value else "FALSE"
    text = sql_text(value)
    if kind == "float64" and "e" not in text and "." not in text:
        text += ".0"
    return text


class QueryGenerator:
    """Queries over one federation; ``query(index)`` is a pure function of the federation
    seed and the index, so one query can be replayed alone."""

    def __init__(self, fed: RandomFederation):
        self.fed = fed
        self.nested = 0  # > 0 while generating a derived table (no ORDER BY, no LIMIT)
        self.tags: set[str] = set()  # risks taken on the way, for the report and matchers

    # --- entry points ----------------------------------------------------------------------
    SHAPES = ("rows", "aggregate", "group_by", "distinct", "window", "union", "join",
              "in_subquery", "not_in_subquery", "exists", "scalar_subquery", "refusal",
              "cte", "correlated_scalar", "quantified", "subquery_in_or",
              "subquery_in_select", "statistics", "set_operation")
    WEIGHTS = (10, 12, 14, 6, 9, 8, 18, 6, 4, 5, 7, 3, 7, 5, 4, 4, 3, 4, 3)

    def _start(self, rng: random.Random) -> None:
        self.rng = rng
        self.tags = set()
        self.ctes_named = 0
        self.force_cte = False
        self.asker = rng.choice(self.fed.parties)
        # column references read whose values are past the ranges (for the report)
        self.extreme_refs: dict[str, str] = {}

    def query(self, index: int, shape: str | None = None) -> Query:
        rng = random.Random(f"query:{self.fed.seed}:{index}")
        self._start(rng)
        shape = shape or rng.choices(self.SHAPES, weights=self.WEIGHTS)[0]
        q = getattr(self, f"_shape_{shape}")()
        if q is None:  # the federation has nothing for this shape
            q = self._shape_aggregate()
        return replace(q, asker=self.asker, shapes=q.shapes + self._role_tags(q))

    def _role_tags(self, q: Query) -> tuple[str, ...]:
        """The risks taken, who asks (an owner of every table read, of some, of none), and
        in a federation of more than three parties, whether data parties take part."""
        owners = {self.fed.table(t).owner for t in q.tables}
        role = ("asker:owner" if owners == {self.asker} else
                "asker:partial" if self.asker in owners else "asker:other")
        extremes = {tag for ref, tag in self.extreme_refs.items()
                    if re.search(rf"(?<![\w.]){re.escape(ref)}(?!\w)", q.sql)}
        out = tuple(sorted(self.tags | extremes)) + (role,)
        if len(self.fed.parties) > 3:
            data = set(self.fed.data_parties)
            out += (f"parties:{len(self.fed.parties)}",)
            if self.asker in data:
                out += ("asker:data_party",)
            if owners & data:
                out += ("data_party_table",)
        return out

    def tlp(self, index: int) -> tuple[Query, Query]:
        """Ternary logic partitioning: a query and the UNION ALL of its rows where a
        predicate is TRUE, FALSE and NULL (or the same under an aggregate)."""
        rng = random.Random(f"tlp:{self.fed.seed}:{index}")
        self._start(rng)
        base, parts = self._tlp(rng)
        tags = self._role_tags(base)
        return (replace(base, shapes=base.shapes + tags),
                replace(parts, shapes=parts.shapes + tags))

    def _tlp(self, rng: random.Random) -> tuple[Query, Query]:
        aggregated = rng.random() < 0.4
        context = FILTER_UNDER_AGGREGATE if aggregated else ROWS
        src = self.source(aggregated, context)
        where = self._where(src, context, 0.4)
        p = self.predicate(src, context, 2).sql
        read: tuple[str, ...] = ()
        if rng.random() < 0.25:  # partitions by a subquery's condition
            found = self._subquery_condition(src, aggregated)
            if found is not None:
                p, read = found
                self.tags.add("tlp_subquery")
        partitions = [f"({p})", f"(NOT ({p}))", f"(({p}) IS NULL)"]
        prefix = _with_clause(src.ctes)
        if not aggregated:
            items = self._row_items(src, rng.randint(1, 3))
            base = self._select(items, src, where, limit_ok=False, shapes=["tlp"])
            parts = [self._select(items, src, where + [c], limit_ok=False, ctes=False).sql
                     for c in partitions]
            base = replace(base, tables=tuple(dict.fromkeys(base.tables + read)))
            return base, replace(base, sql=prefix + " UNION ALL ".join(parts))
        # aggregates that recombine: COUNT by SUM, SUM by SUM, MIN by MIN, MAX by MAX
        items, outer = [], []
        for j in range(rng.randint(1, 3)):
            form = rng.choice(("count", "sum", "min", "max"))
            if form == "count":
                items.append(Expr("COUNT(*)", "int64", 0, float(src.rows)))
                outer.append(f"SUM(t.c{j}) AS c{j}")
                continue
            arg = self.numeric(src, UNDER_AGGREGATE, 1)
            items.append(Expr(f"{form.upper()}({arg.sql})", arg.kind, arg.scale, arg.bound,
                              arg.waits - {AGG}))
            outer.append(f"{'SUM' if form == 'sum' else form.upper()}(t.c{j}) AS c{j}")
        base = self._select(items, src, where, limit_ok=False, shapes=["tlp", "aggregate"])
        base = replace(base, tables=tuple(dict.fromkeys(base.tables + read)))
        parts = [self._select(items, src, where + [c], limit_ok=False, ctes=False).sql
                 for c in partitions]
        sql = f"{prefix}SELECT {', '.join(outer)} FROM ({' UNION ALL '.join(parts)}) AS t"
        return base, replace(base, sql=sql)

    # --- sources -----------------------------------------------------------------------------
    def _table_columns(self, t: TableSpec, alias: str) -> list[Column]:
        out = []
        for c in t.columns:
            values = [v for v in t.values(c.name) if v is not None]
            waits = _WAITS_FOR[t.level(c.name, self.asker)]
            bound = max((abs(float(v)) for v in values), default=0.0) if c.kind in NUMERIC else 0.0
            samples = tuple(self.rng.sample(values, min(4, len(values)))) if values else ()
            if c.kind == "int64" and bound >= PAST_RANGE_BOUND:
                self.extreme_refs[f"{alias}.{c.name}"] = "int64_past_2_47"
            elif c.kind == "float64" and any(0 < abs(v) < TINY_REAL for v in values):
                self.extreme_refs[f"{alias}.{c.name}"] = "tiny_real"
            out.append(Column(f"{alias}.{c.name}", c.kind, c.scale, bound,
                              frozenset([waits]) if waits else frozenset(), c.domain,
                              samples))
        return out

    def _pick_table(self, prefer_owner: bool | None = None) -> TableSpec:
        tables = self.fed.tables
        if prefer_owner is None:
            prefer_owner = self.rng.random() < 0.35
        mine = [t for t in tables if t.owner == self.asker]
        if prefer_owner and mine:
            return self.rng.choice(mine)
        return self.rng.choice(tables)

    def table_source(self, alias: str = "a", table: TableSpec | None = None) -> Source:
        t = table or self._pick_table()
        return Source(f"{t.name} AS {alias}", self._table_columns(t, alias), [t.name],
                      [], max(1, len(t.rows)))

    def union_source(self, alias: str = "u", context: Context = ROWS,
                     shown: Context | None = None) -> Source:
        """UNION ALL of two or three tables, mostly of different owners, as a subquery;
        ``context`` is for the branches' filters, ``shown`` (if given) what every column
        must allow, for a union whose columns are all shown as rows."""
        rng = self.rng
        for _attempt in range(6):
            owners = rng.sample(self.fed.parties, rng.choice((2, 2, 3)))
            tables = [rng.choice([t for t in self.fed.tables if t.owner == o] or self.fed.tables)
                      for o in owners]
            if rng.random() < 0.15:
                tables.append(rng.choice(self.fed.tables))
            available = [c.kind for c in tables[0].columns]
            if shown is None:
                break
            # only kinds every branch can show; other tables if there are none
            plain = [{c.kind for c in self._table_columns(t, t.name) if shown.allows(c.waits)}
                     for t in tables]
            if set.intersection(*plain):
                available = sorted(set.intersection(*plain))
                break
        width = rng.randint(1, 4)
        kinds = [rng.choice(available) for _ in range(width)]
        if rng.random() < 0.6 and "int64" in available:
            kinds[0] = "int64"  # a key-like first column for joins and groups
        branches, per_branch = [], []
        for t in tables:
            cols = self._table_columns(t, t.name)
            picks = []
            for kind in kinds:
                same = [c for c in cols if c.kind == kind]
                if shown is not None and rng.random() < 0.97:
                    same = [c for c in same if shown.allows(c.waits)] or same
                if kind == "int64" and picks == [] and rng.random() < 0.7:
                    same = [c for c in same if c.domain in ("id", "k")] or same
                picks.append(rng.choice(same))
            per_branch.append(picks)
            items = ", ".join(f"{c.ref} AS c{j}" for j, c in enumerate(picks))
            where = ""
            if rng.random() < 0.3:
                src = Source(t.name, cols, [t.name], [], len(t.rows))
                pred = self.predicate(src, context, 1)
                where = f" WHERE {pred.sql}"
            branches.append(f"SELECT {items} FROM {t.name}{where}")
        columns = []
        for j, kind in enumerate(kinds):
            group = [b[j] for b in per_branch]
            columns.append(Column(
                f"{alias}.c{j}", kind, max(c.scale for c in group),
                max(c.bound for c in group), frozenset().union(*(c.waits for c in group)),
                group[0].domain if len({c.domain for c in group}) == 1 else "mixed",
                tuple(v for c in group for v in c.samples[:2])))
        rows = sum(max(1, len(t.rows)) for t in tables)
        op, shapes = "UNION ALL", ["union"]
        if rng.random() < 0.1:  # distinct set operations on the same rows
            op = rng.choice(("UNION", "INTERSECT", "EXCEPT"))
            shapes = [f"set_{op.lower()}"]
        return Source(f"({f' {op} '.join(branches)}) AS {alias}", columns,
                      [t.name for t in tables], shapes, rows)

    def join_source(self, aggregated: bool) -> Source:
        """Two or three tables joined on keys of shared domains; inner, LEFT, RIGHT or a
        comma join; a union may stand on one side."""
        rng = self.rng
        how = rng.choice(("JOIN", "JOIN", "LEFT JOIN", "RIGHT JOIN", "comma"))
        if how == "LEFT JOIN" and rng.random() < 0.4:
            how = "FULL JOIN"
        small = [t for t in self.fed.tables if len(t.rows) <= 12]
        if small and rng.random() < 0.12:
            # every pair of rows of two small tables (a WHERE may relate them)
            left = self.table_source("a", rng.choice(small))
            right = self.table_source("b", rng.choice(small))
            return self._cross_join(left, right)
        left = (self.union_source("u") if rng.random() < 0.15 else self.table_source("a"))
        right = self.table_source("b")
        joined, shape = self._join(left, right, how, aggregated)
        if joined is None:
            return left
        if rng.random() < 0.25 and joined.comma_condition is None:
            third = self.table_source("c")
            how2 = rng.choice(("JOIN", "JOIN", "LEFT JOIN", "RIGHT JOIN"))
            again, shape2 = self._join(joined, third, how2, aggregated)
            if again is not None:
                again.shapes.append("join_three")
                return again
        return joined

    def _join(self, left: Source, right: Source, how: str, aggregated: bool):
        rng = self.rng
        pairs = [(a, b) for a in left.columns for b in right.columns
                 if a.kind == b.kind and a.domain == b.domain and a.kind != "float64"
                 and a.domain in ("id", "k", "s", "d", "m", "mixed")]
        if not pairs:
            return None, None
        key_pairs = [p for p in pairs if p[0].domain == "id"] if rng.random() < 0.6 else []
        first = rng.choice(key_pairs or pairs)
        keys = [first]
        if rng.random() < 0.2:
            others = [p for p in pairs if p[0] is not first[0] and p[1] is not first[1]]
            if others:
                keys.append(rng.choice(others))
        # an un-aggregated join shows which rows match: its keys must be plain after it
        if not aggregated:
            ok = [p for p in keys if not (p[0].waits - {JOIN}) and not (p[1].waits - {JOIN})]
            if ok != keys and rng.random() < 0.8:
                keys = ok or [p for p in pairs if not (p[0].waits - {JOIN})
                              and not (p[1].waits - {JOIN})][:1]
                if not keys:
                    return None, None
        condition = " AND ".join(f"{a.ref} = {b.ref}" for a, b in keys)
        shape = {"JOIN": "join_inner", "LEFT JOIN": "join_left", "RIGHT JOIN": "join_right",
                 "comma": "join_comma", "FULL JOIN": "join_full"}[how]
        extra = ""
        context = ROWS if not aggregated else FILTER_UNDER_AGGREGATE
        if how in ("LEFT JOIN", "RIGHT JOIN", "JOIN") and rng.random() < 0.3:
            # a condition on one input in ON: for an outer join it decides which rows
            # may match, not which are output
            side = right if rng.random() < 0.5 else left
            pred = self.predicate(side, context, 0)
            extra = f" AND {pred.sql}"
            self.tags.add("join_on_filter")
        if how == "JOIN" and rng.random() < 0.15:
            # a condition between the two inputs other than an equality of keys
            a = self.column(left, context, NUMERIC, compared=True)
            b = self.column(right, context, NUMERIC, compared=True)
            if a is not None and b is not None:
                extra += f" AND {a.ref} {rng.choice(('<', '<=', '<>', '>'))} {b.ref}"
                self.tags.add("join_residual")
        if how == "comma":
            sql = f"{left.sql}, {right.sql}"
            where = condition
        else:
            spelled = "FULL OUTER JOIN" if how == "FULL JOIN" and rng.random() < 0.5 else how
            sql = f"{left.sql} {spelled} {right.sql} ON {condition}{extra}"
            where = None
        key_refs = {c.ref for pair in keys for c in pair}
        columns = []
        # a preserved side's keys keep their unmatched values: only the other side's lift
        for side, preserved in ((left, how in ("LEFT JOIN", "FULL JOIN")),
                                (right, how in ("RIGHT JOIN", "FULL JOIN"))):
            for c in side.columns:
                if c.ref in key_refs:
                    waits = c.waits if preserved else c.waits - {JOIN}
                else:
                    waits = c.waits - {PAYLOAD}
                columns.append(replace(c, waits=waits))
        rows = left.rows * right.rows
        return Source(sql, columns, left.tables + right.tables,
                      left.shapes + right.shapes + [shape], min(rows, 100000), where,
                      _merged_ctes(left, right)), shape

    def _cross_join(self, left: Source, right: Source) -> Source:
        """``left CROSS JOIN right``: no key is compared, so no level is lifted but a
        payload's (every row is in the output)."""
        columns = [replace(c, waits=c.waits - {PAYLOAD}) for c in left.columns + right.columns]
        return Source(f"{left.sql} CROSS JOIN {right.sql}", columns, left.tables + right.tables,
                      left.shapes + right.shapes + ["join_cross"],
                      min(left.rows * right.rows, 100000), ctes=_merged_ctes(left, right))

    def source(self, aggregated: bool, context: Context) -> Source:
        r = self.rng.random()
        if (self.force_cte or r < 0.07) and not self.nested:
            self.force_cte = False
            return self.cte_source(aggregated, context)
        if r < 0.16 and not self.nested:
            return self.derived_source()
        if r < 0.5:
            return self.table_source()
        if r < 0.72:
            return self.union_source(context=context)
        return self.join_source(aggregated)

    def derived_source(self, alias: str = "q") -> Source:
        """A grouped, windowed, DISTINCT or aggregated query as a table in FROM."""
        body = self.rng.choice((self._shape_group_by, self._shape_group_by, self._shape_window,
                                self._shape_distinct, self._shape_aggregate))
        self.nested += 1
        try:
            inner = body()
        finally:
            self.nested -= 1
        if not inner.items:
            return self.table_source()
        columns = [Column(f"{alias}.c{j}", e.kind, e.scale, e.bound, e.waits,
                          e.domain or f"derived{j}", e.samples)
                   for j, e in enumerate(inner.items) if e.kind != "null"]
        rows = sum(max(1, len(self.fed.table(t).rows)) for t in inner.tables) ** 2
        shapes = ["derived"] + [s for s in inner.shapes if not s.startswith("asker")]
        return Source(f"({inner.sql}) AS {alias}", columns, list(inner.tables), shapes,
                      min(rows, 100000))

    def cte_source(self, aggregated: bool, context: Context) -> Source:
        """A WITH table (a selection, or a grouped, windowed, DISTINCT or aggregated
        query), read once, joined with itself (read twice) or with a table."""
        rng = self.rng
        name = f"w{self.ctes_named}"
        self.ctes_named += 1
        self.nested += 1
        try:
            if rng.random() < 0.45:
                inner = self._selection(context)
            else:
                inner = rng.choice((self._shape_group_by, self._shape_window,
                                    self._shape_distinct, self._shape_aggregate))()
        finally:
            self.nested -= 1
        if not inner.items:
            return self.table_source()
        rows = sum(max(1, len(self.fed.table(t).rows)) for t in inner.tables) ** 2
        shapes = ["cte"] + [s for s in inner.shapes if not s.startswith("asker")]
        ctes = ((name, inner.sql),)

        def read(alias: str) -> Source:
            columns = [Column(f"{alias}.c{j}", e.kind, e.scale, e.bound, e.waits,
                              e.domain or f"{name}c{j}", e.samples)
                       for j, e in enumerate(inner.items) if e.kind != "null"]
            return Source(f"{name} AS {alias}", columns, list(inner.tables), list(shapes),
                          min(rows, 100000), ctes=ctes)

        r = rng.random()
        if r < 0.35:
            how = rng.choice(("JOIN", "JOIN", "LEFT JOIN", "comma"))
            joined, _ = self._join(read("x"), read("y"), how, aggregated)
            if joined is not None:
                joined.shapes.append("cte_twice")
                return joined
        elif r < 0.5:
            joined, _ = self._join(read("x"), self.table_source("b"),
                                   rng.choice(("JOIN", "LEFT JOIN")), aggregated)
            if joined is not None:
                return joined
        return read("x")

    def _selection(self, context: Context) -> Query:
        """Some columns of a table or a union, maybe filtered (a WITH table's body)."""
        rng = self.rng
        src = self.union_source("t", context) if rng.random() < 0.3 else self.table_source("t")
        cols = rng.sample(src.columns, min(len(src.columns), rng.randint(2, 4)))
        keys = [c for c in src.columns if c.domain in ("id", "k") and c not in cols]
        if keys and rng.random() < 0.7:
            cols = [rng.choice(keys)] + cols
        items = [Expr(c.ref, c.kind, c.scale, c.bound, c.waits, domain=c.domain,
                      samples=c.samples) for c in cols]
        return self._select(items, src, self._where(src, context, 0.5), shapes=[])

    # --- expressions -------------------------------------------------------------------------
    def column(self, src: Source, context: Context, kinds=None, compared=False,
               domain: str | None = None) -> Column | None:
        cols = [c for c in src.columns if context.allows(c.waits, compared)
                and (kinds is None or c.kind in kinds) and (domain is None or c.domain == domain)]
        return self.rng.choice(cols) if cols else None

    def sample_literal(self, col: Column | Expr) -> Expr:
        rng = self.rng
        samples = col.samples
        kind = col.kind
        if samples and rng.random() < 0.7:
            value = rng.choice(samples)
        elif kind == "int64":
            value = rng.randint(-3, 10)
        elif kind == "float64":
            value = rng.choice((0.5, -1.25, 10.0, 0.0, 2.125))
        elif kind == "decimal":
            value = decimal.Decimal(rng.choice(("1.5", "-2.25", "0", "10", "0.01")))
        elif kind == "string":
            value = rng.choice(("a", "b", "", "zz"))
        elif kind == "date":
            value = dt.date(2000, 1, 1)
        elif kind == "timestamp":
            value = dt.datetime(2000, 1, 1, 12)
        else:
            value = rng.random() < 0.5
        if kind == "float64" and isinstance(value, float) and value == 0 and rng.random() < 0.5:
            value = 0.0
        bound = abs(float(value)) if kind in NUMERIC else 0.0
        scale = 0
        if kind == "decimal":
            scale = max(0, -value.as_tuple().exponent)
        return Expr(literal(kind, value), kind, scale, bound)

    def numeric(self, src: Source, context: Context, depth: int, compared=False) -> Expr:
        rng = self.rng
        col = self.column(src, context, NUMERIC, compared)
        if rng.random() < 0.025:
            day = self.weekday(src, context, compared)
            if day is not None:
                return day
        if depth <= 0 or rng.random() < 0.45:
            if col is None or rng.random() < 0.1:
                return self.sample_literal(Expr("", rng.choice(NUMERIC)))
            return Expr(col.ref, col.kind, col.scale, col.bound, col.waits,
                        domain=col.domain, samples=col.samples)
        choice = rng.choice(("add", "sub", "mul", "div", "mod", "neg", "case", "if",
                             "coalesce", "nullif", "cast", "intdiv", "function"))
        if choice == "function":
            return self.function(src, context, depth - 1, compared)
        a = self.numeric(src, context, depth - 1, compared)
        if choice in ("add", "sub"):
            b = self.numeric(src, context, depth - 1, compared)
            op = "+" if choice == "add" else "-"
            return _arith(a, op, b) or self._past_range(a, op, b) or a
        if choice == "mul":
            b = self.numeric(src, context, depth - 1, compared) if rng.random() < 0.5 else \
                self.sample_literal(Expr("", rng.choice(("int64", "decimal", "float64"))))
            product = _arith(a, "*", b) or self._past_range(a, "*", b)
            if product is None and rng.random() < 0.25:
                # beyond what fixed-point products are exact for, inside what floats hold
                product = _arith(a, "*", b, float_product_limit=FLOAT_LIMIT)
                if product is not None:
                    self.tags.add("large_float_product")
            return product or _arith(a, "*", Expr("2", "int64", 0, 2.0)) or a
        if choice == "div":
            b = (self.numeric(src, context, 0, compared) if rng.random() < 0.7 else
                 Expr(rng.choice(("0", "2", "-3", "0.5")), "int64", 0, 3.0))
            if b.sql == "0.5":
                b = Expr("0.5", "decimal", 1, 0.5)
            return _divide(a, b) or a
        if choice == "intdiv":
            b = (self.numeric(src, context, 0, compared) if rng.random() < 0.6 else
                 Expr(rng.choice(("2", "3", "-4", "0")), "int64", 0, 4.0))
            if a.bound / DIVISOR_RESOLUTION >= INT_LIMIT:
                return a
            return Expr(f"({a.sql} DIV {b.sql})", "int64", 0, a.bound / DIVISOR_RESOLUTION,
                        a.waits | b.waits)
        if choice == "mod":
            b = self.numeric(src, context, 0, compared)
            if "float64" in (a.kind, b.kind):
                return a
            kind = "decimal" if "decimal" in (a.kind, b.kind) else "int64"
            return Expr(f"({a.sql} % {b.sql})", kind, max(a.scale, b.scale),
                        min(a.bound, b.bound) if b.bound else a.bound, a.waits | b.waits)
        if choice == "neg":
            return replace(a, sql=f"(-{a.sql})")
        if choice in ("case", "if"):
            p = self.predicate(src, context, depth - 1)
            b = self.numeric(src, context, depth - 1, compared)
            kind, scale = _common_numeric(a, b)
            bound = max(a.bound, b.bound)
            waits = a.waits | b.waits | p.waits
            if choice == "if":
                return Expr(f"IF({p.sql}, {a.sql}, {b.sql})", kind, scale, bound, waits)
            if rng.random() < 0.3:
                return Expr(f"CASE WHEN {p.sql} THEN {a.sql} END", a.kind, a.scale, a.bound,
                            a.waits | p.waits)
            return Expr(f"CASE WHEN {p.sql} THEN {a.sql} ELSE {b.sql} END", kind, scale,
                        bound, waits)
        if choice == "coalesce":
            b = self.numeric(src, context, 0, compared)
            kind, scale = _common_numeric(a, b)
            fn = rng.choice(("COALESCE", "IFNULL"))
            return Expr(f"{fn}({a.sql}, {b.sql})", kind, scale, max(a.bound, b.bound),
                        a.waits | b.waits)
        if choice == "nullif":
            b = self.sample_literal(a)
            return replace(a, sql=f"NULLIF({a.sql}, {b.sql})")
        # cast
        target = rng.choice(("DOUBLE", "SIGNED", "DECIMAL"))
        if target == "DOUBLE":
            return Expr(f"CAST({a.sql} AS DOUBLE)", "float64", 0, a.bound, a.waits)
        if target == "SIGNED":
            return Expr(f"CAST({a.sql} AS SIGNED)", "int64", 0, a.bound + 1, a.waits)
        scale = rng.randint(0, 3)
        digits = len(str(int(a.bound))) + 1
        if digits + scale > 18 or a.bound * 10**scale > DECIMAL_UNSCALED_LIMIT:
            return a
        precision = rng.randint(digits + scale, 18)
        return Expr(f"CAST({a.sql} AS DECIMAL({precision},{scale}))", "decimal", scale,
                    a.bound + 1, a.waits)

    def _past_range(self, a: Expr, op: str, b: Expr) -> Expr | None:
        """``a op b`` over an integer of 2^47 or more that ``_arith`` left out, sometimes:
        DuckDB's BIGINT arithmetic fails past int64 and a real cannot hold it under MPC,
        so the engine must refuse it (the out-of-range DataError) or be exact, never
        wrap (the verdict's ``overflow``)."""
        if a.kind not in NUMERIC or b.kind not in NUMERIC or not any(
                e.kind == "int64" and e.bound >= PAST_RANGE_BOUND for e in (a, b)):
            return None
        if self.rng.random() >= PAST_RANGE_ARITHMETIC_RATE:
            return None
        self.tags.add("past_int64_range")
        kind, scale = _common_numeric(a, b)
        bound = a.bound * b.bound if op == "*" else a.bound + b.bound
        return Expr(f"({a.sql} {op} {b.sql})", kind, scale, bound, a.waits | b.waits)

    def interval(self, e: Expr) -> Expr:
        """``e + INTERVAL n UNIT`` (or ``-``, a quoted amount, the interval first) of a
        date or timestamp: DuckDB's timestamp, computed by the owner of ``e``'s columns;
        under MPC (pushdown off, values of several parties) NotSupportedError."""
        rng = self.rng
        unit = rng.choice(INTERVAL_UNITS[e.kind])
        n = rng.choice((1, 2, 3, 7, 30, 400) if unit in ("DAY", "HOUR", "MINUTE", "SECOND")
                       else (1, 2, 3, 12))
        if rng.random() < 0.1:
            n = -n
        amount = f"'{n}'" if rng.random() < 0.3 else str(n)
        self.tags.add("interval_arith")
        if rng.random() < 0.1:
            sql = f"(INTERVAL {amount} {unit} + {e.sql})"
        else:
            sql = f"({e.sql} {rng.choice(('+', '-'))} INTERVAL {amount} {unit})"
        return Expr(sql, "timestamp", 0, 0.0, e.waits, samples=e.samples)

    def weekday(self, src: Source, context: Context, compared=False,
                col: Column | None = None) -> Expr | None:
        """The day of the week of a date or timestamp, numbered the ways the README lists
        (WEEKDAY and DAYOFWEEK are DuckDB's, 0 on Sunday; ISODOW 1 on Monday to 7), by
        its owner or exactly under MPC; None if ``src`` has no such column."""
        rng = self.rng
        col = col or self.column(src, context, ("date", "timestamp"), compared)
        if col is None:
            return None
        self.tags.update(("owner_function", "weekday_isodow"))
        part = rng.choice(("WEEKDAY({})", "DAYOFWEEK({})", "EXTRACT(ISODOW FROM {})",
                           "EXTRACT(DOW FROM {})", "DAYOFWEEK({} + INTERVAL 1 DAY)",
                           "CASE WHEN WEEKDAY({}) IN (0, 6) THEN 1 ELSE 0 END",
                           "CASE WHEN WEEKDAY({}) + 1 = EXTRACT(ISODOW FROM {}) THEN 1 "
                           "ELSE 0 END"))
        if "INTERVAL" in part:
            self.tags.add("interval_arith")
        return Expr(part.format(col.ref, col.ref), "int64", 0, 7.0, col.waits)

    def function(self, src: Source, context: Context, depth: int, compared=False) -> Expr:
        """A number from a scalar function: of a number (ABS, ROUND, FLOOR, CEIL, SIGN),
        a date or timestamp (YEAR, MONTH, DAY, EXTRACT, DATEDIFF), a string (LENGTH, a
        LIKE as 0 or 1). Over one party's columns it runs at that party; over several,
        only what has a protocol runs (the rest is refused, NotSupportedError)."""
        rng = self.rng
        form = rng.choice(("number", "number", "date", "string", "math"))
        if form == "date":
            col = self.column(src, context, ("date", "timestamp"), compared)
            if col is not None and rng.random() < 0.3:
                return self.weekday(src, context, compared, col)
            if col is not None:
                part = rng.choice(("YEAR({})", "MONTH({})", "DAY({})",
                                   "EXTRACT(YEAR FROM {})", "DATEDIFF({}, '2000-01-01')",
                                   "YEAR({} + INTERVAL 40 DAY)", "QUARTER({})",
                                   "DAYOFWEEK({})", "DAYOFYEAR({})", "WEEK({})",
                                   "WEEKOFYEAR({})", "EXTRACT(DOY FROM {})",
                                   "MONTH(DATE_ADD({}, INTERVAL 3 MONTH))",
                                   "DAY(LAST_DAY({}))") + (
                    ("HOUR({})", "MINUTE({})", "SECOND({})") if col.kind == "timestamp" else ()))
                self.tags.add("owner_function")
                if "WEEK" in part or "DOY" in part or "DAYOFYEAR" in part:
                    self.tags.add("dayofyear_week")
                if "DAYOFWEEK" in part:
                    self.tags.add("weekday_isodow")
                return Expr(part.format(col.ref), "int64", 0, 100_000.0, col.waits)
        if form == "string":
            col = self.column(src, context, ("string",), compared)
            if col is not None:
                text = rng.choice(("LENGTH({})", "LENGTH(UPPER({}))",
                                   "CASE WHEN {} LIKE 'a%' THEN 1 ELSE 0 END",
                                   "CASE WHEN LOWER({}) LIKE '%z%' THEN 1 ELSE 0 END",
                                   "LOCATE('a', {})", "LENGTH(TRIM({}))",
                                   "LENGTH(CONCAT({}, 'xy'))", "LENGTH(REPLACE({}, 'a', ''))"))
                self.tags.add("owner_function")
                return Expr(text.format(col.ref, col.ref), "int64", 0, 1000.0, col.waits)
        a = self.numeric(src, context, depth, compared)
        if form == "math" and a.kind in NUMERIC:
            # reals computed by the owner (DuckDB's doubles): kept small and defined
            self.tags.add("owner_function")
            fn = rng.choice(("SQRT(ABS({}))", "LN(ABS({}) + 1)", "SIN({})", "COS({})",
                             "POW({}, 2)", "GREATEST({}, 0)", "LEAST({}, 1)", "ROUND({}, 1)",
                             "EXP(LEAST({}, 5))", "PI() * {}"))
            bound = {"SQRT": a.bound**0.5 + 1, "LN(A": 40.0, "SIN(": 1.0, "COS(": 1.0,
                     "POW(": a.bound * a.bound, "EXP(": 150.0, "PI()": a.bound * 3.2}.get(
                         fn[:4], a.bound + 1)
            if bound >= FLOAT_PRODUCT_LIMIT:
                return a
            if fn.startswith(("GREATEST", "LEAST", "ROUND")):
                kind, scale = a.kind, (a.scale if fn.startswith(("GREATEST", "LEAST")) else
                                       min(a.scale, 1))
            else:
                kind, scale = "float64", 0
            return Expr(fn.format(a.sql), kind, scale, bound, a.waits)
        fn = rng.choice(("ABS", "ROUND", "FLOOR", "CEIL", "SIGN"))
        if fn == "SIGN":
            return Expr(f"SIGN({a.sql})", "int64", 0, 1.0, a.waits)
        if fn == "ABS":
            return replace(a, sql=f"ABS({a.sql})")
        scale = 0 if a.kind == "decimal" else a.scale
        return Expr(f"{fn}({a.sql})", a.kind, scale, a.bound + 1, a.waits)

    def text_function(self, col: Column) -> Expr:
        """A string or date computed from one column by its owner."""
        rng = self.rng
        self.tags.add("owner_function")
        if col.kind == "string":
            form = rng.choice(("UPPER({})", "LOWER({})", "SUBSTRING({}, 1, 2)", "TRIM({})",
                               "CONCAT({}, '-')", "REPLACE({}, 'a', 'b')", "LEFT({}, 1)",
                               "RIGHT({}, 2)", "REVERSE({})"))
        else:
            form = rng.choice(("DATE_ADD({}, INTERVAL 3 DAY)", "DATE_SUB({}, INTERVAL 1 MONTH)",
                               "LAST_DAY({})"))
        # DuckDB's date + interval is a timestamp, as the owner computes it
        kind = col.kind if col.kind == "string" else (
            "date" if form.startswith("LAST_DAY") else "timestamp")
        return Expr(form.format(col.ref), kind, 0, 0.0, col.waits)

    def value(self, src: Source, context: Context, depth: int, kind: str | None = None,
              compared=False) -> Expr:
        """An expression of ``kind`` (any kind when None)."""
        rng = self.rng
        if kind is None:
            kind = rng.choice(("num", "num", "num", "string", "date", "timestamp", "bool"))
        if kind in ("num",) + NUMERIC:
            return self.numeric(src, context, depth, compared)
        if kind == "bool" and rng.random() < 0.5:
            return self.predicate(src, context, depth)
        col = self.column(src, context, (kind,), compared)
        if col is None:
            return self.sample_literal(Expr("", kind))
        base = Expr(col.ref, col.kind, 0, 0.0, col.waits, domain=col.domain,
                    samples=col.samples)
        if kind in ("date", "timestamp") and rng.random() < INTERVAL_RATE:
            return self.interval(base)
        if kind in ("string", "date", "timestamp") and rng.random() < 0.15:
            return self.text_function(col)
        if depth > 0 and rng.random() < 0.3:
            other = self.column(src, context, (kind,), compared)
            alt = (Expr(other.ref, kind, 0, 0.0, other.waits) if other and rng.random() < 0.5
                   else self.sample_literal(col))
            form = rng.choice(("coalesce", "case", "nullif"))
            if form == "coalesce":
                last = f", {self.sample_literal(col).sql}" if rng.random() < 0.3 else ""
                return Expr(f"COALESCE({base.sql}, {alt.sql}{last})", kind, 0, 0.0,
                            base.waits | alt.waits)
            if form == "nullif":
                return Expr(f"NULLIF({base.sql}, {alt.sql})", kind, 0, 0.0, base.waits | alt.waits)
            p = self.predicate(src, context, depth - 1)
            return Expr(f"CASE WHEN {p.sql} THEN {base.sql} ELSE {alt.sql} END", kind, 0, 0.0,
                        base.waits | alt.waits | p.waits)
        return base

    def predicate(self, src: Source, context: Context, depth: int) -> Expr:
        rng = self.rng
        form = rng.choices(("compare", "null", "in", "between", "bool", "and", "or", "not",
                            "const"),
                           weights=(30, 8, 8, 6, 4, 10, 8, 5, 1) if depth > 0 else
                           (30, 8, 8, 6, 4, 0, 0, 0, 1))[0]
        if form in ("and", "or"):
            a, b = self.predicate(src, context, depth - 1), self.predicate(src, context, depth - 1)
            return Expr(f"({a.sql} {form.upper()} {b.sql})", "bool", waits=a.waits | b.waits)
        if form == "not":
            a = self.predicate(src, context, depth - 1)
            return Expr(f"(NOT {a.sql})", "bool", waits=a.waits)
        if form == "const":
            return Expr(rng.choice(("TRUE", "FALSE", "(1 = 0)")), "bool")
        if form == "bool":
            col = self.column(src, context, ("bool",))
            if col is not None:
                return Expr(col.ref, "bool", waits=col.waits)
            form = "compare"
        kind = rng.choice(("num", "num", "num", "string", "date", "timestamp", "bool"))
        if kind == "num":
            a = self.numeric(src, context, max(0, depth - 1), compared=True)
        else:
            col = self.column(src, context, (kind,), compared=True)
            if col is None:
                a = self.numeric(src, context, 0, compared=True)
            else:
                a = Expr(col.ref, col.kind, col.scale, col.bound, col.waits, domain=col.domain,
                         samples=col.samples)
                if a.kind in ("date", "timestamp") and rng.random() < INTERVAL_RATE:
                    a = self.interval(a)
        if a.kind == "string" and form == "compare" and rng.random() < 0.35:
            like = self.like(src, context)
            if like is not None:
                return like
        waits = a.waits - {CMP}
        if form == "null":
            return Expr(f"{a.sql} IS {'NOT ' if rng.random() < 0.5 else ''}NULL", "bool",
                        waits=waits)
        if form == "in":
            items = [self.sample_literal(a).sql for _ in range(rng.randint(1, 4))]
            if rng.random() < 0.15:
                items.append("NULL")
            neg = "NOT " if rng.random() < 0.35 else ""
            return Expr(f"{a.sql} {neg}IN ({', '.join(items)})", "bool", waits=waits)
        if form == "between" and a.kind != "bool":
            lo, hi = self.sample_literal(a), self.sample_literal(a)
            neg = "NOT " if rng.random() < 0.3 else ""
            return Expr(f"{a.sql} {neg}BETWEEN {lo.sql} AND {hi.sql}", "bool", waits=waits)
        if a.kind == "string" or a.kind == "bool":
            ops = ("=", "<>", "=", "<>", "<")
        else:
            ops = ("=", "<>", "<", "<=", ">", ">=")
        op = rng.choice(ops)
        if a.kind in NUMERIC and rng.random() < 0.4:
            b = self.numeric(src, context, max(0, depth - 1), compared=True)
        elif rng.random() < 0.3:
            kinds = (a.kind,)
            if a.kind in ("date", "timestamp") and rng.random() < 0.3:
                kinds = ("date", "timestamp")  # a date compared with a timestamp
            col = self.column(src, context, kinds, compared=True)
            b = (Expr(col.ref, col.kind, col.scale, col.bound, col.waits) if col
                 else self.sample_literal(a))
        else:
            b = self.sample_literal(a)
        return Expr(f"{a.sql} {op} {b.sql}", "bool", waits=(a.waits | b.waits) - {CMP})

    def like(self, src: Source, context: Context) -> Expr | None:
        """``s [NOT] LIKE|ILIKE pattern [ESCAPE c]`` with '%' and '_' anywhere. LIKE is no
        comparison to the CCL (nothing lifts PLAINTEXT_AFTER_COMPARE): the column must be
        allowed as it is."""
        rng = self.rng
        col = self.column(src, context, ("string",))
        if col is None:
            return None
        operand = col.ref
        if rng.random() < 0.1:
            operand = rng.choice(("LOWER({})", "UPPER({})", "TRIM({})")).format(col.ref)
        escape = rng.choice(("!", "#")) if rng.random() < 0.2 else None
        pattern = self._like_pattern(col.samples, escape)
        op = "ILIKE" if rng.random() < 0.3 else "LIKE"
        neg = "NOT " if rng.random() < 0.25 else ""
        self.tags.add("like_pattern" if op == "LIKE" else "ilike_pattern")
        if escape:
            self.tags.add("like_escape")
        sql = f"{operand} {neg}{op} {literal('string', pattern)}"
        if escape:
            sql += f" ESCAPE '{escape}'"
        return Expr(sql, "bool", waits=col.waits)

    def _like_pattern(self, samples: tuple, escape: str | None) -> str:
        """A pattern made from a value of the column (so that it may match): characters
        turned into '_', '%' inserted or put in place of some, maybe a case change
        (for ILIKE), maybe an escaped wildcard or escape character."""
        rng = self.rng
        text = rng.choice(samples) if samples and rng.random() < 0.8 else rng.choice(
            ("a", "ab", "b", "", "zz", "longer than eight", "é"))
        out = []
        for ch in text:
            r = rng.random()
            out.append("_" if r < 0.2 else "%" if r < 0.3 else "" if r < 0.35 else
                       ch.swapcase() if r < 0.4 and ch.isascii() else ch)
            if rng.random() < 0.08:
                out.append("%")
        if rng.random() < 0.35:
            out.insert(0, "%")
        if rng.random() < 0.35:
            out.append("%")
        if escape and rng.random() < 0.8:
            # the escape makes the next character literal: a wildcard, itself or a letter
            out.insert(rng.randint(0, len(out)), escape + rng.choice(("%", "_", escape, "a")))
        return "".join(out)

    # --- aggregates --------------------------------------------------------------------------
    def aggregate(self, src: Source, depth: int = 1, form: str | None = None) -> Expr:
        rng = self.rng
        form = form or rng.choices(("count_star", "count", "count_distinct", "sum", "sum_distinct",
                            "avg", "avg_distinct", "min", "max", "percentile", "arith",
                            "case", "coalesce", "variance", "median", "filter"),
                           weights=(10, 6, 6, 12, 3, 8, 2, 7, 7, 3, 6, 2, 2, 2, 3, 2)
                           if depth > 0 else (10, 6, 6, 12, 3, 8, 2, 7, 7, 3, 0, 0, 0, 2, 3, 2)
                           )[0]
        if form == "count_star":
            return Expr("COUNT(*)", "int64", 0, float(src.rows))
        if form in ("count", "count_distinct"):
            arg = self.value(src, UNDER_AGGREGATE, 1)
            inner = f"DISTINCT {arg.sql}" if form == "count_distinct" else arg.sql
            waits = arg.waits
            if form == "count_distinct":
                self.tags.add("distinct_aggregate")
                if rng.random() < 0.3:
                    # MySQL's distinct tuples (a tuple with a NULL part is not counted)
                    more = [self.value(src, UNDER_AGGREGATE, 0)
                            for _ in range(rng.choice((1, 1, 2)))]
                    inner += "".join(f", {m.sql}" for m in more)
                    waits = waits.union(*(m.waits for m in more))
                    self.tags.add("count_distinct_tuple")
            return Expr(f"COUNT({inner})", "int64", 0, float(src.rows), waits - {AGG})
        if form in ("sum", "sum_distinct", "avg", "avg_distinct"):
            arg = self.numeric(src, UNDER_AGGREGATE, 1)
            distinct = "DISTINCT " if form.endswith("distinct") else ""
            if distinct:
                self.tags.add("distinct_aggregate")
            if arg.kind == "int64" and arg.bound >= PAST_RANGE_BOUND:
                self.tags.add("past_int64_range")  # past 2^46 (AVG), maybe int64 (SUM)
            if form.startswith("sum"):
                bound = arg.bound * src.rows
                kind = arg.kind
                return Expr(f"SUM({distinct}{arg.sql})", kind, arg.scale, bound,
                            arg.waits - {AGG})
            return Expr(f"AVG({distinct}{arg.sql})", "float64", 0, arg.bound, arg.waits - {AGG})
        if form == "variance":
            arg = self.numeric(src, UNDER_AGGREGATE, 1)
            func = rng.choice(("VAR_POP", "VAR_SAMP", "VARIANCE", "STDDEV", "STDDEV_POP",
                               "STDDEV_SAMP"))
            self.tags.add("var_stddev")
            bound = arg.bound if func.startswith("STDDEV") else arg.bound * arg.bound
            return Expr(f"{func}({arg.sql})", "float64", 0, bound, arg.waits - {AGG})
        if form == "median":
            arg = self.numeric(src, UNDER_AGGREGATE, 0)
            dates = self.column(src, UNDER_AGGREGATE, ("date",))
            stamps = self.column(src, UNDER_AGGREGATE, ("timestamp",))
            r = rng.random()
            if dates is not None and r < 0.3:
                arg = Expr(dates.ref, "date", waits=dates.waits)
            elif stamps is not None and r < 0.65:
                arg = Expr(stamps.ref, "timestamp", waits=stamps.waits)
            if not any(c.ref in arg.sql for c in src.columns):
                return Expr("COUNT(*)", "int64", 0, float(src.rows))
            # 0.75 interpolates by a fraction a / 2^k, 0.1 by one DuckDB's doubles round
            q = rng.choice(("0", "0.25", "0.5", "0.5", "0.75", "1", "0.1"))
            if arg.kind == "timestamp":
                # DuckDB rounds its interpolation in doubles: exact across parties for
                # a / 8, refused (NotSupportedError) otherwise
                q = rng.choice(TIMESTAMP_FRACTIONS)
            self.tags.add("median_percentile_cont")
            if arg.kind in ("decimal", "date", "timestamp"):
                self.tags.add(f"median_{arg.kind}")
            sql = (f"MEDIAN({arg.sql})" if q == "0.5" else
                   f"PERCENTILE_CONT({q}) WITHIN GROUP (ORDER BY {arg.sql})")
            if arg.kind in ("date", "timestamp"):  # DuckDB interpolates dates as timestamps
                return Expr(sql, "timestamp", 0, 0.0, arg.waits - {AGG})
            kind = "decimal" if arg.kind == "decimal" else "float64"
            return Expr(sql, kind, arg.scale if kind == "decimal" else 0, arg.bound,
                        arg.waits - {AGG})
        if form == "filter":
            pred = self.predicate(src, UNDER_AGGREGATE, 0)
            inner = self.aggregate(src, 0)
            if not inner.sql.startswith(("COUNT(", "SUM(", "AVG(", "MIN(", "MAX(")) or \
                    "WITHIN GROUP" in inner.sql or "FILTER" in inner.sql:
                return inner
            self.tags.add("filter_aggregate")
            if inner.sql == "COUNT(*)":
                self.tags.add("count_star_filter")
            return Expr(f"{inner.sql} FILTER (WHERE {pred.sql})", inner.kind, inner.scale,
                        inner.bound, inner.waits | (pred.waits - {AGG}))
        if form in ("min", "max", "percentile"):
            kind = rng.choice(("num", "num", "date", "timestamp", "string", "bool"))
            if form == "percentile" and kind in ("string", "bool"):
                kind = "num"
            arg = self.value(src, UNDER_AGGREGATE, 1 if rng.random() < 0.3 else 0, kind)
            if arg.kind == "bool" and form == "percentile":
                arg = self.numeric(src, UNDER_AGGREGATE, 0)
            if form == "percentile" and not any(c.ref in arg.sql for c in src.columns):
                form = "min"  # DuckDB rejects ORDER BY a constant
            if form == "percentile":
                self.tags.add("percentile_disc")
                q = rng.choice(("0", "0.25", "0.5", "0.9", "1"))
                sql = f"PERCENTILE_DISC({q}) WITHIN GROUP (ORDER BY {arg.sql})"
            elif rng.random() < 0.15:
                self.tags.add("distinct_aggregate")
                sql = f"{form.upper()}(DISTINCT {arg.sql})"
            else:
                sql = f"{form.upper()}({arg.sql})"
            if arg.kind == "string" and form != "percentile" and any(
                    c.ref in arg.sql for c in src.columns):
                self.tags.add("min_max_string")
            if arg.kind in ("date", "timestamp") and rng.random() < 0.1:
                # INTERVAL arithmetic on an aggregate: the owner's alone, or refused
                self.tags.add("interval_of_aggregate")
                return self.interval(Expr(sql, arg.kind, waits=arg.waits - {AGG}))
            return Expr(sql, arg.kind, arg.scale, arg.bound, arg.waits - {AGG})
        if form == "arith":
            a, b = self.aggregate(src, 0), self.aggregate(src, 0)
            if a.kind in NUMERIC and b.kind in NUMERIC:
                op = rng.choice(("+", "-", "*", "/", "%"))
                if op == "/":
                    return _divide(a, b) or a
                if op == "%":
                    # DuckDB's SUM of integers is a HUGEINT, and DECIMAL % HUGEINT a DOUBLE:
                    # the oracle's type, not MySQL's
                    if "float64" in (a.kind, b.kind) or a.kind != b.kind:
                        return a
                    kind, scale = _common_numeric(a, b)
                    return Expr(f"({a.sql} % {b.sql})", kind, scale, a.bound, a.waits | b.waits)
                return _arith(a, op, b) or a
            return a
        if form == "case":
            a = self.aggregate(src, 0)
            cond = self.aggregate(src, 0)
            if cond.kind in NUMERIC:
                p = f"{cond.sql} > {self.sample_literal(Expr('', 'int64')).sql}"
            else:
                p = f"{cond.sql} IS NULL"
            alt = self.sample_literal(a) if a.kind != "float64" else Expr("0", "int64")
            kind = a.kind if a.kind == alt.kind or a.kind not in NUMERIC else (
                _common_numeric(a, alt)[0])
            if a.kind in NUMERIC and alt.kind not in NUMERIC:
                alt = Expr("0", "int64")
            return Expr(f"CASE WHEN {p} THEN {a.sql} ELSE {alt.sql} END", kind, a.scale,
                        a.bound, a.waits | cond.waits)
        a = self.aggregate(src, 0)
        if a.kind in NUMERIC:
            return Expr(f"COALESCE({a.sql}, -1)", a.kind, a.scale, a.bound, a.waits)
        return a

    def having(self, src: Source) -> Expr:
        rng = self.rng
        a = self.aggregate(src, 0)
        if a.kind in NUMERIC:
            op = rng.choice((">", ">=", "<", "=", "<>"))
            lit = rng.choice(("0", "1", "2", "5"))
            pred = f"{a.sql} {op} {lit}"
        else:
            pred = f"{a.sql} IS {'NOT ' if rng.random() < 0.6 else ''}NULL"
        if rng.random() < 0.25:
            b = self.aggregate(src, 0)
            pred = f"({pred} {rng.choice(('AND', 'OR'))} {b.sql} IS NOT NULL)"
        return Expr(pred, "bool", waits=a.waits)

    # --- bodies ------------------------------------------------------------------------------
    def _select(self, items: list[Expr], src: Source, where: list[str], *, distinct=False,
                group: list[str] = (), having: str | None = None, order: bool = False,
                limit_ok: bool = True, shapes=(), ctes: bool = True) -> Query:
        """The query; with ``ctes`` it starts with the WITH clause its source needs."""
        rng = self.rng
        if self.nested:
            order, limit_ok = False, False  # a derived table's order means nothing
        conjuncts = ([src.comma_condition] if src.comma_condition else []) + list(where)
        sql = ((_with_clause(src.ctes) if ctes else "") + "SELECT "
               + ("DISTINCT " if distinct else "")
               + ", ".join(f"{e.sql} AS c{j}" for j, e in enumerate(items))
               + f" FROM {src.sql}")
        if conjuncts:
            sql += " WHERE " + " AND ".join(conjuncts)
        if group:
            sql += " GROUP BY " + ", ".join(group)
        if having:
            sql += f" HAVING {having}"
        tags = list(shapes) + list(src.shapes)
        if order:
            positions = list(range(len(items)))
            rng.shuffle(positions)
            # reals last: a near tie between two computed reals must not decide the order
            positions.sort(key=lambda p: items[p].kind == "float64")
            parts = []
            for position in positions:
                ref = str(position + 1) if rng.random() < 0.5 else f"c{position}"
                if re.fullmatch(r"[a-z_]\w*\.[a-z_]\w*", items[position].sql) and rng.random() < 0.25:
                    ref = items[position].sql  # the column itself, not its alias
                ref += " DESC" if rng.random() < 0.4 else ""
                if rng.random() < 0.15:
                    ref += rng.choice((" NULLS FIRST", " NULLS LAST"))
                parts.append(ref)
            sql += " ORDER BY " + ", ".join(parts)
            tags.append("order_by")
            if limit_ok and rng.random() < 0.6:
                sql += f" LIMIT {rng.randint(0, 6)}"
                if rng.random() < 0.3:
                    sql += f" OFFSET {rng.randint(0, 4)}"
                tags.append("limit")
        elif limit_ok and rng.random() < 0.08:
            sql += f" LIMIT {rng.randint(1, 5)}"
            tags.append("limit")
        seen = []
        for t in tags:
            if t not in seen:
                seen.append(t)
        return Query(sql, self.asker, tuple(seen), tables=tuple(dict.fromkeys(src.tables)),
                     items=tuple(items))

    def _where(self, src: Source, context: Context, chance: float = 0.6) -> list[str]:
        if self.rng.random() >= chance:
            return []
        return [self.predicate(src, context, 2).sql]

    def _row_items(self, src: Source, n: int) -> list[Expr]:
        items = [self.value(src, ROWS, self.rng.choice((0, 0, 1, 2))) for _ in range(n)]
        if self.rng.random() < 0.03:
            items.append(Expr("NULL", "null"))
        return items

    def _shape_rows(self) -> Query:
        src = self.source(False, ROWS)
        items = self._row_items(src, self.rng.randint(1, 4))
        return self._select(items, src, self._where(src, ROWS, 0.7),
                            order=self.rng.random() < 0.4, shapes=["rows"])

    def _shape_aggregate(self) -> Query:
        src = self.source(True, FILTER_UNDER_AGGREGATE)
        items = [self.aggregate(src) for _ in range(self.rng.randint(1, 4))]
        if self.rng.random() < 0.15:
            items.append(self.sample_literal(Expr("", "int64")))
        return self._select(items, src, self._where(src, FILTER_UNDER_AGGREGATE),
                            shapes=["aggregate"])

    def _group_keys(self, src: Source) -> list[Expr]:
        rng = self.rng
        keys = []
        for _ in range(rng.choice((1, 1, 2))):
            col = self.column(src, Context(frozenset({GRP})))
            if col is None:
                break
            e = Expr(col.ref, col.kind, col.scale, col.bound, col.waits - {GRP},
                     domain=col.domain, samples=col.samples)
            if col.kind == "int64" and rng.random() < 0.2:
                e = Expr(f"{col.ref} % 3", "int64", 0, 3.0, col.waits - {GRP})
            elif rng.random() < 0.1:
                e = Expr(f"{col.ref} IS NULL", "bool", waits=col.waits - {GRP})
            if all(k.sql != e.sql for k in keys):
                keys.append(e)
        return keys

    def _shape_group_by(self) -> Query:
        rng = self.rng
        src = self.source(True, FILTER_UNDER_AGGREGATE)
        keys = self._group_keys(src)
        if not keys:
            return self._shape_aggregate()
        aggs = [self.aggregate(src) for _ in range(rng.randint(1, 3))]
        shown = [k for k in keys if rng.random() < 0.85] or keys[:1]
        items = shown + aggs
        rng.shuffle(items)
        having = self.having(src).sql if rng.random() < 0.35 else None
        group = [k.sql for k in keys]
        tags = ["group_by"] + (["having"] if having else [])
        return self._select(items, src, self._where(src, FILTER_UNDER_AGGREGATE, 0.4),
                            group=group, having=having, order=rng.random() < 0.4,
                            shapes=tags)

    def _shape_distinct(self) -> Query:
        src = self.source(False, ROWS)
        items = [self.value(src, ROWS, self.rng.choice((0, 0, 1)))
                 for _ in range(self.rng.randint(1, 3))]
        return self._select(items, src, self._where(src, ROWS, 0.4), distinct=True,
                            order=self.rng.random() < 0.4, shapes=["distinct"])

    # window functions whose value depends on the order of rows that tie in the window's
    # ORDER BY: only where every shown column is a partition or order key of each window
    # (tied rows are then equal in every column, and so is the result as a bag of rows),
    # and in one window of the query only
    TIE_SENSITIVE = ("ROW_NUMBER", "NTILE", "LAG", "LEAD", "FIRST_VALUE", "LAST_VALUE",
                     "NTH_VALUE")

    def _shape_window(self) -> Query:
        rng = self.rng
        src = self.source(False, ROWS) if rng.random() < 0.8 else self.table_source()
        partition = []
        if rng.random() < 0.6:
            col = self.column(src, Context(frozenset({GRP})))
            if col is not None:
                partition.append(col)
        ordered = []
        for _ in range(rng.randint(1, 2)):
            col = self.column(src, Context(frozenset({RANK})), ORDERED)
            if col is not None and col not in ordered and col not in partition:
                ordered.append(col)
        if not ordered:
            return self._shape_rows()
        funcs = rng.sample(("ROW_NUMBER", "RANK", "DENSE_RANK", "PERCENT_RANK", "NTILE",
                            "LAG", "LEAD", "FIRST_VALUE", "LAST_VALUE", "NTH_VALUE"),
                           rng.randint(1, 3))
        keys = partition + ordered
        shown = [Expr(c.ref, c.kind, c.scale, c.bound, c.waits - {GRP, RANK},
                      domain=c.domain, samples=c.samples) for c in keys]
        over = self._window_spec(partition, ordered)
        items = shown + [self._window_call(f, over, keys) for f in funcs]
        if rng.random() < 0.3:
            # another window over the same columns, partitioned and ordered otherwise
            cut = rng.randint(0, 1)
            order = keys[:]
            rng.shuffle(order)
            other = self._window_spec(order[:cut], order[cut:] or order)
            chosen = rng.sample(funcs, rng.randint(1, len(funcs))) if other != over else []
            if set(funcs) & set(self.TIE_SENSITIVE):
                # each window may order the peers (rows equal in every key) its own way, so
                # two such values of one row may come from different rows' places (30130:15:
                # LEAD over the whole and over the partition): only one window may have them
                chosen = [f for f in chosen if f not in self.TIE_SENSITIVE]
            if chosen:
                self.tags.add("window_specs")
                items += [self._window_call(f, other, keys) for f in chosen]
        tie_sensitive = bool(set(funcs) & set(self.TIE_SENSITIVE))
        if rng.random() < 0.4:
            # an aggregate of a plain column over this window (the RANGE frame includes
            # the peers: no tie makes it depend on the sort) or its partition alone
            arg = self.numeric(src, ROWS, 0)
            func = rng.choice(("SUM", "COUNT", "MIN", "MAX", "AVG"))
            spec = over if rng.random() < 0.6 or not partition else (
                "PARTITION BY " + ", ".join(c.ref for c in partition))
            if spec == over and rng.random() < 0.5:
                framed = self._framed_aggregate(func, over, partition, keys)
                if framed is not None:
                    spec, framed_arg = framed
                    arg = framed_arg or arg
                    tie_sensitive |= framed_arg is not None
            if any(c.ref in arg.sql for c in src.columns):
                if func == "COUNT":
                    items.append(Expr(f"COUNT({arg.sql}) OVER ({spec})", "int64"))
                elif func == "AVG":
                    items.append(Expr(f"AVG({arg.sql}) OVER ({spec})", "float64", 0, arg.bound))
                else:
                    bound = arg.bound * src.rows if func == "SUM" else arg.bound
                    items.append(Expr(f"{func}({arg.sql}) OVER ({spec})", arg.kind, arg.scale,
                                      bound))
        if not tie_sensitive and rng.random() < 0.3:
            extra = self.value(src, ROWS, 0)
            items.append(extra)
        return self._select(items, src, self._where(src, ROWS, 0.3),
                            order=rng.random() < 0.3, shapes=["window"])

    def _framed_aggregate(self, func: str, over: str, partition: list[Column],
                          keys: list[Column]) -> tuple[str, Expr | None] | None:
        """A window with a frame for ``func``: (its spec, the argument it needs or None).
        A ROWS frame's rows depend on the order of ties, so its argument is a key of the
        window (tied rows are equal in it) and it frames ``over`` as written: the other
        tie-sensitive values of the query are over the same sort (in a sort of the other
        direction the tied rows would pair with other positions: 50124:144); a RANGE
        frame with offsets takes one numeric ORDER BY key, and its peers are all in or
        all out (any argument)."""
        rng = self.rng
        if rng.random() < 0.65:
            wanted = NUMERIC if func in ("SUM", "AVG") else ORDERED
            args = [c for c in keys if c.kind in wanted and not c.waits]
            if not args:
                return None
            col = rng.choice(args)
            frame = rng.choice(("ROWS BETWEEN {p} PRECEDING AND {f} FOLLOWING",
                                "ROWS BETWEEN {p} PRECEDING AND {f} FOLLOWING",
                                "ROWS BETWEEN {p} PRECEDING AND CURRENT ROW",
                                "ROWS BETWEEN CURRENT ROW AND {f} FOLLOWING",
                                "ROWS BETWEEN UNBOUNDED PRECEDING AND {f} FOLLOWING",
                                "ROWS BETWEEN {p} PRECEDING AND UNBOUNDED FOLLOWING",
                                "ROWS BETWEEN {p} FOLLOWING AND {f} FOLLOWING",
                                "ROWS {p} PRECEDING"))
            frame = frame.format(p=rng.randint(0, 3), f=rng.randint(0, 3))
            self.tags.add("window_frame_rows")
            if col.kind == "string":
                self.tags.add("min_max_string")
            return (over + " " + frame,
                    Expr(col.ref, col.kind, col.scale, col.bound, col.waits))
        numeric = [c for c in keys if c.kind in ("int64", "decimal") and not c.waits
                   and c not in partition]
        if not numeric:
            return None
        key = rng.choice(numeric)
        frame = rng.choice(("RANGE BETWEEN {p} PRECEDING AND {f} FOLLOWING",
                            "RANGE BETWEEN {p} PRECEDING AND CURRENT ROW",
                            "RANGE BETWEEN CURRENT ROW AND {f} FOLLOWING",
                            "RANGE BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                            "RANGE BETWEEN UNBOUNDED PRECEDING AND {f} FOLLOWING"))
        frame = frame.format(p=rng.choice((0, 1, 2, 5)), f=rng.choice((0, 1, 3)))
        self.tags.add("window_frame_range")
        return self._window_spec(partition, [key]) + " " + frame, None

    def _window_spec(self, partition: list[Column], ordered: list[Column]) -> str:
        rng = self.rng
        over = ""
        if partition:
            over += "PARTITION BY " + ", ".join(c.ref for c in partition) + " "
        return over + "ORDER BY " + ", ".join(
            c.ref + (" DESC" if rng.random() < 0.4 else "")
            + (rng.choice((" NULLS FIRST", " NULLS LAST")) if rng.random() < 0.1 else "")
            for c in ordered)

    def _window_call(self, func: str, over: str, keys: list[Column]) -> Expr:
        """``func`` over ``over``; a value function (LAG, ...) reads one of the window's
        keys, shown as it is (so it must be plain)."""
        rng = self.rng
        if func == "PERCENT_RANK":
            return Expr(f"PERCENT_RANK() OVER ({over})", "float64")
        if func == "NTILE":
            self.tags.add("window_ntile")
            return Expr(f"NTILE({rng.randint(1, 4)}) OVER ({over})", "int64")
        if func in ("ROW_NUMBER", "RANK", "DENSE_RANK"):
            return Expr(f"{func}() OVER ({over})", "int64")
        plain = [c for c in keys if not c.waits]
        col = rng.choice(plain or keys)
        args = col.ref
        self.tags.add({"LAG": "window_lag_lead", "LEAD": "window_lag_lead",
                       "NTH_VALUE": "window_nth_value"}.get(func, "window_first_last"))
        if func in ("LAG", "LEAD") and rng.random() < 0.5:
            args += f", {rng.randint(1, 3)}"
            if rng.random() < 0.4 and col.kind != "float64":
                args += f", {self.sample_literal(col).sql}"
        if func == "NTH_VALUE":
            args += f", {rng.randint(1, 3)}"
        if func in ("FIRST_VALUE", "LAST_VALUE", "NTH_VALUE") and rng.random() < 0.3:
            # over a ROWS frame (every shown column is a key: ties do not matter)
            over += " " + rng.choice((
                "ROWS BETWEEN {p} PRECEDING AND {f} FOLLOWING",
                "ROWS BETWEEN UNBOUNDED PRECEDING AND {p} PRECEDING",
                "ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING",
                "ROWS BETWEEN {p} PRECEDING AND CURRENT ROW")).format(
                    p=rng.randint(0, 3), f=rng.randint(0, 3))
            self.tags.add("window_frame_rows")
        return Expr(f"{func}({args}) OVER ({over})", col.kind, col.scale, col.bound, col.waits,
                    domain=col.domain, samples=col.samples)

    def _shape_union(self) -> Query:
        """A top-level UNION ALL of row selections of different parties, or a union under
        an aggregate."""
        rng = self.rng
        if rng.random() < 0.5:
            src = self.union_source(context=FILTER_UNDER_AGGREGATE)
            items = [self.aggregate(src) for _ in range(rng.randint(1, 3))]
            return self._select(items, src, self._where(src, FILTER_UNDER_AGGREGATE, 0.3),
                                shapes=["aggregate"])
        src = self.union_source(shown=ROWS)
        body = src.sql[1:src.sql.rindex(") AS ")]
        shapes = ("union", "union_top") if "union" in src.shapes else (
            ("union_top",) + tuple(src.shapes))
        if rng.random() < 0.3:  # set operations on the same rows: UNION, INTERSECT, EXCEPT
            op = rng.choice(("UNION", "INTERSECT", "EXCEPT"))
            body = re.sub(r" (UNION ALL|UNION|INTERSECT|EXCEPT) ", f" {op} ", body)
            shapes = ("union_top", f"set_{op.lower()}")
        return Query(body, self.asker, shapes, tables=tuple(src.tables))

    def _shape_join(self) -> Query:
        rng = self.rng
        aggregated = rng.random() < 0.55
        src = self.join_source(aggregated)
        if aggregated:
            if rng.random() < 0.5:
                keys = self._group_keys(src)
                if keys:
                    aggs = [self.aggregate(src) for _ in range(rng.randint(1, 3))]
                    return self._select(keys + aggs, src,
                                        self._where(src, FILTER_UNDER_AGGREGATE, 0.4),
                                        group=[k.sql for k in keys], order=rng.random() < 0.3,
                                        shapes=["group_by"])
            items = [self.aggregate(src) for _ in range(rng.randint(1, 3))]
            return self._select(items, src, self._where(src, FILTER_UNDER_AGGREGATE, 0.4),
                                shapes=["aggregate"])
        items = self._row_items(src, rng.randint(1, 4))
        return self._select(items, src, self._where(src, ROWS, 0.4),
                            order=rng.random() < 0.4, shapes=["rows"])

    def _subquery_table(self, kind: str, domain: str) -> tuple[TableSpec, str] | None:
        options = [(t, c.name) for t in self.fed.tables for c in t.columns
                   if c.kind == kind and c.domain == domain]
        return self.rng.choice(options) if options else None

    def _column_and_subquery(self, src: Source, context: Context, kinds, compared=False):
        """A column of ``src`` and a table (aliased ``z``) with a column of its domain for
        a subquery: (column, table, its column's name, the table's source), or None."""
        col = self.column(src, context, kinds, compared=compared)
        if col is None:
            return None
        found = self._subquery_table(col.kind, col.domain)
        if found is None:
            return None
        t, name = found
        return col, t, name, self.table_source("z", t)

    def _outer(self, aggregated: bool | None = None):
        rng = self.rng
        if aggregated is None:
            aggregated = rng.random() < 0.5
        context = FILTER_UNDER_AGGREGATE if aggregated else ROWS
        src = self.table_source() if rng.random() < 0.6 else self.source(aggregated, context)
        return src, aggregated, context

    def _finish(self, src: Source, aggregated: bool, where: list[str], shape: str) -> Query:
        context = FILTER_UNDER_AGGREGATE if aggregated else ROWS
        if self.rng.random() < 0.3:
            where = where + self._where(src, context, 1.0)
        if aggregated:
            items = [self.aggregate(src) for _ in range(self.rng.randint(1, 3))]
            return self._select(items, src, where, shapes=[shape])
        items = self._row_items(src, self.rng.randint(1, 3))
        return self._select(items, src, where, order=self.rng.random() < 0.3, shapes=[shape])

    def _in_condition(self, src: Source, aggregated: bool, negated: bool = False,
                      quantified: bool = False) -> tuple[str, tuple[str, ...]] | None:
        """``col [NOT] IN (subquery)``, or ``col op ANY|ALL (subquery)``, and the tables
        the subquery reads; None if ``src`` has no column for one."""
        rng = self.rng
        context = FILTER_UNDER_AGGREGATE if aggregated else Context(frozenset({CMP, JOIN}))
        kinds = ("int64", "string", "date", "decimal") + (("float64",) if quantified else ())
        found = self._column_and_subquery(src, context, kinds, compared=quantified)
        if found is None:
            return None
        col, t, name, inner_src = found
        inner_where = ""
        r = rng.random()
        if r < 0.3:
            inner_where = f" WHERE {self.predicate(inner_src, FILTER_UNDER_AGGREGATE, 1).sql}"
        elif r < 0.4:
            inner_where = " WHERE 1 = 0"  # an empty subquery
        elif negated and r < 0.6:
            inner_where = f" WHERE z.{name} IS NOT NULL"
        left, shown = col.ref, f"z.{name}"
        if col.kind in ("int64", "decimal") and rng.random() < 0.3:
            # over expressions: x + 1 > ALL (SELECT y * 2 ...), IN (SELECT y + 1 ...)
            left = rng.choice(("({} + 1)", "({} - 2)", "({} * 2)", "{}")).format(col.ref)
            shown = rng.choice(("(z.{} + 1)", "(z.{} * 2)", "(z.{} - 1)")).format(name)
            self.tags.add("subquery_expression")
            if rng.random() < 0.3 and inner_where != " WHERE 1 = 0":
                # correlated by an equality of keys on another shared domain
                pairs = [(z, o) for z in inner_src.columns for o in src.columns
                         if z.kind == o.kind and z.domain == o.domain and o.ref != col.ref
                         and z.kind != "float64" and z.domain in ("id", "k", "s")
                         and context.allows(o.waits - {JOIN}, True)]
                if pairs:
                    z, o = rng.choice(pairs)
                    joiner = " AND " if inner_where else " WHERE "
                    inner_where += f"{joiner}{z.ref} = {o.ref}"
                    self.tags.add("correlated_subquery_expression")
        sub = f"SELECT {shown} FROM {t.name} AS z{inner_where}"
        read = (t.name,)
        other = self._subquery_table(col.kind, col.domain)
        if other is not None and rng.random() < 0.2 and shown == f"z.{name}":
            # the values of two tables, of different owners when there are
            u, u_name = other
            sub = (f"SELECT z.c0 FROM (SELECT {name} AS c0 FROM {t.name}{inner_where.replace('z.', '')} "
                   f"UNION ALL SELECT {u_name} AS c0 FROM {u.name}) AS z")
            read += (u.name,)
        if quantified:
            ops = ("=", "<>") if col.kind == "string" else ("<", "<=", ">", ">=", "=", "<>")
            quantifier = rng.choice(("ANY", "ALL", "SOME"))
            self.tags.add("quantified_all" if quantifier == "ALL" else "quantified_any")
            return f"{left} {rng.choice(ops)} {quantifier} ({sub})", read
        return f"{left} {'NOT IN' if negated else 'IN'} ({sub})", read

    def _exists_condition(self, src: Source, aggregated: bool
                          ) -> tuple[str, tuple[str, ...]] | None:
        """``[NOT] EXISTS`` of a subquery correlated by an equality of keys, maybe another
        one, and maybe a comparison other than an equality (or that alone)."""
        rng = self.rng
        context = FILTER_UNDER_AGGREGATE if aggregated else ROWS
        found = self._column_and_subquery(
            src, context if aggregated else Context(frozenset({CMP, JOIN})),
            ("int64", "string", "date"))
        if found is None:
            return None
        col, t, name, inner_src = found
        correlation = [f"z.{name} = {col.ref}"]
        if rng.random() < 0.25:
            # a second correlation, on another shared domain
            pairs = [(z, o) for z in inner_src.columns for o in src.columns
                     if z.kind == o.kind and z.domain == o.domain and o.ref != col.ref
                     and z.kind != "float64" and context.allows(o.waits - {JOIN}, True)]
            if pairs:
                z, o = rng.choice(pairs)
                correlation.append(f"{z.ref} = {o.ref}")
        if rng.random() < 0.3:
            unequal = self._unequal_correlation(inner_src, src, context)
            if unequal is not None:
                correlation = ([unequal] if rng.random() < 0.3 else correlation + [unequal])
        if rng.random() < 0.4:
            correlation.append(self.predicate(inner_src, FILTER_UNDER_AGGREGATE, 0).sql)
        neg = "NOT " if rng.random() < 0.4 else ""
        if neg:
            self.tags.add("not_exists")
        return (f"{neg}EXISTS (SELECT 1 FROM {t.name} AS z WHERE {' AND '.join(correlation)})",
                (t.name,))

    def _unequal_correlation(self, inner: Source, outer: Source, context: Context) -> str | None:
        """A correlation other than an equality: ``z.x < o.y`` over one kind."""
        pairs = [(z, o) for z in inner.columns for o in outer.columns
                 if z.kind == o.kind and z.kind in NUMERIC + ("date", "timestamp")
                 and context.allows(o.waits, True)]
        if not pairs:
            return None
        z, o = self.rng.choice(pairs)
        self.tags.add("correlated_non_equality")
        return f"{z.ref} {self.rng.choice(('<', '<=', '>', '>=', '<>'))} {o.ref}"

    def _subquery_condition(self, src: Source, aggregated: bool
                            ) -> tuple[str, tuple[str, ...]] | None:
        """One of the subquery conditions above, at random."""
        form = self.rng.choice(("in", "not_in", "exists", "quantified"))
        if form == "exists":
            return self._exists_condition(src, aggregated)
        return self._in_condition(src, aggregated, negated=form == "not_in",
                                  quantified=form == "quantified")

    def _shape_in_subquery(self, negated: bool = False) -> Query:
        src, aggregated, _ = self._outer()
        found = self._in_condition(src, aggregated, negated)
        if found is None:
            return self._shape_rows()
        q = self._finish(src, aggregated, [found[0]],
                         "not_in_subquery" if negated else "in_subquery")
        return replace(q, tables=tuple(dict.fromkeys(q.tables + found[1])))

    def _shape_not_in_subquery(self) -> Query:
        return self._shape_in_subquery(negated=True)

    def _shape_quantified(self) -> Query:
        """``x > ANY (subquery)``, ``x <= ALL (...)``, ..."""
        src, aggregated, _ = self._outer()
        found = self._in_condition(src, aggregated, quantified=True)
        if found is None:
            return self._shape_rows()
        q = self._finish(src, aggregated, [found[0]], "quantified")
        return replace(q, tables=tuple(dict.fromkeys(q.tables + found[1])))

    def _shape_exists(self) -> Query:
        src, aggregated, _ = self._outer()
        found = self._exists_condition(src, aggregated)
        if found is None:
            return self._shape_rows()
        q = self._finish(src, aggregated, [found[0]], "exists")
        return replace(q, tables=tuple(dict.fromkeys(q.tables + found[1])))

    def _shape_subquery_in_or(self) -> Query:
        """IN, NOT IN, EXISTS or a quantified comparison as one operand of an OR (the
        subquery no longer filters alone: a semi-join does not answer it)."""
        src, aggregated, context = self._outer()
        found = self._subquery_condition(src, aggregated)
        if found is None:
            return self._shape_rows()
        p = self.predicate(src, context, 1).sql
        operands = [p, found[0]]
        self.rng.shuffle(operands)
        cond = f"({operands[0]} OR {operands[1]})"
        if self.rng.random() < 0.2:
            cond = f"NOT {cond}"
        q = self._finish(src, aggregated, [cond], "subquery_in_or")
        return replace(q, tables=tuple(dict.fromkeys(q.tables + found[1])))

    def _shape_subquery_in_select(self) -> Query:
        """A subquery's condition shown as a value per row, or counted."""
        rng = self.rng
        aggregated = rng.random() < 0.3
        src, aggregated, context = self._outer(aggregated)
        found = self._subquery_condition(src, aggregated)
        if found is None:
            return self._shape_rows()
        if aggregated:
            items = [self.aggregate(src, 0),
                     Expr(f"SUM(CASE WHEN {found[0]} THEN 1 ELSE 0 END)", "int64", 0,
                          float(src.rows))]
            q = self._select(items, src, self._where(src, context, 0.3),
                             shapes=["subquery_in_select", "aggregate"])
        else:
            items = self._row_items(src, rng.randint(1, 2))
            items.insert(rng.randint(0, len(items)), Expr(found[0], "bool"))
            q = self._select(items, src, self._where(src, ROWS, 0.3),
                             order=rng.random() < 0.3, shapes=["subquery_in_select"])
        return replace(q, tables=tuple(dict.fromkeys(q.tables + found[1])))

    def _shape_correlated_scalar(self) -> Query:
        """A scalar subquery correlated with the outer row by an equality of keys, maybe
        with a comparison other than an equality too; compared in WHERE or shown."""
        rng = self.rng
        src, aggregated, context = self._outer(rng.random() < 0.3)
        pairs = [(t, c, o) for t in self.fed.tables for c in t.columns for o in src.columns
                 if c.kind == o.kind and c.domain == o.domain and o.domain in ("id", "k", "s")
                 and Context(frozenset({CMP, JOIN})).allows(o.waits)]
        if not pairs:
            return self._shape_rows()
        t, c, o = rng.choice(pairs)
        inner = self.table_source("z", t)
        correlation = [f"z.{c.name} = {o.ref}"]
        if rng.random() < 0.35:
            unequal = self._unequal_correlation(inner, src, Context(frozenset({CMP})))
            if unequal is not None:
                correlation.append(unequal)
        if rng.random() < 0.3:
            correlation.append(self.predicate(inner, FILTER_UNDER_AGGREGATE, 0).sql)
        where_form = rng.random() < 0.6 or aggregated
        # compared in WHERE, an AVG (a computed real) could fall on either side of a stored
        # value it equals; shown, it is judged at the stated float bound
        agg = self.aggregate(inner, 0, rng.choice(("count_star", "count", "sum", "min", "max")
                                                  + (() if where_form else ("avg",))))
        if rng.random() < 0.2 and agg.kind in NUMERIC:
            agg = Expr(f"COALESCE({agg.sql}, -1)", agg.kind, agg.scale, agg.bound, agg.waits)
        sub = replace(agg, sql=f"(SELECT {agg.sql} FROM {t.name} AS z "
                               f"WHERE {' AND '.join(correlation)})")
        col = self.column(src, context, NUMERIC if agg.kind in NUMERIC else (agg.kind,),
                          compared=True)
        if where_form and col is not None:
            cond = f"{col.ref} {rng.choice(('>', '<', '=', '<>', '>='))} {sub.sql}"
            q = self._finish(src, aggregated, [cond], "correlated_scalar")
        else:
            items = self._row_items(src, rng.randint(1, 2)) + [sub]
            q = self._select(items, src, self._where(src, ROWS, 0.3),
                             order=rng.random() < 0.3, shapes=["correlated_scalar"])
        return replace(q, tables=tuple(dict.fromkeys(q.tables + (t.name,))))

    def _shape_statistics(self) -> Query:
        """Variances, standard deviations, medians and percentiles, maybe per group."""
        rng = self.rng
        src = self.source(True, FILTER_UNDER_AGGREGATE)
        items = [self.aggregate(src, 1, rng.choice(("variance", "median", "percentile")))
                 for _ in range(rng.randint(1, 3))]
        keys = self._group_keys(src) if rng.random() < 0.4 else []
        where = self._where(src, FILTER_UNDER_AGGREGATE, 0.3)
        if keys:
            return self._select(keys + items, src, where, group=[k.sql for k in keys],
                                order=rng.random() < 0.3, shapes=["statistics", "group_by"])
        return self._select(items, src, where, shapes=["statistics", "aggregate"])

    def _shape_cte(self) -> Query:
        self.force_cte = True
        return self.rng.choice((self._shape_rows, self._shape_aggregate, self._shape_group_by,
                                self._shape_group_by, self._shape_distinct))()

    def _shape_set_operation(self) -> Query:
        """UNION, INTERSECT or EXCEPT (distinct) of row selections of different parties."""
        src = self.union_source(shown=ROWS)
        body = src.sql[1:src.sql.rindex(") AS ")]
        op = self.rng.choice(("UNION", "INTERSECT", "EXCEPT"))
        body = re.sub(r" (UNION ALL|UNION|INTERSECT|EXCEPT) ", f" {op} ", body)
        return Query(body, self.asker, ("set_operation", f"set_{op.lower()}"),
                     tables=tuple(src.tables))

    def _scalar(self) -> tuple[Expr, tuple[str, ...]]:
        """An uncorrelated one-row subquery (over a table or a union) and what it reads."""
        if self.rng.random() < 0.2:
            inner = self.union_source("z", FILTER_UNDER_AGGREGATE)
        else:
            inner = self.table_source("z", self._pick_table(prefer_owner=False))
        agg = self.aggregate(inner, 0)
        where = ""
        r = self.rng.random()
        if r < 0.3:
            where = f" WHERE {self.predicate(inner, FILTER_UNDER_AGGREGATE, 1).sql}"
        elif r < 0.4:
            where = " WHERE 1 = 0"
        sql = f"(SELECT {agg.sql} FROM {inner.sql}{where})"
        return replace(agg, sql=sql), tuple(inner.tables)

    def _shape_scalar_subquery(self) -> Query:
        rng = self.rng
        where_form = rng.choice(("where", "select_rows", "select_aggregate", "having"))
        sub, read = self._scalar()
        if where_form == "having":
            src = self.source(True, FILTER_UNDER_AGGREGATE)
            keys = self._group_keys(src)
            if not keys or sub.kind not in NUMERIC:
                where_form = "select_aggregate"
            else:
                a = self.aggregate(src, 0)
                if a.kind not in NUMERIC:
                    a = Expr("COUNT(*)", "int64")
                q = self._select(keys + [a], src, [], group=[k.sql for k in keys],
                                 having=f"{a.sql} {rng.choice(('>', '<', '>='))} {sub.sql}",
                                 shapes=["scalar_subquery", "having",
                                         "having_scalar_subquery"])
                return replace(q, tables=tuple(dict.fromkeys(q.tables + read)))
        if where_form == "where":
            src, aggregated, context = self._outer()
            col = self.column(src, context, (sub.kind,) if sub.kind != "float64" else NUMERIC,
                              compared=True)
            if col is None or (sub.kind in NUMERIC) != (col.kind in NUMERIC):
                where_form = "select_aggregate"
            else:
                cond = f"{col.ref} {rng.choice(('>', '<', '=', '<>'))} {sub.sql}"
                q = self._finish(src, aggregated, [cond], "scalar_subquery")
                return replace(q, tables=tuple(dict.fromkeys(q.tables + read)))
        if where_form == "select_rows":
            src = self.table_source() if rng.random() < 0.6 else self.source(False, ROWS)
            items = self._row_items(src, rng.randint(1, 2))
            if sub.kind in NUMERIC and items[0].kind in NUMERIC and rng.random() < 0.5:
                items[0] = _arith(items[0], "-", sub) or sub
            else:
                items.append(sub)
            q = self._select(items, src, self._where(src, ROWS, 0.5),
                             order=rng.random() < 0.3, shapes=["scalar_subquery"])
            return replace(q, tables=tuple(dict.fromkeys(q.tables + read)))
        src = self.source(True, FILTER_UNDER_AGGREGATE)
        items = [self.aggregate(src) for _ in range(rng.randint(1, 2))]
        if sub.kind in NUMERIC and items[0].kind in NUMERIC and rng.random() < 0.6:
            items[0] = _arith(items[0], "+", sub) or sub
        else:
            items.append(sub)
        q = self._select(items, src, self._where(src, FILTER_UNDER_AGGREGATE, 0.5),
                         shapes=["scalar_subquery"])
        return replace(q, tables=tuple(dict.fromkeys(q.tables + read)))

    def _shape_refusal(self) -> Query | None:
        """Show the asker a column its CCL keeps from it: this must be refused."""
        rng = self.rng
        candidates = [(t, c) for t in self.fed.tables if t.owner != self.asker
                      for c in t.columns
                      if t.level(c.name, self.asker) in ("ENCRYPTED_ONLY",
                                                         "PLAINTEXT_AFTER_AGGREGATE")]
        if not candidates:
            others = [p for p in self.fed.parties if any(
                t.owner != p and t.level(c.name, p) in ("ENCRYPTED_ONLY",
                                                        "PLAINTEXT_AFTER_AGGREGATE")
                for t in self.fed.tables for c in t.columns)]
            if not others:
                return None
            self.asker = rng.choice(others)
            return self._shape_refusal()
        t, c = rng.choice(candidates)
        level = t.level(c.name, self.asker)
        forms = ["rows", "rows_where", "union"]
        if level == "ENCRYPTED_ONLY":
            forms += ["sum", "count"]
        else:
            forms += ["group_key"]
            if c.kind in ORDERED:
                forms.append("order_key")
        form = rng.choice(forms)
        if form == "rows":
            sql = f"SELECT {c.name} AS c0 FROM {t.name}"
        elif form == "rows_where":
            sql = f"SELECT id AS c0, {c.name} AS c1 FROM {t.name} WHERE id IS NOT NULL"
        elif form == "union":
            mine = [x for x in self.fed.tables if x.owner == self.asker]
            other = rng.choice(mine) if mine else t
            same = [x.name for x in other.columns if x.kind == c.kind] or [c.name]
            sql = (f"SELECT x AS c0 FROM (SELECT {c.name} AS x FROM {t.name} UNION ALL "
                   f"SELECT {rng.choice(same)} AS x FROM {other.name}) AS u")
        elif form == "sum":
            arg = c.name if c.kind in NUMERIC else f"CASE WHEN {c.name} IS NULL THEN 0 ELSE 1 END"
            sql = f"SELECT SUM({arg}) AS c0 FROM {t.name}"
        elif form == "count":
            sql = f"SELECT COUNT({c.name}) AS c0 FROM {t.name}"
        elif form == "group_key":
            sql = f"SELECT {c.name} AS c0, COUNT(*) AS c1 FROM {t.name} GROUP BY {c.name}"
        else:
            sql = f"SELECT id AS c0 FROM {t.name} ORDER BY {c.name}, id"
        return Query(sql, self.asker, ("refusal",), must_refuse=True, tables=(t.name,))


def _with_clause(ctes) -> str:
    return "WITH " + ", ".join(f"{name} AS ({body})" for name, body in ctes) + " " if ctes else ""


def _merged_ctes(*sources: Source) -> tuple[tuple[str, str], ...]:
    return tuple(dict.fromkeys(c for src in sources for c in src.ctes))


def _common_numeric(a: Expr, b: Expr) -> tuple[str, int]:
    if "float64" in (a.kind, b.kind) or a.kind not in NUMERIC or b.kind not in NUMERIC:
        return "float64", 0
    if "decimal" in (a.kind, b.kind):
        return "decimal", max(a.scale, b.scale)
    return "int64", 0


def _fits(kind: str, scale: int, bound: float) -> bool:
    if kind == "int64":
        return bound < INT_LIMIT
    if kind == "decimal":
        return bound * 10**scale < DECIMAL_UNSCALED_LIMIT
    return bound < FLOAT_LIMIT


def _arith(a: Expr, op: str, b: Expr, float_product_limit: float = FLOAT_PRODUCT_LIMIT
           ) -> Expr | None:
    """``a op b`` for + - *, or None when the result could leave the documented ranges
    (or, for a product of reals, ``float_product_limit``)."""
    if a.kind not in NUMERIC or b.kind not in NUMERIC:
        return None
    kind, scale = _common_numeric(a, b)
    if op == "*":
        bound = a.bound * b.bound
        if kind == "float64" and bound >= float_product_limit:
            return None
        if kind == "decimal":
            scale = (a.scale if a.kind == "decimal" else 0) + (b.scale if b.kind == "decimal" else 0)
    else:
        bound = a.bound + b.bound
    if not _fits(kind, scale, bound):
        return None
    return Expr(f"({a.sql} {op} {b.sql})", kind, scale, bound, a.waits | b.waits)


def _divide(a: Expr, b: Expr) -> Expr | None:
    if a.kind not in NUMERIC or b.kind not in NUMERIC:
        return None
    bound = a.bound / DIVISOR_RESOLUTION
    if bound >= FLOAT_LIMIT:
        return None
    return Expr(f"({a.sql} / {b.sql})", "float64", 0, bound, a.waits | b.waits)
