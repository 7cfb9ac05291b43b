"""``animator gallery``: rebuild every picture of the gallery in parallel, then its README.

Each gallery entry is an ``animator`` command line (see :mod:`animator.gallery`); the jobs run in
worker processes (``--jobs``, default 2: this is meant for a small machine), slowest first. PNGs
are then stored with a 256-colour palette, which keeps the committed gallery small.

The jobs write into a hidden sibling directory (``.gallery.PID-XXXX.tmp``) that replaces the
gallery whole, README included, only when every job has finished: an interrupted or failed
rebuild leaves the old gallery exactly as it was. Ctrl-C, SIGTERM or SIGHUP kill the workers
(which also die with a SIGKILLed parent, on Linux) and remove the build directory; a later run
removes one left by a killed build.
"""

from __future__ import annotations

import argparse
import contextlib
import dataclasses
import glob
import io
import multiprocessing
import os
import shlex
import shutil
import signal
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

import numpy as np

from landscapes import MAX_STEPS, InvalidValueError, get_surface

from .. import signals
from ..arguments import bounded_int, pixel_size
from ..atomic import atomic_path, process_alive, write_text_atomic
from ..colors import RUN_COLORS
from ..gallery import SECTION_KEYS, Entry, GalleryOptions, gallery_entries, readme
from ..outputs import prepare_output
from ..progress import Progress
from ..scene import MAX_SIDE, MIN_SIDE

NAME = "gallery"
DEFAULT_DIR = "gallery"
PALETTE_COLORS = 256
#: Largest change (sum over R, G, B) a palette may make to 99.9 % of the pixels, else the PNG
#: stays as rendered.
MAX_PALETTE_ERROR = 60


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="rebuild the gallery: every figure of the article, and README.md",
        description="Runs every gallery command (in parallel) and writes DIR/README.md with every "
        "picture, its caption and the command that rebuilds it.",
    )
    p.add_argument(
        "-o",
        "--output",
        default=DEFAULT_DIR,
        metavar="DIR",
        help=f"output directory (default {DEFAULT_DIR}/)",
    )
    p.add_argument(
        "--steps", type=bounded_int(1, MAX_STEPS), default=125, help="updates per run (default 125)"
    )
    default = GalleryOptions()
    p.add_argument(
        "--size",
        type=pixel_size(MAX_SIDE),
        default=default.size,
        metavar="WxH",
        help=f"animation size (default {default.size[0]}x{default.size[1]}; "
        f"still pictures are {default.still_scale:g}x larger)",
    )
    p.add_argument("--mp4", action="store_true", help="also write an MP4 of every animation")
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.add_argument(
        "--jobs",
        type=bounded_int(1, 64),
        default=2,
        metavar="N",
        help="worker processes (default 2)",
    )
    # For tests and quick looks: build only some sections, with a coarser basin grid.
    p.add_argument("--only", action="append", choices=SECTION_KEYS, help=argparse.SUPPRESS)
    p.add_argument("--surface", action="append", help=argparse.SUPPRESS)
    p.add_argument("--basin-grid", type=bounded_int(2, 1000), help=argparse.SUPPRESS)
    p.add_argument("--response-dpi", type=bounded_int(20, 600), help=argparse.SUPPRESS)
    p.set_defaults(run=run)


def options_from_args(args: argparse.Namespace) -> GalleryOptions:
    base = GalleryOptions()
    return GalleryOptions(
        steps=args.steps,
        size=tuple(args.size),
        mp4=args.mp4,
        sections=tuple(args.only) if args.only else SECTION_KEYS,
        surfaces=tuple(get_surface(s).name for s in args.surface) if args.surface else None,
        basin_grid=args.basin_grid or base.basin_grid,
        response_dpi=args.response_dpi or base.response_dpi,
    )


def gallery_command(args: argparse.Namespace) -> str:
    """The ``animator gallery`` line that rebuilds this gallery (only the options that matter)."""
    argv = ["gallery"]
    if args.output != DEFAULT_DIR:
        argv += ["-o", args.output]
    if args.steps != 125:
        argv += ["--steps", str(args.steps)]
    if tuple(args.size) != GalleryOptions().size:
        argv += ["--size", f"{args.size[0]}x{args.size[1]}"]
    if args.mp4:
        argv.append("--mp4")
    for section in args.only or []:
        argv += ["--only", section]
    for surface in args.surface or []:
        argv += ["--surface", surface]
    return "animator " + shlex.join(argv)


def palette_for(rgb: np.ndarray, colors: int = PALETTE_COLORS) -> np.ndarray:
    """Up to ``colors`` palette colours for ``rgb`` (H, W, 3): the run colours, white and black
    exactly, then the image's most frequent exact colours (flat contour bands, text), then a
    median cut of what is left (anti-aliased edges). A thin run line of a few dozen pixels keeps
    its colour this way; a plain median cut would merge it into a frequent neighbour."""
    from PIL import Image

    pinned = [tuple(int(h[k : k + 2], 16) for k in (1, 3, 5)) for h in RUN_COLORS]
    pinned += [(255, 255, 255), (0, 0, 0)]
    flat = rgb.reshape(-1, 3)
    keys = (flat[:, 0].astype(np.uint32) << 16) | (flat[:, 1].astype(np.uint32) << 8) | flat[:, 2]
    values, counts = np.unique(keys, return_counts=True)
    frequent = values[np.argsort(counts)[::-1][: colors // 4]]
    exact = list(
        dict.fromkeys(
            pinned + [((v >> 16) & 255, (v >> 8) & 255, v & 255) for v in frequent.tolist()]
        )
    )
    rest = flat[~np.isin(keys, frequent)]
    room = colors - len(exact)
    if len(rest) and room > 0:
        q = Image.fromarray(np.ascontiguousarray(rest.reshape(1, -1, 3))).quantize(
            colors=room, method=Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE
        )
        used = len(q.getcolors(room) or [])
        exact += [tuple(c) for c in np.array(q.getpalette()[: 3 * used]).reshape(-1, 3).tolist()]
    return np.array(exact[:colors], dtype=np.uint8)


def nearest_index(rgb: np.ndarray, palette: np.ndarray) -> np.ndarray:
    """The index of the nearest palette colour for every pixel (exact: a palette colour maps to
    itself), computed once per distinct colour of the image."""
    flat = rgb.reshape(-1, 3)
    keys = (flat[:, 0].astype(np.uint32) << 16) | (flat[:, 1].astype(np.uint32) << 8) | flat[:, 2]
    unique, inverse = np.unique(keys, return_inverse=True)
    colours = np.stack([(unique >> 16) & 255, (unique >> 8) & 255, unique & 255], -1).astype(int)
    best = np.empty(len(unique), dtype=np.uint8)
    pal = palette.astype(int)
    for start in range(0, len(unique), 4096):  # bounded memory: 4096 x 256 distances at a time
        chunk = colours[start : start + 4096]
        best[start : start + 4096] = (((chunk[:, None, :] - pal[None]) ** 2).sum(-1)).argmin(1)
    return best[inverse].reshape(rgb.shape[:2])


def compress_png(path: Path, colors: int = PALETTE_COLORS) -> None:
    """Store ``path`` with a palette of ``colors`` colours (no dithering, see ``palette_for``),
    unless that is no smaller or visibly changes more than a few edge pixels (then the file
    stays as it was)."""
    from PIL import Image

    with Image.open(path) as img:
        rgb = np.asarray(img.convert("RGB"))
    palette = palette_for(rgb, colors)
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
    """Run one entry's command in this process; return (seconds, bytes written)."""
    from ..cli import build_parser

    t0 = time.perf_counter()
    args = build_parser().parse_args(list(entry.argv))
    sink = io.StringIO()  # the command's printed path, notes and progress bars stay quiet
    with (
        contextlib.redirect_stdout(sink),
        contextlib.redirect_stderr(sink),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in diverging runs
        args.run(args)
    size = 0
    for rel in entry.outputs:
        path = Path(directory) / rel
        if path.suffix.lower() == ".png":
            compress_png(path)
        size += path.stat().st_size
    return time.perf_counter() - t0, size


# -- worker processes ------------------------------------------------------------------------


def _init_worker() -> None:
    """A worker dies with its parent (Linux: even a SIGKILLed one) and cleans up like it."""
    signals.forget_inherited()
    _die_with_parent()


def _die_with_parent() -> None:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's handler still kills us
        pass
    if os.getppid() == 1:  # the parent died before prctl
        os._exit(1)


def build(
    entries: list[Entry], directory: str, *, jobs: int = 2, quiet: bool = False
) -> dict[int, tuple[float, int]]:
    """Run every entry (``jobs`` at a time, heaviest first); return index -> (seconds, bytes).

    On any error or interrupt the workers are killed at once: the build directory they write
    into is thrown away whole by the caller, so no job needs to stop cleanly.
    """
    order = sorted(range(len(entries)), key=lambda i: -entries[i].weight)
    results: dict[int, tuple[float, int]] = {}
    with Progress(len(entries), "pictures", quiet=quiet) as bar:
        if jobs == 1:
            for i in order:
                results[i] = run_entry(entries[i], directory)
                bar.update()
            return results
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods:  # import the plotting stack once, shared by the forked workers
            from .. import basin_plots, figure, history_plots, response_plots, sweep_plots  # noqa: F401
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker)
        futures: dict[Future, int] = {}
        workers: list = []
        try:
            with signals.deferred():  # workers start here; each is registered before a signal
                futures = {pool.submit(_worker_job, entries[i], directory): i for i in order}
                workers = list(getattr(pool, "_processes", {}).values())
                for proc in workers:
                    signals.register_child(proc)
            pending = set(futures)
            while pending:
                done, pending = wait(pending, return_when=FIRST_COMPLETED)
                for fut in done:
                    results[futures[fut]] = fut.result()  # a job's error ends the build here
                    bar.update()
        except BaseException:
            for fut in futures:
                fut.cancel()
            for proc in workers:
                with contextlib.suppress(OSError, ValueError, AttributeError):
                    proc.kill()
            raise
        finally:
            with contextlib.suppress(BaseException):
                pool.shutdown(wait=True, cancel_futures=True)
            for proc in workers:
                signals.unregister_child(proc)
    return results


def _worker_job(entry: Entry, directory: str) -> tuple[float, int]:
    return run_entry(entry, directory)


def _sizes(entries: list[Entry]) -> list[tuple[int, int]]:
    """Every ``--size WxH`` the entries' commands will be given."""
    sizes = []
    for e in entries:
        for flag, value in zip(e.argv, e.argv[1:], strict=False):
            if flag == "--size":
                w, _, h = value.partition("x")
                sizes.append((int(w), int(h)))
    return sizes


def _fits(opts: GalleryOptions, size: tuple[int, int]) -> bool:
    entries = gallery_entries("gallery", dataclasses.replace(opts, size=size))
    return all(MIN_SIDE <= v <= MAX_SIDE for wh in _sizes(entries) for v in wh)


def _largest_side(opts: GalleryOptions, axis: int) -> int:
    """The largest even --size side (the other side at its minimum) whose pictures all fit."""
    lo, hi = MIN_SIDE // 2, MAX_SIDE // 2  # halves: sides are even
    while lo < hi:
        mid = (lo + hi + 1) // 2
        size = (2 * mid, MIN_SIDE) if axis == 0 else (MIN_SIDE, 2 * mid)
        lo, hi = (mid, hi) if _fits(opts, size) else (lo, mid - 1)
    return 2 * lo


def check_entries(entries: list[Entry], opts: GalleryOptions) -> None:
    """Before any picture is drawn: every derived size fits and every job's command parses."""
    from ..cli import UsageError, build_parser

    bad = [wh for wh in _sizes(entries) if not all(MIN_SIDE <= v <= MAX_SIDE for v in wh)]
    if bad:
        w, h = _largest_side(opts, 0), _largest_side(opts, 1)
        raise InvalidValueError(
            f"--size {opts.size[0]}x{opts.size[1]} is too large for the gallery: its stills and "
            f"charts are drawn larger (up to {bad[0][0]}x{bad[0][1]}, each side at most "
            f"{MAX_SIDE}); give --size from {MIN_SIDE}x{MIN_SIDE} to {w}x{h}"
        )
    parser = build_parser()
    for e in entries:
        try:
            parser.parse_args(list(e.argv))
        except UsageError as exc:
            raise InvalidValueError(f"gallery job {shlex.join(e.argv)!r}: {exc}") from None


def run(args: argparse.Namespace) -> int:
    opts = options_from_args(args)
    directory = Path(args.output)
    if directory.exists() and not directory.is_dir():
        raise InvalidValueError(f"output {args.output!r} is an existing file; give a directory")
    entries = gallery_entries(args.output, opts)
    check_entries(entries, opts)  # before anything is written
    prepare_output(directory, allow_dir=True)
    for stale in remove_stale_builds(directory):
        print(
            f"note: removed {str(stale)!r}, left by an interrupted gallery build", file=sys.stderr
        )
    t0 = time.perf_counter()
    with signals.temporary_directory(beside=directory) as staging:
        # the jobs write into a sibling directory; it replaces the gallery only when complete
        work = gallery_entries(str(staging), opts)
        for sub in {staging / Path(p).parent for e in work for p in e.outputs}:
            sub.mkdir(parents=True, exist_ok=True)
        results = build(work, str(staging), jobs=args.jobs, quiet=args.quiet)
        write_text_atomic(staging / "README.md", readme(entries, gallery_command(args)))
        swap_in(staging, directory)
    total = sum(size for _, size in results.values())
    files = sum(len(e.outputs) for e in entries)
    seconds = time.perf_counter() - t0
    print(
        f"{args.output}: {files} files, {total / 1e6:.1f} MB, {len(entries)} commands "
        f"in {seconds:.0f} s",
        file=sys.stderr,
    )
    print(directory / "README.md")
    return 0


def swap_in(staging: Path, directory: Path) -> None:
    """Put the complete ``staging`` directory in place of ``directory`` (its old content goes).

    One ``renameat2(RENAME_EXCHANGE)`` where Linux offers it, so there is never a moment without
    a gallery; elsewhere two renames. The old gallery ends up in ``staging``, removed with it.
    """
    with signals.deferred():
        if directory.exists():
            if not _exchange(staging, directory):
                old = staging.with_name(staging.name + ".old")
                os.replace(directory, old)
                os.replace(staging, directory)
                os.replace(old, staging)  # removed with the temporary directory
        else:
            os.replace(staging, directory)
            staging.mkdir()  # the temporary directory's cleanup expects it
        signals.hold()


def _exchange(a: Path, b: Path) -> bool:
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd, rename_exchange = -100, 2
    return renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), rename_exchange) == 0


def remove_stale_builds(directory: Path) -> list[Path]:
    """Sibling build directories of ``directory`` whose process is gone (a SIGKILLed build)."""
    removed = []
    for path in directory.parent.glob(f".{glob.escape(directory.name)}.*.tmp"):
        pid = path.name[len(directory.name) + 2 :].split(".")[0].split("-")[0]
        if pid.isdigit() and not process_alive(int(pid)):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path)
    return removed
