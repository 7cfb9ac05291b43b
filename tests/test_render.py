"""The renderer: figures, animations and their files (small images, few frames)."""

from __future__ import annotations

import base64
import io
import os
import time
import xml.etree.ElementTree as ET

import imageio.v2 as iio2
import imageio.v3 as iio
import numpy as np
import pytest
from PIL import Image

import animator
from animator.cli.main import main
from animator.draw.clipping import inside
from animator.draw.figure import build_figure, loss_scale, run_name, wrap_formula
from animator.draw.frames import FrameRenderer, plan_frames
from animator.output.progress import Progress
from animator.output.writers import write_gif, write_mp4
from animator.scene import RenderOptions, Scene
from landscapes import InvalidValueError, get_surface, parse_spec, run, run_suite

SMALL = RenderOptions(fps=10.0, size=(240, 160), dpi=40, hold=0.2, quiet=True)


@pytest.fixture(scope="module")
def article_scene() -> Scene:
    surface = get_surface("hills_and_canyon")
    return Scene(surface, run_suite(surface, "article", steps=6))


@pytest.fixture(scope="module")
def diverged_scene() -> Scene:
    """sgd at lr=5 on x²+y² multiplies the point by -9 each step: it leaves the window at step 1
    and the safe range |x| <= 1e6 at step 6 (2.8 * 9**6 = 1.49e6)."""
    surface = get_surface("simple_quad")
    runs = [
        run(surface, parse_spec("sgd:lr=5"), steps=10, label="sgd:lr=5"),
        run(surface, parse_spec("sgd:lr=0.1"), steps=10, label="sgd:lr=0.1"),
    ]
    return Scene(surface, runs)


# --- animations -----------------------------------------------------------------------------


def test_gif_frames_size_mode_and_hold(tmp_path, article_scene):
    path = tmp_path / "a.gif"
    write_gif(path, article_scene, SMALL)
    frames = iio.imread(path, index=None)
    # 7 steps (0..6) are 7 frames; the hold (0.2 s at 10 fps = 2 frames) lengthens the last one
    assert frames.shape[:3] == (7, 160, 240)
    assert frames.shape[3] in (3, 4)
    with Image.open(path) as im:
        assert im.mode == "P" and im.n_frames == 7
        durations = []
        for k in range(im.n_frames):
            im.seek(k)
            durations.append(im.info["duration"])
    assert durations == [100] * 6 + [300]


def test_gif_frames_are_the_rendered_frames(tmp_path, article_scene):
    """Frame differences + transparency decode back to the frames drawn (up to the palette)."""
    path = tmp_path / "a.gif"
    write_gif(path, article_scene, SMALL)
    frames = iio.imread(path, index=None)[..., :3].astype(int)
    renderer = FrameRenderer(article_scene, SMALL)
    for k in (0, 3, 6):
        drawn = renderer.frame(k)[..., :3].astype(int)
        err = np.abs(frames[k] - drawn)
        assert err.mean() < 2.0, (k, err.mean())
        assert np.percentile(err, 99) <= 24


def test_mp4_frames_size_and_mode(tmp_path, article_scene):
    path = tmp_path / "a.mp4"
    write_mp4(path, article_scene, SMALL)
    with iio2.get_reader(path, "ffmpeg") as reader:
        meta = reader.get_meta_data()
        assert meta["size"] == (240, 160)
        assert meta["fps"] == pytest.approx(10.0)
        assert reader.count_frames() == 7 + 2  # every step, then the hold
        first = reader.get_data(0)
    assert first.shape == (160, 240, 3) and first.dtype == np.uint8
    drawn = FrameRenderer(article_scene, SMALL).frame(0)[..., :3].astype(int)
    assert np.abs(first.astype(int) - drawn).mean() < 6  # H.264 + yuv420p, not lossless


def test_mp4_rejects_odd_sizes(tmp_path, article_scene):
    odd = RenderOptions(size=(241, 160), dpi=40, quiet=True)
    with pytest.raises(InvalidValueError, match="even"):
        write_mp4(tmp_path / "a.mp4", article_scene, odd)
    assert not list(tmp_path.iterdir())


def test_fast_frame_equals_full_redraw(diverged_scene):
    """Blitting only the moving artists paints exactly what one full draw paints (pixel for
    pixel), with the legend, the counter and a divergence cross on top."""
    renderer = FrameRenderer(diverged_scene, RenderOptions(size=(360, 240), dpi=50))
    for k in (2, 8, 10):
        fast = renderer.frame(k).copy()
        assert np.array_equal(fast, renderer.full_redraw(k)), k
    # and the frames differ from each other (the test compares something that moves)
    assert not np.array_equal(renderer.frame(2), renderer.full_redraw(8))


def test_incremental_frames_equal_full_redraws(diverged_scene, article_scene):
    """Frames painted on the kept lines of the frame before (forwards, skipping steps, and
    going back) equal full redraws of the same steps, pixel for pixel."""
    for scene in (diverged_scene, article_scene):
        options = RenderOptions(size=(360, 240), dpi=50)
        fast, slow = FrameRenderer(scene, options), FrameRenderer(scene, options)
        steps = scene.trajectories[0].steps
        for k in [0, 1, 2, 3, 5, 6, steps, 1, 4, steps]:
            assert np.array_equal(fast.frame(k), slow.full_redraw(k)), k


def test_frame_plan_thins_evenly_and_holds():
    plan = plan_frames(125, RenderOptions(fps=20.0))
    assert list(plan.steps) == list(range(126)) and plan.hold == 20 and plan.total == 146
    # 2 s at 10 fps = 20 frames: the hold takes at most a fifth (4), 16 steps remain, evenly
    plan = plan_frames(125, RenderOptions(fps=10.0, duration=2.0))
    assert plan.hold == 4 and len(plan.steps) == 16 and plan.total == 20
    assert plan.steps[0] == 0 and plan.steps[-1] == 125
    assert np.ptp(np.diff(plan.steps)) <= 1  # gaps of 8 or 9 steps
    # a duration longer than the run never pads: every step once
    assert len(plan_frames(10, RenderOptions(fps=10.0, duration=60.0)).steps) == 11


def test_long_renders_are_planned_and_bad_views_refused_before_rendering():
    """Frames stream (memory of one frame), so only time grows: a minute of 1080p at 60 fps and
    the article suite over 3000 steps at 1200x800 are plans, not errors."""
    assert plan_frames(3599, RenderOptions(size=(1920, 1080), fps=60.0, hold=0.0)).total == 3600
    assert plan_frames(3000, RenderOptions(size=(1200, 800))).total == 3021
    with pytest.raises(InvalidValueError, match="view"):
        plan_frames(10, RenderOptions(view="4d"))


# --- figures ------------------------------------------------------------------------------


def test_png_svg_pdf_html_are_written_and_valid(tmp_path):
    base = ["render", "hills_and_canyon", "--steps", "5", "--size", "240x160", "--dpi", "40", "-q"]
    for name in ("f.png", "f.svg", "f.pdf", "f.html"):
        assert main([*base, "-o", str(tmp_path / name)]) == 0, name
    with Image.open(tmp_path / "f.png") as im:
        assert im.size == (240, 160) and im.format == "PNG"
    root = ET.parse(tmp_path / "f.svg").getroot()
    assert root.tag.endswith("svg") and root.get("width", "").startswith("432.0")  # 6 in
    assert (tmp_path / "f.pdf").read_bytes().startswith(b"%PDF")
    page = (tmp_path / "f.html").read_text()
    assert page.startswith("<!DOCTYPE html>") and 'class="la-player"' in page
    assert "<video" not in page and "http:" not in page and "https:" not in page
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.html", "f.pdf", "f.png", "f.svg"]


@pytest.mark.parametrize("extra", [["--html", "video"], ["--view", "3d"], ["--show", "grad"]])
def test_video_page_has_the_mp4_inside_and_a_poster(tmp_path, extra):
    out = tmp_path / "v.html"
    base = ["render", "hills_and_canyon", "--steps", "5", "--size", "240x160", "--dpi", "40", "-q"]
    assert main([*base, *extra, "-o", str(out)]) == 0
    page = out.read_text()
    assert page.startswith("<!DOCTYPE html>") and "<video" in page and "la-player" not in page
    data = page.split("data:video/mp4;base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(data)[4:8] == b"ftyp"  # an MP4 inside, nothing to fetch
    poster = page.split('poster="data:image/png;base64,', 1)[1].split('"', 1)[0]
    with Image.open(io.BytesIO(base64.b64decode(poster))) as im:
        assert im.size == (240, 160)


def test_diverged_run_is_drawn_to_its_end_with_a_cross(diverged_scene, tmp_path):
    sf = build_figure(diverged_scene, RenderOptions(size=(360, 240), dpi=50))
    bad = sf.runs[0]
    assert bad.traj.diverged_at == 6
    # the axes keep the surface's window, whatever the run did
    assert sf.map.ax.get_xlim() == (-3.0, 3.0) and sf.map.ax.get_ylim() == (-3.0, 3.0)
    # drawn vertices stay near the view: clipped, not 1e6 away
    assert np.nanmax(np.abs(bad.line.get_xydata())) == pytest.approx(3.0 + 2 * 6.0)
    # the cross sits where the path leaves the window: from (-2.8, -2.5) towards (25.2, 22.5)
    cross = bad.cross.get_xydata()
    assert cross.shape == (1, 2) and cross[0, 0] == pytest.approx(3.0)
    assert cross[0, 1] == pytest.approx(-2.5 + 5.8 * 25.0 / 28.0)
    assert bad.note.get_visible() and bad.note.get_text().startswith("diverged at step 6")
    legend = [t.get_text() for t in sf.legend.get_texts()]
    assert legend[0] == "sgd  (lr=5)\ndiverged at step 6"
    assert legend[1] == f"sgd  (lr=0.1)\nloss {sf.runs[1].traj.loss[-1]:.3g}"
    # and the files render
    for name in ("d.png", "d.gif"):
        code = main(
            ["render", "simple_quad", "-O", "sgd:lr=5", "--steps", "10", "--size", "240x160",
             "--dpi", "40", "-q", "-o", str(tmp_path / name)]
        )  # fmt: skip
        assert code == 0 and (tmp_path / name).stat().st_size > 0


@pytest.fixture(scope="module")
def sensitive_scene() -> Scene:
    """The article's rmsprop on ripple becomes rounding-sensitive (its companions leave it)."""
    surface = get_surface("ripple")
    runs = [run(surface, parse_spec(spec), steps=30) for spec in ("rmsprop:lr=0.25", "adam")]
    return Scene(surface, runs)


def test_rounding_sensitive_run_is_drawn_as_one_of_many(sensitive_scene):
    sf = build_figure(sensitive_scene, RenderOptions(size=(360, 240), dpi=50), animated=True)
    wild, calm = sf.runs
    at = wild.traj.rounding_sensitive_from
    assert at is not None and calm.traj.rounding_sensitive_from is None and not calm.strand
    assert len(wild.strand) == 5  # the run and its four companions, from step `at` on
    for k in (at - 1, at + 3):
        sf.set_step(k)  # the lines are Trails: what they draw up to step k is path.until(k)
        line = wild.path.until(k)
        assert len(line) == min(k, at) + 1 and (line[-1] == wild.traj.xy[min(k, at)]).all()
        strands = [path.until(k) for _, path in wild.strand]
        assert all(len(v) == max(k - at + 1, 0) for v in strands)
        if k > at:  # the run's own strand is the run; the others are its companions
            np.testing.assert_array_equal(strands[0], wild.traj.xy[at : k + 1])
            np.testing.assert_array_equal(strands[1], wild.traj.companions[at : k + 1, 0])
        shown = wild.sensitive.get_xydata()
        assert (shown == wild.traj.xy[at]).all() if k >= at else len(shown) == 0
        note = f"rounding-sensitive from step {at}"
        assert (note in wild.status.get_text()) == (k >= at)
        assert note not in calm.status.get_text()
    legend = [t.get_text() for t in sf.legend.get_texts()]
    assert legend[-1] == "rounding-sensitive from here on"
    renderer = FrameRenderer(sensitive_scene, RenderOptions(size=(360, 240), dpi=50))
    for k in (at - 1, at + 5, 30):  # the strands blit like every moving artist
        assert np.array_equal(renderer.frame(k).copy(), renderer.full_redraw(k)), k


def test_legend_and_counter_follow_the_step(article_scene):
    sf = build_figure(article_scene, SMALL, animated=True)
    sf.set_step(3)
    adam = sf.runs[-1]
    assert sf.step_text.get_text() == "step 3 / 6"
    assert adam.status.get_text() == f"loss {adam.traj.loss[3]:.3g}"
    assert all((t.a, t.b) == (0, 3) for t in sf.trails)  # the lines: start and three steps
    assert sf.cursor.get_xdata()[0] == 3


def test_3d_view_renders(tmp_path):
    path = tmp_path / "v.png"
    args = ["render", "wobbly", "-O", "adam", "--steps", "5", "--view", "3d"]
    assert main([*args, "--size", "240x160", "--dpi", "40", "-o", str(path)]) == 0
    with Image.open(path) as im:
        pixels = np.asarray(im.convert("RGB"))
    assert pixels.shape == (160, 240, 3) and pixels.std() > 10  # something was drawn


def test_loss_scale_log_only_when_the_range_calls_for_it(article_scene, diverged_scene):
    assert not loss_scale(article_scene).log  # 6 steps: 6.5 to 8.9
    surface = get_surface("hills_and_canyon")
    adam = run(surface, parse_spec("adam:lr=0.25"), steps=125)
    assert loss_scale(Scene(surface, [adam])).log  # 8.9 down to 0.09
    # the diverged run's losses (up to 1e12) are outside the window: the panel makes room for
    # three decades above the losses in view (14.97 at the start) and no more
    ls = loss_scale(diverged_scene)
    start_loss = 2.8**2 + 2.5**2
    assert ls.log and ls.hi == pytest.approx(start_loss * 1e3 * 1.6)


def test_loss_scale_draws_a_stuck_run_flat():
    surface = get_surface("giant_plateau")  # from (-2.8, -2.5) nesterov moves the loss by ~1e-8
    stuck = run(surface, parse_spec("nesterov:lr=0.01,momentum=0.25"), steps=125)
    assert 0 < np.ptp(stuck.loss) < 1e-6
    ls = loss_scale(Scene(surface, [stuck]))
    assert not ls.log and ls.lo < 3.7 and ls.hi > 4.3  # 4 +- 0.4, not a 1e-8 zoom


def test_loss_scale_stays_linear_when_an_escaping_run_spans_no_decades():
    surface = get_surface("two_minima")  # adagrad leaves the view; every loss is 3.5 to 4
    runs = run_suite(surface, "article")
    assert any(not inside(t.xy, surface.window).all() for t in runs)
    ls = loss_scale(Scene(surface, runs))
    assert not ls.log and 3.4 < ls.lo < 3.5 and 3.8 < ls.hi < 4.3  # adagrad peaks at 3.81


def test_run_name_drops_a_suite_label_that_only_repeats_the_values():
    surface = get_surface("simple_quad")
    opt = parse_spec("nesterov:lr=0.01,momentum=0.25")
    labels = ("nesterov momentum 0.25", "nesterov momentum 0.25, tuned lr=0.01", "my run")
    named = [run(surface, opt, steps=1, label=label) for label in labels]
    assert [run_name(t) for t in named] == [
        "nesterov  (lr=0.01, momentum=0.25)",
        "nesterov momentum 0.25, tuned lr=0.01  (lr=0.01, momentum=0.25)",
        "my run  (lr=0.01, momentum=0.25)",
    ]


def test_formula_wraps_between_terms():
    formula = "f(x, y) = " + get_surface("hills_and_canyon").formula
    wrapped = wrap_formula(formula, 6.0, 10)
    lines = wrapped.split("\n")
    assert len(lines) >= 2 and all(len(line) <= 6.0 * 72 / 6 for line in lines)
    assert " ".join(lines).replace("+ ", "+ ") == formula  # only line breaks were added
    assert all(line.endswith("+") for line in lines[:-1])


# --- command line, progress, Python API ----------------------------------------------------


def test_no_arguments_writes_the_readme_gif(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main([]) == 0
    out = capsys.readouterr().out.strip()
    assert out == "hills_and_canyon.gif"
    with Image.open(tmp_path / out) as im:
        assert im.size == (1200, 800) and im.n_frames == 126


def test_progress_bar_only_on_a_terminal():
    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    quiet, tty, pipe = Terminal(), Terminal(), io.StringIO()
    for stream, kwargs in ((tty, {}), (quiet, {"quiet": True}), (pipe, {})):
        with Progress(3, "frames", stream=stream, **kwargs) as bar:
            for _ in range(3):
                time.sleep(0.15)  # past the bar's redraw interval, so every count is drawn
                bar.update()
    assert "3/3 frames" in tty.getvalue() and tty.getvalue().endswith("\r")  # cleared at the end
    assert quiet.getvalue() == "" and pipe.getvalue() == ""


def test_progress_bar_fits_a_narrow_terminal():
    """In a real 40-column terminal (a pseudo-terminal) every redraw fits on its line."""
    import fcntl
    import select
    import struct
    import termios

    master, slave = os.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 40, 0, 0))
    with os.fdopen(slave, "w") as stream:
        with Progress(200, "frames", stream=stream) as bar:
            for _ in range(4):
                time.sleep(0.12)
                bar.update(50)
        stream.flush()
    chunks = []
    while select.select([master], [], [], 0.2)[0]:  # everything the bar wrote, in pieces
        try:
            chunks.append(os.read(master, 65536))
        except OSError:  # EIO: the terminal's other end is closed and nothing is left
            break
    os.close(master)
    drawn = b"".join(chunks).decode()
    lines = [line for line in drawn.replace("\n", "\r").split("\r") if line.strip()]
    assert any("200/200 frames" in line for line in lines), drawn
    assert max(len(line) for line in lines) <= 40 and "\n" not in drawn, drawn


def test_python_api_displays_in_jupyter(tmp_path):
    pic = animator.plot("simple_quad", ["adam:lr=0.5", "sgd"], steps=4, size=(240, 160), dpi=40)
    png = pic._repr_png_()
    assert png.startswith(b"\x89PNG") and Image.open(io.BytesIO(png)).size == (240, 160)
    assert [t.label for t in pic.scene.trajectories] == ["adam:lr=0.5", "sgd"]
    anim = animator.animate("simple_quad", "adam", steps=3, size=(240, 160), dpi=40, fps=5)
    html = anim._repr_html_()
    assert html.startswith('<div class="la-player"') and anim._repr_html_() is html  # cached
    video = anim.to_html5_video()
    assert video.startswith("<video") and 'poster="data:image/png' in video
    assert anim.to_html5_video() is video and anim.to_jshtml() is html
    assert anim.frame(2).shape == (160, 240, 4)
    saved = anim.save(tmp_path / "a.gif")
    assert iio.imread(saved, index=None).shape[0] == 4
    with pytest.raises(InvalidValueError, match="suffix"):
        pic.save(tmp_path / "a.bmp")
