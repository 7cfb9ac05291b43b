"""``animator basins``: where an optimizer ends from every start of a grid (one batch per -O)."""

from __future__ import annotations

import argparse
import sys

from landscapes import resolve_surface
from landscapes.basins import DEFAULT_GRID, MAX_BASIN_POINTS, MAX_GRID, basin_map, check_grid

from ..arguments import bounded_float, bounded_int
from ..batch_exports import BASIN_WRITERS, pick_writer
from ..outputs import check_output, prepare_output
from .common import (
    add_picture_arguments,
    add_runs_arguments,
    add_steps_argument,
    add_surface_argument,
    collect_runs,
)

NAME = "basins"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="basin-of-attraction map: where each start of a grid ends",
        description=(
            "Run each optimizer from every cell of a GRID x GRID grid over the surface's window "
            "(one vectorised batch) and colour each start by the minimum it ends in, shaded by "
            "how many steps it took. Several -O give small multiples. Output: "
            + ", ".join(BASIN_WRITERS)
            + f". Limits: grid <= {MAX_GRID} and grid² x (steps+1) <= {MAX_BASIN_POINTS:,}."
        ),
    )
    add_surface_argument(p)
    add_runs_arguments(p, "name[:key=value,...] (repeatable; one map each)")
    p.add_argument(
        "--grid",
        type=bounded_int(1, MAX_GRID),
        default=DEFAULT_GRID,
        metavar="N",
        help=f"starts per side (default {DEFAULT_GRID}: {DEFAULT_GRID**2:,} runs per optimizer)",
    )
    add_steps_argument(p)
    p.add_argument(
        "--tol",
        type=bounded_float(0, 1e6, low_open=True),
        help="distance that counts as 'at a minimum' (default 2%% of the window's side)",
    )
    add_picture_arguments(p)
    p.set_defaults(run=run_command)


def run_command(args: argparse.Namespace) -> int:
    check_output(args.output)
    writer = pick_writer(BASIN_WRITERS, args.output)
    surface = resolve_surface(args.surface)
    pairs = collect_runs(args)
    check_grid(args.grid, args.steps)
    path = prepare_output(args.output)
    maps = [
        basin_map(surface, opt, args.grid, args.steps, tol=args.tol, label=label)
        for label, opt in pairs
    ]
    writer(path, maps, size=args.size, dpi=args.dpi)
    if not surface.minima:
        print(
            f"note: {surface.name} lists no minima, so every start that does not diverge counts "
            "as 'elsewhere' (the map shows divergence only)",
            file=sys.stderr,
        )
    print(path)
    return 0
