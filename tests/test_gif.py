"""The streaming GIF encoder and the path clipping, checked against Pillow's decoder and by hand."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from animator.draw.clipping import clip_path, clip_segment
from animator.output.gif import GifWriter, lzw_encode


def _decode(data: bytes) -> list[np.ndarray]:
    frames = []
    with Image.open(io.BytesIO(data)) as im:
        for k in range(im.n_frames):
            im.seek(k)
            frames.append(np.asarray(im.convert("RGB")))
    return frames


@pytest.mark.parametrize("seed", range(12))
def test_gif_writer_round_trips_through_pillow(seed):
    """Random frames (runs of the transparent index, full LZW tables, identical frames) decode
    to exactly the palette colours written; an identical frame lengthens the one before."""
    rng = np.random.default_rng(seed)
    colors = [255, 95, 3][seed % 3]  # 8-, 7- and 2-bit codes
    palette = rng.integers(0, 256, (colors, 3)).astype(np.uint8)
    h, w = int(rng.integers(1, 70)), int(rng.integers(1, 260))
    frames = [rng.integers(0, colors, (h, w)).astype(np.uint8)]
    for _ in range(4):
        f = frames[-1].copy()
        mask = rng.random((h, w)) < rng.choice([0.0, 0.002, 0.05, 0.6, 1.0])
        f[mask] = rng.integers(0, min(colors, rng.choice([2, 6, 255])), int(mask.sum()))
        frames.append(f)
    buf = io.BytesIO()
    writer = GifWriter(buf, (w, h), palette)
    for f in frames:
        writer.add(f, 50)
    writer.close()
    distinct = [frames[0]] + [b for a, b in zip(frames, frames[1:], strict=False) if (a != b).any()]
    decoded = _decode(buf.getvalue())
    assert writer.frames == len(decoded) == len(distinct)
    for got, want in zip(decoded, distinct, strict=True):
        assert np.array_equal(got, palette[want])


def test_lzw_of_a_uniform_block_is_near_the_lzw_floor():
    """1 000 000 equal symbols: greedy LZW needs about sqrt(2 * 1e6) = 1414 codes of 9 to 12
    bits; the run-aware encoder emits exactly that stream, fast."""
    data = lzw_encode(np.full(1_000_000, 255, np.uint8), 8, run_symbol=255)
    assert 1414 * 9 / 8 < len(data) < 1414 * 12 / 8
    assert data == lzw_encode(np.full(1_000_000, 255, np.uint8), 8, run_symbol=None)[: len(data)]


def test_clip_segment_and_path_by_hand():
    box = (-1.0, 1.0, -1.0, 1.0)
    assert clip_segment(np.array([0.0, 0.0]), np.array([2.0, 0.0]), box) == (0.0, 0.5)
    assert clip_segment(np.array([2.0, 2.0]), np.array([3.0, 0.0]), box) is None
    path = clip_path(np.array([[0, 0], [2, 0], [3, 0], [0.5, 0.5], [0.5, -5], [0.2, 0.2]]), box)
    nan = np.nan
    expected = [
        [0, 0], [1, 0], [nan, nan], [1, 0.4], [0.5, 0.5], [0.5, -1], [nan, nan],
        [0.5 - 0.3 * 4 / 5.2, -1], [0.2, 0.2],  # y = -1 at t = 4 / 5.2
    ]  # fmt: skip
    np.testing.assert_allclose(path.verts, expected)
    assert path.upto.tolist() == [1, 2, 2, 5, 6, 9]
    # a NaN point (divergence) ends the path
    stopped = clip_path(np.array([[0, 0], [0.5, 0], [nan, nan], [nan, nan]]), box)
    assert stopped.upto.tolist() == [1, 2, 2, 2]
