"""``animator history``: the loss of every run against the step, one panel per suite."""

from __future__ import annotations

import argparse

from ...output.registry import suffixes
from ...requests import Request
from ...scene import HISTORY_SIZE
from .common import add_picture_arguments, add_run_arguments, request_of

NAME = "history"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="learning history: loss against step for every run, one panel per suite",
        description="Each --suite gets its own panel; the -O runs share one more. "
        "Output: " + ", ".join(suffixes("history")) + ".",
    )
    add_run_arguments(p, "name[:key=value,...] (repeatable; all -O runs share one panel)")
    add_picture_arguments(p, HISTORY_SIZE)
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    return request_of(NAME, args)
