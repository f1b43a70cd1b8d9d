"""The SQL type of an expression, following DuckDB's rules for the types we support.

>>> from sqlglot import parse_one
>>> str(infer_type(parse_one("x * 2"), {"x": SqlType.parse("decimal(10,2)")}))
'decimal(18,2)'
>>> str(infer_type(parse_one("x / 2"), {"x": INT64}))
'float64'
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import (
    BOOL,
    DATE,
    FLOAT64,
    INT64,
    INTERVAL,
    MAX_DECIMAL_PRECISION,
    STRING,
    TIMESTAMP,
    SqlType,
)
from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql.owner_functions import needs_owner_typing, owner_function_type

# a NULL literal takes the type of whatever it meets
NULL_TYPE = SqlType("null")

_NUMERIC_RANK = {"bool": 0, "int64": 1, "decimal": 2, "float64": 3}
# where values of two types become values of one (not where they are compared)
_COMBINED_VALUES = {"CASE", "IF", "COALESCE", "LAG", "UNION", "INTERSECT", "EXCEPT"}


def decimal(precision: int, scale: int) -> SqlType:
    return SqlType("decimal", min(precision, MAX_DECIMAL_PRECISION), scale)


def literal_type(lit: exp.Expression) -> SqlType:
    """DuckDB's type for a literal: 3 -> int64, 1.50 -> decimal(3,2), 1e3 -> float64."""
    if isinstance(lit, exp.Null):
        return NULL_TYPE
    if isinstance(lit, exp.Boolean):
        return BOOL
    if isinstance(lit, exp.Literal):
        if lit.is_string:
            return STRING
        text = lit.this.lower()
        if "e" in text:
            return FLOAT64
        if "." in text:
            whole, frac = text.lstrip("-").split(".")
            digits = len(whole.lstrip("0")) + len(frac)
            return decimal(max(digits, len(frac), 1), len(frac))
        return INT64
    raise NotSupportedError(f"literal {lit.sql()}")


_INTEGER_TYPES = {
    getattr(exp.DataType.Type, name)
    for name in ("BIGINT", "INT", "SMALLINT", "TINYINT", "UBIGINT", "UINT", "USMALLINT",
                 "UTINYINT", "INT128", "HUGEINT")
    if hasattr(exp.DataType.Type, name)
}


def cast_target(dtype: exp.DataType) -> SqlType:
    """Map a CAST target type to ours."""
    t = dtype.this
    T = exp.DataType.Type
    if t in _INTEGER_TYPES:
        return INT64
    if t in (T.DOUBLE, T.FLOAT):
        return FLOAT64
    if t == T.DECIMAL:
        params = [int(p.this.this) if isinstance(p.this, exp.Literal) else int(p.name)
                  for p in dtype.expressions]
        precision = params[0] if params else 18
        scale = params[1] if len(params) > 1 else 0
        return decimal(precision, scale)
    if t in (T.VARCHAR, T.TEXT, T.CHAR, T.NVARCHAR, T.NCHAR):
        return STRING
    if t == T.DATE:
        return DATE
    if t in (T.TIMESTAMP, T.DATETIME):
        return TIMESTAMP
    if t == T.BOOLEAN:
        return BOOL
    if t == T.TIMESTAMPTZ:  # MySQL's TIMESTAMP is in the session's time zone
        raise NotSupportedError("TIMESTAMP (a time in the session's time zone, as MySQL's "
                                "is); write DATETIME for a date and time")
    raise NotSupportedError(f"CAST to {dtype.sql(dialect='mysql')}")


def common_type(a: SqlType, b: SqlType, context: str) -> SqlType:
    """The supertype two values are compared or combined in (CASE branches, COALESCE,
    comparisons, UNION ALL columns)."""
    if a.kind == "null":
        return b
    if b.kind == "null" or a == b:
        return a
    if a.kind in _NUMERIC_RANK and b.kind in _NUMERIC_RANK:
        if "float64" in (a.kind, b.kind):
            return FLOAT64
        if a.kind == "decimal" or b.kind == "decimal":
            sa, sb = (t.scale if t.kind == "decimal" else 0 for t in (a, b))
            ia = (a.precision - a.scale) if a.kind == "decimal" else 19
            ib = (b.precision - b.scale) if b.kind == "decimal" else 19
            digits, scale = max(ia, ib), max(sa, sb)
            if (a.kind == b.kind == "decimal" and digits + scale > MAX_DECIMAL_PRECISION
                    and context.split()[0] in _COMBINED_VALUES):
                # DuckDB keeps the integer digits of decimals whose union of digits does not
                # fit, and rounds to fewer fraction digits: CASE ... THEN <DECIMAL(38,1)>
                # ELSE -2.25 is -2.3 (a comparison and an integer operand keep the scale)
                scale = max(MAX_DECIMAL_PRECISION - digits, 0)
            return decimal(digits + scale, scale)
        return INT64
    if {a.kind, b.kind} == {"date", "timestamp"}:
        return TIMESTAMP
    raise ProgrammingError(f"cannot combine {a} and {b} in {context}")


def _numeric(t: SqlType, op: str) -> SqlType:
    if t.kind == "null":
        return INT64
    if t.kind == "interval":  # DuckDB has it; results here carry intervals, no more
        raise NotSupportedError(f"{op} of an INTERVAL (a difference of timestamps)")
    if t.kind not in ("int64", "decimal", "float64"):
        raise ProgrammingError(f"operator {op} needs numbers, got {t}")
    return t


def arithmetic_type(op: str, a: SqlType, b: SqlType) -> SqlType:
    """Result type of ``a op b`` for op in + - * / %."""
    if op in "+-" and (a.kind in ("date", "timestamp") or b.kind in ("date", "timestamp")):
        if op == "-" and a.kind == b.kind == "date":
            return INT64
        if a.kind in ("date", "timestamp") and b.kind in ("int64", "null"):
            return a
        if op == "+" and b.kind in ("date", "timestamp") and a.kind == "int64":
            return b
        if op == "-" and {a.kind, b.kind} <= {"date", "timestamp"}:
            # DuckDB's INTERVAL of the microseconds between them (a date is its midnight)
            return INTERVAL
        raise NotSupportedError(f"arithmetic {a} {op} {b}")
    a, b = _numeric(a, op), _numeric(b, op)
    if op == "/":
        return FLOAT64
    if "float64" in (a.kind, b.kind):
        return FLOAT64
    if a.kind == "decimal" or b.kind == "decimal":
        da = a if a.kind == "decimal" else decimal(18, 0)
        db = b if b.kind == "decimal" else decimal(18, 0)
        if op == "*":
            return decimal(da.precision + db.precision, da.scale + db.scale)
        scale = max(da.scale, db.scale)
        whole = max(da.precision - da.scale, db.precision - db.scale)
        return decimal(whole + scale + (1 if op in "+-" else 0), scale)
    return INT64


# MySQL's STDDEV and VARIANCE are the population ones (sqlglot parses them so)
AGGREGATES = {exp.Count: "count", exp.Sum: "sum", exp.Avg: "avg", exp.Min: "min", exp.Max: "max",
              exp.VariancePop: "var_pop", exp.Variance: "var_samp", exp.StddevPop: "stddev_pop",
              exp.StddevSamp: "stddev_samp", exp.Stddev: "stddev_samp", exp.Median: "median"}
SPREADS = ("var_pop", "var_samp", "stddev_pop", "stddev_samp")


def aggregate_type(func: str, arg: SqlType | None) -> SqlType:
    if func in ("count", "sum_halves"):  # (sum_halves: see logical.HIGH_HALF)
        return INT64
    assert arg is not None
    if func in ("min", "max"):
        return arg if arg.kind != "null" else INT64
    if func in ("median", "percentile_cont"):
        # DuckDB interpolates in the argument's type: DOUBLE for integers, a decimal
        # keeps its type, a date becomes a timestamp
        if arg.kind in ("date", "timestamp"):
            return TIMESTAMP
        return arg if _numeric(arg, func.upper()).kind == "decimal" else FLOAT64
    _numeric(arg, func.upper())
    if func == "avg" or func in SPREADS:
        return FLOAT64
    if arg.kind == "decimal":
        return decimal(38, arg.scale)
    return arg  # int64 stays int64 (DuckDB widens to HUGEINT; same family)


_ARITH = {exp.Add: "+", exp.Sub: "-", exp.Mul: "*", exp.Div: "/", exp.Mod: "%", exp.IntDiv: "//"}
_BOOLEAN_NODES = (exp.EQ, exp.NEQ, exp.GT, exp.GTE, exp.LT, exp.LTE, exp.And, exp.Or, exp.Not,
                  exp.Is, exp.In, exp.Between, exp.NullSafeEQ, exp.NullSafeNEQ, exp.Like,
                  exp.ILike, exp.Escape)


def infer_type(node: exp.Expression, columns: dict[str, SqlType]) -> SqlType:
    """Type of ``node`` whose column references are bare names in ``columns``."""
    if isinstance(node, (exp.Paren, exp.Alias)):
        return infer_type(node.this, columns)
    if isinstance(node, exp.Column):
        try:
            return columns[node.name]
        except KeyError:
            raise ProgrammingError(f"unknown column '{node.name}'") from None
    if isinstance(node, (exp.Literal, exp.Null, exp.Boolean)):
        return literal_type(node)
    if needs_owner_typing(node):
        for arg in node.iter_expressions():
            if not isinstance(arg, (exp.Var, exp.DataType, exp.Interval)):
                infer_type(arg, columns)  # an unsupported argument is named as itself
        return owner_function_type(node, columns)
    if isinstance(node, exp.Neg):
        return _numeric(infer_type(node.this, columns), "-")
    if type(node) in _ARITH:
        op = _ARITH[type(node)]
        if op == "//":
            return INT64
        return arithmetic_type(op, infer_type(node.left, columns), infer_type(node.right, columns))
    if isinstance(node, _BOOLEAN_NODES):
        return BOOL
    if isinstance(node, exp.Cast):
        return cast_target(node.to)
    if isinstance(node, exp.Case):
        branch_types = [infer_type(i.args["true"], columns) for i in node.args.get("ifs", [])]
        if node.args.get("default") is not None:
            branch_types.append(infer_type(node.args["default"], columns))
        return _fold_common(branch_types, "CASE")
    if isinstance(node, exp.If):
        types = [infer_type(node.args["true"], columns)]
        if node.args.get("false") is not None:
            types.append(infer_type(node.args["false"], columns))
        return _fold_common(types, "IF")
    if isinstance(node, exp.Window):
        return FLOAT64 if isinstance(node.this, exp.PercentRank) else INT64
    if isinstance(node, exp.Nullif):
        return infer_type(node.this, columns)
    if isinstance(node, exp.Coalesce):
        types = [infer_type(node.this, columns)]
        types += [infer_type(e, columns) for e in node.expressions]
        return _fold_common(types, "COALESCE")
    if type(node) in AGGREGATES:
        func = AGGREGATES[type(node)]
        arg = node.this
        if isinstance(arg, exp.Distinct):
            arg = arg.expressions[0]
        if func == "count" or isinstance(arg, exp.Star):
            return INT64
        return aggregate_type(func, infer_type(arg, columns))
    raise NotSupportedError(f"expression {node.key.upper()} ({node.sql(dialect='mysql')})")


def _fold_common(types: list[SqlType], context: str) -> SqlType:
    out = NULL_TYPE
    for t in types:
        out = common_type(out, t, context)
    return out if out.kind != "null" else INT64
