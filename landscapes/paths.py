"""Paths recorded elsewhere (another library, a paper), read from CSV and drawn like any run.

A CSV file has a header with the columns ``x`` and ``y`` and optionally ``label`` (one path per
label, in order of first appearance; default: the file's name), ``step`` (the order of the points;
default: the order of the rows) and ``loss`` (default: computed from the surface). Other columns
are ignored, so the ``animator render ... -o runs.csv`` export reads back as it was written.
"""

from __future__ import annotations

import csv
import os
from dataclasses import replace
from pathlib import Path

import numpy as np

from .errors import InvalidValueError
from .runs import MAX_STEPS, Trajectory
from .surfaces import Surface

#: Points in one recorded path at most (a path of n points has n − 1 steps).
MAX_POINTS = MAX_STEPS + 1


def read_paths(file: str | os.PathLike, surface: Surface | str) -> list[Trajectory]:
    """Every path in a CSV file as a :class:`Trajectory` over ``surface``, or a clear error."""
    path = Path(file)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise InvalidValueError(f"cannot read path file {str(path)!r}: {reason}") from None
    rows = csv.DictReader(text.splitlines())
    columns = [c.strip() for c in rows.fieldnames or []]
    if "x" not in columns or "y" not in columns:
        raise InvalidValueError(
            f"path file {str(path)!r} needs a header with columns x,y "
            f"(optional: label,step,loss); it has: {', '.join(columns) or 'no header'}"
        )
    groups: dict[str, list[tuple[float, float, float, float | None]]] = {}
    for line, row in enumerate(rows, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in row.items()}
        label = row.get("label") or path.stem
        members = groups.setdefault(label, [])
        if len(members) >= MAX_POINTS:
            raise InvalidValueError(
                f"path {label!r} in {str(path)!r} has more than {MAX_POINTS} points"
            )
        step = row.get("step") or str(len(members))
        loss = row.get("loss") or None
        try:
            values = tuple(float(row[k]) for k in ("x", "y")) + (float(step),)
            members.append((*values, None if loss is None else float(loss)))
        except ValueError:
            raise InvalidValueError(
                f"{str(path)!r} line {line}: x, y, step and loss must be numbers, "
                f"got {', '.join(f'{k}={row.get(k)!r}' for k in ('x', 'y', 'step', 'loss'))}"
            ) from None
    if not groups:
        raise InvalidValueError(f"path file {str(path)!r} has a header but no points")
    out = []
    for label, members in groups.items():
        points = np.array([m[:3] for m in members])
        order = np.argsort(points[:, 2], kind="stable")
        if len(np.unique(points[:, 2])) != len(points):
            raise InvalidValueError(f"path {label!r} in {str(path)!r} repeats a step number")
        losses = [members[i][3] for i in order]
        loss = None if any(v is None for v in losses) else np.array(losses, dtype=float)
        out.append(Trajectory.from_points(surface, points[order, :2], label=label, loss=loss))
    return out


def hold_to(traj: Trajectory, steps: int) -> Trajectory:
    """``traj`` lengthened to ``steps`` steps by holding its last point (a finished path stays
    where it ended), so paths of different lengths share one picture's frames."""
    extra = steps - traj.steps
    if extra <= 0:
        return traj

    def held(a: np.ndarray) -> np.ndarray:
        return np.concatenate([a, np.repeat(a[-1:], extra, axis=0)])

    state = traj.state
    if state is not None:  # the state after the end is unknown: NaN, so overlays vanish there
        state = replace(
            state,
            **{
                name: _nan_padded(value, extra)
                for name, value in (
                    ("grad", state.grad),
                    ("velocity", state.velocity),
                    ("scale", state.scale),
                    ("lookahead", state.lookahead),
                )
                if value is not None
            },
            fields={k: _nan_padded(v, extra) for k, v in state.fields.items()},
        )
    return replace(traj, xy=held(traj.xy), loss=held(traj.loss), state=state)


def _nan_padded(a: np.ndarray, extra: int) -> np.ndarray:
    return np.concatenate([a, np.full((extra, *a.shape[1:]), np.nan)])
