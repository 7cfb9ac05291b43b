"""``animator history``: the loss of every run against the step, one panel per suite."""

from __future__ import annotations

import argparse
from pathlib import Path

from landscapes import SUITES, InvalidValueError, parse_spec, resolve_surface, run

from ..arguments import bounded_int, pixel_size
from ..history_plots import DEFAULT_SIZE, history_figure
from ..outputs import check_output, prepare_output
from ..response_plots import save_figure
from ..scene import MAX_DPI, MAX_SIDE
from .common import (
    DEFAULT_SUITE,
    MAX_RUNS,
    add_runs_arguments,
    add_start_argument,
    add_steps_argument,
    add_surface_argument,
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
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="output file")
    size = "x".join(map(str, DEFAULT_SIZE))
    p.add_argument(
        "--size",
        type=pixel_size(MAX_SIDE),
        default=DEFAULT_SIZE,
        metavar="WxH",
        help=f"picture size in pixels (default {size})",
    )
    p.add_argument("--dpi", type=bounded_int(20, MAX_DPI), default=100)
    p.set_defaults(run=run_command)


def panels(runs: list[tuple[str, str]] | None) -> list[tuple[str, list[tuple[str, object]]]]:
    """``(title, [(label, optimizer), ...])`` per panel: one per suite, one for all -O runs."""
    groups: list[tuple[str, list]] = []
    singles: list = []
    for kind, value in runs or [("suite", DEFAULT_SUITE)]:
        if kind == "suite":
            suite = SUITES[value]
            pairs = [(label, parse_spec(spec)) for label, spec in suite.runs]
            groups.append((f"{suite.name} suite", pairs))
        else:
            singles.append((value, parse_spec(value)))
    if singles:
        groups.append(("runs", singles))
    total = sum(len(pairs) for _, pairs in groups)
    if total > MAX_RUNS:
        raise InvalidValueError(f"{total} runs requested; one picture holds at most {MAX_RUNS}")
    return groups


def run_command(args: argparse.Namespace) -> int:
    check_output(args.output)
    suffix = Path(args.output).suffix.lower()
    if suffix not in FORMATS:
        shown = suffix or "(none)"
        raise InvalidValueError(
            f"unknown output suffix {shown!r} in {args.output!r}; choose from: {', '.join(FORMATS)}"
        )
    groups = panels(args.runs)
    surface = resolve_surface(args.surface, None, None)
    path = prepare_output(args.output)
    start = surface.start if args.start is None else tuple(args.start)
    histories = [
        (title, [run(surface, opt, start, args.steps, label=label) for label, opt in pairs])
        for title, pairs in groups
    ]
    save_figure(history_figure(surface, histories, size=tuple(args.size), dpi=args.dpi), path)
    print(path)
    return 0
