"""The ``animator`` command line: parse the arguments into a request, call the API, save, print.

Every bad input ends in one line on stderr and exit status 2; Ctrl-C ends in one line and 130.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import re
import sys
import warnings
from collections.abc import Sequence

from landscapes import LandscapeError

from .. import __version__
from ..output import signals
from ..requests import Request
from .commands import COMMANDS
from .console import GuardedStdout, quiet_stdout, stdout_error
from .help_texts import decorate

#: What ``animator`` with no arguments does: the article's comparison, as a GIF in the cwd.
DEFAULT_ARGV = ["render", "hills_and_canyon", "--suite", "article", "-o", "hills_and_canyon.gif"]

EXIT_OK, EXIT_FAILURE, EXIT_USAGE, EXIT_INTERNAL, EXIT_INTERRUPTED = 0, 1, 2, 70, 130


class UsageError(Exception):
    """A command-line mistake argparse found (unknown option, missing argument, ...)."""


#: Arguments that start with '-' but are values, not options: numbers in any notation
#: ('-1e-3', '-.5', '-5,0,5') and anything holding a character no option name has
#: (the formula '-x**2+y**2'). argparse's own pattern only knows '-1' and '-1.5'.
VALUE_WITH_MINUS = re.compile(r"^-(\.?\d|[^-].*[^A-Za-z0-9_-])")


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._negative_number_matcher = VALUE_WITH_MINUS

    def error(self, message: str) -> None:  # one line, no usage dump, no SystemExit
        raise UsageError(f"{message} (see '{self.prog} --help')")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="animator",
        description="See how neural-network optimizers move over analytic loss surfaces.",
        epilog="With no arguments: " + " ".join(["animator", *DEFAULT_ARGV]),
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for command in COMMANDS:
        command.add_parser(sub)
        decorate(sub.choices[command.NAME], command.NAME)  # defaults and examples in --help
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line; return the exit status (tests call this directly)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if not argv:
        argv = list(DEFAULT_ARGV)
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if args.command is None:
            raise UsageError(
                f"no command given; choose from: {', '.join(c.NAME for c in COMMANDS)}"
            )
        with warnings.catch_warnings():
            # numpy overflow in diverging runs, matplotlib layout notes at tiny sizes: the CLI
            # speaks in its own one-line notes, not in library warnings
            warnings.simplefilter("ignore")
            if hasattr(args, "request"):
                status = run_request(args.request(args))
            else:
                status = int(args.run(args) or EXIT_OK)
        _flush_stdout()
        return status
    except BrokenPipeError as exc:
        if exc.filename is not None:
            raise  # not stdout: handled below, like any failed write
        quiet_stdout()  # the reader of stdout left (`| head -1`): like Unix tools, no message
        return EXIT_OK
    except (UsageError, LandscapeError) as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        _say("interrupted")
        return EXIT_INTERRUPTED
    except SystemExit as exc:  # --help, --version
        return int(exc.code or 0) if isinstance(exc.code, int) else EXIT_USAGE
    except OSError as exc:
        name = f" {exc.filename!r}" if exc.filename else ""
        limit = " (file size limit)" if exc.errno == errno.EFBIG else ""
        _say(f"error: cannot write{name}: {exc.strerror or exc}{limit}")
        return EXIT_FAILURE
    except Exception as exc:  # a bug of ours: still one line, and a distinct status
        _say(f"internal error: {type(exc).__name__}: {exc} (please report this)")
        return EXIT_INTERNAL


def run_request(request: Request) -> int:
    """Check the output, call the API, save, print the notes (stderr), report and path."""
    from ..api import execute

    product, path = execute(request)
    for note in product.notes:
        print(f"note: {note}", file=sys.stderr)
    for line in product.report():
        print(line)
    print(path)
    return EXIT_OK


def _say(message: str) -> None:
    print(f"animator: {message}", file=sys.stderr)


def _flush_stdout() -> None:
    sys.stdout.flush()
    error = stdout_error()
    if error is not None and not isinstance(error, BrokenPipeError):
        _say(f"note: could not print to stdout: {error.strerror or error}")


def entry() -> None:
    """The ``animator`` program, after ``signals.install()`` (see ``__main__``)."""
    if hasattr(sys.stdout, "reconfigure"):  # PYTHONIOENCODING=ascii: escape, never crash
        sys.stdout.reconfigure(errors="backslashreplace")
    sys.stdout = GuardedStdout(sys.stdout)
    status = main()
    signals.finish()
    # Every output is complete, closed and in place, and every child waited for: end here
    # rather than tear down the interpreter's objects one by one (a tenth of a second after
    # a render). Only what Python still buffers needs writing out.
    sys.stdout.flush()
    if sys.stderr is not None:  # None when started with stderr closed (2>&-)
        with contextlib.suppress(OSError, ValueError):
            sys.stderr.flush()
    os._exit(status)
