"""The Python API: every capability of landscape-animator as one function.

Each function takes plain Python values and returns a product that ``save(path)``s by suffix
(exactly as the command line's ``-o``) and shows itself in a notebook. The command line is a
thin shell over these functions, so both write the same bytes.

>>> import animator
>>> animator.plot("x**2 + 3*y**2", ["adam:lr=0.1", "rmsprop"]).save("bowl.png")  # doctest: +SKIP
>>> anim = animator.animate("hills_and_canyon", suite="article")                 # doctest: +SKIP
>>> anim            # in a notebook: the interactive player               # doctest: +SKIP
>>> animator.basins("two_minima", "adam:lr=0.1", grid=100).save("basins.png")   # doctest: +SKIP

``surface`` is a registered name (``animator list``), a formula in x and y, or a ``Surface``.
``runs`` items are optimizer specs (``"adam:lr=0.1"``), ``Optimizer`` objects, finished
``Trajectory`` objects (plot, animate, history) or ``Suite`` objects; ``suite`` names suites run
before them. With neither, the article's suite is run. Bad values raise ``InvalidValueError`` or
``UnknownNameError`` with a one-line message, before any work.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, ClassVar

import numpy as np

from landscapes import (
    MAX_RUNS,
    InvalidValueError,
    Optimizer,
    Suite,
    Surface,
    Trajectory,
    resolve_surface,
    run_groups,
    run_many,
)
from landscapes.suites import RunItem, flat_runs

from .output import forked
from .output import registry as outputs
from .requests import Request
from .scene import HISTORY_SIZE, RenderOptions, Scene

SurfaceArg = str | Surface
RunsArg = RunItem | Sequence[RunItem] | None
SuiteArg = str | Suite | Sequence[str | Suite] | None
Levels = int | Sequence[float] | str | None

DEFAULT_SIZE = (1200, 800)


class Product:
    """Something to save: ``save(path)`` writes it, the suffix picks the format.

    ``notes`` are one-line remarks a reader should know (a run diverged, a tuned lr sits at the
    edge of its grid); the command line prints them on stderr.
    """

    kind: ClassVar[str]

    def __init__(self, data: Any, options: Any, notes: Sequence[str] = ()) -> None:
        self.data = data
        self.options = options
        self.notes = list(notes)

    @classmethod
    def suffixes(cls) -> list[str]:
        """The suffixes ``save`` accepts (``DIR/`` for a directory)."""
        return outputs.suffixes(cls.kind)

    def save(self, path: str | os.PathLike) -> Path:
        """Write ``path``; its suffix picks the format (see ``suffixes()``). Returns the path."""
        return outputs.save(self.kind, path, self.data, self.options)

    def report(self) -> list[str]:
        """Lines worth printing with the result (a sweep's best learning rates)."""
        return []

    def _repr_png_(self) -> bytes:
        with tempfile.TemporaryDirectory() as tmp:
            return self.save(Path(tmp) / "picture.png").read_bytes()

    def __repr__(self) -> str:
        return f"<{type(self).__name__}: save as {', '.join(self.suffixes())}>"


class Picture(Product):
    """The final figure of runs over a surface (``scene``: the surface and its trajectories)."""

    kind = "scene"

    @property
    def scene(self) -> Scene:
        return self.data

    @property
    def trajectories(self) -> list[Trajectory]:
        return self.data.trajectories

    @property
    def figure(self):
        """A fresh matplotlib Figure of the final picture (to adjust before saving)."""
        from .draw.figure import render_figure

        return render_figure(self.scene, self.options)


class Animation(Picture):
    """An animation of runs over a surface. A notebook plays it; ``frame(k)`` is one frame."""

    def frame(self, k: int) -> np.ndarray:
        """The RGBA frame (H, W, 4) at step ``k``."""
        from .draw.frames import FrameRenderer

        return np.array(FrameRenderer(self.scene, self.options).frame(k))

    def _repr_png_(self) -> None:
        """None: a notebook shows the player (``_repr_html_``), not a still picture as well."""
        return None

    def _repr_html_(self) -> str:
        """What Jupyter shows: the interactive player (a 3-D view: the video). Made once."""
        from .output.page import uses_player

        return self.to_jshtml() if uses_player(self.options, self.scene) else self.to_html5_video()

    def to_jshtml(self) -> str:
        """The interactive player as an HTML fragment (no encoding: drawn from the runs' data)."""
        from .output.page import player_fragment

        return self._cached("player", lambda: player_fragment(self.scene, self.options))

    def to_html5_video(self) -> str:
        """An H.264 ``<video>`` with the MP4 inside (base64) and the final frame as poster."""
        from .output.writers import animation_html

        return self._cached("video", lambda: animation_html(self.scene, self.options, page=False))

    def _cached(self, key: str, make) -> str:
        """Each HTML form is made once per Animation: a second display re-encodes nothing."""
        cache = self.__dict__.setdefault("_html", {})
        if key not in cache:
            cache[key] = make()
        return cache[key]


class BasinMaps(Product):
    """Basin-of-attraction maps, one per optimizer (``maps``)."""

    kind = "basins"

    @property
    def maps(self) -> list:
        return self.data


class Sweeps(Product):
    """Learning-rate sweeps, one per optimizer (``sweeps``)."""

    kind = "sweeps"

    @property
    def sweeps(self) -> list:
        return self.data

    def report(self) -> list[str]:
        """One line per sweep: its best lr and how many rates diverged."""
        lines = []
        for s in self.sweeps:
            best = "every lr diverged" if s.best_lr is None else f"best lr {s.best_lr:.6g}"
            lines.append(f"{s.label}: {best}, {int(s.diverged.sum())} of {s.lrs.size} diverged")
        return lines


@dataclass(frozen=True)
class Histories:
    """Loss histories: the surface and ``(panel title, trajectories)`` per panel."""

    surface: Surface
    panels: list[tuple[str, list[Trajectory]]]


class History(Product):
    """Loss against step for every run, one panel per suite (``data``: :class:`Histories`)."""

    kind = "history"


class Responses(Product):
    """The article's 1-D update-response curves (``table``); saves a directory of charts or a
    CSV file."""

    kind = "responses"

    @property
    def table(self) -> list:
        return self.data

    def _repr_png_(self) -> bytes:
        from .charts.writers import overview_png

        return overview_png(self.table, self.options)


class Gallery(Product):
    """The gallery: ``save(directory)`` renders every picture and writes its README."""

    kind = "gallery"

    def _repr_png_(self) -> None:
        return None

    def _repr_markdown_(self) -> str:
        from .galleries.plan import gallery_entries

        entries = gallery_entries("gallery", self.data)
        return "\n".join(f"- `{e.command()}`" for e in entries)


# --- the functions ------------------------------------------------------------------------------


def plot(
    surface: SurfaceArg = "hills_and_canyon",
    runs: RunsArg = None,
    *,
    suite: SuiteArg = None,
    start: Any = None,
    steps: int = 125,
    noise: float = 0.0,
    seed: int = 0,
    window: Sequence[float] | None = None,
    levels: Levels = None,
    tune: bool | str | tuple[float, float, int] = False,
    size: tuple[int, int] = DEFAULT_SIZE,
    dpi: int = 100,
    view: str = "2d",
    show: Sequence[str] | str | None = None,
    field: bool = False,
    paths: Sequence[str | os.PathLike] | None = None,
) -> Picture:
    """The final figure of ``runs`` over ``surface``: map, paths, loss panel, legend.

    ``noise``/``seed``: Gaussian noise added to every gradient. ``window`` (x0, x1, y0, y1) and
    ``levels`` (a count, values, or "0,1,2") override the surface's. ``tune``: first sweep each
    run's lr (True: the default grid; or "LOW:HIGH:N") and draw it at the best one. ``show``:
    overlays at each head (grad, velocity, step, scale, lookahead); ``field``: the gradient field
    under the paths; ``paths``: CSV files of paths recorded elsewhere (x,y[,label,step,loss]),
    drawn with the runs (alone when no runs or suite are given).
    """
    options = RenderOptions(size=size, dpi=dpi, view=view, show=show or (), field=field)
    scene, notes = _scene(
        surface, runs, suite, start, steps, noise, seed, window, levels, tune, paths, options.show
    )
    return Picture(scene, options, notes)


def animate(
    surface: SurfaceArg = "hills_and_canyon",
    runs: RunsArg = None,
    *,
    suite: SuiteArg = None,
    start: Any = None,
    steps: int = 125,
    noise: float = 0.0,
    seed: int = 0,
    window: Sequence[float] | None = None,
    levels: Levels = None,
    tune: bool | str | tuple[float, float, int] = False,
    size: tuple[int, int] = DEFAULT_SIZE,
    dpi: int = 100,
    view: str = "2d",
    fps: float = 20.0,
    duration: float | None = None,
    hold: float = 1.0,
    quiet: bool = True,
    show: Sequence[str] | str | None = None,
    field: bool = False,
    paths: Sequence[str | os.PathLike] | None = None,
    html: str = "player",
) -> Animation:
    """An animation of ``runs`` over ``surface``, one frame per step (see ``plot``).

    ``duration`` (seconds) thins the frames evenly; ``hold`` holds the last frame; ``quiet``
    False shows a progress bar on a terminal while saving. ``html``: what an .html file holds,
    the interactive ``"player"`` or an H.264 ``"video"`` (3-D views and overlays: the video).
    """
    options = RenderOptions(
        size=size,
        dpi=dpi,
        view=view,
        fps=fps,
        duration=duration,
        hold=hold,
        quiet=quiet,
        show=show or (),
        field=field,
        html=html,
    )
    scene, notes = _scene(
        surface, runs, suite, start, steps, noise, seed, window, levels, tune, paths, options.show
    )
    return Animation(scene, options, notes)


def basins(
    surface: SurfaceArg = "hills_and_canyon",
    runs: RunsArg = None,
    *,
    suite: SuiteArg = None,
    grid: int | None = None,
    steps: int = 125,
    tol: float | None = None,
    window: Sequence[float] | None = None,
    levels: Levels = None,
    size: tuple[int, int] | None = None,
    dpi: int = 100,
) -> BasinMaps:
    """Where each optimizer ends from every start of a ``grid`` x ``grid`` grid over the window.

    Each start is coloured by the minimum it ends in (within ``tol``, default 2% of the window's
    side), shaded by how many steps it took. One vectorised batch per optimizer.
    """
    from landscapes.basins import DEFAULT_GRID, basin_maps, check_grid

    options = RenderOptions(size=size, dpi=dpi)
    pairs = _optimizers(runs, suite, "a basin map")
    surface = _surface(surface, window, levels)
    grid = DEFAULT_GRID if grid is None else grid
    check_grid(grid, steps)
    labels, opts = [label for label, _ in pairs], [opt for _, opt in pairs]
    maps = basin_maps(surface, opts, grid, steps, tol=tol, labels=labels)  # in lockstep
    notes = []
    if not surface.minima:
        notes.append(
            f"{surface.name} lists no minima, so every start that does not diverge counts as "
            "'elsewhere' (the map shows divergence only)"
        )
    return BasinMaps(maps, options, notes)


def sweep(
    surface: SurfaceArg = "hills_and_canyon",
    runs: RunsArg = None,
    *,
    suite: SuiteArg = None,
    lr: str | tuple[float, float, int] | None = None,
    start: Any = None,
    steps: int = 125,
    window: Sequence[float] | None = None,
    levels: Levels = None,
    size: tuple[int, int] | None = None,
    dpi: int = 100,
) -> Sweeps:
    """The final loss of each optimizer at every lr of a log-spaced grid (``lr``: "LOW:HIGH:N"
    or (low, high, n); default 1e-4:10:41), its other hyperparameters kept."""
    from landscapes.sweep import sweeps as run_sweeps

    options = RenderOptions(size=size, dpi=dpi)
    pairs = _optimizers(runs, suite, "a sweep")
    lrs, _ = lr_grid_of(lr)
    surface = _surface(surface, window, levels)
    labels, opts = [label for label, _ in pairs], [opt for _, opt in pairs]
    sweeps = run_sweeps(surface, opts, lrs, start, steps, labels=labels)  # in lockstep
    return Sweeps(sweeps, options)


def history(
    surface: SurfaceArg = "hills_and_canyon",
    runs: RunsArg = None,
    *,
    suite: SuiteArg = None,
    start: Any = None,
    steps: int = 125,
    window: Sequence[float] | None = None,
    levels: Levels = None,
    size: tuple[int, int] | None = None,
    dpi: int = 100,
) -> History:
    """The loss of every run against the step: one panel per suite, one for the loose runs."""
    options = RenderOptions(size=size or HISTORY_SIZE, dpi=dpi)
    groups = run_groups(runs, suite)
    surface = _surface(surface, window, levels)

    panels = [
        (f"{g.suite} suite", _run_all(surface, list(g.runs), start, steps))
        for g in groups
        if g.suite is not None
    ]
    loose = [pair for g in groups if g.suite is None for pair in g.runs]
    if loose:
        panels.append(("runs", _run_all(surface, loose, start, steps)))
    return History(Histories(surface, panels), options)


def responses(
    methods: str | Sequence[str] | None = None,
    signals: str | Sequence[str] | None = None,
    *,
    seed: int | None = None,
    dpi: int = 100,
    quiet: bool = True,
) -> Responses:
    """The article's update-response curves of ``methods`` on ``signals`` (default: all).

    Saves a directory (one chart per method and signal, one overview per method) or a ``.csv``.
    """
    from landscapes.responses import DEFAULT_SEED, METHODS, SIGNALS, response_table

    options = RenderOptions(size=None, dpi=dpi, quiet=quiet)
    table = response_table(
        _unique(methods, METHODS.canonical),
        _unique(signals, SIGNALS.canonical),
        seed=DEFAULT_SEED if seed is None else seed,
    )
    return Responses(table, options)


def gallery(
    *,
    steps: int = 125,
    size: tuple[int, int] | None = None,
    mp4: bool = False,
    sections: Sequence[str] | None = None,
    surfaces: Sequence[str] | None = None,
    basin_grid: int | None = None,
    response_dpi: int | None = None,
    jobs: int = 2,
    quiet: bool = True,
) -> Gallery:
    """The article's figures and more; ``save(directory)`` renders them all and the README.

    ``sections`` and ``surfaces`` build a part only; ``jobs`` worker processes share the work.
    """
    from .galleries.plan import GalleryOptions, check_gallery_options

    given = dict(size=size, sections=sections, surfaces=surfaces, basin_grid=basin_grid)
    given["response_dpi"] = response_dpi
    opts = GalleryOptions(
        steps=steps,
        mp4=bool(mp4),
        jobs=jobs,
        quiet=quiet,
        **{k: v for k, v in given.items() if v is not None},
    )
    check_gallery_options(opts)
    return Gallery(opts, opts)


def net(
    data: Any = "moons",
    optimizers: Sequence[str | Optimizer] | None = None,
    *,
    X: Any = None,
    y: Any = None,
    points: int = 500,
    noise: float | None = None,
    model: str = "mlp:16,16",
    activation: str = "tanh",
    steps: int = 300,
    batch: int | None = None,
    seed: int = 0,
    plane: str = "pca",
    grid: int = 100,
    size: tuple[int, int] = DEFAULT_SIZE,
    dpi: int = 100,
    fps: float = 20.0,
    duration: float | None = None,
    hold: float = 1.0,
    quiet: bool = True,
) -> Animation:
    """Train ``model`` on ``data`` (a name, a Dataset, or arrays ``X``, ``y``) with every
    optimizer from one seeded start; the runs projected on the ``plane`` ("pca" or "random")
    with a ``grid`` x ``grid`` loss lattice. With no ``optimizers``: sgd, momentum, adam."""
    from .network import network_scene

    options = RenderOptions(size=size, dpi=dpi, fps=fps, duration=duration, hold=hold, quiet=quiet)
    scene = network_scene(
        data, optimizers, X=X, y=y, points=points, noise=noise, model=model,
        activation=activation, steps=steps, batch=batch, seed=seed, plane=plane, grid=grid,
    )  # fmt: skip
    if scene.insets:  # the browser player draws only the runs; the moving inset needs frames
        options = replace(options, html="video")
    notes = [
        f"{t.label} diverged at step {t.diverged_at}: {t.reason}"
        for t in scene.trajectories
        if t.diverged
    ]
    return Animation(scene, options, notes)


def make_scene(
    surface: SurfaceArg = "hills_and_canyon",
    runs: RunsArg = None,
    *,
    suite: SuiteArg = None,
    start: Any = None,
    steps: int = 125,
    noise: float = 0.0,
    seed: int = 0,
) -> Scene:
    """The runs of ``plot``/``animate`` over ``surface``, without drawing them."""
    return _scene(surface, runs, suite, start, steps, noise, seed, None, None, False, None)[0]


# --- helpers ------------------------------------------------------------------------------------


def _surface(surface: SurfaceArg, window, levels: Levels) -> Surface:
    if isinstance(levels, str):
        from landscapes.levels import parse_levels

        levels = parse_levels(levels)
    return resolve_surface(surface, window, levels)


def _run_all(
    surface: Surface,
    pairs: list,
    start: Any,
    steps: int,
    *,
    noise: float = 0.0,
    seed: int = 0,
    state: bool = False,
) -> list[Trajectory]:
    """Every ``(label, Optimizer)`` run in lockstep from one start; finished runs kept as given."""
    jobs = [(label, item) for label, item in pairs if not isinstance(item, Trajectory)]
    ran = iter(
        forked.aside(  # in a child while the plotting stack loads, if the CLI asked for that
            run_many,
            surface,
            [opt for _, opt in jobs],
            start,
            steps,
            labels=[label for label, _ in jobs],
            noise=noise,
            seed=seed,
            record_state=state,
        )
        if jobs
        else []
    )
    return [item if isinstance(item, Trajectory) else next(ran) for _, item in pairs]


def _optimizers(runs: RunsArg, suite: SuiteArg, what: str) -> list[tuple[str, Optimizer]]:
    pairs = flat_runs(run_groups(runs, suite))
    for label, item in pairs:
        if isinstance(item, Trajectory):
            raise InvalidValueError(
                f"{what} runs optimizers itself; give a spec or an Optimizer, not the finished "
                f"run {label!r}"
            )
    return pairs


def _unique(names: str | Sequence[str] | None, canonical) -> list[str] | None:
    """Canonical names in the order given, repeats dropped; None stays None (= all)."""
    if isinstance(names, str):
        names = [names]
    return None if names is None else list(dict.fromkeys(canonical(n) for n in names))


def lr_grid_of(lr: str | tuple[float, float, int] | None) -> tuple[np.ndarray, str]:
    """The lr grid ``lr`` names ("LOW:HIGH:N", (low, high, n), None: the default) and its text."""
    from landscapes.sweep import DEFAULT_LR_GRID, lr_grid, parse_lr_grid

    if lr is None:
        lr = DEFAULT_LR_GRID
    if isinstance(lr, str):
        return parse_lr_grid(lr), lr
    try:
        low, high, n = lr
    except (TypeError, ValueError):
        raise InvalidValueError(f"lr grid {lr!r} must be LOW:HIGH:N or (low, high, n)") from None
    return lr_grid(low, high, n), f"{low:g}:{high:g}:{n}"


def _scene(
    surface, runs, suite, start, steps, noise, seed, window, levels, tune, paths, show=()
) -> tuple[Scene, list[str]]:
    """Run every requested run from one start (tuning learning rates if asked), add the recorded
    ``paths``, hold shorter paths at their end; and the notes."""
    from landscapes.paths import hold_to, read_paths
    from landscapes.sweep import format_lr
    from landscapes.sweep import tune as tune_lr

    only_paths = bool(paths) and runs is None and suite is None
    pairs = [] if only_paths else flat_runs(run_groups(runs, suite))
    grid = lr_grid_of(None if tune is True else tune) if tune is not False else None
    surface = _surface(surface, window, levels)
    recorded = [t for file in paths or [] for t in read_paths(file, surface)]
    if len(pairs) + len(recorded) > MAX_RUNS:
        raise InvalidValueError(
            f"{len(pairs) + len(recorded)} runs and paths; one picture takes at most {MAX_RUNS}"
        )
    notes: list[str] = []
    records: dict[int, dict] = {}
    for i, (label, item) in enumerate(pairs):
        if grid is None or isinstance(item, Trajectory):
            continue
        lrs, text = grid
        best, result = tune_lr(
            surface, item, lrs, start, steps, label=label, noise=noise, seed=seed
        )
        if result.best_index in (0, lrs.size - 1):
            notes.append(
                f"{label}: the best lr {best.hparams['lr']:g} is at the edge of the grid "
                f"{text}; a wider --lr may find a better one"
            )
        records[i] = result.to_dict()
        del records[i]["label"]
        pairs[i] = (f"{label}, tuned lr={format_lr(best.hparams['lr'])}", best)
    # the state is always recorded: overlays read it and the JSON export writes it
    trajectories = _run_all(surface, pairs, start, steps, noise=noise, seed=seed, state=True)
    for i, record in records.items():
        trajectories[i] = replace(trajectories[i], extra={"tuning": record})
    trajectories += recorded
    longest = max(t.steps for t in trajectories)
    trajectories = [hold_to(t, longest) for t in trajectories]
    if show:
        from .draw.overlays import absent_notes

        notes += absent_notes(trajectories, show)
    for traj in trajectories:
        if traj.diverged:
            notes.append(f"{traj.label} diverged at step {traj.diverged_at}: {traj.reason}")
    return Scene(surface, trajectories, {"noise": noise, "seed": seed}), notes


# --- requests ----------------------------------------------------------------------------------


def execute(request: Request) -> tuple[Product, Path]:
    """Check the request's output, make its product, save it: ``(product, path written)``."""
    output = request.check_output()
    outputs.prepare_output(request.output, allow_dir=output.directory)  # before any work
    # a picture: the runs are computed by a child while this process loads matplotlib
    with forked.meanwhile(None if output.data else _load_plotting):
        product = globals()[request.function](*request.args, **dict(request.kwargs))
    return product, product.save(request.output)


def _load_plotting() -> None:
    """Import what drawing a picture needs (the modules the writers import when they run)."""
    import PIL.Image  # noqa: F401

    import animator.draw.figure  # noqa: F401 - matplotlib, the figure code
    import animator.draw.frames  # noqa: F401
