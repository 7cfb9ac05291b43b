"""Basins of attraction: where an optimizer ends from every cell of an N x N grid of starts.

All N² starts run as ONE batch through :func:`landscapes.runs.run` (every optimizer works on
(N, 2) batches), so a 200 x 200 map is one vectorised loop, not 40,000 runs.

Where a run *ends* is the mean of its points over the last 10 % of the steps (the same tail as the
sweep objective), so a run that keeps oscillating around a minimum (RMSProp at a constant lr does)
still counts as ending there. Each start is classified by that end point: the index of the listed
minimum (``surface.minima``) it lies within ``tol`` of (the nearest, if several), :data:`ELSEWHERE`
if near none of them, or :data:`DIVERGED`. For starts that end in a minimum, ``steps_to`` is the
first step from which the run stays within ``tol`` of that minimum to the end (0 if it starts
there), or :data:`UNSETTLED` (-1) if it is still moving in and out of ``tol`` at the last step.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InvalidValueError
from .optimizers import Optimizer
from .runs import check_steps, run_many
from .surfaces import Minimum, Surface, get_surface
from .sweep import tail_length

#: Codes in ``BasinMap.basin`` besides the minimum indices 0, 1, ...
ELSEWHERE, DIVERGED = -1, -2
#: ``steps_to`` of a run that ends in a basin but never stays within tol (or that ends nowhere).
UNSETTLED = -1
DEFAULT_GRID = 200
MAX_GRID = 1000
#: Most recorded points (starts x (steps + 1)) in one map: about 0.5 GB of path and loss.
MAX_BASIN_POINTS = 20_000_000
#: Bytes of recorded paths a map holds at once: past it the starts run in chunks (each start's
#: run is independent, so the map is the same to the last bit) and only the per-start results
#: are kept, so a 1000 x 1000 grid peaks near this, not at the 0.5 GB its whole batch records.
BASIN_MEMORY = 128 * 2**20
#: Default tolerance: 2 % of the window's larger side (0.12 on the article's 6 x 6 window).
TOL_FRACTION = 0.02


def default_tol(window: tuple[float, float, float, float]) -> float:
    x0, x1, y0, y1 = window
    return TOL_FRACTION * max(x1 - x0, y1 - y0)


def check_grid(n: Any, steps: int) -> int:
    """``n`` as a grid side in 1..MAX_GRID whose run fits in MAX_BASIN_POINTS, else raise."""
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_GRID:
        raise InvalidValueError(f"grid={n!r} must be a whole number from 1 to {MAX_GRID}")
    points = int(n) ** 2 * (steps + 1)
    if points > MAX_BASIN_POINTS:
        raise InvalidValueError(
            f"grid={n} with steps={steps} records {points:,} points; the limit is "
            f"{MAX_BASIN_POINTS:,}: use a smaller --grid or fewer --steps"
        )
    return int(n)


def grid_starts(window: tuple[float, float, float, float], n: int) -> tuple[np.ndarray, ...]:
    """Cell centres ``xs``, ``ys`` (n,) and the starts (n*n, 2), row i = ys[i], column j = xs[j]."""
    x0, x1, y0, y1 = window
    xs = x0 + (np.arange(n) + 0.5) * (x1 - x0) / n
    ys = y0 + (np.arange(n) + 0.5) * (y1 - y0) / n
    X, Y = np.meshgrid(xs, ys)
    return xs, ys, np.stack([X.ravel(), Y.ravel()], axis=-1)


@dataclass(frozen=True)
class BasinMap:
    """Per grid cell (row = y, column = x): basin code, steps to converge, end point."""

    surface: Surface  # the surface itself (a formula surface has no registered name)
    label: str
    optimizer: str
    hparams: dict[str, float]
    window: tuple[float, float, float, float]
    steps: int
    tol: float
    minima: tuple[Minimum, ...]
    xs: np.ndarray  # (n,)
    ys: np.ndarray  # (n,)
    basin: np.ndarray  # (n, n) int: minimum index, ELSEWHERE or DIVERGED
    steps_to: np.ndarray  # (n, n) int: steps to stay within tol of its minimum, else UNSETTLED
    final: np.ndarray  # (n, n, 2): end point (mean of the last 10 % of steps), NaN if diverged
    diverged_step: np.ndarray  # (n, n) int, -1 if the run did not diverge

    @property
    def n(self) -> int:
        return self.xs.size

    def fractions(self) -> dict[int, float]:
        """Share of starts per code (each minimum index, ELSEWHERE, DIVERGED)."""
        codes = [*range(len(self.minima)), ELSEWHERE, DIVERGED]
        return {c: float(np.mean(self.basin == c)) for c in codes}


def classify(final: np.ndarray, minima: tuple[Minimum, ...], tol: float) -> np.ndarray:
    """Basin code of each end point (..., 2): nearest listed minimum within ``tol``."""
    code = np.full(final.shape[:-1], ELSEWHERE, dtype=int)
    if minima:
        centres = np.array([m.xy for m in minima], dtype=float)
        with np.errstate(invalid="ignore"):
            dist = np.linalg.norm(final[..., None, :] - centres, axis=-1)
            nearest = np.argmin(np.where(np.isnan(dist), np.inf, dist), axis=-1)
            close = np.take_along_axis(dist, nearest[..., None], -1)[..., 0] <= tol
        code = np.where(close, nearest, ELSEWHERE)
    return np.where(np.isnan(final).any(-1), DIVERGED, code)


def end_points(path: np.ndarray) -> np.ndarray:
    """Where runs end: the mean of ``path`` (K+1, ..., 2) over the last 10 % of steps (NaN if any
    of them is NaN, i.e. the run diverged)."""
    steps = path.shape[0] - 1
    return path[steps + 1 - tail_length(steps) :].mean(axis=0)


def steps_to_converge(path: np.ndarray, code: np.ndarray, minima, tol: float) -> np.ndarray:
    """First step from which each run of ``path`` (K+1, N, 2) stays within ``tol`` of its basin.

    UNSETTLED where the run is outside ``tol`` at the last step or ends in no basin. One pass over
    the steps on (N,) arrays: no (K+1, N) temporaries.
    """
    if not minima:
        return np.full(code.shape, UNSETTLED, dtype=int)
    centres = np.array([m.xy for m in minima], dtype=float)[np.maximum(code, 0)]
    cx, cy = centres[:, 0], centres[:, 1]
    tol2 = tol * tol
    last_out = np.full(code.shape, -1, dtype=int)
    with np.errstate(invalid="ignore"):
        for k, p in enumerate(path):
            outside = (p[:, 0] - cx) ** 2 + (p[:, 1] - cy) ** 2 > tol2
            last_out[outside] = k
    settled = (code >= 0) & (last_out < len(path) - 1)
    return np.where(settled, last_out + 1, UNSETTLED)


def basin_map(
    surface: Surface | str,
    optimizer: Optimizer,
    grid: int = DEFAULT_GRID,
    steps: int = 125,
    *,
    tol: float | None = None,
    window: tuple[float, float, float, float] | None = None,
    label: str | None = None,
) -> BasinMap:
    """Run ``optimizer`` from every cell of a ``grid`` x ``grid`` grid over ``window`` at once."""
    labels = None if label is None else [label]
    return basin_maps(surface, [optimizer], grid, steps, tol=tol, window=window, labels=labels)[0]


def basin_maps(
    surface: Surface | str,
    optimizers: list[Optimizer],
    grid: int = DEFAULT_GRID,
    steps: int = 125,
    *,
    tol: float | None = None,
    window: tuple[float, float, float, float] | None = None,
    labels: list[str] | None = None,
) -> list[BasinMap]:
    """``basin_map`` of each optimizer, all of them in lockstep: one gradient call per step for
    every optimizer's starts (the same maps as one at a time, bit for bit)."""
    surface = get_surface(surface)
    steps = check_steps(steps)
    n = check_grid(grid, steps)
    window = surface.window if window is None else tuple(float(v) for v in window)
    tol = default_tol(window) if tol is None else float(tol)
    if not (np.isfinite(tol) and tol > 0):
        raise InvalidValueError(f"tol={tol!r} must be a finite number > 0")
    x0, x1, y0, y1 = window
    if not (all(np.isfinite(window)) and x0 < x1 and y0 < y1):
        raise InvalidValueError(f"window {window} must be finite with x0 < x1 and y0 < y1")
    xs, ys, starts = grid_starts(window, n)
    chunk = max(1, BASIN_MEMORY // (3 * 8 * (steps + 1) * max(1, len(optimizers))))
    parts: list[list[tuple]] = [[] for _ in optimizers]
    names = list(labels) if labels is not None else None
    for lo in range(0, len(starts), chunk):
        trajs = run_many(
            surface, optimizers, starts[lo : lo + chunk], steps, labels=names, companions=False
        )
        for part, traj in zip(parts, trajs, strict=True):
            final = end_points(traj.xy)
            code = classify(final, surface.minima, tol)
            settle = steps_to_converge(traj.xy, code, surface.minima, tol)
            part.append((final, code, settle, np.asarray(traj.diverged_step).reshape(-1)))
        names = [t.label for t in trajs]
        del trajs, traj  # this chunk's paths go before the next one runs
    maps = []
    for optimizer, label, part in zip(optimizers, names or [], parts, strict=True):
        final, code, steps_to, diverged = (np.concatenate(a) for a in zip(*part, strict=True))
        maps.append(
            BasinMap(
                surface=surface,
                label=label,
                optimizer=optimizer.name,
                hparams=dict(optimizer.hparams),
                window=window,
                steps=steps,
                tol=tol,
                minima=surface.minima,
                xs=xs,
                ys=ys,
                basin=code.reshape(n, n),
                steps_to=steps_to.reshape(n, n),
                final=final.reshape(n, n, 2),
                diverged_step=diverged.reshape(n, n),
            )
        )
    return maps
