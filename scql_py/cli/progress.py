"""A live progress line on the terminal while a long query runs.

MPC queries can take many seconds. When standard error is a terminal, a line such as

    step 4/9: secret join, 12.4 s (Ctrl-C cancels)

is redrawn in place a few times a second, once the query has run for a moment, and
erased when it ends, so that the result (on standard output) is printed on a clean
line. Nothing is drawn when standard error is not a terminal (a file, a pipe, a test).
"""

from __future__ import annotations

import shutil
import threading
import time
from typing import TextIO

from scql_py.engine.progress import Progress

DELAY = 1.0  # seconds before the line appears: quick queries show nothing
REDRAW = 0.2  # seconds between redraws (the elapsed time moves on between steps)
_ERASE = "\r\x1b[K"  # back to the start of the line, clear to its end


class ProgressLine:
    """Use as ``with ProgressLine(sys.stderr) as line: cursor.execute(sql,
    progress=line.update)``; a no-op when ``stream`` is not a terminal."""

    def __init__(self, stream: TextIO, delay: float = DELAY):
        self.stream = stream
        self.delay = delay
        self.live = _is_terminal(stream)
        self._latest: Progress | None = None
        self._drawn = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = 0.0

    def update(self, report: Progress) -> None:
        """The engine's report (called from the engine's thread): only remembered."""
        self._latest = report

    def __enter__(self) -> ProgressLine:
        self._start = time.monotonic()
        if self.live:
            self._thread = threading.Thread(target=self._draw_until_stopped, daemon=True,
                                            name="scql-progress")
            self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self._drawn:
            self._write(_ERASE)

    def text(self, now: float) -> str:
        elapsed = now - self._start
        report = self._latest
        where = f"step {report.step}/{report.steps}: {report.name}" if report else "planning"
        return f"{where}, {elapsed:.1f} s (Ctrl-C cancels)"

    def _draw_until_stopped(self) -> None:
        if self._stop.wait(self.delay):
            return
        while True:
            width = shutil.get_terminal_size((80, 24)).columns - 1
            self._write(_ERASE + self.text(time.monotonic())[:max(width, 10)])
            self._drawn = True
            if self._stop.wait(REDRAW):
                return

    def _write(self, text: str) -> None:
        try:
            self.stream.write(text)
            self.stream.flush()
        except (OSError, ValueError):  # the terminal went away: stop drawing
            self.live = False


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):
        return False
