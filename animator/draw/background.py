"""The static part of every map: filled contours, contour lines, minima and start markers.

Shared by the trajectory figures, the animations and the many-runs maps, so every picture of a
surface looks the same.
"""

from __future__ import annotations

import matplotlib
import numpy as np
from matplotlib import patheffects
from matplotlib.axes import Axes
from matplotlib.colors import BoundaryNorm

from landscapes import Surface

from .colors import RUN_COLORS  # noqa: F401  (re-exported: the plots take it from here)

#: Perceptually uniform, readable in grey and by colour-blind readers.
SURFACE_CMAP = "cividis"
MESH_POINTS = 240
MAX_LINE_LEVELS = 20
EXTEND_LIMIT = 1e249  # matplotlib's open contour bands end at ±1e250


def surface_levels(surface: Surface, Z: np.ndarray) -> np.ndarray:
    """The surface's levels that fall in view (at least four), else 16 automatic ones."""
    finite = Z[np.isfinite(Z)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    if surface.levels:
        levels = np.asarray(surface.levels, dtype=float)
        inside = levels[(levels >= lo) & (levels <= hi)]
        if inside.size >= 4:
            below = levels[levels < lo]
            above = levels[levels > hi]
            return np.concatenate([below[-1:], inside, above[:1]])
    if hi <= lo:  # flat over the view (a far-away window on a plateau): one band around it
        lo, hi = lo - 0.5, hi + 0.5
    return np.linspace(lo, hi, 16)


def draw_surface(
    ax: Axes,
    surface: Surface,
    window: tuple[float, float, float, float] | None = None,
    *,
    filled: bool = True,
    labels: bool = True,
    n: int = MESH_POINTS,
    scale: float = 1.0,
):
    """Draw contours of ``surface`` over ``window`` on ``ax``; return the filled contour set.

    ``scale`` multiplies text sizes and line widths, for pictures smaller or larger than 12x8 in.
    """
    window = surface.window if window is None else window
    X, Y, Z = surface.mesh(n, window)
    levels = surface_levels(surface, Z)
    filled_set = None
    if filled:
        # One colour step per band, so log-spaced levels (Rosenbrock, Beale) use the whole map.
        # matplotlib fills beyond the outer levels up to ±1e250: levels past that (exp(1000*x))
        # are drawn without the open-ended bands
        extend = "both" if np.abs(levels).max() < EXTEND_LIMIT else "neither"
        norm = BoundaryNorm(levels, ncolors=matplotlib.colormaps[SURFACE_CMAP].N, extend=extend)
        filled_set = ax.contourf(
            X, Y, Z, levels=levels, cmap=SURFACE_CMAP, norm=norm, alpha=0.85, extend=extend
        )
    # Many levels: lines at every other one (the filled bands still show each level), so the
    # map stays readable where the surface is steep, and GIFs of it stay small.
    line_levels = levels[::2] if len(levels) > MAX_LINE_LEVELS else levels
    lines = ax.contour(X, Y, Z, levels=line_levels, colors="k", linewidths=0.5 * scale, alpha=0.45)
    if labels:
        ax.clabel(
            lines,
            inline=True,
            fontsize=7 * scale,
            fmt="%g",
            colors=_label_colors(line_levels, levels),
        )
    ax.set_xlim(window[0], window[1])
    ax.set_ylim(window[2], window[3])
    ax.set_aspect("equal")
    ax.set_xlabel(surface.axis_labels[0])
    ax.set_ylabel(surface.axis_labels[1])
    return filled_set


def _label_colors(line_levels: np.ndarray, levels: np.ndarray) -> list[str]:
    """Light contour labels on the dark bands, dark ones on the light bands (readable on both)."""
    cmap = matplotlib.colormaps[SURFACE_CMAP]
    # BoundaryNorm gives every band one colour step, so a level's colour follows its index
    position = {float(v): i / max(len(levels) - 1, 1) for i, v in enumerate(levels)}
    out = []
    for v in line_levels:
        r, g, b, _ = cmap(position[float(v)])
        out.append("white" if 0.2126 * r + 0.7152 * g + 0.0722 * b < 0.4 else "black")
    return out


def mark_minima(
    ax: Axes, surface: Surface, *, with_labels: bool = True, scale: float = 1.0
) -> list:
    """Global minima as white stars, local ones as hollow white rings with a dark outline."""
    markers = []
    for i, kind in enumerate(("global", "local")):
        pts = np.array([m.xy for m in surface.minima if m.kind == kind]).reshape(-1, 2)
        if not len(pts):
            continue
        style = (
            dict(marker="*", s=180 * scale**2, facecolor="white", edgecolor="black", linewidth=0.8)
            if kind == "global"
            else dict(
                marker="o",
                s=60 * scale**2,
                facecolor="none",
                edgecolor="white",
                linewidth=1.5 * scale,
                # a dark outline keeps the white ring visible on the light parts of the map
                path_effects=[patheffects.withStroke(linewidth=2.6 * scale, foreground="0.15")],
            )
        )
        label = f"{kind} minimum" if with_labels else None
        markers.append(ax.scatter(pts[:, 0], pts[:, 1], zorder=4 + i, label=label, **style))
    return markers


def mark_start(ax: Axes, xy, *, with_label: bool = True, scale: float = 1.0) -> None:
    """The start point as a white disc with a black edge."""
    ax.scatter(
        [xy[0]],
        [xy[1]],
        marker="o",
        s=70 * scale**2,
        facecolor="white",
        edgecolor="black",
        zorder=6,
        label="start" if with_label else None,
    )
