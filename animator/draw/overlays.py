"""Inside the optimizer: its gradient, velocity, step, per-coordinate scale and look-ahead points,
drawn at each run's head in the run's colour, and the gradient field under the paths.

What each method has is read from its recorded state (``Trajectory.state``, declared beside each
optimizer in ``landscapes``): an overlay a method lacks is simply absent for that run. Lengths use
one scale per figure, shared by every run and every frame and stated in a small key: one factor
for the gradient arrows, one for the displacements (step, velocity) and one for the scale
ellipses, each chosen so a typical arrow is a few percent of the view and capped so one huge value
cannot cover the map.

The figure builder makes one :class:`Overlays` (when ``show`` names any) and calls
``Overlays.set_step(k)`` per frame; the overlay artists are moving artists like the lines, with
zorders between the lines and the heads.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from landscapes import InvalidValueError, Surface, Trajectory

if TYPE_CHECKING:  # matplotlib loads only when a picture is drawn (the CLI imports the names)
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D
    from matplotlib.patches import Ellipse, FancyArrowPatch

#: Every overlay, in the order they are stacked (the first lowest).
OVERLAYS: tuple[str, ...] = ("scale", "lookahead", "velocity", "grad", "step")
#: What each overlay shows (for help texts and the key).
OVERLAY_HELP = {
    "grad": "the negative gradient at the head",
    "velocity": "the step the method's momentum contributes next",
    "step": "the step just taken",
    "scale": "the per-coordinate effective learning rate (an ellipse)",
    "lookahead": "where look-ahead methods evaluate the gradient next",
}
#: Zorders: above the lines (7.0 + 0.01 per run), below the minima (7.5) and the heads (8.0).
Z_OVERLAY, Z_KIND, Z_RUN = 7.25, 0.045, 0.001
#: A typical arrow or ellipse is this fraction of the view's shorter side; none is longer than CAP.
TYPICAL, CAP = 0.1, 0.2
#: "Typical" is the median of the lengths in view that exceed STALLED times their 95th
#: percentile: runs that stall add many near-zero lengths that would blow every other arrow up
#: to the cap, and neither the median nor the percentile lets one huge gradient shrink every
#: other arrow (it is capped instead).
STALLED = 0.01
#: Effective learning rates span decades (lr/√v̂ where the gradient is tiny), so ellipses are
#: sized by a low percentile of them (most are larger and capped, keeping their shape) and
#: capped smaller than arrows, at ELLIPSE_CAP of the view's shorter side.
SCALE_PERCENTILE, ELLIPSE_CAP = 25, 0.12
#: Faintness of the overlays, so the paths stay readable.
ALPHA = 0.8


def check_show(show: Iterable[str] | str | None) -> tuple[str, ...]:
    """The overlays asked for, in stacking order, or an error naming the valid ones."""
    if show is None:
        return ()
    items = show.split(",") if isinstance(show, str) else list(show)
    names = []
    for item in items:
        name = str(item).strip()
        if name not in OVERLAYS:
            raise InvalidValueError(
                f"unknown overlay {name!r}; choose from: {', '.join(sorted(OVERLAYS))}"
            )
        names.append(name)
    return tuple(o for o in OVERLAYS if o in names)


def methods_with(overlay: str) -> list[str]:
    """The registered optimizers that have ``overlay``, read from their declarations."""
    from landscapes import OPTIMIZERS, make_optimizer

    return [n for n in OPTIMIZERS.names() if make_optimizer(n).insides.has(overlay)]


def absent_notes(trajectories: Sequence[Trajectory], show: Sequence[str]) -> list[str]:
    """One note per overlay asked for that no run has (it is then simply not drawn)."""
    notes = []
    for overlay in show:
        if overlay == "step" or any(
            t.state is not None and t.state.get(overlay) is not None for t in trajectories
        ):
            continue
        notes.append(
            f"no run has '{overlay}'; the optimizers with it: {', '.join(methods_with(overlay))}"
        )
    return notes


def needs_state(show: Sequence[str]) -> bool:
    """Whether the overlays read the recorded state (only ``step`` is read off the path)."""
    return any(o != "step" for o in show)


def nice(x: float) -> float:
    """The 1-2-5 number nearest below ``x`` (factors in the key read as 0.05, 2, 20)."""
    if not (math.isfinite(x) and x > 0):
        return 1.0
    e = math.floor(math.log10(x))
    m = x / 10**e
    return (5 if m >= 5 else 2 if m >= 2 else 1) * 10.0**e


def vectors(traj: Trajectory, kind: str) -> np.ndarray | None:
    """The per-point vectors (steps+1, 2) of an arrow overlay for one run, or None if absent."""
    if kind == "step":
        d = np.full_like(traj.xy, np.nan)
        d[1:] = np.diff(traj.xy, axis=0)
        return d
    st = traj.state
    if st is None:
        return None
    value = st.get(kind)
    if value is None:
        return None
    return -value if kind == "grad" else value


@dataclass(frozen=True)
class OverlayScales:
    """One length factor per family, shared by every run and frame of a figure, and the cap."""

    grad: float  # map units per unit of gradient
    move: float  # map units per map unit of step or velocity
    scale: float  # map units per unit of effective learning rate
    cap: float  # no arrow longer (map units)
    ellipse_cap: float  # no semi-axis longer (map units); a capped ellipse keeps its shape

    def factor(self, kind: str) -> float:
        return {"grad": self.grad, "velocity": self.move, "step": self.move}.get(kind, self.scale)

    def key(self, show: Sequence[str]) -> list[tuple[str, str]]:
        """(overlay, text) lines of the key, for the overlays shown."""
        text = {
            "grad": f"−∇f × {self.grad:g}",
            "velocity": f"velocity × {self.move:g}",
            "step": f"last step × {self.move:g}",
            "scale": f"effective lr × {self.scale:g}",
            "lookahead": f"look-ahead points, offsets × {self.move:g}",
        }
        return [(o, text[o]) for o in reversed(OVERLAYS) if o in show]


def overlay_scales(
    trajectories: Sequence[Trajectory], show: Sequence[str], window: tuple[float, ...]
) -> OverlayScales:
    """Length factors: a typical length (see ``STALLED``) becomes ``TYPICAL`` of the view."""
    x0, x1, y0, y1 = window
    side = min(x1 - x0, y1 - y0)
    target = TYPICAL * side

    def typical(kinds: Sequence[str]) -> float:
        lengths = []
        for traj in trajectories:
            seen = _in_view(traj.xy, window)
            for kind in kinds:
                if kind in ("scale", "lookahead"):
                    v = traj.state.get(kind) if traj.state is not None else None
                    if v is None:
                        continue
                    if kind == "scale":
                        lengths.append(np.max(np.abs(v[seen]), axis=-1))
                    else:  # the farthest look-ahead point from the head
                        d = v[seen] - traj.xy[seen][:, None]
                        lengths.append(np.max(np.hypot(d[..., 0], d[..., 1]), axis=-1))
                    continue
                v = vectors(traj, kind)
                if v is not None:
                    lengths.append(np.hypot(v[seen, 0], v[seen, 1]))
        all_ = np.concatenate(lengths) if lengths else np.array([])
        all_ = all_[np.isfinite(all_) & (all_ > 0)]
        if not all_.size:
            return 0.0
        kept = all_[all_ >= STALLED * np.percentile(all_, 95)]
        return float(np.percentile(kept, SCALE_PERCENTILE if "scale" in kinds else 50))

    def factor(kinds: Sequence[str]) -> float:
        t = typical([k for k in kinds if k in show])
        return nice(target / t) if t > 0 else 1.0

    return OverlayScales(
        grad=factor(["grad"]),
        move=factor(["step", "velocity"] if {"step", "velocity"} & set(show) else ["lookahead"]),
        scale=factor(["scale"]),
        cap=CAP * side,
        ellipse_cap=ELLIPSE_CAP * side,
    )


def _in_view(xy: np.ndarray, window: tuple[float, ...]) -> np.ndarray:
    x0, x1, y0, y1 = window
    with np.errstate(invalid="ignore"):
        return (xy[:, 0] >= x0) & (xy[:, 0] <= x1) & (xy[:, 1] >= y0) & (xy[:, 1] <= y1)


def capped(v: np.ndarray, factor: float, cap: float) -> np.ndarray:
    """``factor * v`` per row, shortened to length ``cap`` where longer (direction kept)."""
    with np.errstate(all="ignore"):
        w = factor * np.asarray(v, dtype=float)
        n = np.hypot(w[..., 0], w[..., 1])
        shrink = np.where(n > cap, cap / np.where(n > 0, n, 1.0), 1.0)
    return w * shrink[..., None]


@dataclass
class RunOverlay:
    """The overlay artists of one run and what they show at each step."""

    traj: Trajectory
    arrows: dict[str, tuple[FancyArrowPatch, np.ndarray]]  # kind -> (artist, (steps+1, 2))
    ellipse: tuple[Ellipse, np.ndarray] | None  # artist, semi-axes (steps+1, 2)
    lookahead: tuple[Line2D, np.ndarray] | None  # artist, offsets from the head (steps+1, n, 2)

    def artists(self) -> list:
        out = [a for a, _ in self.arrows.values()]
        out += [self.ellipse[0]] if self.ellipse else []
        out += [self.lookahead[0]] if self.lookahead else []
        return out


#: Line styles of the arrows, so the three kinds read apart in one colour.
ARROW_STYLE = {
    "grad": dict(arrowstyle="-|>", linestyle=(0, (2.5, 1.5))),
    "velocity": dict(arrowstyle="->", linestyle="-"),
    "step": dict(arrowstyle="-|>", linestyle="-"),
}
ARROW_WIDTH = {"grad": 1.3, "velocity": 2.8, "step": 1.3}
#: The velocity is a broad pale arrow under the thin step arrow (they often point alike).
ARROW_ALPHA = {"grad": ALPHA, "velocity": 0.45, "step": ALPHA}


class Overlays:
    """Every run's overlays on one map; ``set_step(k)`` moves them to step ``k``."""

    def __init__(
        self,
        ax: Axes,
        trajectories: Sequence[Trajectory],
        colors: Sequence[str],
        show: Sequence[str],
        window: tuple[float, ...],
        scale: float,
    ) -> None:
        from matplotlib.patches import Ellipse, FancyArrowPatch

        self.show = tuple(show)
        self.window = window
        self.scales = overlay_scales(trajectories, self.show, window)
        self.runs: list[RunOverlay] = []
        sc = self.scales
        for i, (traj, color) in enumerate(zip(trajectories, colors, strict=True)):

            def z(kind: str, i: int = i) -> float:
                return Z_OVERLAY + Z_KIND * OVERLAYS.index(kind) + Z_RUN * i

            arrows = {}
            for kind in ("velocity", "grad", "step"):
                v = vectors(traj, kind) if kind in self.show else None
                if v is None:
                    continue
                artist = FancyArrowPatch(
                    (0, 0), (0, 0), color=color, alpha=ARROW_ALPHA[kind],
                    lw=ARROW_WIDTH[kind] * scale,
                    mutation_scale=9 * scale, zorder=z(kind), shrinkA=0, shrinkB=0,
                    **ARROW_STYLE[kind],
                )  # fmt: skip
                ax.add_patch(artist)
                arrows[kind] = (artist, capped(v, sc.factor(kind), sc.cap))
            ellipse = None
            st = traj.state
            if "scale" in self.show and st is not None and st.scale is not None:
                e = Ellipse(
                    (0, 0), 0, 0, fill=False, ec=color, alpha=ALPHA, lw=1.2 * scale,
                    zorder=z("scale"),
                )  # fmt: skip
                ax.add_patch(e)
                with np.errstate(all="ignore"):
                    axes = sc.scale * np.abs(st.scale)
                    big = np.max(axes, axis=-1, keepdims=True)
                    axes = axes * np.minimum(1.0, sc.ellipse_cap / np.where(big > 0, big, 1.0))
                ellipse = (e, axes)
            lookahead = None
            if "lookahead" in self.show and st is not None and st.lookahead is not None:
                # a thin line from the head through the points, so they are found beside the head
                (m,) = ax.plot(
                    [], [], ls="-", lw=1.0 * scale, color=color, marker="o", ms=5 * scale,
                    mfc="white", mec=color, mew=1.4 * scale, alpha=0.95, zorder=z("lookahead"),
                    markevery=slice(1, None),
                )  # fmt: skip
                # offsets from the head on the displacement scale, like the velocity it comes from
                lookahead = (m, st.lookahead - traj.xy[:, None] + 0.0)
            self.runs.append(RunOverlay(traj, arrows, ellipse, lookahead))

    def artists(self) -> list:
        return [a for r in self.runs for a in r.artists()]

    def set_step(self, k: int) -> None:
        for r in self.runs:
            xy = r.traj.xy[k]
            shown = bool(np.isfinite(xy).all() and _in_view(xy[None], self.window)[0])
            for artist, v in r.arrows.values():
                ok = shown and np.isfinite(v[k]).all() and bool(np.any(v[k] != 0))
                artist.set_visible(ok)
                if ok:
                    artist.set_positions(tuple(xy), tuple(xy + v[k]))
            if r.ellipse is not None:
                e, axes = r.ellipse
                ok = shown and np.isfinite(axes[k]).all()
                e.set_visible(ok)
                if ok:
                    e.set_center(tuple(xy))
                    e.set_width(2 * axes[k][0])
                    e.set_height(2 * axes[k][1])
            if r.lookahead is not None:
                m, offsets = r.lookahead
                p = xy + self.scales.move * offsets[k] if shown else np.zeros((0, 2))
                p = p[np.isfinite(p).all(-1)]
                p = np.vstack([xy[None], p]) if len(p) else p  # the line starts at the head
                m.set_data(p[:, 0], p[:, 1])

    def key(self, scale: float) -> tuple[list[Line2D], list[str]]:
        """Legend entries for the overlays shown: each one's look and its length factor."""
        from matplotlib.lines import Line2D

        handles, labels = [], []
        for kind, text in self.scales.key(self.show):
            if kind in ARROW_STYLE:
                ls = ARROW_STYLE[kind]["linestyle"]
                marker = ">" if ARROW_STYLE[kind]["arrowstyle"] == "-|>" else "4"
                h = Line2D(
                    [0, 1], [0, 0], color="0.25", lw=ARROW_WIDTH[kind] * scale, ls=ls,
                    alpha=ARROW_ALPHA[kind],
                    marker=marker, markevery=[-1], ms=5 * scale,
                )  # fmt: skip
            elif kind == "scale":
                h = Line2D([], [], ls="none", marker="o", ms=11 * scale, mfc="none", mec="0.25")
            else:
                h = Line2D(
                    [0, 0.5, 1], [0, 0, 0], ls="-", lw=1.0 * scale, color="0.25", marker="o",
                    ms=4.2 * scale, mfc="white", mec="0.25", markevery=slice(1, None),
                )  # fmt: skip
            handles.append(h)
            labels.append(text)
        return handles, labels


# --- the gradient field -------------------------------------------------------------------------

#: Grid of the field: points per side (streamlines interpolate between them).
FIELD_GRID = 60


def field_grid(surface: Surface, n: int = FIELD_GRID) -> tuple[np.ndarray, ...]:
    """``X, Y`` and −∇f on an n x n grid over the view, in one vectorised call (NaN -> 0)."""
    x0, x1, y0, y1 = surface.window
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        g = np.asarray(surface.grad(np.stack([X, Y], -1)), dtype=float)
    g = np.where(np.isfinite(g), -g, 0.0)
    return X, Y, g[..., 0], g[..., 1]


def draw_field(ax: Axes, surface: Surface, scale: float) -> None:
    """Faint streamlines of −∇f under the paths (static: drawn once with the background)."""
    X, Y, U, V = field_grid(surface)
    speed = np.hypot(U, V)
    if not np.any(speed > 0):
        return
    ax.streamplot(
        X, Y, U, V, density=1.1, color="white", linewidth=0.7 * scale, arrowsize=0.7 * scale,
        zorder=2.2, broken_streamlines=True,
    )  # fmt: skip
    for coll in ax.collections[-1:]:
        coll.set_alpha(0.55)
