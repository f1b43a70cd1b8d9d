"""Shrinking a failing case to a minimal one: smaller SQL, fewer tables, rows and columns,
while the failure keeps its signature (same outcome and kind; for an exception, the same
class and message head).

Query reductions work on the sqlglot tree: drop a select item, a WHERE or HAVING or one
of their conjuncts, ORDER BY or one of its keys, LIMIT, a GROUP BY key, DISTINCT, a join,
a UNION ALL branch, an IN-list item, or replace any expression by one of its operands.
Under a LIMIT or OFFSET the generator's ORDER BY is a total order; a reduction that could
make its keys tie (dropping ORDER BY or a key, reducing a key or a select item it names,
dropping an item before a position it names) would make the kept rows arbitrary, a
failure of another cause, so none is tried: drop the LIMIT first.
A candidate counts only if DuckDB still answers it (so it is still a test). Data
reductions drop unused tables and columns, then rows by halves, quarters, ... singles.
Greedy, shortest candidate first, within a budget of runs and seconds.
"""

from __future__ import annotations

import re
import tempfile
import time
from dataclasses import replace
from pathlib import Path

import sqlglot
from fuzz_campaign import Case, evaluate
from fuzz_engine import FederationUnderTest
from fuzz_federation import RandomFederation, TableSpec
from fuzz_oracle import DIALECT, ask_oracle, written
from fuzz_parameters import parameterize
from fuzz_verdict import Verdict
from sqlglot import exp

_OPERAND_PARENTS = (exp.Binary, exp.Unary, exp.Paren, exp.Case, exp.If, exp.Func, exp.Not,
                    exp.Between, exp.In, exp.Is, exp.Cast)


class Shrinker:
    def __init__(self, case: Case, verdict: Verdict, *, max_runs: int = 400,
                 max_seconds: float = 120.0, workdir: Path | None = None, classify=None,
                 known=None):
        self.case = case
        self.signature = verdict.signature()
        # a failure must not drift into another known bug (or out of the one it is) while
        # it shrinks: ``classify`` names the known bug of a candidate, ``known`` the original's
        self.classify = classify
        self.known = known
        self.verdict = verdict
        self.max_runs = max_runs
        self.deadline = time.monotonic() + max_seconds
        self.runs = 0
        self.workdir = workdir
        self._tmp = tempfile.TemporaryDirectory(dir=workdir)
        self._fut: FederationUnderTest | None = None
        self._fut_for: RandomFederation | None = None

    # --- running candidates ------------------------------------------------------------------
    def _federation(self, fed: RandomFederation) -> FederationUnderTest:
        if self._fut is None or self._fut_for is not fed:
            if self._fut is not None:
                self._fut.close()
            directory = Path(self._tmp.name) / f"f{self.runs}"
            self._fut = FederationUnderTest(fed.write(directory))
            self._fut_for = fed
        return self._fut

    def _budget_left(self) -> bool:
        return self.runs < self.max_runs and time.monotonic() < self.deadline

    def fails(self, case: Case) -> Verdict | None:
        """The verdict of ``case`` if it fails the same way, else None."""
        if not self._budget_left():
            return None
        self.runs += 1
        try:
            fut = self._federation(case.federation)
        except Exception:  # a reduction the catalog does not accept is no candidate
            self._fut = None
            return None
        if ask_oracle(fut.oracle, case.query.literal().sql).result is None:
            return None
        verdict, _ = evaluate(fut, case.query, case.pushdown)
        if verdict.signature() != self.signature:
            return None
        if self.classify is not None and self.classify(case, verdict, fut) is not self.known:
            return None
        return verdict

    # --- the loop ----------------------------------------------------------------------------
    def shrink(self) -> tuple[Case, Verdict]:
        case, verdict = self.case, self.verdict
        try:
            for step in (self._shrink_query, self._drop_unused, self._shrink_rows,
                         self._shrink_query, self._shrink_rows):
                case, verdict = step(case, verdict)
        finally:
            if self._fut is not None:
                self._fut.close()
            self._tmp.cleanup()
        return case, verdict

    def _shrink_query(self, case: Case, verdict: Verdict) -> tuple[Case, Verdict]:
        improved = True
        while improved and self._budget_left():
            improved = False
            current = case.query.literal().sql
            for sql in sorted(set(query_reductions(current)), key=len):
                if len(sql) >= len(current):
                    continue
                candidate = replace(case, query=_with_sql(case.query, sql))
                found = self.fails(candidate)
                if found is not None:
                    case, verdict, improved = candidate, found, True
                    break
                if not self._budget_left():
                    break
        return case, verdict

    def _drop_unused(self, case: Case, verdict: Verdict) -> tuple[Case, Verdict]:
        sql = case.query.literal().sql.lower()
        fed = case.federation
        used = [t for t in fed.tables if re.search(rf"\b{t.name}\b", sql)]
        if len(used) < len(fed.tables):
            candidate = replace(case, federation=fed.with_tables(used))
            found = self.fails(candidate)
            if found is not None:
                case, verdict = candidate, found
        for t in list(case.federation.tables):
            unused = [c.name for c in t.columns if not re.search(rf"\b{c.name}\b", sql)]
            if len(unused) == len(t.columns):
                unused = unused[1:]  # a table needs a column
            if not unused:
                continue
            candidate = replace(case, federation=_without_columns(case.federation, t.name,
                                                                  unused))
            found = self.fails(candidate)
            if found is not None:
                case, verdict = candidate, found
        return case, verdict

    def _shrink_rows(self, case: Case, verdict: Verdict) -> tuple[Case, Verdict]:
        for name in [t.name for t in case.federation.tables]:
            chunk = max(1, len(case.federation.table(name).rows))
            while chunk >= 1 and self._budget_left():
                rows = case.federation.table(name).rows
                start, shrunk = 0, False
                while start < len(rows) and self._budget_left():
                    fewer = rows[:start] + rows[start + chunk:]
                    candidate = replace(case, federation=case.federation.with_rows(name, fewer))
                    found = self.fails(candidate)
                    if found is not None:
                        case, verdict, rows, shrunk = candidate, found, fewer, True
                    else:
                        start += chunk
                if not shrunk:
                    chunk //= 2
                chunk = min(chunk, max(1, len(rows)))
                if not rows:
                    break
        return case, verdict


def _with_sql(query, sql: str):
    """``query`` reduced to the literal SQL ``sql`` (parameterized again if it was)."""
    if query.params is None:
        return replace(query, sql=sql)
    bound = parameterize(sql) or (sql, [])
    return replace(query, sql=bound[0], params=bound[1], literal_sql=sql)


def _without_columns(fed: RandomFederation, table: str, columns: list[str]) -> RandomFederation:
    out = []
    for t in fed.tables:
        if t.name != table:
            out.append(t)
            continue
        keep = [i for i, c in enumerate(t.columns) if c.name not in columns]
        out.append(TableSpec(t.name, t.owner, [t.columns[i] for i in keep],
                             [tuple(r[i] for i in keep) for r in t.rows],
                             {c: v for c, v in t.ccl.items() if c not in columns},
                             t.file_format))
    return fed.with_tables(out)


def query_reductions(sql: str):
    """Every SQL text one reduction step away from ``sql`` (may include invalid ones)."""
    try:
        tree = sqlglot.parse_one(sql, read=DIALECT)
    except sqlglot.errors.ParseError:
        return
    frozen = _ordering_a_limit(tree)
    nodes = list(tree.walk())
    for i, node in enumerate(nodes):
        if id(node) in frozen:
            continue
        for variant in _node_reductions(node):
            copy = tree.copy()
            target = list(copy.walk())[i]
            try:
                variant(target)
                yield written(copy)
            except Exception:  # a reduction that does not apply to this tree
                continue


def _limited(query: exp.Expression) -> bool:
    return isinstance(query, exp.Query) and (query.args.get("limit") is not None
                                             or query.args.get("offset") is not None)


def _named_items(query: exp.Expression) -> list[exp.Expression]:
    """The select items a query's ORDER BY names, by position or by alias."""
    order = query.args.get("order")
    if order is None or not isinstance(query, exp.Select):
        return []
    items = query.expressions
    by_alias = {e.alias_or_name: e for e in items}
    named = []
    for key in order.expressions:
        k = key.this
        if isinstance(k, exp.Literal) and k.is_int and 1 <= int(k.name) <= len(items):
            named.append(items[int(k.name) - 1])
        elif isinstance(k, exp.Column) and not k.table and k.name in by_alias:
            named.append(by_alias[k.name])
    return named


def _last_position(query: exp.Expression) -> int:
    """The largest select-item position a query's ORDER BY names (0: none)."""
    order = query.args.get("order")
    keys = order.expressions if order is not None else []
    return max((int(k.this.name) for k in keys
                if isinstance(k.this, exp.Literal) and k.this.is_int), default=0)


def _ordering_a_limit(tree: exp.Expression) -> set[int]:
    """The ids of the nodes that decide which rows a LIMIT/OFFSET keeps: the ORDER BY of
    a limited query and the select items it names, with everything under them."""
    frozen: set[int] = set()
    for query in tree.find_all(exp.Query):
        if _limited(query) and query.args.get("order") is not None:
            for part in [query.args["order"], *_named_items(query)]:
                frozen.update(id(n) for n in part.walk())
    return frozen


def _node_reductions(node: exp.Expression):
    if isinstance(node, exp.Select):
        for key in ("limit", "offset", "order", "having", "where", "group", "distinct"):
            if key == "order" and _limited(node):
                continue  # the kept rows would be arbitrary
            if node.args.get(key) is not None:
                yield lambda n, k=key: n.set(k, None)
        where = node.args.get("where")
        if where is not None and isinstance(where.this, exp.And):
            for side in (where.this.this, where.this.expression):
                yield lambda n, s=side: n.set("where", exp.Where(this=_find(n, s).copy()))
        for key in ("expressions",):
            items = node.args.get(key) or []
            if len(items) > 1:
                # under a LIMIT, not an item ORDER BY names, nor one before a position it
                # names (ORDER BY would read another column)
                first = _last_position(node) if _limited(node) else 0
                named = {id(e) for e in _named_items(node)} if _limited(node) else set()
                for j in range(first, len(items)):
                    if id(items[j]) in named:
                        continue
                    yield lambda n, j=j: _drop_item(n, j)
        for j in range(len(node.args.get("joins") or [])):
            yield lambda n, j=j: n.set("joins", [e for m, e in enumerate(n.args["joins"])
                                                 if m != j] or None)
        group = node.args.get("group")
        if group is not None and len(group.expressions) > 1:
            for j in range(len(group.expressions)):
                yield lambda n, j=j: n.args["group"].set("expressions", [
                    e for m, e in enumerate(n.args["group"].expressions) if m != j])
    if isinstance(node, exp.Order) and len(node.expressions) > 1:
        for j in range(len(node.expressions)):
            yield lambda n, j=j: n.set("expressions", [
                e for m, e in enumerate(n.expressions) if m != j])
    if isinstance(node, exp.Union):
        yield lambda n: n.replace(n.this.copy())
        yield lambda n: n.replace(n.expression.copy())
    if isinstance(node, exp.In) and len(node.expressions) > 1:
        for j in range(len(node.expressions)):
            yield lambda n, j=j: n.set("expressions", [
                e for m, e in enumerate(n.expressions) if m != j])
    if isinstance(node, _OPERAND_PARENTS) and not isinstance(node, (exp.Count,)):
        for child in list(node.iter_expressions()):
            if isinstance(child, (exp.Select, exp.Subquery, exp.DataType, exp.Where)):
                continue
            yield lambda n, c=child: n.replace(_find(n, c).copy())


def _drop_item(select: exp.Select, j: int) -> None:
    """``select`` without its select item ``j``: ORDER BY positions after it move down
    one, an ORDER BY item naming it goes too (else the query would order by another
    column, or by none)."""
    select.set("expressions", [e for m, e in enumerate(select.expressions) if m != j])
    order = select.args.get("order")
    if order is None:
        return
    kept = []
    for item in order.expressions:
        position = item.this
        if isinstance(position, exp.Literal) and position.is_int:
            k = int(position.this)
            if k == j + 1:
                continue
            if k > j + 1:
                item.set("this", exp.Literal.number(k - 1))
        kept.append(item)
    select.set("order", order if kept else None)
    if kept:
        order.set("expressions", kept)


def _find(root: exp.Expression, like: exp.Expression) -> exp.Expression:
    """The node of ``root`` (a copy) that stands where ``like`` stood in the original."""
    for node in root.walk():
        if node == like:
            return node
    raise LookupError("not found")


# --- printing a minimal case -------------------------------------------------------------------


def describe(case: Case, verdict: Verdict) -> str:
    q = case.query
    fed = case.federation
    lines = [f"replay: {case.replay} (asker {q.asker}, pushdown "
             f"{'on' if case.pushdown else 'off'}); shapes {', '.join(q.shapes)}",
             f"parties: {', '.join(fed.parties)}; compute: {', '.join(fed.compute)}",
             f"query: {q.sql}" + (f"\nparams ({q.binder}): {q.params!r}"
                                  if q.params is not None else ""),
             f"outcome: {verdict.outcome} {verdict.kind} {verdict.error_class}".rstrip()]
    if verdict.detail:
        lines.append("detail: " + verdict.detail.replace("\n", "\n        "))
    if verdict.expected is not None:
        lines.append(f"expected (DuckDB): {verdict.expected.rows[:10]}")
    if verdict.got is not None:
        lines.append(f"got (engine):      {verdict.got.rows[:10]}")
    sql = q.literal().sql.lower()
    for t in case.federation.tables:
        if not re.search(rf"\b{t.name}\b", sql):
            continue
        cols = ", ".join(f"{c.name} {c.type}" for c in t.columns)
        levels = ", ".join(f"{c.name}={t.level(c.name, q.asker)}" for c in t.columns)
        lines.append(f"table {t.name} (owner {t.owner}): {cols}")
        lines.append(f"  CCL for {q.asker}: {levels}")
        for row in t.rows[:12]:
            lines.append(f"  {row!r}")
        if len(t.rows) > 12:
            lines.append(f"  ... {len(t.rows)} rows")
    return "\n".join(lines)
