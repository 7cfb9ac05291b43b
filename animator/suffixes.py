"""Choosing a writer (or any value) by an output file's suffix, with one shared error message."""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import TypeVar

from landscapes import InvalidValueError

T = TypeVar("T")


def by_suffix(path: str | os.PathLike, table: Mapping[str, T], *, hint: str | None = None) -> T:
    """``table[suffix of path]`` (lower case), or a one-line error listing the valid suffixes.

    ``hint`` replaces the default "choose from: ..." tail when the choices need words.
    """
    suffix = Path(path).suffix.lower()
    if suffix not in table:
        shown = suffix or "(none)"
        tail = hint or f"choose from: {', '.join(table)}"
        raise InvalidValueError(f"unknown output suffix {shown!r} in {str(path)!r}; {tail}")
    return table[suffix]
