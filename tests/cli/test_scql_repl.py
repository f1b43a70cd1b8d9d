"""The interactive shell, driven through a real pseudo-terminal with pexpect.

Each test starts ``python -m scql_py.cli`` on a terminal with HOME in a temporary
directory (the history file goes there). Expected results come from DuckDB over the
plaintext union of the same catalog.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pexpect
import pytest

from scql_py.catalog import load_catalog
from scql_py.testing.plaintext_union import plaintext_union
from scql_py.testing.slow_join import SLOW_SQL, write_slow_join_catalog

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "catalogs" / "demo.toml"
PROMPT = "scql>"  # prompt_toolkit draws the space after it by moving the cursor
UP, LEFT, TAB, CTRL_C = "\x1b[A", "\x1b[D", "\t", "\x03"
UNION = (
    "(SELECT income FROM alice_income UNION ALL SELECT income FROM bob_income "
    "UNION ALL SELECT income FROM carol_income) AS t"
)


@pytest.fixture(scope="module")
def duck():
    return plaintext_union(load_catalog(DEMO))


def spawn(home: Path, *args: str, env: dict | None = None) -> pexpect.spawn:
    """The shell on a 120x40 terminal, its HOME in ``home``."""
    env = {**{k: v for k, v in os.environ.items() if k != "SCQL_HISTORY"},
           "PYTHONPATH": os.pathsep.join([str(REPO), *filter(None, [os.environ.get(
               "PYTHONPATH")])]), "HOME": str(home), "PROMPT_TOOLKIT_NO_CPR": "1",
           "TERM": "xterm", "COLUMNS": "120", "LINES": "40", **(env or {})}
    child = pexpect.spawn(sys.executable, ["-m", "scql_py.cli", *args], cwd=str(REPO),
                          env=env, encoding="utf-8", timeout=60, dimensions=(40, 120))
    child.expect_exact(PROMPT)
    return child


def leave(child: pexpect.spawn) -> int:
    child.sendline(".quit")
    child.expect(pexpect.EOF)
    child.close()
    return child.exitstatus


def test_statements_errors_and_commands(tmp_path, duck):
    total = duck.sql(f"SELECT SUM(income) FROM {UNION}").fetchall()[0][0]
    count = duck.sql(f"SELECT COUNT(*) FROM {UNION}").fetchall()[0][0]
    child = spawn(tmp_path, "--catalog", str(DEMO), "--party", "bob")
    try:
        # a statement over two lines: the second line gets the continuation prompt
        child.sendline("SELECT SUM(income) AS total_income")
        child.expect_exact("..>")
        child.sendline(f"FROM {UNION};")
        # (the terminal echoes what is typed: expect what only the output contains)
        child.expect(r"\| total_income")
        child.expect(rf"\|\s+{total} \|")
        child.expect(r"\(1 row\)")
        child.expect_exact(PROMPT)

        # a bad line then a good one: one error line, and the shell goes on
        child.sendline("SELECT income FROM alice_income;")
        child.expect(r"error: [^\r\n]*alice_income")
        child.expect_exact(PROMPT)
        assert "Traceback" not in child.before
        child.sendline("SELEC 1;")
        child.expect(r"error: [^\r\n]*syntax")
        child.expect_exact(PROMPT)
        child.sendline(f"SELECT COUNT(*) AS n FROM {UNION};")
        child.expect(rf"\|\s+{count} \|")
        child.expect_exact(PROMPT)

        # `clear` alone is the shell word, not the start of a statement
        child.sendline("clear")
        child.expect_exact(PROMPT)
        child.sendline(".tables")
        child.expect("alice_income")
        child.expect("carol_income")
        child.expect_exact(PROMPT)

        child.sendline("SHOW TABLES;")
        child.expect(r"\| table\s+\| owner")
        child.expect(r"\| carol_income\s+\| carol")
        child.expect_exact(PROMPT)
        child.sendline("DESCRIBE alice_income;")
        child.expect(r"\| column\s+\| type\s+\| ccl")
        child.expect(r"\| income\s+\| int64\s+\| PLAINTEXT_AFTER_AGGREGATE")
        child.expect_exact(PROMPT)

        child.sendline(".schema")  # every table, the asker's CCL
        child.expect(r"alice_income: owner alice")
        child.expect(r"person\s+string\s+bob: ENCRYPTED_ONLY")
        child.expect(r"bob_income: owner bob \(yours\)")
        child.expect_exact(PROMPT)
        child.sendline(".explain SELECT COUNT(*) FROM " + UNION)
        child.expect("what each party learns")
        child.expect(r"bob: [^\r\n]*the result")
        child.expect_exact(PROMPT)
        child.sendline(".parties")
        child.expect(r"bob \(you\)\s+owns bob_income; up")
        child.expect_exact(PROMPT)

        # two statements on one line, the second finished on the next line
        child.sendline(f"SELECT COUNT(*) AS n FROM {UNION}; SELECT MAX(income) AS top_income")
        child.expect_exact("..>")
        child.sendline("FROM bob_income;")
        child.expect(rf"\|\s+{count} \|")
        child.expect(r"\| top_income")
        child.expect_exact(PROMPT)

        child.sendline(".nonsense")
        child.expect(r"error: unknown command")
        child.expect_exact(PROMPT)
        assert leave(child) == 0
    finally:
        child.close()
    assert (tmp_path / ".scql_history").read_text().count("SELECT") >= 3


def test_completion_timer_and_modes(tmp_path, duck):
    n = duck.sql("SELECT COUNT(*) FROM bob_income").fetchall()[0][0]
    total = duck.sql("SELECT SUM(income) FROM bob_income").fetchall()[0][0]
    child = spawn(tmp_path, "--catalog", str(DEMO), "--party", "bob")
    try:
        # a table name, then a column of the table the statement names (the terminal
        # shows only what completion adds; the answers show what was run)
        child.send("SELECT COUNT(*) AS n FROM bob_in" + TAB)
        child.expect_exact("come")
        child.sendline(";")
        child.expect(rf"\|\s+{n} \|")
        child.expect_exact(PROMPT)
        rest = ") AS s FROM bob_income;"
        child.send("SELECT SUM(inc" + rest)
        child.send(LEFT * len(rest) + TAB)  # back to just after "inc"
        child.expect_exact("ome")
        child.send("\r")  # Enter runs it, wherever the cursor is
        child.expect(rf"\|\s+{total} \|")
        child.expect_exact(PROMPT)

        child.sendline(".timer on")
        child.expect_exact(PROMPT)
        child.sendline("SELECT 1 AS one;")
        child.expect(r"Run Time: \d+\.\d+ s")
        child.expect_exact(PROMPT)
        child.sendline(".timer off")
        child.expect_exact(PROMPT)

        child.sendline(".mode csv")
        child.expect_exact(PROMPT)
        child.sendline("SELECT COUNT(*) AS n, SUM(income) AS s FROM bob_income;")
        child.expect(rf"n,s\r\n{n},{total}\r\n")
        child.expect_exact(PROMPT)
        child.sendline(".mode markdown")
        child.expect_exact(PROMPT)
        child.sendline("SELECT 7 AS seven;")
        child.expect(r"\| seven \|\r\n\| --: \|\r\n\| 7 \|")
        child.expect_exact(PROMPT)

        out = tmp_path / "out.csv"
        child.sendline(".mode csv")
        child.sendline(f".output {out}")
        child.sendline("SELECT 2 AS two;")
        child.sendline(".output stdout")
        child.expect_exact(PROMPT)
        assert leave(child) == 0
    finally:
        child.close()
    assert out.read_text().split() == ["two", "2"]


def test_a_multi_line_statement_comes_back_with_one_up_arrow(tmp_path, duck):
    total = duck.sql("SELECT SUM(income) FROM bob_income").fetchall()[0][0]

    def recall_and_run(child: pexpect.spawn) -> None:
        child.send(UP)
        child.expect_exact("FROM bob_income;")
        child.send("\r")
        child.expect(r"\| total")
        child.expect(rf"\|\s+{total} \|")
        child.expect_exact(PROMPT)

    child = spawn(tmp_path, "--catalog", str(DEMO), "--party", "bob")
    try:
        child.sendline("SELECT SUM(income)")
        child.sendline("  AS total")
        child.sendline("FROM bob_income;")
        child.expect(rf"\|\s+{total} \|")
        child.expect_exact(PROMPT)
        recall_and_run(child)
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    # and in the next session, from the history file
    child = spawn(tmp_path, "--catalog", str(DEMO), "--party", "bob")
    try:
        recall_and_run(child)
        assert leave(child) == 0
    finally:
        child.close()
    history = (tmp_path / ".scql_history").read_text()
    assert "+SELECT SUM(income)\n+  AS total\n+FROM bob_income;" in history


def test_history_file_can_be_put_elsewhere(tmp_path):
    elsewhere = tmp_path / "hist"
    child = spawn(tmp_path, env={"SCQL_HISTORY": str(elsewhere)})
    try:
        child.sendline("SELECT 3 AS three;")
        child.expect(r"\|\s+3 \|")
        child.expect_exact(PROMPT)
        assert leave(child) == 0
    finally:
        child.close()
    assert "SELECT 3 AS three;" in elsewhere.read_text()
    assert not (tmp_path / ".scql_history").exists()


def test_ctrl_c_cancels_a_long_query_and_the_next_one_works(tmp_path):
    catalog = write_slow_join_catalog(tmp_path / "slow")
    child = spawn(tmp_path, "--catalog", str(catalog), "--party", "alice")
    try:
        child.sendline(SLOW_SQL + ";")
        # the progress line, on the terminal: which step of how many, how long so far
        child.expect(r"step \d+/\d+: [^\r\n]*, \d+\.\d s \(Ctrl-C cancels\)", timeout=60)
        child.send(CTRL_C)
        pressed = time.monotonic()
        child.expect_exact("cancelled", timeout=30)
        assert time.monotonic() - pressed < 20
        child.expect_exact(PROMPT)
        assert "Traceback" not in child.before and "KeyboardInterrupt" not in child.before
        child.sendline("SELECT COUNT(*) AS n FROM x;")
        child.expect(r"\|\s+60000 \|")
        child.expect_exact(PROMPT)
        assert leave(child) == 0
    finally:
        child.close()


def test_ctrl_d_leaves(tmp_path):
    child = spawn(tmp_path)
    try:
        child.sendline("SELECT 1")  # a statement being typed is simply dropped
        child.expect_exact("..>")
        child.send(CTRL_C)  # drops it
        child.expect_exact(PROMPT)
        time.sleep(1)  # the new prompt must be reading (a ^D in between would be lost)
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
