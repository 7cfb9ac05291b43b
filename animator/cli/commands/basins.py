"""``animator basins``: where an optimizer ends from every start of a grid (one batch per -O)."""

from __future__ import annotations

import argparse

from landscapes.basins import DEFAULT_GRID, MAX_BASIN_POINTS, MAX_GRID

from ...output.registry import suffixes
from ...requests import Request
from ..arguments import bounded_float, bounded_int
from .common import add_picture_arguments, add_run_arguments, request_of

NAME = "basins"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="basin-of-attraction map: where each start of a grid ends",
        description=(
            "Run each optimizer from every cell of a GRID x GRID grid over the surface's window "
            "(one vectorised batch) and colour each start by the minimum it ends in, shaded by "
            "how many steps it took. Several -O give small multiples. Output: "
            + ", ".join(suffixes("basins"))
            + f". Limits: grid <= {MAX_GRID} and grid² x (steps+1) <= {MAX_BASIN_POINTS:,}."
        ),
    )
    add_run_arguments(p, "name[:key=value,...] (repeatable; one map each)", start=False)
    p.add_argument(
        "--grid",
        type=bounded_int(1, MAX_GRID),
        default=DEFAULT_GRID,
        metavar="N",
        help=f"starts per side (default {DEFAULT_GRID}: {DEFAULT_GRID**2:,} runs per optimizer)",
    )
    p.add_argument(
        "--tol",
        type=bounded_float(0, 1e6, low_open=True),
        help="distance that counts as 'at a minimum' (default 2%% of the window's side)",
    )
    add_picture_arguments(p)
    p.set_defaults(request=request)


def request(args: argparse.Namespace) -> Request:
    return request_of(NAME, args, grid=args.grid, tol=args.tol)
