"""Arguments shared by the commands, and the step from parsed arguments to API values."""

from __future__ import annotations

import argparse

from landscapes import MAX_STEPS, SUITES
from landscapes.suites import DEFAULT_SUITE

from ...requests import Request
from ...scene import MAX_DPI, MAX_DURATION, MAX_FPS, MAX_SIDE, MIN_DPI, MIN_FPS
from ..arguments import OrderedRuns, bounded_float, bounded_int, finite_float, pixel_size


def add_surface_argument(p: argparse.ArgumentParser, example: str = "") -> None:
    """SURFACE, ``--window`` and ``--levels``."""
    p.add_argument(
        "surface",
        metavar="SURFACE",
        help="a surface name (see 'animator list') or a formula in x and y" + example,
    )
    p.add_argument(
        "--window",
        nargs=4,
        type=finite_float(),
        metavar=("X0", "X1", "Y0", "Y1"),
        help="view window (default: the surface's; [-3, 3]² for a formula)",
    )
    p.add_argument(
        "--levels",
        metavar="LEVELS",
        help="contour levels: a count (e.g. 20) or comma-separated values (e.g. 0,1,2,5,10)",
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
        "--dpi", type=bounded_int(MIN_DPI, MAX_DPI), default=100, help="resolution (default 100)"
    )


def add_animation_arguments(p: argparse.ArgumentParser, fps_help: str) -> None:
    """``--fps`` (default 20) and ``--duration``, shared by every command that animates."""
    p.add_argument("--fps", type=bounded_float(MIN_FPS, MAX_FPS), default=20.0, help=fps_help)
    p.add_argument(
        "--duration",
        type=bounded_float(0, MAX_DURATION, low_open=True),
        help="target length of an animation in seconds (thins frames evenly)",
    )


def add_run_arguments(
    p: argparse.ArgumentParser, spec_help: str, *, example: str = "", start: bool = True
) -> None:
    """What every command that runs optimizers over a surface takes: SURFACE, --window,
    --levels, -O/--suite, --start (if ``start``) and --steps."""
    add_surface_argument(p, example)
    add_runs_arguments(p, spec_help)
    if start:
        add_start_argument(p)
    add_steps_argument(p)


def runs_of(args: argparse.Namespace) -> tuple | None:
    """-O specs and --suite suites, in the order given, as API ``runs`` (None: the default)."""
    if not args.runs:
        return None
    return tuple(SUITES[value] if kind == "suite" else value for kind, value in args.runs)


def request_of(function: str, args: argparse.Namespace, **kwargs) -> Request:
    """The API call of a command that runs optimizers over a surface: the arguments of
    ``add_run_arguments`` and ``add_picture_arguments``, then ``kwargs``."""
    common = {"runs": runs_of(args)}
    if "start" in args:
        common["start"] = None if args.start is None else tuple(args.start)
    common["steps"] = args.steps
    common["window"] = None if args.window is None else tuple(args.window)
    common["levels"] = args.levels
    common["size"] = None if args.size is None else tuple(args.size)
    common["dpi"] = args.dpi
    kwargs = {**common, **kwargs}
    return Request(function, (args.surface,), tuple(kwargs.items()), args.output)


def add_lr_option(p: argparse.ArgumentParser, *, what: str = "") -> None:
    """``--lr LOW:HIGH:N``: the log-spaced grid of learning rates."""
    from landscapes.sweep import DEFAULT_LR_GRID, MAX_SWEEP, MAX_SWEEP_LR

    default = "{:g}:{:g}:{}".format(*DEFAULT_LR_GRID)
    p.add_argument(
        "--lr",
        metavar="LOW:HIGH:N",
        help=f"N log-spaced learning rates{what} (default {default}; "
        f"N <= {MAX_SWEEP}, HIGH <= {MAX_SWEEP_LR:g})",
    )
