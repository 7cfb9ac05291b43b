"""Rounding sensitivity: the companions, their spread, and what runs record of it."""

import numpy as np
import pytest

import landscapes as L
from landscapes.sensitivity import (
    ENSEMBLE,
    GRAD_SCALES,
    SPREAD_FRACTION,
    Companions,
    expand,
    sensitive_from,
    spread,
)

EPS = 2.0**-52


def test_scales_are_the_run_and_every_sign_pattern_of_one_ulp():
    assert ENSEMBLE == 5
    assert GRAD_SCALES[0].tolist() == [1.0, 1.0]
    assert {tuple(r) for r in GRAD_SCALES[1:].tolist()} == {
        (1 + a * EPS, 1 + b * EPS) for a in (1, -1) for b in (1, -1)
    }
    # every companion changes any non-zero gradient component: 1.0 -> one ulp up or down
    g = np.ones(2) * GRAD_SCALES[1:]
    assert (g != 1.0).all() and (np.abs(g - 1.0) <= 2 * EPS).all()


def test_perturb_finds_the_ensemble_axis_behind_stacked_look_aheads_and_shares_noise():
    asked = []

    def noise(shape):
        asked.append(shape)
        return np.arange(np.prod(shape), dtype=float).reshape(shape)

    batch = Companions(ndim=2, noise=noise)  # a run from 3 starts: points (ENSEMBLE, 3, 2)
    g = batch.perturb(np.ones((4, ENSEMBLE, 3, 2)))  # 4 look-ahead points stacked in front
    assert asked == [(4, 3, 2)]  # drawn as the run alone would draw it
    expected = GRAD_SCALES[None, :, None, :] + np.arange(24.0).reshape(4, 1, 3, 2)
    np.testing.assert_array_equal(g, expected)


@pytest.mark.parametrize("name", sorted(L.OPTIMIZERS.names()))
def test_the_run_inside_its_ensemble_equals_the_run_alone_bit_for_bit(name):
    s = L.get_surface("ripple")
    opt = L.make_optimizer(name)
    for start in ((-2.8, -2.5), [[-2.8, -2.5], [1.0, 0.5]]):
        kept = L.run(s, opt, start, steps=30, noise=0.3, seed=7)
        alone = L.run(s, opt, start, steps=30, noise=0.3, seed=7, companions=False)
        assert np.array_equal(kept.xy, alone.xy, equal_nan=True)
        assert np.array_equal(kept.loss, alone.loss, equal_nan=True)
        assert np.array_equal(kept.diverged_step, alone.diverged_step)
        assert kept.companions.shape == (31, ENSEMBLE - 1, *np.shape(start))
        assert alone.sensitive_step is None and "rounding_sensitive_from" not in alone.to_dict()


def test_spread_by_hand():
    path = np.zeros((4, ENSEMBLE, 2))
    path[1, 2] = (3e-6, 4e-6)  # 5e-6 away
    path[2, 4] = (-6e-6, 8e-6)  # 1e-5 away
    path[3, 1] = np.nan  # a companion diverged, the run did not
    np.testing.assert_allclose(spread(path), [0.0, 5e-6, 1e-5, np.inf], rtol=1e-15, atol=0)
    path[3] = np.nan  # all diverged together
    assert spread(path)[3] == 0.0
    window = (-3.0, 3.0, -1.0, 1.0)  # larger side 6: a companion leaves beyond 6e-6
    assert SPREAD_FRACTION == 1e-6
    assert sensitive_from(path, window) == 2
    assert sensitive_from(path[:2], window) == -1


def test_expand_repeats_the_start_as_member_zero_and_companions():
    starts = np.array([[1.0, 2.0], [3.0, 4.0]])
    e = expand(starts)
    assert e.shape == (ENSEMBLE, 2, 2) and (e == starts).all()
    e[0, 0, 0] = 9.0  # a copy, not a view of the start
    assert starts[0, 0] == 1.0


def test_stable_and_sensitive_runs():
    calm = L.run("simple_quad", L.make_optimizer("adam"), steps=60)
    assert (
        calm.rounding_sensitive_from is None and calm.to_dict()["rounding_sensitive_from"] is None
    )
    # the article's rmsprop on ripple bounces between the rings: its companions leave it
    # (measured: step 14 here, 13 for tests/reference.py's independent ensemble)
    wild = L.run("ripple", L.parse_spec("rmsprop:lr=0.25"), steps=60)
    k = wild.rounding_sensitive_from
    assert 8 <= k <= 20 and wild.to_dict()["rounding_sensitive_from"] == k
    gap = np.hypot(*(wild.companions[k] - wild.xy[k]).T).max()
    assert gap > SPREAD_FRACTION * 6
    assert np.hypot(*(wild.companions[k - 1] - wild.xy[k - 1]).T).max() <= SPREAD_FRACTION * 6
    batch = L.run("ripple", L.parse_spec("rmsprop:lr=0.25"), [[-2.8, -2.5], [0.0, 0.0]], 60)
    assert batch.sensitive_step.tolist()[0] == k
    with pytest.raises(L.InvalidValueError):
        _ = batch.rounding_sensitive_from
