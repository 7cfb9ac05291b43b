"""Sub-commands of ``animator``: each module has NAME, add_parser(subparsers) and run(args)."""

from . import basins, gallery, history, listing, net, render, responses, sweep

COMMANDS = [render, listing, responses, basins, sweep, history, net, gallery]
