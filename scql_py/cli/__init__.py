"""The ``scql`` command: query files, one-off statements, EXPLAIN and the REPL."""
