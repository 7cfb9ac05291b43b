"""Write-then-rename, so a failed or interrupted write never leaves a partial file behind.

The temporary file sits beside the target as ``.STEM.PID-RANDOM.partSUFFIX``: hidden, same file
system (so the final rename is atomic), and named after the process writing it, so that a later
run can tell a leftover of a killed process (``SIGKILL``, power loss) from a file another
running process is still writing, and remove it (``remove_stale_parts``).
"""

from __future__ import annotations

import contextlib
import os
import re
import secrets
import time
from collections.abc import Iterator
from pathlib import Path

from . import signals

#: A temporary file of an older version (``tempfile.mkstemp``: 8 random characters, no pid) is
#: only removed when nobody has written to it for this long.
STALE_UNKNOWN_SECONDS = 600


def part_name(target: Path) -> str:
    """The temporary name for ``target``: short enough for the 255-byte name limit."""
    return f".{target.stem[:40]}.{os.getpid()}-{secrets.token_hex(4)}.part{target.suffix[:20]}"


@contextlib.contextmanager
def atomic_path(target: str | os.PathLike) -> Iterator[Path]:
    """Yield a temporary path beside ``target`` (same suffix); move it into place on success.

    On any exception (KeyboardInterrupt included), and on a signal when the command line's
    handler is installed (see ``signals``), the temporary file is removed and ``target`` is left
    as it was.
    """
    target = Path(target)
    signals.checkpoint()
    tmp_path = target.parent / part_name(target)
    signals.register_file(tmp_path)  # before it exists: a signal in between removes nothing
    try:
        target.parent.mkdir(parents=True, exist_ok=True)  # missing directories, made at last
        fd = os.open(tmp_path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # umask applies
        os.close(fd)
        yield tmp_path
        with signals.deferred():
            os.replace(tmp_path, target)
            signals.hold()  # complete: a signal from now on no longer undoes this file
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp_path.unlink()
        if isinstance(exc, OSError) and exc.filename in (None, str(tmp_path)):
            # the user's file, never the hidden temporary name
            raise OSError(exc.errno, exc.strerror or str(exc), str(target)) from None
        raise
    finally:
        signals.unregister_file(tmp_path)


@contextlib.contextmanager
def scratch_path(beside: str | os.PathLike | None, suffix: str) -> Iterator[Path]:
    """A temporary file path (not created) that is always removed afterwards, signals included.

    Beside ``beside`` as a hidden ``.part`` file of ours, or in a new temporary directory.
    """
    if beside is None:
        with signals.temporary_directory() as tmpdir:
            yield tmpdir / f"scratch{suffix}"
        return
    beside = Path(beside)
    path = beside.parent / part_name(beside.with_suffix(suffix))
    signals.register_file(path)
    try:
        beside.parent.mkdir(parents=True, exist_ok=True)
        yield path
    finally:
        with contextlib.suppress(OSError):
            path.unlink()
        signals.unregister_file(path)


def write_text_atomic(target: str | os.PathLike, text: str) -> None:
    """Write ``text`` (UTF-8, '\\n' newlines) to ``target`` atomically."""
    with atomic_path(target) as tmp, open(tmp, "w", encoding="utf-8", newline="\n") as fh:
        fh.write(text)


_OURS = re.compile(r"\.(?P<stem>.*)\.(?:(?P<pid>\d+)-[0-9a-f]{8}|[a-z0-9_]{8})\.part(?P<suffix>.*)")


def remove_stale_parts(target: str | os.PathLike) -> list[Path]:
    """Remove temporary files of ours for ``target`` that no running process is writing.

    A file named with a pid is stale when that process is gone; one of an older version (no
    pid) when it has not been written to for ``STALE_UNKNOWN_SECONDS``. Returns what was removed.
    """
    target = Path(target)
    removed: list[Path] = []
    try:
        candidates = list(target.parent.glob(f".{_glob_escape(target.stem[:40])}.*.part*"))
    except OSError:
        return removed
    for path in candidates:
        m = _OURS.fullmatch(path.name)
        if not m or m["stem"] != target.stem[:40] or m["suffix"] != target.suffix[:20]:
            continue
        try:
            if m["pid"] is not None:
                if process_alive(int(m["pid"])):
                    continue
            elif time.time() - path.stat().st_mtime < STALE_UNKNOWN_SECONDS:
                continue
            path.unlink()
        except OSError:
            continue
        removed.append(path)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process ``pid`` runs (ours counts as running)."""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)
