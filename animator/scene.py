"""What a writer receives: the surface, its trajectories and how to draw them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from landscapes import Surface, Trajectory


@dataclass(frozen=True)
class RenderOptions:
    """How to draw and encode; ignored by the data exports."""

    fps: float = 20.0
    duration: float | None = None  # seconds; thins frames evenly to fit
    size: tuple[int, int] = (1200, 800)  # pixels, W x H
    dpi: int = 100
    view: str = "2d"  # "2d" or "3d"
    quiet: bool = False
    hold: float = 1.0  # seconds the last frame is held in animations
    html: str = "player"  # .html pages: "player" (interactive, 2-D) or "video" (an H.264 <video>)
    show: tuple[str, ...] = ()  # overlays at each head (see overlays.py): grad, velocity, ...
    field: bool = False  # faint streamlines of the negative gradient under the paths


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


#: Limits that keep any request from allocating gigabytes (checked before rendering).
MIN_SIDE = 64  # pixels per side: below that no text or legend fits
MAX_SIDE = 4096  # pixels per side
MAX_DPI = 600
MAX_FPS = 120.0
MIN_FPS = 0.01  # a frame per 100 s; below, GIF delays and ffmpeg's rate cannot say it
MAX_FRAMES = 5000  # frames in one animation
MAX_FRAME_PIXELS = 2_000_000_000  # frames x width x height for one animation
#: Default size of ``animator history`` pictures (here, so ``--help`` needs no matplotlib).
HISTORY_SIZE = (1200, 640)
