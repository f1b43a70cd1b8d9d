"""SQL text for a single-party subtree, run by its owner in its own DuckDB.

>>> from scql_py.catalog.types import INT64
>>> scan = lp.Scan("t", "alice", ["x"], [INT64])
>>> to_sql(lp.Filter(scan, exp.condition("x > 1")))
'SELECT * FROM (SELECT "x" FROM "t") AS "_t" WHERE "x" > 1'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import SqlType
from scql_py.mpc.fixedpoint import max_abs
from scql_py.sql import logical as lp
from scql_py.sql.type_inference import infer_type

STORAGE_DIALECT = "duckdb"


def _over(e: exp.Expression, child: lp.Node) -> exp.Expression:
    """A copy of ``e`` (over ``child``'s columns) in the owner's SQL."""
    holder = exp.Paren(this=e.copy())  # the expression itself may be replaced
    return _truncated_int_divisions(holder, dict(zip(child.columns, child.types))).this


def _from(node: lp.Node) -> exp.Select:
    return exp.select("*").from_(exp.Subquery(this=to_ast(node), alias=exp.TableAlias(
        this=exp.to_identifier("_t"))))


_AGG_NODES = {"count": exp.Count, "sum": exp.Sum, "avg": exp.Avg, "min": exp.Min, "max": exp.Max,
              "var_pop": exp.VariancePop, "var_samp": exp.Variance,
              "stddev_pop": exp.StddevPop, "stddev_samp": exp.StddevSamp}


def _agg_sql(call: lp.AggCall) -> exp.Expression:
    arg = exp.Star() if call.arg is None else call.arg.copy()
    if call.fraction is not None:
        # QUANTILE_DISC / QUANTILE_CONT in DuckDB (aggregates: total semantics leave them be)
        node = exp.PercentileDisc if call.func.startswith("percentile_disc") else exp.PercentileCont
        return node(this=arg, expression=exp.Literal.number(call.fraction))
    if isinstance(arg, exp.Tuple):
        # COUNT(DISTINCT a, b) skips a tuple with a NULL in it; DuckDB's row value counts
        # it. Each part in parentheses: NOT x IS NULL would be NOT (x IS NULL)
        has_null = exp.or_(*[exp.Is(this=exp.Paren(this=a.copy()), expression=exp.Null())
                             for a in arg.expressions])
        arg = exp.Case(ifs=[exp.If(this=has_null, true=exp.Null())], default=arg)
    if call.distinct:
        arg = exp.Distinct(expressions=[arg])
    node = _AGG_NODES[call.func](this=arg)
    if call.func == "sum" and call.type.kind == "int64":
        # DuckDB widens SUM(BIGINT) to HUGEINT; the plan says int64
        node = exp.cast(node, "BIGINT")
    return node


_WINDOW_NODES = {"row_number": exp.RowNumber, "rank": exp.Rank, "dense_rank": exp.DenseRank,
                 "percent_rank": exp.PercentRank, "first_value": exp.FirstValue,
                 "last_value": exp.LastValue, **_AGG_NODES}


def _window_call(f: lp.WindowFunc) -> exp.Expression:
    arg = exp.column(f.arg, quoted=True) if f.arg is not None else None
    if f.func == "ntile":
        return exp.Ntile(this=exp.Literal.number(f.offset))
    if f.func in ("lag", "lead"):
        cls = exp.Lag if f.func == "lag" else exp.Lead
        return cls(this=arg, offset=exp.Literal.number(f.offset),
                   default=f.default.copy() if f.default is not None else None)
    if f.func == "count" and arg is None:
        return exp.Count(this=exp.Star())
    if f.func == "nth_value":
        return exp.NthValue(this=arg, offset=exp.Literal.number(f.offset))
    node = _WINDOW_NODES[f.func]
    return node(this=arg) if arg is not None else node()


def to_ast(node: lp.Node) -> exp.Expression:
    if isinstance(node, lp.Scan):
        return exp.select(*[exp.column(c) for c in node.columns]).from_(exp.to_table(node.table))
    if isinstance(node, lp.Filter):
        return _from(node.child).where(_over(node.predicate, node.child))
    if isinstance(node, lp.Project):
        sel = _from(node.child)
        sel.set("expressions", [exp.alias_(_over(e, node.child), name)
                                for name, e, _ in node.exprs])
        return sel
    if isinstance(node, lp.Aggregate):
        sel = _from(node.child)
        keys = [exp.alias_(_over(e, node.child), name) for name, e, _ in node.keys]
        sel.set("expressions", keys + [exp.alias_(_over(_agg_sql(c), node.child), name)
                                       for name, c in node.aggs])
        if node.keys:
            sel = sel.group_by(*[_over(e, node.child) for _, e, _ in node.keys])
        return sel
    if isinstance(node, lp.Sort):
        return _from(node.child).order_by(*[
            exp.Ordered(this=exp.column(k.column), desc=k.descending, nulls_first=k.nulls_first)
            for k in node.keys])
    if isinstance(node, lp.UnionAll):
        out = _union_branch(node, node.inputs[0])
        for b in node.inputs[1:]:
            out = exp.union(out, _union_branch(node, b), distinct=False)
        return out
    if isinstance(node, lp.Window):
        over = []
        for f in node.funcs:
            win = exp.Window(
                this=_window_call(f),
                partition_by=[exp.column(p, quoted=True) for p in node.partition],
                order=exp.Order(expressions=[
                    exp.Ordered(this=exp.column(k.column, quoted=True), desc=k.descending,
                                nulls_first=k.nulls_first) for k in node.order]) if node.order else None,
                spec=f.frame.spec() if f.frame is not None else None,
            )
            if f.func == "sum" and f.type.kind == "int64":
                win = exp.cast(win, "BIGINT")  # DuckDB widens to HUGEINT; the plan says int64
            over.append(exp.alias_(win, f.name, quoted=True))
        sel = _from(node.child)
        sel.set("expressions", [exp.Star()] + over)
        return sel
    if isinstance(node, lp.Join):
        on = None
        for a, b in node.keys:
            eq = exp.EQ(this=exp.column(a, table="_l", quoted=True),
                        expression=exp.column(b, table="_r", quoted=True))
            on = eq if on is None else exp.And(this=on, expression=eq)
        left = exp.Subquery(this=to_ast(node.left), alias=exp.TableAlias(this=exp.to_identifier("_l")))
        right = exp.Subquery(this=to_ast(node.right), alias=exp.TableAlias(this=exp.to_identifier("_r")))
        sel = exp.select(*[exp.column(c, table="_l", quoted=True) for c in node.left.columns],
                         *[exp.column(c, table="_r", quoted=True) for c in node.right.columns])
        if node.how == "scalar":
            # SQL's scalar subquery: NULL when it has no row, an error when it has several
            # (a CROSS JOIN would drop every row, or repeat them)
            sel = exp.select(*[exp.column(c, table="_l", quoted=True) for c in node.left.columns])
            for c in node.right.columns:
                value = exp.select(exp.column(c, table="_r", quoted=True)).from_(right.copy())
                sel = sel.select(exp.alias_(exp.Subquery(this=value), c, quoted=True))
            return sel.from_(left)
        return sel.from_(left).join(right, on=on, join_type=node.how.upper() if node.how != "inner" else "")
    if isinstance(node, lp.Limit):
        sel = _from(node.child)
        if node.limit is not None:
            sel = sel.limit(node.limit)
        if node.offset:
            sel = sel.offset(node.offset)
        return sel
    raise TypeError(f"no local SQL for {type(node).__name__}")


def _null_on_zero_divisor(e: exp.Expression) -> exp.Expression:
    """MySQL (our dialect) gives NULL for x / 0, x % 0, x DIV 0; DuckDB gives inf or an
    error. Dividing by NULLIF(divisor, 0) makes the local engine agree."""
    if isinstance(e, (exp.Div, exp.Mod, exp.IntDiv)):
        e.set("expression", exp.Nullif(this=e.expression, expression=exp.Literal.number(0)))
    return e


def _truncated_int_divisions(ast: exp.Expression, columns: dict[str, SqlType]) -> exp.Expression:
    """MySQL's ``a DIV b`` is the quotient truncated toward zero, a BIGINT; DuckDB's
    ``a // b`` is that for integers only (2.5 // 2 is 1.25). For integers and decimals
    ``(a - a % b) // b`` is an exact multiple's quotient (% keeps the dividend's sign); with
    a real operand the remainder of an inexact divisor is not (37.0 - 37.0 % 0.001 is
    36.999), and the quotient of reals is ``TRUNC(a / b)``. ``columns``: the types of the
    names ``ast`` reads."""
    for node in reversed(list(ast.find_all(exp.IntDiv, bfs=False))):
        a, b = node.this, node.expression
        kinds = {infer_type(v, columns).kind for v in (a, b)}
        if "float64" in kinds:
            quotient = exp.Anonymous(this="TRUNC", expressions=[
                exp.Div(this=exp.Paren(this=a.copy()), expression=exp.Paren(this=b.copy()))])
        else:
            multiple = exp.Sub(this=a.copy(), expression=exp.Paren(this=exp.Mod(
                this=a.copy(), expression=b.copy())))
            quotient = exp.IntDiv(this=exp.Paren(this=multiple), expression=b.copy())
        node.replace(exp.cast(quotient, "BIGINT"))
    return ast


# the nodes DuckDB may raise on for some values: an overflow, a logarithm of a negative
# number, a string that is no date; and functions it knows by name only
_MAY_FAIL = (exp.Add, exp.Sub, exp.Mul, exp.Div, exp.Mod, exp.IntDiv, exp.Neg, exp.Pow,
             exp.Exp, exp.Ln, exp.Log, exp.Sqrt, exp.StrToDate, exp.StrToTime, exp.DateAdd,
             exp.DateSub, exp.Anonymous,
             # MySQL's implicit string-to-date conversions (YEAR(s) reads YEAR(CAST(s AS
             # DATE))): a strict cast that fails on a string that is no date
             exp.TsOrDsToDate, exp.TsOrDsToTimestamp, exp.TsOrDsToDatetime, exp.TsOrDsToTime,
             exp.DateStrToDate, exp.TimeStrToTime, exp.TimeStrToDate)
# where an expression of its own begins: TRY may not reach across these
_SCOPE = (exp.AggFunc, exp.Window, exp.Select, exp.Subquery, exp.Union)


def _may_fail(e: exp.Expression) -> bool:
    return (isinstance(e, _MAY_FAIL) and not isinstance(e, (exp.AggFunc, exp.Cast))
            and not (isinstance(e, exp.Anonymous) and e.name.upper() == "TRY")
            and not isinstance(e.parent, exp.Window))


def _with_total_semantics(ast: exp.Expression) -> exp.Expression:
    """``ast`` with total semantics: a failed cast or an overflow gives NULL (TRY_CAST,
    TRY) instead of an error whose text, and whose very occurrence, shows the data."""
    for cast in reversed(list(ast.find_all(exp.Cast))):
        if not isinstance(cast, exp.TryCast):
            cast.replace(exp.TryCast(this=cast.this, to=cast.to))
    # the outermost expressions that may fail, each within its own aggregate or query
    outermost = []
    for node in ast.find_all(*_MAY_FAIL):
        if not _may_fail(node):
            continue
        up = node.parent
        while up is not None and not isinstance(up, _SCOPE) and not _may_fail(up):
            up = up.parent
        if up is None or isinstance(up, _SCOPE):
            outermost.append(node)
    for node in outermost:
        node.replace(exp.Anonymous(this="TRY", expressions=[node.copy()]))
    return ast


# the nodes whose float results may be NaN or infinite (SQRT(-1), LN(0), EXP(1000),
# CAST('inf' AS DOUBLE)): values with no fixed-point form, which cannot be shared
_NOT_FINITE = (exp.Sqrt, exp.Ln, exp.Log, exp.Exp, exp.Pow, exp.Asin, exp.Acos, exp.Tan,
               exp.Cast)  # (a CAST only to a float)


def _finite_floats(ast: exp.Expression, node: lp.Node) -> exp.Expression:
    """``ast`` with its float columns NULL where they have no fixed-point value (NaN,
    infinite, or beyond its range): an owner that does not ask shares them, and failing
    on such a value would show the asker that one of its rows has it."""
    # (a SUM of reals is left for its owner to check: past range, it is the asker's error)
    floats = {c for c, t in zip(node.columns, node.types) if t.kind == "float64"
              } - set(summed_columns(node))
    if not floats or not any(not isinstance(n, exp.Cast) or n.to.is_type("double", "float")
                             for n in ast.find_all(*_NOT_FINITE)):
        return ast
    # NaN compares above every number (DuckDB, PostgreSQL): false here too; the bound is
    # exclusive, and the double below it is 2^47 less one ulp
    bound = max_abs()
    return _null_unless(ast, node, {c: (exp.Literal.number(repr(-bound)),
                                        exp.Literal.number(repr(bound))) for c in floats},
                        exclusive=True)


# the dates a result can hold (Python's, and so the DB-API's: years 1 to 9999); DuckDB's
# go beyond, and DATE_ADD(d, INTERVAL n DAY) gets there for a large n
_DATE_RANGE = {"date": ("DATE", "0001-01-01", "9999-12-31"),
               "timestamp": ("TIMESTAMP", "0001-01-01 00:00:00", "9999-12-31 23:59:59.999999")}
# the nodes that compute a date or timestamp (arithmetic, a conversion of text)
_MAKES_DATES = (exp.Add, exp.Sub, exp.DateAdd, exp.DateSub, exp.Interval, exp.Cast,
                exp.StrToDate, exp.StrToTime, exp.TsOrDsAdd, exp.TsOrDsToDate,
                exp.TsOrDsToTimestamp, exp.TsOrDsToDatetime, exp.DateStrToDate,
                exp.TimeStrToTime, exp.TimeStrToDate, exp.DateTrunc, exp.TimestampTrunc,
                exp.LastDay, exp.Anonymous)


def _dates_in_range(ast: exp.Expression, node: lp.Node) -> exp.Expression:
    """``ast`` with its date and timestamp columns NULL outside years 1 to 9999: an
    overflow gives NULL (total semantics), not a value no party can decode."""
    dates = {c: t.kind for c, t in zip(node.columns, node.types) if t.kind in _DATE_RANGE}
    if not dates or ast.find(*_MAKES_DATES) is None:
        return ast
    bounds = {}
    for c, kind in dates.items():
        name, low, high = _DATE_RANGE[kind]
        bounds[c] = tuple(exp.cast(exp.Literal.string(v), name) for v in (low, high))
    return _null_unless(ast, node, bounds)


def _null_unless(ast: exp.Expression, node: lp.Node, bounds: dict, exclusive: bool = False
                 ) -> exp.Expression:
    """``SELECT ...`` of ``ast`` with each column of ``bounds`` NULL outside its
    ``(low, high)`` (inclusive, or ``exclusive``)."""
    below, above = (exp.GT, exp.LT) if exclusive else (exp.GTE, exp.LTE)
    outer = []
    for c in node.columns:
        col = exp.column(c, quoted=True)
        if c in bounds:
            low, high = bounds[c]
            fits = exp.And(this=below(this=col.copy(), expression=low),
                           expression=above(this=col.copy(), expression=high))
            col = exp.Case(ifs=[exp.If(this=fits, true=col)])
        outer.append(exp.alias_(col, c, quoted=True))
    return exp.select(*outer).from_(exp.Subquery(
        this=ast, alias=exp.TableAlias(this=exp.to_identifier("_f"))))


def to_sql(node: lp.Node, total: bool = False, shared: bool = False) -> str:
    """The owner's SQL for ``node``; ``total``: no value makes it fail (for an owner who
    does not ask, so that an error cannot tell the asker about the data); ``shared``
    too: the result is secret-shared, so a NaN or infinite float is NULL."""
    ast = to_ast(node).transform(_null_on_zero_divisor)
    if total:
        ast = _with_total_semantics(ast)
        if shared:
            ast = _finite_floats(ast, node)
    ast = _dates_in_range(ast, node)
    return ast.sql(dialect=STORAGE_DIALECT, identify=True)


# the words of the plan's int64 columns: an owner's SUM of int64 past them has no int64 value
INT64_RANGE = (-(2**63), 2**63 - 1)


def _int64_sums(node: lp.Node) -> list[str]:
    """The output columns of ``node`` that are an int64 SUM it computes itself."""
    if isinstance(node, lp.Aggregate):
        return [name for name, c in node.aggs if c.func == "sum" and c.type.kind == "int64"]
    if isinstance(node, lp.Window):
        return [f.name for f in node.funcs if f.func == "sum" and f.type.kind == "int64"]
    return []


def _exact_sum(e: exp.Expression) -> exp.Expression:
    """Without the cast :func:`to_ast` puts on an int64 SUM: DuckDB's HUGEINT, exact."""
    if isinstance(e, exp.Cast) and e.to.is_type("bigint") and (
            isinstance(e.this, exp.Sum) or isinstance(e.this, exp.Window)
            and isinstance(e.this.this, exp.Sum)):
        return e.this
    return e


def summed_columns(node: lp.Node) -> list[str]:
    """The output columns of ``node`` that are a SUM (or an AVG's partial sum) of reals
    or decimals it computes, as they are or renamed: an owner that does not ask and
    shares them checks that each has a ring word (:func:`scql_py.engine.encoding.
    without_wordless`), and says so with the out-of-range bit, as under MPC."""
    renamed = None
    if isinstance(node, lp.Project):
        renamed = {e.name: name for name, e, _ in node.exprs if isinstance(e, exp.Column)}
        node = node.child
    if not isinstance(node, lp.Aggregate):
        return []
    sums = [name for name, c in node.aggs
            if c.func == "sum" and c.type.kind in ("float64", "decimal")]
    return sums if renamed is None else [renamed[n] for n in sums if n in renamed]


def wordless_columns(node: lp.Node, total: bool) -> tuple[list[str], list[str]]:
    """The output columns of ``node`` whose values may have no ring word when its owner
    shares them, as ``(checked, nulled)``. A decimal of more than 18 digits may be past
    2^63 units (``2.25 - n`` of an int64 ``n`` is a DECIMAL(21,2)); a real past 2^47, or
    NaN. The owner checks each (:func:`scql_py.engine.encoding.without_wordless`):

    * ``checked``: past the range, the asker's out-of-range error. For the asker's own
      query (not ``total``) its wide decimals and sums of reals; for another party's,
      such values computed from aggregates or windows (a SUM, a product of SUMs): the
      value is NULL and the owner's bit says so, which tells the asker of an aggregate
      what MPC's range check of it would.
    * ``nulled`` (``total`` only): the other such values, computed row by row: NULL
      (total semantics, DESIGN.md section 4), since an error bit of a row would let the
      asker probe that row of a column it may not see."""
    checked, nulled = [], []
    sums = set(summed_columns(node))
    for c, t in zip(node.columns, node.types):
        wide = t.kind == "decimal" and t.precision > 18
        if not total:
            if wide or c in sums:
                checked.append(c)
        elif c in sums or (wide or t.kind == "float64") and _from_aggregates(node, c):
            checked.append(c)
        elif (wide or t.kind == "float64") and not _stored(node, c):
            nulled.append(c)  # (a stored NaN or real past 2^47 is refused by its owner)
    return checked, nulled


def _stored(node: lp.Node, col: str) -> bool:
    """Whether column ``col`` of ``node`` is a stored column, only moved."""
    if isinstance(node, lp.Scan):
        return True
    if isinstance(node, lp.Project):
        expr = next((e for name, e, _ in node.exprs if name == col), None)
        return isinstance(expr, exp.Column) and _stored(node.child, expr.name)
    if isinstance(node, lp.RowsKept):
        return _stored(node.child, col)
    if isinstance(node, lp.Join):
        side = next((s for s in (node.left, node.right) if col in s.columns), None)
        return side is not None and _stored(side, col)
    if isinstance(node, lp.UnionAll):
        at = node.columns.index(col)
        return all(_stored(b, b.columns[at]) for b in node.inputs)
    return False


def _from_aggregates(node: lp.Node, col: str) -> bool:
    """Whether column ``col`` of ``node`` is computed from aggregated or windowed values
    (True where the plan's shape is not followed: the error bit, not a NULL)."""
    if isinstance(node, lp.Scan):
        return False
    if isinstance(node, lp.Aggregate):
        return col not in {k for k, _, _ in node.keys}
    if isinstance(node, lp.Window):
        return col in {f.name for f in node.funcs} or _from_aggregates(node.child, col)
    if isinstance(node, lp.Project):
        expr = next((e for name, e, _ in node.exprs if name == col), None)
        return expr is None or any(_from_aggregates(node.child, c.name)
                                   for c in expr.find_all(exp.Column))
    if isinstance(node, lp.RowsKept):
        return _from_aggregates(node.child, col)
    if isinstance(node, lp.Join):
        side = next((s for s in (node.left, node.right) if col in s.columns), None)
        return side is None or _from_aggregates(side, col)
    if isinstance(node, lp.UnionAll):
        at = node.columns.index(col)
        return any(_from_aggregates(b, b.columns[at]) for b in node.inputs)
    return True


def _union_branch(union: lp.UnionAll, branch: lp.Node) -> exp.Expression:
    """A branch of ``union`` with each decimal column cast to the union's type where its
    own differs: DuckDB's own supertype of DECIMAL(38,1) and DECIMAL(38,3) is
    DECIMAL(38,1), which rounds away the other's fraction (seed 90128:17: partial sums
    of DECIMAL(6,1) and DECIMAL(10,3) merged by one owner)."""
    ast = to_ast(branch)
    if all(t == u or u.kind != "decimal" for t, u in zip(branch.types, union.types)):
        return ast
    cols = []
    for c, t, u in zip(branch.columns, branch.types, union.types):
        col = exp.column(c, quoted=True)
        if t != u and u.kind == "decimal":
            col = exp.Cast(this=col, to=exp.DataType.build(u.to_duckdb()))
        cols.append(exp.alias_(col, c, quoted=True))
    return exp.select(*cols).from_(exp.Subquery(
        this=ast, alias=exp.TableAlias(this=exp.to_identifier("_u"))))


def range_check_sql(node: lp.Node) -> str | None:
    """One boolean: whether an int64 SUM that ``node`` computes (an aggregate's or a
    window's, for any group or row, as under MPC) is past the int64 range, where an
    owner that does not ask gives NULL (total semantics); None where ``node`` has no
    such SUM. The owner knows its own data: it turns this into the bit that only the
    asker learns (:data:`scql_py.mpc.openings.OUT_OF_RANGE`), as MPC does for its sums."""
    low, high = (exp.Literal.number(v) for v in INT64_RANGE)
    checks = []
    for part in lp.walk(node):
        names = _int64_sums(part)
        if not names:
            continue
        wide = to_ast(part).transform(_null_on_zero_divisor).transform(_exact_sum)
        past = exp.or_(*[exp.Not(this=exp.Between(this=exp.column(n, quoted=True),
                                                  low=low.copy(), high=high.copy()))
                         for n in names])
        rows_past = exp.select("1").from_(exp.Subquery(
            this=_with_total_semantics(wide),
            alias=exp.TableAlias(this=exp.to_identifier("_r")))).where(past)
        checks.append(exp.Exists(this=rows_past))
    if not checks:
        return None
    return exp.select(exp.alias_(exp.or_(*checks), "past", quoted=True)).sql(
        dialect=STORAGE_DIALECT, identify=True)


def constant_sql(exprs: list[tuple[str, exp.Expression]]) -> str:
    """``SELECT e AS name, ...`` without FROM, as the asker's own engine runs it.

    >>> constant_sql([("q", exp.condition("1 / 0"))])
    'SELECT 1 / NULLIF(0, 0) AS "q"'
    """
    ast = exp.select(*[exp.alias_(e.copy(), name, quoted=True) for name, e in exprs])
    ast = _truncated_int_divisions(ast, {}).transform(_null_on_zero_divisor)  # a SELECT
    return ast.sql(dialect=STORAGE_DIALECT, identify=True)
