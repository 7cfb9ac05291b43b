"""Building the gallery: every entry's request run in worker processes, then the README.

The jobs run in worker processes (``jobs``, default 2: this is meant for a small machine),
slowest first. PNGs are stored with a 256-colour palette (``savefig.palette_pngs``), which keeps
the committed gallery small.

The jobs write into a hidden sibling directory that replaces the gallery whole only when every
job has finished (see ``write_gallery``).
"""

from __future__ import annotations

import contextlib
import glob
import multiprocessing
import os
import shutil
import sys
import time
import warnings
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from pathlib import Path

from ..api import History, Product, execute
from ..output import forked, signals
from ..output.atomic import process_alive, write_text_atomic
from ..output.progress import Progress
from ..output.savefig import palette_pngs
from .plan import Entry, GalleryOptions, gallery_command, gallery_entries, readme


def run_entry(entry: Entry, directory: str) -> tuple[float, int, list[str]]:
    """Run one entry's request in this process; return (seconds, bytes written, its
    rounding-sensitive runs, see ``rounding_notes``)."""
    t0 = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflow in diverging runs
        with palette_pngs():
            product, _ = execute(entry.job)
    size = sum((Path(directory) / rel).stat().st_size for rel in entry.outputs)
    return time.perf_counter() - t0, size, rounding_notes(entry, product)


#: The API functions whose pictures draw runs from their first step (net: projected runs).
NOTED_FUNCTIONS = ("plot", "animate", "history")


def rounding_notes(entry: Entry, product: Product) -> list[str]:
    """The rounding-sensitive runs ``product`` drew (``"adadelta from step 31"``), for the
    README; none for entries that are not ``NOTED_FUNCTIONS``."""
    if entry.job.function not in NOTED_FUNCTIONS:
        return []
    if isinstance(product, History):
        trajectories = [t for _, panel in product.data.panels for t in panel]
    else:
        trajectories = product.data.trajectories
    return [
        f"{t.label} from step {t.rounding_sensitive_from}"
        for t in trajectories
        if t.rounding_sensitive_from is not None
    ]


# -- worker processes ------------------------------------------------------------------------


def _init_worker() -> None:
    """A worker dies with its parent (Linux: even a SIGKILLed one) and cleans up like it; it
    draws its animations alone (the cores are the pool's)."""
    signals.forget_inherited()
    forked.set_workers(1)
    parent = multiprocessing.parent_process()
    forked.die_with_parent(None if parent is None else parent.pid)


def build(
    entries: list[Entry], directory: str, *, jobs: int = 2, quiet: bool = False
) -> dict[int, tuple[float, int, list[str]]]:
    """Run every entry (``jobs`` at a time, heaviest first); return index -> what ``run_entry``
    returned (seconds, bytes, notes).

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
        ctx = multiprocessing.get_context("fork" if "fork" in methods else None)
        pool = ProcessPoolExecutor(jobs, mp_context=ctx, initializer=_init_worker)
        futures: dict[Future, int] = {}
        workers: list = []
        try:
            with signals.deferred():  # workers start here; each is registered before a signal
                futures = {pool.submit(run_entry, entries[i], directory): i for i in order}
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


def write_gallery(directory: str | os.PathLike, opts: GalleryOptions, _: object = None) -> None:
    """Every picture of ``opts``, then its README, into ``directory`` (the gallery's writer).

    The jobs write into a hidden sibling directory (``.DIR.PID-XXXX.tmp``) that replaces the
    gallery whole, README included, only when every job has finished: an interrupted or failed
    rebuild leaves the old gallery exactly as it was. Ctrl-C, SIGTERM or SIGHUP kill the workers
    (which also die with a SIGKILLed parent, on Linux) and remove the build directory; a later
    run removes one left by a killed build.
    """
    directory = Path(directory)
    entries = gallery_entries(str(directory), opts)
    for stale in remove_stale_builds(directory):
        print(
            f"note: removed {str(stale)!r}, left by an interrupted gallery build", file=sys.stderr
        )
    t0 = time.perf_counter()
    with signals.temporary_directory(beside=directory) as staging:
        work = gallery_entries(str(staging), opts)
        for sub in {staging / Path(p).parent for e in work for p in e.outputs}:
            sub.mkdir(parents=True, exist_ok=True)
        results = build(work, str(staging), jobs=opts.jobs, quiet=opts.quiet)
        notes = {entries[i].argv: r[2] for i, r in results.items() if r[2]}
        text = readme(entries, gallery_command(str(directory), opts), notes)
        write_text_atomic(staging / "README.md", text)
        swap_in(staging, directory)
    if not opts.quiet:
        total = sum(size for _, size, _ in results.values())
        files = sum(len(e.outputs) for e in entries)
        print(
            f"{directory}: {files} files, {total / 1e6:.1f} MB, {len(entries)} commands "
            f"in {time.perf_counter() - t0:.0f} s",
            file=sys.stderr,
        )


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
