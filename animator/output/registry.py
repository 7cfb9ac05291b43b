"""The one output registry: for each kind of product, the output suffix picks the writer.

Every writer has one signature, ``write(path, data, options)``: ``data`` is what the product
holds (a :class:`~animator.scene.Scene`, a list of basin maps, ...), ``options`` its
:class:`~animator.scene.RenderOptions` (or the gallery's options). Writers are named as
``"module:function"`` and imported only when a file is written, so looking a suffix up (and
``animator list``, ``--help``, the data exports) never loads matplotlib.

A product kind may also write a directory (``""``): the response charts and the gallery.
"""

from __future__ import annotations

import importlib
import os
import struct
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from landscapes import InvalidValueError

from .atomic import remove_stale_parts

MAX_NAME_BYTES = 255  # the limit of ext4, APFS, NTFS, ...
MAX_PATH_BYTES = 4095  # Linux PATH_MAX (4096) less the terminating NUL
DIRECTORY = ""  # the "suffix" of a directory output

Writer = Callable[[Path, Any, Any], None]


@dataclass(frozen=True)
class Output:
    """One suffix of one product kind: where its writer lives and whether it is an animation."""

    writer: str  # "module:function"
    animation: bool = False  # frames over time: the frame budget is checked before any work
    directory: bool = False  # writes a directory of files
    data: bool = False  # numbers, not a picture (CSV, JSON, NPZ): nothing to draw

    def write(self, path: Path, data: Any, options: Any) -> None:
        module, _, name = self.writer.partition(":")
        getattr(importlib.import_module(module), name)(path, data, options)


_FIGURE = Output("animator.output.writers:write_figure")

#: kind -> suffix -> output. Kinds: scene (plot/animate), basins, sweeps, history, responses,
#: gallery.
OUTPUTS: dict[str, dict[str, Output]] = {
    "scene": {
        ".png": _FIGURE,
        ".svg": _FIGURE,
        ".pdf": _FIGURE,
        ".gif": Output("animator.output.writers:write_gif", animation=True),
        ".mp4": Output("animator.output.writers:write_mp4", animation=True),
        ".html": Output("animator.output.writers:write_html", animation=True),
        ".csv": Output("animator.output.exports:write_scene_csv", data=True),
        ".json": Output("animator.output.exports:write_scene_json", data=True),
    },
    "basins": {
        ".png": Output("animator.charts.writers:write_basins_png"),
        ".csv": Output("animator.output.exports:write_basins_csv", data=True),
        ".npz": Output("animator.output.exports:write_basins_npz", data=True),
    },
    "sweeps": {
        ".png": Output("animator.charts.writers:write_sweeps_png"),
        ".csv": Output("animator.output.exports:write_sweeps_csv", data=True),
        ".json": Output("animator.output.exports:write_sweeps_json", data=True),
    },
    "history": {
        ".png": Output("animator.charts.writers:write_history"),
        ".svg": Output("animator.charts.writers:write_history"),
        ".pdf": Output("animator.charts.writers:write_history"),
    },
    "responses": {
        ".csv": Output("animator.output.exports:write_responses_csv", data=True),
        DIRECTORY: Output("animator.charts.writers:write_response_charts", directory=True),
    },
    "gallery": {
        DIRECTORY: Output("animator.galleries.build:write_gallery", directory=True),
    },
}


def suffixes(kind: str) -> list[str]:
    """The file suffixes ``kind`` can be saved as (a directory shown as ``DIR/``)."""
    return [s or "DIR/" for s in OUTPUTS[kind]]


def output_for(kind: str, path: str | os.PathLike) -> Output:
    """The output of ``kind`` that ``path`` asks for, checked without touching the disk.

    A kind that writes directories takes a path with no suffix, or any existing directory; a
    kind that writes only directories takes any path that is not an existing file.
    """
    table = OUTPUTS[kind]
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidValueError(f"output path must be a file name (str or Path), not {path!r}")
    if str(path) == "":
        raise InvalidValueError("output path is empty")
    path = Path(path)
    suffix = path.suffix.lower()
    if DIRECTORY in table:
        files = [s for s in table if s]
        if suffix in files:
            check_output(path)
            return table[suffix]
        if path.exists() and not path.is_dir():
            tail = "".join(f" or a {s}" for s in files)
            raise InvalidValueError(
                f"output {str(path)!r} is an existing file; give a directory{tail}"
            )
        if path.is_dir() or not files or not suffix:
            check_output(path, allow_dir=True)
            return table[DIRECTORY]
        raise InvalidValueError(
            f"unknown output suffix {suffix!r} in {str(path)!r}; "
            f"give a directory or a {' or a '.join(files)} file"
        )
    check_output(path)
    if suffix not in table:
        shown = suffix or "(none)"
        raise InvalidValueError(
            f"unknown output suffix {shown!r} in {str(path)!r}; choose from: {', '.join(table)}"
        )
    return table[suffix]


def check_output(path: str | os.PathLike, *, allow_dir: bool = False) -> Path:
    """Check an output path without touching the disk: a short name, no file in its way."""
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidValueError(f"output path must be a file name (str or Path), not {path!r}")
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


def save(kind: str, path: str | os.PathLike, data: Any, options: Any) -> Path:
    """Write ``data`` of ``kind`` to ``path`` by its suffix; return the path written."""
    output = output_for(kind, path)
    target = prepare_output(path, allow_dir=output.directory)
    output.write(target, data, options)
    return target
