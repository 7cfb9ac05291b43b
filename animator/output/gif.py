"""A small streaming GIF89a writer: one global palette, frame differences, transparent runs.

Why not Pillow's ``save_all``: it compares and copies whole frames several times per frame,
keeps every frame in memory until the end, and its LZW encoder spends about 2 KB on a
transparent 900x570 block, where LZW needs about 1.3 KB. In an animation where each frame
changes a few thousand pixels spread over half the picture, that block *is* the frame, so both
the time and the size of the GIF were set by it.

Here each frame is compared with the previous one as palette indices (numpy), only the bounding
box of the changed pixels is stored, unchanged pixels in it become the transparent index, and
the LZW encoder walks runs of that index code by code instead of pixel by pixel. The first frame
(the whole static scene, no long runs) is encoded by Pillow and copied into the stream.
"""

from __future__ import annotations

import io
from typing import BinaryIO

import numpy as np

MAX_CODE = 4096


def lzw_encode(data: np.ndarray, min_code_size: int = 8, run_symbol: int | None = None) -> bytes:
    """GIF LZW codes of the symbols ``data`` (uint8), packed LSB first (no sub-blocks).

    Runs of ``run_symbol`` are consumed a whole dictionary string at a time, so a frame that is
    mostly one transparent index costs a few thousand loop turns, not a million.
    """
    data = np.ascontiguousarray(data, dtype=np.uint8).ravel()
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    out = bytearray()
    acc = nbits = 0
    size = min_code_size + 1
    table: dict[tuple[int, int], int] = {}
    next_code = eoi + 1
    T = -1 if run_symbol is None else run_symbol
    pure: list[int] = [T]  # pure[m - 1] is the code of T repeated m times
    pure_len: dict[int, int] = {T: 1}

    def emit(code: int) -> None:
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += size
        while nbits >= 8:
            out.append(acc & 0xFF)
            acc >>= 8
            nbits -= 8

    def add(prefix: int, symbol: int) -> None:
        """Emit ``prefix``; add prefix+symbol to the table, or clear the table when it is full."""
        nonlocal next_code, size
        emit(prefix)
        if next_code < MAX_CODE:
            table[(prefix, symbol)] = next_code
            if symbol == T and pure_len.get(prefix) == len(pure):
                pure.append(next_code)
                pure_len[next_code] = len(pure)
            next_code += 1
            if next_code - 1 == (1 << size) and size < 12:
                size += 1
        else:
            emit(clear)
            table.clear()
            del pure[1:]
            pure_len.clear()
            pure_len[T] = 1
            next_code = eoi + 1
            size = min_code_size + 1

    emit(clear)
    w = -1  # nothing read yet
    for is_run, start, stop in _segments(data, run_symbol):
        if not is_run:
            for k in data[start:stop].tolist():
                if w < 0:
                    w = k
                    continue
                code = table.get((w, k))
                if code is None:
                    add(w, k)
                    w = k
                else:
                    w = code
            continue
        remaining = stop - start
        if w < 0:
            w, remaining = T, remaining - 1
        while remaining and w not in pure_len:  # a mixed string meets the run: plain steps
            code = table.get((w, T))
            if code is None:
                add(w, T)
                w = T
            else:
                w = code
            remaining -= 1
        m = pure_len.get(w, 0)
        while remaining:  # w is T^m: jump along the pure codes
            top = len(pure)
            if m + remaining <= top:
                w = pure[m + remaining - 1]
                m += remaining
                break
            remaining -= top - m + 1
            add(pure[top - 1], T)  # T^top is emitted, T^(top+1) joins the table
            w, m = T, 1
    if w >= 0:
        emit(w)
    if next_code == (1 << size) and size < 12:  # the decoder grows its codes one entry late
        size += 1
    emit(eoi)
    if nbits:
        out.append(acc & 0xFF)
    return bytes(out)


def _segments(data: np.ndarray, run_symbol: int | None) -> list[tuple[bool, int, int]]:
    """(is_run, start, stop) pieces of ``data``: runs of ``run_symbol`` (8 or more), the rest."""
    n = len(data)
    if run_symbol is None or n == 0:
        return [(False, 0, n)]
    is_run = np.concatenate([[False], data == run_symbol, [False]])
    edges = np.flatnonzero(np.diff(is_run.astype(np.int8)))
    starts, stops = edges[::2], edges[1::2]
    keep = stops - starts >= 8
    pieces: list[tuple[bool, int, int]] = []
    pos = 0
    for a, b in zip(starts[keep].tolist(), stops[keep].tolist(), strict=True):
        if a > pos:
            pieces.append((False, pos, a))
        pieces.append((True, a, b))
        pos = b
    if pos < n:
        pieces.append((False, pos, n))
    return pieces


def _sub_blocks(data: bytes) -> bytes:
    parts = bytearray()
    for k in range(0, len(data), 255):
        chunk = data[k : k + 255]
        parts.append(len(chunk))
        parts += chunk
    parts.append(0)
    return bytes(parts)


def _pillow_image_data(index: np.ndarray, palette: bytes) -> bytes:
    """LZW min code size + sub-blocks of ``index`` as Pillow encodes it (fast C, full frames)."""
    from PIL import Image

    h, w = index.shape
    image = Image.frombuffer("P", (w, h), np.ascontiguousarray(index), "raw", "P", 0, 1)
    image.putpalette(palette)
    buf = io.BytesIO()
    # no palette= (Pillow would remap the indices), not interlaced (our descriptor says so)
    image.save(buf, format="GIF", optimize=False, interlace=False)
    gif = buf.getvalue()
    pos = 13 + (3 * (2 << (gif[10] & 7)) if gif[10] & 0x80 else 0)
    while gif[pos] == 0x21:  # skip extensions
        pos += 2
        while gif[pos]:
            pos += gif[pos] + 1
        pos += 1
    assert gif[pos] == 0x2C, "Pillow wrote no image descriptor"
    flags = gif[pos + 9]
    pos += 10 + (3 * (2 << (flags & 7)) if flags & 0x80 else 0)
    start = pos
    pos += 1
    while gif[pos]:
        pos += gif[pos] + 1
    return gif[start : pos + 1]


class GifWriter:
    """``add(index, duration_ms)`` frames of palette indices; ``close()`` finishes the file.

    The palette has at most 255 colours. Codes get as few bits as the palette plus one
    transparent "unchanged" index need (the last index of the table): 95 colours make 7-bit
    pixels, which LZW turns into shorter codes. A frame identical to the previous one lengthens
    the previous frame instead of adding one.
    """

    def __init__(self, fh: BinaryIO, size: tuple[int, int], palette: np.ndarray) -> None:
        if len(palette) > 255:
            raise ValueError("a GIF palette here has at most 255 colours (one is transparent)")
        self.fh = fh
        self.width, self.height = int(size[0]), int(size[1])
        self.bits = max(2, int(len(palette)).bit_length())  # room for the palette + 1
        self.TRANSPARENT = (1 << self.bits) - 1
        table = np.zeros((1 << self.bits, 3), dtype=np.uint8)
        table[: len(palette)] = palette
        self.palette = table.tobytes()
        self.previous: np.ndarray | None = None
        self.pending: tuple[int, bool, bytes] | None = None  # (duration, transparent, image)
        self.frames = 0
        fh.write(b"GIF89a")
        fh.write(self.width.to_bytes(2, "little") + self.height.to_bytes(2, "little"))
        fh.write(bytes([0xF0 | (self.bits - 1), 0, 0]))  # global table, 8 bits per channel
        fh.write(self.palette)
        fh.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever

    def add(self, index: np.ndarray, duration_ms: float) -> None:
        """Append a frame of palette indices (H, W) shown for ``duration_ms``."""
        if self.previous is None:
            image = self._descriptor(0, 0, self.width, self.height)
            image += _pillow_image_data(index, self.palette)
            self._push(duration_ms, False, image)
            self.previous = index.copy()
            return
        changed = index != self.previous
        rows = np.flatnonzero(changed.any(axis=1))
        if not len(rows):
            duration, transparent, image = self.pending
            self.pending = (duration + duration_ms, transparent, image)
            return
        cols = np.flatnonzero(changed.any(axis=0))
        y0, y1, x0, x1 = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
        box = np.where(changed[y0:y1, x0:x1], index[y0:y1, x0:x1], self.TRANSPARENT)
        data = lzw_encode(box.astype(np.uint8), self.bits, self.TRANSPARENT)
        image = self._descriptor(x0, y0, x1 - x0, y1 - y0) + bytes([self.bits])
        image += _sub_blocks(data)
        self._push(duration_ms, True, image)
        self.previous[y0:y1, x0:x1] = index[y0:y1, x0:x1]

    @staticmethod
    def _descriptor(x: int, y: int, w: int, h: int) -> bytes:
        return b"\x2c" + b"".join(int(v).to_bytes(2, "little") for v in (x, y, w, h)) + b"\x00"

    def _push(self, duration_ms: float, transparent: bool, image: bytes) -> None:
        self._flush()
        self.pending = (duration_ms, transparent, image)

    def _flush(self) -> None:
        if self.pending is None:
            return
        duration, transparent, image = self.pending
        delay = max(2, round(duration / 10))  # centiseconds; browsers slow down 0 and 1
        packed = (1 << 2) | (1 if transparent else 0)  # disposal 1: leave the frame in place
        self.fh.write(
            b"\x21\xf9\x04"
            + bytes([packed])
            + min(delay, 65535).to_bytes(2, "little")
            + bytes([self.TRANSPARENT if transparent else 0, 0])
        )
        self.fh.write(image)
        self.frames += 1
        self.pending = None

    def close(self) -> None:
        self._flush()
        self.fh.write(b"\x3b")
