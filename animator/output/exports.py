"""Data exports: the numbers behind every picture, as CSV, JSON or NPZ. No matplotlib here.

Scenes: CSV (one row per point) and JSON (everything, for reproducibility). Basin maps: CSV (one
row per start) and NPZ (the raw grids, stacked over optimizers). Sweeps: CSV (one row per
learning rate) and JSON. Response curves: CSV (one row per curve and epoch). Every file goes
through :func:`animator.output.atomic.atomic_path`; floats are written exactly (``repr``).
"""

from __future__ import annotations

import io
import json
import os
from collections.abc import Sequence
from typing import Any

import numpy as np

import landscapes
from landscapes.basins import DIVERGED, ELSEWHERE, UNSETTLED, BasinMap
from landscapes.responses import Response
from landscapes.sweep import Sweep

from ..scene import Scene
from .atomic import atomic_path, write_text_atomic

PathLike = str | os.PathLike


def scene_to_csv(scene: Scene) -> str:
    """``label,optimizer,step,x,y,loss``; a diverged run's rows stop at its last finite point.

    A network's scene: ``label,optimizer,step,a,b,loss,accuracy`` (plane coordinates of the
    projected parameters, the true training loss and accuracy).
    """
    network = scene.meta.get("kind") == "network"
    out = io.StringIO()
    out.write(
        "label,optimizer,step,a,b,loss,accuracy\n" if network else "label,optimizer,step,x,y,loss\n"
    )
    for traj in scene.trajectories:
        label = csv_field(traj.label)
        accuracy = traj.extra.get("accuracy") if network else None
        for k in range(traj.last_finite + 1):
            x, y = (float(v) for v in traj.xy[k])
            row = f"{label},{traj.optimizer},{k},{x!r},{y!r},{float(traj.loss[k])!r}"
            if network:
                row += "," + ("" if accuracy is None else repr(float(accuracy[k])))
            out.write(row + "\n")
    return out.getvalue()


def csv_field(text: str) -> str:
    """``text`` as one CSV field (RFC 4180): quoted when it holds ``,`` ``"`` ``\\r`` or ``\\n``."""
    if any(c in text for c in ',"\r\n'):
        return '"' + text.replace('"', '""') + '"'
    return text


def scene_to_json(scene: Scene) -> str:
    """The surface, the package version and every run with its hyperparameters and points."""
    doc = {
        "version": landscapes.__version__,
        "surface": scene.surface.describe(),
        **scene.meta,
        "runs": [traj.to_dict() for traj in scene.trajectories],
    }
    return json.dumps(doc, indent=1, allow_nan=False, ensure_ascii=False) + "\n"


def write_scene_csv(path: PathLike, scene: Scene, options: Any = None) -> None:
    write_text_atomic(path, scene_to_csv(scene))


def write_scene_json(path: PathLike, scene: Scene, options: Any = None) -> None:
    write_text_atomic(path, scene_to_json(scene))


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


def write_basins_csv(path: PathLike, maps: Sequence[BasinMap], options: Any = None) -> None:
    write_text_atomic(path, basins_to_csv(maps))


def write_basins_npz(path: PathLike, maps: Sequence[BasinMap], options: Any = None) -> None:
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


def write_sweeps_csv(path: PathLike, sweeps: Sequence[Sweep], options: Any = None) -> None:
    write_text_atomic(path, sweeps_to_csv(sweeps))


def write_sweeps_json(path: PathLike, sweeps: Sequence[Sweep], options: Any = None) -> None:
    write_text_atomic(path, sweeps_to_json(sweeps))


#: The columns of a response CSV, in order.
RESPONSE_COLUMNS = "method,param,signal,epoch,gradient,update"


def responses_to_csv(table: Sequence[Response]) -> str:
    """One row per curve and epoch; floats written exactly (``repr``)."""
    out = io.StringIO()
    out.write(RESPONSE_COLUMNS + "\n")
    for r in table:
        for epoch, (g, u) in enumerate(zip(r.gradient, r.update, strict=True)):
            out.write(f"{r.method},{r.param!r},{r.signal},{epoch},{float(g)!r},{float(u)!r}\n")
    return out.getvalue()


def write_responses_csv(path: PathLike, table: Sequence[Response], options: Any = None) -> None:
    write_text_atomic(path, responses_to_csv(table))
