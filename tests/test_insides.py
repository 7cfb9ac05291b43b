"""Inside the optimizer: recorded state (hand-computed), overlays, their shared scale, the field."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from animator.cli.main import main
from animator.draw.figure import build_figure
from animator.draw.frames import FrameRenderer
from animator.draw.overlays import OVERLAYS, capped, check_show, field_grid, nice
from animator.scene import RenderOptions, Scene
from landscapes import OPTIMIZERS, InvalidValueError, get_surface, make_optimizer, run

QUAD = get_surface("simple_quad")  # f = x² + y², ∇f = (2x, 2y)
START = (1.0, 2.0)  # g0 = (2, 4)


def record(name: str, steps: int = 2, **hparams):
    return run(QUAD, make_optimizer(name, **hparams), START, steps, record_state=True)


# --- the recorded state, by hand --------------------------------------------------------------


@pytest.mark.numeric
def test_heavy_ball_state_by_hand():
    t = record("momentum", lr=0.1, momentum=0.9)
    # v1 = −0.1·(2, 4); p1 = (0.8, 1.6); g1 = (1.6, 3.2); v2 = 0.9·v1 − 0.1·g1
    v1, v2 = np.array([-0.2, -0.4]), np.array([-0.34, -0.68])
    np.testing.assert_allclose(t.xy, [[1, 2], [0.8, 1.6], [0.46, 0.92]], rtol=1e-14)
    np.testing.assert_allclose(t.state.fields["v"], [[0, 0], v1, v2], rtol=1e-14)
    # velocity: the step the memory alone takes next, μv
    np.testing.assert_allclose(t.state.velocity, [[0, 0], 0.9 * v1, 0.9 * v2], rtol=1e-13)
    np.testing.assert_allclose(t.state.grad, [[2, 4], [1.6, 3.2], [0.92, 1.84]], rtol=1e-14)
    assert t.state.scale is None and t.state.lookahead is None
    assert t.state.meanings == {"v": "velocity (the last step)"}


@pytest.mark.numeric
def test_nesterov_state_by_hand():
    t = record("nesterov", lr=0.1, momentum=0.9)
    # Lasagne's form: v = μv − lr·g; p += μv − lr·g
    # step 1: v1 = −(0.2, 0.4); p1 = (1, 2) + 0.9·v1 − (0.2, 0.4) = (0.62, 1.24)
    # step 2: g1 = (1.24, 2.48); v2 = 0.9·v1 − (0.124, 0.248) = (−0.304, −0.608)
    #         p2 = p1 + 0.9·v2 − (0.124, 0.248) = (0.2224, 0.4448)
    v1, v2 = np.array([-0.2, -0.4]), np.array([-0.304, -0.608])
    np.testing.assert_allclose(t.xy[1:], [[0.62, 1.24], [0.2224, 0.4448]], rtol=1e-13)
    np.testing.assert_allclose(t.state.fields["v"][1:], [v1, v2], rtol=1e-14)
    # with a zero gradient the next step is μ·(μv): velocity = μ²v
    np.testing.assert_allclose(t.state.velocity[1:], [0.81 * v1, 0.81 * v2], rtol=1e-13)
    assert t.state.lookahead is None  # its gradient is taken at the current point


@pytest.mark.numeric
def test_rmsprop_state_by_hand():
    lr, rho, eps = 0.1, 0.9, 1e-6
    t = record("rmsprop", lr=lr, rho=rho, eps=eps)
    a1 = np.array([0.1 * 4, 0.1 * 16])  # (1 − ρ)·g0²
    p1 = np.array(START) - lr * np.array([2, 4]) / np.sqrt(a1 + eps)
    g1 = 2 * p1
    a2 = rho * a1 + (1 - rho) * g1**2
    p2 = p1 - lr * g1 / np.sqrt(a2 + eps)
    np.testing.assert_allclose(t.xy[1:], [p1, p2], rtol=1e-14)
    np.testing.assert_allclose(t.state.fields["a"], [[0, 0], a1, a2], rtol=1e-14)
    scale = t.state.scale
    assert np.isnan(scale[0]).all()  # no step yet at the start
    np.testing.assert_allclose(scale[1:], [lr / np.sqrt(a1 + eps), lr / np.sqrt(a2 + eps)])
    assert t.state.velocity is None


@pytest.mark.numeric
def test_adam_state_by_hand():
    lr, b1, b2, eps = 0.1, 0.9, 0.999, 1e-8
    t = record("adam", lr=lr, beta1=b1, beta2=b2, eps=eps)
    g0 = np.array([2.0, 4.0])
    m1, v1 = 0.1 * g0, 0.001 * g0**2  # (0.2, 0.4), (0.004, 0.016)
    p1 = np.array(START) - lr * math.sqrt(1 - b2) / (1 - b1) * m1 / (np.sqrt(v1) + eps)
    np.testing.assert_allclose(p1, [0.9, 1.9], atol=1e-7)  # Adam's first step: lr per coordinate
    g1 = 2 * p1
    m2, v2 = b1 * m1 + (1 - b1) * g1, b2 * v1 + (1 - b2) * g1**2
    np.testing.assert_allclose(t.state.fields["t"], [0, 1, 2])
    np.testing.assert_allclose(t.state.fields["m"][1:], [m1, m2], rtol=1e-14)
    np.testing.assert_allclose(t.state.fields["v"][1:], [v1, v2], rtol=1e-14)
    # scale: the factor on m̂ = m/(1−β₁ᵗ), lr·√(1−β₂ᵗ)/(√v + eps): (0.05, 0.025) after step 1
    np.testing.assert_allclose(t.state.scale[1], [0.05, 0.025], rtol=1e-6)
    np.testing.assert_allclose(
        t.state.scale[2], lr * math.sqrt(1 - b2**2) / (np.sqrt(v2) + eps), rtol=1e-14
    )
    # velocity at point 2: the step from m3 = β₁m2, v3 = β₂v2 at t = 3 (a zero gradient)
    a3 = lr * math.sqrt(1 - b2**3) / (1 - b1**3)
    coast = -a3 * b1 * m2 / (np.sqrt(b2 * v2) + eps)
    np.testing.assert_allclose(t.state.velocity[2], coast, rtol=1e-12)


class RecordingOracle:
    """The surface, remembering every point it was asked for a gradient."""

    def __init__(self, surface) -> None:
        self.surface, self.asked = surface, []

    def grad(self, xy):
        self.asked.append(np.array(xy))
        return self.surface.grad(xy)


@pytest.mark.numeric
@pytest.mark.parametrize("name", ["smoothed_nesterov", "weighted_nesterov"])
def test_lookahead_points_are_where_the_update_asks(name):
    """The declared look-ahead points at point k are exactly where the update leaving k (from
    the recorded state) takes its gradients (an oracle records the calls), away from the point."""
    surface = get_surface("hills_and_canyon")
    opt = make_optimizer(name)
    t = run(surface, opt, None, 6, record_state=True)
    for k in range(6):
        oracle = RecordingOracle(surface)
        state = type(opt.init(t.xy[0]))(t.state.fields["v"][k])
        opt.update(t.xy[k], state, oracle)
        (asked,) = oracle.asked
        np.testing.assert_array_equal(asked, t.state.lookahead[k])
        assert asked.shape == (3, 2)
        if k > 0:
            assert (np.abs(asked - t.xy[k]).max(-1) > 0).all()


@pytest.mark.numeric
def test_every_optimizer_declares_a_state_it_can_record():
    """Each registered optimizer runs with recording on; what it declares has the right shape,
    and every field it names exists in its state (batch runs too)."""
    for name in OPTIMIZERS.names():
        t = run(
            "hills_and_canyon", make_optimizer(name), [[-2.8, -2.5], [1, 1]], 4, record_state=True
        )
        st = t.state
        assert set(st.meanings) <= set(st.fields), name
        for q in ("velocity", "scale"):
            if st.get(q) is not None:
                assert st.get(q).shape == (5, 2, 2), (name, q)
                assert np.isfinite(st.get(q)[1:]).all(), (name, q)


def test_state_is_not_recorded_unless_asked():
    assert run(QUAD, make_optimizer("adam"), START, 3).state is None


def test_json_export_has_the_state_and_its_meaning(tmp_path):
    out = tmp_path / "s.json"
    assert main(["render", "simple_quad", "-O", "adam", "--steps", "3", "-o", str(out)]) == 0
    state = json.loads(out.read_text())["runs"][0]["state"]
    assert state["meanings"]["m"].startswith("first moment")
    assert state["fields"]["t"] == [0, 1, 2, 3]
    assert state["scale"][0] == [None, None] and len(state["velocity"]) == 4


# --- overlays ---------------------------------------------------------------------------------

SMALL = RenderOptions(size=(360, 240), dpi=50, show=OVERLAYS, field=True)


@pytest.fixture(scope="module")
def mixed_scene() -> Scene:
    """One method of each kind: nothing, velocity, velocity and scale, look-ahead."""
    surface = get_surface("hills_and_canyon")
    names = ["sgd", "momentum", "adam", "smoothed_nesterov", "rmsprop"]
    runs = [run(surface, make_optimizer(n), None, 12, record_state=True) for n in names]
    return Scene(surface, runs)


def test_overlays_only_for_methods_that_have_them(mixed_scene):
    overlays = build_figure(mixed_scene, SMALL).overlays
    have = {
        r.traj.optimizer: set(r.arrows)
        | ({"scale"} if r.ellipse else set())
        | ({"lookahead"} if r.lookahead else set())
        for r in overlays.runs
    }
    assert have == {
        "sgd": {"grad", "step"},
        "momentum": {"grad", "step", "velocity"},
        "adam": {"grad", "step", "velocity", "scale"},
        "smoothed_nesterov": {"grad", "step", "velocity", "lookahead"},
        "rmsprop": {"grad", "step", "scale"},
    }


def test_arrow_scale_is_shared_by_every_run_and_stated_in_the_key(mixed_scene):
    fig = build_figure(mixed_scene, SMALL)
    overlays = fig.overlays
    sc = overlays.scales
    k = 5
    fig.set_step(k)
    for r in overlays.runs:
        head = r.traj.xy[k]
        for kind, (artist, _) in r.arrows.items():
            start, end = (np.array(p) for p in artist._posA_posB)
            np.testing.assert_allclose(start, head)
            raw = {"grad": -r.traj.state.grad[k], "step": r.traj.xy[k] - r.traj.xy[k - 1]}.get(
                kind, r.traj.state.velocity[k] if kind == "velocity" else None
            )
            want = capped(raw, sc.factor(kind), sc.cap)
            np.testing.assert_allclose(end - start, want, rtol=1e-9, atol=1e-12)
            assert np.hypot(*(end - start)) <= sc.cap * (1 + 1e-12)
    labels = [t.get_text() for t in fig.legend.get_texts()]
    assert f"−∇f × {sc.grad:g}" in labels and f"last step × {sc.move:g}" in labels
    assert f"effective lr × {sc.scale:g}" in labels


def test_one_huge_gradient_is_capped():
    v = np.array([[1e9, 0.0], [0.3, 0.4], [np.nan, 1.0]])
    out = capped(v, 2.0, 1.5)
    np.testing.assert_allclose(out[0], [1.5, 0.0])
    np.testing.assert_allclose(out[1], [0.6, 0.8])
    assert np.isnan(out[2]).any()
    assert [nice(x) for x in (0.7, 3.0, 19.0, 0.00051)] == [0.5, 2.0, 10.0, 0.0005]


def test_fast_frame_equals_full_redraw_with_overlays(mixed_scene):
    renderer = FrameRenderer(mixed_scene, SMALL)
    for k in (0, 1, 6, 12):
        fast = renderer.frame(k).copy()
        assert np.array_equal(fast, renderer.full_redraw(k)), k
    assert not np.array_equal(renderer.frame(6).copy(), renderer.full_redraw(7))


def test_overlays_change_the_picture(mixed_scene):
    plain = FrameRenderer(mixed_scene, RenderOptions(size=(360, 240), dpi=50)).frame(6).copy()
    for show in OVERLAYS:
        options = RenderOptions(size=(360, 240), dpi=50, show=(show,))
        assert not np.array_equal(FrameRenderer(mixed_scene, options).frame(6), plain), show


def test_unknown_overlay_is_one_line_listing_the_valid_ones(capsys):
    with pytest.raises(InvalidValueError, match="choose from: grad, lookahead, scale, step"):
        check_show("grad,momentum")
    assert main(["render", "simple_quad", "--show", "grad,speed", "-o", "x.png"]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "'speed'" in err[0] and "velocity" in err[0]


def test_overlays_in_gif_and_mp4_and_refused_in_3d(tmp_path, capsys):
    base = ["render", "hills_and_canyon", "--suite", "article", "--steps", "4", "-q"]
    base += ["--size", "240x160", "--dpi", "40", "--show", "grad,velocity,scale,step", "--field"]
    for name in ("o.gif", "o.mp4"):
        assert main([*base, "-o", str(tmp_path / name)]) == 0
        assert (tmp_path / name).stat().st_size > 1000
    assert main([*base, "--view", "3d", "-o", str(tmp_path / "x.png")]) == 2
    assert "2-D map" in capsys.readouterr().err
    assert not (tmp_path / "x.png").exists()


def test_field_is_minus_the_gradient_on_a_grid():
    X, Y, U, V = field_grid(QUAD, n=5)
    np.testing.assert_allclose(U, -2 * X)
    np.testing.assert_allclose(V, -2 * Y)


def test_readme_own_optimizer_example_runs(tmp_path, monkeypatch):
    """The README's sign-SGD example, run as written: a picture, and steps of exactly lr."""
    from pathlib import Path

    readme = (Path(__file__).parent.parent / "README.md").read_text()
    section = readme[readme.index("**Your own optimizer**") :]
    code = section[section.index("```python") + len("```python") : section.index("```\n\n")]
    assert len([line for line in code.splitlines() if line.strip()]) <= 12  # "ten lines"
    monkeypatch.chdir(tmp_path)
    namespace: dict = {}
    exec(compile(code, "README.md", "exec"), namespace)
    assert (tmp_path / "sign_sgd.png").stat().st_size > 10_000
    t = run("hills_and_canyon", namespace["sign_sgd"](), None, 5)
    np.testing.assert_allclose(np.abs(np.diff(t.xy, axis=0)), 0.05, rtol=1e-12)


def test_an_overlay_no_run_has_gets_a_note_naming_the_methods_with_it(tmp_path, capsys):
    argv = ["render", "simple_quad", "-O", "adam", "--steps", "3", "--size", "240x160"]
    assert main([*argv, "--show", "lookahead,scale", "-o", str(tmp_path / "x.png")]) == 0
    err = capsys.readouterr().err.strip().splitlines()
    assert err == [
        "note: no run has 'lookahead'; the optimizers with it: smoothed_nesterov, weighted_nesterov"
    ]


def test_lookahead_line_starts_at_the_head_through_scaled_offsets(mixed_scene):
    fig = build_figure(mixed_scene, SMALL)
    fig.set_step(6)
    (r,) = [r for r in fig.overlays.runs if r.lookahead is not None]
    line, _ = r.lookahead
    pts = np.column_stack(line.get_data())
    head = r.traj.xy[6]
    np.testing.assert_array_equal(pts[0], head)
    want = head + fig.overlays.scales.move * (r.traj.state.lookahead[6] - head)
    np.testing.assert_allclose(pts[1:], want, rtol=1e-12)
