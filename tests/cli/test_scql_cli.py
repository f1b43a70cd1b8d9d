"""The ``scql`` command: -c, -f, formats, explain, query-file headers, piped stdin, errors.

Expected values come from DuckDB over the plaintext union of the same catalog. Most
cases call ``main()`` in this process (same code path as the console script, minus
interpreter start-up); a few run ``python -m scql_py.cli`` to check exit codes and that
no traceback ever reaches the user.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

import scql_py
from scql_py.catalog import load_catalog
from scql_py.cli.main import main
from scql_py.testing.plaintext_union import plaintext_union

REPO = Path(__file__).resolve().parents[2]
DEMO = REPO / "catalogs" / "demo.toml"
UNION = (
    "(SELECT person, income FROM alice_income UNION ALL SELECT person, income FROM "
    "bob_income UNION ALL SELECT person, income FROM carol_income) AS t"
)


def run_module(*args: str, stdin: str | None = None, cwd: Path = REPO):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "scql_py.cli", *args], input=stdin, capture_output=True,
        text=True, cwd=cwd, env=env, timeout=120,
    )


@pytest.fixture(scope="module")
def duck():
    return plaintext_union(load_catalog(DEMO))


def cli(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_average_income_query_file(duck):
    """The README's quick start: the bundled demo, asking as the first party."""
    proc = run_module("-f", "queries/average_income.sql")
    assert proc.returncode == 0, proc.stderr
    (expected,) = duck.sql(f"SELECT AVG(income) FROM {UNION}").fetchall()[0]
    assert expected == 6000.0
    assert "6000.0" in proc.stdout
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("+-") and lines[1].startswith("| ")  # a table
    assert "avg_income" in lines[1]
    assert proc.stderr == ""


def test_query_file_from_another_directory(tmp_path):
    """The `-- catalog:` header is relative to the query file, not the working directory."""
    proc = run_module("-f", str(REPO / "queries" / "average_income.sql"), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "6000.0" in proc.stdout


def test_csv_format(capsys, duck):
    sql = f"SELECT COUNT(*) AS n, SUM(income) AS total, MAX(income) AS top FROM {UNION}"
    code, out, err = cli(capsys, "--catalog", str(DEMO), "-c", sql, "--format", "csv")
    assert code == 0, err
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["n", "total", "top"]
    assert [[int(v) for v in rows[1]]] == [list(duck.sql(sql).fetchall()[0])]
    assert len(rows) == 2


def test_json_format(capsys, duck):
    sql = "SELECT person, income FROM alice_income"
    code, out, err = cli(capsys, "--catalog", str(DEMO), "--party", "alice", "-c", sql,
                         "--format", "json")
    assert code == 0, err
    expected = [dict(zip(["person", "income"], r, strict=True)) for r in duck.sql(sql).fetchall()]
    assert json.loads(out) == expected


def test_intervals_print_as_duckdb_writes_them(capsys):
    """A difference of timestamps (an INTERVAL) of two parties' rows, in every format,
    as DuckDB's CAST of it to VARCHAR."""
    catalog = REPO / "tests" / "sql" / "mpc_math" / "mpc_math.toml"
    sql = ("SELECT a.id, a.ts - b.ts AS gap FROM ma AS a JOIN mb AS b ON a.id = b.id "
           "ORDER BY a.id")
    expected = [r[0] for r in plaintext_union(load_catalog(catalog)).sql(
        "SELECT CAST(a.ts - b.ts AS VARCHAR) FROM ma AS a JOIN mb AS b ON a.id = b.id "
        "ORDER BY a.id").fetchall()]
    code, out, err = cli(capsys, "--catalog", str(catalog), "-c", sql, "--format", "csv")
    assert code == 0, err
    assert [row[1] or None for row in list(csv.reader(io.StringIO(out)))[1:]] == expected
    code, out, err = cli(capsys, "--catalog", str(catalog), "-c", sql, "--format", "json")
    assert [row["gap"] for row in json.loads(out)] == expected
    code, out, err = cli(capsys, "--catalog", str(catalog), "-c", sql)
    assert all(f" {text or 'NULL'} " in out for text in expected)


def test_several_statements_in_one_c(capsys, duck):
    sql = (f"SELECT MIN(income) AS lo FROM {UNION}; SELECT MAX(income) AS hi FROM {UNION};")
    code, out, err = cli(capsys, "-c", sql, "--format", "csv")
    assert code == 0, err
    lo = duck.sql(f"SELECT MIN(income) FROM {UNION}").fetchall()[0][0]
    hi = duck.sql(f"SELECT MAX(income) FROM {UNION}").fetchall()[0][0]
    assert out.split() == ["lo", str(lo), "hi", str(hi)]


def test_party_and_catalog_headers(tmp_path, capsys, duck):
    """`-- party: bob` lets bob read his own rows; asking as alice would be refused."""
    query = tmp_path / "bob.sql"
    rel = os.path.relpath(DEMO, tmp_path)
    query.write_text(f"-- catalog: {rel}\n-- party: bob\nSELECT income FROM bob_income;\n")
    code, out, err = cli(capsys, "-f", str(query), "--format", "csv")
    assert code == 0, err
    assert out.split() == ["income"] + [str(r[0]) for r in
                                        duck.sql("SELECT income FROM bob_income").fetchall()]
    # --party on the command line wins over the header: alice may not see bob's rows.
    code, out, err = cli(capsys, "-f", str(query), "--party", "alice")
    assert code == 1 and err.startswith("error: ")


def test_explain(capsys):
    sql = f"SELECT AVG(income) FROM {UNION}"
    code, out, err = cli(capsys, "explain", "--catalog", str(DEMO), "--party", "bob", "-c", sql)
    assert code == 0, err
    assert out.strip()
    for table in ("alice_income", "bob_income", "carol_income"):
        assert table in out
    # in words for a newcomer: what pushdown means, who learns the result
    assert "pushdown: on (each owner first does what it can on its own rows" in out
    assert "bob: " in out and "the result (AVG(income))" in out.split("bob: ", 1)[1]
    # the asker learns the result also when it computes it alone
    code, out, err = cli(capsys, "explain", "--party", "bob", "-c", "SELECT income FROM bob_income")
    assert code == 0, err
    assert "bob: the result (income), computed by bob alone (nothing is shared)" in out


def test_explain_analyze(capsys):
    """--analyze runs the statement: the plan, then seconds, rounds and MB per step and
    party, then totals; not the result (6000.0), which only a query prints."""
    sql = f"SELECT AVG(income) AS a FROM {UNION}"
    code, out, err = cli(capsys, "explain", "--analyze", "--catalog", str(DEMO), "--party",
                         "bob", "-c", sql)
    assert code == 0, err
    plan, analysis = out.split("analyze: the query ran in ", 1)
    assert "what each party learns" in plan
    header = analysis.splitlines()[1].split()
    assert header == ["step", "op", "alice", "bob", "carol"]
    rows = {line.split()[0]: line.split() for line in analysis.splitlines()[2:]}
    assert {"setup", "s0", "total"} <= set(rows)
    assert rows["s0"][1] == "local" and rows["s0"].count("-") == 2  # one owner's step
    total = rows["total"]  # total  <seconds> s <rounds> r <MB> MB, three times
    assert total[2::6] == ["s"] * 3 and total[4::6] == ["r"] * 3 and total[6::6] == ["MB"] * 3
    assert all(int(r) > 0 for r in total[3::6])
    assert "6000" not in analysis and "result: 1 row(s), 1 column(s)" in analysis
    # the shell's .explain analyze says the same
    code, out, err = cli(capsys, "--catalog", str(DEMO), "--party", "bob", "-c",
                         f".explain analyze {sql}")
    assert code == 0, err
    assert "analyze: the query ran in " in out and "result: 1 row(s)" in out


def test_explain_needs_sql(capsys):
    code, out, err = cli(capsys, "explain", "--catalog", str(DEMO))
    assert code == 1 and err.startswith("error: ")


def test_certs_subcommand_makes_a_ca_and_one_key_per_party(capsys, tmp_path):
    catalog = tmp_path / "demo.toml"
    catalog.write_text(DEMO.read_text())
    code, out, err = cli(capsys, "certs", "--catalog", str(catalog))
    assert code == 0, err
    names = {p.name for p in (tmp_path / "certs").iterdir()}
    assert {"ca.pem", "alice.pem", "alice.key", "bob.pem", "carol.key"} <= names


def test_serve_with_a_bad_catalog_is_one_error_line(capsys):
    code, out, err = cli(capsys, "serve", "--catalog", "no/such.toml", "--party", "alice")
    assert code != 0
    assert err.startswith("error: ") and len(err.strip().splitlines()) == 1


USER_MISTAKES = {
    "syntax": ["-c", "SELEC income FROM alice_income"],
    "unknown table": ["-c", "SELECT x FROM no_such_table"],
    "unknown column": ["-c", "SELECT no_such_column FROM alice_income"],
    "ccl refusal": ["--party", "alice", "-c", "SELECT income FROM bob_income"],
    "not supported": ["-c", f"SELECT person, SUM(income) FROM {UNION} GROUP BY person"],
    "unknown party": ["--party", "mallory", "-c", "SELECT 1"],
    "missing catalog": ["--catalog", "no/such/catalog.toml", "-c", "SELECT 1"],
    "missing file": ["-f", "no/such/query.sql"],
    "empty statement": ["-c", "  ;  "],
}


@pytest.mark.parametrize("case", sorted(USER_MISTAKES))
def test_user_mistakes_print_one_error_line(capsys, case):
    code, out, err = cli(capsys, *USER_MISTAKES[case])
    assert code == 1
    assert err.startswith("error: ") and err.count("\n") == 1, err
    assert "Traceback" not in err and "internal error" not in err
    assert out == ""


def test_bad_catalog_file(tmp_path, capsys):
    bad = tmp_path / "bad.toml"
    bad.write_text("[catalog\nname = 'x'\n")
    code, out, err = cli(capsys, "--catalog", str(bad), "-c", "SELECT 1")
    assert code == 1 and err.startswith("error: ") and err.count("\n") == 1
    assert "bad.toml" in err


def test_errors_in_a_subprocess_have_no_traceback():
    for args in (USER_MISTAKES["syntax"], USER_MISTAKES["ccl refusal"],
                 USER_MISTAKES["missing catalog"]):
        proc = run_module(*args)
        assert proc.returncode == 1
        assert proc.stderr.startswith("error: ") and proc.stderr.count("\n") == 1
        assert "Traceback" not in proc.stderr


SCRIPT = (
    "SELECT COUNT(*) AS n\n  FROM alice_income;\n"
    ".tables\n"
    "SELECT nope FROM alice_income;\n"
    "clear\n"  # a shell word, not the start of a statement that swallows the next line
    ".mode line\n"
    "SELECT 1 AS one;\n"
    ".mode csv\n"
    f"SELECT SUM(income) AS s FROM {UNION}\n"  # the last statement needs no ';'
)


@pytest.mark.parametrize("how", ["stdin", "file"])
def test_a_script_goes_on_after_an_error_from_stdin_and_from_a_file_alike(duck, tmp_path,
                                                                         how):
    if how == "stdin":
        proc = run_module("--catalog", str(DEMO), "--format", "csv", stdin=SCRIPT)
    else:
        script = tmp_path / "script.sql"
        script.write_text(SCRIPT)
        proc = run_module("--catalog", str(DEMO), "--format", "csv", "-f", str(script))
    assert proc.returncode == 1  # one statement failed
    assert proc.stderr.count("error: ") == 1 and "Traceback" not in proc.stderr
    assert "unknown column 'nope'" in proc.stderr
    total = duck.sql(f"SELECT SUM(income) FROM {UNION}").fetchall()[0][0]
    lines = proc.stdout.split()
    assert lines[:2] == ["n", "1"]
    assert "carol_income" in proc.stdout  # .tables
    assert "one = 1" in proc.stdout  # .mode line
    assert lines[-2:] == ["s", str(total)]


@pytest.mark.parametrize("how", ["stdin", "file"])
def test_bail_stops_a_script_at_its_first_error(tmp_path, how):
    if how == "stdin":
        proc = run_module("--catalog", str(DEMO), "--bail", "--format", "csv", stdin=SCRIPT)
    else:
        script = tmp_path / "script.sql"
        script.write_text(SCRIPT)
        proc = run_module("--catalog", str(DEMO), "--bail", "--format", "csv", "-f",
                          str(script))
    assert proc.returncode == 1
    assert proc.stderr.count("error: ") == 1
    assert proc.stdout.split()[:2] == ["n", "1"] and "one" not in proc.stdout


def test_exit_ends_a_script(capsys):
    code, out, err = cli(capsys, "-c", "SELECT 1 AS a;\nexit\nSELECT 2 AS b;", "--format", "csv")
    assert code == 0, err
    assert out.split() == ["a", "1"]


def test_read_and_output(tmp_path, capsys):
    inner = tmp_path / "inner.sql"
    inner.write_text("SELECT 5 AS five;\n.mode json\nSELECT 6 AS six;\n")
    result = tmp_path / "result.txt"
    code, out, err = cli(capsys, "-c", f".output {result}\n.read {inner}\n.output stdout\n"
                         "SELECT 7 AS seven;", "--format", "csv")
    assert code == 0, err
    assert result.read_text().splitlines() == ["five", "5", '[{"six": 6}]']
    assert out.strip() == '[{"seven": 7}]'
    code, out, err = cli(capsys, "-c", ".read no/such/file.sql")
    assert code == 1 and err.startswith("error: no such file")


def test_select_without_from_and_catalog_statements(capsys):
    code, out, err = cli(capsys, "--party", "bob", "-c",
                         "SELECT 1 AS one; SHOW TABLES; DESCRIBE alice_income",
                         "--format", "csv")
    assert code == 0, err
    assert out.split() == ["one", "1", "table,owner", "alice_income,alice", "bob_income,bob",
                           "carol_income,carol", "column,type,ccl",
                           "person,string,ENCRYPTED_ONLY",
                           "income,int64,PLAINTEXT_AFTER_AGGREGATE"]


def test_markdown_format(capsys):
    code, out, err = cli(capsys, "--party", "bob", "-c", "SELECT income, person FROM bob_income",
                         "--format", "markdown")
    assert code == 0, err
    assert out.splitlines()[:2] == ["| income | person |", "| --: | --- |"]


def test_version(capsys):
    with pytest.raises(SystemExit) as info:
        main(["--version"])
    assert info.value.code == 0
    assert capsys.readouterr().out.strip() == f"scql_py {scql_py.__version__}"


def test_no_progress_line_when_stderr_is_not_a_terminal():
    proc = run_module("--catalog", str(DEMO), "-c", f"SELECT AVG(income) AS a FROM {UNION}")
    assert proc.returncode == 0 and proc.stderr == ""


def test_bad_options_print_one_line(capsys):
    for args in (["--format", "xml", "-c", "SELECT 1"], ["-c", "SELECT 1", "-f", "x.sql"],
                 ["--timeout", "soon"]):
        code, out, err = cli(capsys, *args)
        assert code == 2
        assert err.startswith("error: ") and err.count("\n") == 1, err
