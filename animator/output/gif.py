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
import shutil
from typing import BinaryIO

import numpy as np

MAX_CODE = 4096

#: A stored frame: (duration in ms, has transparent pixels, image descriptor + data).
Frame = tuple[float, bool, bytes]
#: What a part of an animation hands over (``GifWriter.detach``): (lead ms, last frame, frames).
#: The lead is the durations one by one: added in the order one writer adds them, the sum is the
#: same float (a sum of sums may differ in the last bit, and so round to another delay).
Part = tuple[tuple[float, ...], Frame | None, int]


def lzw_encode(data: np.ndarray, min_code_size: int = 8, run_symbol: int | None = None) -> bytes:
    """GIF LZW codes of the symbols ``data`` (uint8), packed LSB first (no sub-blocks).

    Runs of ``run_symbol`` are consumed a whole dictionary string at a time, so a frame that is
    mostly one transparent index costs a few thousand loop turns, not a million.
    """
    data = np.ascontiguousarray(data, dtype=np.uint8).ravel()
    if run_symbol is None:
        return _lzw([data.tolist()] if len(data) else [], min_code_size, -1)
    positions = np.flatnonzero(data != run_symbol)
    return lzw_encode_sparse(len(data), positions, data[positions], min_code_size, run_symbol)


def lzw_encode_sparse(
    length: int, positions: np.ndarray, values: np.ndarray, min_code_size: int, fill: int
) -> bytes:
    """``lzw_encode`` of ``length`` symbols that are ``fill`` except ``values`` at the sorted
    ``positions``: the cost follows the number of positions, not ``length``."""
    return _lzw(_pieces(length, positions, values, fill), min_code_size, fill)


#: Shortest run of the fill symbol that is consumed as a run rather than symbol by symbol.
MIN_RUN = 8


def _pieces(length: int, positions: np.ndarray, values: np.ndarray, fill: int) -> list:
    """The symbols in pieces: an int ``n`` is a run of ``n`` fill symbols (``MIN_RUN`` or
    more), a list holds symbols one by one (shorter gaps of fill included)."""
    n = len(positions)
    if n == 0:
        return [length] if length else []
    positions = np.asarray(positions, dtype=np.int64)
    values = np.asarray(values, dtype=np.uint8)
    gaps = np.diff(positions, prepend=-1) - 1  # fill symbols just before each position
    tail = length - 1 - int(positions[-1])
    starts = np.flatnonzero(gaps >= MIN_RUN)
    if not len(starts) or starts[0] != 0:
        starts = np.concatenate([[0], starts])
    ends = np.append(starts[1:], n)
    pieces: list = []
    for a, b in zip(starts.tolist(), ends.tolist(), strict=True):
        gap, lo = int(gaps[a]), int(positions[a])
        if gap >= MIN_RUN:
            pieces.append(gap)
        else:  # only the first piece: its short leading gap joins it
            lo -= gap
        hi = length if b == n and tail < MIN_RUN else int(positions[b - 1]) + 1
        seq = np.full(hi - lo, fill, dtype=np.uint8)
        seq[positions[a:b] - lo] = values[a:b]
        pieces.append(seq.tolist())
    if tail >= MIN_RUN:
        pieces.append(tail)
    return pieces


def _lzw(pieces: list, min_code_size: int, T: int) -> bytes:
    """The LZW code stream of ``pieces`` (see ``_pieces``; ``T`` is the fill symbol).

    The hot loop: the table is keyed by ``prefix << 8 | symbol`` (ints hash faster than
    tuples), and codes are packed 32 bits at a time.
    """
    clear, eoi = 1 << min_code_size, (1 << min_code_size) + 1
    out = bytearray()
    acc = nbits = 0
    size = min_code_size + 1
    table: dict[int, int] = {}
    get = table.get
    next_code = eoi + 1
    pure: list[int] = [T]  # pure[m - 1] is the code of T repeated m times
    pure_len: dict[int, int] = {T: 1}

    def emit(code: int) -> None:
        nonlocal acc, nbits
        acc |= code << nbits
        nbits += size
        if nbits >= 32:
            out.extend((acc & 0xFFFFFFFF).to_bytes(4, "little"))
            acc >>= 32
            nbits -= 32

    def add(prefix: int, key: int, symbol: int) -> None:
        """Emit ``prefix``; add ``key`` (prefix+symbol) to the table, or clear the full table."""
        nonlocal next_code, size
        emit(prefix)
        if next_code < MAX_CODE:
            table[key] = next_code
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
    for piece in pieces:
        if not isinstance(piece, int):
            for k in piece:
                if w < 0:
                    w = k
                    continue
                key = w << 8 | k
                code = get(key)
                if code is None:
                    add(w, key, k)
                    w = k
                else:
                    w = code
            continue
        remaining = piece
        if w < 0:
            w, remaining = T, remaining - 1
        while remaining and w not in pure_len:  # a mixed string meets the run: plain steps
            key = w << 8 | T
            code = get(key)
            if code is None:
                add(w, key, T)
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
            add(pure[top - 1], pure[top - 1] << 8 | T, T)  # T^top out, T^(top+1) in the table
            w, m = T, 1
    if w >= 0:
        emit(w)
    if next_code == (1 << size) and size < 12:  # the decoder grows its codes one entry late
        size += 1
    emit(eoi)
    while nbits > 0:
        out.append(acc & 0xFF)
        acc >>= 8
        nbits -= 8
    return bytes(out)


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

    A part of an animation can be encoded elsewhere (another process, see ``forked``): a writer
    with ``header=False``, ``prime``d with the frame before its part, stores its frames as
    differences; ``detach()`` ends it and ``join()`` appends it to the writer of the frames
    before, with the same bytes as if one writer had added every frame.
    """

    def __init__(
        self, fh: BinaryIO, size: tuple[int, int], palette: np.ndarray, *, header: bool = True
    ) -> None:
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
        self.pending: Frame | None = None  # (duration, transparent, image)
        self.lead: list[float] = []  # ms that lengthen the frame before a primed part
        self.frames = 0
        if not header:
            return
        fh.write(b"GIF89a")
        fh.write(self.width.to_bytes(2, "little") + self.height.to_bytes(2, "little"))
        fh.write(bytes([0xF0 | (self.bits - 1), 0, 0]))  # global table, 8 bits per channel
        fh.write(self.palette)
        fh.write(b"\x21\xff\x0bNETSCAPE2.0\x03\x01\x00\x00\x00")  # loop forever

    def prime(self, index: np.ndarray) -> None:
        """Continue after the frame ``index``, drawn elsewhere: the next frame is stored as its
        difference to it."""
        self.previous = index.copy()

    def add(self, index: np.ndarray, duration_ms: float, changed: np.ndarray | None = None) -> None:
        """Append a frame of palette indices (H, W) shown for ``duration_ms``.

        ``changed``: the sorted flat positions where the frame may differ from the previous one
        (any superset), so that whole frames need not be compared.
        """
        if self.previous is None:
            image = self._descriptor(0, 0, self.width, self.height)
            image += _pillow_image_data(index, self.palette)
            self._push(duration_ms, False, image)
            self.previous = index.copy()
            return
        now, before = index.reshape(-1), self.previous.reshape(-1)
        if changed is None:
            changed = np.flatnonzero(now != before)
        else:
            changed = changed[now[changed] != before[changed]]
        if not len(changed):
            if self.pending is None:  # a primed part that has not changed yet
                self.lead.append(duration_ms)
            else:
                duration, transparent, image = self.pending
                self.pending = (duration + duration_ms, transparent, image)
            return
        values = now[changed]
        before[changed] = values
        rows, cols = np.divmod(changed, self.width)
        y0, y1 = int(rows[0]), int(rows[-1]) + 1
        x0, x1 = int(cols.min()), int(cols.max()) + 1
        inside = (rows - y0) * (x1 - x0) + (cols - x0)  # positions in the box, still sorted
        data = lzw_encode_sparse((y1 - y0) * (x1 - x0), inside, values, self.bits, self.TRANSPARENT)
        image = self._descriptor(x0, y0, x1 - x0, y1 - y0) + bytes([self.bits])
        image += _sub_blocks(data)
        self._push(duration_ms, True, image)

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

    def detach(self) -> Part:
        """End a part: ``(lead, last frame, frames written)``; the last frame is kept back, as a
        later identical frame may still lengthen it."""
        return tuple(self.lead), self.pending, self.frames

    def join(self, part: Part, data: BinaryIO) -> None:
        """Append a part that continued this writer's last frame (``detach()``, its bytes in
        ``data``)."""
        lead, pending, frames = part
        duration, transparent, image = self.pending
        for ms in lead:
            duration += ms
        self.pending = (duration, transparent, image)
        if pending is not None:
            self._flush()
            shutil.copyfileobj(data, self.fh)
            self.frames += frames
            self.pending = pending

    def close(self) -> None:
        self._flush()
        self.fh.write(b"\x3b")
