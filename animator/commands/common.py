"""Arguments and lookups shared by the commands that run optimizers over a surface."""

from __future__ import annotations

import argparse

from landscapes import MAX_STEPS, SUITES, InvalidValueError, Optimizer, parse_spec
from landscapes.runs import MAX_RUNS  # one limit for the CLI and run_many (the API)
from landscapes.suites import DEFAULT_SUITE

from ..arguments import OrderedRuns, bounded_int, finite_float, pixel_size
from ..scene import MAX_DPI, MAX_SIDE


def add_surface_argument(p: argparse.ArgumentParser, example: str = "") -> None:
    p.add_argument(
        "surface",
        metavar="SURFACE",
        help="a surface name (see 'animator list') or a formula in x and y" + example,
    )


def add_runs_arguments(p: argparse.ArgumentParser, spec_help: str) -> None:
    """``-O SPEC`` and ``--suite NAME``, collected into ``args.runs`` in the order given."""
    p.add_argument(
        "-O", "--optimizer", dest="runs", action=OrderedRuns, metavar="SPEC", help=spec_help
    )
    p.add_argument(
        "--suite",
        dest="runs",
        action=OrderedRuns,
        metavar="NAME",
        help=f"a named set of runs (default {DEFAULT_SUITE!r} when no -O is given)",
    )


def add_start_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--start",
        nargs=2,
        type=finite_float(),
        metavar=("X", "Y"),
        help="start point (default: the surface's)",
    )


def add_steps_argument(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--steps", type=bounded_int(1, MAX_STEPS), default=125, help="updates per run (default 125)"
    )


def run_groups(
    runs: list[tuple[str, str]] | None,
) -> list[tuple[str | None, list[tuple[str, Optimizer]]]]:
    """``(suite name, pairs)`` per --suite and ``(None, [pair])`` per -O, in the order given.

    Every spec is checked and the total is held to ``MAX_RUNS``; no -O and no --suite means the
    default suite.
    """
    groups: list[tuple[str | None, list[tuple[str, Optimizer]]]] = []
    for kind, value in runs or [("suite", DEFAULT_SUITE)]:
        if kind == "suite":
            suite = SUITES[value]
            groups.append((suite.name, [(label, parse_spec(spec)) for label, spec in suite.runs]))
        else:
            groups.append((None, [(value, parse_spec(value))]))
    total = sum(len(pairs) for _, pairs in groups)
    if total > MAX_RUNS:
        raise InvalidValueError(f"{total} runs requested; one command takes at most {MAX_RUNS}")
    return groups


def collect_runs(args: argparse.Namespace) -> list[tuple[str, Optimizer]]:
    """(label, optimizer) pairs from -O and --suite, in the order given, every spec checked."""
    return [pair for _, pairs in run_groups(args.runs) for pair in pairs]


def add_picture_arguments(
    p: argparse.ArgumentParser, size: tuple[int, int] | None = None, *, output: bool = True
) -> None:
    """``-o FILE`` (unless the command names its own output), ``--size WxH`` and ``--dpi``."""
    if output:
        p.add_argument("-o", "--output", required=True, metavar="FILE", help="output file")
    shown = "x".join(map(str, size)) if size else "the picture's own"
    p.add_argument(
        "--size",
        type=pixel_size(MAX_SIDE),
        default=size,
        metavar="WxH",
        help=f"picture size in pixels (default {shown})",
    )
    p.add_argument(
        "--dpi", type=bounded_int(20, MAX_DPI), default=100, help="resolution (default 100)"
    )
