"""Tables in a party's own databases (PostgreSQL, SQLite, DuckDB files)."""
