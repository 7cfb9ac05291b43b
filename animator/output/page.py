"""The interactive player: one self-contained HTML page that plays the runs from their data.

The static scene (filled contours, lines, labels, colour bar, axes, legend, title, start) is drawn
once by the same builder as the PNG/GIF figure and embedded as a palette PNG; the minima, which
the figure draws above the lines, as a second, transparent PNG. The moving parts (paths, heads,
crosses and notes of diverged runs, loss curves, the cursor, the step counter, the current
losses) are drawn in the browser by ``page_assets/player.js`` on a canvas, from the trajectories
embedded as JSON and projected with each axes' exact data -> pixel transform read off the figure.
Nothing is fetched: no fonts, no scripts, no images; the page works offline and inside a
notebook's output.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import json
import math
import os
import secrets
from dataclasses import replace
from importlib import resources
from typing import Any

import numpy as np
from matplotlib.axes import Axes
from matplotlib.colors import to_hex
from matplotlib.markers import MarkerStyle
from matplotlib.transforms import Bbox

from landscapes import InvalidValueError

from ..draw.figure import SceneFigure, build_figure, run_status
from ..scene import RenderOptions, Scene
from .atomic import write_text_atomic

#: The player is for flat maps; a 3-D view falls back to the video page.
PLAYER_VIEWS = ("2d",)
HTML_KINDS = ("player", "video")
#: Significant digits of the coordinates and losses embedded in the page (JSON size vs. detail).
DIGITS = 9
#: Colours of the static PNG's palette (no dithering; exact run colours, white and black pinned).
PNG_COLORS = 256
ASSETS = "page_assets"

_ids = itertools.count()


def check_html_kind(kind: str) -> None:
    if kind not in HTML_KINDS:
        raise InvalidValueError(f"unknown html page {kind!r}; choose from: {', '.join(HTML_KINDS)}")


def uses_player(options: RenderOptions, scene: Scene | None = None) -> bool:
    """Whether an .html output is the interactive player, else the video page: asked for, a 3-D
    view, overlays at the heads (``--show``) or a scene's insets (a network's decision
    boundaries), which only the frame renderer draws."""
    kind = getattr(options, "html", "player")
    check_html_kind(kind)
    return (
        kind == "player"
        and options.view in PLAYER_VIEWS
        and not getattr(options, "show", ())
        and not (scene is not None and getattr(scene, "insets", ()))
    )


# --- numbers and pictures -----------------------------------------------------------------------


def _num(v: float) -> float | None:
    """A JSON number rounded to ``DIGITS`` significant digits; NaN and infinities become null."""
    v = float(v)
    return float(f"{v:.{DIGITS}g}") if math.isfinite(v) else None


def _points(a: np.ndarray) -> list:
    """(M, 2) points as [[x, y] | null]: a row with a non-finite value is a pen-up (null)."""
    return [[_num(x), _num(y)] if math.isfinite(x) and math.isfinite(y) else None for x, y in a]


def image_affine(ax: Axes, height: int) -> list[float]:
    """[sx, tx, sy, ty]: image pixel (origin top-left) = (sx*u + tx, sy*v + ty) for the axes'
    *scaled* data coordinates (u, v) (log10 of the value on a log axis).

    Read off ``ax.transData``'s affine part, so the browser projects exactly as matplotlib did;
    Agg draws display y at image row ``height - y``.
    """
    m = ax.transData.get_affine().get_matrix()
    if abs(m[0, 1]) > 1e-12 or abs(m[1, 0]) > 1e-12:
        raise InvalidValueError("the player needs axes without rotation or shear")
    return [float(m[0, 0]), float(m[0, 2]), -float(m[1, 1]), height - float(m[1, 2])]


def _box(bbox, height: int) -> list[float]:
    """A display-space Bbox as [x0, y0, x1, y1] in image pixels (origin top-left)."""
    return [float(bbox.x0), height - float(bbox.y1), float(bbox.x1), height - float(bbox.y0)]


def _marker_outline(marker: str, size_pt: float, dpi: float) -> list[list[float]]:
    """The outline of a matplotlib marker of ``size_pt`` points, in image pixels around (0, 0)."""
    style = MarkerStyle(marker)
    verts = style.get_transform().transform(style.get_path().vertices)
    px = verts * size_pt * dpi / 72.0
    return [[round(float(x), 3), round(float(-y), 3)] for x, y in px]


def png_bytes(rgba: np.ndarray, *, palette: bool) -> bytes:
    """PNG bytes of an RGBA image: opaque images with a 256-colour palette (``palette``), others
    as RGBA."""
    from PIL import Image

    buf = io.BytesIO()
    if palette:
        from .palette import nearest_index, png_palette

        rgb = np.ascontiguousarray(rgba[..., :3])
        pal = png_palette(rgb, PNG_COLORS)
        img = Image.fromarray(nearest_index(rgb, pal), mode="P")
        img.putpalette(pal.tobytes())
    else:
        img = Image.fromarray(np.ascontiguousarray(rgba), mode="RGBA")
    img.save(buf, format="PNG", optimize=True)
    return buf.getvalue()


def _data_url(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


# --- the player's data ------------------------------------------------------------------------


def _draw_layers(sf: SceneFigure) -> tuple[bytes, bytes, list[float]]:
    """The static scene (palette PNG), the minima overlay (RGBA PNG) and its [x0, y0, x1, y1]."""
    canvas = sf.canvas
    canvas.draw()  # the animated (moving) artists are left out
    background = np.array(canvas.buffer_rgba())
    renderer = canvas.get_renderer()
    renderer.clear()  # transparent
    for artist in getattr(sf.map, "on_top", []):
        sf.fig.draw_artist(artist)
    top = np.array(canvas.buffer_rgba())
    rows, cols = np.nonzero(top[..., 3])
    if len(rows):
        y0, y1, x0, x1 = rows.min(), rows.max() + 1, cols.min(), cols.max() + 1
    else:
        y0, y1, x0, x1 = 0, 1, 0, 1
    overlay = png_bytes(top[y0:y1, x0:x1], palette=False)
    return (
        png_bytes(background, palette=True),
        overlay,
        [float(x0), float(y0), float(x1), float(y1)],
    )


def _sensitive_mark(run, dpi: float) -> dict | None:
    """The open diamond where a rounding-sensitive run's strand begins, or None."""
    mark = getattr(run, "sensitive", None)
    at = getattr(run.traj, "rounding_sensitive_from", None)
    if mark is None or at is None:
        return None
    pt = dpi / 72.0
    return {
        "at": int(at),
        "xy": [_num(v) for v in run.traj.xy[at]],
        "outline": _marker_outline(mark.get_marker(), mark.get_markersize(), dpi),
        "fill": to_hex(mark.get_markerfacecolor()),
        "edge": to_hex(mark.get_markeredgecolor()),
        "edgeWidth": mark.get_markeredgewidth() * pt,
    }


def player_data(scene: Scene, options: RenderOptions) -> dict[str, Any]:
    """Everything the browser needs: both pictures, transforms, styles and the runs."""
    if not uses_player(replace(options, html="player"), scene):
        raise InvalidValueError(
            "the player draws flat maps without --show overlays or insets; use the video page"
        )
    sf = build_figure(scene, options, animated=True, fast_text=False)
    fig, ax, ax_loss = sf.fig, sf.map.ax, sf.ax_loss
    static_png, overlay_png, overlay_box = _draw_layers(sf)
    sf.place_texts()  # positions of the step counter and the status texts (needs that draw)
    width, height = (int(v) for v in sf.canvas.get_width_height())
    dpi = float(fig.dpi)
    pt = dpi / 72.0  # pixels per point
    s = sf.scale
    n = sf.steps
    log = ax_loss.get_yscale() == "log"

    def fig_xy(artist) -> list[float]:
        x, y = fig.transFigure.transform(artist.get_position())
        return [float(x), height - float(y)]

    # every line of the map in zorder (a run's line, and past a rounding-sensitive step its
    # strand: the run thin, its companions faint, under all runs' lines), as a full draw paints
    lines = []
    for i, r in enumerate(sf.runs):
        for line, path in [(r.line, r.path), *getattr(r, "strand", [])]:
            lines.append((line.get_zorder(), i, line, path))
    map_lines = [
        {
            "run": i,
            "verts": _points(path.verts),
            "upto": path.upto.tolist(),
            "color": to_hex(line.get_color()),
            "width": line.get_linewidth() * pt,
            "alpha": 1.0 if line.get_alpha() is None else float(line.get_alpha()),
        }
        for _, i, line, path in sorted(lines, key=lambda item: item[0])
    ]
    legend_texts = sf.legend.get_texts()
    legend_handles = sf.legend.legend_handles
    runs = []
    for i, r in enumerate(sf.runs):
        t = r.traj
        box = Bbox.union(
            [legend_texts[i].get_window_extent(), legend_handles[i].get_window_extent()]
        )
        loss_scaled = r.loss_path.verts.copy()
        with np.errstate(all="ignore"):
            loss_scaled[:, 1] = np.log10(loss_scaled[:, 1]) if log else loss_scaled[:, 1]
        d = t.diverged_at
        note = None
        if r.end_xy is not None and d is not None:
            dx, dy = r.note.get_position()  # offset points
            note = {
                "text": r.note.get_text(),
                "dx": dx * pt,
                "dy": -dy * pt,
                "ha": r.note.get_ha(),
                "va": r.note.get_va(),
            }
        runs.append(
            {
                "name": r.name,
                "label": t.label,
                "optimizer": t.optimizer,
                "hparams": {k: _num(v) for k, v in t.hparams.items()},
                "color": to_hex(r.line.get_color()),
                "xy": _points(t.xy),
                "loss": [_num(v) for v in t.loss],
                "status": [run_status(t, k) for k in range(n + 1)],
                "sensitive": _sensitive_mark(r, dpi),
                "lossPath": {"verts": _points(loss_scaled), "upto": r.loss_path.upto.tolist()},
                "divergedAt": d,
                "end": None if r.end_xy is None else [_num(v) for v in r.end_xy],
                "note": note,
                "legend": _box(box.expanded(1.0, 1.15), height),
                "statusAt": fig_xy(r.status),
            }
        )
    markers = [
        {"name": f"{m.kind} minimum", "xy": [_num(m.xy[0]), _num(m.xy[1])], "f": _num(m.value)}
        for m in scene.surface.minima
    ]
    for xy in {tuple(np.round(t.start, 12)) for t in scene.trajectories}:
        markers.append({"name": "start", "xy": [_num(xy[0]), _num(xy[1])], "f": None})
    legend_size = legend_texts[0].get_fontsize() if legend_texts else 9.5 * s
    title = f"{scene.surface.name}: " + ", ".join(t.label for t in scene.trajectories)
    return {
        "static": _data_url(static_png),
        "title": title,
        "size": [width, height],
        "steps": n,
        "fps": float(options.fps),
        "images": {"overlay": _data_url(overlay_png)},  # the static one is the <img>'s src
        "overlayBox": overlay_box,
        "map": {
            "affine": image_affine(ax, height),
            "clip": _box(ax.bbox, height),
            "window": [float(v) for v in sf.map.window],
        },
        "loss": {
            "affine": image_affine(ax_loss, height),
            "clip": _box(ax_loss.bbox, height),
            "log": log,
        },
        "lines": map_lines,
        "stepAt": fig_xy(sf.step_text),
        "markers": markers,
        "style": {
            "font": '"DejaVu Sans", "Bitstream Vera Sans", Verdana, Geneva, sans-serif',
            "stepFont": 11 * s * pt,
            "statusFont": legend_size * pt,
            "statusColor": to_hex("0.25"),
            "noteFont": 9 * s * pt,
            "line": 2.2 * s * pt,
            "lossLine": 1.6 * s * pt,
            "head": 7.5 * s * pt / 2,
            "headEdge": 1.2 * s * pt,
            "cross": _marker_outline("X", 13 * s, dpi),
            "crossEdge": 0.8 * s * pt,
            "cursor": _marker_outline("^", 9 * s, dpi),
            "cursorColor": to_hex("0.2"),
        },
        "runs": runs,
    }


# --- HTML ---------------------------------------------------------------------------------------


def _asset(name: str) -> str:
    return resources.files(__package__).joinpath(ASSETS, name).read_text(encoding="utf-8")


def _json_for_script(data: dict) -> str:
    """JSON safe inside <script>: no "</script>", no "<!--" (every "<" escaped)."""
    text = json.dumps(data, separators=(",", ":"), allow_nan=False, ensure_ascii=False)
    return text.replace("<", "\\u003c").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")


def player_fragment(scene: Scene, options: RenderOptions, *, standalone: bool = False) -> str:
    """The player as one <div> with its style, data and script (for a page or a notebook)."""
    data = player_data(scene, options)
    static = data.pop("static")
    # unique in a notebook; a page holds one player and is the same bytes every time
    uid = "la-player" if standalone else f"la-player-{secrets.token_hex(4)}-{next(_ids)}"
    w, h = data["size"]
    n = data["steps"]
    title = html.escape(data["title"])
    speeds = "".join(
        f'<option value="{v}"{" selected" if v == 1 else ""}>{label}</option>'
        for v, label in ((0.25, "¼×"), (0.5, "½×"), (1, "1×"), (2, "2×"), (4, "4×"))
    )
    return (
        f'<div class="la-player" id="{uid}" tabindex="0" style="max-width:{w}px" '
        f'aria-label="{title}">\n'
        f"<style>{_asset('player.css')}</style>\n"
        f'<div class="la-figure" style="aspect-ratio:{w}/{h}">'
        f'<img class="la-static" width="{w}" height="{h}" alt="{title}" '
        f'src="{static}">'
        f'<canvas class="la-canvas" width="{w}" height="{h}"></canvas>'
        '<div class="la-tip" role="tooltip" hidden></div></div>\n'
        '<div class="la-controls">'
        '<button type="button" class="la-play" aria-label="play">&#9654;</button>'
        f'<input type="range" class="la-slider" min="0" max="{n}" step="1" value="0" '
        'aria-label="step">'
        f'<output class="la-step">step 0 / {n}</output>'
        f'<label class="la-speed-label">speed <select class="la-speed">{speeds}</select></label>'
        "</div>\n"
        '<p class="la-help">space: play/pause · ←/→: one step · Home/End · click a legend entry '
        "(or press 1–9) to hide or show a run · hover a path or the loss panel for numbers</p>\n"
        f'<script type="application/json" class="la-data">{_json_for_script(data)}</script>\n'
        f"<script>{_asset('player.js')}\nanimatorPlayer(document.getElementById({uid!r}), "
        f"{str(standalone).lower()});</script>\n"
        "</div>"
    )


def player_page(scene: Scene, options: RenderOptions) -> str:
    """A whole self-contained HTML page around the player."""
    title = html.escape(f"{scene.surface.name}: " + ", ".join(t.label for t in scene.trajectories))
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        # nothing may be fetched: no network at all, even if a later edit adds a URL
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "img-src data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\n"
        f"<title>{title}</title>\n"
        "<style>body{margin:1em;font-family:sans-serif;background:#fff;color:#111}</style>\n"
        "</head>\n<body>\n"
        f"{player_fragment(scene, options, standalone=True)}\n"
        "<p>Made with landscape-animator.</p>\n"
        "</body>\n</html>\n"
    )


def write_player(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    """Write the player page to ``path`` (write-then-rename)."""
    write_text_atomic(path, player_page(scene, options))
