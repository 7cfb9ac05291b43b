"""Text for animation frames that costs microseconds instead of milliseconds.

matplotlib lays out and rasterises every glyph of a Text on every draw (about 2 ms for a short
label here), which made the few changing words of a frame (losses, the step counter) cost more
than everything else in it. ``RasterText`` renders its string with Pillow's FreeType binding in
matplotlib's own font, caches the bitmaps of its last ``CACHE_SIZE`` strings (a step counter
never repeats, so an unbounded cache would grow with the animation), and blends it in with one
``draw_image``.
It is an ordinary artist, so a full redraw and a blitted frame paint the same pixels. Static
figures keep matplotlib's Text (vector text in SVG and PDF).
"""

from __future__ import annotations

import functools
from collections import OrderedDict

import numpy as np
from matplotlib import colors as mcolors
from matplotlib.artist import Artist
from matplotlib.font_manager import FontProperties, findfont
from PIL import Image, ImageDraw, ImageFont

#: Bitmaps kept per text: the repeated strings (a settled loss, "diverged at step 6") stay.
CACHE_SIZE = 64


@functools.lru_cache(maxsize=16)
def _font(weight: str, size_px: int) -> ImageFont.FreeTypeFont:
    path = findfont(FontProperties(family="sans-serif", weight=weight))
    return ImageFont.truetype(path, size_px)


class RasterText(Artist):
    """A one-line text at ``(x, y)`` in ``transform`` coordinates: its bottom there, and its
    left, centre or right there by ``ha``."""

    def __init__(
        self,
        x: float,
        y: float,
        text: str = "",
        *,
        fontsize: float,
        dpi: float,
        color="black",
        weight: str = "normal",
        transform=None,
        zorder: float = 3.0,
        ha: str = "left",
    ) -> None:
        super().__init__()
        self._xy = (x, y)
        self._ha = {"left": 0.0, "center": 0.5, "right": 1.0}[ha]
        self._text = text
        self._font = _font(weight, max(1, round(fontsize * dpi / 72.0)))
        self._rgb = np.array(mcolors.to_rgb(color)) * 255
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        if transform is not None:
            self.set_transform(transform)
        self.set_zorder(zorder)

    def set_text(self, text: str) -> None:
        self._text = text
        self.stale = True

    def set_position(self, xy) -> None:
        self._xy = (float(xy[0]), float(xy[1]))
        self.stale = True

    def get_text(self) -> str:
        return self._text

    def _bitmap(self, text: str) -> np.ndarray:
        image = self._cache.get(text)
        if image is not None:
            self._cache.move_to_end(text)
        else:
            ascent, descent = self._font.getmetrics()
            width = int(np.ceil(self._font.getlength(text))) + 2
            mask = Image.new("L", (width, ascent + descent))
            ImageDraw.Draw(mask).text((0, ascent), text, font=self._font, fill=255, anchor="ls")
            image = np.empty((ascent + descent, width, 4), dtype=np.uint8)
            image[..., :3] = self._rgb.astype(np.uint8)
            image[..., 3] = np.asarray(mask)
            image = np.ascontiguousarray(image[::-1])  # draw_image wants the bottom row first
            self._cache[text] = image
            if len(self._cache) > CACHE_SIZE:
                self._cache.popitem(last=False)
        return image

    def draw(self, renderer) -> None:
        if not self.get_visible() or not self._text:
            return
        image = self._bitmap(self._text)
        x, y = self.get_transform().transform(self._xy)
        gc = renderer.new_gc()
        renderer.draw_image(gc, round(x - self._ha * image.shape[1]), round(y), image)
        gc.restore()
        self.stale = False
