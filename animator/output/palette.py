"""Palettes: the few hundred colours a GIF animation or a gallery PNG is stored with.

Both keep the colours a reader must see exactly (flat contour bands, white, black text, the run
colours, even where a run is a thin line of a few dozen pixels) and share the rest of the palette
among anti-aliased edges and gradients by a median cut. A plain median cut would merge a thin
coloured line into a frequent neighbour.

- ``gif_palette``: one palette for every frame of an animation, from the static scene and the
  pixels the runs paint; frames are mapped to it through ``palette_lut`` (a lookup table).
- ``png_palette``: the palette of one still picture (gallery PNGs), the run colours pinned;
  pixels are mapped to it exactly by ``nearest_index``; ``quantize`` does both and says when a
  palette cannot hold the picture.
"""

from __future__ import annotations

import numpy as np

from ..draw.colors import RUN_COLORS

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
PNG_COLORS = 256
#: A still keeps its palette only when at most this share of its pixels change by more than
#: ``MAX_PALETTE_ERROR`` (sum over R, G, B): a few anti-aliased edge pixels may.
MAX_CHANGED_SHARE = 0.001
MAX_PALETTE_ERROR = 60


def rgb_keys(pixels: np.ndarray) -> np.ndarray:
    """One integer per RGB pixel of ``pixels`` (..., 3+): 0xRRGGBB."""
    return (
        (pixels[..., 0].astype(np.uint32) << 16)
        | (pixels[..., 1].astype(np.uint32) << 8)
        | pixels[..., 2]
    )


def keys_rgb(keys: np.ndarray) -> np.ndarray:
    """The inverse of ``rgb_keys``: (N, 3) uint8 colours."""
    keys = np.asarray(keys, dtype=np.uint32)
    return np.stack([(keys >> 16) & 255, (keys >> 8) & 255, keys & 255], -1).astype(np.uint8)


def median_cut(pixels: np.ndarray, n: int) -> np.ndarray:
    """Up to ``n`` colours (M, 3) that share ``pixels`` (K, 3) by median cut (no dithering)."""
    from PIL import Image

    if not len(pixels) or n <= 0:
        return np.zeros((0, 3), dtype=np.uint8)
    img = Image.fromarray(np.ascontiguousarray(pixels.reshape(1, -1, 3)))
    q = img.quantize(colors=n, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
    used = len(q.getcolors(n) or [])
    return np.array(q.getpalette()[: 3 * used], dtype=np.uint8).reshape(-1, 3)


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


def _frequent_colors(pixels: np.ndarray, limit: int | None = None) -> tuple[np.ndarray, float]:
    """Exact colours covering at least 0.2% of ``pixels`` each (most frequent first, at most
    ``limit``), and the share of the pixels they cover."""
    values, counts = np.unique(rgb_keys(pixels), return_counts=True)
    order = np.argsort(counts)[::-1]
    order = order[counts[order] >= max(8, 0.002 * len(pixels))][:limit]
    return values[order], float(counts[order].sum()) / max(1, len(pixels))


def _palette_of(pixels: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Up to ``n`` colours for ``pixels`` (M, 3): frequent exact colours, then median cut."""
    exact, _ = _frequent_colors(pixels, n * 3 // 4)
    rest = pixels[~np.isin(rgb_keys(pixels), exact)]
    return keys_rgb(exact), median_cut(rest, n - len(exact))


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
                lut[lut_keys(np.array(color, dtype=np.uint8))] = where[tuple(color)]
    return lut


def lut_keys(rgb: np.ndarray) -> np.ndarray:
    shift = 8 - LUT_BITS
    r, g, b = (rgb[..., i].astype(np.uint32) >> shift for i in range(3))
    return (r << (2 * LUT_BITS)) | (g << LUT_BITS) | b


def png_palette(rgb: np.ndarray, colors: int = PNG_COLORS) -> np.ndarray:
    """Up to ``colors`` palette colours for ``rgb`` (H, W, 3): the run colours, white and black
    exactly, then the image's most frequent exact colours (flat contour bands, text), then a
    median cut of what is left (anti-aliased edges). A thin run line of a few dozen pixels keeps
    its colour this way; a plain median cut would merge it into a frequent neighbour."""
    flat = rgb.reshape(-1, 3)
    keys = rgb_keys(flat)
    return _png_palette(flat, keys, *np.unique(keys, return_counts=True), colors)


def _png_palette(
    flat: np.ndarray, keys: np.ndarray, values: np.ndarray, counts: np.ndarray, colors: int
) -> np.ndarray:
    pinned = [tuple(int(h[k : k + 2], 16) for k in (1, 3, 5)) for h in RUN_COLORS]
    pinned += [(255, 255, 255), (0, 0, 0)]
    frequent = values[np.argsort(counts)[::-1][: colors // 4]]
    exact = list(dict.fromkeys(pinned + [tuple(c) for c in keys_rgb(frequent).tolist()]))
    rest = flat[~np.isin(keys, frequent, kind="table")]
    exact += [tuple(c) for c in median_cut(rest, colors - len(exact)).tolist()]
    return np.array(exact[:colors], dtype=np.uint8)


def nearest_index(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The index of the nearest palette colour for every pixel (exact: a palette colour maps to
    itself), computed once per distinct colour of the image."""
    keys = rgb_keys(rgb.reshape(-1, 3))
    unique = np.unique(keys)
    return _gather(keys, unique, _nearest(unique, palette)).reshape(rgb.shape[:2])


def _nearest(unique: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The nearest palette index of each colour key of ``unique``."""
    # |c - p|^2 = |c|^2 - 2 c.p + |p|^2, the first term the same for every p. In float32 every
    # term is a whole number below 2**24, so exact: the same argmin (ties: the first) as ints.
    pal = palette.astype(np.float32)
    norms = (pal * pal).sum(-1)
    colours = keys_rgb(unique).astype(np.float32)
    best = np.empty(len(unique), dtype=np.uint8)
    for start in range(0, len(unique), 8192):  # bounded memory: 8192 x 256 distances at a time
        chunk = colours[start : start + 8192]
        best[start : start + 8192] = (norms - 2 * chunk @ pal.T).argmin(1)
    return best


def _gather(keys: np.ndarray, unique: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values[i]`` for every key equal to ``unique[i]``: a table lookup, not a second sort."""
    table = np.zeros(1 << 24, dtype=values.dtype)
    table[unique] = values
    return table[keys]


def quantize(rgb: np.ndarray, colors: int = PNG_COLORS) -> tuple[np.ndarray, np.ndarray] | None:
    """``(nearest_index(rgb, palette), palette)`` with ``palette = png_palette(rgb, colors)``
    (the pixels read once for both), or None when the palette cannot hold the picture: more than
    ``MAX_CHANGED_SHARE`` of its pixels would change by more than ``MAX_PALETTE_ERROR``."""
    flat = rgb.reshape(-1, 3)
    keys = rgb_keys(flat)
    values, counts = np.unique(keys, return_counts=True)
    palette = _png_palette(flat, keys, values, counts, colors)
    best = _nearest(values, palette)
    error = np.abs(palette[best].astype(int) - keys_rgb(values)).sum(-1)
    if counts[error > MAX_PALETTE_ERROR].sum() > MAX_CHANGED_SHARE * len(keys):
        return None
    return _gather(keys, values, best).reshape(rgb.shape[:2]), palette
