"""Benchmark: the same animation written the common way and the fast way, in one process.

The common way is matplotlib's ``FuncAnimation(...).save()`` with ``PillowWriter`` (GIF) or
``FFMpegWriter`` (MP4, the same x264 settings as ours, imageio-ffmpeg's ffmpeg): every frame
redraws the whole figure. The fast way is ``animator``'s writers: the static scene drawn once,
only the moving artists drawn per frame, one GIF palette and frame differences, RGBA streamed to
ffmpeg. Both draw the same figure (``animator.draw.figure.build_figure``) at the same size and frame
count (the hold on the last frame is turned off, so both write exactly steps + 1 frames).

    python benchmarks/bench_render.py            # 1200x800, 126 frames, 5 runs (the article)
    python benchmarks/bench_render.py --size 600x400 --steps 40
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import imageio_ffmpeg  # noqa: E402
import matplotlib  # noqa: E402
from matplotlib.animation import FFMpegWriter, FuncAnimation, PillowWriter  # noqa: E402

from animator.draw.figure import build_figure  # noqa: E402
from animator.output.writers import MP4_ARGS, write_gif, write_mp4  # noqa: E402
from animator.scene import RenderOptions, Scene  # noqa: E402
from landscapes import get_surface, run_suite  # noqa: E402


def common_way(scene: Scene, options: RenderOptions, path: Path, writer) -> None:
    """FuncAnimation over the whole figure, the way most scripts do it."""
    sf = build_figure(scene, options, animated=True, fast_text=False)
    sf.set_animated(False)  # every artist is part of every full draw
    sf.fig.canvas.draw()
    sf.place_texts()
    anim = FuncAnimation(sf.fig, sf.set_step, frames=range(sf.steps + 1), blit=False)
    anim.save(path, writer=writer, dpi=options.dpi)


def timed(label: str, fn) -> float:
    start = time.perf_counter()
    fn()
    seconds = time.perf_counter() - start
    print(f"  {label:<44} {seconds:7.2f} s", flush=True)
    return seconds


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", default="1200x800", help="WxH pixels (default 1200x800)")
    parser.add_argument("--steps", type=int, default=125, help="steps per run (frames - 1)")
    parser.add_argument("--fps", type=float, default=20.0)
    args = parser.parse_args(argv)
    w, h = (int(v) for v in args.size.lower().split("x"))
    matplotlib.rcParams["animation.ffmpeg_path"] = imageio_ffmpeg.get_ffmpeg_exe()

    surface = get_surface("hills_and_canyon")
    scene = Scene(surface, run_suite(surface, "article", steps=args.steps))
    options = RenderOptions(fps=args.fps, size=(w, h), dpi=100, hold=0.0, quiet=True)
    frames = args.steps + 1
    print(f"hills_and_canyon, article suite ({len(scene.trajectories)} runs), {w}x{h}, "
          f"{frames} frames at {args.fps:g} fps; x264 {' '.join(MP4_ARGS)}")  # fmt: skip

    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        base_gif = out / "common.gif"
        base_mp4 = out / "common.mp4"
        fast_gif = out / "fast.gif"
        fast_mp4 = out / "fast.mp4"
        mp4_args = [*MP4_ARGS, "-pix_fmt", "yuv420p"]
        t_bg = timed(
            "GIF  FuncAnimation + PillowWriter",
            lambda: common_way(scene, options, base_gif, PillowWriter(fps=args.fps)),
        )
        t_fg = timed("GIF  animator (write_gif)", lambda: write_gif(fast_gif, scene, options))
        t_bm = timed(
            "MP4  FuncAnimation + FFMpegWriter",
            lambda: common_way(
                scene, options, base_mp4,
                FFMpegWriter(fps=args.fps, codec="libx264", extra_args=mp4_args),
            ),
        )  # fmt: skip
        t_fm = timed("MP4  animator (write_mp4)", lambda: write_mp4(fast_mp4, scene, options))

        def kb(p: Path) -> str:
            return f"{p.stat().st_size / 1024:,.0f} KB"

        print()
        print(f"GIF: {t_bg:.2f} s -> {t_fg:.2f} s, {t_bg / t_fg:.1f}x faster; "
              f"{kb(base_gif)} -> {kb(fast_gif)} ({base_gif.stat().st_size / fast_gif.stat().st_size:.0f}x smaller)")  # noqa: E501  # fmt: skip
        print(f"MP4: {t_bm:.2f} s -> {t_fm:.2f} s, {t_bm / t_fm:.1f}x faster; "
              f"{kb(base_mp4)} -> {kb(fast_mp4)}")  # fmt: skip


if __name__ == "__main__":
    main()
