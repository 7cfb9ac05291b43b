"""``animator sweep``: the final loss of each optimizer over a log-spaced grid of learning rates."""

from __future__ import annotations

import argparse

from landscapes.sweep import TAIL_FRACTION_TEXT

from ..outputs import suffixes
from ..requests import Request
from .common import (
    add_lr_option,
    add_picture_arguments,
    add_runs_arguments,
    add_start_argument,
    add_steps_argument,
    add_surface_argument,
    runs_of,
    start_of,
    surface_kwargs,
)

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
    add_surface_argument(p)
    add_runs_arguments(p, "name[:key=value,...]; its lr is replaced by the grid (repeatable)")
    add_lr_option(p)
    add_start_argument(p)
    add_steps_argument(p)
    add_picture_arguments(p)
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    kwargs = {
        "runs": runs_of(args),
        "lr": args.lr,
        "start": start_of(args),
        "steps": args.steps,
        **surface_kwargs(args),
        "size": None if args.size is None else tuple(args.size),
        "dpi": args.dpi,
    }
    return Request(NAME, (args.surface,), tuple(kwargs.items()), args.output)
