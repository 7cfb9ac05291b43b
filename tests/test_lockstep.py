"""Lockstep runs: one batched surface call per step for all runs, results equal to independent runs.

The reference is the plain loop ``xy, state = opt.update(xy, state, surface)`` with the surface
itself as oracle, one run at a time: no tape, no batching.
"""

import numpy as np
import pytest

import landscapes as L
from landscapes.lockstep import ImpureUpdateError
from landscapes.optimizers import NoState, Optimizer
from landscapes.runs import NoisyOracle
from landscapes.sensitivity import ENSEMBLE

SURFACE = L.get_surface("hills_and_canyon")
START = np.array([-0.6, 1.7])
STARTS = np.array([[-2.8, -2.5], [2.0, 2.0], [0.3, -1.7], [-1.0, 2.5]])
STEPS = 30


def independent(opt, start, steps, oracle=SURFACE):
    """The path of one run, stepped alone with the surface (or a noisy oracle) answering."""
    xy = np.array(start, dtype=float)
    state = opt.init(xy)
    path = [xy]
    with np.errstate(all="ignore"):
        for _ in range(steps):
            xy, state = opt.update(xy, state, oracle)
            path.append(xy)
    return np.array(path)


def assert_same_until_divergence(traj, reference):
    """Bit for bit up to the step where ``run`` marks a point diverged (then it is NaN)."""
    k = traj.diverged_step
    for idx in np.ndindex(k.shape):
        stop = traj.steps + 1 if k[idx] < 0 else k[idx]
        sel = (slice(0, stop), *idx)
        assert np.array_equal(traj.xy[sel], reference[sel], equal_nan=True), (traj.label, idx)
        assert np.isnan(traj.xy[(slice(stop, None), *idx)]).all()


ALL = [L.make_optimizer(name) for name in L.OPTIMIZERS.names()]


@pytest.mark.parametrize("start", [START, STARTS], ids=["one start", "batch of starts"])
def test_every_optimizer_in_one_lockstep_equals_independent_runs(start):
    trajs = L.run_many(SURFACE, ALL, start, STEPS)
    assert [t.optimizer for t in trajs] == L.OPTIMIZERS.names()
    for opt, traj in zip(ALL, trajs, strict=True):
        assert_same_until_divergence(traj, independent(opt, start, STEPS))
        # losses come with the next gradient (one forward pass): still the plain value
        assert np.array_equal(traj.loss, SURFACE.value(traj.xy), equal_nan=True)
        single = L.run(SURFACE, opt, start, STEPS)
        assert np.array_equal(traj.xy, single.xy, equal_nan=True)
        assert np.array_equal(traj.loss, single.loss, equal_nan=True)
        assert np.array_equal(traj.diverged_step, single.diverged_step)
        assert np.array_equal(traj.reason_code, single.reason_code)


def test_noisy_lockstep_draws_each_runs_noise_as_a_single_run_would():
    opts = [L.make_optimizer(n) for n in ("adam", "smoothed_nesterov", "newton", "rmsprop")]
    trajs = L.run_many(SURFACE, opts, START, STEPS, noise=0.5, seed=3)
    for opt, traj in zip(opts, trajs, strict=True):
        reference = independent(opt, START, STEPS, NoisyOracle(SURFACE, 0.5, 3))
        assert_same_until_divergence(traj, reference)
        assert np.array_equal(traj.xy, L.run(SURFACE, opt, START, STEPS, noise=0.5, seed=3).xy)


def test_the_runs_of_a_command_ask_the_surface_once_per_step(monkeypatch):
    """The article's five runs and a look-ahead at three points: one gradient call a step, not
    six (each point with its rounding companions: ENSEMBLE rows). After the first step the five
    runs' gradients come with their losses (they ask at their own point), the look-ahead's three
    points go alone."""
    calls = []
    grad, both = L.Surface.grad, L.Surface.value_and_grad
    monkeypatch.setattr(L.Surface, "grad", lambda self, xy: calls.append(len(xy)) or grad(self, xy))
    monkeypatch.setattr(
        L.Surface, "value_and_grad", lambda self, xy: calls.append(-len(xy)) or both(self, xy)
    )
    opts = [L.parse_spec(spec) for _, spec in L.SUITES["article"].runs]
    L.run_many(SURFACE, [*opts, L.make_optimizer("smoothed_nesterov")], START, STEPS)
    n = ENSEMBLE
    assert calls == [(5 + 3) * n] + [-5 * n, 3 * n] * (STEPS - 1) + [-5 * n]


def test_questions_that_depend_on_answers_take_more_rounds_not_special_cases():
    """Extragradient asks for g at p − lr·g(p): its second point needs the first answer."""

    def update(xy, state, oracle):
        half = xy - 0.05 * oracle.grad(xy)
        return xy - 0.05 * oracle.grad(half), state

    extra = Optimizer("sgd", {"lr": 0.05}, lambda xy: NoState(), update)
    opts = [extra, L.make_optimizer("adam"), L.make_optimizer("newton")]
    trajs = L.run_many(SURFACE, opts, STARTS, STEPS, labels=["extragradient", None, None])
    assert trajs[0].label == "extragradient" and trajs[1].label == "adam"
    for opt, traj in zip(opts, trajs, strict=True):
        assert_same_until_divergence(traj, independent(opt, STARTS, STEPS))


def test_an_impure_update_is_caught():
    draws = iter(range(10**6))

    def update(xy, state, oracle):  # asks for a different point every time it runs
        return xy - 0.1 * oracle.grad(xy + next(draws)), state

    impure = Optimizer("sgd", {"lr": 0.1}, lambda xy: NoState(), update)
    with pytest.raises(ImpureUpdateError, match="must be pure"):
        L.run_many(SURFACE, [impure, L.make_optimizer("sgd")], START, 3)


@pytest.mark.parametrize("name", [*L.SURFACES.names(), "x**2 + 3*sin(y)", "exp(-x*x) + 0*y"])
def test_value_and_grad_equal_value_and_grad_to_the_last_bit(name):
    surface = L.resolve_surface(name, None, None)
    xy = np.random.default_rng(5).uniform(-4, 4, (257, 2))
    value, grad = surface.value_and_grad(xy)
    assert np.array_equal(value, surface.value(xy), equal_nan=True)
    assert np.array_equal(grad, surface.grad(xy), equal_nan=True)
    v1, g1 = surface.value_and_grad(xy[3])
    assert v1.shape == () and g1.shape == (2,) and np.array_equal(g1, grad[3], equal_nan=True)
