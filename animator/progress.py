"""A small progress bar on stderr, shown only to a person watching a terminal."""

from __future__ import annotations

import sys
import time
from typing import TextIO


class Progress:
    """``with Progress(total, "frames") as bar: bar.update()``; silent unless stderr is a TTY.

    Redraws at most ten times a second, so it costs nothing next to the frames it counts.
    """

    WIDTH = 28

    def __init__(
        self, total: int, what: str = "frames", *, quiet: bool = False, stream: TextIO | None = None
    ) -> None:
        self.total = max(int(total), 1)
        self.what = what
        self.stream = sys.stderr if stream is None else stream
        isatty = getattr(self.stream, "isatty", None)
        self.enabled = not quiet and bool(isatty and isatty())
        self.done = 0
        self._last = 0.0

    def __enter__(self) -> Progress:
        self._draw()
        return self

    def update(self, n: int = 1) -> None:
        self.done = min(self.done + n, self.total)
        now = time.monotonic()
        if now - self._last >= 0.1 or self.done == self.total:
            self._draw()
            self._last = now

    def _draw(self) -> None:
        if not self.enabled:
            return
        filled = self.WIDTH * self.done // self.total
        bar = "█" * filled + "·" * (self.WIDTH - filled)
        self.stream.write(f"\r{bar} {self.done}/{self.total} {self.what}")
        self.stream.flush()

    def __exit__(self, *exc) -> None:
        if self.enabled:
            self.stream.write("\r" + " " * (self.WIDTH + 24 + len(self.what)) + "\r")
            self.stream.flush()
