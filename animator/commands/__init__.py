"""Sub-commands of ``animator``: each module has NAME, add_parser(subparsers) and run(args)."""

from . import listing, render, responses

COMMANDS = [render, listing, responses]
