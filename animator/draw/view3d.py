"""``--view 3d``: the surface as a shaded 3-D mesh with the runs lying on it.

Same interface as the 2-D ``MapView`` of ``figure.py``, so the figure, the animation frames and
the legend do not care which view they draw. The camera is fixed, so frames can be blitted.
"""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.text import Text

from ..scene import Scene
from .background import SURFACE_CMAP
from .clipping import Box, ClippedPath, clip_path

MESH_POINTS_3D = 90
#: Lines are lifted this fraction of the z range above the surface, so the mesh does not hide them.
LIFT = 0.01


class MapView3D:
    """A 3-D axes with the surface, its minima and the start; runs are clipped to the window."""

    is_3d = True  # mplot3d sorts its artists by depth: lines are redrawn every frame

    on_top: tuple = ()  # nothing needs redrawing above the lines (the 2-D map's minima do)

    def __init__(self, fig: Figure, rect, scene: Scene, scale: float) -> None:
        surface = scene.surface
        self.surface = surface
        self.window: Box = surface.window
        ax = fig.add_axes(rect, projection="3d", computed_zorder=False)
        self.ax = ax
        X, Y, Z = surface.mesh(MESH_POINTS_3D)
        finite = Z[np.isfinite(Z)]
        self.zlim = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        self.lift = LIFT * (self.zlim[1] - self.zlim[0] or 1.0)
        ax.plot_surface(
            X, Y, Z, cmap=SURFACE_CMAP, rstride=1, cstride=1, linewidth=0,
            antialiased=False, alpha=0.9, zorder=1,
        )  # fmt: skip
        ax.set_xlim(*self.window[:2])
        ax.set_ylim(*self.window[2:])
        ax.set_zlim(*self.zlim)
        ax.view_init(elev=38, azim=-60)
        for label, setter in (
            (surface.axis_labels[0], ax.set_xlabel),
            (surface.axis_labels[1], ax.set_ylabel),
            (surface.axis_labels[2], ax.set_zlabel),
        ):
            setter(label, fontsize=10 * scale)
        ax.tick_params(labelsize=8 * scale)
        for kind, style in (
            ("global", dict(marker="*", s=180 * scale**2, fc="white", ec="black")),
            ("local", dict(marker="o", s=60 * scale**2, fc="none", ec="white", linewidths=1.5)),
        ):
            pts = np.array([m.xy for m in surface.minima if m.kind == kind]).reshape(-1, 2)
            if len(pts):
                z = surface.value(pts) + self.lift
                ax.scatter(pts[:, 0], pts[:, 1], z, zorder=4, label=f"{kind} minimum", **style)
        start = np.asarray(scene.trajectories[0].start, dtype=float)
        ax.scatter(
            [start[0]], [start[1]], [float(surface.value(start)) + self.lift], marker="o",
            s=70 * scale**2, fc="white", ec="black", zorder=6, label="start",
        )  # fmt: skip
        # no colour bar: the colours follow the height, which the z axis already labels

    def _z(self, xy: np.ndarray) -> np.ndarray:
        return self.surface.value(xy) + self.lift

    def clip_path(self, xy: np.ndarray) -> ClippedPath:
        """Cut to the window (a 3-D axes does not clip), with z on the surface at each vertex."""
        path = clip_path(xy, self.window)
        return ClippedPath(np.column_stack([path.verts, self._z(path.verts)]), path.upto)

    def line(self, color: str, scale: float, zorder: float) -> Line2D:
        (line,) = self.ax.plot([], [], [], color=color, lw=2.2 * scale, zorder=zorder)
        return line

    def marker(self, color: str, marker: str, size: float, zorder: float, **style) -> Line2D:
        (m,) = self.ax.plot(
            [], [], [], ls="none", marker=marker, ms=size, color=color, zorder=zorder
        )
        m.set(**style)
        return m

    def set_line(self, line, verts: np.ndarray) -> None:
        line.set_data_3d(verts[:, 0], verts[:, 1], verts[:, 2])

    def set_point(self, marker, xy: np.ndarray | None) -> None:
        if xy is None:
            marker.set_data_3d([], [], [])
        else:
            marker.set_data_3d([xy[0]], [xy[1]], [float(self._z(np.asarray(xy[:2])))])

    def note(self, scale: float, zorder: float) -> Text:
        return self.ax.text(
            0, 0, 0, "", fontsize=9 * scale, zorder=zorder,
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none", alpha=0.85),
        )  # fmt: skip

    def place_note(self, note: Text, xy: np.ndarray, text: str, scale: float) -> None:
        note.set_position_3d((float(xy[0]), float(xy[1]), float(self._z(np.asarray(xy[:2])))))
        note.set_text(" " + text)
