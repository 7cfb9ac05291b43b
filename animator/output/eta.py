"""A long render says up front about how long it will take, once, to a person at a terminal.

Renders have no time limit (frames stream: memory stays that of one frame); instead the first
second of work is timed and, when the whole job will take at least ``LONG_JOB_SECONDS``, one line
tells the user how long and that Ctrl-C stops it cleanly. The progress bar shows the rest.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import TextIO

LONG_JOB_SECONDS = 15.0
MEASURE_SECONDS = 1.0


def human_duration(seconds: float) -> str:
    """``40 s``, ``3 min``, ``1.5 h``: rounded as a person would say it."""
    if seconds < 90:
        return f"{max(1, round(seconds / 5) * 5 if seconds >= 20 else round(seconds))} s"
    if seconds < 90 * 60:
        return f"{round(seconds / 60)} min"
    return f"{seconds / 3600:.1f} h"


class Estimate:
    """``tick()`` per unit of work; after ``MEASURE_SECONDS`` one note if the job is long."""

    def __init__(
        self,
        total: int,
        what: str = "frames",
        *,
        quiet: bool = False,
        stream: TextIO | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.total = max(int(total), 1)
        self.what = what
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.pending = not quiet and bool(isatty and isatty())
        self.clock = clock
        self.start = clock()
        self.done = 0

    def tick(self, n: int = 1) -> None:
        self.done += n
        if not self.pending:
            return
        elapsed = self.clock() - self.start
        if elapsed < MEASURE_SECONDS or self.done < 2:
            return
        self.pending = False
        expected = elapsed * self.total / self.done
        if expected >= LONG_JOB_SECONDS:
            self.stream.write(
                f"\ranimator: note: about {human_duration(expected)} for {self.total} "
                f"{self.what}; Ctrl-C stops it cleanly, leaving no file\n"
            )
            self.stream.flush()
