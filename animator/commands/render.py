"""``animator render``: run optimizers over a surface and write a picture, animation or export."""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from landscapes import InvalidValueError, Optimizer, Surface, Trajectory, resolve_surface, run_many
from landscapes.levels import parse_levels
from landscapes.paths import hold_to, read_paths

from ..arguments import bounded_float, bounded_int, finite_float, pixel_size
from ..frames import plan_frames
from ..outputs import WRITERS, check_output, prepare_output, writer_for
from ..overlays import OVERLAY_HELP, absent_notes, check_show, needs_state
from ..scene import MAX_DPI, MAX_FPS, MAX_SIDE, MIN_FPS, RenderOptions, Scene
from ..tuning import add_tune_options, check_tune_options, tune_runs
from .common import (
    MAX_RUNS,
    add_runs_arguments,
    add_start_argument,
    add_steps_argument,
    add_surface_argument,
    collect_runs,
)

NAME = "render"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="run optimizers on a surface and write a figure, animation or export",
        description="The output suffix picks the format: " + ", ".join(WRITERS) + ".",
    )
    add_surface_argument(p, ", e.g. 'x**2 + 3*sin(y)'")
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
    add_runs_arguments(p, "name[:key=value,...], e.g. nesterov:lr=0.01,momentum=0.25 (repeatable)")
    add_start_argument(p)
    add_steps_argument(p)
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
    p.add_argument(
        "-o",
        "--output",
        required=True,
        metavar="FILE",
        help="output file; its suffix picks the format (see above)",
    )
    p.add_argument(
        "--fps",
        type=bounded_float(MIN_FPS, MAX_FPS),
        default=20.0,
        help="frames per second of a .gif/.mp4, steps per second of an .html player at 1x",
    )
    p.add_argument(
        "--duration",
        type=bounded_float(0, 600, low_open=True),
        help="target length of an animation in seconds (thins frames evenly)",
    )
    p.add_argument(
        "--size",
        type=pixel_size(MAX_SIDE),
        default=(1200, 800),
        metavar="WxH",
        help="picture size in pixels, even sides",
    )
    p.add_argument(
        "--dpi",
        type=bounded_int(20, MAX_DPI),
        default=100,
        help="dots per inch: the pixel size stays; sets the inches of an .svg/.pdf",
    )
    p.add_argument(
        "--view",
        choices=["2d", "3d"],
        default="2d",
        help="2d: the contour map; 3d: the surface in perspective with the runs on it",
    )
    p.add_argument(
        "--html",
        choices=["player", "video"],
        default="player",
        help="what an .html output holds: 'player', an interactive page drawn from the runs' data "
        "(scrub, pause, hide runs, hover for numbers), or 'video', an H.264 video in a page; "
        "with --view 3d or --show the page is always the video (default: player)",
    )
    p.add_argument(
        "--show",
        metavar="LIST",
        help="overlays at each run's head, comma-separated: "
        + "; ".join(f"{k}: {v}" for k, v in OVERLAY_HELP.items()),
    )
    p.add_argument(
        "--field", action="store_true", help="draw the gradient field (faint streamlines of −∇f)"
    )
    p.add_argument(
        "--path",
        dest="paths",
        action="append",
        metavar="FILE.csv",
        help="draw a path recorded elsewhere: CSV with columns x,y (optional label,step,loss); "
        "repeatable; with --path and no -O/--suite only the paths are drawn",
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    add_tune_options(p)
    p.set_defaults(run=run_command)


def surface_from_args(args: argparse.Namespace) -> Surface:
    """The SURFACE argument (name or formula) with --window and --levels applied."""
    levels = None if args.levels is None else parse_levels(args.levels)
    return resolve_surface(args.surface, args.window, levels)


ANIMATION_SUFFIXES = (".gif", ".mp4", ".html")


def build_scene(
    args: argparse.Namespace,
    surface: Surface,
    pairs: list[tuple[str, Optimizer]],
    *,
    record_state: bool = False,
    recorded: list[Trajectory] | None = None,
) -> Scene:
    """Run every (label, optimizer) pair from one start, tuning learning rates if asked; then the
    ``recorded`` paths. Paths shorter than the longest are held at their last point."""
    start = surface.start if args.start is None else tuple(args.start)
    tuned = tune_runs(surface, pairs, args, start) if args.tune else {}
    pairs = [tuned[i][:2] if i in tuned else pair for i, pair in enumerate(pairs)]
    trajectories = run_many(
        surface,
        [opt for _, opt in pairs],
        start,
        args.steps,
        labels=[label for label, _ in pairs],
        noise=args.noise,
        seed=args.seed,
        record_state=record_state,
    )
    for i, (_, _, record) in tuned.items():
        trajectories[i] = replace(trajectories[i], extra={"tuning": record})
    trajectories += recorded or []
    steps = max(t.steps for t in trajectories)
    trajectories = [hold_to(t, steps) for t in trajectories]
    return Scene(surface, trajectories, {"noise": args.noise, "seed": args.seed})


def run_command(args: argparse.Namespace) -> int:
    # every check first (names, specs, sizes, frame budget), then the file system, then the work
    check_output(args.output)
    writer = writer_for(args.output)
    pairs = collect_runs(args) if args.runs or not args.paths else []
    check_tune_options(args)
    show = check_show(args.show)
    surface = surface_from_args(args)
    recorded = [t for file in args.paths or [] for t in read_paths(file, surface)]
    if len(pairs) + len(recorded) > MAX_RUNS:
        raise InvalidValueError(
            f"{len(pairs) + len(recorded)} runs and paths; one picture takes at most {MAX_RUNS}"
        )
    options = RenderOptions(
        fps=args.fps,
        duration=args.duration,
        size=tuple(args.size),
        dpi=args.dpi,
        view=args.view,
        quiet=args.quiet,
        html=args.html,
        show=show,
        field=args.field,
    )
    if (show or args.field) and args.view == "3d":
        raise InvalidValueError("--show and --field draw on the 2-D map; drop --view 3d")
    animated = Path(args.output).suffix.lower() in ANIMATION_SUFFIXES
    steps = max([args.steps] * bool(pairs) + [t.steps for t in recorded])
    if animated:
        plan_frames(steps, options)
    path = prepare_output(args.output)
    # the state is recorded when an overlay reads it or the export is the JSON one
    record = needs_state(show) or Path(args.output).suffix.lower() == ".json"
    scene = build_scene(args, surface, pairs, record_state=record, recorded=recorded)
    writer(path, scene, options)
    for note in absent_notes(scene.trajectories, show):
        print(f"note: {note}", file=sys.stderr)
    for traj in scene.trajectories:
        if traj.diverged:
            print(
                f"note: {traj.label} diverged at step {traj.diverged_at}: {traj.reason}",
                file=sys.stderr,
            )
    print(path)
    return 0
