"""Benchmark: ``animator net`` (moons, 500 points, mlp:16,16, 3 optimizers × 300 steps, 100×100).

Times each phase in one process (data and model, training, plane and lattice, the GIF), the
lattice against its baseline in the same process (the same loss evaluated one parameter vector
at a time, the way a Python loop over the lattice would), and then the whole command as a fresh
process (wall and CPU seconds: on a shared machine the CPU time is the steadier figure).

    python benchmarks/bench_net.py
    python benchmarks/bench_net.py --grid 50 --steps 100
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from animator.api import Animation  # noqa: E402
from animator.network import DEFAULT_NET_RUNS, network_scene  # noqa: E402
from animator.scene import RenderOptions  # noqa: E402
from landscapes import parse_spec  # noqa: E402
from landscapes.datasets import make_dataset  # noqa: E402
from landscapes.networks import ModelLoss, parse_model, train  # noqa: E402
from landscapes.plane import lattice, pca_plane, plane_window  # noqa: E402


def timed(label: str, fn):
    """Wall seconds (returned) and this process's CPU seconds (printed beside them: on a shared
    machine the CPU time is what the work costs, the wall time includes waiting for a core)."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn()
    seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    print(f"  {label:<48} {seconds:7.2f} s wall {cpu:7.2f} s CPU", flush=True)
    return seconds, out


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--grid", type=int, default=100)
    parser.add_argument("--steps", type=int, default=300)
    args = parser.parse_args(argv)
    print(f"phases (one process; {args.steps} steps, {args.grid}x{args.grid} lattice):")
    _, loss = timed(
        "data set and model", lambda: ModelLoss(parse_model("mlp:16,16"), make_dataset("moons"))
    )
    pairs = [(s, parse_spec(s)) for s in DEFAULT_NET_RUNS]
    t_train, tr = timed("training, 3 optimizers", lambda: train(loss, pairs, args.steps))
    plane = pca_plane(tr.start, [t.xy for t in tr.runs])
    window = plane_window([plane.project(t.xy) for t in tr.runs])
    t_lat, (A, B, Z) = timed(
        "lattice, batched (the library)", lambda: lattice(loss, plane, window, args.grid)
    )
    thetas = plane.point(np.stack([A.ravel(), B.ravel()], -1))
    t_loop, Z_loop = timed(
        "lattice, one vector at a time (baseline)",
        lambda: np.array([float(loss.value(t)) for t in thetas]),
    )
    print(
        f"  lattice speed-up over the loop: {t_loop / t_lat:.1f}x "
        f"(largest relative difference {np.max(np.abs(Z.ravel() - Z_loop) / Z_loop):.1e})"
    )
    # whole scene (train + plane + lattice) again, then the GIF
    t_scene, scene = timed(
        "scene: train, plane, lattice", lambda: network_scene(steps=args.steps, grid=args.grid)
    )
    with tempfile.TemporaryDirectory() as tmp:
        anim = Animation(scene, RenderOptions(quiet=True))
        t_gif, _ = timed(
            "GIF, 1200x800, every step a frame", lambda: anim.save(Path(tmp) / "net.gif")
        )
        print(
            f"  training share of the scene: {t_train / t_scene:.0%}; "
            f"lattice share: {t_lat / t_scene:.0%}; GIF / scene: {t_gif / t_scene:.1f}x"
        )
        print("whole command, fresh process:")
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        start = time.perf_counter()
        cmd = [sys.executable, "-m", "animator", "net", "-q", "-o", str(Path(tmp) / "cli.gif")]
        if args.steps != 300 or args.grid != 100:
            cmd += ["--steps", str(args.steps), "--grid", str(args.grid)]
        subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, env={**os.environ})
        wall = time.perf_counter() - start
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
        size = (Path(tmp) / "cli.gif").stat().st_size
        print(f"  animator net -o net.gif: {wall:.2f} s wall, {cpu:.2f} s CPU, {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
