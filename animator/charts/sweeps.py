"""Learning-rate sweep plots: the objective against lr (log axis), one line per optimizer.

The objective is the mean loss over the last 10 % of steps (see ``landscapes.sweep``). Runs that
diverged are drawn as crosses on a band above the plot ("diverged"), the best lr of each optimizer
as a large circle (its value in the legend), and the surface's minima values as dotted reference
lines, so the width of each optimizer's good range can be read off directly. Callable from
Python (the gallery uses it).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.transforms import blended_transform_factory

from landscapes import get_surface
from landscapes.sweep import Sweep, format_lr, tail_length

from ..draw.background import RUN_COLORS
from ..draw.ticks import all_minor_marks
from ..scene import SWEEP_SIZE

#: Where (in axes fraction) the "diverged" band sits, above the plotting area.
DIVERGED_BAND = 1.03


def sweep_color(i: int) -> str:
    return RUN_COLORS[i % len(RUN_COLORS)]


def _y_limits(sweeps: Sequence[Sweep], floor: float) -> tuple[float, float]:
    """From just under the lowest minimum to the start's loss (plus a margin): the useful range."""
    values = [float(v) for s in sweeps for v in s.objective if np.isfinite(v)]
    starts = [s.start_loss for s in sweeps]
    starts = [v for v in starts if np.isfinite(v)]  # a start far out may overflow to inf
    lows = [v for v in [floor, *values] if np.isfinite(v)] or starts
    if not lows:
        return 0.0, 1.0  # nothing finite to show: any range will do
    lo = min(lows)
    tops = starts or values
    hi = max(tops) if tops else lo + max(1.0, abs(lo))  # only the minimum known: a unit range
    hi = max(hi, lo + max(1e-9, 1e-9 * abs(lo)))
    pad = 0.06 * (hi - lo)
    limits = (lo - pad, hi + 3 * pad)
    return limits if all(np.isfinite(limits)) else (lo, hi)


def _x_limits(lrs: np.ndarray) -> tuple[float, float]:
    """The lr range widened by a factor 1.3 each side, unless that would leave the floats."""
    lo, hi = float(lrs[0]), float(lrs[-1])
    wide_lo, wide_hi = lo / 1.3, hi * 1.3
    return (wide_lo if wide_lo > 0 else lo), (wide_hi if np.isfinite(wide_hi) else hi)


def draw_sweeps(ax, sweeps: Sequence[Sweep]) -> None:
    """Every sweep of ``sweeps`` (same surface, start and steps) on ``ax``."""
    surface = sweeps[0].surface or get_surface(sweeps[0].surface_name)
    floor = min((m.value for m in surface.minima), default=np.nan)
    lo, hi = _y_limits(sweeps, floor if np.isfinite(floor) else np.inf)
    band = blended_transform_factory(ax.transData, ax.transAxes)
    for i, s in enumerate(sweeps):
        color = sweep_color(i)
        y = np.where(np.isfinite(s.objective), s.objective, np.nan)
        above = y > hi
        k = s.best_index
        best = "all diverged" if k is None else f"best lr {format_lr(s.lrs[k])}"
        ax.plot(
            s.lrs,
            np.where(above, np.nan, y),
            "-o",
            color=color,
            ms=3,
            lw=1.6,
            label=f"{s.label} ({best})",
        )
        if above.any():  # finite but off the chart: a triangle at the top edge
            ax.plot(s.lrs[above], np.full(above.sum(), hi), "^", color=color, ms=6, clip_on=False)
        if s.diverged.any():
            ax.plot(
                s.lrs[s.diverged],
                np.full(s.diverged.sum(), DIVERGED_BAND + 0.02 * i),
                "x",
                color=color,
                ms=6,
                mew=1.6,
                transform=band,
                clip_on=False,
            )
        if k is not None:
            ax.plot(s.lrs[k], y[k], "o", ms=10, mfc=color, mec="black", mew=1.2, zorder=5)
    for m in surface.minima:
        if lo <= m.value <= hi:
            ax.axhline(m.value, color="grey", lw=0.8, ls=":", zorder=0)
            ax.text(
                1.005,
                m.value,
                f"{m.kind} min",
                transform=blended_transform_factory(ax.transAxes, ax.transData),
                fontsize=7,
                color="grey",
                va="center",
            )
    ax.text(
        1.005,
        DIVERGED_BAND,
        "diverged",
        transform=ax.transAxes,
        ha="left",
        va="center",
        fontsize=8,
        color="dimgrey",
    )
    ax.set_xscale("log")
    ax.set_ylim(lo, hi)
    ax.set_xlim(*_x_limits(sweeps[0].lrs))
    ax.set_xlabel("learning rate (log scale)")
    steps = sweeps[0].steps
    ax.set_ylabel(f"mean loss over the last {tail_length(steps)} of {steps} steps")
    ax.grid(True, which="major", alpha=0.3)


def sweep_figure(
    sweeps: Sequence[Sweep], *, size: tuple[int, int] = SWEEP_SIZE, dpi: int = 100
) -> Figure:
    """One figure with every sweep, a legend and a title naming the surface and the start."""
    if not sweeps:
        raise ValueError("sweep_figure needs at least one sweep")
    fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, layout="constrained")
    ax = fig.subplots()
    draw_sweeps(ax, sweeps)
    extra = [
        Line2D([], [], ls="", marker="o", ms=9, mfc="white", mec="black", label="best lr"),
        Line2D([], [], ls="", marker="x", color="black", mew=1.6, label="diverged"),
        Line2D([], [], ls="", marker="^", color="black", label="above the start's loss"),
    ]
    fig.legend(
        handles=[*ax.get_legend_handles_labels()[0], *extra],
        fontsize=8,
        loc="outside right upper",
        frameon=False,
    )
    s0 = sweeps[0]
    x, y = s0.start
    ax.set_title(  # padded above the "diverged" band
        f"Learning-rate sweep on {s0.surface_name} from ({x:g}, {y:g}), "
        f"{s0.lrs.size} rates from {format_lr(s0.lrs[0])} to {format_lr(s0.lrs[-1])}",
        fontsize=11,
        pad=16 + 8 * len(sweeps),
    )
    all_minor_marks(fig)
    return fig
