"""The newer optimizers: two hand-computed steps each, batches, and convergence on simple_quad.

Hand computations run on simple_quad (f = x² + y², so g = 2p, H = 2I) from p0 = (1, -2); with
β₁ = 0.5, β₂ = 0.75 the bias corrections are 1 − β₁ = 0.5, 1 − β₁² = 0.75, 1 − β₂ = 0.25 and
1 − β₂² = 0.4375. eps = 1e-12 is negligible at the 1e-9 tolerance used.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from landscapes import OPTIMIZERS, get_surface, make_optimizer, run
from landscapes.optimizers import DOMAINS, MomentState

NEW = ("nadam", "amsgrad", "adamw", "radam", "adabelief", "lion", "yogi", "newton")
QUAD = get_surface("simple_quad")
P0 = np.array([1.0, -2.0])
BETAS = dict(beta1=0.5, beta2=0.75)


def two_steps(name: str, surface=QUAD, start=P0, **hparams) -> tuple[np.ndarray, np.ndarray]:
    opt = make_optimizer(name, **hparams)
    state = opt.init(start)
    p1, state = opt.update(start, state, surface)
    p2, _ = opt.update(p1, state, surface)
    return p1, p2


def test_nadam_two_steps():
    # t=1: g=(2,-4); m=0.5g=(1,-2); v=0.25g²=(1,4)
    #   m̂ = 0.5·m/0.75 + 0.5·g/0.5 = (2/3,-4/3) + (2,-4) = (8/3,-16/3); √v̂ = √(v/0.25) = (2,4)
    #   p1 = p0 − 0.5·(4/3,-4/3) = (1/3, -4/3)
    # t=2: g=(2/3,-8/3); m=(5/6,-7/3); v=0.75(1,4)+0.25(4/9,64/9) = (31/36, 43/9)
    #   m̂ = 0.5·m/0.875 + 0.5·g/0.75 = (10/21 + 4/9, -4/3 - 16/9) = (0.9206349, -3.1111111)
    #   √v̂ = √(v/0.4375) = (1.4029452, 3.3046384); p2 = p1 − 0.5·m̂/√v̂ = (0.0052253, -0.8626145)
    p1, p2 = two_steps("nadam", lr=0.5, eps=1e-12, **BETAS)
    assert p1 == pytest.approx([1 / 3, -4 / 3], rel=1e-9)
    assert p2 == pytest.approx([0.0052252872376868, -0.8626144922084911], rel=1e-9)


def test_amsgrad_two_steps():
    # t=1: m=(1,-2), v=(1,4), v_max=v; p1 = p0 − 0.5/0.5·m/(√v/√0.25) = p0 − (0.5,-0.5)
    # t=2: g=(1,-3); m=(1,-2.5); v=0.75(1,4)+0.25(1,9) = (1, 5.25); v_max = (1, 5.25)
    #   p2 = p1 − 0.5/0.75·m/(√v_max/√0.4375) = (0.5 − 0.4409586, -1.5 + 0.4811252)
    p1, p2 = two_steps("amsgrad", lr=0.5, eps=1e-12, **BETAS)
    assert p1 == pytest.approx([0.5, -1.5], rel=1e-9)
    assert p2 == pytest.approx([0.0590414481563882, -1.018874775675569], rel=1e-9)


def test_amsgrad_keeps_the_largest_second_moment():
    # From a state whose v_max (100) exceeds the new v, the denominator uses v_max:
    # g = 2 at p = 1: m = 0.5·0 + 0.5·2 = 1, v = 0.75·0 + 0.25·4 = 1, v_max = 100, t = 1:
    # p = 1 − 0.5/0.5 · 1/(√100/√0.25) = 1 − 1/20 = 0.95
    from landscapes.modern import AmsgradState

    opt = make_optimizer("amsgrad", lr=0.5, eps=1e-12, **BETAS)
    zero = np.zeros(2)
    state = AmsgradState(0, zero, zero, np.full(2, 100.0))
    p, state = opt.update(np.array([1.0, 1.0]), state, QUAD)
    assert p == pytest.approx([0.95, 0.95], rel=1e-9)
    assert state.v_max == pytest.approx([100.0, 100.0])


def test_adamw_two_steps():
    # t=1: Adam step (0.5,-0.5) plus decay 0.5·0.1·p0 = (0.05,-0.1): p1 = (0.45, -1.4)
    # t=2: g=(0.9,-2.8); m=(0.95,-2.4); v=0.75(1,4)+0.25(0.81,7.84) = (0.9525, 4.96)
    #   m̂ = m/0.75 = (1.2666667,-3.2); √v̂ = √(v/0.4375) = (1.4755296, 3.3670908)
    #   p2 = p1 − 0.5·(m̂/√v̂ + 0.1·p1) = (0.45 − 0.4517288, -1.4 + 0.5451910)
    p1, p2 = two_steps("adamw", lr=0.5, eps=1e-12, weight_decay=0.1, **BETAS)
    assert p1 == pytest.approx([0.45, -1.4], rel=1e-9)
    assert p2 == pytest.approx([-0.0017288282407093, -0.8548090366887606], rel=1e-9)


def test_adamw_without_decay_is_adam_with_eps_on_the_corrected_root():
    p1, _ = two_steps("adamw", lr=0.5, eps=1e-12, weight_decay=0.0, **BETAS)
    assert p1 == pytest.approx([0.5, -1.5], rel=1e-9)  # lr·sign(g), as Adam's first step


def test_radam_first_steps_are_momentum_sgd():
    # ρ∞ = 2/(1−0.75) − 1 = 7; ρ₁ = 1 and ρ₂ = (1+3β₂)/(1+β₂) = 1.857 < 5: un-adapted steps
    # t=1: m̂ = m/0.5 = g = (2,-4); p1 = p0 − 0.5·(2,-4) = (0, 0)
    # t=2: g=(0,0); m = 0.5·(1,-2) = (0.5,-1); m̂ = m/0.75 = (2/3,-4/3); p2 = (-1/3, 2/3)
    p1, p2 = two_steps("radam", lr=0.5, eps=1e-12, **BETAS)
    assert p1 == pytest.approx([0.0, 0.0], abs=1e-12)
    assert p2 == pytest.approx([-1 / 3, 2 / 3], rel=1e-9)


def test_radam_rectified_step():
    # β₁ = β₂ = 0.9: ρ∞ = 19, ρ₆ = 19 − 12·0.9⁶/(1 − 0.9⁶) = 5.3895646 >= 5, so step 6 adapts:
    # r₆ = √((ρ₆−4)(ρ₆−2)ρ∞/((ρ∞−4)(ρ∞−2)ρ₆)) = 0.2551768
    # from t=5, m=(1,-1), v=(4,4) at p=(1,-1): g=(2,-2); m=(1.1,-1.1); v=(4,4)
    # m̂ = 1.1/(1−0.9⁶) = 2.3476232; v̂ = 4/(1−0.9⁶) = 8.5368118
    # p = 1 − 0.1·r₆·m̂/√v̂ = 0.9794968
    opt = make_optimizer("radam", lr=0.1, beta1=0.9, beta2=0.9, eps=1e-12)
    state = MomentState(5, np.array([1.0, -1.0]), np.array([4.0, 4.0]))
    p, state = opt.update(np.array([1.0, -1.0]), state, QUAD)
    assert p == pytest.approx([0.9794967954005168, -0.9794967954005168], rel=1e-9)
    assert state.t == 6


def test_adabelief_two_steps():
    # t=1: m=0.5g=(1,-2); s = 0.25(g−m)² = 0.25(1,4) = (0.25,1); ŝ = s/0.25 = (1,4)
    #   m̂ = (2,-4); p1 = p0 − 0.5·(2/1, -4/2) = (0, -1)
    # t=2: g=(0,-2); m = 0.5(1,-2) + 0.5(0,-2) = (0.5,-2); g − m = (-0.5, 0)
    #   s = 0.75(0.25,1) + 0.25(0.25,0) = (0.25, 0.75); ŝ = s/0.4375 = (0.5714286, 1.7142857)
    #   m̂ = m/0.75 = (2/3,-8/3); p2 = p1 − 0.5·m̂/√ŝ = (-0.4409586, -1 + 1.0183502)
    p1, p2 = two_steps("adabelief", lr=0.5, eps=1e-12, **BETAS)
    assert p1 == pytest.approx([0.0, -1.0], abs=1e-9)
    assert p2 == pytest.approx([-0.440958551842279, 0.0183501544321742], rel=1e-8)


def test_lion_two_steps():
    # t=1: c = 0.5·0 + 0.5g → sign (1,-1); p1 = p0 − 0.5·((1,-1) + 0.1·p0) = (0.45, -1.4)
    #   m = 0.25g = (0.5,-1)
    # t=2: g=(0.9,-2.8); c = 0.5(0.5,-1) + 0.5(0.9,-2.8) → sign (1,-1)
    #   p2 = p1 − 0.5·((1,-1) + 0.1·p1) = (0.45 − 0.5225, -1.4 + 0.57) = (-0.0725, -0.83)
    p1, p2 = two_steps("lion", lr=0.5, weight_decay=0.1, **BETAS)
    assert p1 == pytest.approx([0.45, -1.4], rel=1e-12)
    assert p2 == pytest.approx([-0.0725, -0.83], rel=1e-12)


def test_lion_moves_exactly_lr_per_coordinate():
    opt = make_optimizer("lion", lr=0.05)
    p, _ = opt.update(np.array([-2.8, 0.3]), opt.init(np.zeros(2)), QUAD)
    assert p == pytest.approx([-2.75, 0.25])


def test_yogi_two_steps():
    # m₀ = v₀ = 1e-6. t=1: g=(2,-4); m = 0.5e-6 + 0.5g = (1.0000005, -1.9999995)
    #   v = 1e-6 + 0.25·g² (v < g² so v grows) = (1.000001, 4.000001)
    #   p1 = p0 − 0.5·(m/0.5)/(√(v/0.25) + 1e-3) = (0.5002499, -1.5001252)
    # t=2: g = 2·p1; v − g² < 0 again, so v += 0.25·g²; same formula with t=2
    p1, p2 = two_steps("yogi", lr=0.5, eps=1e-3, **BETAS)
    assert p1 == pytest.approx([0.5002498749375313, -1.5001251561953028], rel=1e-9)
    assert p2 == pytest.approx([0.1060187047123184, -1.0592744887590213], rel=1e-9)


def test_yogi_second_moment_shrinks_additively():
    # v = 9 > g² = 4 (at p = 1): v = 9 − 0.25·4 = 8, where Adam would give 0.75·9 + 0.25·4 = 7.75
    opt = make_optimizer("yogi", lr=0.5, **BETAS)
    state = MomentState(3, np.zeros(2), np.full(2, 9.0))
    _, state = opt.update(np.array([1.0, 1.0]), state, QUAD)
    assert state.v == pytest.approx([8.0, 8.0])


def test_newton_is_exact_on_a_quadratic_and_damped_otherwise():
    # H = 2I, g = 2p. damping 0: p − H⁻¹g = 0 in one step.
    p1, _ = two_steps("newton", lr=1.0, damping=0.0)
    assert p1 == pytest.approx([0.0, 0.0], abs=1e-15)
    # damping 2: p − g/(2+2) = p/2: (0.5,-1) then (0.25,-0.5)
    p1, p2 = two_steps("newton", lr=1.0, damping=2.0)
    assert p1 == pytest.approx([0.5, -1.0])
    assert p2 == pytest.approx([0.25, -0.5])


def test_newton_matches_levenberg_marquardt_where_the_hessian_is_positive_definite():
    surface = get_surface("rosenbrock")
    p = np.array([0.5, 0.2])
    H, g = surface.hessian(p), surface.grad(p)
    assert np.all(np.linalg.eigvalsh(H) > 0)
    opt = make_optimizer("newton", lr=0.7, damping=0.3)
    p1, _ = opt.update(p, opt.init(p), surface)
    assert p1 == pytest.approx(p - 0.7 * np.linalg.solve(H + 0.3 * np.eye(2), g), rel=1e-12)


def test_newton_safeguard_flips_negative_curvature_so_saddles_repel():
    # saddle x² − y²: H = diag(2, -2). At (1, 0.5): g = (2, -1). Plain Newton H⁻¹g = (1, 0.5)
    # would jump onto the saddle (0, 0); with |H| = 2I the step is (1, -0.5): p1 = (0, 1)
    # then g = (0, -2), step (0, -1): p2 = (0, 2) — away from the saddle, downhill.
    saddle = get_surface("saddle")
    p1, p2 = two_steps("newton", surface=saddle, start=np.array([1.0, 0.5]), damping=0.0)
    assert p1 == pytest.approx([0.0, 1.0])
    assert p2 == pytest.approx([0.0, 2.0])
    assert saddle.value(p2) < saddle.value(p1) < saddle.value(np.array([1.0, 0.5]))


def test_newton_with_zero_damping_leaves_flat_directions_alone():
    # monkey saddle at the origin: g = 0 and H = 0; the step is 0, not 0/0.
    opt = make_optimizer("newton", damping=0.0)
    p, _ = opt.update(np.zeros(2), opt.init(np.zeros(2)), get_surface("monkey_saddle"))
    assert p == pytest.approx([0.0, 0.0])


@pytest.mark.parametrize("name", NEW)
def test_a_batch_is_independent_runs(name):
    starts = np.array([[-1.2, 1.0], [0.5, -0.5], [1.5, 2.0]])
    surface = get_surface("rosenbrock")
    opt = make_optimizer(name, lr=0.01) if name != "newton" else make_optimizer(name)
    batch = run(surface, opt, starts, steps=6)
    for i, start in enumerate(starts):
        single = run(surface, opt, start, steps=6)
        np.testing.assert_allclose(batch.xy[:, i], single.xy, rtol=1e-12, atol=1e-15)


#: Steps after which each optimizer, with its defaults from simple_quad's start (-2.8, -2.5),
#: stays within `tol` of the minimum (measured: nadam 82, amsgrad 104, adamw 101, radam 121,
#: adabelief 103, yogi 103, newton 2; lion arrives in ~150 steps and then moves ±lr for ever).
CONVERGENCE = {
    "nadam": (100, 1e-2),
    "amsgrad": (125, 1e-2),
    "adamw": (125, 1e-2),
    "radam": (150, 1e-2),
    "adabelief": (125, 1e-2),
    "yogi": (125, 1e-2),
    "newton": (3, 1e-3),
    "lion": (160, 0.05 * math.sqrt(2) + 1e-12),
}


@pytest.mark.parametrize("name", NEW)
def test_converges_on_simple_quad_with_defaults(name):
    steps, tol = CONVERGENCE[name]
    traj = run("simple_quad", make_optimizer(name), steps=steps + 100)
    distance = np.linalg.norm(traj.xy, axis=-1)
    assert np.all(distance[steps:] <= tol), (name, distance[steps:].max())
    assert distance[0] > 3  # a real start, not already at the minimum


def test_every_hyperparameter_has_a_domain():
    for name, info in OPTIMIZERS.items():
        for key in info.defaults:
            assert key in DOMAINS, (name, key)


@pytest.mark.parametrize("name", NEW)
def test_new_optimizers_reject_bad_hyperparameters(name):
    from landscapes import InvalidValueError

    with pytest.raises(InvalidValueError, match="lr"):
        make_optimizer(name, lr=-1)
