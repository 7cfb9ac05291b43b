"""``animator history``: the loss of every run against the step, one panel per suite."""

from __future__ import annotations

import argparse

from landscapes import resolve_surface, run_many

from ..outputs import check_output, prepare_output
from ..scene import HISTORY_SIZE
from ..suffixes import by_suffix
from .common import (
    add_picture_arguments,
    add_runs_arguments,
    add_start_argument,
    add_steps_argument,
    add_surface_argument,
    run_groups,
)

NAME = "history"
FORMATS = (".png", ".svg", ".pdf")


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="learning history: loss against step for every run, one panel per suite",
        description="Each --suite gets its own panel; the -O runs share one more. "
        "Output: " + ", ".join(FORMATS) + ".",
    )
    add_surface_argument(p)
    add_runs_arguments(p, "name[:key=value,...] (repeatable; all -O runs share one panel)")
    add_start_argument(p)
    add_steps_argument(p)
    add_picture_arguments(p, HISTORY_SIZE)
    p.set_defaults(run=run_command)


def panels(runs: list[tuple[str, str]] | None) -> list[tuple[str, list[tuple[str, object]]]]:
    """``(title, [(label, optimizer), ...])`` per panel: one per suite, one for all -O runs."""
    groups: list[tuple[str, list]] = []
    singles: list = []
    for suite, pairs in run_groups(runs):
        if suite is None:
            singles += pairs
        else:
            groups.append((f"{suite} suite", pairs))
    if singles:
        groups.append(("runs", singles))
    return groups


def run_command(args: argparse.Namespace) -> int:
    from ..history_plots import history_figure
    from ..savefig import save_figure

    check_output(args.output)
    by_suffix(args.output, dict.fromkeys(FORMATS))
    groups = panels(args.runs)
    surface = resolve_surface(args.surface, None, None)
    path = prepare_output(args.output)
    start = surface.start if args.start is None else tuple(args.start)
    histories = [
        (
            title,
            run_many(
                surface, [o for _, o in pairs], start, args.steps, labels=[n for n, _ in pairs]
            ),
        )
        for title, pairs in groups
    ]
    save_figure(history_figure(surface, histories, size=tuple(args.size), dpi=args.dpi), path)
    print(path)
    return 0
