"""The random differential tester (issue 11): DuckDB judges random queries over random
federations. The fixture suite's comparator lives in ``tests/sql``; the report of every
query run in this session is printed at its end."""

from __future__ import annotations

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "sql"))

from fuzz_report import SESSION_REPORT  # noqa: E402  (needs the path above)


def pytest_terminal_summary(terminalreporter):
    if SESSION_REPORT.by_shape:
        terminalreporter.write_line("")
        for line in SESSION_REPORT.render().splitlines():
            terminalreporter.write_line(line)
        for line in SESSION_REPORT.render_reasons(top=15).splitlines():
            terminalreporter.write_line(line)
        path = os.environ.get("SCQL_FUZZ_REPORT")
        if path:
            Path(path).write_text(SESSION_REPORT.to_json(), encoding="utf-8")
