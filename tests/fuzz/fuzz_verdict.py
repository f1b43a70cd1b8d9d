"""Judging one engine run against the oracle: the outcome classes of the tester.

==================  ==========================================================================
``pass``            same result as DuckDB (rows, NULLs, type families, floats in bound)
``refused``         SecurityError: fine, the CCL may refuse (but see ``leak``)
``not_supported``   NotSupportedError: fine, the engine names what it does not run yet
``wrong``           a different answer (a bug), or an answer to a query that must be refused
``internal``        any other exception where DuckDB answered (a bug): InternalError,
                    ProgrammingError or DataError on valid SQL, Python exceptions
``invalid``         DuckDB itself rejects the query: a generator mistake, not a test
==================  ==========================================================================

``wrong`` has a ``kind``: ``mismatch`` (rows differ beyond any rounding), ``float_bound``
(floats differ by more than :data:`ABS_TOL` + :data:`REL_TOL` but within
:data:`LOOSE_ABS_TOL` + :data:`LOOSE_REL_TOL`: rounding, not logic), ``inexact_move`` (a
float that was only moved, e.g. selected or MIN'd, came back changed: it must keep its
bits), ``leak`` (a query that must be refused ran), ``overflow`` (an answer where DuckDB's
int64 arithmetic or cast is out of range: a wrapped value, where the engine must refuse
with its out-of-range ``DataError``); the metamorphic checks add ``tlp`` and ``pushdown``
(the engine disagrees with itself).

Rows are compared by ``sqlcases.compare`` (the fixture suite's comparator) with this
tester's tolerance. A top-level ORDER BY lists every output column, so the order is total
up to equal rows; where the engine's order differs from DuckDB's only between rows whose
float keys are within the tolerance, the engine's order is checked to be a valid sort.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import dataclass, field

import sqlglot
from fuzz_engine import EngineRun
from fuzz_oracle import (
    DIALECT,
    OracleAnswer,
    Result,
    arrow_result,
    compare,
    rows_equal,
    values_equal,
)
from fuzz_queries import Query
from sqlglot import exp

from scql_py import errors

ABS_TOL = 2.0**-14
REL_TOL = 1e-6
LOOSE_ABS_TOL = 1e-3  # the fixture suite's bound: beyond it a float is plainly wrong
LOOSE_REL_TOL = 1e-5  # beyond it, a logic error rather than rounding
OUT_OF_RANGE = "is out of the range the engine computes in"  # the engine's DataError
OWNERS_OVERFLOW = "Out of Range Error: Overflow in"  # DuckDB's, at the asker's own party
# DuckDB's errors for an int64 result past its range (BIGINT + - *, a cast, a negation)
_ORACLE_OVERFLOW = ("Out of Range Error", "is out of range for the destination type")

@dataclass(frozen=True)
class OrderKey:
    position: int  # 0-based output column
    descending: bool
    nulls_first: bool


def top_order(sql: str) -> tuple[OrderKey, ...] | None:
    """The top-level ORDER BY as output positions: () if there is none, None if a key is
    not an output column (given by position or alias)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    order = tree.args.get("order")
    if order is None:
        return ()
    names = [e.alias_or_name for e in tree.expressions] if isinstance(tree, exp.Select) else []
    keys = []
    for item in order.expressions:
        target = item.this
        if isinstance(target, exp.Literal) and target.is_int:
            position = int(target.this) - 1
        elif isinstance(target, exp.Column) and not target.table and target.name in names:
            position = names.index(target.name)
        elif any(e.unalias() == target for e in tree.expressions):
            position = next(j for j, e in enumerate(tree.expressions) if e.unalias() == target)
        else:
            return None
        descending = bool(item.args.get("desc"))
        nulls_first = item.args.get("nulls_first")
        if nulls_first is None or not item.args.get("explicit_nulls", True):
            nulls_first = not descending
        keys.append(OrderKey(position, descending, bool(nulls_first)))
    return tuple(keys)


def moved_positions(sql: str) -> list[int]:
    """Output columns that only move a stored value: a column, or MIN, MAX,
    PERCENTILE_DISC or PERCENTILE_CONT(0 or 1) of one (in every branch of a top-level
    UNION ALL)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    selects = [tree] if isinstance(tree, exp.Select) else [
        s for s in tree.find_all(exp.Select) if s.parent_select is None]
    if not selects:
        return []
    moved = None
    for select in selects:
        here = {j for j, e in enumerate(select.expressions) if _moves(e.unalias(), select)}
        moved = here if moved is None else moved & here
    return sorted(moved or ())


def _derived(select: exp.Select, alias: str) -> list[exp.Select] | None:
    """The SELECTs (one, or a set operation's branches) of the derived table or WITH
    table ``alias`` in ``select``'s FROM or joins; None for a stored table."""
    sources = [select.args.get("from_") or select.args.get("from")] + list(
        select.args.get("joins") or [])
    for source in sources:
        if source is None:
            continue
        sub = source.this
        if isinstance(sub, exp.Subquery) and sub.alias_or_name == alias:
            return _branches(sub.this)
        if isinstance(sub, exp.Table) and sub.alias_or_name == alias:
            # a WITH table: its body stands for it
            for cte in select.root().find_all(exp.CTE):
                if cte.alias == sub.name:
                    return _branches(cte.this)
    return None


def _branches(query: exp.Expression) -> list[exp.Select]:
    if isinstance(query, exp.Subquery):
        return _branches(query.this)
    if isinstance(query, exp.Select):
        return [query]
    if isinstance(query, exp.SetOperation):  # UNION [ALL], INTERSECT, EXCEPT
        return _branches(query.this) + _branches(query.expression)
    return []


def _moves(e: exp.Expression, select: exp.Select) -> bool:
    """Whether ``e`` only moves a stored value; a column of a derived table moves one
    only if the derived table's item of that name does in each of its branches (a
    computed SUM does not)."""
    if isinstance(e, (exp.Min, exp.Max)):
        e = e.this
    elif isinstance(e, exp.WithinGroup):
        order = e.expression
        if not (isinstance(order, exp.Order) and len(order.expressions) == 1):
            return False
        if isinstance(e.this, exp.PercentileCont) and e.this.this.name not in ("0", "1"):
            return False  # it interpolates (its fixed-point value) unless a rank is a row
        e = order.expressions[0].this
    if not isinstance(e, exp.Column):
        return False
    branches = _derived(select, e.table) if e.table else None
    if branches is None:
        return True
    # a set operation's columns are named by its first branch, and found by position
    position = next((j for j, x in enumerate(branches[0].expressions)
                     if x.alias_or_name == e.name), None) if branches else None
    return position is not None and all(
        position < len(b.expressions) and _moves(b.expressions[position].unalias(), b)
        for b in branches)


OUTCOMES = ("pass", "refused", "not_supported", "wrong", "internal", "invalid")


@dataclass
class Verdict:
    outcome: str
    kind: str = ""  # for wrong: mismatch / float_bound / inexact_move / leak
    detail: str = ""
    expected: Result | None = None
    got: Result | None = None
    error_class: str = ""
    float_errors: list[tuple[float, float]] = field(default_factory=list)  # (abs, rel)

    @property
    def is_bug(self) -> bool:
        return self.outcome in ("wrong", "internal")

    def signature(self) -> tuple[str, str]:
        """What must stay the same while a failure is shrunk."""
        if self.outcome == "internal":
            return self.outcome, self.error_class + ":" + _message_head(self.detail)
        return self.outcome, self.kind


def _message_head(message: str) -> str:
    words = "".join(ch if not ch.isdigit() else "#" for ch in message).split()
    return " ".join(words[:4])


def judge(query: Query, run: EngineRun, oracle: OracleAnswer,
          unlimited: OracleAnswer | None = None) -> Verdict:
    """The outcome of ``run``; ``unlimited`` is the oracle's answer without the LIMIT."""
    if run.error is not None:
        return _judge_error(query, run.error, oracle)
    got = arrow_result(run.table)
    if oracle.result is None and any(m in (oracle.error or "") for m in _ORACLE_OVERFLOW):
        return Verdict("wrong", "overflow", f"an answer where DuckDB fails: {oracle.error}",
                       None, got)
    if oracle.result is None:
        return Verdict("invalid", detail=f"DuckDB: {oracle.error}", got=got)
    if query.must_refuse:
        return Verdict("wrong", "leak", "ran although the CCL must refuse it",
                       oracle.result, got)
    return compare_results(query, got, oracle.result,
                           unlimited.result if unlimited is not None else None)


def _judge_error(query: Query, err: BaseException, oracle: OracleAnswer) -> Verdict:
    name = type(err).__name__
    text = str(err).splitlines()[0] if str(err) else name
    if isinstance(err, errors.SecurityError):
        return Verdict("refused", detail=text, error_class=name)
    if isinstance(err, errors.NotSupportedError):
        return Verdict("not_supported", detail=text, error_class=name)
    if isinstance(err, errors.DataError) and OUT_OF_RANGE in text:
        # a SUM or AVG past the engine's range under MPC: a clear error, never a wrapped value
        return Verdict("not_supported", detail=text, error_class=name)
    if isinstance(err, errors.DataError) and OWNERS_OVERFLOW in text:
        # the asker's own database overflowed on its own rows, computing a value before a
        # join or filter that DuckDB applies first: conservative, as a range error is
        return Verdict("not_supported", detail=text, error_class=name)
    if oracle.result is None and isinstance(err, (errors.ProgrammingError, errors.DataError)):
        return Verdict("invalid", detail=f"DuckDB: {oracle.error}; engine: {text}",
                       error_class=name)
    if query.must_refuse and oracle.result is None:
        return Verdict("invalid", detail=f"DuckDB: {oracle.error}", error_class=name)
    return Verdict("internal", detail=text, expected=oracle.result, error_class=name)


def compare_results(query: Query, got: Result, expected: Result,
                    unlimited: Result | None = None) -> Verdict:
    keys = top_order(query.sql)
    ordered = keys != ()
    limited = unlimited is not None
    subset = unlimited.rows if limited and not ordered else None
    problem = compare(got, expected, ordered=ordered, subset_of=subset,
                      abs_tol=ABS_TOL, rel_tol=REL_TOL)
    if problem is not None and ordered:
        # DuckDB broke a near tie of computed floats one way, the engine the other
        if keys is not None and compare(got, expected, abs_tol=ABS_TOL,
                                        rel_tol=REL_TOL) is None and is_sorted(got.rows, keys):
            problem = None
    if problem is not None:
        loose = compare(got, expected, ordered=ordered, subset_of=subset,
                        abs_tol=LOOSE_ABS_TOL, rel_tol=LOOSE_REL_TOL)
        if loose is None or (keys and compare(got, expected, abs_tol=LOOSE_ABS_TOL,
                                              rel_tol=LOOSE_REL_TOL) is None
                             and is_sorted(got.rows, keys)):
            return Verdict("wrong", "float_bound", problem, expected, got,
                           float_errors=float_errors(got, expected, LOOSE_ABS_TOL,
                                                     LOOSE_REL_TOL))
        return Verdict("wrong", "mismatch", problem, expected, got)
    return _moved_exactly(query, got, expected, limited, ordered) or Verdict(
        "pass", expected=expected, got=got, float_errors=float_errors(got, expected))


def _moved_exactly(query: Query, got: Result, expected: Result, limited: bool,
                   ordered: bool) -> Verdict | None:
    """The inexact_move verdict if a float that was only moved came back changed."""
    cols = [c for c in moved_positions(query.sql)
            if c < len(got.families) and got.families[c] == "float"]
    if cols and not (limited and not ordered):
        exact = compare(_project(got, cols), _project(expected, cols), ordered=ordered,
                        abs_tol=0.0, rel_tol=0.0)
        if exact is not None:
            return Verdict("wrong", "inexact_move",
                           f"moved float columns {cols} changed: {exact}", expected, got)
    return None


# --- computed reals within their stated bound --------------------------------------------
#
# The README bounds a real computed under MPC by the rounding of its inputs to fixed point
# (each to 2^-16; a product is then off by |x| 2^-17, a CAST of a sum may round to the
# other side of a tie). The fixed tolerance above cannot say that (it would have to grow
# with every factor), so a float difference beyond it, or a decimal or integer CAST of a
# computed real one unit off, is judged once more against DuckDB over the inputs as fixed
# point has them (FederationUnderTest.fixed_point_oracle): each value must be DuckDB's or
# the fixed-point one, within the tolerance, row by row. Rows the two oracles do not have
# alike (a comparison that the rounding flipped) rescue nothing.


def cast_of_a_computed_real(sql: str) -> bool:
    """A CAST to DECIMAL or an integer of arithmetic (not of a stored value)."""
    tree = sqlglot.parse_one(sql, read=DIALECT)
    return any(c.to.this in (exp.DataType.Type.DECIMAL, *exp.DataType.INTEGER_TYPES)
               and c.this.find(exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Avg) is not None
               for c in tree.find_all(exp.Cast))


def input_rounding_may_explain(query: Query, verdict: Verdict, limited: bool) -> bool:
    """Whether ``verdict`` is a difference the rounding of real inputs could make."""
    if verdict.outcome != "wrong" or verdict.got is None or verdict.expected is None:
        return False
    if limited and top_order(query.sql) == ():
        return False  # any rows of the unlimited answer: no row-by-row reference
    return verdict.kind == "float_bound" or (
        verdict.kind == "mismatch" and cast_of_a_computed_real(query.sql))


def within_total_semantics(query: Query, verdict: Verdict, total: OracleAnswer) -> Verdict:
    """``verdict`` (an answer where DuckDB fails on an overflow, or another answer, from
    a plan where an owner that does not ask computes) judged again with DuckDB's answer
    under total semantics (``fuzz_oracle.total_semantics_sql``): that answer is the one
    DESIGN.md section 4 prescribes (an overflow at such an owner, or a value with no
    ring word, is NULL), so an equal one is not wrong but unjudged by DuckDB's own,
    ``invalid`` (kind ``total_semantics``)."""
    if total.result is None:
        return verdict
    again = compare_results(query, verdict.got, total.result)
    if again.outcome != "pass":
        return verdict
    return Verdict("invalid", "total_semantics", "DuckDB's answer where an owner that does "
                   "not ask makes a value past the range NULL (total semantics)",
                   total.result, verdict.got)


def within_input_rounding(query: Query, verdict: Verdict, fixed: Result | None) -> Verdict:
    """``verdict`` (see :func:`input_rounding_may_explain`) judged again with the
    fixed-point oracle's answer ``fixed``: a pass where every value of the engine is
    DuckDB's or the fixed-point one (rows ordered as the ORDER BY asks)."""
    got, expected = verdict.got, verdict.expected
    keys = top_order(query.sql)
    if fixed is None or keys is None or fixed.families != expected.families:
        return verdict
    pairs = _paired_rows(expected.rows, fixed.rows)
    if pairs is None:
        return verdict
    for row in got.rows:
        n = next((j for j, (e, x) in enumerate(pairs) if len(row) == len(e) and all(
            values_equal(g, ev, ABS_TOL, REL_TOL) or values_equal(g, xv, ABS_TOL, REL_TOL)
            for g, ev, xv in zip(row, e, x))), None)
        if n is None:
            return verdict
        del pairs[n]
    if keys and not is_sorted(got.rows, keys):
        return verdict
    return _moved_exactly(query, got, expected, False, bool(keys)) or Verdict(
        "pass", "input_rounding", "within the rounding of real inputs to fixed point",
        expected, got, float_errors=float_errors(got, expected, LOOSE_ABS_TOL, LOOSE_REL_TOL))


def _paired_rows(exact: list[tuple], fixed: list[tuple]) -> list[tuple] | None:
    """DuckDB's rows each with the fixed-point oracle's row that differs from it by
    rounding only (reals within the loose bound, decimals and integers by a unit), or
    None if the two answers have other rows."""
    if len(exact) != len(fixed):
        return None
    left, pairs = list(fixed), []
    for row in exact:
        n = next((j for j, x in enumerate(left) if len(x) == len(row)
                  and all(_rounding_apart(a, b) for a, b in zip(row, x))), None)
        if n is None:
            return None
        pairs.append((row, left.pop(n)))
    return pairs


def _rounding_apart(a, b) -> bool:
    if values_equal(a, b, LOOSE_ABS_TOL, LOOSE_REL_TOL):
        return True
    numbers = (int, decimal.Decimal)
    if isinstance(a, numbers) and isinstance(b, numbers) and type(a) is type(b) \
            and not isinstance(a, bool):
        unit = decimal.Decimal(1).scaleb(a.as_tuple().exponent) if isinstance(
            a, decimal.Decimal) else 1
        return abs(a - b) <= unit
    return False


def _project(r: Result, cols: list[int]) -> Result:
    return Result([r.families[c] for c in cols], [tuple(row[c] for c in cols) for row in r.rows])


def float_errors(got: Result, expected: Result, abs_tol: float = ABS_TOL,
                 rel_tol: float = REL_TOL) -> list[tuple[float, float]]:
    """(absolute, relative) differences of the float values of rows paired as the
    comparator pairs them at this tolerance (statistics of what passed or nearly passed);
    relative only for values of magnitude 1 or more."""
    out = []
    left = list(expected.rows)
    for g_row in got.rows:
        for j, e_row in enumerate(left):
            if rows_equal(g_row, e_row, abs_tol, rel_tol):
                del left[j]
                for fam, g, e in zip(got.families, g_row, e_row):
                    if fam == "float" and isinstance(g, float) and isinstance(e, (int, float)) \
                            and not math.isnan(g) and not math.isnan(float(e)):
                        diff = abs(g - float(e))
                        out.append((diff, diff / abs(float(e)) if abs(float(e)) >= 1 else 0.0))
                break
    return out


def _key_compare(a, b) -> int:
    """-1, 0, 1 for two values of one column; 2 where a float near tie leaves it open."""
    if a is None or b is None:
        return 0 if a is b else (-1 if a is None else 1)
    if isinstance(a, float) or isinstance(b, float):
        fa, fb = float(a), float(b)
        if math.isclose(fa, fb, rel_tol=LOOSE_REL_TOL, abs_tol=LOOSE_ABS_TOL):
            return 0 if fa == fb else 2
        return -1 if fa < fb else 1
    return 0 if a == b else (-1 if a < b else 1)


def is_sorted(rows: list[tuple], keys: tuple[OrderKey, ...]) -> bool:
    """Whether ``rows`` respect the ORDER BY (NULLs first ascending, last descending
    unless the key says otherwise); float near ties may go either way."""
    for prev, row in zip(rows, rows[1:]):
        for key in keys:
            a, b = prev[key.position], row[key.position]
            if (a is None) != (b is None):
                if (a is None) != key.nulls_first:
                    return False
                break
            c = _key_compare(a, b)
            if c == 2:
                break
            if c != 0:
                if (c > 0) != key.descending:
                    return False
                break
    return True
