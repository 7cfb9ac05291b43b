"""``render --tune``: sweep each run's learning rate first and render it at the best one.

Fair comparisons: every optimizer gets the lr of the same grid that minimises the same objective
(``landscapes.sweep``: mean loss over the last 10 % of steps, diverged runs excluded; ties go to
the smallest lr), from the same start with the same steps. Deterministic: the same command gives
the same choice. The label shows the chosen lr and the JSON export records the sweep.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from landscapes import InvalidValueError, Optimizer, Surface
from landscapes.sweep import (
    DEFAULT_LR_GRID,
    MAX_SWEEP,
    MAX_SWEEP_LR,
    format_lr,
    parse_lr_grid,
    tune,
)

DEFAULT_LR_TEXT = "{:g}:{:g}:{}".format(*DEFAULT_LR_GRID)


def add_lr_option(p: argparse.ArgumentParser, *, what: str = "") -> None:
    """``--lr LOW:HIGH:N``: the log-spaced grid of learning rates."""
    p.add_argument(
        "--lr",
        default=DEFAULT_LR_TEXT,
        metavar="LOW:HIGH:N",
        help=f"N log-spaced learning rates{what} (default {DEFAULT_LR_TEXT}; "
        f"N <= {MAX_SWEEP}, HIGH <= {MAX_SWEEP_LR:g})",
    )


def add_tune_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--tune",
        action="store_true",
        help="sweep each run's lr over --lr first and render it at the best one "
        "(objective: mean loss over the last 10%% of steps)",
    )
    add_lr_option(p, what=" for --tune")


def check_tune_options(args: argparse.Namespace) -> None:
    """Fail on a malformed --lr before any work, and on an --lr that would be ignored."""
    parse_lr_grid(args.lr)
    if not getattr(args, "tune", False) and args.lr != DEFAULT_LR_TEXT:
        raise InvalidValueError(f"--lr {args.lr} is only used with --tune; add --tune or drop --lr")


def tune_runs(
    surface: Surface, pairs: list[tuple[str, Optimizer]], args: argparse.Namespace, start: Any
) -> dict[int, tuple[str, Optimizer, dict]]:
    """Per run index: (label with the chosen lr, the tuned optimizer, the sweep record)."""
    lrs = parse_lr_grid(args.lr)
    out = {}
    for i, (label, opt) in enumerate(pairs):
        best, result = tune(
            surface, opt, lrs, start, args.steps, label=label, noise=args.noise, seed=args.seed
        )
        k = result.best_index
        if k in (0, lrs.size - 1):
            print(
                f"note: {label}: the best lr {best.hparams['lr']:g} is at the edge of the grid "
                f"{args.lr}; a wider --lr may find a better one",
                file=sys.stderr,
            )
        record = result.to_dict()
        del record["label"]
        out[i] = (f"{label}, tuned lr={format_lr(best.hparams['lr'])}", best, record)
    return out
