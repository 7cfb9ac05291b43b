"""``animator render``: runs over a surface as a picture, an animation or an export.

The output's suffix picks :func:`animator.animate` (.gif .mp4 .html) or :func:`animator.plot`.
"""

from __future__ import annotations

import argparse

from landscapes import InvalidValueError
from landscapes.sweep import parse_lr_grid

from ...draw.overlays import OVERLAY_HELP
from ...output.registry import output_for, suffixes
from ...requests import Request
from ...scene import HTML_KINDS, MAX_HOLD, VIEWS
from ..arguments import bounded_float, bounded_int
from .common import (
    add_animation_arguments,
    add_lr_option,
    add_picture_arguments,
    add_run_arguments,
    request_of,
)

NAME = "render"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="run optimizers on a surface and write a figure, animation or export",
        description="The output suffix picks the format: " + ", ".join(suffixes("scene")) + ".",
    )
    add_run_arguments(
        p,
        "name[:key=value,...], e.g. nesterov:lr=0.01,momentum=0.25 (repeatable)",
        example=", e.g. 'x**2 + 3*sin(y)'",
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
    add_picture_arguments(p, (1200, 800))
    add_animation_arguments(
        p, "frames per second of a .gif/.mp4, steps per second of an .html player at 1x"
    )
    p.add_argument(
        "--hold",
        type=bounded_float(0, MAX_HOLD),
        default=1.0,
        metavar="SECONDS",
        help="how long an animation holds its last frame (default 1)",
    )
    p.add_argument(
        "--view",
        choices=VIEWS,
        default="2d",
        help="2d: the contour map; 3d: the surface in perspective with the runs on it",
    )
    p.add_argument(
        "--html",
        choices=HTML_KINDS,
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
    p.add_argument(
        "--tune",
        action="store_true",
        help="sweep each run's lr over --lr first and render it at the best one "
        "(objective: mean loss over the last 10%% of steps)",
    )
    add_lr_option(p, what=" for --tune")
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    if args.lr is not None and not args.tune:
        parse_lr_grid(args.lr)  # a malformed --lr is named as such first
        raise InvalidValueError(f"--lr {args.lr} is only used with --tune; add --tune or drop --lr")
    kwargs = {
        "noise": args.noise,
        "seed": args.seed,
        "tune": (args.lr or True) if args.tune else False,
        "view": args.view,
        "show": args.show,
        "field": args.field,
        "paths": None if args.paths is None else tuple(args.paths),
    }
    if output_for("scene", args.output).animation:
        kwargs.update(
            fps=args.fps, duration=args.duration, hold=args.hold, quiet=args.quiet, html=args.html
        )
        return request_of("animate", args, **kwargs)
    return request_of("plot", args, **kwargs)
