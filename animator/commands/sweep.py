"""``animator sweep``: the final loss of each optimizer over a log-spaced grid of learning rates."""

from __future__ import annotations

import argparse

from landscapes import resolve_surface
from landscapes.sweep import TAIL_FRACTION_TEXT, parse_lr_grid, sweep

from ..batch_exports import SWEEP_WRITERS, pick_writer
from ..outputs import check_output, prepare_output
from ..tuning import add_lr_option
from .common import (
    add_picture_arguments,
    add_runs_arguments,
    add_start_argument,
    add_steps_argument,
    add_surface_argument,
    collect_runs,
)

NAME = "sweep"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="learning-rate sweep: final loss against lr, one line per optimizer",
        description=(
            "Run each optimizer at N log-spaced learning rates from one start (one vectorised "
            f"batch per optimizer). Objective: {TAIL_FRACTION_TEXT}. Output: "
            + ", ".join(SWEEP_WRITERS)
            + "."
        ),
    )
    add_surface_argument(p)
    add_runs_arguments(p, "name[:key=value,...]; its lr is replaced by the grid (repeatable)")
    add_lr_option(p)
    add_start_argument(p)
    add_steps_argument(p)
    add_picture_arguments(p)
    p.set_defaults(run=run_command)


def run_command(args: argparse.Namespace) -> int:
    check_output(args.output)
    writer = pick_writer(SWEEP_WRITERS, args.output)
    surface = resolve_surface(args.surface)
    pairs = collect_runs(args)
    lrs = parse_lr_grid(args.lr)
    path = prepare_output(args.output)
    start = surface.start if args.start is None else tuple(args.start)
    sweeps = [sweep(surface, opt, lrs, start, args.steps, label=label) for label, opt in pairs]
    writer(path, sweeps, size=args.size, dpi=args.dpi)
    for s in sweeps:
        best = "every lr diverged" if s.best_lr is None else f"best lr {s.best_lr:.6g}"
        print(f"{s.label}: {best}, {int(s.diverged.sum())} of {s.lrs.size} diverged")
    print(path)
    return 0
