"""Building the gallery: every entry's request run in worker processes, then the README.

The jobs run in worker processes (``jobs``, default 2: this is meant for a small machine),
slowest first. PNGs are then stored with a 256-colour palette, which keeps the committed gallery
small.

Ctrl-C: no new job starts, running jobs stop at once (their files are written through a
write-then-rename, so nothing half-written is left), and the build ends with KeyboardInterrupt.
"""

from __future__ import annotations

import contextlib
import multiprocessing
import os
import signal
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np

from .api import execute
from .atomic import atomic_path, write_text_atomic
from .gallery_plan import Entry, GalleryOptions, gallery_command, gallery_entries, readme
from .palette import PNG_COLORS, nearest_index, png_palette
from .progress import Progress

#: Largest change (sum over R, G, B) a palette may make to 99.9 % of the pixels, else the PNG
#: stays as rendered.
MAX_PALETTE_ERROR = 60


def compress_png(path: Path, colors: int = PNG_COLORS) -> None:
    """Store ``path`` with a palette of ``colors`` colours (no dithering, see ``png_palette``),
    unless that is no smaller or visibly changes more than a few edge pixels (then the file
    stays as it was)."""
    from PIL import Image

    with Image.open(path) as img:
        rgb = np.asarray(img.convert("RGB"))
    palette = png_palette(rgb, colors)
    index = nearest_index(rgb, palette)
    quantized = Image.fromarray(index, mode="P")
    quantized.putpalette(palette.tobytes())
    error = np.abs(palette[index].astype(int) - rgb).sum(-1)
    if np.percentile(error, 99.9) > MAX_PALETTE_ERROR:  # a few anti-aliased edge pixels may
        return
    with atomic_path(path) as tmp:
        quantized.save(tmp, format="PNG", optimize=True)
        if tmp.stat().st_size >= path.stat().st_size:
            tmp.write_bytes(path.read_bytes())


def run_entry(entry: Entry, directory: str) -> tuple[float, int]:
    """Run one entry's request in this process; return (seconds, bytes written)."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in diverging runs
        execute(entry.job)
    size = 0
    for rel in entry.outputs:
        path = Path(directory) / rel
        if path.suffix.lower() == ".png":
            compress_png(path)
        size += path.stat().st_size
    return time.perf_counter() - t0, size


# -- worker processes ------------------------------------------------------------------------

_STOP = None  # a multiprocessing.Event set by the parent on Ctrl-C or a failure
_BUSY = False


def _interrupt_if_busy(signum, frame) -> None:
    """Ctrl-C in a worker: stop the running job (cleanly, via KeyboardInterrupt), else ignore."""
    if _BUSY:
        raise KeyboardInterrupt


def _init_worker(stop) -> None:
    global _STOP
    _STOP = stop
    signal.signal(signal.SIGINT, _interrupt_if_busy)


def _worker_job(entry: Entry, directory: str) -> tuple[float, int] | None:
    global _BUSY
    if _STOP is not None and _STOP.is_set():
        return None
    _BUSY = True
    try:
        return run_entry(entry, directory)
    finally:
        _BUSY = False


def build(
    entries: list[Entry], directory: str, *, jobs: int = 2, quiet: bool = False
) -> dict[int, tuple[float, int]]:
    """Run every entry (``jobs`` at a time, heaviest first); return index -> (seconds, bytes)."""
    order = sorted(range(len(entries)), key=lambda i: -entries[i].weight)
    results: dict[int, tuple[float, int]] = {}
    with Progress(len(entries), "pictures", quiet=quiet) as bar:
        if jobs == 1:
            for i in order:
                results[i] = run_entry(entries[i], directory)
                bar.update()
            return results
        methods = multiprocessing.get_all_start_methods()
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        stop = ctx.Event()
        pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker, initargs=(stop,))
        futures: dict[Future, int] = {}
        try:
            futures = {pool.submit(_worker_job, entries[i], directory): i for i in order}
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    results[futures[fut]] = fut.result()  # a job's error ends the build here
                    bar.update()
        except BaseException:
            stop.set()
            for fut in futures:
                fut.cancel()
            for proc in list(getattr(pool, "_processes", {}).values()):
                with contextlib.suppress(OSError):
                    os.kill(proc.pid, signal.SIGINT)  # stop running jobs now (they clean up)
            raise
        finally:
            with contextlib.suppress(BaseException):
                pool.shutdown(wait=True, cancel_futures=True)
    return results


def write_gallery(directory: str | os.PathLike, opts: GalleryOptions, _: object = None) -> None:
    """Every picture of ``opts`` into ``directory``, then its README (the gallery's writer)."""
    directory = str(directory)
    entries = gallery_entries(directory, opts)
    for sub in {Path(directory) / Path(p).parent for e in entries for p in e.outputs}:
        sub.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    results = build(entries, directory, jobs=opts.jobs, quiet=opts.quiet)
    text = readme(entries, gallery_command(directory, opts))
    write_text_atomic(Path(directory) / "README.md", text)
    if not opts.quiet:
        total = sum(size for _, size in results.values())
        files = sum(len(e.outputs) for e in entries)
        print(
            f"{directory}: {files} files, {total / 1e6:.1f} MB, {len(entries)} commands "
            f"in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )
