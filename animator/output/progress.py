"""The progress bar of long renders: tqdm on stderr, shown only to a person watching a terminal.

tqdm fits the bar to the terminal's width at every redraw (a narrow terminal gets a shorter bar,
never a wrapped line per redraw), shows the rate and the time left, and redraws at most ten
times a second, so it costs nothing next to the frames it counts.
"""

from __future__ import annotations

import sys
from typing import TextIO


class Progress:
    """``with Progress(total, "frames") as bar: bar.update()``; silent with ``quiet`` and when
    the stream is not a terminal (a pipe, a log file, a notebook)."""

    def __init__(
        self, total: int, what: str = "frames", *, quiet: bool = False, stream: TextIO | None = None
    ) -> None:
        self.total = max(int(total), 1)
        self.what = what
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self._bar = None

    def __enter__(self) -> Progress:
        if self.enabled:
            from tqdm import tqdm

            class Bar(tqdm):
                monitor_interval = 0  # no monitor thread: a render may still fork (forked.py)

            self._bar = Bar(
                total=self.total,
                file=self.stream,
                unit=f" {self.what}",
                bar_format=(
                    "{l_bar}{bar}| {n_fmt}/{total_fmt} " + self.what + " [{elapsed}<{remaining}]"
                ),
                dynamic_ncols=True,  # the terminal's width now, not at the start
                mininterval=0.1,
                leave=False,  # the line is cleared at the end: the command prints its result
            )
        return self

    def update(self, n: int = 1) -> None:
        if self._bar is not None:
            self._bar.update(n)

    def __exit__(self, *exc) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None
