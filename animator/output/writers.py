"""Picture and animation writers of a scene: .png .svg .pdf .gif .mp4 .html (see registry.py).

Every file goes through ``atomic_path`` (a failed render never leaves half a file). matplotlib,
Pillow and ffmpeg are imported inside the writers, so ``animator list`` starts fast.

- GIF: ONE global palette for all frames (built from the static scene plus the pixels the runs
  paint), frames mapped to it through a lookup table (only the pixels that changed since the last
  frame are looked up), and frame differences (each frame stores only the box that changed,
  unchanged pixels in it transparent), written by the small streaming encoder in ``gif.py``.
- MP4: RGBA frames streamed straight from the canvas to imageio-ffmpeg's own ffmpeg (libx264,
  ``MP4_PRESET``, CRF ``MP4_CRF``, yuv420p so every player can show it).
- HTML: the interactive player (``page.py``); for 3-D views or ``html="video"`` one
  self-contained page with the MP4 inside (base64) in a <video> element, its final frame as poster.
"""

from __future__ import annotations

import base64
import html
import os
from pathlib import Path

import numpy as np

from landscapes import InvalidValueError

from ..scene import RenderOptions, Scene
from .atomic import atomic_path, write_text_atomic
from .palette import gif_palette, lut_keys, palette_lut
from .savefig import save_figure

#: x264 settings shared by the MP4 writer and the benchmark's FFMpegWriter baseline.
MP4_PRESET = "veryfast"
MP4_CRF = 20
MP4_ARGS = ["-preset", MP4_PRESET, "-crf", str(MP4_CRF), "-tune", "animation"]


# --- static figures ---------------------------------------------------------------------------


def write_figure(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """The final picture (every run complete) as PNG, SVG or PDF, by ``path``'s suffix."""
    from ..draw.figure import build_figure

    fmt = Path(path).suffix.lower().lstrip(".")
    fig = build_figure(scene, options, animated=False).fig
    save_figure(fig, path, dpi=options.dpi, metadata=_metadata(fmt, scene))  # reproducible bytes


def _metadata(fmt: str, scene: Scene) -> dict:
    title = f"{scene.surface.name}: " + ", ".join(t.label for t in scene.trajectories)
    return {"Title": title, "Software" if fmt == "png" else "Creator": "landscape-animator"}


# --- animations -------------------------------------------------------------------------------


def _frames(scene: Scene, options: RenderOptions):
    """The frame plan (checked against the limits before drawing) and a ready frame renderer."""
    from ..draw.frames import FrameRenderer, plan_frames

    steps = scene.trajectories[0].steps if scene.trajectories else 0
    plan = plan_frames(steps, options)
    return plan, FrameRenderer(scene, options)


#: What painting the runs' lines for one step costs, against drawing and encoding the rest of a
#: GIF frame (measured: 1.1 and 7.5 ms, article suite, 632x632): a forked part pays it for
#: every step before its first frame, so later parts get fewer frames.
TRAILS_SHARE = 0.15


def write_gif(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """An animated GIF: one global palette, frame differences, the last frame held.

    Where cores are free, later ranges of frames are drawn and encoded by forked copies of this
    process (``forked``), each from the ready figure; the file is the same bytes either way.
    """
    from . import forked
    from .eta import Estimate
    from .gif import GifWriter
    from .progress import Progress

    plan, renderer = _frames(scene, options)
    background = renderer.background_image()
    palette, exact = gif_palette(background, renderer.preview(int(plan.steps[-1])))
    frames = _GifFrames(renderer, palette_lut(palette, exact), plan)
    painting = TRAILS_SHARE * frames.steps_per_frame  # per frame, in (unpainted) frames
    ranges = forked.chunks(len(frames), catch_up=painting / (1 + painting))

    def encode_part(lo: int, hi: int, out, done) -> tuple:
        part = GifWriter(out, renderer.size, palette, header=False)
        frames.encode(part, lo, hi, done)
        return part.detach()

    with (
        atomic_path(path) as tmp,
        open(tmp, "wb") as fh,
        forked.Forked(ranges[1:], encode_part, beside=tmp.parent) as others,
        Progress(len(frames), "frames", quiet=options.quiet) as bar,
    ):
        eta = Estimate(len(frames), "frames", quiet=options.quiet)
        shown = own = 0

        def progress(count: int | None = None) -> None:
            nonlocal shown, own
            own = own if count is None else count
            now = own + others.done()
            bar.update(now - shown)
            eta.tick(now - shown)
            shown = now

        writer = GifWriter(fh, renderer.size, palette)
        frames.encode(writer, *ranges[0], progress)
        for part, data in others.results(poll=progress):
            writer.join(part, data)
        progress()
        writer.close()


class _GifFrames:
    """The frames of a plan as palette indices; after the first frame, only the pixels that
    changed since the last frame are looked up."""

    def __init__(self, renderer, lut: np.ndarray, plan) -> None:
        self.renderer, self.lut = renderer, lut
        self.steps = [int(k) for k in plan.steps]
        self.durations = list(plan.durations_ms())
        self.index: np.ndarray | None = None
        self.before: np.ndarray | None = None

    def __len__(self) -> int:
        return len(self.steps)

    @property
    def steps_per_frame(self) -> float:
        return max(self.steps[-1] - self.steps[0], 1) / max(len(self.steps) - 1, 1)

    def at(self, i: int) -> tuple[np.ndarray, np.ndarray | None]:
        """Frame ``i`` as palette indices (H, W), valid until the next call, and the flat
        positions of the pixels that changed since the last call (None the first time)."""
        rgba = self.renderer.frame(self.steps[i])
        if self.index is None:
            self.index = self.lut[lut_keys(rgba)].astype(np.uint8)
            self.before = rgba.copy().view(np.uint32).reshape(-1)
            return self.index, None
        now = rgba.view(np.uint32).reshape(-1)
        changed = np.flatnonzero(now != self.before)
        self.before[changed] = now[changed]
        self.index.reshape(-1)[changed] = self.lut[lut_keys(rgba.reshape(-1, 4)[changed])]
        return self.index, changed

    def encode(self, writer, lo: int, hi: int, done) -> None:
        """Add frames ``lo`` to ``hi`` - 1 to ``writer`` (primed with frame ``lo`` - 1 when
        ``lo`` > 0), calling ``done(count)`` after each."""
        if lo > 0:
            writer.prime(self.at(lo - 1)[0])
        for i in range(lo, hi):
            index, changed = self.at(i)
            writer.add(index, self.durations[i], changed)
            done(i - lo + 1)


def write_mp4(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """An H.264 MP4: canvas buffers streamed to imageio-ffmpeg's ffmpeg, the last frame held."""
    with atomic_path(path) as tmp:
        _encode_mp4(tmp, scene, options, name=path)


def _encode_mp4(
    tmp: Path, scene: Scene, options: RenderOptions, *, name: str | os.PathLike
) -> None:
    """Encode into ``tmp``; a failure is an OSError naming ``name`` and its real cause."""
    from .eta import Estimate
    from .ffmpeg import FfmpegPipe
    from .progress import Progress

    w, h = options.size
    if w % 2 or h % 2:
        raise InvalidValueError(f"size {w}x{h}: an MP4 needs even sides (H.264), e.g. 1200x800")
    plan, renderer = _frames(scene, options)
    with (
        Progress(plan.total, "frames", quiet=options.quiet) as bar,
        FfmpegPipe(tmp, (w, h), plan.fps, [*MP4_ARGS, "-movflags", "+faststart"], name) as pipe,
    ):
        eta = Estimate(plan.total, "frames", quiet=options.quiet)
        for k in plan.steps:
            pipe.write(renderer.frame(int(k)))  # the canvas buffer itself, no copy
            bar.update()
            eta.tick()
        last = renderer.frame(int(plan.steps[-1]))
        for _ in range(plan.hold):
            pipe.write(last)
            bar.update()


def video_poster(scene: Scene, options: RenderOptions) -> str:
    """The final frame as a PNG data URL: what a <video> shows before it plays (never grey)."""
    from .page import png_bytes

    plan, renderer = _frames(scene, options)
    final = renderer.frame(int(plan.steps[-1]))
    return "data:image/png;base64," + base64.b64encode(png_bytes(final, palette=True)).decode()


def animation_html(
    scene: Scene,
    options: RenderOptions,
    *,
    page: bool = True,
    beside: str | os.PathLike | None = None,
) -> str:
    """The animation as a <video> with the MP4 inside (base64); a whole page if ``page``.

    The MP4 is encoded into a scratch file beside ``beside`` (the command line's target, so a
    full disk is reported for the right file system) or in a temporary directory; both are
    removed on errors and on signals.
    """
    from .atomic import scratch_path

    with scratch_path(beside, ".mp4") as mp4:
        _encode_mp4(mp4, scene, options, name=beside or mp4)
        data = base64.b64encode(mp4.read_bytes()).decode("ascii")
    poster = video_poster(scene, options)
    w, h = options.size
    title = html.escape(f"{scene.surface.name}: " + ", ".join(t.label for t in scene.trajectories))
    video = (
        f'<video width="{w}" height="{h}" style="max-width:100%;height:auto" controls autoplay '
        f'loop muted playsinline title="{title}" poster="{poster}">'
        f'<source type="video/mp4" src="data:video/mp4;base64,{data}">'
        "Your browser cannot play this H.264 video.</video>"
    )
    if not page:
        return video
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        "<style>body{margin:1em;font-family:sans-serif;background:#fff}</style>\n"
        "</head>\n<body>\n"
        f"{video}\n"
        "<p>Made with landscape-animator.</p>\n"
        "</body>\n</html>\n"
    )


def write_html(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """One self-contained page: the interactive player (``page.py``), or the video page for a
    3-D view or when ``options.html`` asks for it."""
    from .page import uses_player, write_player

    if uses_player(options, scene):
        write_player(path, scene, options)
    else:
        write_text_atomic(path, animation_html(scene, options, beside=path))
