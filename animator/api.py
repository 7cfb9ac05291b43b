"""The Python API: ``plot`` and ``animate`` return objects that show inline in Jupyter.

>>> import animator
>>> fig = animator.plot("hills_and_canyon", ["adam:lr=0.25", "rmsprop"])   # doctest: +SKIP
>>> fig.save("adam_vs_rmsprop.png")                                       # doctest: +SKIP
>>> anim = animator.animate("hills_and_canyon", suite="article")          # doctest: +SKIP
>>> anim            # in a notebook: the interactive player                # doctest: +SKIP
>>> anim.save("article.gif")                                              # doctest: +SKIP

``runs`` items may be optimizer specs (``"adam:lr=0.1"``), ``Optimizer`` objects or finished
``Trajectory`` objects; with neither ``runs`` nor ``suite`` the article's suite is run.
"""

from __future__ import annotations

import io
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from landscapes import (
    SUITES,
    InvalidValueError,
    Optimizer,
    Surface,
    Trajectory,
    get_surface,
    parse_spec,
    run_many,
)
from landscapes.paths import hold_to
from landscapes.suites import DEFAULT_SUITE

from .outputs import prepare_output, writer_for
from .overlays import check_show, needs_state
from .scene import RenderOptions, Scene


def make_scene(
    surface: str | Surface = "hills_and_canyon",
    runs: Sequence[str | Optimizer | Trajectory] | None = None,
    *,
    suite: str | None = None,
    start: Any = None,
    steps: int = 125,
    record_state: bool = False,
) -> Scene:
    """Run ``runs`` (and the runs of ``suite``) on ``surface`` from ``start``.

    ``record_state`` keeps each optimizer's state per step (for overlays and the JSON export).
    """
    surface = get_surface(surface)
    if isinstance(runs, (str, Optimizer, Trajectory)):
        runs = [runs]
    items: list[Trajectory | tuple[str | None, Optimizer]] = []
    if suite is not None or not runs:
        items += [(label, parse_spec(spec)) for label, spec in SUITES[suite or DEFAULT_SUITE].runs]
    for item in runs or []:
        if isinstance(item, Trajectory):
            items.append(item)
        elif isinstance(item, Optimizer):
            items.append((None, item))
        elif isinstance(item, str):
            items.append((item, parse_spec(item)))
        else:
            raise InvalidValueError(
                f"a run must be a spec string, an Optimizer or a Trajectory, not {item!r}"
            )
    jobs = [item for item in items if not isinstance(item, Trajectory)]
    ran = iter(
        run_many(
            surface,
            [o for _, o in jobs],
            start,
            steps,
            labels=[n for n, _ in jobs],
            record_state=record_state,
        )  # fmt: skip
        if jobs
        else []
    )
    trajectories = [i if isinstance(i, Trajectory) else next(ran) for i in items]
    longest = max((t.steps for t in trajectories), default=0)
    return Scene(surface, [hold_to(t, longest) for t in trajectories])


class Picture:
    """The final figure of a scene. ``save(path)`` writes any format; Jupyter shows a PNG."""

    def __init__(self, scene: Scene, options: RenderOptions) -> None:
        self.scene = scene
        self.options = options

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``path`` (the suffix picks the format: .png .svg .pdf .gif .mp4 .html ...)."""
        writer = writer_for(path)
        target = prepare_output(path)
        writer(target, self.scene, self.options)
        return target

    @property
    def figure(self):
        """A fresh matplotlib Figure of the final picture (to adjust before saving)."""
        from .figure import render_figure

        return render_figure(self.scene, self.options)

    def _repr_png_(self) -> bytes:
        buf = io.BytesIO()
        self.figure.savefig(buf, format="png", dpi=self.options.dpi)
        return buf.getvalue()


class Animation(Picture):
    """An animation of a scene. Jupyter plays it inline; ``frame(k)`` is one RGBA frame."""

    def frame(self, k: int) -> np.ndarray:
        """The RGBA frame (H, W, 4) at step ``k``."""
        from .frames import FrameRenderer

        return np.array(FrameRenderer(self.scene, self.options).frame(k))

    def _repr_png_(self) -> None:
        """None: a notebook shows the player (``_repr_html_``), not a still picture as well."""
        return None

    def _repr_html_(self) -> str:
        """What Jupyter shows: the interactive player (a 3-D view: the video). Made once."""
        from .page import uses_player

        return self.to_jshtml() if uses_player(self.options, self.scene) else self.to_html5_video()

    def to_jshtml(self) -> str:
        """The interactive player as an HTML fragment (no encoding: drawn from the runs' data)."""
        from .page import player_fragment

        return self._cached("player", lambda: player_fragment(self.scene, self.options))

    def to_html5_video(self) -> str:
        """An H.264 ``<video>`` with the MP4 inside (base64) and the final frame as poster."""
        from .writers import animation_html

        return self._cached("video", lambda: animation_html(self.scene, self.options, page=False))

    def _cached(self, key: str, make) -> str:
        """Each HTML form is made once per Animation: a second display re-encodes nothing."""
        cache = self.__dict__.setdefault("_html", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]


def _options(**kwargs: Any) -> RenderOptions:
    size = kwargs.get("size")
    if size is not None:
        kwargs["size"] = tuple(int(v) for v in size)
    return RenderOptions(**{k: v for k, v in kwargs.items() if v is not None})


def plot(
    surface: str | Surface = "hills_and_canyon",
    runs: Sequence[str | Optimizer | Trajectory] | None = None,
    *,
    suite: str | None = None,
    start: Any = None,
    steps: int = 125,
    size: tuple[int, int] = (1200, 800),
    dpi: int = 100,
    view: str = "2d",
    show: Sequence[str] | str | None = None,
    field: bool = False,
) -> Picture:
    """The final figure of runs over a surface (see ``make_scene`` for ``runs``).

    ``show``: overlays at each head (``grad``, ``velocity``, ``step``, ``scale``, ``lookahead``);
    ``field``: the gradient field under the paths.
    """
    show = check_show(show)
    scene = make_scene(
        surface, runs, suite=suite, start=start, steps=steps, record_state=needs_state(show)
    )
    return Picture(scene, _options(size=size, dpi=dpi, view=view, show=show, field=field))


def animate(
    surface: str | Surface = "hills_and_canyon",
    runs: Sequence[str | Optimizer | Trajectory] | None = None,
    *,
    suite: str | None = None,
    start: Any = None,
    steps: int = 125,
    size: tuple[int, int] = (1200, 800),
    dpi: int = 100,
    view: str = "2d",
    fps: float = 20.0,
    duration: float | None = None,
    hold: float = 1.0,
    show: Sequence[str] | str | None = None,
    field: bool = False,
) -> Animation:
    """An animation of runs over a surface, one frame per step (``duration`` thins them);
    ``show`` and ``field`` as in :func:`plot`."""
    show = check_show(show)
    scene = make_scene(
        surface, runs, suite=suite, start=start, steps=steps, record_state=needs_state(show)
    )
    options = _options(
        size=size, dpi=dpi, view=view, fps=fps, duration=duration, hold=hold, quiet=True,
        show=show, field=field,
    )  # fmt: skip
    return Animation(scene, options)
