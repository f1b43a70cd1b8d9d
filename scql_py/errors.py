"""PEP 249 exception hierarchy, plus :class:`SecurityError` for CCL refusals.

Every error a user can cause is one of these, with a message meant for a person:
the CLI prints ``str(err)`` on one line, the DB-API raises it as is.
"""

from __future__ import annotations


class Warning(Exception):  # noqa: A001 - the name is fixed by PEP 249
    """Important warnings, e.g. data truncation (PEP 249)."""


class Error(Exception):
    """Base class of every scql_py error (PEP 249)."""


class InterfaceError(Error):
    """Misuse of the DB-API itself, e.g. fetching from a closed cursor."""


class DatabaseError(Error):
    """Errors related to the database."""


class DataError(DatabaseError):
    """Bad values: wrong type in a source file, division by zero, out of range."""


class OperationalError(DatabaseError):
    """A party is down, a channel timed out, a storage file cannot be opened."""


class IntegrityError(DatabaseError):
    """Relational integrity is affected."""


class InternalError(DatabaseError):
    """The engine reached a state it should never reach (a bug: please report it)."""


class ProgrammingError(DatabaseError):
    """Bad SQL, unknown table or column, wrong number of parameters, bad catalog."""


class NotSupportedError(DatabaseError):
    """SQL the engine does not run (yet); the message names the construct."""


class SecurityError(DatabaseError):
    """A query or plan would reveal a column beyond its control list (CCL).

    The message names the column, the party and the CCL level that blocked it.
    """

    def __init__(self, message: str, *, column: str | None = None,
                 party: str | None = None, level: str | None = None):
        super().__init__(message)
        self.column = column
        self.party = party
        self.level = level


class CatalogError(ProgrammingError):
    """A catalog file is invalid; the message names the file and the key."""
