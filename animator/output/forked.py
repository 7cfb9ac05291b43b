"""Chunks of a long job done in forked processes, for the cores a lone render leaves idle.

An animation's frames are drawn one after another in one process, while the machine usually has
more cores. A forked child inherits the ready figure (the static scene already drawn), so it can
draw and encode a later range of frames at once, with no start-up of its own: the GIF writer
gives each child a contiguous range of frames, the parent does the first range itself, straight
into the output file, then appends what the children wrote. The output is the same bytes as
from one process (tested): a frame only depends on its step, not on the frames drawn before it.

A child writes into an unlinked temporary file (nothing to clean up, even after SIGKILL), counts
its finished items in shared memory (the parent's progress bar), sends back a small pickled
result or its exception through a pipe, and dies with its parent (Linux: PR_SET_PDEATHSIG; the
signal handler of the command line kills it too).

Forking is used only when it is safe and pays: on Linux, with more than one usable
core, from a process with a single Python thread and without JAX loaded (a fork copies no other
thread, and one holding a lock would deadlock the child; OpenBLAS's pool handles forks itself),
and when each chunk has enough items. ``set_workers(1)`` turns it off
(the gallery does that in its own worker processes).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import pickle
import select
import signal
import struct
import sys
import tempfile
import threading
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

from . import signals

#: Fewest items a chunk is worth a process for (a child first re-draws the item before its
#: range, a few ms).
MIN_CHUNK = 20

_workers: int | None = None  # None: every usable core
_meanwhile: list[Callable[[], None]] = []  # what this process may do while a child computes


def set_workers(n: int | None) -> None:
    """At most ``n`` processes per job (1: never fork; None: every usable core)."""
    global _workers
    _workers = None if n is None else max(1, int(n))


@contextlib.contextmanager
def meanwhile(task: Callable[[], None] | None) -> Iterator[None]:
    """Inside the block, the first ``aside`` computation runs in a forked child while this
    process does ``task`` (e.g. loads the plotting stack that the result will be drawn with)."""
    _meanwhile[:] = [] if task is None else [task]
    try:
        yield
    finally:
        _meanwhile.clear()


def aside(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """``fn(*args, **kwargs)``, computed by a forked child while this process does the pending
    ``meanwhile`` task, when there is one and forking is allowed (see module doc); else here.

    The child's result comes back pickled: the same values, bit for bit. Its exception is
    raised here.
    """
    if not _meanwhile or _workers == 1 or usable_cores() < 2 or not _can_fork():
        return fn(*args, **kwargs)
    task = _meanwhile.pop()
    try:
        with Forked([(0, 1)], lambda lo, hi, out, done: fn(*args, **kwargs)) as child:
            task()
            ((result, _),) = list(child.results())
    except Unpicklable:  # e.g. a user's objective in the result: compute it here after all
        return fn(*args, **kwargs)
    return result


def usable_cores() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not Linux
        return os.cpu_count() or 1


def chunks(n: int, workers: int | None = None, catch_up: float = 0.0) -> list[tuple[int, int]]:
    """Split ``range(n)`` into contiguous ``(lo, hi)`` ranges, one per process (see module doc).

    ``catch_up``: what starting at item ``lo`` costs a child, in items per item before it (a
    GIF part first paints the runs' lines up to its first frame). The ranges are sized so that
    every process has the same work: later ones get fewer items.
    """
    want = _workers if workers is None else workers
    parts = min(usable_cores() if want is None else want, n // MIN_CHUNK)
    if parts <= 1 or not _can_fork():
        return [(0, n)]
    c = min(max(catch_up, 0.0), 0.9)
    # equal cost X per part: e[i+1] = e[i] + X - c * e[i], e[0] = 0, e[parts] = n
    x = n / parts if c == 0 else n * c / (1 - (1 - c) ** parts)
    edges = [0.0]
    for _ in range(parts):
        edges.append(edges[-1] * (1 - c) + x)
    cuts = [0, *(min(n, round(e)) for e in edges[1:-1]), n]
    return [(lo, hi) for lo, hi in zip(cuts[:-1], cuts[1:], strict=True) if hi > lo]


def _can_fork() -> bool:
    """Linux (macOS system libraries are not fork-safe), one Python thread, and no JAX (its
    native threads make a fork unsafe)."""
    return (
        sys.platform.startswith("linux")
        and threading.active_count() == 1
        and "jax" not in sys.modules
    )


class ChildLost(OSError):
    """A helper process ended without sending its result (e.g. killed for lack of memory): an
    error of the machine, not of ours, so the command line says so in one line (exit 1)."""

    def __init__(self, code: int) -> None:
        if code < 0:
            try:
                name = signal.Signals(-code).name
            except ValueError:  # a number this Python has no name for
                name = f"signal {-code}"
            why = f"was killed by {name}" + (" (out of memory?)" if -code == signal.SIGKILL else "")
        else:
            why = f"ended with status {code} and no result"
        super().__init__(f"a helper process (frames or runs) {why}")


class Unpicklable(RuntimeError):
    """A child's result (or exception) could not be sent back."""


class _Child:
    """A forked child as ``signals`` knows children: ``kill()`` and ``wait()``."""

    def __init__(self, pid: int, status_fd: int, output: BinaryIO) -> None:
        self.pid, self.status_fd, self.output = pid, status_fd, output
        self.returncode: int | None = None

    def kill(self) -> None:
        if self.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signal.SIGKILL)

    def wait(self, timeout: float | None = None) -> int:
        if self.returncode is None:
            _, status = os.waitpid(self.pid, 0)
            self.returncode = os.waitstatus_to_exitcode(status)
        return self.returncode


class Forked:
    """``with Forked(ranges, work, beside=dir) as children:`` forks one child per range.

    Each child calls ``work(lo, hi, out, done)``: it writes its bytes to ``out`` and calls
    ``done(k)`` after each item; what it returns comes back from ``results()`` with ``out``
    rewound. Leaving the block kills children that are still running.
    """

    def __init__(
        self,
        ranges: list[tuple[int, int]],
        work: Callable[[int, int, BinaryIO, Callable[[int], None]], Any],
        *,
        beside: str | os.PathLike | None = None,
    ) -> None:
        self.ranges, self.work, self.beside = ranges, work, beside
        self.children: list[_Child] = []
        self._counts = mmap.mmap(-1, 8 * max(1, len(ranges)))  # shared with the children

    def __enter__(self) -> Forked:
        try:
            for i, (lo, hi) in enumerate(self.ranges):
                self._start(i, lo, hi)
        except BaseException:  # a fork or file that failed half-way: no __exit__ will run
            self.__exit__(None, None, None)
            raise
        return self

    def _start(self, i: int, lo: int, hi: int) -> None:
        # what is buffered goes out before the fork, or the child writes it again
        for stream in (sys.stdout, sys.stderr):  # None when the fd was closed (2>&-)
            if stream is not None:
                stream.flush()
        output = tempfile.TemporaryFile(dir=self.beside)  # noqa: SIM115 - unlinked; closed by __exit__
        try:
            read_fd, write_fd = os.pipe()
        except BaseException:
            output.close()
            raise
        parent = os.getpid()
        with signals.deferred():  # registered before a signal can kill us
            try:
                pid = os.fork()
            except BaseException:
                for fd in (read_fd, write_fd):
                    os.close(fd)
                output.close()
                raise
            if pid == 0:  # the child never returns from here
                os.close(read_fd)
                self._child(i, lo, hi, output, write_fd, parent)
            os.close(write_fd)
            child = _Child(pid, read_fd, output)
            self.children.append(child)
            signals.register_child(child)

    def _child(
        self, i: int, lo: int, hi: int, output: BinaryIO, status_fd: int, parent: int
    ) -> None:
        status = 1
        try:
            for s in signals.HANDLED:  # die quietly: the parent prints the one line
                signal.signal(s, signal.SIG_DFL)
            signals.forget_inherited()
            die_with_parent(parent)

            def done(count: int) -> None:
                struct.pack_into("q", self._counts, 8 * i, count)

            result: tuple[bool, Any] = (True, self.work(lo, hi, output, done))
            output.flush()
            status = 0
        except BaseException as exc:  # noqa: BLE001 - everything goes back to the parent
            result = (False, exc)
        try:
            payload = pickle.dumps(result)
        except Exception as exc:  # noqa: BLE001 - a result or exception that does not pickle
            payload = pickle.dumps((False, Unpicklable(f"{type(result[1]).__name__}: {exc}")))
        with contextlib.suppress(OSError):
            view = memoryview(payload)
            while view:
                view = view[os.write(status_fd, view) :]
        for stream in (sys.stdout, sys.stderr):  # what the work printed (os._exit drops it)
            with contextlib.suppress(Exception):
                stream.flush()
        os._exit(status)

    def done(self) -> int:
        """Items the children have finished so far."""
        return sum(struct.unpack_from("q", self._counts, 8 * i)[0] for i in range(len(self.ranges)))

    def results(self, poll: Callable[[], None] | None = None) -> Iterator[tuple[Any, BinaryIO]]:
        """Each child's ``(result, out)`` in order, after it finished; a child's exception is
        raised here. ``poll`` is called about ten times a second while waiting (progress)."""
        for child in self.children:
            payload = bytearray()
            waiting = select.poll()  # not select(): it fails for descriptors above 1023
            waiting.register(child.status_fd, select.POLLIN)
            while True:
                ready = waiting.poll(100)
                if poll is not None:
                    poll()
                if not ready:
                    continue
                data = os.read(child.status_fd, 1 << 16)
                if not data:
                    break
                payload += data
            os.close(child.status_fd)
            child.status_fd = -1
            code = child.wait()
            signals.unregister_child(child)
            if not payload:
                raise ChildLost(code)
            try:
                ok, value = pickle.loads(payload)
            except Exception as exc:  # e.g. an exception class whose __init__ takes other args
                raise Unpicklable(f"{type(exc).__name__}: {exc}") from exc
            if not ok:
                raise value
            child.output.seek(0)
            yield value, child.output

    def __exit__(self, *exc) -> None:
        for child in self.children:
            child.kill()
            with contextlib.suppress(ChildProcessError):
                child.wait()
            if child.status_fd >= 0:
                os.close(child.status_fd)
            child.output.close()
            signals.unregister_child(child)
        self._counts.close()


def die_with_parent(parent: int | None = None) -> None:
    """This process dies with its parent (Linux: even a SIGKILLed one).

    ``parent``: its pid, taken before the fork: if this process has another parent by now, the
    parent died before ``prctl`` could take effect. (Not "the parent is pid 1": in a container
    the command itself may be pid 1.)
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the parent's handler still kills us
        pass
    if parent is not None and os.getppid() != parent:  # the parent died before prctl
        os._exit(1)
