"""Benchmark: what the rounding ensemble costs, measured in one process as ratios.

Every run carries four rounding companions in its batch (landscapes.sensitivity) and pictures
draw the strands of sensitive runs. This times, interleaved and best of ``--repeat`` each:

1. the runs of the default render (``animator`` with no arguments: the article's suite on
   hills_and_canyon, 125 steps) with and without companions;
2. the whole default render (the 1200x800 GIF) with and without them;
3. the same render of ripple, whose article suite has three sensitive runs (strands drawn).

    python benchmarks/bench_sensitivity.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import animator.cli.commands.render as render  # noqa: E402
from animator.cli.main import DEFAULT_ARGV, main  # noqa: E402
from landscapes import SUITES, get_surface, parse_spec, run_many  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def compare(label: str, with_fn, without_fn, repeat: int) -> None:
    on, off = [], []
    for _ in range(repeat):  # interleaved: a busy machine slows both alike
        on.append(best(with_fn, 1))
        off.append(best(without_fn, 1))
    a, b = min(on), min(off)
    print(f"{label:<46} with {a:7.3f} s  without {b:7.3f} s  overhead {100 * (a / b - 1):+5.1f} %")


def main_(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    surface = get_surface("hills_and_canyon")
    specs = [parse_spec(spec) for _, spec in SUITES["article"].runs]

    def runs(companions: bool) -> None:
        run_many(surface, specs, steps=125, companions=companions)

    compare("runs of the default render (5 x 125 steps, lockstep)", partial(runs, True),
            partial(runs, False), args.repeat * 5)  # fmt: skip

    plain = partial(run_many, companions=False)
    with tempfile.TemporaryDirectory() as tmp:

        def render_(argv, companions: bool) -> None:
            render.run_many = run_many if companions else plain
            try:
                assert main([*argv[:-1], str(Path(tmp) / argv[-1]), "-q"]) == 0
            finally:
                render.run_many = run_many

        default = DEFAULT_ARGV
        compare("animator (default render, 1200x800 GIF)", partial(render_, default, True),
                partial(render_, default, False), args.repeat)  # fmt: skip
        ripple = ["render", "ripple", "--suite", "article", "-o", "ripple.gif"]
        compare("ripple, article suite (3 sensitive runs)", partial(render_, ripple, True),
                partial(render_, ripple, False), args.repeat)  # fmt: skip


if __name__ == "__main__":
    main_()
