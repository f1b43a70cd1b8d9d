"""Check what the engine runs, then resolve every name against the catalog.

Unsupported constructs raise ``NotSupportedError`` naming the construct; unknown names
raise ``ProgrammingError`` naming them, with the nearest known names as suggestions.
"""

from __future__ import annotations

import difflib
import re

from sqlglot import exp
from sqlglot.errors import OptimizeError
from sqlglot.optimizer.qualify import qualify

from scql_py.catalog import Catalog
from scql_py.errors import NotSupportedError, ProgrammingError
from scql_py.sql.owner_functions import is_owner_function
from scql_py.sql.parse import DIALECT

# the scalar functions and operators the secure expression evaluator implements
SUPPORTED_FUNCTIONS = (
    exp.Count, exp.Sum, exp.Avg, exp.Min, exp.Max, exp.Coalesce, exp.If, exp.Case, exp.Cast,
    exp.TryCast, exp.Nullif, exp.PercentileDisc, exp.PercentileCont, exp.Median,
    exp.VariancePop, exp.Variance, exp.StddevPop, exp.StddevSamp, exp.Stddev, exp.RowNumber, exp.Rank, exp.DenseRank, exp.PercentRank,
    exp.Ntile, exp.Lag, exp.Lead, exp.FirstValue, exp.LastValue, exp.NthValue,
)

_STATEMENTS = {
    exp.Update: "UPDATE", exp.Delete: "DELETE", exp.Create: "CREATE",
    exp.Alter: "ALTER", exp.Command: "this statement",
}


def check_supported(ast: exp.Expression) -> None:
    """Raise ``NotSupportedError`` for the first construct the engine does not run."""
    for kind, name in _STATEMENTS.items():
        if isinstance(ast, kind):
            raise NotSupportedError(f"{name} statements are not supported: only SELECT, and "
                                    "for shared tables CREATE SHARED TABLE ... AS SELECT, "
                                    "INSERT INTO ... SELECT and DROP TABLE")
    if not isinstance(ast, (exp.Select, exp.SetOperation, exp.Subquery)):
        if isinstance(ast, (exp.Alias, exp.Column, exp.Identifier, exp.Literal, exp.Binary,
                            exp.Unary, exp.Func, exp.Paren, exp.Tuple)):
            # an expression where a statement should be: what sqlglot makes of a
            # misspelt keyword ('SELEC x' reads as the alias x of a column SELEC)
            word = ast.sql(dialect=DIALECT).split()[0] if ast.sql() else ""
            raise ProgrammingError(f"syntax error: '{word}' does not begin a statement "
                                   "(expected SELECT)")
        raise NotSupportedError(f"{ast.key.upper()} statements are not supported; only SELECT")
    for node in ast.walk():
        construct = _unsupported_construct(node)
        if construct:
            raise NotSupportedError(f"{construct} is not supported yet")


def _unsupported_construct(node: exp.Expression) -> str | None:
    if isinstance(node, exp.Join) and not (node.args.get("on") or node.args.get("using")) \
            and not isinstance(node.parent, exp.Select):
        return "JOIN"
    if isinstance(node, exp.Placeholder):
        return "an unbound parameter '?' (pass parameters to execute)"
    if isinstance(node, exp.Func) and not is_owner_function(node) and not isinstance(
        node, SUPPORTED_FUNCTIONS + (exp.Connector, exp.Binary, exp.Unary, exp.Predicate)
    ):
        if isinstance(node, exp.Anonymous):
            return f"function {node.name.upper()}()"
        return f"function {node.sql_name()}()"
    if isinstance(node, (exp.PercentileCont, exp.PercentileDisc)) and not isinstance(
            node.parent, exp.WithinGroup):
        # DuckDB's QUANTILE form, PERCENTILE_CONT(x, 0.5), which MySQL does not have
        name = node.sql_name()
        return (f"{node.sql(dialect=DIALECT)} (write {name}({node.expression.sql(dialect=DIALECT)})"
                f" WITHIN GROUP (ORDER BY {node.this.sql(dialect=DIALECT)}))")
    # (a top-level one is a constant query: see constant_query)
    if isinstance(node, exp.Select) and node.args.get("from_") is None and not isinstance(
            node.parent, exp.Exists) and node.parent is not None:
        return "SELECT without FROM inside another query"
    if isinstance(node, exp.Table) and isinstance(node.this, exp.Anonymous):
        return "table functions"
    if isinstance(node, (exp.Lateral, exp.Pivot, exp.Unnest)):
        return node.key.upper()
    return None


def _suggest(name: str, known: list[str]) -> str:
    near = difflib.get_close_matches(name, known, n=3, cutoff=0.6)
    return f" (did you mean {', '.join(repr(n) for n in near)}?)" if near else ""


def resolve(ast: exp.Expression, catalog: Catalog) -> exp.Expression:
    """Return a qualified copy of ``ast``: every column carries its table, ``*`` expanded,
    every projection aliased. Names are case-insensitive."""
    ast = ast.copy()
    for table in ast.find_all(exp.Table):
        name = table.name.lower()
        if table.args.get("db") is not None:
            raise NotSupportedError(f"qualified table names ({table.sql()})")
        if name not in catalog.tables:
            raise ProgrammingError(
                f"unknown table '{table.name}'{_suggest(name, list(catalog.tables))}"
            )
        table.set("this", exp.to_identifier(name))
    for ident in ast.find_all(exp.Identifier):
        if not ident.quoted:
            ident.set("this", ident.this.lower())
    try:
        return qualify(
            ast, schema=catalog.sqlglot_schema(), dialect=DIALECT,
            validate_qualify_columns=True, quote_identifiers=False,
        )
    except OptimizeError as err:
        raise _name_error(str(err), ast, catalog) from None


def _name_error(message: str, ast: exp.Expression, catalog: Catalog) -> ProgrammingError:
    pos = re.search(r"Line: (\d+), Col: (\d+)", message)
    where = f" at line {pos.group(1)}, column {pos.group(2)}" if pos else ""
    tables = {t.name for t in ast.find_all(exp.Table) if t.name in catalog.tables}
    m = re.search(r"Column '([^']+)' could not be resolved(?: for table: '([^']+)')?", message)
    if m and m.group(2) and m.group(2) not in _sources(ast):
        # a.id where no table or alias is a: the column may well exist elsewhere
        col, name = m.group(1), m.group(2)
        aliased = [t.alias for t in ast.find_all(exp.Table) if t.name == name and t.alias]
        named = sorted(_sources(ast))
        if aliased:
            hint = f" (the table '{name}' is named '{aliased[0]}' here)"
        else:
            hint = _suggest(name, named) or (
                f" (the query names {', '.join(repr(n) for n in named)})" if named else "")
        return ProgrammingError(f"unknown table or alias '{name}' in '{name}.{col}'{where}{hint}")
    unknown = re.search(r"Unknown column: (\S+)", message)
    if m or unknown:
        col = m.group(1) if m else unknown.group(1)
        known = sorted({c for t in tables for c in catalog.tables[t].columns} - {col})
        return ProgrammingError(f"unknown column '{col}'{where}{_suggest(col, known)}")
    message = re.sub(r"\s*Line: \d+, Col: \d+\.?", "", message)
    return ProgrammingError(message)


def _sources(ast: exp.Expression) -> set[str]:
    """The names a column may be qualified with: tables (by their alias, if they have
    one), subqueries' and CTEs' aliases."""
    return {node.alias_or_name for node in ast.find_all(exp.Table, exp.Subquery, exp.CTE)
            if node.alias_or_name}
