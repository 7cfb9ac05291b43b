"""A model's loss on a plane through parameter space, as a surface the renderer can draw.

The plane is ``theta(a, b) = origin + a·d1 + b·d2``. Two ways to choose ``d1, d2``:

- ``pca`` (default): the first two principal directions of every run's parameters together,
  PCA *about the shared start* ``theta0`` (the SVD of all displacements ``theta_k − theta0``, not
  of the mean-centred cloud). Why the start: it is the one point every run shares exactly, so the
  plane passes through it (the map's loss at (0, 0) IS the true start loss) and every projected
  path begins at the same mark. Li et al. centre on the final point because they draw one run;
  several optimizers end at different points, and a mean-centred plane would hold no run's start
  or end. Each axis reports its share of the runs' squared displacement from the start.
- ``random``: two Gaussian directions, filter-normalised as in Li et al. 2018 ("Visualizing the
  Loss Landscape of Neural Nets", section 4): each unit's incoming weights in ``d`` are scaled to
  the norm of the same weights in ``theta0``, bias entries are zero. Also through the start.

Paths are projected by least squares onto the plane (exactly the coordinates for the orthonormal
PCA directions); the off-plane part is lost, so the map's loss under a projected point is NOT the
run's loss (the true loss is what the loss panel shows). The share of the paths the plane holds
is ``explained``.

The lattice is computed in batches: ``loss`` is called on stacks of parameter vectors (K, P) and
must return (K,) (every model in :mod:`landscapes.networks` does); a loss that only takes one
vector falls back to a loop, slower but the same numbers.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .datasets import PLANE_STREAM
from .errors import InvalidValueError
from .runs import Trajectory
from .surfaces import Surface

PLANES = ("pca", "random")
MIN_GRID, MAX_GRID = 5, 400
#: Parameter vectors per model call when building the lattice (memory: K × points × width).
LATTICE_CHUNK = 64  # measured: 64 to 128 fastest (cache-sized stacks)
#: The lattice covers the projected paths and this share of their extent again on every side.
MARGIN = 0.2


@dataclass(frozen=True)
class Plane:
    """``origin + a·directions[0] + b·directions[1]``, how it was chosen and what it holds."""

    origin: np.ndarray  # (P,)
    directions: np.ndarray  # (2, P)
    kind: str  # "pca" or "random"
    explained: tuple[float, float]  # share of the runs' squared displacement each axis holds

    def point(self, ab: np.ndarray) -> np.ndarray:
        """Parameters (..., P) at plane coordinates ``ab`` (..., 2)."""
        ab = np.asarray(ab, dtype=float)
        return self.origin + ab @ self.directions

    def project(self, theta: np.ndarray) -> np.ndarray:
        """Least-squares plane coordinates (..., 2) of parameters ``theta`` (..., P)."""
        d = self.directions
        gram = d @ d.T
        with np.errstate(all="ignore"):
            rhs = (np.asarray(theta, dtype=float) - self.origin) @ d.T
            return (
                np.linalg.solve(gram, rhs[..., None])[..., 0]
                if rhs.ndim > 1
                else np.linalg.solve(gram, rhs)
            )

    def axis_label(self, i: int) -> str:
        """``PC1 (72 % of variance)`` or ``random direction 1 (3 % of path variance)``."""
        share = f"{100 * self.explained[i]:.0f} %" if self.explained[i] >= 0.01 else "<1 %"
        if self.kind == "pca":
            return f"PC{i + 1} ({share} of variance)"
        return f"random direction {i + 1} ({share} of path variance)"

    def describe(self) -> dict:
        return {
            "kind": self.kind,
            "centre": "shared start",
            "explained": list(self.explained),
            "origin": self.origin.tolist(),
            "directions": self.directions.tolist(),
        }


def _displacements(origin: np.ndarray, paths: Sequence[np.ndarray]) -> np.ndarray:
    rows = [np.asarray(p, dtype=float).reshape(-1, len(origin)) - origin for p in paths]
    d = np.concatenate(rows) if rows else np.zeros((0, len(origin)))
    return d[np.isfinite(d).all(-1)]


def _shares(disp: np.ndarray, directions: np.ndarray) -> tuple[float, float]:
    """Share of the squared displacement that each direction's least-squares coordinate holds."""
    total = float(np.sum(disp**2))
    if total == 0:
        return (0.0, 0.0)
    q, _ = np.linalg.qr(directions.T)  # orthonormal basis of the plane, in the given order
    captured = (disp @ q) ** 2
    return tuple(float(v) for v in captured.sum(0) / total)


def pca_plane(origin: np.ndarray, paths: Sequence[np.ndarray]) -> Plane:
    """PCA about ``origin`` of every point of ``paths`` (each (steps+1, P))."""
    origin = np.asarray(origin, dtype=float)
    disp = _displacements(origin, paths)
    if len(disp) < 2 or not np.any(disp):
        raise InvalidValueError("the runs did not move from the start: no plane to draw")
    if disp.shape[1] < 2:
        raise InvalidValueError("a plane needs at least two parameters")
    directions, top = _top_two(disp)
    # a sign that does not depend on the SVD: the runs' mean end point lies at a, b >= 0
    ends = np.array([np.asarray(p)[np.isfinite(p).all(-1)][-1] for p in paths]) - origin
    for i in range(2):
        if (ends @ directions[i]).mean() < 0:
            directions[i] *= -1
    total = float(np.sum(disp**2))
    explained = (float(top[0] / total), float(top[1] / total))
    return Plane(origin, directions, "pca", explained)


def _top_two(disp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The first two right singular vectors of ``disp`` (M, P) and their squared singular values.

    Subspace iteration on the smaller Gram matrix with matrix products only, then Rayleigh-Ritz
    on a 4 × 4 matrix. Why not ``np.linalg.svd``/``eigh``: the same numbers, but OpenBLAS's LAPACK
    threads fight over a busy 2-core machine: measured 0.6 to 9 s (svd) and 0.07 to 4 s (eigh of
    the 337 × 337 Gram matrix) for the default picture under load, 0.02 to 0.09 s with one thread.
    Converges to rounding (the subspace stops moving) unless the 2nd and 3rd values tie, when the
    plane is not unique anyway.
    """
    m, p = disp.shape
    gram = disp.T @ disp if p <= m else disp @ disp.T
    n = len(gram)
    k = min(4, n)
    q = _orthonormal(np.random.default_rng(0).standard_normal((n, k)))
    for _ in range(2000):
        new = _orthonormal(gram @ q)
        moved = np.linalg.norm(new - q @ (q.T @ new))
        q = new
        if moved < 1e-13:
            break
    w, v = np.linalg.eigh(q.T @ gram @ q)  # k × k: no threads to wait for
    vecs = q @ v[:, [-1, -2]]
    top = w[[-1, -2]]
    if p <= m:
        return vecs.T.copy(), top
    d = (disp.T @ vecs).T
    return d / np.linalg.norm(d, axis=1, keepdims=True), top


def _unit(n: int, i: int) -> np.ndarray:
    e = np.zeros(n)
    e[i] = 1.0
    return e


def _orthonormal(a: np.ndarray) -> np.ndarray:
    """Columns of ``a`` made orthonormal by modified Gram-Schmidt (twice, for stability). A
    column that is (numerically) in the span of the ones before it, as where the runs span fewer
    than four directions, is replaced by the first unit vector that is not."""
    q = np.array(a, dtype=float)
    scale = np.linalg.norm(q, axis=0).max() or 1.0
    n = q.shape[0]
    for j in range(q.shape[1]):
        for c in itertools.chain([q[:, j]], (_unit(n, i) * scale for i in range(n))):
            v = c.copy()
            for _ in range(2):
                for i in range(j):
                    v -= (q[:, i] @ v) * q[:, i]
            norm = np.linalg.norm(v)
            if norm > 1e-10 * scale:
                q[:, j] = v / norm
                break
    return q


def random_plane(
    origin: np.ndarray,
    paths: Sequence[np.ndarray] = (),
    *,
    filters: Sequence[np.ndarray] | None = None,
    zero: np.ndarray | None = None,
    seed: int = 0,
) -> Plane:
    """Two seeded Gaussian directions, filter-normalised (Li et al. 2018) against ``origin``.

    ``filters``: index arrays, one per unit's incoming weights (default: the whole vector is one
    filter); ``zero``: indices set to zero in both directions (the biases).
    """
    origin = np.asarray(origin, dtype=float)
    rng = np.random.default_rng([int(seed), PLANE_STREAM])
    d = rng.standard_normal((2, len(origin)))
    groups = list(filters) if filters is not None else [np.arange(len(origin))]
    for idx in groups:
        target = np.linalg.norm(origin[idx])
        for row in d:
            norm = np.linalg.norm(row[idx])
            row[idx] *= target / norm if norm > 0 else 0.0
    if zero is not None and len(zero):
        d[:, zero] = 0.0
    if not np.all(np.linalg.norm(d, axis=1) > 0):  # all weights zero at the start
        d = rng.standard_normal((2, len(origin))) / np.sqrt(len(origin))
    explained = _shares(_displacements(origin, paths), d) if paths else (0.0, 0.0)
    return Plane(origin, d, "random", explained)


def batched_loss(loss: Callable[[np.ndarray], Any], thetas: np.ndarray, chunk: int = LATTICE_CHUNK):
    """``loss`` at every row of ``thetas`` (M, P): in stacks of ``chunk`` when ``loss`` takes
    stacks (returns (K,) for (K, P)), else one vector at a time."""
    thetas = np.asarray(thetas, dtype=float)
    out = np.empty(len(thetas))
    stacked = _takes_stacks(loss, thetas)
    with np.errstate(all="ignore"):
        if stacked:
            for lo in range(0, len(thetas), chunk):
                out[lo : lo + chunk] = np.asarray(loss(thetas[lo : lo + chunk]), dtype=float)
        else:
            for i, t in enumerate(thetas):
                out[i] = float(loss(t))
    return out


def _takes_stacks(loss: Callable, thetas: np.ndarray) -> bool:
    if len(thetas) < 2:
        return False
    try:
        with np.errstate(all="ignore"):
            probe = np.asarray(loss(thetas[:2]), dtype=float)
    except Exception:  # a loss written for one vector may fail in any way on a stack
        return False
    return probe.shape == (2,)


def plane_window(
    ab_paths: Sequence[np.ndarray], minimum: float = 0.0
) -> tuple[float, float, float, float]:
    """A window holding every projected path with a margin, and at least ``[-minimum, minimum]²``.
    The shorter side is widened to 0.8 × the longer: the map (drawn to scale, as distances in
    parameter space) then fills its box instead of being a sliver along PC1."""
    pts = np.concatenate([np.asarray(p).reshape(-1, 2) for p in ab_paths])
    pts = pts[np.isfinite(pts).all(-1)]
    lo, hi = (pts.min(0), pts.max(0)) if len(pts) else (np.zeros(2), np.zeros(2))
    lo, hi = np.minimum(lo, -minimum), np.maximum(hi, minimum)
    span = np.maximum(hi - lo, 1e-9)
    lo, hi = lo - MARGIN * span, hi + MARGIN * span
    span = hi - lo
    need = np.maximum(span, 0.8 * span.max())
    mid = (lo + hi) / 2
    lo, hi = mid - need / 2, mid + need / 2
    return (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1]))


def lattice(
    loss: Callable, plane: Plane, window: Sequence[float], grid: int, chunk: int = LATTICE_CHUNK
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``A, B, Z``: the loss on a grid × grid lattice of the plane over ``window`` (meshgrid
    layout: rows follow b, columns follow a)."""
    grid = check_grid(grid)
    x0, x1, y0, y1 = window
    A, B = np.meshgrid(np.linspace(x0, x1, grid), np.linspace(y0, y1, grid))
    thetas = plane.point(np.stack([A.ravel(), B.ravel()], -1))
    return A, B, batched_loss(loss, thetas, chunk).reshape(A.shape)


def check_grid(grid: Any) -> int:
    if isinstance(grid, bool) or not isinstance(grid, (int, np.integer)):
        raise InvalidValueError(
            f"grid={grid!r} must be a whole number from {MIN_GRID} to {MAX_GRID}"
        )
    if not MIN_GRID <= grid <= MAX_GRID:
        raise InvalidValueError(f"grid={grid} is out of range: choose {MIN_GRID} to {MAX_GRID}")
    return int(grid)


def _levels(Z: np.ndarray, start_loss: float) -> tuple[float, ...]:
    """Contour levels for a loss lattice: log-spaced from its minimum to twice the start loss
    (the highest ground the runs usually cross), so the valley floor where they end gets as
    many bands as the slopes they start on; higher walls share the last colour."""
    finite = Z[np.isfinite(Z)]
    if not finite.size:
        return (0.0, 1.0)
    lo, hi = float(finite.min()), float(finite.max())
    top = min(hi, 2 * start_loss) if np.isfinite(start_loss) and start_loss > lo else hi
    if lo <= 0 or top <= lo * 1.01:
        return tuple(np.linspace(lo, hi if hi > lo else lo + 1, 16))
    levels = np.geomspace(lo, top, 18)
    return tuple(np.unique([float(f"{v:.2g}") for v in levels]))  # 0.072, not 0.0724204


@dataclass(frozen=True)
class PlaneSurface(Surface):
    """A loss restricted to a plane: ``f(a, b) = loss(plane.point((a, b)))``, with its lattice."""

    plane: Plane | None = None
    loss_fn: Callable | None = field(default=None, repr=False, compare=False)
    lattice: tuple[np.ndarray, np.ndarray, np.ndarray] | None = field(
        default=None, repr=False, compare=False
    )
    info: dict = field(default_factory=dict)

    def mesh(self, n: int = 200, window: Sequence[float] | None = None):
        """The stored lattice for the surface's own window; a fresh n × n lattice otherwise."""
        if window is None or tuple(window) == tuple(self.window):
            return self.lattice
        return lattice(self.loss_fn, self.plane, window, min(max(n, MIN_GRID), MAX_GRID))

    def describe(self) -> dict:
        A, B, Z = self.lattice
        return {
            "name": self.name,
            "formula": self.formula,
            "description": self.description,
            "window": list(self.window),
            "plane": self.plane.describe(),
            **self.info,
            "lattice": {
                "a": A[0].tolist(),
                "b": B[:, 0].tolist(),
                "loss": np.where(np.isfinite(Z), Z, None).tolist(),
            },
        }


def _plane_function(loss: Callable, plane: Plane) -> Callable:
    """``f(a, b)`` elementwise over arrays, the points batched through ``loss``."""

    def f(a, b):
        ab = np.stack(np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float)), -1)
        return batched_loss(loss, plane.point(ab.reshape(-1, 2))).reshape(ab.shape[:-1])

    return f


def plane_surface(
    loss: Callable,
    params0: Any,
    trajectories: Sequence[Trajectory | np.ndarray],
    *,
    plane: str = "pca",
    grid: int = 100,
    seed: int = 0,
    filters: Sequence[np.ndarray] | None = None,
    zero: np.ndarray | None = None,
    name: str = "loss on a plane",
    info: dict | None = None,
) -> tuple[PlaneSurface, list]:
    """The plane surface of any autograd ``loss(theta)`` through flat initial ``params0``.

    ``trajectories``: recorded runs (``Trajectory`` with ``xy`` of shape (steps+1, P), or plain
    arrays). Returns the surface (its lattice computed, ``grid`` × ``grid``) and the runs
    projected onto it: Trajectories come back as Trajectories with ``xy`` (steps+1, 2) plane
    coordinates and their TRUE loss kept; arrays come back as (steps+1, 2) arrays.
    """
    if plane not in PLANES:
        raise InvalidValueError(f"unknown plane {plane!r}; choose from: {', '.join(PLANES)}")
    grid = check_grid(grid)
    theta0 = np.asarray(params0, dtype=float).ravel()
    paths = [
        t.xy if isinstance(t, Trajectory) else np.asarray(t, dtype=float) for t in trajectories
    ]
    for p in paths:
        if p.ndim != 2 or p.shape[1] != len(theta0):
            raise InvalidValueError(
                f"a recorded run must have shape (steps+1, {len(theta0)}), not {p.shape}"
            )
    if plane == "pca":
        pl = pca_plane(theta0, paths)
    else:
        pl = random_plane(theta0, paths, filters=filters, zero=zero, seed=seed)
    projected = [pl.project(p) for p in paths]
    window = plane_window(projected, minimum=1.0 if plane == "random" else 0.0)
    A, B, Z = lattice(loss, pl, window, grid)
    how = (
        "the first two principal directions of all runs' parameters (PCA about the start)"
        if plane == "pca"
        else "two random filter-normalised directions (Li et al. 2018)"
    )
    surface = PlaneSurface(
        name=name,
        func=_plane_function(loss, pl),
        formula=f"training loss at θ₀ + a·d₁ + b·d₂; d₁, d₂ = {how}",
        description=f"the loss on the plane through the start spanned by {how}",
        window=window,
        start=(0.0, 0.0),
        minima=(),
        levels=_levels(Z, float(batched_loss(loss, theta0[None])[0])),
        axis_labels=(pl.axis_label(0), pl.axis_label(1), "L(a, b)"),
        plane=pl,
        loss_fn=loss,
        lattice=(A, B, Z),
        info=dict(info or {}),
    )
    out = []
    for t, ab in zip(trajectories, projected, strict=True):
        if isinstance(t, Trajectory):
            from dataclasses import replace

            out.append(replace(t, xy=ab, start=ab[0].copy(), surface=name))
        else:
            out.append(ab)
    return surface, out
