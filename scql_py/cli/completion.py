"""Tab completion in the shell: SQL keywords, table names, the columns of the tables a
statement names, shell commands and their arguments.

Columns come first, from the tables the statement mentions anywhere (``SELECT per``
then Tab, with ``FROM alice_income`` typed already or not yet: before any table is
named, every table's columns are offered). ``t.`` or ``alias.`` offers that table's
columns. Keywords are offered in the case the word is typed in.

>>> from pathlib import Path
>>> from prompt_toolkit.document import Document
>>> from scql_py.catalog import load_catalog
>>> cat = load_catalog(Path(__file__).parents[2] / "catalogs" / "demo.toml")
>>> def words(text, cursor=None):
...     doc = Document(text, len(text) if cursor is None else cursor)
...     return [c.text for c in SqlCompleter(cat).get_completions(doc, None)]
>>> words("SELECT inc")
['income']
>>> words("SELECT a.pe FROM alice_income a", cursor=len("SELECT a.pe"))
['person']
>>> words("select * from bob_")
['bob_income']
>>> words("SELECT COUNT(*) FR")
['FROM']
>>> words(".sch")
['.schema']
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator

from prompt_toolkit.completion import CompleteEvent, Completer, Completion
from prompt_toolkit.document import Document

from scql_py.catalog import Catalog
from scql_py.cli.render import FORMATS

KEYWORDS = (
    "SELECT", "FROM", "WHERE", "GROUP BY", "HAVING", "ORDER BY", "LIMIT", "OFFSET",
    "DISTINCT", "AS", "AND", "OR", "NOT", "IN", "IS NULL", "IS NOT NULL", "BETWEEN",
    "EXISTS", "CASE", "WHEN", "THEN", "ELSE", "END", "JOIN", "INNER JOIN", "LEFT JOIN",
    "RIGHT JOIN", "ON", "UNION ALL", "ASC", "DESC", "NULLS FIRST", "NULLS LAST", "NULL",
    "TRUE", "FALSE", "COUNT", "SUM", "AVG", "MIN", "MAX", "COALESCE", "IFNULL", "NULLIF",
    "IF", "CAST", "PERCENTILE_DISC", "WITHIN GROUP", "ROW_NUMBER", "RANK", "DENSE_RANK",
    "PERCENT_RANK", "OVER", "PARTITION BY", "SHOW TABLES", "SHOW COLUMNS FROM", "DESCRIBE",
    "INSERT INTO", "CREATE SHARED TABLE", "DROP TABLE",
)
COMMANDS = (".tables", ".schema", ".parties", ".explain", ".mode", ".timer", ".output",
            ".read", ".help", ".quit")
_WORD = re.compile(r"[\w.]*$")
# FROM t, JOIN t, FROM t AS a, JOIN t a: a table and the alias it is given
_SOURCE = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(\w+))?", re.IGNORECASE)
_NOT_ALIASES = {"where", "join", "on", "group", "order", "limit", "left", "right", "inner",
                "union", "having", "as", "cross", "full", "outer"}


class SqlCompleter(Completer):
    """Completions from one catalog (the asker's copy: names and types only)."""

    def __init__(self, catalog: Catalog):
        self.catalog = catalog

    def get_completions(self, document: Document,
                        complete_event: CompleteEvent | None) -> Iterator[Completion]:
        before = document.text_before_cursor
        word = _WORD.search(before).group(0)
        line = before[before.rfind("\n") + 1:].lstrip()
        if line.startswith(".") and " " not in line:  # a command's name
            yield from _matching(word, COMMANDS)
            return
        if line.startswith("."):
            yield from _matching(word, self._command_arguments(line.split()[0]))
            return
        if "." in word:
            qualifier, _, prefix = word.rpartition(".")
            table = self._aliases(document.text).get(qualifier.lower(), qualifier.lower())
            if table in self.catalog.tables:
                yield from _matching(prefix, self.catalog.tables[table].columns)
            return
        if not word:
            return
        yield from _matching(word, self._columns(document.text))
        yield from _matching(word, self.catalog.tables)
        yield from _matching(word, KEYWORDS)

    def _command_arguments(self, command: str) -> Iterable[str]:
        if command == ".schema":
            return self.catalog.tables
        if command == ".mode":
            return FORMATS
        if command == ".timer":
            return ("on", "off")
        if command == ".output":
            return ("stdout",)
        return ()

    def _aliases(self, text: str) -> dict[str, str]:
        out = {}
        for table, alias in _SOURCE.findall(text):
            if alias and alias.lower() not in _NOT_ALIASES:
                out[alias.lower()] = table.lower()
        return out

    def _columns(self, text: str) -> list[str]:
        """Columns of the tables ``text`` names (all tables' when it names none)."""
        named = [t for t in dict.fromkeys(re.findall(r"\w+", text.lower()))
                 if t in self.catalog.tables]
        tables = named or list(self.catalog.tables)
        return list(dict.fromkeys(c for t in tables for c in self.catalog.tables[t].columns))


def _matching(word: str, candidates: Iterable[str]) -> Iterator[Completion]:
    """Candidates starting with ``word`` (ignoring case), in ``word``'s case when it is
    lower-case and the candidate a keyword."""
    low = word.lower()
    for cand in candidates:
        if cand.lower().startswith(low) and cand.lower() != low:
            text = cand.lower() if word.islower() and cand.isupper() else cand
            yield Completion(text, start_position=-len(word))
