"""Surfaces: gradients and Hessians against finite differences, minima, registry lookups."""

import numpy as np
import pytest

import landscapes as L
from landscapes.surfaces import ARTICLE_LEVELS, ARTICLE_SURFACES


def central_grad(s, xy, h=1e-6):
    e = np.eye(2) * h
    return np.stack([(s.value(xy + e[i]) - s.value(xy - e[i])) / (2 * h) for i in range(2)], -1)


@pytest.mark.parametrize("name", ARTICLE_SURFACES)
def test_gradient_matches_finite_differences(name):
    s = L.get_surface(name)
    rng = np.random.default_rng(7)
    xy = rng.uniform(-3, 3, size=(50, 2))
    xy = xy[np.abs(xy[:, 0]) > 1e-3]  # wobbly has a kink at x = 0
    np.testing.assert_allclose(s.grad(xy), central_grad(s, xy), rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("name", ARTICLE_SURFACES)
def test_hessian_matches_finite_differences_of_gradient(name):
    s = L.get_surface(name)
    rng = np.random.default_rng(8)
    xy = rng.uniform(-3, 3, size=(20, 2))
    xy = xy[np.abs(xy[:, 0]) > 1e-2]
    h = 1e-6
    fd = np.stack(
        [
            (s.grad(xy + h * np.eye(2)[j]) - s.grad(xy - h * np.eye(2)[j])) / (2 * h)
            for j in range(2)
        ],
        -1,
    )
    H = s.hessian(xy)
    assert H.shape == (len(xy), 2, 2)
    np.testing.assert_allclose(H, fd, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(H, np.swapaxes(H, -1, -2), atol=1e-12)


@pytest.mark.parametrize("name", ARTICLE_SURFACES)
def test_listed_minima_are_minima(name):
    s = L.get_surface(name)
    assert s.global_minima, "every surface lists its global minimum"
    for m in s.minima:
        xy = np.array(m.xy)
        assert np.abs(s.grad(xy)).max() < 1e-8, m
        assert s.value(xy) == pytest.approx(m.value, abs=1e-12)
        assert np.linalg.eigvalsh(s.hessian(xy)).min() > 0, m
        x0, x1, y0, y1 = s.window
        assert x0 <= m.xy[0] <= x1 and y0 <= m.xy[1] <= y1
    lowest = min(m.value for m in s.minima)
    assert all(m.value == lowest for m in s.global_minima)
    # the global minimum is the lowest point of a fine mesh over the window
    _, _, Z = s.mesh(601)
    assert lowest <= Z.min() + 1e-9


def test_hand_values():
    assert L.get_surface("simple_quad").value([3.0, -4.0]) == 25.0
    # wobbly at the origin: 0 + 0 + 3 sin 0 + 3 + 8 exp(-2 (1 + 4))
    assert L.get_surface("wobbly").value([0.0, 0.0]) == pytest.approx(3 + 8 * np.exp(-10))
    assert L.get_surface("basins_and_walls").value([np.pi / 8, 0.0]) == pytest.approx(
        (np.pi / 8) ** 2 / 2 + 1
    )
    assert L.get_surface("giant_plateau").value([1.0, 1.0]) == pytest.approx(4 * (1 - np.exp(-2)))
    assert L.get_surface("two_minima").value([0.0, 0.0]) == pytest.approx(
        4 - 0.5 * np.exp(-12.5) - 3
    )


def test_abs_derivative_is_sign_with_sign_zero_zero():
    s = L.get_surface("wobbly")
    # d/dx at x = 0: the |x| term contributes sign(0) = 0, leaving 3cos(y) + the bump's slope
    y = 0.5
    bump = 8 * np.exp(-2 * (1 + (y + 2) ** 2)) * (-4 * 1.0)
    assert s.grad([0.0, y])[0] == pytest.approx(3 * np.cos(y) + bump, abs=1e-15)


def test_vectorised_over_meshes_and_batches():
    s = L.get_surface("hills_and_canyon")
    X, Y, Z = s.mesh(31)
    assert Z.shape == (31, 31)
    pts = np.stack([X, Y], -1)
    np.testing.assert_array_equal(s.value(pts), Z)
    assert s.grad(pts).shape == (31, 31, 2)
    one = s.grad(pts[3, 4])
    np.testing.assert_array_equal(one, s.grad(pts)[3, 4])


def test_article_surfaces_are_the_seven_of_the_article():
    assert ARTICLE_SURFACES == (
        "simple_quad",
        "wobbly",
        "basins_and_walls",
        "ripple",
        "giant_plateau",
        "hills_and_canyon",
        "two_minima",
    )
    assert all(name in L.SURFACES for name in ARTICLE_SURFACES)


def test_article_levels_window_and_start():
    assert ARTICLE_LEVELS[:3] == (-2.0, -1.75, -1.5)
    assert 5.75 in ARTICLE_LEVELS and 6.0 not in ARTICLE_LEVELS and 19.0 in ARTICLE_LEVELS
    assert len(ARTICLE_LEVELS) == 32 + 4 + 12
    for name in ARTICLE_SURFACES:
        s = L.get_surface(name)
        assert s.window == (-3.0, 3.0, -3.0, 3.0)
        assert s.start == (-2.8, -2.5)


@pytest.mark.parametrize(
    "alias, name",
    [
        ("giant_plateu", "giant_plateau"),
        ("two_minimums", "two_minima"),
        ("bad_init", "two_minima"),
        ("hills-and-canyon", "hills_and_canyon"),
        ("Basins-And-Walls", "basins_and_walls"),
    ],
)
def test_aliases(alias, name):
    assert L.get_surface(alias).name == name


def test_unknown_surface_suggests_and_lists():
    with pytest.raises(L.UnknownNameError) as err:
        L.get_surface("wobly")
    msg = str(err.value)
    assert "'wobly'" in msg and "did you mean 'wobbly'" in msg and "hills_and_canyon" in msg
    assert isinstance(err.value, KeyError)
