"""Picture and animation writers, chosen by suffix: .png .svg .pdf .gif .mp4 .html.

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

from .atomic import atomic_path, write_text_atomic
from .savefig import save_figure
from .scene import RenderOptions, Scene

#: x264 settings shared by the MP4 writer and the benchmark's FFMpegWriter baseline.
MP4_PRESET = "veryfast"
MP4_CRF = 20
MP4_ARGS = ["-preset", MP4_PRESET, "-crf", str(MP4_CRF), "-tune", "animation"]
#: Colours in the GIF palette; one index is left free for Pillow's "unchanged" transparency.
#: GIF palette sizes: a map of flat contour bands needs few colours (and smaller codes make a
#: smaller file); a shaded 3-D surface is a gradient and needs them all. Index 255 is always
#: left free for the "unchanged" transparency.
GIF_COLORS_FLAT = 95
GIF_COLORS_FULL = 255
GIF_MOVING_COLORS = 32  # of which reserved for the pixels the runs, losses and texts paint
#: A background counts as flat when this share of it is covered by its frequent exact colours.
FLAT_COVERAGE = 0.9
LUT_BITS = 6  # RGB -> palette lookup table resolution per channel


# --- static figures ---------------------------------------------------------------------------


def write_figure(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """The final picture (every run complete) as PNG, SVG or PDF, by ``path``'s suffix."""
    from .figure import build_figure
    from .frames import check_options

    check_options(options)
    fmt = Path(path).suffix.lower().lstrip(".")
    fig = build_figure(scene, options, animated=False).fig
    save_figure(fig, path, dpi=options.dpi, metadata=_metadata(fmt, scene))  # reproducible bytes


def _metadata(fmt: str, scene: Scene) -> dict:
    title = f"{scene.surface.name}: " + ", ".join(t.label for t in scene.trajectories)
    return {"Title": title, "Software" if fmt == "png" else "Creator": "landscape-animator"}


# --- animations -------------------------------------------------------------------------------


def _frames(scene: Scene, options: RenderOptions):
    """The frame plan (checked against the limits before drawing) and a ready frame renderer."""
    from .frames import FrameRenderer, plan_frames

    steps = scene.trajectories[0].steps if scene.trajectories else 0
    plan = plan_frames(steps, options)
    return plan, FrameRenderer(scene, options)


def gif_palette(background: np.ndarray, final: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One palette (N, 3) for the whole animation, N <= 255, and its exact colours.

    The frequent exact colours of the static scene (white, the flat contour bands, black text)
    and of the pixels the runs paint (where the last frame differs from the background: the run
    colours, the loss curves, texts) are kept exactly; median cut shares the rest of the palette
    between the anti-aliased edges and gradients of both, so thin coloured lines keep their
    colour.
    """
    moving = final[..., :3][(final != background).any(-1)]
    bg = background[::2, ::2, :3].reshape(-1, 3)
    exact, coverage = _frequent_colors(bg)
    total = GIF_COLORS_FLAT if coverage >= FLAT_COVERAGE else GIF_COLORS_FULL
    n_moving = min(GIF_MOVING_COLORS, len(moving))
    parts = [_palette_of(bg, total - n_moving)]
    if n_moving:
        parts.append(_palette_of(moving, n_moving))
    palette = np.unique(np.concatenate([p for exact, rest in parts for p in (exact, rest)]), axis=0)
    return palette[:total], np.concatenate([exact for exact, _ in parts])


def _rgb_keys(pixels: np.ndarray) -> np.ndarray:
    return (
        (pixels[:, 0].astype(np.uint32) << 16)
        | (pixels[:, 1].astype(np.uint32) << 8)
        | pixels[:, 2]
    )


def _frequent_colors(pixels: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, float]:
    """Exact colours covering at least 0.2% of ``pixels`` each (most frequent first, at most
    ``limit``), and the share of the pixels they cover."""
    values, counts = np.unique(_rgb_keys(pixels), return_counts=True)
    order = np.argsort(counts)[::-1]
    order = order[counts[order] >= max(8, 0.002 * len(pixels))][:limit]
    return values[order], float(counts[order].sum()) / max(1, len(pixels))


def _palette_of(pixels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``n`` colours for ``pixels`` (M, 3): frequent exact colours, then median cut."""
    from PIL import Image

    exact, _ = _frequent_colors(pixels, n * 3 // 4)
    rest = pixels[~np.isin(_rgb_keys(pixels), exact)]
    exact_rgb = np.stack([(exact >> 16) & 255, (exact >> 8) & 255, exact & 255], -1)
    room = n - len(exact)
    others = np.zeros((0, 3))
    if len(rest) and room > 0:
        img = Image.fromarray(np.ascontiguousarray(rest.reshape(1, -1, 3)))
        q = img.quantize(colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        used = len(q.getcolors(room) or [])
        others = np.array(q.getpalette()[: 3 * used]).reshape(-1, 3)
    return exact_rgb.astype(np.uint8), others.astype(np.uint8)


def palette_lut(palette: np.ndarray, pinned: np.ndarray | None = None) -> np.ndarray:
    """Nearest palette index for every colour of a 2**LUT_BITS-per-channel RGB grid (flat).

    The cell of each ``pinned`` colour maps to that colour itself (white stays pure white even
    when a median-cut colour lies nearer the cell's centre).
    """
    from PIL import Image

    n = 1 << LUT_BITS
    step = 256 // n
    axis = np.arange(n, dtype=np.uint8) * step + step // 2
    grid = np.stack(np.meshgrid(axis, axis, axis, indexing="ij"), -1).reshape(n * n, n, 3)
    pal = Image.new("P", (1, 1))
    pal.putpalette(palette.tobytes())
    lut = np.array(Image.fromarray(grid).quantize(palette=pal, dither=Image.Dither.NONE))
    lut = lut.reshape(-1)
    if pinned is not None and len(pinned):
        where = {tuple(c): i for i, c in enumerate(palette.tolist())}
        for color in pinned[::-1].tolist():  # most frequent first in ``pinned``: it wins a cell
            if tuple(color) in where:
                lut[_lut_keys(np.array(color, dtype=np.uint8))] = where[tuple(color)]
    return lut


def _lut_keys(rgb: np.ndarray) -> np.ndarray:
    shift = 8 - LUT_BITS
    r, g, b = (rgb[..., i].astype(np.uint32) >> shift for i in range(3))
    return (r << (2 * LUT_BITS)) | (g << LUT_BITS) | b


def write_gif(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """An animated GIF: one global palette, frame differences, the last frame held."""
    from .gif import GifWriter
    from .progress import Progress

    plan, renderer = _frames(scene, options)
    background = renderer.background_image()
    palette, exact = gif_palette(background, np.array(renderer.frame(int(plan.steps[-1]))))
    lut = palette_lut(palette, exact)
    with (
        atomic_path(path) as tmp,
        open(tmp, "wb") as fh,
        Progress(len(plan.steps), "frames", quiet=options.quiet) as bar,
    ):
        writer = GifWriter(fh, renderer.size, palette)
        previous = index = None
        for k, duration in zip(plan.steps, plan.durations_ms(), strict=True):
            rgba = renderer.frame(int(k))
            if previous is None:
                index = lut[_lut_keys(rgba)].astype(np.uint8)
                previous = rgba.copy()
                before = previous.view(np.uint32).reshape(-1)
            else:  # look up only the pixels that changed since the last frame
                now = rgba.view(np.uint32).reshape(-1)
                changed = np.flatnonzero(now != before)
                before[changed] = now[changed]
                index.reshape(-1)[changed] = lut[_lut_keys(rgba.reshape(-1, 4)[changed])]
            writer.add(index, duration)
            bar.update()
        writer.close()


def write_mp4(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """An H.264 MP4: canvas buffers streamed to imageio-ffmpeg's ffmpeg, the last frame held."""
    with atomic_path(path) as tmp:
        _encode_mp4(tmp, scene, options, name=path)


def _encode_mp4(
    tmp: Path, scene: Scene, options: RenderOptions, *, name: str | os.PathLike
) -> None:
    """Encode into ``tmp``; a failure is an OSError naming ``name`` and its real cause."""
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
        for k in plan.steps:
            pipe.write(renderer.frame(int(k)))  # the canvas buffer itself, no copy
            bar.update()
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

    if uses_player(options):
        write_player(path, scene, options)
    else:
        write_text_atomic(path, animation_html(scene, options, beside=path))


PICTURE_WRITERS = {
    ".png": write_figure,
    ".svg": write_figure,
    ".pdf": write_figure,
    ".gif": write_gif,
    ".mp4": write_mp4,
    ".html": write_html,
}
