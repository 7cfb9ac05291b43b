"""Basin-of-attraction maps: each start coloured by the minimum it reaches, shaded by speed.

One colour per listed minimum (Paul Tol's colour-blind-safe "muted" palette), pale grey for
"elsewhere", near-black for "diverged". Within a basin the colour is full where the run got within
tolerance quickly and fades towards white the longer it took; starts that end in a basin but never
settle within tolerance (still oscillating) are palest and dotted. The surface's contour lines and
its minima (lettered A, B, ... to match the legend) are drawn on top with the shared background.
Several maps become small multiples sharing one legend. Callable from Python (the gallery uses it).
"""

from __future__ import annotations

import math
import string
from collections.abc import Sequence

import numpy as np
from matplotlib.axes import Axes
from matplotlib.cm import ScalarMappable
from matplotlib.colors import LinearSegmentedColormap, Normalize, to_rgb
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from landscapes.basins import DIVERGED, ELSEWHERE, UNSETTLED, BasinMap
from landscapes.optimizers import hparams_text

from ..draw.background import draw_surface, mark_minima

#: Paul Tol's "muted" qualitative palette: nine colours distinguishable by colour-blind readers.
MINIMUM_COLORS = (
    "#332288",  # indigo
    "#DDCC77",  # sand
    "#117733",  # green
    "#CC6677",  # rose
    "#88CCEE",  # cyan
    "#882255",  # wine
    "#44AA99",  # teal
    "#999933",  # olive
    "#AA4499",  # purple
)
ELSEWHERE_COLOR = "#DDDDDD"
DIVERGED_COLOR = "#1A1A1A"
#: How far the slowest runs fade towards white (0 = no shading, 1 = white).
MAX_FADE = 0.65


def minimum_letter(i: int) -> str:
    return string.ascii_uppercase[i] if i < 26 else f"M{i + 1}"


def minimum_color(i: int) -> str:
    return MINIMUM_COLORS[i % len(MINIMUM_COLORS)]


def basin_rgb(m: BasinMap) -> np.ndarray:
    """(n, n, 3) colours of a map: basin colour faded towards white by steps to converge."""
    rgb = np.empty((*m.basin.shape, 3))
    rgb[m.basin == ELSEWHERE] = to_rgb(ELSEWHERE_COLOR)
    rgb[m.basin == DIVERGED] = to_rgb(DIVERGED_COLOR)
    slowness = np.where(m.steps_to == UNSETTLED, 1.0, m.steps_to / max(m.steps, 1))
    fade = MAX_FADE * np.clip(slowness, 0, 1)[..., None]
    for i in range(len(m.minima)):
        cell = m.basin == i
        base = np.asarray(to_rgb(minimum_color(i)))
        rgb[cell] = (base * (1 - fade) + fade)[cell]
    return rgb


def draw_basins(ax: Axes, m: BasinMap, *, title: str | None = None) -> None:
    """One basin map on ``ax``: the coloured grid, contour lines on top, lettered minima."""
    surface = m.surface
    x0, x1, y0, y1 = m.window
    ax.imshow(
        basin_rgb(m),
        origin="lower",
        extent=(x0, x1, y0, y1),
        interpolation="nearest",
        zorder=0,
    )
    unsettled = (m.basin >= 0) & (m.steps_to == UNSETTLED)
    if unsettled.any():
        ax.contourf(
            m.xs, m.ys, unsettled.astype(float), levels=[0.5, 1.5], colors="none", hatches=[".."]
        )
    draw_surface(ax, surface, m.window, filled=False, labels=False)
    mark_minima(ax, surface, with_labels=False)
    for i, mini in enumerate(m.minima):
        if x0 <= mini.xy[0] <= x1 and y0 <= mini.xy[1] <= y1:
            ax.annotate(
                minimum_letter(i),
                mini.xy,
                xytext=(6, 5),
                textcoords="offset points",
                fontsize=10,
                fontweight="bold",
                color="black",
                bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="none", alpha=0.8),
                zorder=7,
            )
    share = m.fractions()
    best = share.get(0, 0.0) if m.minima and m.minima[0].kind == "global" else None
    subtitle = f"{100 * best:.0f}% reach A" if best is not None else ""
    diverged = share[DIVERGED]
    if diverged:
        subtitle += f", {100 * diverged:.0f}% diverge"
    hparams = hparams_text(m.optimizer, m.hparams, "lr+changed")
    ax.set_title(f"{title or m.label}  [{hparams}]\n{subtitle}".rstrip(), fontsize=10)


def legend_handles(m: BasinMap) -> list[Patch]:
    """One patch per minimum (letter, where, global/local, value), then elsewhere and diverged."""
    handles = [
        Patch(
            color=minimum_color(i),
            label=f"{minimum_letter(i)}: {mini.kind} min ({_coord(mini.xy[0])}, "
            f"{_coord(mini.xy[1])}), f = {mini.value:.3g}",
        )
        for i, mini in enumerate(m.minima)
    ]
    handles.append(
        Patch(
            facecolor=_faded(minimum_color(0), MAX_FADE),
            hatch="..",
            label=f"reaches it but never settles within {m.tol:g}",
        )
    )
    handles.append(Patch(color=ELSEWHERE_COLOR, label=f"elsewhere (> {m.tol:g} from all)"))
    handles.append(Patch(color=DIVERGED_COLOR, label="diverged"))
    return handles


def _coord(v: float) -> str:
    return f"{round(v, 2) + 0.0:.2f}"  # + 0.0 turns -0.0 into 0.0


def _faded(color: str, fade: float) -> tuple[float, float, float]:
    base = np.asarray(to_rgb(color))
    return tuple(base * (1 - fade) + fade)


def _shade_bar(fig: Figure, m: BasinMap, axes: Sequence[Axes]) -> None:
    """A bar explaining the fading (in minimum A's colour): full colour = fast, pale = slow."""
    cmap = LinearSegmentedColormap.from_list(
        "fade", [_faded(minimum_color(0), 0.0), _faded(minimum_color(0), MAX_FADE)]
    )
    bar = fig.colorbar(
        ScalarMappable(norm=Normalize(0, m.steps), cmap=cmap),
        ax=list(axes),
        orientation="horizontal",
        fraction=0.05,
        aspect=30,
        shrink=0.8,
    )
    bar.set_label(f"steps until it stays within {m.tol:g} of its minimum (paler = slower)")


def basin_figure(
    maps: Sequence[BasinMap],
    *,
    titles: Sequence[str] | None = None,
    size: tuple[int, int] | None = None,
    dpi: int = 100,
) -> Figure:
    """Small multiples of ``maps`` (same surface and window) with one shared legend."""
    if not maps:
        raise ValueError("basin_figure needs at least one map")
    k = len(maps)
    cols = 2 if k == 4 else min(k, 3)
    rows = math.ceil(k / cols)
    if size is None:
        spare = rows * cols > k  # the legend goes into the empty slot
        size = (380 * cols + (0 if spare else 360), 450 * rows + 150)
    fig = Figure(figsize=(size[0] / dpi, size[1] / dpi), dpi=dpi, layout="constrained")
    axes = fig.subplots(rows, cols, squeeze=False, sharex=True, sharey=True).ravel()
    for i, (ax, m) in enumerate(zip(axes, maps, strict=False)):
        draw_basins(ax, m, title=titles[i] if titles else None)
        if i % cols:
            ax.set_ylabel("")
        if i + cols < k:  # a map below carries the x axis
            ax.set_xlabel("")
    first = maps[0]
    legend = dict(
        handles=legend_handles(first),
        title=f"basin of start (after {first.steps} steps)",
        fontsize=8,
        title_fontsize=9,
        frameon=False,
    )
    for ax in axes[k:]:
        ax.set_axis_off()
    if k < len(axes):  # an empty slot of the grid holds the legend
        axes[k].legend(loc="center", **legend).set_in_layout(False)
    else:
        fig.legend(loc="outside right center", **legend)
    _shade_bar(fig, first, axes[:k])
    fig.suptitle(
        f"Where each start ends: {first.surface.name}, {first.n}×{first.n} starts", fontsize=12
    )
    return fig
