"""One of a party's databases, as its owner uses it.

Connected on first use (another party never connects: it has no URL of it), with the
password read from the environment variable the catalog names, at that moment only.
Every failure is a scql_py error naming the party and the database, and never holds the
password nor, for a statement the database refused, the database's own message: that
may quote values of the owner's rows, and the message may reach other parties.

Before a statement runs, each table it reads is checked against the catalog: present,
with every declared column, each of a type the catalog type can be read from.
"""

from __future__ import annotations

import os
import threading
from typing import Any
from urllib.parse import quote

import pyarrow as pa

from scql_py.catalog import Table
from scql_py.catalog.databases import Database
from scql_py.catalog.types import SqlType
from scql_py.errors import DatabaseError, DataError, OperationalError, ProgrammingError
from scql_py.storage.databases.registry import kind_of


class DatabaseClient:
    """The connection of party ``database.party`` to its database ``database.name``."""

    def __init__(self, database: Database, timeout: float, catalog_path: object = "catalog"):
        self.database = database
        self.kind = kind_of(database, catalog_path)
        self.timeout = timeout
        self.where = f"party {database.party}: database {database.name} ({self.kind.label})"
        self._con: Any = None
        self._password: str | None = None

    # -- connecting ---------------------------------------------------------------------------
    def connection(self) -> Any:
        if self._con is not None:
            return self._con
        self._password = self._read_password()
        try:
            self._con = self.kind.connect(self.database.url, self._password, self.timeout)
        except ImportError:
            raise OperationalError(
                f"{self.where}: needs the Python package {self.kind.package} "
                f"(pip install {self.kind.package})") from None
        except Exception as err:  # the driver's own classes: say why, without secrets
            raise OperationalError(f"{self.where}: cannot connect: {self._reason(err)}") from None
        return self._con

    def _read_password(self) -> str | None:
        env = self.database.password_env
        if env is None:
            return None
        value = os.environ.get(env)
        if value is None:
            raise OperationalError(
                f"{self.where}: the environment variable {env} (its password_env) is not set")
        return value

    def close(self) -> None:
        if self._con is not None:
            try:
                self.kind.close(self._con)
            except Exception:
                pass  # closing a broken connection: nothing left to do
            self._con = None

    # -- checking a table against the catalog -------------------------------------------------
    def check(self, table: Table) -> dict[str, str]:
        """Each catalog column of ``table`` -> its name in the database; ``DataError``
        (``OperationalError`` for a missing table) before any row is read."""
        dotted = ".".join(table.db_table)
        described = self._call(lambda con: self.kind.describe(con, table.db_table))
        if described is None:
            raise OperationalError(
                f"{self.where}: has no table {dotted} (table '{table.name}' of the catalog)")
        found: dict[str, tuple[str, str]] = {}
        for name, db_type in described:
            # an exact match wins over one that differs in case
            if name.lower() not in found or name == name.lower():
                found[name.lower()] = (name, db_type)
        names = {}
        for column, typ in table.columns.items():
            if column not in found:
                raise DataError(
                    f"{self.where}: table {dotted} has no column '{column}' (declared "
                    f"{typ} in tables.{table.name}.columns; it has "
                    f"{', '.join(n for n, _ in described)})")
            name, db_type = found[column]
            if not self.kind.compatible(db_type, typ):
                raise DataError(
                    f"{self.where}: column {dotted}.{name} is {db_type} there, which cannot "
                    f"be read as the catalog's {typ} (tables.{table.name}.columns.{column})")
            names[column] = name
        return names

    # -- running a statement ------------------------------------------------------------------
    def fetch(self, sql: str, types: list[SqlType] | None = None) -> pa.Table:
        """Run ``sql`` (in this database's dialect); the result in ``types``."""
        table = self._call(lambda con: self.kind.fetch(con, sql, types))
        return table

    def _call(self, fn) -> Any:
        con = self.connection()
        fired = threading.Event()

        def stop() -> None:
            fired.set()
            self.kind.interrupt(con)

        watchdog = threading.Timer(self.timeout, stop)
        watchdog.daemon = True
        watchdog.start()
        try:
            return fn(con)
        except DatabaseError:
            raise
        except pa.ArrowInvalid:
            raise DataError(f"{self.where}: a value of the result does not convert to its "
                            "catalog type") from None
        except Exception as err:
            raise self._failure(err, fired.is_set()) from None
        finally:
            watchdog.cancel()

    def _failure(self, err: Exception, timed_out: bool) -> DatabaseError:
        category, code = self.kind.classify(err)
        if timed_out or category == "timeout":
            self.close()
            return OperationalError(f"{self.where}: no answer within {self.timeout:g} s")
        if category == "connection":
            self.close()  # connect again next time
            return OperationalError(f"{self.where}: the connection failed: {self._reason(err)}")
        text = f"{self.where}: the database refused its part of the query ({code})"
        if category == "data":
            return DataError(text)
        if category == "statement":
            return ProgrammingError(text)
        return OperationalError(text)

    def _reason(self, err: Exception) -> str:
        """The first line of a driver's message, without the password and the driver's
        own prefixes (``IO: [libpq] Failed to connect: ...``)."""
        lines = [s.strip() for s in str(err).splitlines() if s.strip()]
        text = lines[0] if lines else type(err).__name__
        for prefix in ("IO: ", "INVALID_STATE: ", "[libpq] ", "Failed to connect: "):
            text = text.removeprefix(prefix)
        if " failed: " in text:  # 'connection to server at "h", port p failed: WHY'
            text = text.split(" failed: ", 1)[1]
        if self._password:
            for secret in {self._password, quote(self._password, safe="")}:
                text = text.replace(secret, "***")
        return text


__all__ = ["DatabaseClient"]
