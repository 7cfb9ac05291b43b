"""Trajectories cut to a box, so points far outside the view never reach matplotlib.

A diverging run can reach coordinates of 1e6 (or overflow). Handing those to matplotlib widens
autoscaled axes and makes Agg draw huge paths; clamping them would bend the visible part of the
line. Instead every segment is clipped to a box that contains the view (Liang–Barsky), so what is
drawn inside the view is exactly the original segment, and the vertices stay within the box.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

Box = tuple[float, float, float, float]  # x0, x1, y0, y1


def expand(box: Box, factor: float) -> Box:
    """``box`` grown by ``factor`` times its width and height on every side."""
    x0, x1, y0, y1 = box
    dx, dy = (x1 - x0) * factor, (y1 - y0) * factor
    return (x0 - dx, x1 + dx, y0 - dy, y1 + dy)


def inside(xy: np.ndarray, box: Box) -> np.ndarray:
    """Whether points ``xy`` (..., 2) lie in ``box`` (NaN points do not)."""
    x0, x1, y0, y1 = box
    x, y = xy[..., 0], xy[..., 1]
    with np.errstate(invalid="ignore"):
        return (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)


def clip_segment(p: np.ndarray, q: np.ndarray, box: Box) -> tuple[float, float] | None:
    """The parameter range [t0, t1] of segment p→q inside ``box``, or None if it misses."""
    x0, x1, y0, y1 = box
    d = q - p
    t0, t1 = 0.0, 1.0
    for num, den in (
        (p[0] - x0, -d[0]),
        (x1 - p[0], d[0]),
        (p[1] - y0, -d[1]),
        (y1 - p[1], d[1]),
    ):
        if den == 0:
            if num < 0:
                return None
            continue
        t = num / den
        if den < 0:  # entering
            t0 = max(t0, t)
        else:  # leaving
            t1 = min(t1, t)
        if t0 > t1:
            return None
    return t0, t1


@dataclass(frozen=True)
class ClippedPath:
    """A polyline cut to a box: ``verts`` (M, 2) with NaN rows as pen-ups.

    ``upto[k]`` is how many vertices draw the path from step 0 to step k, so an animation frame
    shows ``verts[:upto[k]]``. ``last`` is the last drawn vertex (or None if nothing is drawn).
    """

    verts: np.ndarray
    upto: np.ndarray

    def until(self, k: int) -> np.ndarray:
        return self.verts[: self.upto[k]]


def clip_path(xy: np.ndarray, box: Box) -> ClippedPath:
    """Cut the path ``xy`` (steps+1, 2) to ``box``; NaN points end the path (divergence)."""
    xy = np.asarray(xy, dtype=float)
    verts: list[tuple[float, float]] = []
    upto = np.zeros(len(xy), dtype=int)
    pen_up = True
    if np.isfinite(xy[0]).all() and inside(xy[0], box):
        verts.append((xy[0, 0], xy[0, 1]))
        pen_up = False
    upto[0] = len(verts)
    for k in range(1, len(xy)):
        p, q = xy[k - 1], xy[k]
        if np.isfinite(p).all() and np.isfinite(q).all():
            span = clip_segment(p, q, box)
            if span is None:
                pen_up = True
            else:
                t0, t1 = span
                if pen_up or t0 > 0:
                    if verts and not np.isnan(verts[-1][0]):
                        verts.append((np.nan, np.nan))
                    a = p + t0 * (q - p)
                    verts.append((a[0], a[1]))
                b = q if t1 >= 1 else p + t1 * (q - p)
                verts.append((b[0], b[1]))
                pen_up = t1 < 1
        else:
            pen_up = True
        upto[k] = len(verts)
    return ClippedPath(np.array(verts, dtype=float).reshape(-1, 2), upto)


def last_visible(xy: np.ndarray, box: Box, upto_step: int) -> np.ndarray | None:
    """The last point of the path (steps 0..upto_step) that is drawn inside ``box``, or None.

    For a run that left the view for good, this is where it crossed the border of ``box``.
    """
    path = clip_path(np.asarray(xy)[: upto_step + 1], box)
    drawn = path.verts[np.isfinite(path.verts[:, 0])]
    return drawn[-1] if len(drawn) else None
