"""LIKE with a constant pattern on secret strings (the forms of
:func:`sql.secure_nodes.like_pattern`), by byte windows of the packed string
(:mod:`mpc.byte_match`). The visit of :class:`engine.secure_expr.SecureEvaluator`
(it inherits this mixin)."""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import BOOL
from scql_py.engine.relation import Const, SecretColumn
from scql_py.errors import NotSupportedError
from scql_py.mpc import byte_match, convert
from scql_py.sql.secure_nodes import like_pattern


class SecureLike:
    """Mixin: LIKE for the secure evaluator (module doc)."""

    def visit_Like(self, e: exp.Like):
        v = self.visit(e.this)
        pattern = e.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise NotSupportedError("LIKE with a pattern that is not a constant")
        pieces = like_pattern(pattern.this)
        if pieces is None:
            raise NotSupportedError(f"LIKE '{pattern.this}' on secret strings")
        if v.type.kind == "null":
            return Const(BOOL, None)
        if v.type.kind != "string":
            raise NotSupportedError(f"LIKE on a {v.type} value")
        negate = bool(e.args.get("negate"))  # NOT LIKE
        if isinstance(v, Const):
            if v.value is None:
                return Const(BOOL, None)
            return Const(BOOL, _matches(v.value, pieces) != negate)
        rt, n, words = self.rt, len(v), v.chars or []
        texts = [p.encode() for p in pieces]
        if len(texts) == 1:
            bit = byte_match.equals(rt, words, texts[0], n)
        elif len(texts) == 3:
            bit = byte_match.contains(rt, words, texts[1], n)
        elif not texts[1]:
            bit = byte_match.starts_with(rt, words, texts[0], n)
        else:
            bit = byte_match.ends_with(rt, words, texts[1], n, len(texts[0]) + len(texts[1]))
            if texts[0]:
                bit = convert.bit_and(rt, bit, byte_match.starts_with(rt, words, texts[0], n))
        return SecretColumn(BOOL, convert.bit_not(bit) if negate else bit, v.null)


def _matches(text: str, pieces: tuple[str, ...]) -> bool:
    if len(pieces) == 1:
        return text == pieces[0]
    if len(pieces) == 3:
        return pieces[1] in text
    prefix, suffix = pieces
    return (len(text) >= len(prefix) + len(suffix) and text.startswith(prefix)
            and text.endswith(suffix))


__all__ = ["SecureLike"]
