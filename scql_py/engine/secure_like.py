"""LIKE, NOT LIKE, ILIKE and ESCAPE with a constant pattern on secret strings. The visit
of :class:`engine.secure_expr.SecureEvaluator` (it inherits this mixin).

A pattern of constant pieces (:func:`sql.secure_nodes.like_pattern`: a prefix, a
suffix, both, a contained text) is matched by byte windows of the packed string
(:mod:`mpc.byte_match`, a few rounds); any other pattern (``_``, several ``%``
segments, an escaped wildcard, ILIKE) by its automaton (:mod:`mpc.like_automaton`,
one or two rounds per byte of the column's width). ``_`` is one character, as in
DuckDB, not one byte. ILIKE folds the case of ASCII letters (and of the two non-ASCII
characters whose lowercase is an ASCII letter), which is DuckDB's answer for patterns
of ASCII characters; other patterns are refused by the planner.
"""

from __future__ import annotations

from sqlglot import exp

from scql_py.catalog.types import BOOL
from scql_py.engine.relation import Const, SecretColumn
from scql_py.errors import NotSupportedError
from scql_py.mpc import byte_match, convert, like_automaton
from scql_py.sql.secure_nodes import like_escape, like_pattern, like_tokens


class SecureLike:
    """Mixin: LIKE for the secure evaluator (module doc)."""

    def visit_Like(self, e: exp.Like):
        return self.like(e, None)

    visit_ILike = visit_Like

    def visit_Escape(self, e: exp.Escape):
        if not isinstance(e.this, (exp.Like, exp.ILike)):
            raise NotSupportedError(f"ESCAPE after {e.this.key.upper()}")
        return self.like(e.this, like_escape(e))

    def like(self, e: exp.Like | exp.ILike, escape: str | None):
        """``e`` (its pattern read with ``escape``) as a secret bit."""
        v = self.visit(e.this)
        pattern = e.expression
        if not (isinstance(pattern, exp.Literal) and pattern.is_string):
            raise NotSupportedError(f"{e.key.upper()} with a pattern that is not a constant")
        tokens = like_tokens(e, escape)
        if v.type.kind == "null":
            return Const(BOOL, None)
        if v.type.kind != "string":
            raise NotSupportedError(f"{e.key.upper()} on a {v.type} value")
        negate = bool(e.args.get("negate"))  # NOT LIKE
        if isinstance(v, Const):
            if v.value is None:
                return Const(BOOL, None)
            return Const(BOOL, _matches(v.value, tokens) != negate)
        n, words = len(v), v.chars or []
        pieces = like_pattern(pattern.this) if isinstance(e, exp.Like) and not escape else None
        if pieces is None:
            bit = like_automaton.match(self.rt, words, tokens, n)
        else:
            bit = _by_windows(self.rt, words, pieces, n)
        return SecretColumn(BOOL, convert.bit_not(bit) if negate else bit, v.null)


def _by_windows(rt, words, pieces: tuple[str, ...], n: int):
    texts = [p.encode() for p in pieces]
    if len(texts) == 1:
        return byte_match.equals(rt, words, texts[0], n)
    if len(texts) == 3:
        return byte_match.contains(rt, words, texts[1], n)
    if not texts[1]:
        return byte_match.starts_with(rt, words, texts[0], n)
    bit = byte_match.ends_with(rt, words, texts[1], n, len(texts[0]) + len(texts[1]))
    if texts[0]:
        bit = convert.bit_and(rt, bit, byte_match.starts_with(rt, words, texts[0], n))
    return bit


def _matches(text: str, tokens: list[like_automaton.Token]) -> bool:
    """A constant string against the tokens (the same automaton, on plaintext)."""
    return like_automaton.matches_plain(text.encode(), tokens)


__all__ = ["SecureLike"]
