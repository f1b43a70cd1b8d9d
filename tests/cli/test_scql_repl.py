"""The interactive shell, driven through a pseudo-terminal with pexpect."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pexpect

from scql_py.catalog import load_catalog
from scql_py.testing.plaintext_union import plaintext_union

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "catalogs" / "demo.toml"
PROMPT = "scql>"  # prompt_toolkit draws the space after it by moving the cursor
UNION = (
    "(SELECT income FROM alice_income UNION ALL SELECT income FROM bob_income "
    "UNION ALL SELECT income FROM carol_income) AS t"
)


def spawn(tmp_path: Path, *args: str) -> pexpect.spawn:
    env = dict(os.environ, PYTHONPATH=str(REPO), SCQL_HISTORY=str(tmp_path / "history"),
               PROMPT_TOOLKIT_NO_CPR="1", TERM="xterm", COLUMNS="120", LINES="40")
    child = pexpect.spawn(sys.executable, ["-m", "scql_py.cli", *args], cwd=str(REPO),
                          env=env, encoding="utf-8", timeout=120, dimensions=(40, 120))
    child.expect_exact(PROMPT)
    return child


def test_repl_session(tmp_path):
    duck = plaintext_union(load_catalog(DEMO))
    total = duck.sql(f"SELECT SUM(income) FROM {UNION}").fetchall()[0][0]
    count = duck.sql(f"SELECT COUNT(*) FROM {UNION}").fetchall()[0][0]

    child = spawn(tmp_path, "--catalog", str(DEMO), "--party", "bob")
    try:
        # a statement over two lines: the first line gets the continuation prompt
        child.sendline("SELECT SUM(income) AS total_income")
        child.expect_exact("..>")
        child.sendline(f"FROM {UNION};")
        # (the terminal echoes what is typed: expect what only the output contains)
        child.expect(r"\| total_income")
        child.expect(rf"\|\s+{total} \|")
        child.expect(r"\(1 row\)")
        child.expect_exact(PROMPT)

        # an error prints one line and the shell goes on
        child.sendline("SELECT income FROM alice_income;")
        child.expect(r"error: [^\r\n]*alice_income")
        child.expect_exact(PROMPT)
        assert "Traceback" not in child.before

        child.sendline("SELEC 1;")
        child.expect(r"error: [^\r\n]*syntax")
        child.expect_exact(PROMPT)

        child.sendline(".tables")
        child.expect("alice_income")
        child.expect("carol_income")
        child.expect_exact(PROMPT)

        child.sendline(".schema bob_income")
        child.expect(r"income\s+int64")
        child.expect_exact(PROMPT)

        child.sendline(".explain SELECT COUNT(*) FROM " + UNION)
        child.expect("what each party learns")
        child.expect_exact(PROMPT)

        child.sendline(f"SELECT COUNT(*) AS n FROM {UNION}; SELECT MAX(income) AS top_income")
        child.expect(rf"\|\s+{count} \|")
        child.expect_exact("..>")  # the second statement has no ';' yet
        child.sendline("FROM bob_income;")
        child.expect(r"\| top_income")
        child.expect_exact(PROMPT)

        child.sendline(".nonsense")
        child.expect(r"error: unknown command")
        child.expect_exact(PROMPT)

        child.sendline(".quit")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert (tmp_path / "history").read_text().count("SELECT") >= 3


def test_repl_ctrl_d_leaves(tmp_path):
    child = spawn(tmp_path)
    try:
        child.sendeof()
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
