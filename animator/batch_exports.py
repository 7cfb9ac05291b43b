"""Files of many runs: basin maps (.png, .csv, .npz) and lr sweeps (.png, .csv, .json).

Every file goes through :func:`animator.atomic.atomic_path`. The CSV files have one row per start
(basins) or per learning rate (sweeps); the NPZ file holds the raw grids, stacked over optimizers.
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Callable, Sequence

import numpy as np

import landscapes
from landscapes.basins import DIVERGED, ELSEWHERE, UNSETTLED, BasinMap
from landscapes.sweep import Sweep

from .atomic import atomic_path, write_text_atomic
from .exports import csv_field
from .savefig import save_figure
from .suffixes import by_suffix

PathLike = str | os.PathLike


def _basin_name(code: int) -> str:
    return {ELSEWHERE: "elsewhere", DIVERGED: "diverged"}.get(code, str(code))


def basins_to_csv(maps: Sequence[BasinMap]) -> str:
    """``label,optimizer,x,y,basin,steps_to,diverged_step,end_x,end_y``, one row per start.

    ``basin`` is the index of the minimum (order of ``animator list --json``), ``elsewhere`` or
    ``diverged``; ``steps_to`` and ``diverged_step`` are empty when they do not apply.
    """
    out = io.StringIO()
    out.write("label,optimizer,x,y,basin,steps_to,diverged_step,end_x,end_y\n")
    for m in maps:
        label = csv_field(m.label)
        for i, y in enumerate(m.ys):
            for j, x in enumerate(m.xs):
                code = int(m.basin[i, j])
                k = int(m.steps_to[i, j])
                d = int(m.diverged_step[i, j])
                ex, ey = m.final[i, j]
                end = "," if code == DIVERGED else f"{float(ex)!r},{float(ey)!r}"
                out.write(
                    f"{label},{m.optimizer},{float(x)!r},{float(y)!r},{_basin_name(code)},"
                    f"{'' if k == UNSETTLED else k},{'' if d < 0 else d},{end}\n"
                )
    return out.getvalue()


def write_basins_csv(path: PathLike, maps: Sequence[BasinMap], **_: object) -> None:
    write_text_atomic(path, basins_to_csv(maps))


def write_basins_npz(path: PathLike, maps: Sequence[BasinMap], **_: object) -> None:
    """Raw grids stacked over optimizers: basin, steps_to, end, diverged_step (k, n, n[, 2])."""
    m0 = maps[0]
    arrays = {
        "labels": np.array([m.label for m in maps]),
        "optimizers": np.array([m.optimizer for m in maps]),
        "xs": m0.xs,
        "ys": m0.ys,
        "basin": np.stack([m.basin for m in maps]),
        "steps_to": np.stack([m.steps_to for m in maps]),
        "end": np.stack([m.final for m in maps]),
        "diverged_step": np.stack([m.diverged_step for m in maps]),
        "minima_xy": np.array([mi.xy for mi in m0.minima], dtype=float).reshape(-1, 2),
        "minima_kind": np.array([mi.kind for mi in m0.minima]),
        "tol": np.array(m0.tol),
        "steps": np.array(m0.steps),
        "window": np.array(m0.window),
        "codes": np.array(["elsewhere = -1, diverged = -2, unsettled steps_to = -1"]),
    }
    with atomic_path(path) as tmp, open(tmp, "wb") as fh:
        np.savez_compressed(fh, **arrays)


def write_basins_png(
    path: PathLike, maps: Sequence[BasinMap], *, size=None, dpi: int = 100, **_: object
) -> None:
    from .basin_plots import basin_figure  # matplotlib only for pictures, not for .csv/.npz

    save_figure(basin_figure(maps, size=size, dpi=dpi), path)


def sweeps_to_csv(sweeps: Sequence[Sweep]) -> str:
    """``label,optimizer,lr,objective,diverged_step,best``, one row per learning rate."""
    out = io.StringIO()
    out.write("label,optimizer,lr,objective,diverged_step,best\n")
    for s in sweeps:
        label = csv_field(s.label)
        for i, lr in enumerate(s.lrs):
            v = float(s.objective[i])
            value = repr(v) if np.isfinite(v) else ""
            d = int(s.diverged_step[i])
            out.write(
                f"{label},{s.optimizer},{float(lr)!r},{value},"
                f"{'' if d < 0 else d},{int(i == s.best_index)}\n"
            )
    return out.getvalue()


def sweeps_to_json(sweeps: Sequence[Sweep]) -> str:
    doc = {
        "version": landscapes.__version__,
        "surface": (sweeps[0].surface or landscapes.get_surface(sweeps[0].surface_name)).describe(),
        "sweeps": [s.to_dict() for s in sweeps],
    }
    return json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def write_sweeps_csv(path: PathLike, sweeps: Sequence[Sweep], **_: object) -> None:
    write_text_atomic(path, sweeps_to_csv(sweeps))


def write_sweeps_json(path: PathLike, sweeps: Sequence[Sweep], **_: object) -> None:
    write_text_atomic(path, sweeps_to_json(sweeps))


def write_sweeps_png(
    path: PathLike, sweeps: Sequence[Sweep], *, size=None, dpi: int = 100, **_: object
) -> None:
    from .sweep_plots import sweep_figure  # matplotlib only for pictures, not for .csv/.json

    save_figure(sweep_figure(sweeps, size=size or (1000, 620), dpi=dpi), path)


#: suffix -> writer, for each many-runs command.
BASIN_WRITERS: dict[str, Callable] = {
    ".png": write_basins_png,
    ".csv": write_basins_csv,
    ".npz": write_basins_npz,
}
SWEEP_WRITERS: dict[str, Callable] = {
    ".png": write_sweeps_png,
    ".csv": write_sweeps_csv,
    ".json": write_sweeps_json,
}


def pick_writer(table: dict[str, Callable], path: PathLike) -> Callable:
    """The writer of ``table`` for ``path``'s suffix, or a one-line error listing the choices."""
    return by_suffix(path, table)
