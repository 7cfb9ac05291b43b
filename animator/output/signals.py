"""What Ctrl-C, SIGTERM and SIGHUP do to the command line: clean up, one line, exit 128 + n.

Why not Python's KeyboardInterrupt: it is raised at whatever bytecode runs when the signal
arrives, and library code does not always let it through. matplotlib's C++ text renderer turned
one into ``ValueError: Invalid bounding box`` (exit 70, "a bug of ours", in a GIF render under
load), a lazy ``import matplotlib`` interrupted half-way left a broken module behind, a
``__del__`` or weakref callback prints "Exception ignored" and carries on. So the command line
installs this handler instead: it kills the child processes we started (ffmpeg, gallery
workers), removes the temporary files and directories we registered, prints one line and ends
the process with ``os._exit`` -- no exception travels through library code.

The library itself (``animator.api``, tests calling ``cli.main`` in-process) keeps Python's
default: ``atomic_path`` removes its temporary file on KeyboardInterrupt as on any error.

Once an output file has been moved into place, a signal is held until more work starts
(``checkpoint``) or the command ends: a finished file is never reported as interrupted, and an
existing target is either untouched (exit 128 + n) or completely replaced (exit 0).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

#: signal -> (exit status, the one line printed)
HANDLED = {
    signal.SIGINT: (130, "interrupted"),
    signal.SIGTERM: (143, "terminated (SIGTERM)"),
    signal.SIGHUP: (129, "hung up (SIGHUP)"),
}

_installed = False
_files: dict[str, None] = {}  # temporary files to remove (insertion-ordered set)
_dirs: dict[str, None] = {}  # temporary directories to remove
_procs: list = []  # children (Popen, multiprocessing.Process) to kill before removing files
_held: int | None = None  # a signal that arrived after an output was committed
_holding = False
_deferring = 0  # depth of ``deferred()`` blocks


def install() -> None:
    """Handle INT, TERM and HUP as described above (command-line processes only)."""
    global _installed
    for signum in HANDLED:
        if signal.getsignal(signum) is signal.SIG_IGN and signum != signal.SIGINT:
            continue  # nohup / a parent that ignores the signal: keep ignoring it
        signal.signal(signum, _handle)
    _installed = True


def installed() -> bool:
    return _installed


def _handle(signum: int, frame) -> None:
    global _held
    if _holding or _deferring:
        _held = signum  # decided at the end of the block, the next checkpoint or the end
        return
    stop(signum)


def stop(signum: int) -> None:
    """Clean up everything registered and end the process with the status for ``signum``."""
    for s in HANDLED:  # a second Ctrl-C must not interrupt the cleanup
        with contextlib.suppress(OSError, ValueError):
            signal.signal(s, signal.SIG_IGN)
    cleanup()
    status, what = HANDLED.get(signum, (128 + signum, f"stopped by signal {signum}"))
    with contextlib.suppress(OSError):
        os.write(2, f"animator: {what}\n".encode())
    os._exit(status)


def cleanup() -> None:
    """Kill registered children, then remove registered files and directories."""
    for proc in list(_procs):  # subprocess.Popen or multiprocessing.Process
        with contextlib.suppress(Exception):
            proc.kill()
    for proc in list(_procs):
        with contextlib.suppress(Exception):
            (proc.wait if hasattr(proc, "wait") else proc.join)(timeout=10)
    for name in list(_files):
        with contextlib.suppress(OSError):
            os.unlink(name)
    for name in list(_dirs):
        shutil.rmtree(name, ignore_errors=True)


def checkpoint() -> None:
    """New work starts: a signal held since the last committed output takes effect now."""
    global _holding
    _holding = False
    if _held is not None:
        stop(_held)


def hold() -> None:
    """An output was committed: hold signals until the next ``checkpoint`` (see module doc)."""
    global _holding
    if _installed:
        _holding = True


def finish() -> None:
    """The command is done: a signal from now on no longer changes its exit status.

    Ignored rather than held: Python's finalization would reset a handler of ours to the
    default action (killed by the signal, after a complete write), but it keeps SIG_IGN.
    """
    global _holding
    _holding = True
    for signum in HANDLED:
        with contextlib.suppress(OSError, ValueError):
            signal.signal(signum, signal.SIG_IGN)


def held() -> int | None:
    return _held


@contextlib.contextmanager
def deferred() -> Iterator[None]:
    """A few steps that must happen together (start a child and register it, rename a file and
    mark it complete): a signal arriving inside takes effect at the end of the block."""
    global _deferring
    _deferring += 1
    try:
        yield
    finally:
        _deferring -= 1
    if not _deferring and not _holding and _held is not None:
        stop(_held)


def register_file(path: str | os.PathLike) -> None:
    _files[os.fspath(path)] = None


def unregister_file(path: str | os.PathLike) -> None:
    _files.pop(os.fspath(path), None)


@contextlib.contextmanager
def temporary_directory(
    prefix: str = "animator.", *, beside: str | os.PathLike | None = None
) -> Iterator[Path]:
    """A temporary directory that is removed at the end, on errors and on a signal.

    In ``$TMPDIR``, or hidden beside ``beside`` as ``.NAME.PID-XXXX.tmp`` (same file system, so
    it can be renamed into place; the pid tells a later run whether its owner is gone).
    """
    import tempfile

    with deferred():
        if beside is None:
            name = tempfile.mkdtemp(prefix=prefix)
        else:
            beside = Path(beside)
            beside.parent.mkdir(parents=True, exist_ok=True)
            name = tempfile.mkdtemp(
                prefix=f".{beside.name[:40]}.{os.getpid()}-", suffix=".tmp", dir=beside.parent
            )
        _dirs[name] = None
    try:
        yield Path(name)
    finally:
        shutil.rmtree(name, ignore_errors=True)
        _dirs.pop(name, None)


def forget_inherited() -> None:
    """In a forked worker: the parent's files, directories and children are not ours to clean."""
    global _held, _holding, _deferring
    _files.clear()
    _dirs.clear()
    _procs.clear()
    _held, _holding, _deferring = None, False, 0


def register_child(proc) -> None:
    """Kill ``proc`` on a signal, before the temporary files are removed."""
    _procs.append(proc)


def unregister_child(proc) -> None:
    with contextlib.suppress(ValueError):
        _procs.remove(proc)
