"""``animator render``: run optimizers over a surface and write a picture, animation or export."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace

from landscapes import (
    MAX_STEPS,
    SUITES,
    InvalidValueError,
    Surface,
    Trajectory,
    parse_spec,
    resolve_surface,
    run,
)
from landscapes.levels import parse_levels

from ..arguments import OrderedRuns, bounded_float, bounded_int, finite_float, pixel_size
from ..outputs import WRITERS, check_output, prepare_output, writer_for
from ..scene import MAX_DPI, MAX_FPS, MAX_SIDE, RenderOptions, Scene
from ..tuning import add_tune_options, check_tune_options, tune_runs

NAME = "render"
DEFAULT_SUITE = "article"
MAX_RUNS = 24


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="run optimizers on a surface and write a figure, animation or export",
        description="The output suffix picks the format: " + ", ".join(WRITERS) + ".",
    )
    p.add_argument(
        "surface",
        metavar="SURFACE",
        help="a surface name (see 'animator list') or a formula in x and y, e.g. 'x**2 + 3*sin(y)'",
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
    p.add_argument(
        "-O",
        "--optimizer",
        dest="runs",
        action=OrderedRuns,
        metavar="SPEC",
        help="name[:key=value,...], e.g. nesterov:lr=0.01,momentum=0.25 (repeatable)",
    )
    p.add_argument(
        "--suite",
        dest="runs",
        action=OrderedRuns,
        metavar="NAME",
        help=f"a named set of runs (default {DEFAULT_SUITE!r} when no -O is given)",
    )
    p.add_argument(
        "--start",
        nargs=2,
        type=finite_float(),
        metavar=("X", "Y"),
        help="start point (default: the surface's)",
    )
    p.add_argument(
        "--steps", type=bounded_int(1, MAX_STEPS), default=125, help="updates per run (default 125)"
    )
    p.add_argument(
        "--noise",
        type=bounded_float(0, 1e6),
        default=0.0,
        help="standard deviation of Gaussian noise added to every gradient",
    )
    p.add_argument(
        "--seed",
        type=bounded_int(0, 2**32 - 1),
        default=0,
        help="seed of the gradient noise (default 0)",
    )
    p.add_argument("-o", "--output", required=True, metavar="FILE", help="output file")
    p.add_argument("--fps", type=bounded_float(0, MAX_FPS, low_open=True), default=20.0)
    p.add_argument(
        "--duration",
        type=bounded_float(0, 600, low_open=True),
        help="target length of an animation in seconds (thins frames evenly)",
    )
    p.add_argument("--size", type=pixel_size(MAX_SIDE), default=(1200, 800), metavar="WxH")
    p.add_argument("--dpi", type=bounded_int(20, MAX_DPI), default=100)
    p.add_argument("--view", choices=["2d", "3d"], default="2d")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_tune_options(p)
    p.set_defaults(run=run_command)


def collect_runs(args: argparse.Namespace) -> list[tuple[str, object]]:
    """(label, optimizer) pairs from -O and --suite, in the order given (checked up front)."""
    pairs = []
    for kind, value in args.runs or [("suite", DEFAULT_SUITE)]:
        if kind == "suite":
            pairs += [(label, parse_spec(spec)) for label, spec in SUITES[value].runs]
        else:
            pairs.append((value, parse_spec(value)))
    if len(pairs) > MAX_RUNS:
        raise InvalidValueError(
            f"{len(pairs)} runs requested; one picture holds at most {MAX_RUNS}"
        )
    return pairs


def surface_from_args(args: argparse.Namespace) -> Surface:
    """The SURFACE argument (name or formula) with --window and --levels applied."""
    levels = None if args.levels is None else parse_levels(args.levels)
    return resolve_surface(args.surface, args.window, levels)


def build_scene(args: argparse.Namespace) -> Scene:
    surface = surface_from_args(args)
    start = surface.start if args.start is None else tuple(args.start)
    pairs = collect_runs(args)
    tuned = tune_runs(surface, pairs, args, start) if getattr(args, "tune", False) else {}
    trajectories: list[Trajectory] = []
    for i, (label, opt) in enumerate(pairs):
        if i in tuned:
            label, opt, record = tuned[i]
        traj = run(surface, opt, start, args.steps, label=label, noise=args.noise, seed=args.seed)
        trajectories.append(replace(traj, extra={"tuning": record}) if i in tuned else traj)
    meta = {"noise": args.noise, "seed": args.seed}
    return Scene(surface, trajectories, meta)


def run_command(args: argparse.Namespace) -> int:
    check_output(args.output)
    writer = writer_for(args.output)
    collect_runs(args)  # fail on a bad spec or surface before touching the file system
    check_tune_options(args)
    surface_from_args(args)
    path = prepare_output(args.output)
    scene = build_scene(args)
    options = RenderOptions(
        fps=args.fps,
        duration=args.duration,
        size=tuple(args.size),
        dpi=args.dpi,
        view=args.view,
        quiet=args.quiet,
    )
    writer(path, scene, options)
    for traj in scene.trajectories:
        if traj.diverged:
            print(
                f"note: {traj.label} diverged at step {traj.diverged_at}: {traj.reason}",
                file=sys.stderr,
            )
    print(path)
    return 0
