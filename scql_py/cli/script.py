"""SQL scripts as the CLI reads them: header comments, statement splitting, completeness.

A query file may start with header comments that say where it runs:

    -- catalog: ../catalogs/health.toml     (relative to the query file)
    -- party: hospital

>>> read_headers("-- catalog: ../catalogs/demo.toml\\n-- party: bob\\nSELECT 1;")
{'catalog': '../catalogs/demo.toml', 'party': 'bob'}
>>> split_script("SELECT ';' AS a; SELECT 2 -- done;\\n")
["SELECT ';' AS a", 'SELECT 2 -- done;']
"""

from __future__ import annotations

import re

import sqlglot
from sqlglot.errors import TokenError
from sqlglot.tokens import TokenType

from scql_py.sql.parse import DIALECT as _DIALECT

_HEADER = re.compile(r"^\s*--\s*([A-Za-z_][\w-]*)\s*:\s*(.*?)\s*$")


def read_headers(text: str) -> dict[str, str]:
    """``-- key: value`` lines at the top of a script (before the first SQL line)."""
    headers: dict[str, str] = {}
    for line in text.splitlines():
        if not line.strip():
            continue
        if not line.lstrip().startswith("--"):
            break
        match = _HEADER.match(line)
        if match:
            headers.setdefault(match.group(1).lower(), match.group(2))
    return headers


def split_script(text: str) -> list[str]:
    """The statements of a script, split on ``;`` outside quotes and comments.

    A script that does not tokenize (e.g. an unterminated quote) comes back whole, so
    that running it reports the syntax error.
    """
    try:
        tokens = sqlglot.tokenize(text, read=_DIALECT)
    except TokenError:
        return [text.strip()] if text.strip() else []
    pieces: list[str] = []
    start = 0
    for tok in tokens:
        if tok.token_type == TokenType.SEMICOLON:
            pieces.append(text[start : tok.start])
            start = tok.end + 1
    pieces.append(text[start:])
    return [p.strip() for p in pieces if _has_tokens(p)]


def _has_tokens(piece: str) -> bool:
    try:
        return bool(sqlglot.tokenize(piece, read=_DIALECT))
    except TokenError:
        return bool(piece.strip())


def complete_prefix(buffer: str) -> tuple[str, str]:
    """Split ``buffer`` after its last ``;`` outside quotes: (complete part, the rest).

    >>> complete_prefix("SELECT 1; SELECT 2")
    ('SELECT 1;', ' SELECT 2')
    >>> complete_prefix("SELECT ';")
    ('', "SELECT ';")
    """
    try:
        tokens = sqlglot.tokenize(buffer, read=_DIALECT)
    except TokenError:
        return "", buffer  # e.g. a quote still open: keep reading lines
    ends = [t.end for t in tokens if t.token_type == TokenType.SEMICOLON]
    if not ends:
        return "", buffer
    return buffer[: ends[-1] + 1], buffer[ends[-1] + 1 :]
