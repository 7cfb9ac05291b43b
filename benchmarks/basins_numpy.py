"""The hand-written numpy basin map that ``animator basins`` is measured against (numpy only).

Adam on hills_and_canyon from a GRID x GRID grid over [-3, 3]², 125 steps, the gradient
differentiated by hand, path and loss recorded, each end point classified by its nearest minimum
(within 0.12) and saved as .npz: what a practised user would write without landscape-animator.

    python benchmarks/basins_numpy.py [GRID] [OUT.npz]
"""

from __future__ import annotations

import math
import sys

import numpy as np

MINIMA = np.array([[-0.0404194, 0.0719737], [1.9291459, -1.9214577], [-2.0341940, -1.0818788]])
LR, BETA1, BETA2, EPS, STEPS, TOL = 0.25, 0.9, 0.999, 1e-8, 125, 0.12


def value(xy: np.ndarray) -> np.ndarray:
    x, y = xy[..., 0], xy[..., 1]
    return (
        (x**2 + y**2) / 3
        + 3 * np.exp(-((x + 1) ** 2 + (y + 2) ** 2))
        + np.exp(-1.5 * (2 * (x + 2) ** 2 + (y - 0.5) ** 2))
        + 3 * np.exp(-1.5 * ((x - 1) ** 2 + 2 * (y + 1.5) ** 2))
        + 1.5 * np.exp(-((x + 1.5) ** 2 + 3 * (y + 0.5) ** 2))
        + 4 * (1 - np.exp(-((x + y) ** 2)))
    )


def grad(xy: np.ndarray) -> np.ndarray:
    x, y = xy[..., 0], xy[..., 1]
    e1 = 3 * np.exp(-((x + 1) ** 2 + (y + 2) ** 2))
    e2 = np.exp(-1.5 * (2 * (x + 2) ** 2 + (y - 0.5) ** 2))
    e3 = 3 * np.exp(-1.5 * ((x - 1) ** 2 + 2 * (y + 1.5) ** 2))
    e4 = 1.5 * np.exp(-((x + 1.5) ** 2 + 3 * (y + 0.5) ** 2))
    s = x + y
    e5 = 8 * s * np.exp(-(s**2))
    gx = 2 * x / 3 - 2 * (x + 1) * e1 - 6 * (x + 2) * e2 - 3 * (x - 1) * e3 - 2 * (x + 1.5) * e4
    gy = 2 * y / 3 - 2 * (y + 2) * e1 - 3 * (y - 0.5) * e2 - 6 * (y + 1.5) * e3 - 6 * (y + 0.5) * e4
    return np.stack([gx + e5, gy + e5], axis=-1)


def basins(n: int) -> dict[str, np.ndarray]:
    g = np.linspace(-3, 3, n)
    xy = np.stack(np.meshgrid(g, g), -1).reshape(-1, 2)
    path = np.empty((STEPS + 1, *xy.shape))
    loss = np.empty((STEPS + 1, len(xy)))
    path[0], loss[0] = xy, value(xy)
    m, v = np.zeros_like(xy), np.zeros_like(xy)
    for t in range(1, STEPS + 1):
        gr = grad(xy)
        a_t = LR * math.sqrt(1 - BETA2**t) / (1 - BETA1**t)
        m = BETA1 * m + (1 - BETA1) * gr
        v = BETA2 * v + (1 - BETA2) * gr**2
        xy = xy - a_t * m / (np.sqrt(v) + EPS)
        path[t], loss[t] = xy, value(xy)
    dist = np.linalg.norm(path[-1][:, None, :] - MINIMA[None], axis=-1)
    code = np.where(dist.min(1) <= TOL, dist.argmin(1), -1)
    return {"basin": code.reshape(n, n), "final": path[-1].reshape(n, n, 2)}


if __name__ == "__main__":
    grid = int(sys.argv[1]) if len(sys.argv) > 1 else 200
    out = sys.argv[2] if len(sys.argv) > 2 else "basins_numpy.npz"
    with np.errstate(all="ignore"):
        np.savez_compressed(out, **basins(grid))
