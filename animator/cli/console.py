"""stdout of the command line: results that a closed or full stdout cannot turn into failures."""

from __future__ import annotations

import errno
import os
import sys


class GuardedStdout:
    """stdout for the command line: a failed write is remembered, not raised.

    The product of most commands is a file, complete and in place before its path is printed;
    a reader that left (``| head -1``, ``| true``: EPIPE) or a full device (``> /dev/full``)
    must not turn that into a failure. Like Unix tools, EPIPE ends the output silently; any
    other error is one note on stderr. ``animator list``, whose product *is* stdout, fails then.
    """

    def __init__(self, stream) -> None:
        self._stream = stream
        self.error: OSError | None = None
        if stream is None:  # started with stdout closed (>&-): nothing can be printed
            self.error = OSError(errno.EBADF, "stdout is closed")

    def isatty(self) -> bool:
        return self._stream is not None and self._stream.isatty()

    def write(self, text: str) -> int:
        if self.error is None:
            try:
                return self._stream.write(text)
            except OSError as exc:
                self._failed(exc)
        return len(text)

    def flush(self) -> None:
        if self.error is None:
            try:
                self._stream.flush()
            except OSError as exc:
                self._failed(exc)

    def _failed(self, exc: OSError) -> None:
        self.error = exc
        quiet_stdout()

    def __getattr__(self, name: str):
        return getattr(self._stream, name)


def stdout_error() -> OSError | None:
    """The error that stopped printing to stdout in this command, if any."""
    out = sys.stdout
    return out.error if isinstance(out, GuardedStdout) else None


def quiet_stdout() -> None:
    """Point stdout at /dev/null so that the final flush at exit cannot fail again."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.__stdout__.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # no real file descriptor
        pass
