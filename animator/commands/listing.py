"""``animator list``: every surface, optimizer and suite with its one-line description."""

from __future__ import annotations

import argparse
import json

from landscapes import OPTIMIZERS, SUITES, SURFACES
from landscapes.optimizers import hparams_text

NAME = "list"


def add_parser(sub) -> None:
    p = sub.add_parser(NAME, help="list surfaces, optimizers and suites")
    p.add_argument("--json", action="store_true", help="print the registries as JSON")
    p.set_defaults(run=run)


def catalogue() -> dict:
    """The registries as plain data."""
    return {
        "surfaces": [s.describe() for _, s in SURFACES.items()],
        "optimizers": [o.describe() for _, o in OPTIMIZERS.items()],
        "suites": [s.describe() for _, s in SUITES.items()],
    }


def run(args: argparse.Namespace) -> int:
    data = catalogue()
    if args.json:
        print(json.dumps(data, indent=1, ensure_ascii=False))
        return 0
    print("Surfaces:")
    for s in data["surfaces"]:
        alias = f" (also: {', '.join(s['aliases'])})" if s["aliases"] else ""
        print(f"  {s['name']:<18} {s['description']}{alias}")
    print(f"  {'(a formula)':<18} any formula in x and y, e.g. 'x**2 + 3*sin(y)'")
    print("\nOptimizers (defaults):")
    for o in data["optimizers"]:
        defaults = hparams_text(o["name"], o["defaults"])
        print(f"  {o['name']:<18} {o['description']}\n  {'':<18} [{defaults}]")
    print("\nSuites:")
    for s in data["suites"]:
        print(f"  {s['name']:<18} {s['description']}")
    return 0
