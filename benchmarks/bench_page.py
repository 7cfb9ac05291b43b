"""The HTML player against the video page: time to make it and its size, in one process.

    python benchmarks/bench_page.py        # the article suite on hills_and_canyon, 1200x800

The baseline is the video page (an H.264 MP4 encoded from every frame, base64 in a <video>), which
is what an .html output and a notebook display were before the player.
"""

from __future__ import annotations

import time

import animator
from animator.output.page import player_fragment, player_page
from animator.output.writers import animation_html


def timed(make):
    t0 = time.perf_counter()
    out = make()
    return time.perf_counter() - t0, out


def main() -> None:
    anim = animator.animate("hills_and_canyon", suite="article")
    scene, options = anim.scene, anim.options
    t_video, video = timed(lambda: animation_html(scene, options))
    t_page, page = timed(lambda: player_page(scene, options))
    t_fragment, _ = timed(lambda: player_fragment(scene, options))
    t_first, first = timed(anim._repr_html_)
    t_second, second = timed(anim._repr_html_)
    assert second is first
    kb = 1024
    print(f"video page : {t_video:6.2f} s  {len(video.encode()) / kb:7.1f} KB  (baseline)")
    print(
        f"player page: {t_page:6.2f} s  {len(page.encode()) / kb:7.1f} KB  "
        f"({t_video / t_page:.1f}x faster, {len(video) / len(page):.1f}x smaller)"
    )
    print(f"notebook   : first display {t_first:.2f} s (fragment alone {t_fragment:.2f} s)")
    print(f"             second display {t_second * 1e6:.0f} µs (the cached string itself)")


if __name__ == "__main__":
    main()
