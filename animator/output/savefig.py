"""One deterministic way to save a matplotlib figure: the same figure, the same bytes.

SVG element ids are salted with a fixed string and SVG/PDF carry no creation date, so two runs of
the same command write identical files. Every figure goes through ``atomic_path``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from .atomic import atomic_path

HASH_SALT = "landscape-animator"


def deterministic_metadata(fmt: str, metadata: dict | None = None) -> dict:
    """``metadata`` plus no creation date for SVG and PDF (the keys matplotlib stamps)."""
    meta = dict(metadata or {})
    if fmt == "svg":
        meta.setdefault("Date", None)
    elif fmt == "pdf":
        meta.setdefault("CreationDate", None)
    return meta


def save_figure(fig: Any, path: str | os.PathLike, **savefig_kwargs: Any) -> None:
    """Write ``fig`` to ``path`` (format from the suffix), reproducibly and write-then-rename."""
    import matplotlib

    fmt = Path(path).suffix.lower().lstrip(".")
    kwargs = dict(savefig_kwargs)
    if fmt in ("svg", "pdf"):
        kwargs["metadata"] = deterministic_metadata(fmt, kwargs.get("metadata"))
    with atomic_path(path) as tmp, matplotlib.rc_context({"svg.hashsalt": HASH_SALT}):
        fig.savefig(tmp, format=fmt, **kwargs)
