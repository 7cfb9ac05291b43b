"""``animator list``: every surface, optimizer and suite with its one-line description."""

from __future__ import annotations

import argparse
import json
import sys

from landscapes import OPTIMIZERS, SUITES, SURFACES
from landscapes.optimizers import hparams_text

from ..console import stdout_error

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
        return _status()
    print("Surfaces:")
    for s in data["surfaces"]:
        alias = f" (also: {', '.join(s['aliases'])})" if s["aliases"] else ""
        print(f"  {s['name']:<18} {s['description']}{alias}")
    print(f"  {'(a formula)':<18} any formula in x and y, e.g. 'x**2 + 3*sin(y)'")
    print("\nOptimizers (defaults):")
    for o in data["optimizers"]:
        defaults = hparams_text(o["name"], o["defaults"])
        print(f"  {o['name']:<18} {o['description']}\n  {'':<18} [{defaults}]")
    print(
        f"  {'optax:NAME[:k=v]':<18} any optax optimizer by its optax name and keywords, e.g. "
        f"optax:lion:learning_rate=0.01\n  {'':<18} (pip install 'landscape-animator[optax]')"
    )
    print("\nSuites:")
    for s in data["suites"]:
        print(f"  {s['name']:<18} {s['description']}")
    return _status()


def _status() -> int:
    """stdout is this command's product: a full device fails it, a reader that left does not."""
    sys.stdout.flush()
    error = stdout_error()
    return 1 if error is not None and not isinstance(error, BrokenPipeError) else 0
