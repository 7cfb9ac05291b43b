"""Sub-commands of ``animator``: each module has NAME, add_parser(subparsers) and run(args)."""

from . import basins, listing, render, sweep

COMMANDS = [render, listing, basins, sweep]
