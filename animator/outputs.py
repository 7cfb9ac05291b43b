"""Writers chosen by the output file's suffix, and the checks made before any work starts."""

from __future__ import annotations

import os
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from landscapes import InvalidValueError

from .atomic import remove_stale_parts
from .exports import write_csv, write_json
from .scene import RenderOptions, Scene
from .suffixes import by_suffix
from .writers import PICTURE_WRITERS

MAX_NAME_BYTES = 255  # the limit of ext4, APFS, NTFS, ...
MAX_PATH_BYTES = 4095  # Linux PATH_MAX (4096) less the terminating NUL

Writer = Callable[[str | os.PathLike, Scene, RenderOptions], None]

#: suffix -> writer: pictures and animations (see writers.py), then the data exports.
WRITERS: dict[str, Writer] = {
    **PICTURE_WRITERS,
    ".csv": write_csv,
    ".json": write_json,
}


def register_writer(suffix: str, writer: Writer) -> None:
    WRITERS[suffix.lower()] = writer


def writer_for(path: str | os.PathLike) -> Writer:
    """The writer for ``path``'s suffix, or a clear error listing the valid suffixes."""
    return by_suffix(path, WRITERS)


def check_output(path: str | os.PathLike, *, allow_dir: bool = False) -> Path:
    """Check an output path without touching the disk: not a directory, no file in its way."""
    if str(path) == "":
        raise InvalidValueError("output path is empty")
    if "\0" in str(path):
        raise InvalidValueError("output path contains a NUL character")
    size = len(os.fsencode(path))
    if size > MAX_PATH_BYTES:
        raise InvalidValueError(
            f"output path is {size} bytes long; file systems allow at most {MAX_PATH_BYTES}"
        )
    path = Path(path)
    if len(os.fsencode(path.name)) > MAX_NAME_BYTES:
        raise InvalidValueError(
            f"output file name is {len(os.fsencode(path.name))} bytes long; "
            f"file systems allow at most {MAX_NAME_BYTES}"
        )
    long = next((p for p in path.parts if len(os.fsencode(p)) > MAX_NAME_BYTES), None)
    if long is not None:
        raise InvalidValueError(
            f"output directory name {long[:40]!r}... is {len(os.fsencode(long))} bytes long; "
            f"file systems allow at most {MAX_NAME_BYTES}"
        )
    if path.is_dir() and not allow_dir:
        raise InvalidValueError(f"output {str(path)!r} is an existing directory; give a file name")
    parent = path if allow_dir else path.parent
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists() and not ancestor.is_dir():
            raise InvalidValueError(
                f"cannot write {str(path)!r}: {str(ancestor)!r} is a file, not a directory"
            )
    return path


def check_replaceable(path: Path) -> None:
    """An existing target that no rename can replace (``chattr +i`` or ``+a``) is refused now,
    before any work, not after a whole render (Linux; elsewhere the rename reports it)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOFOLLOW", 0))
    except OSError:
        return  # missing, a symlink, unreadable: the rename decides
    try:
        import fcntl

        buf = fcntl.ioctl(fd, 0x80086601, b"\0" * 8)  # FS_IOC_GETFLAGS
        flags = struct.unpack("l", buf)[0]
    except (ImportError, OSError, ValueError, struct.error):
        return  # no such flags on this system or file system
    finally:
        os.close(fd)
    if flags & 0x30:  # FS_IMMUTABLE_FL | FS_APPEND_FL
        kind = "immutable" if flags & 0x10 else "append-only"
        raise InvalidValueError(
            f"cannot replace {str(path)!r}: the file is {kind} (see lsattr/chattr)"
        )


def prepare_output(path: str | os.PathLike, *, allow_dir: bool = False) -> Path:
    """Check an output path, create its missing directories and probe that it can be written.

    Temporary files of ours beside the target that an interrupted (killed) run left are removed
    here, each with a note on stderr.
    """
    path = check_output(path, allow_dir=allow_dir)
    if not allow_dir:
        check_replaceable(path)
    parent = path if allow_dir else path.parent
    # Missing directories are created by the writer (atomic_path), so a request refused later
    # (a --tune whose every lr diverges) leaves no empty directories; here the nearest existing
    # one is probed, where they would be created.
    existing = next(p for p in [parent, *parent.parents] if p.exists() or p == Path(p.anchor))
    try:  # a real probe: root ignores permission bits, read-only file systems do not
        fd, probe = tempfile.mkstemp(prefix=".animator-probe.", dir=existing)
        os.close(fd)
        os.unlink(probe)
    except OSError as exc:
        what = "write in" if existing == parent else f"create {str(parent)!r} in"
        raise InvalidValueError(
            f"cannot {what} directory {str(existing)!r}: {exc.strerror or exc}"
        ) from None
    if not allow_dir:
        for stale in remove_stale_parts(path):
            print(f"note: removed {str(stale)!r}, left by an interrupted run", file=sys.stderr)
    return path
