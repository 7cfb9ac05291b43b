"""Animation frames at the speed of the encoder.

The static scene (contours, labels, colour bar, axes, title) is drawn once and kept as a
background. Each frame restores that background, moves the few moving artists (lines, heads,
crosses, loss lines, cursor, step counter, legend) and draws only them, then hands the canvas
buffer to the encoder without a copy. Before any drawing, ``plan_frames`` checks the request
against the frame budget in ``scene.py`` (the options themselves are checked when made).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from ..scene import RenderOptions, Scene

if TYPE_CHECKING:
    from .figure import SceneFigure


@dataclass(frozen=True)
class FramePlan:
    """Which step each distinct frame shows, and how many copies of the last one hold it."""

    steps: np.ndarray
    hold: int
    fps: float

    @property
    def total(self) -> int:
        """Frames in a video (a GIF stores the hold as a longer last frame instead)."""
        return len(self.steps) + self.hold

    def durations_ms(self) -> list[float]:
        """Display time of each distinct frame; the last one includes the hold."""
        frame = 1000.0 / self.fps
        return [frame] * (len(self.steps) - 1) + [frame * (1 + self.hold)]


def plan_frames(n_steps: int, options: RenderOptions) -> FramePlan:
    """Every step a frame, plus a hold; ``duration`` thins the steps evenly to fit (never pads).

    With a duration, the hold takes at most a fifth of it. There is no budget of frames: they
    are drawn and encoded one at a time (memory stays that of one frame), so a long render only
    takes long -- it shows its progress, an estimate when it is long, and stops cleanly on Ctrl-C.
    """
    hold = round(options.hold * options.fps)
    steps = np.arange(n_steps + 1)
    if options.duration is not None:
        budget = max(2, round(options.duration * options.fps))
        hold = min(hold, budget // 5)
        motion = max(2, budget - hold)
        if motion < len(steps):
            steps = np.unique(np.round(np.linspace(0, n_steps, motion)).astype(int))
    plan = FramePlan(steps, hold, float(options.fps))
    return plan


class FrameRenderer:
    """Draws frames of a scene by blitting; ``frame(k)`` is the picture at step ``k``.

    Two pictures are kept: the static scene (``background``) and the static scene with the
    runs' lines up to the last frame's step (``trails``, see ``figure.Trails``). A frame restores
    the kept trails, paints the steps since the last frame onto them, keeps that, and draws the
    few other moving artists (heads, minima, cursor, texts) on top: its cost does not grow with
    the number of steps behind it. Going back in time starts again from the background.
    """

    def __init__(self, scene: Scene, options: RenderOptions) -> None:
        from .figure import build_figure  # matplotlib: only when frames are drawn

        self.figure: SceneFigure = build_figure(scene, options, animated=True)
        self.fig = self.figure.fig
        self.canvas = self.figure.canvas
        self._draw_background()
        self.figure.place_texts()  # needs the layout of that first draw

    def _draw_background(self) -> None:
        self.canvas.draw()  # everything except the animated artists
        self.background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.trails, self.trails_step = self.background, 0

    @property
    def size(self) -> tuple[int, int]:
        w, h = self.canvas.get_width_height()
        return int(w), int(h)

    def frame(self, k: int) -> np.ndarray:
        """The RGBA frame at step ``k``, shape (H, W, 4): a view of the canvas, valid until the
        next call (copy it to keep it)."""
        k = int(np.clip(k, 0, self.figure.steps))
        if k < self.trails_step:
            self.trails, self.trails_step = self.background, 0
        self.canvas.restore_region(self.trails)
        if k > self.trails_step:
            for trails in self.figure.trails:
                trails.show(self.trails_step, k)
                self.fig.draw_artist(trails)
            self.trails, self.trails_step = self.canvas.copy_from_bbox(self.fig.bbox), k
        self.figure.set_step(k)
        for artist in self.figure.moving_artists():
            self.fig.draw_artist(artist)
        return np.asarray(self.canvas.buffer_rgba())

    def preview(self, k: int) -> np.ndarray:
        """A copy of the frame at step ``k`` with each run's line drawn whole (in pieces of
        bounded memory), as a static picture draws it: the same colours as ``frame(k)`` (it
        differs only where lines cross), without painting ``k`` steps one by one. For choosing a
        GIF palette up front."""
        self.canvas.restore_region(self.background)
        renderer = self.canvas.get_renderer()
        for trails in self.figure.trails:
            trails.paint_whole(renderer, k)
        self.figure.set_step(k)
        for artist in self.figure.moving_artists():
            self.fig.draw_artist(artist)
        return np.array(self.canvas.buffer_rgba())

    def background_image(self) -> np.ndarray:
        """A copy of the static scene alone (RGBA)."""
        self.canvas.restore_region(self.background)
        return np.array(self.canvas.buffer_rgba())

    def full_redraw(self, k: int) -> np.ndarray:
        """The frame at step ``k`` drawn the slow way (one full draw), as a copy; for checks."""
        self.figure.set_animated(False)
        try:
            self.figure.set_step(k)
            self.canvas.draw()
            return np.array(self.canvas.buffer_rgba())
        finally:
            self.figure.set_animated(True)
            self._draw_background()
