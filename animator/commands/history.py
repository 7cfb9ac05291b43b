"""``animator history``: the loss of every run against the step, one panel per suite."""

from __future__ import annotations

import argparse

from ..outputs import suffixes
from ..requests import Request
from ..scene import HISTORY_SIZE
from .common import (
    add_picture_arguments,
    add_runs_arguments,
    add_start_argument,
    add_steps_argument,
    add_surface_argument,
    runs_of,
    start_of,
    surface_kwargs,
)

NAME = "history"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="learning history: loss against step for every run, one panel per suite",
        description="Each --suite gets its own panel; the -O runs share one more. "
        "Output: " + ", ".join(suffixes("history")) + ".",
    )
    add_surface_argument(p)
    add_runs_arguments(p, "name[:key=value,...] (repeatable; all -O runs share one panel)")
    add_start_argument(p)
    add_steps_argument(p)
    add_picture_arguments(p, HISTORY_SIZE)
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    kwargs = {
        "runs": runs_of(args),
        "start": start_of(args),
        "steps": args.steps,
        **surface_kwargs(args),
        "size": tuple(args.size),
        "dpi": args.dpi,
    }
    return Request(NAME, (args.surface,), tuple(kwargs.items()), args.output)
