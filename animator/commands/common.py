"""Arguments and lookups shared by the commands that run optimizers over a surface."""

from __future__ import annotations

import argparse

from landscapes import MAX_STEPS, SUITES, InvalidValueError, Optimizer, parse_spec

from ..arguments import OrderedRuns, bounded_int, finite_float

DEFAULT_SUITE = "article"
MAX_RUNS = 24  # runs in one picture or one batch command


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


def collect_runs(args: argparse.Namespace) -> list[tuple[str, Optimizer]]:
    """(label, optimizer) pairs from -O and --suite, in the order given, every spec checked."""
    pairs = []
    for kind, value in args.runs or [("suite", DEFAULT_SUITE)]:
        if kind == "suite":
            pairs += [(label, parse_spec(spec)) for label, spec in SUITES[value].runs]
        else:
            pairs.append((value, parse_spec(value)))
    if len(pairs) > MAX_RUNS:
        raise InvalidValueError(
            f"{len(pairs)} runs requested; one command takes at most {MAX_RUNS}"
        )
    return pairs
