"""Learning-rate sweeps: N learning rates of one optimizer from one start, run as ONE batch.

Every update rule is elementwise, so a hyperparameter may be an array that broadcasts against the
points: an lr of shape (N, 1) against N copies of the start, shape (N, 2), runs N learning rates in
one vectorised loop. :func:`batched_optimizer` is the one documented internal path that builds such
an optimizer (through the registered factory, each value checked with ``check_hparam``); row i of
the batch equals the single run at ``values[i]`` to the last bit (tests check it for every
registered optimizer, so a new optimizer must keep its update elementwise in its hyperparameters).
``sweeps`` runs several optimizers' sweeps over one grid in lockstep (one gradient call per step).

The objective (what "best" means when tuning) is the **mean loss over the last 10 % of the steps**
(at least one step), so a run that oscillates around a minimum scores worse than one that settles
there. A run that diverges scores +inf and is marked.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InvalidValueError
from .optimizers import Optimizer, check_hparam, check_hparam_names, make_optimizer
from .runs import Trajectory, run_many
from .surfaces import Surface, get_surface

#: The default grid: 41 log-spaced learning rates from 1e-4 to 10 (eight per decade).
DEFAULT_LR_GRID: tuple[float, float, int] = (1e-4, 10.0, 41)
#: Highest learning rate of a grid (past it every surface diverges at once; it also keeps the
#: plot's log axis far from float overflow).
MAX_SWEEP_LR = 1e6
#: Most learning rates in one sweep (keeps a request from allocating without bound).
MAX_SWEEP = 1000
#: Bytes of recorded paths (x, y, loss per step and lr) a sweep holds at once. Past it the grid
#: runs in chunks of learning rates and only what the outputs need is kept (objective,
#: divergence, start): 1000 lrs x 100,000 steps would otherwise hold 2.4 GB per optimizer.
SWEEP_MEMORY = 256 * 2**20
#: The objective averages the loss over this fraction of the last steps.
TAIL_FRACTION_TEXT = "mean loss over the last 10% of steps (at least 1); diverged runs score +inf"


def lr_grid(low: float, high: float, n: int) -> np.ndarray:
    """``n`` log-spaced values from ``low`` to ``high`` (both ends exact), checked."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 2 <= n <= MAX_SWEEP:
        raise InvalidValueError(
            f"lr grid size N={n!r} must be a whole number from 2 to {MAX_SWEEP}"
        )
    low, high = check_hparam("lr", low), check_hparam("lr", high)
    if not low < high:
        raise InvalidValueError(f"lr grid LOW={low:g} must be below HIGH={high:g}")
    if high > MAX_SWEEP_LR:
        raise InvalidValueError(f"lr grid HIGH={high:g} is above the limit {MAX_SWEEP_LR:g}")
    return np.geomspace(low, high, int(n))


def parse_lr_grid(text: str) -> np.ndarray:
    """``"LOW:HIGH:N"`` (e.g. ``1e-4:10:41``) as a log-spaced grid, else a one-line error."""
    parts = text.split(":") if isinstance(text, str) else []
    if len(parts) != 3:
        raise InvalidValueError(f"lr grid {text!r} must be LOW:HIGH:N, e.g. 1e-4:10:41")
    try:
        low, high = float(parts[0]), float(parts[1])
    except ValueError:
        raise InvalidValueError(f"lr grid {text!r}: LOW and HIGH must be numbers") from None
    try:
        n = int(parts[2])
    except ValueError:
        raise InvalidValueError(f"lr grid {text!r}: N must be a whole number") from None
    try:
        return lr_grid(low, high, n)
    except InvalidValueError as exc:
        detail = str(exc).removeprefix("lr grid ")
        raise InvalidValueError(f"lr grid {text!r}: {detail}") from None


def batched_optimizer(name: str, values: Any, key: str = "lr", **hparams: Any) -> Optimizer:
    """Optimizer ``name`` whose ``key`` is the column ``values[:, None]``: one value per batch row.

    The other hyperparameters are bound and checked as by ``make_optimizer``; every value is
    checked with ``check_hparam``. The returned ``hparams`` leave ``key`` out (it is not one
    number); the caller keeps ``values``. Run it from N starts, one per value.
    """
    info = check_hparam_names(name, [key])
    base = make_optimizer(info.name, **hparams)
    column = np.array([check_hparam(key, v) for v in np.ravel(values).tolist()], dtype=float)[
        :, None
    ]
    if column.size == 0:
        raise InvalidValueError(f"no values of {key} to sweep")
    init, update, *_ = info.factory(**{**base.hparams, key: column})
    rest = {k: v for k, v in base.hparams.items() if k != key}
    return Optimizer(info.name, rest, init, update)


def tail_length(steps: int) -> int:
    """How many final steps the objective averages: ceil(steps / 10), at least 1."""
    return max(1, -(-int(steps) // 10))


def objective(traj: Trajectory) -> np.ndarray:
    """Per run of a batch: mean loss over the last 10 % of steps; +inf where the run diverged."""
    tail = traj.loss[traj.steps + 1 - tail_length(traj.steps) :]
    with np.errstate(all="ignore"):
        value = tail.mean(axis=0)
    return np.where(traj.diverged_step >= 0, np.inf, value)


@dataclass(frozen=True)
class Sweep:
    """A learning-rate sweep of one optimizer: the grid, the objective and what the outputs need.

    ``trajectory`` (the whole batch, one row per lr) is kept only while it fits
    :data:`SWEEP_MEMORY`; ``None`` for bigger sweeps, which run in chunks.
    """

    label: str
    optimizer: str
    hparams: dict[str, float]  # every hyperparameter but lr
    lrs: np.ndarray  # (N,)
    objective: np.ndarray  # (N,), +inf where diverged
    trajectory: Trajectory | None  # the batch, one row per lr, when it fits SWEEP_MEMORY
    surface: Surface | None = None  # the surface itself (a formula surface has no registered name)
    steps: int = 0
    start: tuple[float, float] = (0.0, 0.0)
    start_loss: float = math.nan
    diverged_step: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=int))
    surface_name: str = ""

    @property
    def diverged(self) -> np.ndarray:
        return self.diverged_step >= 0

    @property
    def best_index(self) -> int | None:
        """Index of the lowest objective (the smallest such lr on ties); None if all diverged."""
        ok = np.isfinite(self.objective)
        return int(np.argmin(np.where(ok, self.objective, np.inf))) if ok.any() else None

    @property
    def best_lr(self) -> float | None:
        i = self.best_index
        return None if i is None else float(self.lrs[i])

    def to_dict(self) -> dict[str, Any]:
        """Plain data for JSON: the grid, the objective, what diverged and the chosen lr."""
        return {
            "label": self.label,
            "optimizer": self.optimizer,
            "hparams": dict(self.hparams),
            "steps": self.steps,
            "start": list(self.start),
            "objective": TAIL_FRACTION_TEXT,
            "lr": self.lrs.tolist(),
            "value": [float(v) if np.isfinite(v) else None for v in self.objective],
            "diverged_step": [int(k) if k >= 0 else None for k in self.diverged_step],
            "chosen_lr": self.best_lr,
        }


def sweep(
    surface: Surface | str,
    optimizer: Optimizer | str,
    lrs: Any = None,
    start: Any = None,
    steps: int = 125,
    *,
    label: str | None = None,
    noise: float = 0.0,
    seed: int | None = None,
) -> Sweep:
    """Run ``optimizer`` (its other hyperparameters kept) at every lr of ``lrs`` in one batch.

    ``lrs`` defaults to :data:`DEFAULT_LR_GRID`; ``optimizer`` may be a name or an Optimizer.
    With ``noise`` the batch draws its own noise, so rows differ from single noisy runs.
    """
    return sweeps(surface, [optimizer], lrs, start, steps, labels=[label], noise=noise, seed=seed)[
        0
    ]


def sweeps(
    surface: Surface | str,
    optimizers: Sequence[Optimizer | str],
    lrs: Any = None,
    start: Any = None,
    steps: int = 125,
    *,
    labels: Sequence[str | None] | None = None,
    noise: float = 0.0,
    seed: int | None = None,
) -> list[Sweep]:
    """``sweep`` of each optimizer over the same grid, all of them in lockstep (``run_many``: one
    gradient call per step for every optimizer's learning rates): the same sweeps, fewer calls."""
    surface = get_surface(surface)
    opts = [make_optimizer(o) if isinstance(o, str) else o for o in optimizers]
    labels = [None] * len(opts) if labels is None else list(labels)
    labels = [label or opt.name for label, opt in zip(labels, opts, strict=True)]
    grid = lr_grid(*DEFAULT_LR_GRID) if lrs is None else np.asarray(lrs, dtype=float).ravel()
    rests = [{k: v for k, v in opt.hparams.items() if k != "lr"} for opt in opts]

    def batches(part: np.ndarray) -> list[Optimizer]:
        return [batched_optimizer(o.name, part, **h) for o, h in zip(opts, rests, strict=True)]

    whole_batches = batches(grid)  # every lr checked before any run
    xy = np.array(surface.start if start is None else start, dtype=float)
    if xy.shape != (2,):
        raise InvalidValueError(f"a sweep starts from one point (x, y), not shape {xy.shape}")
    chunk = max(1, SWEEP_MEMORY // (3 * 8 * (int(steps) + 1) * max(1, len(opts))))
    parts: list[list[tuple]] = [[] for _ in opts]  # per optimizer: (objective, diverged) per chunk
    kept: list[Trajectory | None] = [None] * len(opts)
    firsts: list[tuple[float, str]] = [(math.nan, "")] * len(opts)  # start loss, surface name
    for lo in range(0, grid.size, chunk):  # one batch when it fits, else chunks of lrs
        part = grid[lo : lo + chunk]
        whole = part.size == grid.size
        starts = np.broadcast_to(xy, (part.size, 2)).copy()
        trajs = run_many(
            surface, whole_batches if whole else batches(part), starts, steps, labels=labels,
            noise=noise, seed=seed, companions=False,
        )  # fmt: skip
        for i, traj in enumerate(trajs):
            parts[i].append((objective(traj), np.asarray(traj.diverged_step)))
            if lo == 0:
                firsts[i] = (float(traj.loss[0, 0]), traj.surface)
            kept[i] = traj if whole else None
        del trajs  # this chunk's paths go before the next chunk runs
    return [
        Sweep(
            label,
            opt.name,
            rest,
            grid,
            np.concatenate([values for values, _ in chunks]),
            traj,
            surface,
            steps=int(steps),
            start=(float(xy[0]), float(xy[1])),
            start_loss=start_loss,
            diverged_step=np.concatenate([diverged for _, diverged in chunks]),
            surface_name=name,
        )
        for label, opt, rest, chunks, traj, (start_loss, name) in zip(
            labels, opts, rests, parts, kept, firsts, strict=True
        )
    ]


def tune(
    surface: Surface | str,
    optimizer: Optimizer,
    lrs: Any = None,
    start: Any = None,
    steps: int = 125,
    **kwargs: Any,
) -> tuple[Optimizer, Sweep]:
    """The optimizer at the lr of ``lrs`` with the best objective, and the sweep that chose it."""
    result = sweep(surface, optimizer, lrs, start, steps, **kwargs)
    best = result.best_lr
    if best is None:
        raise InvalidValueError(
            f"cannot tune {optimizer.name}: every lr from {result.lrs[0]:g} to "
            f"{result.lrs[-1]:g} diverged; choose another grid with --lr"
        )
    return make_optimizer(optimizer.name, **{**result.hparams, "lr": best}), result


def format_lr(lr: float) -> str:
    """A learning rate for legends: three significant digits."""
    return f"{lr:.3g}" if math.isfinite(lr) else str(lr)
