"""Learning histories: the loss of every run against the step, one panel per group of runs.

The article shows where the optimizers go; a history shows how fast the loss falls, where a run
stalls in a local minimum and where it diverges. The y-axis turns logarithmic when the losses span
more than two decades (and are all positive), so the tail of a converging run stays readable.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from landscapes import Surface, Trajectory
from landscapes.optimizers import hparams_text

from ..draw.background import RUN_COLORS
from ..draw.ticks import all_minor_marks
from ..scene import HISTORY_SIZE

#: Losses spanning more than this ratio (max / min, all positive) get a log y-axis.
LOG_RATIO = 100.0
#: On a log axis, losses below max * LOG_FLOOR are drawn at that floor (exact zeros included).
LOG_FLOOR = 1e-16


def history_name(traj: Trajectory) -> str:
    """``nesterov (lr=0.01, momentum=0.9)``: the optimizer and its hyperparameters (eps only when
    it is not the default), so no two runs of a suite read the same."""
    shown = hparams_text(traj.optimizer, traj.hparams, "legend")
    return f"{traj.optimizer} ({shown})" if shown else traj.optimizer


def _in_reach(value: float, lo: float, hi: float, log: bool) -> bool:
    """Whether ``value`` lies within the data's range grown by a quarter (log space if log)."""
    if log:
        if value <= 0:
            return False
        value, lo, hi = np.log10(value), np.log10(lo), np.log10(hi)
    return lo - 0.25 * (hi - lo) <= value <= hi + 0.25 * (hi - lo)


def use_log_scale(trajectories: Sequence[Trajectory]) -> bool:
    """True when every finite loss is positive and they span more than ``LOG_RATIO``."""
    losses = np.concatenate([t.loss[np.isfinite(t.loss)] for t in trajectories] or [np.array([])])
    if not losses.size or losses.min() <= 0:
        return False
    return bool(losses.max() / losses.min() > LOG_RATIO)


def draw_history(
    ax: Axes,
    trajectories: Sequence[Trajectory],
    *,
    log: bool,
    minimum: float | None = None,
) -> None:
    """One line per run on ``ax``; a cross where a run diverged; a dashed line at ``minimum``."""
    finite = [t.loss[np.isfinite(t.loss)] for t in trajectories]
    values = np.concatenate(finite) if finite else np.array([])
    bottom, top = (float(values.min()), float(values.max())) if values.size else (0.0, 1.0)
    floor = top * LOG_FLOOR
    if log:
        bottom = max(bottom, floor)
    for k, traj in enumerate(trajectories):
        color = RUN_COLORS[k % len(RUN_COLORS)]
        loss = np.where(np.isfinite(traj.loss), traj.loss, np.nan)
        if log:
            loss = np.maximum(loss, floor)
        steps = np.arange(len(loss))
        name = history_name(traj)
        if traj.diverged_at is not None:
            name += f", diverged at step {traj.diverged_at}"
        ax.plot(steps, loss, color=color, linewidth=1.8, label=name, zorder=3 + k)
        if traj.diverged_at is not None:
            finite = np.flatnonzero(np.isfinite(loss))
            if finite.size:
                last = finite[-1]
                ax.plot(
                    [last], [loss[last]], marker="X", markersize=10, color=color,
                    markeredgecolor="black", zorder=20,
                )  # fmt: skip
    if minimum is not None and _in_reach(minimum, bottom, top, log):
        ax.axhline(minimum, color="black", linestyle="--", linewidth=0.9, alpha=0.6, zorder=2)
        ax.annotate(
            "global minimum",
            (1.0, minimum),
            xycoords=("axes fraction", "data"),
            xytext=(-4, 3),
            textcoords="offset points",
            ha="right",
            va="bottom",
            fontsize=8,
            alpha=0.7,
        )
    if log:
        ax.set_yscale("log")
        if any(
            np.nanmin(np.where(np.isfinite(t.loss), t.loss, np.inf)) < floor for t in trajectories
        ):
            ax.axhline(floor, color="black", linestyle=":", linewidth=0.8, alpha=0.6, zorder=2)
            ax.annotate(
                f"losses below {floor:.0e} (zeros included) drawn on this line",
                (0.0, floor),
                xycoords=("axes fraction", "data"),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=7.5,
                alpha=0.7,
            )
    ax.set_xlim(0, max(len(t.loss) for t in trajectories) - 1)
    ax.set_xlabel("step")
    ax.grid(True, which="major", color="#dddddd", linewidth=0.6)
    ax.set_axisbelow(True)


def history_figure(
    surface: Surface,
    groups: Sequence[tuple[str, Sequence[Trajectory]]],
    *,
    size: tuple[int, int] = HISTORY_SIZE,
    dpi: int = 100,
) -> Figure:
    """Loss against step for every run, one panel per ``(title, runs)`` group, shared y-axis."""
    every = [t for _, runs in groups for t in runs]
    log = use_log_scale(every)
    minima = [m.value for m in surface.global_minima]
    minimum = min(minima) if minima else None
    w_in, h_in = size[0] / dpi, size[1] / dpi
    # text shrinks with a smaller picture (designed at 12 x 6.4 in), so the panels keep room
    k = min(1.0, w_in / (HISTORY_SIZE[0] / 100), h_in / (HISTORY_SIZE[1] / 100))
    fig = Figure(figsize=(w_in, h_in), dpi=dpi, layout="constrained")
    axes = fig.subplots(1, len(groups), sharey=True, squeeze=False)[0]
    for ax, (title, runs) in zip(axes, groups, strict=True):
        draw_history(ax, runs, log=log, minimum=minimum)
        ax.set_title(title, loc="left", fontsize=11 * k)
        ax.tick_params(labelsize=10 * k)
        ax.xaxis.label.set_fontsize(10 * k)
        # below the panel, so no legend ever hides a curve
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, fontsize=8 * k, frameon=False
        )
    axes[0].set_ylabel("loss (log scale)" if log else "loss", fontsize=10 * k)
    title = f"{surface.name}: loss against step"
    if minimum is not None:
        title += f"   (global minimum {minimum:.4g})"
    fig.suptitle(title, x=0.01, ha="left", fontsize=14 * k)
    all_minor_marks(fig)
    return fig
