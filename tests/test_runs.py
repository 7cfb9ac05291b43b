"""Runs: the article's trajectories against an independent implementation, batches, divergence."""

import numpy as np
import pytest

import landscapes as L
from landscapes.surfaces import ARTICLE_SURFACES
from tests.reference import reference_ensemble, reference_run, sensitive_from, spread

#: How far the run may be from the reference: 1e-9, plus this many times the spread of the
#: reference's rounding ensemble at that step. The companions carry one ulp per gradient, a CPU
#: whose exp/sin round differently a few; measured worst ratio 1.4 (AVX-512 and baseline numpy).
SPREAD_MARGIN = 100
#: The package's rounding ensemble and the reference's (same perturbations, different code) may
#: see a companion leave at slightly different steps; measured at most 2 apart.
SENSITIVE_STEPS_APART = 3
CASES = [
    (surface, suite, label, spec)
    for surface in ARTICLE_SURFACES
    for suite in ("article", "nesterov")
    for label, spec in L.SUITES[suite].runs
]


@pytest.mark.parametrize("surface, suite, label, spec", CASES)
def test_article_runs_match_independent_implementation(surface, suite, label, spec):
    s = L.get_surface(surface)
    opt = L.parse_spec(spec)
    traj = L.run(s, opt, steps=125, label=label)
    ensemble = reference_ensemble(
        opt.name, opt.hparams, lambda ps: s.grad(np.array(ps)).tolist(), s.start, 125
    )
    # Compared up to the step at which the reference's own ensemble spreads (past it, any of many
    # paths is as right as another), within the rounding noise measured at each step.
    upto = sensitive_from(ensemble, s.window) or 126
    allowed = 1e-9 + SPREAD_MARGIN * spread(ensemble)[:upto]
    assert traj.xy.shape == (126, 2)
    error = np.hypot(*(traj.xy[:upto] - ensemble[0, :upto]).T)
    worst = int(np.argmax(error - allowed))
    assert error[worst] <= allowed[worst], (
        f"step {worst}: {error[worst]:.3g} > {allowed[worst]:.3g}"
    )
    assert not traj.diverged
    # The run's own measured sensitivity agrees with the independent one within a few steps
    # (never sensitive = step 126, so a run sensitive only near its end may meet "never").
    ours = traj.rounding_sensitive_from
    assert abs((ours or 126) - upto) <= SENSITIVE_STEPS_APART, (ours, upto)


@pytest.mark.parametrize("name", ["smoothed_nesterov", "weighted_nesterov", "momentum", "adamax"])
def test_other_optimizers_match_independent_implementation(name):
    s = L.get_surface("hills_and_canyon")
    opt = L.make_optimizer(name)
    traj = L.run(s, opt, steps=125)
    ref = reference_run(name, opt.hparams, lambda p: s.grad(np.array(p)).tolist(), s.start, 125)
    np.testing.assert_allclose(traj.xy, np.array(ref), rtol=0, atol=1e-9)


def test_article_outcome_on_hills_and_canyon():
    """The article: 'Apart from Adam, everyone was locked in a local minimum.'"""
    s = L.get_surface("hills_and_canyon")
    trap = np.array(s.minima[2].xy)
    final = {t.label: t.xy[-1] for t in L.run_suite(s, "article")}
    assert np.linalg.norm(final["adam"] - np.array(s.global_minima[0].xy)) < 0.01
    for label in ("nesterov", "adagrad"):
        assert np.linalg.norm(final[label] - trap) < 0.01
    for label in ("rmsprop", "adadelta"):
        assert np.linalg.norm(final[label] - trap) < 0.3


@pytest.mark.parametrize("name", sorted(L.OPTIMIZERS.names()))
def test_batch_equals_single_runs_bitwise(name):
    s = L.get_surface("wobbly")
    starts = np.array([[-2.8, -2.5], [1.0, 2.0], [0.0, 0.0], [2.5, -0.5]])
    opt = L.make_optimizer(name)
    batch = L.run(s, opt, starts, steps=40)
    assert batch.xy.shape == (41, 4, 2) and batch.loss.shape == (41, 4)
    for i, start in enumerate(starts):
        single = L.run(s, opt, start, steps=40)
        np.testing.assert_array_equal(batch.xy[:, i], single.xy)
        np.testing.assert_array_equal(batch.loss[:, i], single.loss)


def test_trajectory_records_start_and_losses():
    s = L.get_surface("two_minima")
    traj = L.run(s, L.make_optimizer("adam"), steps=10)
    np.testing.assert_array_equal(traj.xy[0], s.start)
    np.testing.assert_allclose(traj.loss, s.value(traj.xy), rtol=0, atol=0)
    assert traj.steps == 10 and traj.diverged is False and traj.diverged_at is None


def test_divergence_is_marked_not_raised():
    # sgd at lr 1.5 on x² + y²: p ← (1 - 3)p = -2p, so |p| doubles every step and passes 1e6
    # after about 20 steps: log2(1e6 / 2.8) = 18.4 → step 19
    traj = L.run("simple_quad", L.make_optimizer("sgd", lr=1.5), steps=60)
    assert traj.diverged and traj.diverged_at == 19
    assert "safe range" in traj.reason
    assert traj.xy.shape == (61, 2)
    assert np.isfinite(traj.xy[:19]).all() and np.isnan(traj.xy[19:]).all()
    assert traj.last_finite == 18
    np.testing.assert_allclose(traj.xy[18], np.array([-2.8, -2.5]) * (-2.0) ** 18)


def test_overflow_to_inf_is_marked():
    # an absurd learning rate overflows to inf on the first step
    traj = L.run("ripple", L.make_optimizer("sgd", lr=1e300), steps=5)
    assert traj.diverged and traj.diverged_at == 1
    assert traj.reason in L.runs.REASONS


def test_batch_divergence_is_per_point():
    starts = np.array([[0.1, 0.1], [1e5, 1e5]])
    traj = L.run("simple_quad", L.make_optimizer("sgd", lr=1.2), starts, steps=30)
    # |1 - 2.4| = 1.4 growth per step: 1e5 passes 1e6 at step 7; 0.1 stays small (0.1·1.4³⁰ ≈ 2.4e3)
    assert traj.diverged_step[1] == 7
    assert traj.diverged_step[0] == -1
    assert np.isfinite(traj.xy[:, 0]).all()


def test_noise_is_seeded():
    opt = L.make_optimizer("sgd")
    a = L.run("simple_quad", opt, steps=20, noise=0.5, seed=3)
    b = L.run("simple_quad", opt, steps=20, noise=0.5, seed=3)
    c = L.run("simple_quad", opt, steps=20, noise=0.5, seed=4)
    np.testing.assert_array_equal(a.xy, b.xy)
    assert not np.array_equal(a.xy, c.xy)
    assert a.to_dict()["seed"] == 3 and a.to_dict()["noise"] == 0.5


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"steps": 0}, "steps=0 is out of range"),
        ({"steps": 2.5}, "must be a whole number"),
        ({"steps": L.MAX_STEPS + 1}, "out of range"),
        ({"start": (1.0,)}, "shape"),
        ({"start": (np.nan, 1.0)}, "finite"),
        ({"start": "ab"}, "not two numbers"),
        ({"noise": -1.0}, "noise"),
    ],
)
def test_bad_run_arguments(kwargs, fragment):
    args = {"steps": 5, **kwargs}
    with pytest.raises(L.InvalidValueError, match=None) as err:
        L.run("simple_quad", L.make_optimizer("sgd"), **args)
    assert fragment in str(err.value)


def test_suites():
    assert [label for label, _ in L.SUITES["article"].runs] == [
        "nesterov",
        "rmsprop",
        "adadelta",
        "adagrad",
        "adam",
    ]
    hp = [L.parse_spec(spec).hparams for _, spec in L.SUITES["nesterov"].runs]
    assert [h["momentum"] for h in hp] == [0.25, 0.9, 0.975]
    assert all(h["lr"] == 0.01 for h in hp)
