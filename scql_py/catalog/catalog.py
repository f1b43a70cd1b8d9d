"""Catalog files: the parties, their tables, column types and control lists (CCL).

A catalog is a TOML file (format in DESIGN.md section 2); paths in it are relative to
the file. Every mistake in it is a :class:`CatalogError` naming the file and the key.
SQL names (tables, columns) are case-insensitive and kept in lower case.

>>> cat = load_catalog(Path(__file__).parents[2] / "catalogs" / "demo.toml")
>>> cat.party_names, list(cat.tables["alice_income"].columns)
(['alice', 'bob', 'carol'], ['person', 'income'])
>>> cat.tables["alice_income"].ccl_level("income", "bob").name
'PLAINTEXT_AFTER_AGGREGATE'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scql_py.catalog.ccl import CCLLevel
from scql_py.catalog.databases import Database, DatabaseUrl, check_env_name, split_table_name
from scql_py.catalog.types import KINDS, SqlType
from scql_py.errors import CatalogError

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

PROTOCOLS = {"rss3": 3}  # protocol -> number of parties it runs with
SOURCE_SUFFIXES = (".csv", ".parquet")
MEMORY = ":memory:"
# Names end up in generated SQL, file names and messages: keep them plain identifiers.
_NAME_RE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

_CATALOG_KEYS = {"name", "protocol", "compute", "group_size_threshold", "max_rows"}
# Row pairs a many-to-many secret join may compare unless the catalog (``max_rows``) or
# the asker's connection says otherwise: a bound on the work, not on what is learned.
DEFAULT_MAX_ROWS = 10_000_000
_PARTY_KEYS = {"storage", "address", "databases"}
_DATABASE_KEYS = {"url", "password_env"}
_TABLE_KEYS = {"owner", "source", "database", "table", "columns", "ccl", "shared"}


@dataclass
class Party:
    """A party: its position in the protocol, its storage engine and its address."""

    name: str
    index: int
    storage: str  # ':memory:' or an absolute path to a DuckDB file
    address: str  # 'host:port', used only when parties run as separate servers
    databases: dict[str, Database] = field(default_factory=dict)


@dataclass
class Table:
    """A table owned by one party, read by that party only: from a ``source`` file, or
    from ``database`` (one of the owner's databases) where it is called ``db_table``."""

    name: str
    owner: str
    source: Path | None
    columns: dict[str, SqlType]
    ccl: dict[str, dict[str, CCLLevel]] = field(default_factory=dict)
    shared: bool = False
    database: str | None = None
    db_table: tuple[str, ...] = ()  # its name in the database, e.g. ('public', 'visits')

    def ccl_level(self, column: str, party: str) -> CCLLevel:
        """What ``party`` may learn of ``column``: the owner sees everything, a party
        the CCL does not name sees nothing (``ENCRYPTED_ONLY``)."""
        if party == self.owner:
            return CCLLevel.PLAINTEXT
        return self.ccl.get(column.lower(), {}).get(party, CCLLevel.ENCRYPTED_ONLY)


@dataclass
class Catalog:
    """Everything a catalog file declares; ``parties`` is ordered by party index."""

    name: str
    protocol: str
    path: Path
    parties: dict[str, Party]
    tables: dict[str, Table]
    group_size_threshold: int | None = None
    max_rows: int = DEFAULT_MAX_ROWS
    # the parties that run the protocol, in ring order (``[catalog] compute``); every
    # other party is a data party: it shares its inputs in and receives its results
    compute: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.compute:
            self.compute = tuple(self.parties)

    @property
    def party_names(self) -> list[str]:
        return list(self.parties)

    def computes(self, party: str) -> bool:
        """Whether ``party`` is one of the computing parties (else a data party)."""
        return party in self.compute

    @property
    def data_parties(self) -> list[str]:
        """The parties that do not compute, in catalog order."""
        return [p for p in self.parties if p not in self.compute]

    def party(self, name: str) -> Party:
        """The party called ``name``; :class:`CatalogError` if the catalog has none."""
        try:
            return self.parties[name]
        except KeyError:
            raise CatalogError(
                f"{self.path}: unknown party '{name}' (parties: {', '.join(self.parties)})"
            ) from None

    def tables_of(self, party: str) -> list[Table]:
        """The tables ``party`` owns, in file order."""
        return [t for t in self.tables.values() if t.owner == party]

    def sqlglot_schema(self) -> dict[str, dict[str, str]]:
        """``{table: {column: type}}`` in DuckDB type names, for sqlglot's optimizer."""
        return {
            t.name: {c: typ.to_duckdb() for c, typ in t.columns.items()}
            for t in self.tables.values()
        }


def load_catalog(path: str | Path, party: str | None = None) -> Catalog:
    """Read and validate a catalog file.

    Source files are checked to exist; with ``party`` given, only that party's own
    sources are (a party's machine holds only its own files).
    """
    path = Path(path).resolve()
    try:
        with path.open("rb") as f:
            doc = tomllib.load(f)
    except FileNotFoundError:
        raise CatalogError(f"{path}: catalog file not found") from None
    except OSError as err:
        raise CatalogError(f"{path}: cannot read the catalog: {err.strerror}") from None
    except tomllib.TOMLDecodeError as err:
        raise CatalogError(f"{path}: not valid TOML: {err}") from None
    catalog = _Reader(path).catalog(doc)
    if party is not None:
        catalog.party(party)
    for table in catalog.tables.values():
        if party is not None and table.owner != party:
            continue
        if table.source is not None and not table.source.is_file():
            raise CatalogError(
                f"{path}: tables.{table.name}.source: file not found: {table.source}"
            )
        if table.database is not None:
            _check_database_declared(catalog, table)
    return catalog


def _toml_list(names: list[str]) -> str:
    return "[" + ", ".join(f'"{n}"' for n in names) + "]"


def _needs_helper(names: list[str], want: int, protocol: str) -> str:
    """Two organisations alone: what to add until a two-party protocol exists."""
    helpers = [f"helper{i}" if want - len(names) > 1 else "helper"
               for i in range(1, want - len(names) + 1)]
    lines = [f"protocol {protocol} needs {want} computing parties and the catalog has "
             f"{len(names)} ({', '.join(names)}): add a compute-only party that owns no "
             "table (it learns only what EXPLAIN lists for it, and must not collude), e.g."]
    for i, helper in enumerate(helpers):
        lines += [f"    [parties.{helper}]", '    storage = ":memory:"',
                  f'    address = "127.0.0.1:{7190 + i}"']
    lines.append(f"  and in [catalog]: compute = {_toml_list(names + helpers)}")
    return "\n".join(lines)


def _check_database_declared(catalog: Catalog, table: Table) -> None:
    """The owner must know how to reach the database of each of its tables (another
    party's copy of the catalog needs neither the database nor its URL)."""
    database = catalog.parties[table.owner].databases.get(table.database or "")
    key = f"{catalog.path}: tables.{table.name}.database"
    if database is None:
        declared = ", ".join(catalog.parties[table.owner].databases) or "none"
        raise CatalogError(
            f"{key}: party {table.owner} declares no database '{table.database}' "
            f"(its databases: {declared}; add [parties.{table.owner}.databases."
            f"{table.database}])"
        )
    if database.url is None:
        raise CatalogError(f"{catalog.path}: {database.key}.url: missing (the owner "
                           f"connects to it for table '{table.name}')")


class _Reader:
    """Turns the parsed TOML document into a :class:`Catalog`, failing on the first
    mistake with the file and the dotted key in the message."""

    def __init__(self, path: Path):
        self.path = path

    def fail(self, key: str, message: str) -> CatalogError:
        return CatalogError(f"{self.path}: {key}: {message}")

    def section(self, doc: dict, key: str, allowed: set[str] | None = None) -> dict:
        value = doc.get(key.rsplit(".", 1)[-1])
        if not isinstance(value, dict):
            what = "missing" if value is None else "must be a table"
            raise self.fail(key, f"section {what}")
        if allowed is not None:
            for k in value:
                if k not in allowed:
                    raise self.fail(
                        f"{key}.{k}", f"unknown key (expected one of {', '.join(sorted(allowed))})"
                    )
        return value

    def string(self, doc: dict, parent: str, key: str, default: str | None = None) -> str:
        value = doc.get(key, default)
        if value is None:
            raise self.fail(f"{parent}.{key}", "missing")
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"{parent}.{key}", f"must be a non-empty string, not {value!r}")
        return value

    def name(self, key: str, value: str, what: str) -> str:
        if not _NAME_RE.fullmatch(value):
            raise self.fail(
                key, f"{what} name '{value}' must be letters, digits and '_', not starting "
                "with a digit"
            )
        return value

    def catalog(self, doc: dict[str, Any]) -> Catalog:
        for k in doc:
            if k not in ("catalog", "parties", "tables"):
                raise self.fail(k, "unknown section (expected catalog, parties, tables)")
        head = self.section(doc, "catalog", _CATALOG_KEYS)
        name = self.string(head, "catalog", "name")
        protocol = self.string(head, "catalog", "protocol")
        if protocol not in PROTOCOLS:
            raise self.fail(
                "catalog.protocol",
                f"unknown protocol '{protocol}' (supported: {', '.join(PROTOCOLS)})",
            )
        threshold = self.positive(head, "group_size_threshold")
        max_rows = self.positive(head, "max_rows")
        parties = self.parties(self.section(doc, "parties"), protocol)
        compute = self.compute(head, parties, protocol)
        tables = {}
        for tname, tdoc in self.section(doc, "tables").items():
            table = self.table(tname, tdoc, parties)
            if table.name in tables:
                raise self.fail(f"tables.{tname}", f"duplicate table name '{table.name}'")
            if table.shared and table.owner not in compute:
                raise self.fail(f"tables.{tname}.owner", f"a shared table is stored by the "
                                f"computing parties and must be owned by one of them "
                                f"({', '.join(compute)}), not by data party '{table.owner}'")
            tables[table.name] = table
        return Catalog(name, protocol, self.path, parties, tables, threshold,
                       DEFAULT_MAX_ROWS if max_rows is None else max_rows, compute)

    def positive(self, head: dict, key: str) -> int | None:
        """An optional positive integer of the ``[catalog]`` section."""
        value = head.get(key)
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
            raise self.fail(f"catalog.{key}", f"must be a positive integer, not {value!r}")
        return value

    def compute(self, head: dict, parties: dict[str, Party], protocol: str) -> tuple[str, ...]:
        """``[catalog] compute``: exactly the protocol's number of distinct parties of
        the catalog; optional when the catalog has exactly that many."""
        want = PROTOCOLS[protocol]
        names = ", ".join(parties)
        value = head.get("compute")
        if value is None:
            if len(parties) != want:
                raise self.fail("catalog.compute", f"missing: the catalog has {len(parties)} "
                                f"parties ({names}); name the {want} that run protocol "
                                f"{protocol}, e.g. compute = {_toml_list(list(parties)[:want])}")
            return tuple(parties)
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise self.fail("catalog.compute", f"must be a list of party names, not {value!r}")
        for pname in value:
            if pname not in parties:
                raise self.fail("catalog.compute",
                                f"unknown party '{pname}' (parties: {names})")
            if value.count(pname) > 1:
                raise self.fail("catalog.compute", f"party '{pname}' is named twice")
        if len(value) != want:
            raise self.fail("catalog.compute", f"protocol {protocol} runs on exactly {want} "
                            f"computing parties, 'compute' names {len(value)}")
        return tuple(value)

    def parties(self, doc: dict, protocol: str) -> dict[str, Party]:
        want = PROTOCOLS[protocol]
        if len(doc) < 2:
            raise self.fail("parties", f"a federation needs at least 2 parties, the catalog "
                            f"has {len(doc)}")
        if len(doc) < want:
            raise self.fail("parties", _needs_helper(list(doc), want, protocol))
        parties: dict[str, Party] = {}
        seen_lower: set[str] = set()
        for index, pname in enumerate(doc):
            key = f"parties.{pname}"
            self.name(key, pname, "party")
            if pname.lower() in seen_lower:
                raise self.fail(key, f"duplicate party name '{pname}' (names ignore case)")
            seen_lower.add(pname.lower())
            pdoc = self.section(doc, key, _PARTY_KEYS)
            storage = self.string(pdoc, key, "storage", MEMORY)
            if storage != MEMORY:
                storage = str((self.path.parent / storage).resolve())
            address = self.string(pdoc, key, "address")
            host, _, port = address.rpartition(":")
            if not host or not port.isdigit() or not 0 < int(port) < 65536:
                raise self.fail(f"{key}.address", f"must be 'host:port', not {address!r}")
            databases = self.databases(pname, pdoc.get("databases", {}))
            parties[pname] = Party(pname, index, storage, address, databases)
        return parties

    def databases(self, party: str, doc: Any) -> dict[str, Database]:
        key = f"parties.{party}.databases"
        if not isinstance(doc, dict):
            raise self.fail(key, "must be a table of [parties.P.databases.NAME] sections")
        databases = {}
        for dname in doc:
            dkey = f"{key}.{dname}"
            self.name(dkey, dname, "database")
            ddoc = self.section(doc, dkey, _DATABASE_KEYS)
            url = None
            if "url" in ddoc:
                try:
                    url = DatabaseUrl.parse(self.string(ddoc, dkey, "url"))
                except ValueError as err:
                    raise self.fail(f"{dkey}.url", str(err)) from None
                url = url.resolved(self.path.parent)
            password_env = None
            if "password_env" in ddoc:
                try:
                    password_env = check_env_name(self.string(ddoc, dkey, "password_env"))
                except ValueError as err:
                    raise self.fail(f"{dkey}.password_env", str(err)) from None
            databases[dname] = Database(party, dname, url, password_env)
        return databases

    def table(self, tname: str, doc: Any, parties: dict[str, Party]) -> Table:
        key = f"tables.{tname}"
        self.name(key, tname, "table")
        doc = self.section({tname: doc}, key, _TABLE_KEYS)
        owner = self.string(doc, key, "owner")
        if owner not in parties:
            raise self.fail(
                f"{key}.owner", f"unknown party '{owner}' (parties: {', '.join(parties)})"
            )
        shared = doc.get("shared", False)
        if not isinstance(shared, bool):
            raise self.fail(f"{key}.shared", f"must be true or false, not {shared!r}")
        source = None
        if "source" in doc:
            if shared:
                raise self.fail(f"{key}.source", "a shared table has no source file")
            if "database" in doc:
                raise self.fail(f"{key}.source", "a table has a source file or a database, "
                                "not both")
            raw = self.string(doc, key, "source")
            source = (self.path.parent / raw).resolve()
            if source.suffix.lower() not in SOURCE_SUFFIXES:
                raise self.fail(
                    f"{key}.source", f"'{raw}' must be a .csv or .parquet file"
                )
        elif "database" in doc:
            if shared:
                raise self.fail(f"{key}.database", "a shared table lives in no database")
        elif not shared:
            raise self.fail(key, "a table needs a source file, a database or shared = true")
        database, db_table = self.database_table(key, doc, tname)
        columns = self.columns(key, self.section(doc, f"{key}.columns"))
        ccl = self.ccl(key, doc.get("ccl", {}), columns, parties)
        return Table(tname.lower(), owner, source, columns, ccl, shared, database, db_table)

    def database_table(self, key: str, doc: dict, tname: str) -> tuple[str | None, tuple]:
        """``database`` and ``table`` of a table; whether the owner declares that
        database is checked by :func:`load_catalog` (only the owner's copy must)."""
        if "database" not in doc:
            if "table" in doc:
                raise self.fail(f"{key}.table", "names a table in a database: set "
                                "'database' too")
            return None, ()
        database = self.name(f"{key}.database", self.string(doc, key, "database"),
                             "database")
        try:
            db_table = split_table_name(self.string(doc, key, "table", tname))
        except ValueError as err:
            raise self.fail(f"{key}.table", str(err)) from None
        return database, db_table

    def columns(self, key: str, doc: dict) -> dict[str, SqlType]:
        if not doc:
            raise self.fail(f"{key}.columns", "a table needs at least one column")
        columns: dict[str, SqlType] = {}
        for cname, ctype in doc.items():
            ckey = f"{key}.columns.{cname}"
            self.name(ckey, cname, "column")
            if cname.lower() in columns:
                raise self.fail(ckey, f"duplicate column name '{cname.lower()}'")
            try:
                columns[cname.lower()] = SqlType.parse(ctype)
                if columns[cname.lower()].kind not in KINDS:
                    raise ValueError(f"unknown type '{ctype}' (an interval is a result, "
                                     "not a column type)")
            except ValueError as err:
                raise self.fail(ckey, str(err)) from None
        return columns

    def ccl(
        self, key: str, doc: Any, columns: dict[str, SqlType], parties: dict[str, Party]
    ) -> dict[str, dict[str, CCLLevel]]:
        if not isinstance(doc, dict):
            raise self.fail(f"{key}.ccl", "must be a table of column = { party = LEVEL }")
        ccl: dict[str, dict[str, CCLLevel]] = {}
        for cname, grants in doc.items():
            ckey = f"{key}.ccl.{cname}"
            if cname.lower() not in columns:
                raise self.fail(
                    ckey, f"unknown column '{cname}' (columns: {', '.join(columns)})"
                )
            if cname.lower() in ccl:
                raise self.fail(ckey, f"duplicate column name '{cname.lower()}'")
            if not isinstance(grants, dict):
                raise self.fail(ckey, "must be a table { party = LEVEL }")
            levels: dict[str, CCLLevel] = {}
            for pname, level in grants.items():
                if pname not in parties:
                    raise self.fail(
                        f"{ckey}.{pname}",
                        f"unknown party '{pname}' (parties: {', '.join(parties)})",
                    )
                try:
                    levels[pname] = CCLLevel.parse(level)
                except ValueError as err:
                    raise self.fail(f"{ckey}.{pname}", str(err)) from None
            ccl[cname.lower()] = levels
        return ccl
