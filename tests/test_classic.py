"""The classic test functions: documented minima are minima, windows and starts make sense."""

from __future__ import annotations

import numpy as np
import pytest

from landscapes import get_surface, make_optimizer, run
from landscapes.classic import CLASSIC_SURFACES

CLASSIC = CLASSIC_SURFACES
BOUNDED = CLASSIC[:-2]

#: Global minima from the literature (Surjanovic & Bingham's library), independent of our data.
LITERATURE = {
    "rosenbrock": [((1, 1), 0.0)],
    "beale": [((3, 0.5), 0.0)],
    "himmelblau": [
        ((3, 2), 0.0),
        ((-2.805118, 3.131312), 0.0),
        ((-3.779310, -3.283186), 0.0),
        ((3.584428, -1.848126), 0.0),
    ],
    "rastrigin": [((0, 0), 0.0)],
    "booth": [((1, 3), 0.0)],
    "six_hump_camel": [((0.0898, -0.7126), -1.0316), ((-0.0898, 0.7126), -1.0316)],
    "styblinski_tang": [((-2.903534, -2.903534), -39.16617 * 2)],
    "ackley": [((0, 0), 0.0)],
}


@pytest.mark.parametrize("name", CLASSIC)
def test_documented_minima_have_their_value_and_zero_gradient(name):
    surface = get_surface(name)
    for m in surface.minima:
        xy = np.array(m.xy)
        assert surface.value(xy) == pytest.approx(m.value, abs=1e-9), m
        assert np.linalg.norm(surface.grad(xy)) < 1e-6, m
        if name != "ackley":  # a cone point: no Hessian there
            assert np.all(np.linalg.eigvalsh(surface.hessian(xy)) > 0), m  # a minimum
        x0, x1, y0, y1 = surface.window
        assert x0 < xy[0] < x1 and y0 < xy[1] < y1, m


@pytest.mark.parametrize("name", BOUNDED)
def test_global_minima_agree_with_the_literature(name):
    surface = get_surface(name)
    ours = surface.global_minima
    assert len(ours) == len(LITERATURE[name])
    for xy, value in LITERATURE[name]:
        near = min(ours, key=lambda m: np.hypot(m.xy[0] - xy[0], m.xy[1] - xy[1]))
        assert near.xy == pytest.approx(xy, abs=1e-4)
        assert near.value == pytest.approx(value, abs=1e-4)


@pytest.mark.parametrize("name", BOUNDED)
def test_nothing_in_the_window_is_below_the_global_minimum(name):
    surface = get_surface(name)
    _, _, Z = surface.mesh(241)
    best = min(m.value for m in surface.global_minima)
    assert Z.min() >= best - 1e-9
    assert all(m.value >= best for m in surface.minima)


def test_ackley_cone_point_has_subgradient_zero_and_rises_every_way():
    ackley = get_surface("ackley")
    assert ackley.grad(np.zeros(2)).tolist() == [0.0, 0.0]
    for angle in np.linspace(0, 2 * np.pi, 8, endpoint=False):
        d = 1e-6 * np.array([np.cos(angle), np.sin(angle)])
        assert ackley.value(d) > ackley.value(np.zeros(2))


def test_himmelblau_has_four_equal_minima():
    minima = get_surface("himmelblau").global_minima
    assert len(minima) == 4 and all(m.value == 0.0 for m in minima)


@pytest.mark.parametrize("name", ["saddle", "monkey_saddle"])
def test_saddles_have_no_minimum_and_sgd_diverges(name):
    surface = get_surface(name)
    assert surface.minima == ()
    assert surface.grad(np.zeros(2)).tolist() == [0.0, 0.0]
    traj = run(surface, make_optimizer("sgd"), steps=200)
    assert traj.diverged and traj.reason.startswith("the point left the safe range")


def test_saddle_hessian_is_indefinite_and_monkey_saddle_is_flat():
    assert np.linalg.eigvalsh(get_surface("saddle").hessian(np.zeros(2))).tolist() == [-2.0, 2.0]
    assert np.abs(get_surface("monkey_saddle").hessian(np.zeros(2))).max() == 0.0


@pytest.mark.parametrize("name", CLASSIC)
def test_window_start_levels_and_citation(name):
    surface = get_surface(name)
    x0, x1, y0, y1 = surface.window
    sx, sy = surface.start
    assert x0 < sx < x1 and y0 < sy < y1
    assert np.linalg.norm(surface.grad(np.array(surface.start))) > 1e-3  # not a resting point
    levels = np.array(surface.levels)
    assert np.all(np.diff(levels) > 0)
    _, _, Z = surface.mesh(121)
    assert ((levels > Z.min()) & (levels < Z.max())).sum() >= 8  # enough contours in view
    assert surface.reference and surface.formula and surface.description


def test_classic_surfaces_are_listed():
    import contextlib
    import io

    from animator.cli.main import main

    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        assert main(["list"]) == 0
    text = out.getvalue()
    for name in CLASSIC:
        assert f"  {name} " in text


def test_the_classic_list_is_every_surface_of_the_classic_module():
    from landscapes import SURFACES
    from landscapes.classic import CLASSIC_SURFACES

    defined = [n for n, s in SURFACES.items() if s.func.__module__ == "landscapes.classic"]
    assert list(CLASSIC_SURFACES) == defined
