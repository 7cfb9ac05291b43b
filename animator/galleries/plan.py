"""The gallery: every figure of the article (and a few beyond it), as a declarative list.

Each :class:`Entry` is one call of the Python API (a :class:`~animator.api.Request`), the files it
writes, and a caption naming the surface, the optimizers with their hyperparameters and the
article section it reproduces. The gallery runs the entries (``animator.gallery().save(dir)``),
then writes ``README.md`` from the same list, with each call spelled as the ``animator`` command
line that makes the same files.

Sections follow the article: update responses per method; Nesterov with three momenta on each
surface; the five methods on each surface; the bad start (``two_minima``); then what the article
did not show: learning histories, the classic test functions, and many runs at once (basin maps
and learning-rate sweeps).
"""

from __future__ import annotations

import shlex
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from landscapes import SUITES, InvalidValueError, Suite, get_surface, run_groups
from landscapes.classic import CLASSIC_SURFACES
from landscapes.optimizers import hparams_text
from landscapes.responses import METHODS, SIGNALS
from landscapes.suites import flat_runs
from landscapes.surfaces import ARTICLE_SURFACES

from ..requests import Request
from ..scene import MAX_SIDE, MIN_SIDE

BAD_INIT = "two_minima"
SUITE_ORDER = ("nesterov", "article")

#: Where each response method is discussed in the article.
RESPONSE_SECTION = {
    "momentum": "Nesterov Accelerated Gradient",
    "nesterov": "Nesterov Accelerated Gradient",
    "smoothed_nesterov": "Nesterov Accelerated Gradient",
    "adagrad": "Adagrad",
    "rmsprop": "RMSProp and Adadelta",
    "adadelta_zero": "RMSProp and Adadelta",
    "adadelta_big": "RMSProp and Adadelta",
    "adam": "Adam",
}


@dataclass(frozen=True)
class Section:
    """A group of pictures, as the article groups them."""

    key: str
    title: str
    article: str  # the article's passage it reproduces, or "" for pictures beyond the article
    intro: str


SECTIONS: tuple[Section, ...] = (
    Section(
        "responses",
        "Update responses",
        "Nesterov Accelerated Gradient; Adagrad; RMSProp and Adadelta; Adam",
        "How each method's accumulated update follows a synthetic gradient over 300 epochs, for "
        "three values of its parameter. One overview per method; the single charts are linked.",
    ),
    Section(
        "nesterov",
        "Nesterov with three momenta",
        "“First, let's look at the accelerated Nesterov gradient with different values γ”",
        "Nesterov's accelerated gradient at lr 0.01 with γ = 0.25, 0.9 and 0.975, all from the "
        "article's start (−2.8, −2.5), every one of the 125 steps (the article's animation "
        "stopped at step 118).",
    ),
    Section(
        "article",
        "Five methods from one point",
        "“Now we will consider the different algorithms launched from one point”",
        "Nesterov, RMSProp, Adadelta, Adagrad and Adam with the article's learning rates, from "
        "the article's start, 125 steps.",
    ),
    Section(
        "bad_init",
        "A bad start",
        "“... a bad starting point leaves them no chance”",
        "`two_minima` (the article's `Bad_init`): a shallow well next to the start and the deep "
        "one far away. Both suites.",
    ),
    Section(
        "histories",
        "Learning histories",
        "",
        "Loss against step for every run of both suites on each article surface; the y-axis is "
        "logarithmic where the losses span decades. A cross marks a run that diverged.",
    ),
    Section(
        "classic",
        "Classic test functions",
        "",
        "The article's five methods on the classic optimisation test functions, from each "
        "function's usual start. The article's learning rates were chosen for its own surfaces, "
        "so some runs overshoot or diverge here: that is the point of the page.",
    ),
    Section(
        "inside",
        "Inside the optimizer",
        "",
        "What each method holds at its head, drawn in the run's colour with `--show`: the "
        "negative gradient, the step its momentum contributes, the step it took, its "
        "per-coordinate effective learning rate (an ellipse) and the points where the article's "
        "look-ahead variants take their gradients. `hills_and_canyon` as stills at step 12, "
        "while the runs still move; `two_minima` as animations of its first 40 steps, zoomed on "
        "the shallow well around the start (`--window`), where the effective learning rates "
        "fall by decades. Every arrow of a picture shares one length factor, stated in its "
        "legend; an overlay a method does not have is absent for that run. Then the gradient "
        "field (`--field`) under the full runs, and one animation with three overlays.",
    ),
    Section(
        "many_runs",
        "Many runs at once",
        "",
        "Basin-of-attraction maps (where each start of a grid ends, per method of the article "
        "suite) and learning-rate sweeps (the final loss against lr from the article's start).",
    ),
)
SECTIONS += (
    Section(
        "networks",
        "Real networks",
        "",
        "A small network trained on a generated data set by three optimizers from one seeded "
        "start (`animator net`). The map is the training loss on the plane through the start "
        "spanned by the first two principal directions of all runs' parameters; the axes say "
        "how much of the runs' movement each direction holds. The lines are the runs PROJECTED "
        "onto that plane; the loss panel shows their true training loss, the legend their "
        "accuracy on all points.",
    ),
)
SECTION_KEYS: tuple[str, ...] = tuple(s.key for s in SECTIONS)


@dataclass(frozen=True)
class GalleryOptions:
    """What the gallery's pictures look like; the defaults build the committed gallery."""

    steps: int = 125
    size: tuple[int, int] = (864, 576)  # animations; stills are ``still_scale`` times larger
    fps: float = 12.0
    still_scale: float = 1.25
    mp4: bool = False
    response_dpi: int = 72
    basin_grid: int = 100
    sections: tuple[str, ...] = SECTION_KEYS
    surfaces: tuple[str, ...] | None = None  # only these surfaces (None: all); for quick builds
    jobs: int = 2  # worker processes
    quiet: bool = True  # no progress bar, no summary line

    def __post_init__(self) -> None:
        """Checked and canonical once, when made: sections, surface names, sizes, jobs."""
        bad = [k for k in self.sections if k not in SECTION_KEYS]
        if bad:
            raise InvalidValueError(
                f"unknown gallery section {bad[0]!r}; choose from: {', '.join(SECTION_KEYS)}"
            )
        jobs = self.jobs
        if isinstance(jobs, bool) or not isinstance(jobs, int) or not 1 <= jobs <= 64:
            raise InvalidValueError(f"jobs={jobs!r} must be a whole number from 1 to 64")
        set_ = object.__setattr__
        set_(self, "size", tuple(int(v) for v in self.size))
        set_(self, "sections", tuple(self.sections))
        if self.surfaces is not None:
            set_(self, "surfaces", tuple(get_surface(s).name for s in self.surfaces))

    def history_size(self) -> tuple[int, int]:
        """Two panels side by side with their legends below: wider than a still."""
        w, h = _even(self.size[0] * 25 / 18), _even(self.size[1] * 10 / 9)
        return (max(w, 480), max(h, 280))  # smaller leaves no room for the panels

    def keep(self, surface: str) -> bool:
        return self.surfaces is None or surface in self.surfaces

    def still_size(self, scale: float = 1.0) -> tuple[int, int]:
        """Even pixel sizes ``still_scale * scale`` times the animation size."""
        k = self.still_scale * scale
        return (_even(self.size[0] * k), _even(self.size[1] * k))


def _even(x: float) -> int:
    return max(16, 2 * round(x / 2))


def _wxh(size: tuple[int, int]) -> str:
    return f"{size[0]}x{size[1]}"


@dataclass(frozen=True)
class Entry:
    """One command of the gallery: what it runs, what it writes and how the README shows it."""

    section: str
    heading: str  # entries sharing a heading are shown side by side under it
    role: str  # "final picture", "animation", "overview", ...
    caption: str
    job: Request  # the API call that writes the entry's files
    outputs: tuple[str, ...]  # files written, relative to the gallery directory
    shown: tuple[str, ...] = ()  # outputs embedded as images; the others are linked
    links: dict[str, str] = field(default_factory=dict)  # output -> link text (for the rest)
    links_title: str = ""  # words before the links, e.g. "Single charts:"
    weight: float = 1.0  # rough cost, so the slowest jobs start first

    @property
    def argv(self) -> tuple[str, ...]:
        """The ``animator`` arguments that make the same call."""
        return command_line(self.job)

    def command(self) -> str:
        """The one shell line that rebuilds this entry's files."""
        return "animator " + shlex.join(self.argv)


#: How API keywords are spelled on the command line (others: ``--key``).
FLAGS = {"methods": "--method", "signals": "--signal"}
COMMANDS = {"plot": "render", "animate": "render"}


def command_line(job: Request) -> tuple[str, ...]:
    """The ``animator`` arguments of ``job`` (the keywords the gallery uses)."""
    argv = [COMMANDS.get(job.function, job.function), *map(str, job.args)]
    for key, value in job.kwargs:
        if key == "runs":
            for item in value:
                argv += ["--suite", item.name] if isinstance(item, Suite) else ["-O", str(item)]
            continue
        flag = FLAGS.get(key, "--" + key.replace("_", "-"))
        if value is True:
            argv.append(flag)
        elif key == "size":
            argv += [flag, _wxh(value)]
        elif key in ("window", "start"):  # one flag, several numbers
            argv += [flag, *(f"{v:g}" for v in value)]
        elif isinstance(value, (list, tuple)):
            for v in value:
                argv += [flag, str(v)]
        else:
            argv += [flag, f"{value:g}" if isinstance(value, float) else str(value)]
    return (*argv, "-o", job.output)


def job(function: str, *args: Any, output: str, **kwargs: Any) -> Request:
    return Request(function, args, tuple(kwargs.items()), output)


def _suites(*names: str) -> tuple[Suite, ...]:
    return tuple(SUITES[n] for n in names)


def runs_caption(suite: str) -> str:
    """``nesterov lr=0.01, momentum=0.9; rmsprop lr=0.25, ...``: every run and hyperparameter."""
    pairs = flat_runs(run_groups(suite=suite))
    return "; ".join(f"{opt.name} {hparams_text(opt.name, opt.hparams)}" for _, opt in pairs)


def surface_caption(name: str) -> str:
    """``hills_and_canyon`` with its formula."""
    s = get_surface(name)
    return f"`{name}`: f(x, y) = {s.formula}"


def _start(name: str) -> str:
    x, y = get_surface(name).start
    return f"({x:g}, {y:g})"


def trajectory_entries(
    section: str, surface: str, suite: str, directory: str, opts: GalleryOptions
) -> list[Entry]:
    """The final picture (PNG), the animation (GIF) and, on request, the MP4 of one suite."""
    article = next(s for s in SECTIONS if s.key == section).article
    caption = (
        f"{surface_caption(surface)}. Suite `{suite}`: {runs_caption(suite)}. "
        f"{opts.steps} steps from {_start(surface)}."
    )
    if article:
        caption += f" Article: {article}."
    stem = f"trajectories/{surface}_{suite}"
    base = {"runs": _suites(suite), "steps": opts.steps}
    heading = f"{surface}, {suite} suite"
    png, gif, mp4 = f"{stem}.png", f"{stem}.gif", f"{stem}.mp4"
    entries = [
        Entry(
            section,
            heading,
            "final picture",
            caption,
            job("plot", surface, **base, size=opts.still_size(), output=f"{directory}/{png}"),
            (png,),
            links={png: "final picture (PNG)"},
            weight=2,
        ),
        Entry(
            section,
            heading,
            "animation",
            caption,
            job(
                "animate",
                surface,
                **base,
                size=opts.size,
                fps=opts.fps,
                output=f"{directory}/{gif}",
            ),
            (gif,),
            shown=(gif,),
            weight=10,
        ),
    ]
    if opts.mp4:
        out = f"{directory}/{mp4}"
        argv = job("animate", surface, **base, size=opts.still_size(), fps=25.0, output=out)
        entries.append(
            Entry(
                section,
                heading,
                "video",
                caption,
                argv,
                (mp4,),
                links={mp4: "video (MP4)"},
                weight=8,
            )
        )
    return entries


def response_entries(directory: str, opts: GalleryOptions) -> list[Entry]:
    """One entry per response method: its six charts (linked) and its overview (shown)."""
    entries = []
    for method in METHODS.names():
        info = METHODS[method]
        values = ", ".join(f"{v:g}" for v in info.params)
        caption = (
            f"{info.title} ({info.caption()}), {info.symbol} ∈ {{{values}}}, on six gradient "
            f"signals. Article: {RESPONSE_SECTION.get(method, 'update responses')}."
        )
        charts = {f"responses/{method}_{s}.png": SIGNALS[s].title for s in SIGNALS.names()}
        overview = f"responses/{method}_overview.png"
        argv = job(
            "responses", methods=(method,), dpi=opts.response_dpi, output=f"{directory}/responses"
        )
        entries.append(
            Entry(
                "responses",
                info.title,
                "overview",
                caption,
                argv,
                (*charts, overview),
                shown=(overview,),
                links=charts,
                links_title="Single charts:",
                weight=3,
            )
        )
    return entries


def history_entries(directory: str, opts: GalleryOptions) -> list[Entry]:
    entries = []
    for surface in filter(opts.keep, ARTICLE_SURFACES):
        out = f"histories/{surface}.png"
        caption = (
            f"{surface_caption(surface)}. Suite `nesterov`: {runs_caption('nesterov')}. "
            f"Suite `article`: {runs_caption('article')}. {opts.steps} steps from "
            f"{_start(surface)}."
        )
        argv = job(
            "history",
            surface,
            runs=_suites(*SUITE_ORDER),
            steps=opts.steps,
            size=opts.history_size(),
            output=f"{directory}/{out}",
        )
        entries.append(
            Entry(
                "histories",
                f"{surface}: learning history",
                "history",
                caption,
                argv,
                (out,),
                shown=(out,),
            )
        )
    return entries


def classic_entries(directory: str, opts: GalleryOptions) -> list[Entry]:
    entries = []
    for surface in filter(opts.keep, CLASSIC_SURFACES):
        out = f"classic/{surface}.png"
        s = get_surface(surface)
        caption = (
            f"{surface_caption(surface)}. {s.description} Suite `article`: "
            f"{runs_caption('article')}. {opts.steps} steps from {_start(surface)}."
        )
        argv = job(
            "plot",
            surface,
            runs=_suites("article"),
            steps=opts.steps,
            size=opts.still_size(),
            output=f"{directory}/{out}",
        )
        entries.append(
            Entry(
                "classic", surface, "final picture", caption, argv, (out,), shown=(out,), weight=2
            )
        )
    return entries


#: The article surfaces of the "Inside the optimizer" section: the step their pictures stop at
#: (hills_and_canyon: a still while the runs are moving; two_minima: an animation, since the
#: effective learning rates fall by decades in its first steps) and extra arguments
#: (two_minima: zoom on the well around the start).
INSIDE_SURFACES: dict[str, tuple[int, dict]] = {
    "hills_and_canyon": (12, {}),
    "two_minima": (
        40,
        {
            "window": (-3.6, -1.6, -3.5, -1.5),
            "levels": "3.5,3.505,3.51,3.52,3.54,3.57,3.6,3.65,3.7,3.75,3.8,3.85,3.9,3.95",
        },
    ),
}
#: What each overlay of the section shows (the README's headings).
INSIDE_OVERLAYS = {
    "grad": "the negative gradient (dashed)",
    "velocity": "the step the momentum contributes next",
    "step": "the step just taken",
    "scale": "the per-coordinate effective learning rate",
    "lookahead": "where the look-ahead variants take their gradients",
}
LOOKAHEAD_RUNS = ("smoothed_nesterov", "weighted_nesterov")


def inside_entries(directory: str, opts: GalleryOptions) -> list[Entry]:
    """Each overlay on the article surfaces (stills), the gradient field, one animation."""
    entries = []
    surfaces = [s for s in INSIDE_SURFACES if opts.keep(s)]
    size = opts.still_size()
    for overlay, what in INSIDE_OVERLAYS.items():
        for surface in surfaces:
            moment, extra = INSIDE_SURFACES[surface]
            steps = min(opts.steps, moment)
            runs = _suites("article") + (LOOKAHEAD_RUNS if overlay == "lookahead" else ())
            animated = surface == "two_minima"
            out = f"inside/{surface}_{overlay}." + ("gif" if animated else "png")
            caption = (
                f"{surface_caption(surface)}. Suite `article`: {runs_caption('article')}"
                + (
                    "; and the article's smoothed_nesterov and weighted_nesterov (lr=0.01, "
                    "momentum=0.9)"
                    if overlay == "lookahead"
                    else ""
                )
                + f". `--show {overlay}`, "
                + (f"the first {steps} steps" if animated else f"after {steps} steps")
                + f" from {_start(surface)}."
            )
            kwargs = dict(runs=runs, steps=steps, **extra, show=overlay)
            if animated:
                argv = job("animate", surface, **kwargs, size=opts.size, fps=opts.fps, output="")
            else:
                argv = job("plot", surface, **kwargs, size=size, output="")
            argv = replace(argv, output=f"{directory}/{out}")
            entries.append(
                Entry(
                    "inside",
                    f"{overlay}: {what}",
                    overlay,
                    caption,
                    argv,
                    (out,),
                    shown=(out,),
                    weight=4 if animated else 1,
                )  # fmt: skip
            )
    for surface in surfaces:
        out = f"inside/{surface}_field.png"
        caption = (
            f"{surface_caption(surface)}. Streamlines of −∇f under the article suite's "
            f"{opts.steps} steps from {_start(surface)} (`--field`)."
        )
        argv = job(
            "plot",
            surface,
            runs=_suites("article"),
            steps=opts.steps,
            field=True,
            size=size,
            output=f"{directory}/{out}",
        )
        entries.append(
            Entry("inside", "The gradient field", "field", caption, argv, (out,), shown=(out,))
        )
    if opts.keep("hills_and_canyon"):
        out = "inside/hills_and_canyon_velocity_step_scale.gif"
        caption = (
            f"{surface_caption('hills_and_canyon')}. Suite `article`: {runs_caption('article')}. "
            f"{opts.steps} steps with the velocity (broad pale arrow), the last step (thin "
            "arrow) and the effective learning rate (ellipse) at each head."
        )
        argv = job(
            "animate",
            "hills_and_canyon",
            runs=_suites("article"),
            steps=opts.steps,
            show="velocity,step,scale",
            size=opts.size,
            fps=opts.fps,
            output=f"{directory}/{out}",
        )
        entries.append(
            Entry(
                "inside",
                "All at once, animated",
                "animation",
                caption,
                argv,
                (out,),
                shown=(out,),
                weight=10,
            )  # fmt: skip
        )
    return entries


def many_runs_entries(directory: str, opts: GalleryOptions) -> list[Entry]:
    entries = []
    n = opts.basin_grid
    for surface in filter(opts.keep, ARTICLE_SURFACES):
        basins, sweep = f"many_runs/{surface}_basins.png", f"many_runs/{surface}_sweep.png"
        runs = runs_caption("article")
        heading = f"{surface}: basins and sweep"
        entries.append(
            Entry(
                "many_runs",
                heading,
                "basin map",
                f"{surface_caption(surface)}. Each of {n}×{n} starts over the view window, run "
                f"{opts.steps} steps by each method of the article suite ({runs}), coloured by "
                "the minimum it ends in.",
                job(
                    "basins",
                    surface,
                    runs=_suites("article"),
                    grid=n,
                    steps=opts.steps,
                    size=opts.still_size(1.25),
                    output=f"{directory}/{basins}",
                ),
                (basins,),
                shown=(basins,),
                weight=6,
            )
        )
        entries.append(
            Entry(
                "many_runs",
                heading,
                "learning-rate sweep",
                f"{surface_caption(surface)}. The article suite's methods with every other "
                f"hyperparameter as in the article, 41 learning rates from 1e-4 to 10, "
                f"{opts.steps} steps from {_start(surface)}.",
                job(
                    "sweep",
                    surface,
                    runs=_suites("article"),
                    steps=opts.steps,
                    size=opts.still_size(0.9),
                    output=f"{directory}/{sweep}",
                ),
                (sweep,),
                shown=(sweep,),
                weight=1,
            )
        )
    return entries


#: The network pictures: (name, data set, model, steps); default optimizers sgd, momentum, adam.
NETWORKS = (("moons", "moons", "mlp:16,16", 300), ("spirals", "spirals", "mlp:32,32", 500))


def network_entries(directory: str, opts: GalleryOptions) -> list[Entry]:
    """Per data set a final picture; the first one also animated."""
    from ..network import DEFAULT_NET_RUNS

    entries = []
    for i, (name, data, model, steps) in enumerate(NETWORKS):
        runs = "; ".join(
            f"{o.name} {hparams_text(o.name, o.hparams)}"
            for _, o in flat_runs(run_groups(DEFAULT_NET_RUNS))
        )
        caption = (
            f"`{data}`, 500 points, `{model}` tanh, full batch, {steps} steps from seed 0: "
            f"{runs}. PCA plane, 100×100 loss lattice."
        )
        base = {"data": data, "model": model, "steps": steps}
        png, gif = f"networks/{name}.png", f"networks/{name}.gif"
        heading = f"{data}, {model}"
        entries.append(
            Entry(
                "networks",
                heading,
                "final picture",
                caption,
                job("net", **base, size=opts.still_size(), output=f"{directory}/{png}"),
                (png,),
                shown=(png,),
                weight=3,
            )
        )
        if i == 0:
            argv = job(
                "net",
                **base,
                size=opts.size,
                fps=opts.fps,
                duration=12,
                output=f"{directory}/{gif}",
            )
            entries.append(
                Entry(
                    "networks",
                    heading,
                    "animation",
                    caption,
                    argv,
                    (gif,),
                    shown=(gif,),
                    weight=10,
                )
            )
    return entries


def gallery_entries(directory: str = "gallery", opts: GalleryOptions | None = None) -> list[Entry]:
    """Every entry of the gallery for ``opts.sections``, in the README's order."""
    opts = GalleryOptions() if opts is None else opts
    directory = str(directory).rstrip("/") or "."
    builders = {
        "responses": lambda: response_entries(directory, opts),
        "nesterov": lambda: _suite_section("nesterov", "nesterov", directory, opts),
        "article": lambda: _suite_section("article", "article", directory, opts),
        "bad_init": lambda: [
            e
            for suite in SUITE_ORDER
            if opts.keep(BAD_INIT)
            for e in trajectory_entries("bad_init", BAD_INIT, suite, directory, opts)
        ],
        "histories": lambda: history_entries(directory, opts),
        "classic": lambda: classic_entries(directory, opts),
        "many_runs": lambda: many_runs_entries(directory, opts),
        "inside": lambda: inside_entries(directory, opts),
        "networks": lambda: network_entries(directory, opts),
    }
    return [e for key in SECTION_KEYS if key in opts.sections for e in builders[key]()]


def _suite_section(section: str, suite: str, directory: str, opts: GalleryOptions) -> list[Entry]:
    return [
        e
        for surface in ARTICLE_SURFACES
        if surface != BAD_INIT and opts.keep(surface)
        for e in trajectory_entries(section, surface, suite, directory, opts)
    ]


def readme(
    entries: list[Entry], command: str, sensitive: dict[tuple[str, ...], list[str]] | None = None
) -> str:
    """The gallery's README: every picture once, grouped by section and heading, with commands.

    ``sensitive``: per entry (its argv), the rounding-sensitive runs it draws ("adadelta from
    step 31"), noted under its heading.
    """
    lines = [
        "# Gallery",
        "",
        "The article's figures regenerated from this repository's code, and a few beyond it. "
        "Every picture below names its surface, its optimizers with their hyperparameters and "
        "the article passage it reproduces, with the one command that rebuilds it (run from the "
        "repository root). The whole gallery is rebuilt by:",
        "",
        "```bash",
        command,
        "```",
        "",
        "PNGs are stored with a 256-colour palette to keep the repository small; the commands "
        "write full-colour files.",
        "",
        "Rebuilt on the same machine (same CPU, same library versions) every file is byte for "
        "byte the same. On another CPU, numpy's exp and sin round differently, and runs that "
        "amplify such one-ulp differences (*rounding-sensitive*, noted under their pictures) "
        "may follow another of their equally correct paths past the step given; in the "
        "pictures such a run's line ends at that step in a small diamond and goes on as a "
        "strand of thin lines, the run and its rounding companions.",
        "",
    ]
    present = [s for s in SECTIONS if any(e.section == s.key for e in entries)]
    lines += [f"- [{s.title}](#{_anchor(s.title)})" for s in present] + [""]
    for section in present:
        lines += [f"## {section.title}", ""]
        if section.article:
            lines += [f"*Article: {section.article}*", ""]
        lines += [section.intro, ""]
        group: dict[str, list[Entry]] = {}
        for e in entries:
            if e.section == section.key:
                group.setdefault(e.heading, []).append(e)
        for heading, members in group.items():
            lines += _heading_block(heading, members, sensitive or {})
    return "\n".join(lines).rstrip() + "\n"


def _heading_block(
    heading: str, members: list[Entry], sensitive: dict[tuple[str, ...], list[str]]
) -> list[str]:
    out = [f"### {heading}", ""]
    captions = list(dict.fromkeys(e.caption for e in members))
    out += [" ".join(captions), ""]
    notes = list(dict.fromkeys(n for e in members for n in sensitive.get(e.argv, [])))
    if notes:
        out += [f"*Rounding-sensitive: {'; '.join(notes)}.*", ""]
    shown = [(e.role, path) for e in members for path in e.shown]
    width = 860 // max(1, len(shown))
    if shown:
        out += [
            "<p>"
            + " ".join(f'<img src="{p}" width="{width}" alt="{heading}: {r}">' for r, p in shown)
            + "</p>",
            "",
        ]
    for e in members:
        if e.links:
            links = " · ".join(f"[{text}]({path})" for path, text in e.links.items())
            out += [f"{e.links_title} {links}".strip(), ""]
    out += ["```bash", *(e.command() for e in members), "```", ""]
    return out


def _anchor(title: str) -> str:
    """GitHub's heading anchor: lower case, spaces to hyphens, punctuation dropped."""
    kept = "".join(c for c in title.lower() if c.isalnum() or c in " -_")
    return kept.replace(" ", "-")


def expected_files(entries: list[Entry]) -> list[Path]:
    """Every file the entries write, relative to the gallery directory (README excluded)."""
    return [Path(p) for e in entries for p in e.outputs]


DEFAULT_DIR = "gallery"


def gallery_command(directory: str, opts: GalleryOptions) -> str:
    """The ``animator gallery`` line that rebuilds this gallery (only the options that matter)."""
    argv = ["gallery"]
    if str(directory) != DEFAULT_DIR:
        argv += ["-o", str(directory)]
    if opts.steps != 125:
        argv += ["--steps", str(opts.steps)]
    if tuple(opts.size) != GalleryOptions().size:
        argv += ["--size", _wxh(opts.size)]
    if opts.mp4:
        argv.append("--mp4")
    if tuple(opts.sections) != SECTION_KEYS:
        for section in opts.sections:
            argv += ["--only", section]
    for surface in opts.surfaces or []:
        argv += ["--surface", surface]
    return "animator " + shlex.join(argv)


def _sizes(entries: list[Entry]) -> list[tuple[int, int]]:
    """Every picture size the entries ask for."""
    return [tuple(v) for e in entries for k, v in e.job.kwargs if k == "size" and v is not None]


def _fits(opts: GalleryOptions, size: tuple[int, int]) -> bool:
    entries = gallery_entries(DEFAULT_DIR, replace(opts, size=size))
    return all(MIN_SIDE <= v <= MAX_SIDE for wh in _sizes(entries) for v in wh)


def _largest_side(opts: GalleryOptions, axis: int) -> int:
    """The largest even size side (the other side at its minimum) whose pictures all fit."""
    lo, hi = MIN_SIDE // 2, MAX_SIDE // 2  # halves: sides are even
    while lo < hi:
        mid = (lo + hi + 1) // 2
        size = (2 * mid, MIN_SIDE) if axis == 0 else (MIN_SIDE, 2 * mid)
        lo, hi = (mid, hi) if _fits(opts, size) else (lo, mid - 1)
    return 2 * lo


def check_gallery_options(opts: GalleryOptions) -> None:
    """Before any picture is drawn: every derived picture size fits the limits."""
    bad = [
        wh
        for wh in _sizes(gallery_entries(DEFAULT_DIR, opts))
        if not all(MIN_SIDE <= v <= MAX_SIDE for v in wh)
    ]
    if bad:
        w, h = _largest_side(opts, 0), _largest_side(opts, 1)
        raise InvalidValueError(
            f"--size {opts.size[0]}x{opts.size[1]} is too large for the gallery: its stills and "
            f"charts are drawn larger (up to {bad[0][0]}x{bad[0][1]}, each side at most "
            f"{MAX_SIDE}); give --size from {MIN_SIDE}x{MIN_SIDE} to {w}x{h}"
        )
