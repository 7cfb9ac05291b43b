"""Optimizers: hand-computed first and second steps, specs, hyperparameter domains.

All hand computations use simple_quad, f = x² + y², so g = 2p, from p0 = (1, -2): g0 = (2, -4).
"""

import math

import numpy as np
import pytest

import landscapes as L
from landscapes.optimizers import hparams_text

P0 = np.array([1.0, -2.0])


def two_steps(name, **hp):
    traj = L.run("simple_quad", L.make_optimizer(name, **hp), P0, steps=2)
    return traj.xy[1], traj.xy[2]


def test_sgd():
    # p1 = p0 - 0.1·(2, -4) = (0.8, -1.6); g1 = (1.6, -3.2); p2 = (0.64, -1.28)
    p1, p2 = two_steps("sgd", lr=0.1)
    np.testing.assert_allclose(p1, [0.8, -1.6], rtol=1e-15)
    np.testing.assert_allclose(p2, [0.64, -1.28], rtol=1e-15)


def test_momentum():
    # v1 = -0.1·(2, -4) = (-0.2, 0.4); p1 = (0.8, -1.6); g1 = (1.6, -3.2)
    # v2 = 0.9·(-0.2, 0.4) - (0.16, -0.32) = (-0.34, 0.68); p2 = (0.46, -0.92)
    p1, p2 = two_steps("momentum", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(p1, [0.8, -1.6], rtol=1e-15)
    np.testing.assert_allclose(p2, [0.46, -0.92], rtol=1e-14)


def test_nesterov_lasagne_form():
    # v1 = (-0.2, 0.4); p1 = p0 + 0.9·v1 - 0.1·g0 = (1 - 0.18 - 0.2, -2 + 0.36 + 0.4)
    # g1 = (1.24, -2.48); v2 = (-0.18 - 0.124, 0.36 + 0.248) = (-0.304, 0.608)
    # p2 = p1 + 0.9·v2 - 0.1·g1 = (0.62 - 0.2736 - 0.124, -1.24 + 0.5472 + 0.248)
    p1, p2 = two_steps("nesterov", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(p1, [0.62, -1.24], rtol=1e-14)
    np.testing.assert_allclose(p2, [0.2224, -0.4448], rtol=1e-13)


def test_smoothed_nesterov():
    # v0 = 0, so every look-ahead is p0: v1 = 0.1·(2, -4) = (0.2, -0.4); p1 = (0.8, -1.6)
    # μv1 = (0.18, -0.36); look-aheads p1 - k/3·μv1 = (0.74, -1.48), (0.68, -1.36), (0.62, -1.24)
    # mean gradient = 2·(0.68, -1.36) = (1.36, -2.72); v2 = (0.18 + 0.136, -0.36 - 0.272)
    # p2 = p1 - v2 = (0.8 - 0.316, -1.6 + 0.632) = (0.484, -0.968)
    p1, p2 = two_steps("smoothed_nesterov", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(p1, [0.8, -1.6], rtol=1e-15)
    np.testing.assert_allclose(p2, [0.484, -0.968], rtol=1e-14)


def test_weighted_nesterov():
    # v1 = (0.2, -0.4), p1 = (0.8, -1.6); look-aheads at μv1·(1/2, 3/4, 1):
    # (0.71, -1.42), (0.665, -1.33), (0.62, -1.24); weighted mean of 2p:
    # (1.42 + 2·1.33 + 4·1.24)/7 = 9.04/7; v2 = 0.18 + 0.1·9.04/7; p2 = 0.8 - v2 (y = -2x)
    p1, p2 = two_steps("weighted_nesterov", lr=0.1, momentum=0.9)
    np.testing.assert_allclose(p1, [0.8, -1.6], rtol=1e-15)
    x2 = 0.8 - (0.18 + 0.904 / 7)
    np.testing.assert_allclose(p2, [x2, -2 * x2], rtol=1e-14)
    assert x2 == pytest.approx(0.490857142857, abs=1e-12)


def test_adagrad_eps_inside_sqrt():
    # a1 = (4, 16); p1 = p0 - 1.0·g0/√(a1 + eps): with eps = 0.25, √4.25 and √16.25
    p1, p2 = two_steps("adagrad", lr=1.0, eps=0.25)
    x1, y1 = 1 - 2 / math.sqrt(4.25), -2 + 4 / math.sqrt(16.25)
    np.testing.assert_allclose(p1, [x1, y1], rtol=1e-15)
    # a2 = a1 + (2p1)²
    x2 = x1 - 2 * x1 / math.sqrt(4 + 4 * x1**2 + 0.25)
    y2 = y1 - 2 * y1 / math.sqrt(16 + 4 * y1**2 + 0.25)
    np.testing.assert_allclose(p2, [x2, y2], rtol=1e-14)
    assert x1 == pytest.approx(0.029857499854668, abs=1e-12)


def test_rmsprop():
    # a1 = 0.1·(4, 16) = (0.4, 1.6); with eps = 0.1: p1 = (1 - 0.25·2/√0.5, -2 + 0.25·4/√1.7)
    p1, p2 = two_steps("rmsprop", lr=0.25, rho=0.9, eps=0.1)
    x1, y1 = 1 - 0.5 / math.sqrt(0.5), -2 + 1 / math.sqrt(1.7)
    np.testing.assert_allclose(p1, [x1, y1], rtol=1e-15)
    assert x1 == pytest.approx(0.292893218813452, abs=1e-12)  # 1 - 1/√2
    ax, ay = 0.9 * 0.4 + 0.1 * (2 * x1) ** 2, 0.9 * 1.6 + 0.1 * (2 * y1) ** 2
    x2, y2 = x1 - 0.25 * 2 * x1 / math.sqrt(ax + 0.1), y1 - 0.25 * 2 * y1 / math.sqrt(ay + 0.1)
    np.testing.assert_allclose(p2, [x2, y2], rtol=1e-14)


def test_adadelta():
    # lr=1, rho=0.5, eps=1: a1 = 0.5·g0² = (2, 8); u1 = g0·√(0 + 1)/√(a1 + 1) = (2/√3, -4/3)
    # p1 = p0 - u1; d1 = 0.5·u1² = (2/3, 8/9)
    p1, p2 = two_steps("adadelta", lr=1.0, rho=0.5, eps=1.0)
    u1 = np.array([2 / math.sqrt(3), -4 / 3])
    np.testing.assert_allclose(p1, P0 - u1, rtol=1e-15)
    d1 = 0.5 * u1**2
    assert d1 == pytest.approx([2 / 3, 8 / 9])
    g1 = 2 * p1
    a2 = 0.5 * np.array([2.0, 8.0]) + 0.5 * g1**2
    u2 = g1 * np.sqrt(d1 + 1) / np.sqrt(a2 + 1)
    np.testing.assert_allclose(p2, p1 - u2, rtol=1e-14)


def test_adam_bias_correction_in_step():
    # t=1: m1 = 0.1·g0, v1 = 0.001·g0², a1 = lr·√0.001/0.1 → step = lr·g0/(|g0| + eps/√0.001)
    p1, p2 = two_steps("adam", lr=0.1, eps=1e-8)
    step1 = (
        0.1
        * np.array([2.0, -4.0])
        * math.sqrt(0.001)
        / (math.sqrt(0.001) * np.array([2, 4]) + 1e-8)
    )
    np.testing.assert_allclose(p1, P0 - step1, rtol=1e-14)
    np.testing.assert_allclose(p1, [0.9, -1.9], atol=1e-6)  # ≈ lr·sign(g) on the first step
    g1 = 2 * p1
    m2 = 0.9 * 0.1 * np.array([2.0, -4.0]) + 0.1 * g1
    v2 = 0.999 * 0.001 * np.array([4.0, 16.0]) + 0.001 * g1**2
    a2 = 0.1 * math.sqrt(1 - 0.999**2) / (1 - 0.9**2)
    np.testing.assert_allclose(p2, p1 - a2 * m2 / (np.sqrt(v2) + 1e-8), rtol=1e-14)


def test_adamax():
    # t=1: m1 = 0.1·g0, u1 = |g0|; step = lr/0.1·m1/(u1 + eps) = lr·g0/(|g0| + eps)
    p1, p2 = two_steps("adamax", lr=0.1, eps=1e-8)
    np.testing.assert_allclose(p1, [1 - 0.2 / (2 + 1e-8), -2 + 0.4 / (4 + 1e-8)], rtol=1e-15)
    g1 = 2 * p1  # (≈1.8, ≈-3.8): |g1| < 0.999·|g0|, so u2 = 0.999·u1
    u2 = 0.999 * np.array([2.0, 4.0])
    m2 = 0.09 * np.array([2.0, -4.0]) + 0.1 * g1
    np.testing.assert_allclose(p2, p1 - 0.1 / (1 - 0.81) * m2 / (u2 + 1e-8), rtol=1e-14)


@pytest.mark.parametrize("name", sorted(L.OPTIMIZERS.names()))
def test_updates_are_pure(name):
    """No optimizer mutates the point or the state it is given (look-ahead ones included)."""
    opt = L.make_optimizer(name)
    surface = L.get_surface("wobbly")
    xy = np.array([[1.0, 2.0], [3.0, 4.0]])
    xy, state = opt.update(xy, opt.init(xy), surface)  # a non-zero state to test against
    before = (xy.copy(), [np.copy(s) for s in state])
    new_xy, new_state = opt.update(xy, state, surface)
    np.testing.assert_array_equal(xy, before[0])
    for a, b in zip(state, before[1], strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(new_xy, xy)  # the step did move, so the checks above mean something


# At their article learning rates two methods do not settle on the bowl; that is real behaviour:
# RMSProp keeps "hedgehog" jumps of size ~lr around the minimum, and Adadelta at lr = 100 flips
# sign every step in a slowly growing 2-cycle. Both settle at a small learning rate.
NON_SETTLING = {"rmsprop", "adadelta"}


@pytest.mark.parametrize("name", sorted(L.OPTIMIZERS.names()))
def test_default_hyperparameters_on_simple_quad(name):
    traj = L.run("simple_quad", L.make_optimizer(name), steps=2000)
    dist = np.linalg.norm(traj.xy, axis=-1)
    assert not traj.diverged
    if name not in NON_SETTLING:
        assert dist[-1] < 1e-6, dist[-1]
    elif name == "rmsprop":
        assert 0.1 < dist[-1] <= 0.25
    else:
        np.testing.assert_allclose(traj.xy[-1], -traj.xy[-2], rtol=1e-3)  # flip-flop
        assert L.run("simple_quad", L.make_optimizer(name, lr=1.0), steps=2000).loss[-1] < 1e-12


@pytest.mark.parametrize(
    "spec, expected",
    [
        ("adam", {"lr": 0.25, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}),
        ("nesterov:lr=0.01,momentum=0.25", {"lr": 0.01, "momentum": 0.25}),
        ("RMSProp: lr = 0.5 , rho=0.5", {"lr": 0.5, "rho": 0.5, "eps": 1e-6}),
        ("smoothed-nesterov:momentum=0", {"lr": 0.01, "momentum": 0.0}),
    ],
)
def test_parse_spec(spec, expected):
    assert dict(L.parse_spec(spec).hparams) == expected


@pytest.mark.parametrize(
    "spec, fragment",
    [
        ("adm", "did you mean 'adam'"),
        ("adam:", "gives no key=value"),
        ("adam:lr", "expected key=value, got 'lr'"),
        ("adam:lr=", "lr= has no value"),
        ("adam:lr=abc", "lr='abc' is not a number"),
        ("adam:lr=1,lr=2", "sets lr twice"),
        ("adam:bogus=1", "unknown hyperparameter of adam 'bogus'"),
        (":lr=1", "has no optimizer name"),
        ("adam:lr=0", "lr must be a finite number > 0"),
        ("adam:lr=-1", "lr must be a finite number > 0"),
        ("adam:lr=nan", "lr must be a finite number > 0"),
        ("adam:lr=inf", "lr must be a finite number > 0"),
        ("nesterov:momentum=1", "momentum must be a number in [0, 1)"),
        ("rmsprop:rho=-0.1", "rho must be a number in [0, 1)"),
        ("adam:beta2=1.5", "beta2 must be a number in [0, 1)"),
        ("adam:eps=0", "eps must be a finite number > 0"),
    ],
)
def test_bad_specs(spec, fragment):
    with pytest.raises((L.InvalidValueError, L.UnknownNameError)) as err:
        L.parse_spec(spec)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_labels_name_changed_hparams():
    assert L.make_optimizer("adam").label == "adam"
    assert L.make_optimizer("adam", lr=0.1).label == "adam(lr=0.1)"
    nesterov = L.make_optimizer("nesterov", momentum=0.25)
    assert nesterov.describe() == {"name": "nesterov", "hparams": {"lr": 0.01, "momentum": 0.25}}
    assert hparams_text("nesterov", nesterov.hparams) == "lr=0.01, momentum=0.25"
    adam = L.make_optimizer("adam", beta2=0.99)
    assert hparams_text("adam", adam.hparams, "legend") == "lr=0.25, beta1=0.9, beta2=0.99"
    assert hparams_text("adam", adam.hparams, "lr+changed") == "lr=0.25, beta2=0.99"
    assert hparams_text("adam", adam.hparams, "changed") == "beta2=0.99"
