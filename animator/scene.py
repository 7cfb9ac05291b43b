"""What a writer receives: the thing to draw (a scene, basin maps, ...) and how to draw it."""

from __future__ import annotations

import math
import numbers
from dataclasses import dataclass, field
from typing import Any

from landscapes import InvalidValueError, Surface, Trajectory

#: Limits that keep any request from allocating gigabytes (checked before rendering).
MIN_SIDE = 64  # pixels per side: below that no text or legend fits
MAX_SIDE = 4096  # pixels per side
MIN_DPI = 20
MAX_DPI = 600
MAX_FPS = 120.0
MIN_FPS = 0.01  # a frame per 100 s; below, GIF delays and ffmpeg's rate cannot say it
MAX_DURATION = 600.0  # seconds of animation
MAX_HOLD = 60.0  # seconds the last frame may be held
VIEWS = ("2d", "3d")
HTML_KINDS = ("player", "video")  # what an .html output holds
#: Default picture sizes of the charts that are not a scene.
HISTORY_SIZE = (1200, 640)  # two panels side by side
SWEEP_SIZE = (1000, 620)


@dataclass(frozen=True)
class RenderOptions:
    """How to draw and encode; ignored by the data exports. Checked once, when created.

    ``size`` None means the picture's own size (basin maps and sweeps size themselves).
    """

    fps: float = 20.0
    duration: float | None = None  # seconds; thins frames evenly to fit
    size: tuple[int, int] | None = (1200, 800)  # pixels, W x H
    dpi: int = 100
    view: str = "2d"  # "2d" or "3d"
    quiet: bool = True  # no progress bar
    hold: float = 1.0  # seconds the last frame is held in animations
    html: str = "player"  # .html pages: "player" (interactive, 2-D) or "video" (an H.264 <video>)
    show: tuple[str, ...] = ()  # overlays at each head (see overlays.py): grad, velocity, ...
    field: bool = False  # faint streamlines of the negative gradient under the paths

    def __post_init__(self) -> None:
        if self.size is not None:
            size = self.size
            if (
                not isinstance(size, (tuple, list))
                or len(size) != 2
                or not all(
                    isinstance(v, numbers.Integral) and not isinstance(v, bool) for v in size
                )
            ):
                raise InvalidValueError(
                    f"size={size!r} must be (width, height) in whole pixels, e.g. (1200, 800)"
                )
            w, h = (int(v) for v in size)
            if not (MIN_SIDE <= w <= MAX_SIDE and MIN_SIDE <= h <= MAX_SIDE):
                raise InvalidValueError(
                    f"size {w}x{h} is out of range (each side {MIN_SIDE} to {MAX_SIDE} pixels)"
                )
            object.__setattr__(self, "size", (w, h))
        if isinstance(self.dpi, bool) or not isinstance(self.dpi, numbers.Integral):
            raise InvalidValueError(f"dpi={self.dpi!r} must be a whole number (20 to {MAX_DPI})")
        if not MIN_DPI <= self.dpi <= MAX_DPI:
            raise InvalidValueError(
                f"dpi={self.dpi} is out of range (choose {MIN_DPI} to {MAX_DPI})"
            )
        _check_number("fps", self.fps, MIN_FPS, MAX_FPS)
        if self.duration is not None:
            _check_number("duration", self.duration, 0, MAX_DURATION, low_open=True)
        _check_number("hold", self.hold, 0, MAX_HOLD)
        if self.view not in VIEWS:
            raise InvalidValueError(f"unknown view {self.view!r}; choose from: {', '.join(VIEWS)}")
        if self.html not in HTML_KINDS:
            raise InvalidValueError(
                f"unknown html {self.html!r}; choose from: {', '.join(HTML_KINDS)}"
            )
        from .draw.overlays import check_show  # no matplotlib: it loads only when drawing

        object.__setattr__(self, "show", check_show(self.show or None))
        if (self.show or self.field) and self.view == "3d":
            raise InvalidValueError("--show and --field draw on the 2-D map; drop --view 3d")


def _check_number(name: str, value: Any, low: float, high: float, *, low_open=False) -> None:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{name}={value!r} is not a number") from None
    bad_low = v <= low if low_open else v < low
    if not math.isfinite(v) or bad_low or v > high:
        lo = f"> {low:g}" if low_open else f">= {low:g}"
        raise InvalidValueError(
            f"{name}={value!r} is out of range (choose a finite number {lo} and <= {high:g})"
        )


@dataclass(frozen=True)
class Scene:
    """One surface and the runs drawn over it, plus metadata recorded in exports."""

    surface: Surface
    trajectories: list[Trajectory]
    meta: dict[str, Any] = field(default_factory=dict)
    #: small extra axes drawn with the figure (not exported), e.g. a network's decision
    #: boundaries: objects whose ``attach(fig, scale)`` draws their static part and returns a
    #: handle with ``artists`` (moving) and ``set_step(k)``
    insets: tuple[Any, ...] = ()
