"""The picture of a scene: the map with its runs, a loss panel, a legend, a title.

One builder serves the static figure and the animation. ``SceneFigure.set_step(k)`` shows the runs
up to step ``k``; the artists it changes are the *moving* artists. For an animation they are marked
``animated`` so a full draw leaves them out: the static scene is drawn once and kept as a
background, and each frame only draws the moving artists over it (see ``frames.py``). Every moving
artist has a distinct zorder above everything static in its axes, so drawing them in
``moving_artists()`` order gives exactly what a full redraw gives (the legend comes last, above
the lines).

The lines (the runs on the map and their losses) are :class:`Trails`: in an animation they are
painted in time order, so a frame only adds the steps since the last frame to a kept picture of
the earlier ones and costs the same at step 10 as at step 5,000.

A rounding-sensitive run (``Trajectory.rounding_sensitive_from``, see landscapes.sensitivity) is
drawn as it is: up to that step one line; there a small open diamond; from there on a strand of
thin lines, the run and its rounding companions, so the reader sees that its path is one of many.
The legend says from which step.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field

import numpy as np
from matplotlib import colors as mcolors
from matplotlib import patheffects
from matplotlib.artist import Artist
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.path import Path
from matplotlib.text import Text

from landscapes import InvalidValueError, Trajectory
from landscapes.optimizers import hparams_text

from ..scene import RenderOptions, Scene
from .background import RUN_COLORS, draw_surface, mark_minima, mark_start
from .clipping import Box, ClippedPath, clip_path, expand, inside, last_visible
from .overlays import Overlays, draw_field
from .rastertext import RasterText
from .sprite import Sprite
from .ticks import minor_marks

#: The picture is designed at 12 x 8 inches; other sizes scale text, lines and markers.
DESIGN_INCHES = (12.0, 8.0)
#: Runs are clipped to the view grown by this many window sizes on every side.
CLIP_MARGIN = 2.0
#: zorders of the moving artists (above contours, labels, minima and start in the map).
Z_LINE, Z_MINIMA, Z_SENSITIVE, Z_HEAD, Z_CROSS, Z_NOTE = 7.0, 7.5, 7.8, 8.0, 9.0, 10.0
Z_LOSS, Z_CURSOR = 3.0, 4.0
#: zorder of the strands of rounding-sensitive runs: under every run's line, above the map.
Z_STRAND = 6.5
#: Past its sensitive step a run is a thinner line among its companions' faint ones: (line
#: width at scale 1, alpha) of the run, then of each companion.
STRAND_STYLE = ((1.3, 0.95), (0.7, 0.35))


def figure_scale(options: RenderOptions) -> float:
    """How much smaller or larger than the 12x8 in design this picture is (text, lines, marks)."""
    w, h = options.size
    return max(0.35, min(w / options.dpi / DESIGN_INCHES[0], h / options.dpi / DESIGN_INCHES[1]))


def new_figure(options: RenderOptions) -> Figure:
    """A pyplot-free Agg figure of exactly ``options.size`` pixels."""
    w, h = options.size
    # a hair more than w/dpi, so Agg's truncation to whole pixels never loses one
    fig = Figure(figsize=((w + 0.01) / options.dpi, (h + 0.01) / options.dpi), dpi=options.dpi)
    FigureCanvasAgg(fig)
    return fig


def run_name(traj: Trajectory) -> str:
    """Legend name: the run's label and its hyperparameters (eps only when not the default)."""
    shown = hparams_text(traj.optimizer, traj.hparams, "legend")
    label = traj.label
    spec_like = label.startswith((traj.optimizer + ":", traj.optimizer + "("))
    # "nesterov momentum 0.25" (a suite label) says nothing the values in brackets do not
    if label == traj.optimizer or spec_like or _only_names_hparams(label, traj):
        label = traj.optimizer
    return f"{label}  ({shown})" if shown else label


def _only_names_hparams(label: str, traj: Trajectory) -> bool:
    """Whether ``label`` is the optimizer's name followed only by hyperparameter names and numbers
    (a suite label such as ``nesterov momentum 0.25``), which the legend shows anyway."""
    words = label.split()
    if len(words) < 2 or words[0] != traj.optimizer:
        return False
    for word in words[1:]:
        try:
            float(word)
        except ValueError:
            if word not in traj.hparams:
                return False
    return True


def run_status(traj: Trajectory, k: int) -> str:
    """The legend's second line at step ``k``: the current loss, or where the run diverged, and
    from which step it is rounding-sensitive (once that step is shown)."""
    d = traj.diverged_at
    if d is not None and k >= d:
        status = f"diverged at step {d}"
    else:
        value = float(traj.loss[k])
        status = f"loss {value:.3g}" if abs(value) < 1e5 else f"loss {value:.2e}"
        accuracy = traj.extra.get("accuracy")  # networks: accuracy on the training set per step
        if accuracy is not None and accuracy[k] is not None:
            status += f" · accuracy {100 * accuracy[k]:.1f} %"
    sensitive = traj.rounding_sensitive_from
    if sensitive is not None and k >= sensitive:
        status += f" · rounding-sensitive from step {sensitive}"
    return status


def strand_paths(traj: Trajectory) -> tuple[np.ndarray, list[np.ndarray]]:
    """A run's path split at its sensitive step: the path up to it (NaN after) and the strand
    from it (NaN before), the run first, then its companions. No strand if it is not sensitive."""
    k = traj.rounding_sensitive_from
    if k is None or traj.companions is None:
        return traj.xy, []
    before = traj.xy.copy()
    before[k + 1 :] = np.nan
    strand = [traj.xy, *np.moveaxis(traj.companions, 1, 0)]
    return before, [np.concatenate([np.full((k, 2), np.nan), p[k:]]) for p in strand]


def wrap_formula(text: str, width_in: float, fontsize: float) -> str:
    """Wrap a formula between its terms (at " + ") so each line fits ``width_in`` inches."""
    chars = max(20, int(width_in * 72 / (fontsize * 0.6)))
    n_lines = -(-len(text) // chars)
    target = min(chars, int(len(text) / n_lines * 1.1) + 1)  # balanced lines, not one long + stub
    lines: list[str] = []
    for term in text.split(" + "):
        if lines and len(lines[-1]) + 3 + len(term) <= target:
            lines[-1] += " + " + term
        else:
            if lines:
                lines[-1] += " +"
            lines.append(term)
    return "\n".join(line for part in lines for line in textwrap.wrap(part, chars))


@dataclass
class LossScale:
    """The loss panel's y-axis: log when the losses in view span decades, else linear."""

    log: bool
    lo: float
    hi: float

    def forward(self, y: np.ndarray) -> np.ndarray:
        with np.errstate(all="ignore"):
            return np.log10(np.where(y > 0, y, np.nan)) if self.log else y

    def backward(self, y: np.ndarray) -> np.ndarray:
        return 10.0**y if self.log else y


def loss_scale(scene: Scene) -> LossScale:
    """Limits from the points inside the view (a run far outside must not squash the others)."""
    window = scene.surface.window
    seen, every = [], []
    for traj in scene.trajectories:
        finite = np.isfinite(traj.loss)
        every.append(traj.loss[finite])
        seen.append(traj.loss[finite & inside(traj.xy, window)])
    seen_all = np.concatenate(seen) if seen else np.array([])
    every_all = np.concatenate(every) if every else np.array([])
    if not seen_all.size:
        seen_all = every_all if every_all.size else np.array([0.0, 1.0])
    lo = float(min(seen_all.min(), every_all.min() if every_all.size else np.inf))
    hi = float(seen_all.max())
    # A run that leaves the view (or diverges) still shows its loss climbing: the panel makes
    # room for three more decades (log) or twice the range (linear) above the losses in view,
    # and the curve leaves through the top beyond that.
    escaped = every_all.size > seen_all.size and float(every_all.max()) > hi
    decades = escaped and float(every_all.max()) / lo > 50 if lo > 0 else False
    if lo > 0 and (hi / lo > 50 or decades):  # log only when the losses span decades
        hi = min(float(every_all.max()), hi * 1e3) if escaped else hi
        return LossScale(True, lo / 1.6, hi * 1.6)
    if escaped:
        hi = min(float(every_all.max()), hi + 2 * max(hi - lo, 1.0))
    # Changes below a ten-thousandth of the loss (runs stuck on a plateau) are drawn flat: a
    # zoom onto them would only show an offset label such as "1e-8 + 3.9999969".
    flat = hi - lo <= 1e-4 * max(abs(hi), abs(lo))
    pad = max(abs(hi) * 0.1, 0.5) if flat else 0.06 * (hi - lo)
    return LossScale(False, lo - pad, hi + pad)


def brush(ax: Axes, **style) -> Line2D:
    """A line styled and clipped like one of ``ax``'s, but not a child of ``ax``: a
    :class:`Trails` artist draws it (the axes' own draw would paint it a second time)."""
    line = Line2D([], [], **style)
    line.set_figure(ax.figure)
    line.set_transform(ax.transData)
    line.set_clip_path(ax.patch)
    return line


class Trails(Artist):
    """The lines of all runs in one axes, drawn by one artist from step ``a`` to step ``b``.

    A static picture draws each run's whole line, run after run (the last run on top). An
    animation paints in time order: the segments of step ``a + 1`` of every run, then of step
    ``a + 2``, ... up to ``b``, each run's segments with its own line as the brush. So the picture
    up to step ``b`` is the picture up to ``a`` with steps ``a + 1 .. b`` painted over it, which
    lets ``frames.py`` keep it and paint only what is new; a full draw (``a = 0``) paints the
    same pixels. Where runs cross, the later step lies on top.
    """

    def __init__(self, ax: Axes, lines: list[Line2D], paths: list[ClippedPath], *,
                 time_order: bool, zorder: float) -> None:  # fmt: skip
        super().__init__()
        self.lines, self.paths, self.time_order = lines, paths, time_order
        self.a = self.b = 0
        self.set_zorder(zorder)
        ax.add_artist(self)

    def show(self, a: int, b: int) -> None:
        """Draw steps ``a + 1 .. b`` next time (a static picture: everything up to ``b``)."""
        self.a, self.b = a, b
        if not self.time_order:
            for line, path in zip(self.lines, self.paths, strict=True):
                v = path.until(b)
                line.set_data(v[:, 0], v[:, 1])

    def paint_whole(self, renderer, b: int, piece: int = 512) -> None:
        """Each run's line up to step ``b``, run after run as a static picture draws them, in
        pieces of at most ``piece`` vertices: the same colours with bounded memory (Agg keeps a
        cell per pixel a path crosses: tens of MB for a long line winding over itself)."""
        for line, path in zip(self.lines, self.paths, strict=True):
            v = path.until(b)
            for i in range(0, max(len(v) - 1, 1), piece):
                part = v[i : i + piece + 1]
                line.set_data(part[:, 0], part[:, 1])
                line.draw(renderer)

    def draw(self, renderer) -> None:
        if not self.get_visible():
            return
        if not self.time_order:
            for line in self.lines:
                line.draw(renderer)
            return
        pens = [Pen(line, renderer) for line in self.lines]
        for k in range(self.a + 1, self.b + 1):
            for pen, path in zip(pens, self.paths, strict=True):
                lo, hi = path.upto[k - 1], path.upto[k]
                if hi > lo:  # the segments of step k, from the last vertex before them
                    pen.stroke(path.verts[max(lo - 1, 0) : hi])
        for pen in pens:
            pen.close()
        self.stale = False


class Pen:
    """What ``line.set_data(v); line.draw(renderer)`` paints, for many short pieces in a row.

    ``Line2D.draw`` rebuilds its path, transforms and graphics context on every call (about
    75 % of the cost of painting one step's segment); a pen sets the context up once and sends
    each piece through the same steps to the same ``draw_path`` call, so the pixels are the
    same. Lines that are not plain solid lines (dashes, markers, effects) are drawn by the line.
    """

    def __init__(self, line: Line2D, renderer) -> None:
        self.line, self.renderer, self.gc = line, renderer, None
        plain = (
            line.get_visible()
            and not line.is_dashed()
            and line.get_marker() in (None, "None", "none", "")
            and not line.get_path_effects()
            and line.get_sketch_params() is None
            and line.get_linestyle() not in ("None", "none", " ", "")
        )
        if plain:
            gc = renderer.new_gc()
            line._set_gc_clip(gc)
            gc.set_url(line.get_url())
            gc.set_antialiased(line.get_antialiased())
            gc.set_linewidth(line.get_linewidth())
            gc.set_joinstyle(line.get_solid_joinstyle())
            gc.set_capstyle(line.get_solid_capstyle())
            gc.set_snap(line.get_snap())
            gc.set_foreground(mcolors.to_rgba(line.get_color(), line.get_alpha()), isRGBA=True)
            gc.set_dashes(0, None)  # solid, as Line2D.draw sets it
            self.gc, self.transform = gc, line.get_transform()
            self.affine = self.transform.get_affine().frozen()  # fixed while a frame is drawn

    def stroke(self, verts: np.ndarray) -> None:
        if self.gc is None:
            self.line.set_data(verts[:, 0], verts[:, 1])
            self.line.draw(self.renderer)
            return
        path = self.transform.transform_path_non_affine(Path(np.asarray(verts, dtype=float)))
        self.renderer.draw_path(self.gc, path, self.affine)

    def close(self) -> None:
        if self.gc is not None:
            self.gc.restore()


class MapView:
    """The 2-D map: filled contours, colour bar, minima, start; runs drawn as lines."""

    is_3d = False  # a flat map: its lines are Trails

    def __init__(self, fig: Figure, rect, scene: Scene, scale: float) -> None:
        surface = scene.surface
        self.surface = surface
        self.window: Box = surface.window
        self.clip_box: Box = expand(self.window, CLIP_MARGIN)
        ax = fig.add_axes(rect)
        self.ax = ax
        filled = draw_surface(ax, surface, scale=scale)
        # the minima stay visible above the lines (a run's head may still cover one it reached)
        self.on_top = mark_minima(ax, surface, scale=scale)
        for i, marker in enumerate(self.on_top):
            marker.set_zorder(Z_MINIMA + 0.01 * i)
        starts = {tuple(np.round(t.start, 12)) for t in scene.trajectories} or {surface.start}
        for i, xy in enumerate(sorted(starts)):
            mark_start(ax, xy, with_label=i == 0, scale=scale)
        ax.set_xlabel(surface.axis_labels[0], fontsize=10 * scale)
        ax.set_ylabel(surface.axis_labels[1], fontsize=10 * scale)
        ax.tick_params(labelsize=8.5 * scale, width=0.8 * scale, length=3.5 * scale)
        ax.apply_aspect()  # the final box, so the colour bar can sit right beside it
        pos = ax.get_position()
        cax = fig.add_axes([pos.x1 + 0.012, pos.y0, 0.013, pos.height])
        bar = fig.colorbar(filled, cax=cax)
        bar.set_label(surface.axis_labels[2], fontsize=9.5 * scale)
        bar.ax.yaxis.set_major_formatter("{x:g}")  # 6.25 and 8, not 6.25 and 8.00
        cax.tick_params(labelsize=8 * scale, width=0.8 * scale, length=3 * scale)
        self.cax = cax

    def clip_path(self, xy: np.ndarray) -> ClippedPath:
        """The run's path cut to the view grown by ``CLIP_MARGIN`` (lines leave it cleanly)."""
        return clip_path(xy, self.clip_box)

    def line(self, color: str, scale: float, zorder: float) -> Line2D:
        (line,) = self.ax.plot(
            [], [], color=color, lw=2.2 * scale, solid_capstyle="round", zorder=zorder
        )
        return line

    def marker(self, color: str, marker: str, size: float, zorder: float, **style) -> Line2D:
        (m,) = self.ax.plot([], [], ls="none", marker=marker, ms=size, color=color, zorder=zorder)
        m.set(**style)
        return m

    def set_line(self, line: Line2D, verts: np.ndarray) -> None:
        line.set_data(verts[:, 0], verts[:, 1])

    def set_point(self, marker: Line2D, xy: np.ndarray | None) -> None:
        marker.set_data([], []) if xy is None else marker.set_data([xy[0]], [xy[1]])

    def note(self, scale: float, zorder: float) -> Text:
        return self.ax.annotate(
            "",
            (0, 0),
            xytext=(0, 0),
            textcoords="offset points",
            fontsize=9 * scale,
            zorder=zorder,
            annotation_clip=False,
            bbox=dict(boxstyle="round,pad=0.25", fc="white", ec="none", alpha=0.85),
        )

    def place_note(self, note: Text, xy: np.ndarray, text: str, scale: float) -> None:
        """Put ``text`` beside ``xy``, on the side facing the middle of the view."""
        x0, x1, y0, y1 = self.window
        right = xy[0] < (x0 + x1) / 2
        up = xy[1] < (y0 + y1) / 2
        note.xy = (float(xy[0]), float(xy[1]))
        note.set_position((10 * scale if right else -10 * scale, 8 * scale if up else -8 * scale))
        note.set_ha("left" if right else "right")
        note.set_va("bottom" if up else "top")
        note.set_text(text)


@dataclass
class RunArtists:
    """The moving artists of one run and its path cut to the map's clip box."""

    traj: Trajectory
    name: str
    path: ClippedPath
    line: Line2D
    head: Line2D
    cross: Line2D
    note: Text
    loss_path: ClippedPath
    loss_line: Line2D
    end_xy: np.ndarray | None = None  # where the cross goes if the run diverged
    status: Artist | None = None  # the legend's second line: current loss or divergence
    # past its rounding-sensitive step: the strand of thin lines and the diamond where it begins
    strand: list[tuple[Line2D, ClippedPath]] = field(default_factory=list)
    sensitive: Line2D | None = None


@dataclass
class SceneFigure:
    """A built picture: call ``set_step(k)``, then draw (or blit ``moving_artists()``)."""

    fig: Figure
    map: MapView
    ax_loss: Axes
    runs: list[RunArtists]
    legend: Artist
    step_text: Artist
    cursor: Line2D
    steps: int
    scale: float
    animated: bool
    moving: list[Artist] = field(default_factory=list)
    trails: list[Trails] = field(default_factory=list)
    overlays: Overlays | None = None  # what the optimizers hold, at each head (--show)
    insets: tuple = ()  # handles of the scene's insets (Scene.insets)

    @property
    def canvas(self) -> FigureCanvasAgg:
        return self.fig.canvas

    def set_step(self, k: int) -> None:
        """Show every run from step 0 to step ``k`` (the legend shows the loss at step ``k``)."""
        k = int(np.clip(k, 0, self.steps))
        for t in self.trails:
            t.show(0, k)
        for i, r in enumerate(self.runs):
            if self.map.is_3d:  # mplot3d sorts by depth: its lines are redrawn every frame
                self.map.set_line(r.line, r.path.until(k))
                for line, path in r.strand:
                    self.map.set_line(line, path.until(k))
            if r.sensitive is not None:
                at = r.traj.rounding_sensitive_from
                self.map.set_point(r.sensitive, r.traj.xy[at] if k >= at else None)
            xy = r.traj.xy[k]
            shown = np.isfinite(xy).all() and inside(xy, self.map.window)
            self.map.set_point(r.head, xy if shown else None)
            d = r.traj.diverged_at
            gone = d is not None and k >= d and r.end_xy is not None
            self.map.set_point(r.cross, r.end_xy if gone else None)
            r.cross.set_visible(bool(gone))  # an empty marker costs a draw all the same
            r.note.set_visible(bool(gone))
            if r.status is None:
                self.legend.get_texts()[i].set_text(f"{r.name}\n{run_status(r.traj, k)}")
            else:
                r.status.set_text(run_status(r.traj, k))
        if self.overlays is not None:
            self.overlays.set_step(k)
        for inset in self.insets:
            inset.set_step(k)
        if self.animated:
            self.step_text.set_text(f"step {k} / {self.steps}")
            self.cursor.set_xdata([k])
        else:
            self.step_text.set_visible(False)  # the x label says "step"
            self.cursor.set_visible(False)

    def moving_artists(self) -> list[Artist]:
        """The artists ``set_step`` changes, in the order a full draw paints them."""
        return self.moving

    def place_texts(self) -> None:
        """Put the step counter under the loss panel (where its x label would be) and each run's
        status on its legend entry's second line. Call after a draw: it needs their layout."""
        to_fig = self.fig.transFigure.inverted()
        box = self.ax_loss.xaxis.label.get_window_extent()
        self.step_text.set_position(to_fig.transform(((box.x0 + box.x1) / 2, box.y0)))
        for r, text in zip(self.runs, self.legend.get_texts()[: len(self.runs)], strict=True):
            if r.status is not None:
                box = text.get_window_extent()
                r.status.set_position(to_fig.transform((box.x0, box.y0)))

    def set_animated(self, flag: bool) -> None:
        for a in [*self.trails, *self.moving]:
            a.set_animated(flag)


def build_figure(
    scene: Scene,
    options: RenderOptions,
    *,
    animated: bool = False,
    fast_text: bool | None = None,
) -> SceneFigure:
    """Lay out the map, the colour bar, the loss panel, the legend and the title for ``scene``.

    ``animated``: the moving artists are left out of full draws (for blitting) and the step
    counter and cursor are shown. ``fast_text`` (default: ``animated``) draws the changing words
    as cached bitmaps (``RasterText``) instead of matplotlib Text. The pieces are drawn in this
    order (the order of equal-zorder artists is the order they were made).
    """
    fast_text = animated if fast_text is None else fast_text
    n_steps = check_runs(scene)
    s = figure_scale(options)
    fig = new_figure(options)
    top = draw_titles(fig, scene, s)
    view = map_view(fig, scene, options.view, top, s)
    panel = draw_loss_panel(fig, scene, n_steps, top, s, animated=animated, fast_text=fast_text)
    runs = [add_run(view, panel, traj, i, s) for i, traj in enumerate(scene.trajectories)]
    overlays = draw_overlays(view, scene, options, s)
    legend, legend_size = draw_legend(fig, scene, runs, overlays, panel.top, s)
    # Animations: the legend is static (drawn once) and each run's status ("loss 0.0897") is its
    # own small text on the legend entry's empty second line, so a frame redraws a few words,
    # not the legend (placed by ``place_texts`` after the first draw). Static figures write the
    # status into the legend itself.
    if animated:
        for r in runs:
            r.status = moving_text(
                fig, 0, 0, fast_text, fontsize=legend_size, color="0.25", zorder=6
            )
    insets = tuple(inset.attach(fig, s) for inset in scene.insets)  # e.g. a network's boundary
    sf = SceneFigure(
        fig, view, panel.ax, runs, legend, panel.step_text, panel.cursor, n_steps, s, animated,
        moving=moving_artists(view, panel, runs, overlays, insets, animated), overlays=overlays,
        insets=insets, trails=make_trails(view, panel, runs, animated),
    )  # fmt: skip
    sf.set_animated(animated)
    sf.set_step(n_steps)
    minor_marks(panel.ax.yaxis)
    if not view.is_3d:
        minor_marks(view.cax.yaxis)  # the colour bar's level marks
    return sf


def check_runs(scene: Scene) -> int:
    """The common number of steps of the scene's runs, which must be single runs."""
    if not scene.trajectories:
        raise InvalidValueError("nothing to draw: the scene has no runs")
    steps = {t.steps for t in scene.trajectories}
    if any(t.is_batch for t in scene.trajectories) or len(steps) != 1:
        raise InvalidValueError(
            "a picture needs single runs (one start each) with the same number of steps"
        )
    (n_steps,) = steps
    return n_steps


def draw_titles(fig: Figure, scene: Scene, s: float) -> float:
    """The surface's name, then its formula wrapped to the width; the top of the axes below."""
    surface = scene.surface
    fig.text(0.5, 0.985, surface.name, ha="center", va="top", fontsize=14 * s, weight="bold")
    formula = f"{surface.axis_labels[2]} = {surface.formula}"
    formula = wrap_formula(formula, fig.get_figwidth() * 0.94, 10 * s)
    title = fig.text(
        0.5, 0.985 - 0.032 * s / (fig.get_figheight() / 8), formula, ha="center", va="top"
    )
    title.set_fontsize(10 * s)
    n_lines = formula.count("\n") + 1
    top = 0.985 - (0.04 + 0.029 * n_lines + 0.012) * s * 8 / fig.get_figheight()
    return max(top, 0.55)  # tiny pictures: text may crowd, the axes keep a size


def runs_title(scene: Scene) -> str:
    """What was run, heading the legend: steps, start, gradient noise (``scene.meta["display"]``
    may put other words in place of the default, e.g. a network's)."""
    n_steps = scene.trajectories[0].steps
    start = scene.trajectories[0].start
    starts = {tuple(t.start) for t in scene.trajectories}
    where = f"from ({start[0]:g}, {start[1]:g})" if len(starts) == 1 else "from several starts"
    title = scene.meta.get("display", {}).get("runs_title", f"{n_steps} steps {where}")
    if scene.meta.get("noise"):
        title += f"\ngradient noise σ={scene.meta['noise']:g}, seed {scene.meta.get('seed')}"
    return title


def map_view(fig: Figure, scene: Scene, view: str, top: float, s: float):
    """The map: the 2-D contour map or the 3-D surface. Both have one interface (``line``,
    ``marker``, ``note``, ``clip_path``, ``set_line``, ``set_point``, ``place_note``,
    ``on_top``, ``window``, ``ax``), so nothing else in the figure asks which it is."""
    if view == "3d":
        from .view3d import MapView3D

        return MapView3D(fig, [0.01, 0.04, 0.6, top - 0.04], scene, s)
    return MapView(fig, [0.06, 0.065, 0.55, top - 0.075], scene, s)


#: The right-hand column: loss panel on top, legend below.
COLUMN_X = 0.735
LOSS_HEIGHT = 0.36


@dataclass
class LossPanel:
    """The loss panel: its axes, y scale, clip box, step counter and cursor."""

    ax: Axes
    scale: LossScale
    box: Box  # in "scale space" (log10 for a log axis), for clipping like the map
    step_text: Artist
    cursor: Line2D
    top: float

    def path(self, traj: Trajectory) -> ClippedPath:
        """The run's loss against the step, clipped like the map's paths."""
        ls = self.scale
        steps_loss = np.column_stack([np.arange(traj.steps + 1), ls.forward(traj.loss)])
        lp = clip_path(steps_loss, expand(self.box, CLIP_MARGIN))
        return ClippedPath(np.column_stack([lp.verts[:, 0], ls.backward(lp.verts[:, 1])]), lp.upto)


def draw_loss_panel(
    fig: Figure, scene: Scene, n_steps: int, top: float, s: float, *, animated: bool, fast_text
) -> LossPanel:
    loss_top = top - 0.01
    ax_loss = fig.add_axes([COLUMN_X, loss_top - LOSS_HEIGHT, 0.25, LOSS_HEIGHT])
    ls = loss_scale(scene)
    ax_loss.set_xlim(0, max(n_steps, 1))
    ax_loss.set_ylim(ls.lo, ls.hi)
    if ls.log:
        ax_loss.set_yscale("log")
    # in animations the step counter takes the place of the x label (see ``place_texts``)
    ax_loss.set_xlabel(" " if animated else "step", fontsize=11 * s if animated else 9.5 * s)
    label = f"loss {scene.surface.axis_labels[2]}"
    ax_loss.set_ylabel(scene.meta.get("display", {}).get("loss_label", label), fontsize=9.5 * s)
    ax_loss.tick_params(labelsize=8.5 * s, width=0.8 * s, length=3.5 * s)
    ax_loss.grid(True, alpha=0.3, lw=0.6 * s)
    ax_loss.set_axisbelow(True)
    step_text = moving_text(
        fig, 0, 0, fast_text, fontsize=11 * s, weight="bold", zorder=5.5, ha="center"
    )
    box = (-1.0, n_steps + 1.0, *_scaled_limits(ls))
    # The cursor is a marker riding on the step axis: a full-height line would change a pixel in
    # every row of the panel every frame, which costs a GIF more than all the runs together.
    (cursor,) = ax_loss.plot(
        [0], [0], ls="none", marker="^", ms=9 * s, color="0.2", clip_on=False, zorder=Z_CURSOR,
        transform=ax_loss.get_xaxis_transform(),
    )  # fmt: skip
    return LossPanel(ax_loss, ls, box, step_text, cursor, loss_top)


def add_run(view, panel: LossPanel, traj: Trajectory, i: int, s: float) -> RunArtists:
    """The moving artists of run ``i``: its line, head, divergence cross and note on the map,
    its loss line on the panel."""
    color = RUN_COLORS[i % len(RUN_COLORS)]
    zi = i * 0.01
    if view.is_3d:
        line = view.line(color, s, Z_LINE + zi)
    else:  # drawn by the map's Trails, not by the axes
        line = brush(view.ax, color=color, lw=2.2 * s, solid_capstyle="round", zorder=Z_LINE + zi)
    head = view.marker(color, "o", 7.5 * s, Z_HEAD + zi, mec="white", mew=1.2 * s)
    cross = view.marker(color, "X", 13 * s, Z_CROSS + zi, mec="black", mew=0.8 * s)
    cross.set_clip_on(False)  # whole, even where the run left the map at its border
    note = view.note(s, Z_NOTE + zi)
    before, strand = strand_paths(traj)
    path = view.clip_path(before)
    loss_path = panel.path(traj)
    loss_line = brush(panel.ax, color=color, lw=1.6 * s, zorder=Z_LOSS + zi)
    run = RunArtists(traj, run_name(traj), path, line, head, cross, note, loss_path, loss_line)
    for j, xy in enumerate(strand):  # the run (over its companions), then its companions
        width, alpha = STRAND_STYLE[min(j, 1)]
        z = Z_LINE + zi + 0.005 if j == 0 else Z_STRAND + zi + 0.001 * j
        if view.is_3d:
            thin = view.line(color, s * width / 2.2, z)
        else:
            thin = brush(view.ax, color=color, lw=s * width, solid_capstyle="round", zorder=z)
        thin.set_alpha(alpha)
        run.strand.append((thin, view.clip_path(xy)))
    at = traj.rounding_sensitive_from
    if strand and inside(traj.xy[at], view.window):
        run.sensitive = view.marker(color, *SENSITIVE_MARK, Z_SENSITIVE + zi, **_mark_style(s))
    d = traj.diverged_at
    if d is not None:
        end = last_visible(traj.xy, view.window, d - 1)
        run.end_xy = end
        if end is not None:
            where = "" if inside(traj.xy[d - 1], view.window) else " (off the map)"
            view.place_note(note, end, f"diverged at step {d}{where}", s)
    return run


def draw_overlays(view, scene: Scene, options: RenderOptions, s: float) -> Overlays | None:
    """``--field`` under the paths and ``--show`` overlays at the heads (2-D maps only: the
    options refuse them with a 3-D view)."""
    if not (options.show or options.field):
        return None
    if options.field:
        draw_field(view.ax, scene.surface, s)
    if not options.show:
        return None
    colors = [RUN_COLORS[i % len(RUN_COLORS)] for i in range(len(scene.trajectories))]
    return Overlays(view.ax, scene.trajectories, colors, options.show, view.window, s)


def draw_legend(
    fig: Figure, scene: Scene, runs: list[RunArtists], overlays, loss_top: float, s: float
) -> tuple[Artist, float]:
    """The legend under the loss panel (runs, markers, overlay key) and its font size: many
    runs get a smaller font, not a legend that runs off the picture."""
    handles = [
        Line2D([], [], color=r.line.get_color(), lw=2.2 * s, marker="o", ms=7 * s, mec="white",
               mew=s)
        for r in runs
    ]  # fmt: skip
    extra_handles, extra_labels = marker_legend(scene, s)
    if any(r.sensitive is not None for r in runs):
        extra_handles.append(Line2D([], [], ls="none", marker="D", color="0.15", **_mark_style(s)))
        extra_labels.append("rounding-sensitive from here on")
    if overlays is not None:
        key_handles, key_labels = overlays.key(s)
        extra_handles, extra_labels = extra_handles + key_handles, extra_labels + key_labels
    title = runs_title(scene)
    legend_top = loss_top - LOSS_HEIGHT - 0.075
    # lines: title, two per run, one per marker entry
    lines = title.count("\n") + 1 + 2 * len(runs) + len(extra_labels)
    entries = 1 + len(runs) + len(extra_labels)
    room_pt = (legend_top - 0.015) * fig.get_figheight() * 72
    # never below one pixel: FreeType refuses a zero-size font
    legend_size = max(min(9.5 * s, room_pt / (1.22 * lines + 0.55 * entries)), 72 / fig.dpi)
    legend = fig.legend(
        handles + extra_handles,
        [r.name + "\n " for r in runs] + extra_labels,
        loc="upper left",
        bbox_to_anchor=(COLUMN_X - 0.06, legend_top),
        fontsize=legend_size,
        frameon=False,
        handlelength=2.2,
        labelspacing=0.55,
        borderaxespad=0.0,
        title=title,
        title_fontsize=legend_size,
        alignment="left",
    )
    return legend, legend_size


def moving_artists(
    view, panel: LossPanel, runs: list[RunArtists], overlays, insets, animated: bool
) -> list[Artist]:
    """Everything ``set_step`` changes, in the order a full draw paints it: the map's (minima
    kept above the lines), the loss panel's, the insets', then the texts (animations).

    In animations the minima are one cached bitmap (``Sprite``), drawn where they lie.
    """
    moving: list[Artist] = list(view.on_top)
    if animated and moving and not view.is_3d:
        sprite = Sprite(moving, zorder=min(a.get_zorder() for a in moving))
        view.ax.add_artist(sprite)
        moving = [sprite]
    for r in runs:
        if view.is_3d:
            moving += [r.line, *(line for line, _ in r.strand)]
        moving += [r.head, r.cross, r.note]
        moving += [r.sensitive] if r.sensitive is not None else []
    moving += overlays.artists() if overlays is not None else []
    map_moving = sorted(moving, key=lambda a: a.get_zorder())
    texts = [panel.step_text] + [r.status for r in runs]
    inset_moving = [a for handle in insets for a in handle.artists]
    return map_moving + [panel.cursor] + inset_moving + (texts if animated else [])


def make_trails(view, panel: LossPanel, runs: list[RunArtists], animated: bool) -> list[Trails]:
    """The lines as :class:`Trails`: the loss panel's, and the map's (every run's line and the
    strands' thin ones, in zorder) unless the map is 3-D (mplot3d sorts lines by depth)."""
    trails = [Trails(panel.ax, [r.loss_line for r in runs], [r.loss_path for r in runs],
                     time_order=animated, zorder=Z_LOSS)]  # fmt: skip
    if not view.is_3d:
        pairs = [(r.line, r.path) for r in runs] + [pair for r in runs for pair in r.strand]
        pairs.sort(key=lambda pair: pair[0].get_zorder())
        lines, paths = [line for line, _ in pairs], [path for _, path in pairs]
        trails.append(Trails(view.ax, lines, paths, time_order=animated, zorder=Z_STRAND))
    return trails


def moving_text(
    fig: Figure,
    x: float,
    y: float,
    fast: bool,
    *,
    fontsize: float,
    weight: str = "normal",
    color="black",
    zorder: float = 5.0,
    ha: str = "left",
) -> Artist:
    """A one-line text whose bottom-left is at figure fraction (x, y), set with ``set_text``.

    ``fast``: a cached bitmap text (``RasterText``, for animations), else a vector Text.
    """
    if fast:
        text = RasterText(
            x, y, fontsize=fontsize, dpi=fig.dpi, color=color, weight=weight,
            transform=fig.transFigure, zorder=zorder, ha=ha,
        )  # fmt: skip
        return fig.add_artist(text)
    return fig.text(
        x, y, "", fontsize=fontsize, weight=weight, color=color, va="bottom", ha=ha, zorder=zorder
    )


#: The mark where a run becomes rounding-sensitive: (marker, size at scale 1).
SENSITIVE_MARK = ("D", 6.0)


def _mark_style(scale: float) -> dict:
    return dict(ms=SENSITIVE_MARK[1] * scale, mfc="white", mew=1.6 * scale)


def marker_legend(scene: Scene, scale: float) -> tuple[list[Line2D], list[str]]:
    """Legend entries for the start and the kinds of minima the surface has.

    Proxies with a dark outline, since the map's white markers would vanish on the white legend.
    """
    outline = [patheffects.withStroke(linewidth=2.6 * scale, foreground="0.15")]
    handles = [
        Line2D([], [], ls="none", marker="o", ms=8 * scale, mfc="white", mec="black"),
    ]
    labels = ["start"]
    kinds = {m.kind for m in scene.surface.minima}
    if "global" in kinds:
        handles.append(
            Line2D([], [], ls="none", marker="*", ms=13 * scale, mfc="white", mec="black", mew=0.8)
        )
        labels.append("global minimum")
    if "local" in kinds:
        handles.append(
            Line2D([], [], ls="none", marker="o", ms=7 * scale, mfc="none", mec="white",
                   mew=1.5 * scale, path_effects=outline)
        )  # fmt: skip
        labels.append("local minimum")
    return handles, labels


def _scaled_limits(ls: LossScale) -> tuple[float, float]:
    lo, hi = ls.forward(np.array([ls.lo, ls.hi]))
    return float(lo), float(hi)


def render_figure(scene: Scene, options: RenderOptions) -> Figure:
    """The final picture of ``scene``: every run complete, final losses in the legend."""
    return build_figure(scene, options, animated=False).fig
