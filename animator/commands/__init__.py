"""Sub-commands of ``animator``: each module has NAME, add_parser(subparsers) and run(args)."""

from . import gallery, history, listing, render, responses

COMMANDS = [render, listing, responses, history, gallery]
