"""Artists that never change, drawn into every frame as one cached bitmap.

The minima sit above the runs' lines, so an animation draws them again in every frame. As
matplotlib artists (a star, and rings with a dark stroke: a path effect that draws each ring
twice) that cost about 0.7 ms a frame, a tenth of a frame; as a bitmap, rendered once with the
same artists onto a transparent canvas and blended in with one ``draw_image``, a few
microseconds. Like ``RasterText`` it is an ordinary artist, so a full redraw and a blitted frame
paint the same pixels; static figures keep the vector markers (SVG, PDF).
"""

from __future__ import annotations

import numpy as np
from matplotlib.artist import Artist
from matplotlib.backends.backend_agg import RendererAgg


class Sprite(Artist):
    """``artists`` (which it hides from the figure's own draws) as one bitmap at their place."""

    def __init__(self, artists: list[Artist], zorder: float) -> None:
        super().__init__()
        self.artists = list(artists)
        for a in self.artists:
            a.set_animated(True)  # left out of full draws: this sprite draws them
        self.set_zorder(zorder)
        self._key: tuple | None = None
        self._image: np.ndarray | None = None
        self._at = (0, 0)

    def _render(self, width: int, height: int, dpi: float) -> None:
        canvas = RendererAgg(width, height, dpi)  # transparent
        for a in self.artists:
            a.draw(canvas)
        rgba = np.asarray(canvas.buffer_rgba())
        rows, cols = np.nonzero(rgba[..., 3])
        if not len(rows):
            self._image = None
            return
        y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
        self._image = np.ascontiguousarray(rgba[y0:y1, x0:x1][::-1])  # bottom row first
        self._at = (int(x0), int(height - y1))  # its lower left corner, from the bottom

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        key = (int(renderer.width), int(renderer.height), float(renderer.dpi))
        if key != self._key:
            self._render(*key)
            self._key = key
        if self._image is not None:
            gc = renderer.new_gc()
            renderer.draw_image(gc, *self._at, self._image)
            gc.restore()
        self.stale = False
