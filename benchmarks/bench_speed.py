"""Benchmark: every row of issue 15's table, whole process and in-process, in one run.

Whole-process rows run the command in a fresh interpreter (subprocess), interleaved round-robin
so a busy machine slows every row alike, and report the median of ``--repeat`` runs (wall clock,
and the CPU time the process used, user + sys) and its ratio to the import floor (``python -c
"import numpy, matplotlib.pyplot, autograd, PIL"``) measured in the same rounds. On a shared
machine compare the ratios, and prefer the CPU columns: waiting for a core inflates the wall
clock of long commands more than that of the short floor.

    python benchmarks/bench_speed.py                 # all rows but the slow ones
    python benchmarks/bench_speed.py --long --gallery --memory   # every row (minutes)
    python benchmarks/bench_speed.py --source /path/to/old/checkout   # "before" figures

``--source`` runs the commands of another checkout (PYTHONPATH), so before and after are
measured by the same script with the same interpreter and libraries.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
FLOOR = "import numpy, matplotlib.pyplot, autograd, PIL"

#: In-process: the article's five runs, one at a time and (if the checkout has it) in lockstep.
RUNS_SNIPPET = """
import json, statistics, sys, time
import landscapes as L
s = L.get_surface("hills_and_canyon")
pairs = [(label, L.parse_spec(spec)) for label, spec in L.SUITES["article"].runs]
calls = []
def counted(method):
    return lambda self, xy: calls.append(1) or method(self, xy)
L.Surface.grad = counted(L.Surface.grad)
if hasattr(L.Surface, "value_and_grad"):  # the loss and the next gradient in one call
    L.Surface.value_and_grad = counted(L.Surface.value_and_grad)
def one_at_a_time():
    return [L.run(s, o, None, 125, label=n) for n, o in pairs]
def lockstep():
    return L.run_many(s, [o for _, o in pairs], None, 125, labels=[n for n, _ in pairs])
out = {}
ways = [("one at a time", one_at_a_time)]
if hasattr(L, "run_many"):
    ways.append(("lockstep", lockstep))
for name, fn in ways:
    fn()
    times = []
    for _ in range(REPEAT):
        calls.clear()
        t = time.perf_counter(); fn(); times.append(time.perf_counter() - t)
    out[name] = [statistics.median(times), len(calls)]
print(json.dumps(out))
"""

#: In-process: basin_map against the hand-written numpy script's function, interleaved.
BASINS_SNIPPET = """
import json, statistics, sys, time
import numpy as np
sys.path.insert(0, HERE)
import basins_numpy
import landscapes as L
from landscapes.basins import basin_map
s = L.get_surface("hills_and_canyon")
opt = L.make_optimizer("adam")
np.seterr(all="ignore")
a, b = [], []
for _ in range(REPEAT):
    t = time.perf_counter(); basin_map(s, opt, 200, 125); a.append(time.perf_counter() - t)
    t = time.perf_counter(); basins_numpy.basins(200); b.append(time.perf_counter() - t)
print(json.dumps([statistics.median(a), statistics.median(b)]))
"""


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs per row (median; >= 5)")
    parser.add_argument("--source", type=Path, default=HERE.parent, help="checkout to measure")
    parser.add_argument("--long", action="store_true", help="1,000 vs 2,000-step animations")
    parser.add_argument("--long-repeat", type=int, default=5, help="runs of each long row")
    parser.add_argument("--gallery", action="store_true", help="time `animator gallery`")
    parser.add_argument("--memory", action="store_true", help="peak memory of 500/5,000 frames")
    args = parser.parse_args(argv)
    env = {**os.environ, "PYTHONPATH": str(args.source.resolve())}
    py = sys.executable
    # Bytecode as an installed package has it (pip compiles on install), even where
    # PYTHONDONTWRITEBYTECODE is set: else every run would compile our modules again.
    for package in ("animator", "landscapes"):
        subprocess.run([py, "-m", "compileall", "-q", str(args.source / package)], check=True)
    tmp = Path(tempfile.mkdtemp(prefix="bench-speed-"))
    animator = [py, "-m", "animator"]
    rows: list[tuple[str, list[str]]] = [
        ("floor: " + FLOOR, [py, "-c", FLOOR]),
        ("animator list", [*animator, "list"]),
        ("animator --help", [*animator, "--help"]),
        ("render hills_and_canyon --suite article -o a.png",
         [*animator, "render", "hills_and_canyon", "--suite", "article", "-o", str(tmp / "a.png")]),
        ("animator (the default GIF, 146 frames)", [*animator]),
        ("basins hills_and_canyon -O adam --grid 200 -o b.npz",
         [*animator, "basins", "hills_and_canyon", "-O", "adam", "--grid", "200", "-o",
          str(tmp / "b.npz")]),
        ("hand-written numpy basin script (grid 200)",
         [py, str(HERE / "basins_numpy.py"), "200", str(tmp / "n.npz")]),
    ]  # fmt: skip
    long_rows = [
        (f"render --suite article --steps {steps} --size 632x632 -o l.gif",
         [*animator, "render", "hills_and_canyon", "--suite", "article", "--steps", str(steps),
          "--size", "632x632", "-q", "-o", str(tmp / f"l{steps}.gif")])
        for steps in (1000, 2000)
    ] if args.long else []  # fmt: skip
    print(f"source: {args.source.resolve()}  python: {py}  repeat: {args.repeat}")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"load average at start: {os.getloadavg()[0]:.1f} on {cores} usable cores\n")

    times: dict[str, list[float]] = {name: [] for name, _ in rows + long_rows}
    cpu: dict[str, list[float]] = {name: [] for name, _ in rows + long_rows}
    for i in range(max(args.repeat, args.long_repeat if long_rows else 0)):
        for name, cmd in (rows if i < args.repeat else []) + (
            long_rows if i < args.long_repeat else []
        ):  # round-robin: a load spike hits every row, not one
            t, c = time.perf_counter(), _children_cpu()
            subprocess.run(cmd, cwd=tmp, env=env, check=True, capture_output=True)
            times[name].append(time.perf_counter() - t)
            cpu[name].append(_children_cpu() - c)
    med = {name: statistics.median(ts) for name, ts in times.items()}
    mcpu = {name: statistics.median(ts) for name, ts in cpu.items()}
    floor, fcpu = med[rows[0][0]], mcpu[rows[0][0]]
    print(f"{'whole process (median of ' + str(args.repeat) + ')':<60} {'wall s':>7} {'x floor':>8}"
          f" {'cpu s':>7} {'x floor':>8}")  # fmt: skip
    for name, _ in rows + long_rows:
        print(f"  {name:<58} {med[name]:7.2f} {med[name] / floor:8.2f} {mcpu[name]:7.2f}"
              f" {mcpu[name] / fcpu:8.2f}")  # fmt: skip
    (b, bc), (n, nc) = ((med[k], mcpu[k]) for k in (rows[5][0], rows[6][0]))
    print(f"  basin map whole process / numpy script: {b / n:.2f}x wall, {bc / nc:.2f}x cpu")
    if long_rows:
        (a, ac), (c, cc) = ((med[k], mcpu[k]) for k, _ in long_rows)
        print(f"  2,000 steps / 1,000 steps: {c / a:.2f}x wall, {cc / ac:.2f}x cpu"
              f" (median of {args.long_repeat})")  # fmt: skip

    print("\nin-process")
    code = RUNS_SNIPPET.replace("REPEAT", str(args.repeat))
    runs = json.loads(_python(py, code, env))
    for name, (seconds, calls) in runs.items():
        print(f"  article suite (5 x 125 steps), {name:<14} {seconds:7.3f} s, {calls} grad calls")
    code = BASINS_SNIPPET.replace("REPEAT", str(args.repeat)).replace("HERE", repr(str(HERE)))
    a, b = json.loads(_python(py, code, env))
    print(f"  basin map 200x200: basin_map {a:.2f} s, numpy function {b:.2f} s: {a / b:.2f}x")

    if args.gallery:
        gal = []
        for _ in range(max(1, args.repeat // 5)):
            out = Path(tempfile.mkdtemp(prefix="bench-gallery-"))
            t = time.perf_counter()
            subprocess.run([*animator, "gallery", "-q", "-o", str(out)], env=env, check=True,
                           capture_output=True)  # fmt: skip
            gal.append(time.perf_counter() - t)
        print(f"\n  animator gallery: {statistics.median(gal):.1f} s (median of {len(gal)})"
              f" = {statistics.median(gal) / floor:.0f}x floor")  # fmt: skip
    if args.memory:
        print("\npeak memory (/usr/bin/time -v), render --suite article at 1200x800 GIF")
        for frames in (500, 5000):
            steps = str(frames - 21)  # + the 20-frame hold = frames
            cmd = ["/usr/bin/time", "-v", *animator, "render", "hills_and_canyon", "--suite",
                   "article", "--steps", steps, "-q", "-o", str(tmp / "m.gif")]  # fmt: skip
            t = time.perf_counter()
            err = subprocess.run(cmd, env=env, check=True, capture_output=True, text=True).stderr
            kb = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
            seconds = time.perf_counter() - t
            print(f"  {frames:>5} frames: {kb / 1024:6.0f} MB peak, {seconds:.0f} s")


def _children_cpu() -> float:
    """CPU seconds (user + sys) used so far by the finished child processes."""
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def _python(py: str, code: str, env: dict) -> str:
    """Run ``code`` in a fresh interpreter that imports from ``--source`` (PYTHONPATH), not from
    the current directory (which ``-c`` puts first on sys.path)."""
    return subprocess.run([py, "-c", code], env=env, check=True, capture_output=True, text=True,
                          cwd=tempfile.gettempdir()).stdout  # fmt: skip


if __name__ == "__main__":
    main()
