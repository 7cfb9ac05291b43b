"""Data exports of a scene: CSV (one row per point) and JSON (everything, for reproducibility)."""

from __future__ import annotations

import io
import json
import os

import landscapes

from .atomic import write_text_atomic
from .scene import RenderOptions, Scene


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


def write_csv(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    write_text_atomic(path, scene_to_csv(scene))


def write_json(path: str | os.PathLike, scene: Scene, options: RenderOptions) -> None:
    write_text_atomic(path, scene_to_json(scene))
