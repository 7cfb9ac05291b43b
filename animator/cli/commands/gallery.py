"""``animator gallery``: rebuild every picture of the gallery in parallel, then its README."""

from __future__ import annotations

import argparse

from landscapes import MAX_STEPS

from ...galleries.plan import DEFAULT_DIR, SECTION_KEYS, GalleryOptions
from ...requests import Request
from ...scene import MAX_SIDE
from ..arguments import bounded_int, pixel_size

NAME = "gallery"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="rebuild the gallery: every figure of the article, and README.md",
        description="Runs every gallery command (in parallel) and writes DIR/README.md with every "
        "picture, its caption and the command that rebuilds it.",
    )
    p.add_argument(
        "-o",
        "--output",
        default=DEFAULT_DIR,
        metavar="DIR",
        help=f"output directory (default {DEFAULT_DIR}/)",
    )
    p.add_argument(
        "--steps", type=bounded_int(1, MAX_STEPS), default=125, help="updates per run (default 125)"
    )
    default = GalleryOptions()
    p.add_argument(
        "--size",
        type=pixel_size(MAX_SIDE),
        default=default.size,
        metavar="WxH",
        help=f"animation size (default {default.size[0]}x{default.size[1]}; "
        f"still pictures are {default.still_scale:g}x larger)",
    )
    p.add_argument("--mp4", action="store_true", help="also write an MP4 of every animation")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--jobs",
        type=bounded_int(1, 64),
        default=2,
        metavar="N",
        help="worker processes (default 2)",
    )
    # For tests and quick looks: build only some sections, with a coarser basin grid.
    p.add_argument("--only", action="append", choices=SECTION_KEYS, help=argparse.SUPPRESS)
    p.add_argument("--surface", action="append", help=argparse.SUPPRESS)
    p.add_argument("--basin-grid", type=bounded_int(2, 1000), help=argparse.SUPPRESS)
    p.add_argument("--response-dpi", type=bounded_int(20, 600), help=argparse.SUPPRESS)
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    kwargs = {
        "steps": args.steps,
        "size": tuple(args.size),
        "mp4": args.mp4,
        "sections": None if args.only is None else tuple(args.only),
        "surfaces": None if args.surface is None else tuple(args.surface),
        "basin_grid": args.basin_grid,
        "response_dpi": args.response_dpi,
        "jobs": args.jobs,
        "quiet": args.quiet,
    }
    return Request(NAME, (), tuple(kwargs.items()), args.output)
