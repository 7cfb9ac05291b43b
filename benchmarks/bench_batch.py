"""Benchmark: a 200 x 200 basin map of Adam on hills_and_canyon, 125 steps, three ways.

1. batch      ``landscapes.basins.basin_map``: all 40,000 starts as one batch through ``run``.
2. (a) single the same runs one start at a time through the single-run path (``run`` on one
              point). Timed on an even sample of starts (default 400) and extrapolated to 40,000.
3. (b) numpy  a hand-written numpy gradient of hills_and_canyon in the same vectorised Adam loop,
              recording the same path and loss and classifying the same way: the practical limit.

The batch and (b) are timed interleaved, best of ``--repeat`` each, as the machine may be shared.

Prints the times and the ratios measured in this one process. Run from the repository root:
``python benchmarks/bench_batch.py [--grid 200] [--sample 400]``.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from landscapes import get_surface, make_optimizer, run  # noqa: E402
from landscapes.basins import (  # noqa: E402
    basin_map,
    classify,
    end_points,
    grid_starts,
    steps_to_converge,
)

SURFACE = get_surface("hills_and_canyon")
LR, BETA1, BETA2, EPS = 0.25, 0.9, 0.999, 1e-8


def hand_grad(xy: np.ndarray) -> np.ndarray:
    """The gradient of hills_and_canyon, differentiated by hand."""
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


def numpy_basins(starts: np.ndarray, steps: int) -> tuple[np.ndarray, np.ndarray]:
    """Adam with the hand gradient, path and loss recorded, classified like basin_map."""
    xy = starts
    path = np.empty((steps + 1, *xy.shape))
    loss = np.empty((steps + 1, len(xy)))
    path[0], loss[0] = xy, SURFACE.value(xy)
    m = np.zeros_like(xy)
    v = np.zeros_like(xy)
    for t in range(1, steps + 1):
        g = hand_grad(xy)
        a_t = LR * math.sqrt(1 - BETA2**t) / (1 - BETA1**t)
        m = BETA1 * m + (1 - BETA1) * g
        v = BETA2 * v + (1 - BETA2) * g**2
        xy = xy - a_t * m / (np.sqrt(v) + EPS)
        path[t], loss[t] = xy, SURFACE.value(xy)
    codes = classify(end_points(path), SURFACE.minima, 0.12)
    return codes, steps_to_converge(path, codes, SURFACE.minima, 0.12)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=200)
    parser.add_argument("--steps", type=int, default=125)
    parser.add_argument("--sample", type=int, default=400, help="starts timed one at a time")
    parser.add_argument("--repeat", type=int, default=3, help="best of this many (batch and b)")
    args = parser.parse_args()
    n, steps = args.grid, args.steps
    opt = make_optimizer("adam", lr=LR, beta1=BETA1, beta2=BETA2, eps=EPS)
    _, _, starts = grid_starts(SURFACE.window, n)

    np.seterr(all="ignore")
    t_batch = t_numpy = math.inf
    for _ in range(args.repeat):  # interleaved, best of each: the machine may be shared
        t0 = time.perf_counter()
        bmap = basin_map(SURFACE, opt, n, steps, tol=0.12)
        t_batch = min(t_batch, time.perf_counter() - t0)
        t0 = time.perf_counter()
        codes, steps_to = numpy_basins(starts, steps)
        t_numpy = min(t_numpy, time.perf_counter() - t0)
    agree = float(np.mean(codes.reshape(n, n) == bmap.basin))
    agree_steps = float(np.mean(steps_to.reshape(n, n) == bmap.steps_to))

    sample = np.linspace(0, len(starts) - 1, min(args.sample, len(starts))).round().astype(int)
    t0 = time.perf_counter()
    singles = [run(SURFACE, opt, starts[i], steps).xy for i in sample]
    t_sample = time.perf_counter() - t0
    t_single = t_sample / len(sample) * len(starts)
    batch_xy = run(SURFACE, opt, starts[sample], steps).xy
    exact = all(np.array_equal(batch_xy[:, j], xy) for j, xy in enumerate(singles))

    print(f"basin map: Adam on hills_and_canyon, {n}x{n} = {n * n:,} starts, {steps} steps")
    print(f"  (batch and b: best of {args.repeat}; a: one pass over the sample)")
    print(f"  batch (landscapes.basins.basin_map)      {t_batch:9.2f} s")
    print(
        f"  (a) one start at a time, single-run path {t_single:9.2f} s  "
        f"(extrapolated from {len(sample)} starts timed: {t_sample:.2f} s)"
    )
    print(f"  (b) hand-written numpy gradient, same loop {t_numpy:7.2f} s")
    print(f"  batch is {t_single / t_batch:,.0f}x faster than (a)   (target >= 100x)")
    print(f"  batch takes {t_batch / t_numpy:.2f}x the time of (b)  (target <= 3x)")
    print(
        f"  (b) agrees on the basin of {100 * agree:.2f}% of starts and on steps-to-converge of "
        f"{100 * agree_steps:.2f}%"
    )
    print(f"  sampled batch rows equal their single runs to the last bit: {exact}")


if __name__ == "__main__":
    main()
