"""``animator net``: train a small network with several optimizers; draw the runs on a plane."""

from __future__ import annotations

import argparse

from landscapes import MAX_STEPS
from landscapes.datasets import DATASETS, MAX_NOISE, MAX_POINTS, MIN_POINTS
from landscapes.networks import ACTIVATIONS
from landscapes.plane import MAX_GRID, MIN_GRID, PLANES

from ...network import DEFAULT_NET_RUNS
from ...output.registry import suffixes
from ...requests import Request
from ..arguments import bounded_float, bounded_int
from .common import add_animation_arguments, add_picture_arguments

NAME = "net"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="train a small network with several optimizers; draw them on one loss plane",
        description="Trains a classifier (autograd + numpy) on a generated data set with every "
        "optimizer from one seeded start, then draws the training loss on a plane through "
        "parameter space (PCA of all runs, or random filter-normalised directions) with the runs "
        "projected on it; the loss panel shows the TRUE training loss. The output suffix picks "
        "the format: " + ", ".join(suffixes("scene")) + ".",
    )
    p.add_argument("--data", default="moons", help=f"data set: {', '.join(DATASETS.names())}")
    p.add_argument(
        "--points",
        type=bounded_int(MIN_POINTS, MAX_POINTS),
        default=500,
        help=f"points in the data set ({MIN_POINTS} to {MAX_POINTS})",
    )
    p.add_argument(
        "--noise",
        type=bounded_float(0, MAX_NOISE),
        help="noise of the data set (default: the data set's own)",
    )
    p.add_argument("--model", default="mlp:16,16", help="logistic or mlp:W1,W2,... (hidden widths)")
    p.add_argument(
        "--activation",
        choices=list(ACTIVATIONS),
        default="tanh",
        help="activation of the hidden layers",
    )
    p.add_argument(
        "-O",
        "--optimizer",
        dest="optimizers",
        action="append",
        metavar="SPEC",
        help="name[:key=value,...] (repeatable; default: " + ", ".join(DEFAULT_NET_RUNS) + ")",
    )
    p.add_argument("--steps", type=bounded_int(1, MAX_STEPS), default=300, help="updates per run")
    p.add_argument(
        "--batch",
        type=bounded_int(1, MAX_POINTS),
        help="minibatch size (seeded; default: full batch)",
    )
    p.add_argument(
        "--seed",
        type=bounded_int(0, 2**32 - 1),
        default=0,
        help="seed of the data, the start, the minibatches and a random plane",
    )
    p.add_argument("--plane", choices=PLANES, default="pca", help="how to choose the plane")
    p.add_argument(
        "--grid",
        type=bounded_int(MIN_GRID, MAX_GRID),
        default=100,
        help=f"loss lattice of G x G points ({MIN_GRID} to {MAX_GRID})",
    )
    add_picture_arguments(p, (1200, 800))
    add_animation_arguments(p, "frames per second of an animation")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    kwargs = {
        "optimizers": None if args.optimizers is None else tuple(args.optimizers),
        "points": args.points,
        "noise": args.noise,
        "model": args.model,
        "activation": args.activation,
        "steps": args.steps,
        "batch": args.batch,
        "seed": args.seed,
        "plane": args.plane,
        "grid": args.grid,
        "size": tuple(args.size),
        "dpi": args.dpi,
        "fps": args.fps,
        "duration": args.duration,
        "quiet": args.quiet,
    }
    return Request(NAME, (args.data,), tuple(kwargs.items()), args.output)
