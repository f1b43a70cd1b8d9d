"""A party's databases in the catalog: ``[parties.P.databases.NAME]`` with ``url`` and
``password_env``, and where a table lives in one (``[tables.T] database``/``table``).

The catalog only reads and checks the text: which kinds of database exist (and how to
reach them) is :mod:`scql_py.storage.databases`' business, so that adding one does not
touch the catalog. A URL is either a server (``postgresql://user@host:port/db``) or a
file (``sqlite:///file.db``, ``duckdb:///data/x.duckdb``: three slashes, then a path
relative to the catalog, or four for an absolute one, as SQLAlchemy writes them).

Secrets never live in the catalog: a URL with a password in it is refused, without
repeating the password in the message; ``password_env`` names the environment variable
the owner reads it from when it connects.

>>> url = DatabaseUrl.parse("postgresql://alice@db.example:5433/clinic?sslmode=require")
>>> url.scheme, url.user, url.host, url.port, url.database, url.params
('postgresql', 'alice', 'db.example', 5433, 'clinic', {'sslmode': 'require'})
>>> DatabaseUrl.parse("sqlite:///data/x.db").path, DatabaseUrl.parse("sqlite:////x.db").path
('data/x.db', '/x.db')
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import parse_qsl, unquote, urlsplit

_SCHEME_RE = re.compile(r"[a-z][a-z0-9+.-]*")
_ENV_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class DatabaseUrl:
    """A parsed database URL; ``path`` is set for a file database, ``host`` for a server."""

    scheme: str
    user: str | None = None
    host: str | None = None
    port: int | None = None
    database: str | None = None
    path: str | None = None
    params: dict[str, str] = field(default_factory=dict)

    @classmethod
    def parse(cls, text: str) -> DatabaseUrl:
        """Read ``text``; ``ValueError`` saying what is wrong (never echoing a password)."""
        scheme, sep, rest = text.partition("://")
        if not sep or not _SCHEME_RE.fullmatch(scheme.lower()):
            raise ValueError("must look like 'postgresql://user@host:port/database' or "
                             "'sqlite:///path/to/file.db'")
        parts = urlsplit(f"x://{rest}")
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if not parts.netloc:  # a file: the path after the third slash
            path = unquote(parts.path[1:]) if parts.path.startswith("/") else ""
            if not path:
                raise ValueError("a file database needs a path after ':///'")
            return cls(scheme.lower(), path=path, params=params)
        if parts.password is not None:
            raise ValueError("the URL holds a password: put it in the environment variable "
                             "named by password_env instead")
        try:
            port = parts.port
        except ValueError:
            raise ValueError("the port must be a number between 1 and 65535") from None
        database = unquote(parts.path.lstrip("/")) or None
        return cls(scheme.lower(), unquote(parts.username) if parts.username else None,
                   parts.hostname, port, database, None, params)

    def resolved(self, base: Path) -> DatabaseUrl:
        """The same URL with a relative file path made absolute against ``base``."""
        if self.path is None:
            return self
        return replace(self, path=str((base / self.path).resolve()))


@dataclass(frozen=True)
class Database:
    """One database of a party, as its catalog copy declares it.

    ``url`` is None in a copy that only mentions the database (another party's copy
    needs no URL of it); only the owner connects.
    """

    party: str
    name: str
    url: DatabaseUrl | None
    password_env: str | None = None

    @property
    def key(self) -> str:
        """The catalog key of this database, for messages."""
        return f"parties.{self.party}.databases.{self.name}"

    @property
    def kind(self) -> str | None:
        return self.url.scheme if self.url is not None else None


def check_env_name(value: str) -> str:
    """``value`` if it can name an environment variable, else ``ValueError``."""
    if not _ENV_RE.fullmatch(value):
        raise ValueError(f"'{value}' is not an environment variable name (letters, digits, '_')")
    return value


def split_table_name(text: str) -> tuple[str, ...]:
    """``'schema.table'`` -> ``('schema', 'table')``; one to three non-empty parts
    (``catalog.schema.table``), kept as written (the database decides about case).

    >>> split_table_name("public.visits"), split_table_name("Visits")
    (('public', 'visits'), ('Visits',))
    """
    parts = tuple(p.strip() for p in text.split("."))
    if not 1 <= len(parts) <= 3 or not all(parts):
        raise ValueError(f"'{text}' must be 'table', 'schema.table' or 'catalog.schema.table'")
    return parts


__all__ = ["Database", "DatabaseUrl", "check_env_name", "split_table_name"]
