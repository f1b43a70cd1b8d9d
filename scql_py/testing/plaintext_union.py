"""The test oracle: one DuckDB database holding every table of a catalog in the clear.

Only tests and benchmarks use it, to compute the expected answer of a query with plain
DuckDB over the same data the parties load (through the same :func:`load_table`). The
engine never does: no party may hold another's plaintext.
"""

from __future__ import annotations

import duckdb

from scql_py.catalog import Catalog
from scql_py.storage.databases import DatabaseClient, read_table
from scql_py.storage.sources import load_table, quote_ident


def plaintext_union(catalog: Catalog) -> duckdb.DuckDBPyConnection:
    """An in-memory DuckDB connection with all the catalog's source tables loaded.

    >>> from pathlib import Path
    >>> from scql_py.catalog import load_catalog
    >>> con = plaintext_union(load_catalog(Path(__file__).parents[2] / "catalogs" / "demo.toml"))
    >>> con.execute("SELECT AVG(income) FROM (SELECT income FROM alice_income UNION ALL "
    ...             "SELECT income FROM bob_income UNION ALL SELECT income FROM carol_income)"
    ...             ).fetchall()
    [(6000.0,)]
    """
    con = duckdb.connect(":memory:")
    for table in catalog.tables.values():
        if table.source is not None:
            load_table(con, table)
        elif table.database is not None:
            _copy_database_table(con, catalog, table)
    return con


def _copy_database_table(con: duckdb.DuckDBPyConnection, catalog: Catalog, table) -> None:
    """Read a table from its owner's database, as the owner reads it, into ``con``."""
    database = catalog.parties[table.owner].databases[table.database]
    client = DatabaseClient(database, timeout=600.0, catalog_path=catalog.path)
    try:
        names = client.check(table)
        sql = read_table(table, client.kind, names).sql(dialect=client.kind.dialect,
                                                        identify=True)
        rows = client.fetch(sql, list(table.columns.values()))
    finally:
        client.close()
    con.register("_scql_rows", rows)
    con.execute(f"CREATE TABLE {quote_ident(table.name)} AS SELECT * FROM _scql_rows")
    con.unregister("_scql_rows")
