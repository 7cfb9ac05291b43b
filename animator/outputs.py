"""Writers chosen by the output file's suffix, and the checks made before any work starts."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

from landscapes import InvalidValueError

from .exports import write_csv, write_json
from .scene import RenderOptions, Scene
from .writers import PICTURE_WRITERS

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
    suffix = Path(path).suffix.lower()
    if suffix not in WRITERS:
        shown = suffix or "(none)"
        raise InvalidValueError(
            f"unknown output suffix {shown!r} in {str(path)!r}; choose from: {', '.join(WRITERS)}"
        )
    return WRITERS[suffix]


def prepare_output(path: str | os.PathLike, *, allow_dir: bool = False) -> Path:
    """Check an output path before any work: not a directory, parent creatable and writable."""
    path = Path(path)
    if str(path) == "":
        raise InvalidValueError("output path is empty")
    if path.is_dir() and not allow_dir:
        raise InvalidValueError(f"output {str(path)!r} is an existing directory; give a file name")
    parent = path if allow_dir else path.parent
    parent = parent if str(parent) else Path(".")
    for ancestor in [parent, *parent.parents]:
        if ancestor.exists() and not ancestor.is_dir():
            raise InvalidValueError(
                f"cannot write {str(path)!r}: {str(ancestor)!r} is a file, not a directory"
            )
    try:
        parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidValueError(
            f"cannot create directory {str(parent)!r}: {exc.strerror or exc}"
        ) from None
    if not os.access(parent, os.W_OK):
        raise InvalidValueError(f"directory {str(parent)!r} is not writable")
    return path
