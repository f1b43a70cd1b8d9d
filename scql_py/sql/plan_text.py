"""How a physical plan writes the expressions its secure steps evaluate, and how an
engine reads them back: one dialect both sides use, in which every expression the
planner emits comes back as the same tree.

sqlglot's default dialect writes ``a DIV b`` as ``CAST(a / b AS BIGINT)``, which reads
back as a rounded quotient (7 DIV 2 would be 4); here it is ``INT_DIV(a, b)``.

>>> e = exp.IntDiv(this=exp.column("i"), expression=exp.Literal.number(2))
>>> render(e)
'INT_DIV(i, 2)'
>>> parse(render(e)) == e
True
"""

from __future__ import annotations

from sqlglot import exp, generator, parser
from sqlglot.dialects.dialect import Dialect


def _int_div(args: list) -> exp.IntDiv:
    return exp.IntDiv(this=args[0], expression=args[1])


class PlanDialect(Dialect):
    class Parser(parser.Parser):
        FUNCTIONS = {**parser.Parser.FUNCTIONS, "INT_DIV": _int_div}

    class Generator(generator.Generator):
        TRANSFORMS = {**generator.Generator.TRANSFORMS,
                      exp.IntDiv: lambda self, e: self.func("INT_DIV", e.this, e.expression)}


def render(e: exp.Expression) -> str:
    return e.sql(dialect=PlanDialect)


def parse(text: str) -> exp.Expression:
    return exp.maybe_parse(text, dialect=PlanDialect)
