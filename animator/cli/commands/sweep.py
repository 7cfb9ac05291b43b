"""``animator sweep``: the final loss of each optimizer over a log-spaced grid of learning rates."""

from __future__ import annotations

import argparse

from landscapes.sweep import TAIL_FRACTION_TEXT

from ...output.registry import suffixes
from ...requests import Request
from .common import add_lr_option, add_picture_arguments, add_run_arguments, request_of

NAME = "sweep"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="learning-rate sweep: final loss against lr, one line per optimizer",
        description=(
            "Run each optimizer at N log-spaced learning rates from one start (one vectorised "
            f"batch per optimizer). Objective: {TAIL_FRACTION_TEXT}. Output: "
            + ", ".join(suffixes("sweeps"))
            + "."
        ),
    )
    add_run_arguments(p, "name[:key=value,...]; its lr is replaced by the grid (repeatable)")
    add_lr_option(p)
    add_picture_arguments(p)
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    return request_of(NAME, args, lr=args.lr)
