"""The HTML player, tested in a real browser (headless Debian Chromium through Playwright).

Expected positions come from matplotlib itself (``ax.transData`` of a freshly built figure), not
from the page's own transform, so a wrong projection in the page fails here.
"""

from __future__ import annotations

import json
import re
from dataclasses import replace

import numpy as np
import pytest
from matplotlib.colors import to_rgb

from animator.api import make_scene
from animator.draw.clipping import inside
from animator.draw.figure import build_figure
from animator.output.page import player_data, player_page, uses_player
from animator.scene import RenderOptions
from landscapes import get_surface, parse_spec, resolve_surface, run
from landscapes.suites import DEFAULT_SUITE
from tests.browser import chromium, open_html

SMALL = RenderOptions(size=(720, 480), dpi=60, fps=40.0)


def article_scene():
    return make_scene("hills_and_canyon", suite=DEFAULT_SUITE, steps=125)


def diverged_scene():
    """sgd at lr=1.5 on x²+y² doubles the point (and flips it) every step: it leaves the window
    at step 1 or 2 and the safe range at step 19 (2.8 * 2**19 > 1e6)."""
    surface = get_surface("simple_quad")
    runs = [run(surface, parse_spec(s), steps=80, label=s) for s in ("sgd:lr=1.5", "adam:lr=0.1")]
    return make_scene(surface, runs)


def formula_scene():
    surface = resolve_surface("x**2 + 3*sin(y)", None, None)
    runs = [run(surface, parse_spec(s), steps=80, label=s) for s in ("adam:lr=0.1", "nesterov")]
    return make_scene(surface, runs)


def sensitive_scene():
    """The article's rmsprop on ripple: rounding-sensitive from about step 14, drawn as a strand
    (the run thin among its rounding companions) from an open diamond on."""
    surface = get_surface("ripple")
    runs = [run(surface, parse_spec(s), steps=80, label=s) for s in ("rmsprop:lr=0.25", "adam")]
    return make_scene(surface, runs)


CASES = {
    "article": (article_scene, RenderOptions()),
    "diverged": (diverged_scene, SMALL),
    "formula": (formula_scene, SMALL),
    "sensitive": (sensitive_scene, SMALL),
}


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module", params=list(CASES))
def case(request):
    make, options = CASES[request.param]
    scene = make()
    return request.param, scene, options, player_page(scene, options)


def projector(scene, options):
    """Where matplotlib puts a data point (image pixels, origin top-left), or None where the
    figure draws no head (outside the window or not finite)."""
    sf = build_figure(scene, options, animated=True)
    height = sf.canvas.get_width_height()[1]

    def project(xy):
        xy = np.asarray(xy, dtype=float)
        if not (np.isfinite(xy).all() and inside(xy, sf.map.window)):
            return None
        x, y = sf.map.ax.transData.transform(xy)
        return (float(x), float(height - y))

    return project


def expected_pixels(scene, options, step: int):
    project = projector(scene, options)
    return [project(t.xy[step]) for t in scene.trajectories]


def player(page, expr: str):
    return page.evaluate(f"(() => {{ const p = window.animatorPlayers[0]; return {expr}; }})()")


def canvas_rgb(page, x: float, y: float) -> tuple[float, float, float]:
    """The canvas pixel at figure pixel (x, y), RGB in 0..1 (alpha-composited over white)."""
    r, g, b, a = page.evaluate(
        """([x, y]) => {
            const c = document.querySelector('.la-canvas');
            const k = c.width / window.animatorPlayers[0].data.size[0];
            const px = c.getContext('2d').getImageData(Math.floor(x * k), Math.floor(y * k), 1, 1);
            return Array.from(px.data);
        }""",
        [x, y],
    )
    a /= 255
    return tuple((v / 255) * a + (1 - a) for v in (r, g, b))


def mouse_to(page, x: float, y: float) -> None:
    box = page.locator(".la-canvas").bounding_box()
    scale = box["width"] / player(page, "p.data.size[0]")
    page.mouse.move(box["x"] + x * scale, box["y"] + y * scale)


def test_the_article_page_is_small():
    size = len(player_page(article_scene(), RenderOptions()).encode())
    assert size < 300_000, size


def test_page_embeds_transforms_that_match_matplotlib(case):
    """The page's affine, applied in Python, lands where matplotlib draws (to 1e-6 px)."""
    _, scene, options, _ = case
    data = player_data(scene, options)
    for i, t in enumerate(scene.trajectories):  # a sensitive run is a line and a strand
        lines = [line for line in data["lines"] if line["run"] == i]
        assert (len(lines) > 1) == (getattr(t, "rounding_sensitive_from", None) is not None)
        assert (data["runs"][i]["sensitive"] is None) == (len(lines) == 1)
    sx, tx, sy, ty = data["map"]["affine"]
    for t, want in zip(scene.trajectories, expected_pixels(scene, options, 0), strict=True):
        x, y = t.xy[0]
        assert want is not None
        assert abs(sx * x + tx - want[0]) < 1e-6 and abs(sy * y + ty - want[1]) < 1e-6


def test_player_in_chromium(browser, case):
    name, scene, options, html = case
    n = scene.trajectories[0].steps
    loaded = open_html(browser, html)
    page = loaded.page
    try:
        page.wait_for_function("() => (window.animatorPlayers || []).length === 1")
        # the slider spans every step, the label follows it
        assert page.get_attribute(".la-slider", "max") == str(n)
        player(page, "p.pause()")
        page.fill(".la-slider", "60")
        assert page.inner_text(".la-step") == f"step 60 / {n}"
        assert player(page, "p.step") == 60
        # each head is at its trajectory's point 60, and painted in its run's colour there
        heads = player(page, "p.state.heads")
        want = expected_pixels(scene, options, 60)
        colors = [to_rgb(r["color"]) for r in player(page, "p.data.runs")]
        for i, (got, exp) in enumerate(zip(heads, want, strict=True)):
            assert (got is None) == (exp is None), (name, i, got, exp)
            if exp is None:
                continue
            assert np.hypot(got[0] - exp[0], got[1] - exp[1]) < 0.01, (name, i, got, exp)
            # the head drawn last at that spot shows (heads of runs stuck together overlap)
            top = max(j for j, e in enumerate(want) if e and np.hypot(*np.subtract(e, exp)) < 3)
            assert np.allclose(canvas_rgb(page, *exp), colors[top], atol=0.02), (name, i)
        # play advances the step
        player(page, "p.setStep(0)")
        page.click(".la-play")
        page.wait_for_function("() => window.animatorPlayers[0].step > 3", timeout=10_000)
        page.click(".la-play")  # pause
        assert not player(page, "p.playing")
        # the keyboard: End, Home, arrows
        page.focus(".la-player")
        page.keyboard.press("End")
        assert player(page, "p.step") == n
        page.keyboard.press("Home")
        page.keyboard.press("ArrowRight")
        page.keyboard.press("ArrowRight")
        assert page.inner_text(".la-step") == f"step 2 / {n}"
        page.keyboard.press("2")  # digits hide and show runs, as a legend click does
        assert player(page, "p.hidden") == [False, True] + [False] * (len(scene.trajectories) - 2)
        page.keyboard.press("2")
        assert not any(player(page, "p.hidden"))
        # a diverged run ends with its cross and its note at the last step
        player(page, f"p.setStep({n})")
        for i, t in enumerate(scene.trajectories):
            note = player(page, f"p.state.notes[{i}]")
            if t.diverged:
                assert note is not None and note.startswith(f"diverged at step {t.diverged_at}")
                cross = player(page, f"p.state.crosses[{i}]")
                assert np.allclose(canvas_rgb(page, *cross), colors[i], atol=0.02)
            else:
                assert note is None
        # hovering a point of a path shows that step's numbers
        player(page, "p.setStep(60)")
        i, s, at = lonely_point(scene, options, 60)
        mouse_to(page, *at)
        tip = page.inner_text(".la-tip")
        loss = scene.trajectories[i].loss[s]
        assert f"step {s} " in tip and f"loss {loss:.4g}" in tip, tip
        assert scene.trajectories[i].label in tip
        # ... and the loss panel: the loss of the step under the cursor
        s = 40
        i = lonely_loss(scene, s)
        loss = scene.trajectories[i].loss[s]
        loss_at = player(page, f"p.lossXY({s}, p.data.runs[{i}].loss[{s}])")
        print("LOSSAT", s, i, loss_at)
        mouse_to(page, *loss_at)
        tip = page.inner_text(".la-tip")
        assert f"step {s} " in tip and scene.trajectories[i].label in tip, tip
        assert f"loss {loss:.4g}" in tip, tip
        # minima and the start carry their names
        markers = [("start", scene.trajectories[0].start)]
        markers += [(f"{m.kind} minimum", m.xy) for m in scene.surface.minima]
        project = projector(scene, options)
        for label, xy in markers:
            at = project(xy)
            if at is not None:
                mouse_to(page, at[0] + 0.5, at[1] + 0.5)
                assert page.inner_text(".la-tip").startswith(label), (name, label)
        # a legend click hides a run: its path, head and loss curve leave the picture
        page.mouse.move(0, 0)
        before = page.locator(".la-figure").screenshot()
        box = player(page, "p.data.runs[0].legend")
        mouse_to(page, (box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        page.mouse.down()
        page.mouse.up()
        assert player(page, "p.hidden[0]") is True and player(page, "p.state.heads[0]") is None
        page.mouse.move(0, 0)
        assert page.locator(".la-figure").screenshot() != before
        # no request left the page, nothing went wrong in it
        assert loaded.requests == [] and loaded.errors == []
    finally:
        page.close()


def lonely_point(scene, options, upto: int) -> tuple[int, int, tuple[float, float]]:
    """A run, a step <= ``upto`` and its pixel, as far as possible from every other run's points
    and from the markers (so the hover can only mean that point)."""
    project = projector(scene, options)
    points = [
        (i, s, project(t.xy[s])) for i, t in enumerate(scene.trajectories) for s in range(upto + 1)
    ]
    points = [p for p in points if p[2] is not None]
    marks = [project(m.xy) for m in scene.surface.minima] + [project(scene.trajectories[0].start)]
    best = None
    for i, s, p in points:
        near = [q for j, r, q in points if (j, r) != (i, s)] + [m for m in marks if m]
        gap = min((np.hypot(p[0] - q[0], p[1] - q[1]) for q in near), default=99.0)
        if s > 0 and (best is None or gap > best[0]):
            best = (gap, i, s, p)
    assert best is not None and best[0] > 1.0, best
    return best[1], best[2], best[3]


def lonely_loss(scene, step: int) -> int:
    """The run whose loss at ``step`` is farthest (in log) from every other run's."""
    logs = [np.log10(abs(t.loss[step]) + 1e-300) for t in scene.trajectories]
    live = [t.diverged_at is None or t.diverged_at > step for t in scene.trajectories]
    gaps = [
        min((abs(a - b) for j, b in enumerate(logs) if j != i), default=9.0) if live[i] else -1
        for i, a in enumerate(logs)
    ]
    return int(np.argmax(gaps))


def test_page_data_is_json_and_nothing_refers_outside(case):
    _, _, _, html = case
    blob = re.search(r'<script type="application/json" class="la-data">(.*?)</script>', html, re.S)
    data = json.loads(blob.group(1))
    assert data["steps"] == len(data["runs"][0]["xy"]) - 1
    assert not re.search(r"(src|href)=\"(?!data:)", html)
    assert "http://" not in html and "https://" not in html


def test_scenes_the_player_cannot_draw_get_the_video_page():
    """Head overlays (--show), insets (a network's decision boundaries) and 3-D views are drawn
    only by the frame renderer: their pages are videos."""
    scene = diverged_scene()
    assert uses_player(SMALL, scene)
    assert not uses_player(replace(SMALL, html="video"), scene)
    assert not uses_player(replace(SMALL, view="3d"), scene)
    assert not uses_player(replace(SMALL, show=("grad",)), scene)
    assert not uses_player(SMALL, replace(scene, insets=(object(),)))
