"""``animator responses``: the article's 1-D update-response charts, or their numbers as CSV.

``-o DIR`` writes ``METHOD_SIGNAL.png`` for every method and signal and ``METHOD_overview.png``
(one panel per signal) for every method; ``-o FILE.csv`` writes the numbers instead.
"""

from __future__ import annotations

import argparse

from landscapes.responses import DEFAULT_SEED, METHODS, SIGNALS

from ...output.exports import RESPONSE_COLUMNS
from ...requests import Request
from ...scene import MAX_DPI, MIN_DPI
from ..arguments import bounded_int

NAME = "responses"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="the article's update-response charts (accumulated update against a gradient signal)",
        description="One chart per method and signal plus an overview grid per method, "
        "or with -o FILE.csv the numbers (" + RESPONSE_COLUMNS + ").",
    )
    p.add_argument(
        "--method",
        action="append",
        metavar="M",
        help="a method (repeatable; default all): " + ", ".join(METHODS.names()),
    )
    p.add_argument(
        "--signal",
        action="append",
        metavar="S",
        help="a gradient signal (repeatable; default all): " + ", ".join(SIGNALS.names()),
    )
    p.add_argument(
        "--seed",
        type=bounded_int(0, 2**32 - 1),
        default=DEFAULT_SEED,
        help=f"seed of the noisy signals (default {DEFAULT_SEED})",
    )
    p.add_argument(
        "--dpi",
        type=bounded_int(MIN_DPI, MAX_DPI),
        default=100,
        help="chart resolution (default 100)",
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="DIR|FILE.csv", help="a directory or a .csv file"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    kwargs = {
        "methods": None if args.method is None else tuple(args.method),
        "signals": None if args.signal is None else tuple(args.signal),
        "seed": args.seed,
        "dpi": args.dpi,
        "quiet": args.quiet,
    }
    return Request(NAME, (), tuple(kwargs.items()), args.output)
