"""The same query with its literals as qmark parameters, for the two binders a user meets:
``Federation.execute(asker, sql, params)`` and the DB-API cursor (issue 11, item 3:
they must bind in the same order, the order of the ``?`` in the text).

ORDER BY positions stay literal (a parameter there is a constant, not a position); LIMIT
and OFFSET counts become parameters too.
"""

from __future__ import annotations

import decimal
import re

import sqlglot
from fuzz_oracle import DIALECT, written
from sqlglot import exp


def parameterize(sql: str) -> tuple[str, list] | None:
    """``sql`` with each literal replaced by ``?``, and the values in text order; None
    when it has no literal to replace."""
    if re.search(r"\bNULLS\s+(FIRST|LAST)\b", sql, re.IGNORECASE):
        return None  # written back as MySQL, NULLS FIRST becomes a CASE key: another query
    if re.search(r"\bMEDIAN\s*\(", sql, re.IGNORECASE):
        return None  # written back, MEDIAN(x) becomes PERCENTILE_CONT(x, 0.5) (6118:11)
    tree = sqlglot.parse_one(sql, read=DIALECT)
    found = []
    for node in list(tree.find_all(exp.Literal, exp.Boolean)):
        if node.find_ancestor(exp.DataType) is not None:
            continue
        if isinstance(node.parent, exp.Ordered):
            continue  # ORDER BY 2 is a position
        if isinstance(node.parent, exp.WithinGroup) or node.find_ancestor(exp.PercentileDisc):
            continue  # the fraction of PERCENTILE_DISC is part of the function
        marker = exp.Placeholder(this=f"__fuzz{len(found)}__")
        found.append((marker, _value(node)))
        node.replace(marker)
    if not found:
        return None
    order = [int(m) for m in re.findall(r"__fuzz(\d+)__", written(tree))]
    for marker, _ in found:
        marker.replace(exp.Placeholder())
    return written(tree), [found[i][1] for i in order]


def _value(node: exp.Expression):
    if isinstance(node, exp.Boolean):
        return node.this
    if node.is_string:
        return node.this
    text = node.this
    if "e" in text.lower():
        return float(text)
    if "." in text:
        return decimal.Decimal(text)
    return int(text)
