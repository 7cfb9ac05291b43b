"""The optimizers that came after the article, with the same ``init``/``update`` protocol.

Each follows its paper's update rule (cited in its docstring); where the paper leaves a detail open
(bias correction, where eps goes) we follow the common implementation named in the docstring and
say how to reproduce our numbers in ``torch.optim`` or optax. Unlike the article's Lasagne Adam
(which folds bias correction into the step size and adds eps to √v), these add eps to the
bias-corrected √v̂, as torch.optim.AdamW and optax do; the two agree except when √v is tiny.

``g`` is the gradient at the current point, ``t`` counts steps from 1, states start at zero
unless stated, and every operation is elementwise, so a batch of N points is N independent runs.
"""

from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .insides import Insides, coast
from .optimizers import (
    ADAM_DEFAULTS,
    MOMENT_FIELDS,
    MomentState,
    NoState,
    _zeros,
    adam_moments,
    register_optimizer,
)


class AmsgradState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray
    v_max: np.ndarray  # elementwise maximum of every v so far


class LionState(NamedTuple):
    m: np.ndarray


def _adam_insides(update, lr: float, beta2: float, eps: float) -> Insides:
    """What the Adam family holds: the moments, the coasting velocity and the scale on m̂."""
    return Insides(MOMENT_FIELDS, velocity=coast(update), scale=_adam_scale(lr, beta2, eps))


def _adam_scale(lr: float, beta2: float, eps: float):
    """The Adam family's effective learning rate: the factor on m̂, lr/(√(v/(1−β₂ᵗ)) + eps)."""

    def scale(xy, state):
        return lr / (np.sqrt(state.v / (1 - beta2**state.t)) + eps)

    return scale


@register_optimizer(
    "nadam",
    **ADAM_DEFAULTS,
    description="Adam with Nesterov's look-ahead on the first moment (Dozat 2016).",
    reference="T. Dozat, Incorporating Nesterov Momentum into Adam, ICLR workshop 2016, Alg. 2",
)
def nadam(lr: float, beta1: float, beta2: float, eps: float):
    """NAdam (Dozat 2016, Algorithm 2, constant μ = β₁), the look-ahead the article proposes::

        m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²
        m̂ = β₁m/(1−β₁ᵗ⁺¹) + (1−β₁)g/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ)
        p −= lr·m̂/(√v̂ + eps)

    Identical to ``optax.nadam(lr, b1, b2, eps)`` (which, like us, omits the paper's extra β₂ on
    v̂). ``torch.optim.NAdam`` adds Dozat's momentum schedule μₜ = β₁(1 − ½·0.96^(0.004t)), so it
    differs slightly in every step; ``momentum_decay`` cannot switch the schedule off.
    """

    def init(xy):
        return MomentState(0, _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t, m, v = adam_moments(state, g, beta1, beta2)
        m_hat = beta1 * m / (1 - beta1 ** (t + 1)) + (1 - beta1) * g / (1 - beta1**t)
        v_hat = v / (1 - beta2**t)
        return xy - lr * m_hat / (np.sqrt(v_hat) + eps), MomentState(t, m, v)

    return init, update, _adam_insides(update, lr, beta2, eps)


@register_optimizer(
    "amsgrad",
    **ADAM_DEFAULTS,
    description="Adam whose denominator never shrinks: the running maximum of v (Reddi et al.).",
    reference="S. J. Reddi, S. Kale, S. Kumar, On the Convergence of Adam and Beyond, ICLR 2018, "
    "Alg. 2",
)
def amsgrad(lr: float, beta1: float, beta2: float, eps: float):
    """AMSGrad (Reddi et al. 2018, Algorithm 2) with Adam's bias correction::

        m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  v_max = max(v_max, v)
        p −= lr/(1−β₁ᵗ) · m/(√v_max/√(1−β₂ᵗ) + eps)

    The maximum over the raw v is the paper's; the paper has no bias correction and no eps, we add
    both exactly as ``torch.optim.Adam(amsgrad=True)`` does, so the numbers match torch.
    ``optax.amsgrad`` takes the maximum over the bias-corrected v̂ instead (its default
    ``bias_correction_nu=True``), which keeps the large early v̂ longer.
    """

    def init(xy):
        return AmsgradState(0, _zeros(xy), _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t, m, v = adam_moments(MomentState(state.t, state.m, state.v), g, beta1, beta2)
        v_max = np.maximum(state.v_max, v)
        denom = np.sqrt(v_max) / math.sqrt(1 - beta2**t) + eps
        return xy - lr / (1 - beta1**t) * m / denom, AmsgradState(t, m, v, v_max)

    def scale(xy, state):
        """The factor on m̂: lr/(√v_max/√(1−β₂ᵗ) + eps)."""
        return lr / (np.sqrt(state.v_max) / math.sqrt(1 - beta2**state.t) + eps)

    fields = {**MOMENT_FIELDS, "v_max": "running maximum of the second moment"}
    return init, update, Insides(fields, velocity=coast(update), scale=scale)


@register_optimizer(
    "adamw",
    **ADAM_DEFAULTS,
    weight_decay=0.01,
    description="Adam with decoupled weight decay: p −= lr·(m̂/(√v̂+eps) + wd·p).",
    reference="I. Loshchilov, F. Hutter, Decoupled Weight Decay Regularization, ICLR 2019, Alg. 2",
)
def adamw(lr: float, beta1: float, beta2: float, eps: float, weight_decay: float):
    """AdamW (Loshchilov & Hutter 2019, Algorithm 2, schedule multiplier ηₜ = lr)::

        m = β₁m + (1−β₁)g;  v = β₂v + (1−β₂)g²;  m̂ = m/(1−β₁ᵗ);  v̂ = v/(1−β₂ᵗ)
        p −= lr·(m̂/(√v̂ + eps) + weight_decay·p)

    The decay pulls towards the origin at every step, whatever the gradient says, and is not
    rescaled by √v̂ (that is the "decoupling"). Same numbers as ``torch.optim.AdamW(lr, betas,
    eps, weight_decay)`` (default weight_decay 0.01, ours too) and ``optax.adamw(lr, b1, b2, eps,
    weight_decay=...)`` (default 1e-4); both multiply the decay by lr as we do.
    """

    def init(xy):
        return MomentState(0, _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t, m, v = adam_moments(state, g, beta1, beta2)
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        step = m_hat / (np.sqrt(v_hat) + eps) + weight_decay * xy
        return xy - lr * step, MomentState(t, m, v)

    return init, update, _adam_insides(update, lr, beta2, eps)


#: RAdam's threshold on ρₜ: rectify only when the variance estimate is tractable.
RADAM_THRESHOLD = 5.0


@register_optimizer(
    "radam",
    **ADAM_DEFAULTS,
    description="Rectified Adam: momentum SGD for the first steps, then Adam scaled by r_t.",
    reference="L. Liu et al., On the Variance of the Adaptive Learning Rate and Beyond, ICLR 2020, "
    "Alg. 2",
)
def radam(lr: float, beta1: float, beta2: float, eps: float):
    """RAdam (Liu et al. 2020, Algorithm 2)::

        ρ∞ = 2/(1−β₂) − 1;  ρₜ = ρ∞ − 2tβ₂ᵗ/(1−β₂ᵗ);  m̂ = m/(1−β₁ᵗ)
        if ρₜ >= 5:  rₜ = √((ρₜ−4)(ρₜ−2)ρ∞ / ((ρ∞−4)(ρ∞−2)ρₜ));  p −= lr·rₜ·m̂/(√v̂ + eps)
        else:        p −= lr·m̂                       (no adaptive step while v̂ is unreliable)

    The paper's text says ρₜ > 4; its authors' code, ``torch.optim.RAdam`` and ``optax.radam``
    all use ρₜ >= 5, and so do we (with β₂ = 0.999 the first five steps are un-adapted). eps is
    added to √v̂ as in optax; torch adds it to the uncorrected √v (``sqrt(1-β₂ᵗ)/(√v + eps)``),
    a difference only when √v is near eps.
    """
    rho_inf = 2 / (1 - beta2) - 1

    def init(xy):
        return MomentState(0, _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t, m, v = adam_moments(state, g, beta1, beta2)
        m_hat = m / (1 - beta1**t)
        rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho >= RADAM_THRESHOLD:
            r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
            step = r * m_hat / (np.sqrt(v / (1 - beta2**t)) + eps)
        else:
            step = m_hat
        return xy - lr * step, MomentState(t, m, v)

    def scale(xy, state):
        """The factor on m̂: lr·rₜ/(√v̂ + eps) once rectified, lr before."""
        t = state.t
        rho = rho_inf - 2 * t * beta2**t / (1 - beta2**t)
        if rho < RADAM_THRESHOLD:
            return np.full_like(np.asarray(state.v, dtype=float), lr)
        r = math.sqrt((rho - 4) * (rho - 2) * rho_inf / ((rho_inf - 4) * (rho_inf - 2) * rho))
        return lr * r / (np.sqrt(state.v / (1 - beta2**t)) + eps)

    return init, update, Insides(MOMENT_FIELDS, velocity=coast(update), scale=scale)


@register_optimizer(
    "adabelief",
    **(ADAM_DEFAULTS | {"eps": 1e-16}),
    description="AdaBelief: Adam scaled by the spread of g around its running mean, not by g².",
    reference="J. Zhuang et al., AdaBelief Optimizer, NeurIPS 2020, Alg. 2",
)
def adabelief(lr: float, beta1: float, beta2: float, eps: float):
    """AdaBelief (Zhuang et al. 2020, Algorithm 2)::

        m = β₁m + (1−β₁)g;  s = β₂s + (1−β₂)(g − m)² + eps
        p −= lr · (m/(1−β₁ᵗ)) / (√(s/(1−β₂ᵗ)) + eps)

    (g − m) uses the new m, and eps enters twice, as in the paper. torch.optim has no AdaBelief;
    the authors' ``adabelief_pytorch.AdaBelief`` (default eps 1e-16, ours too) and
    ``optax.adabelief(lr, b1, b2, eps=e, eps_root=e)`` give the same numbers.
    """

    def init(xy):
        return MomentState(0, _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t = state.t + 1
        m = beta1 * state.m + (1 - beta1) * g
        s = beta2 * state.v + (1 - beta2) * (g - m) ** 2 + eps
        m_hat, s_hat = m / (1 - beta1**t), s / (1 - beta2**t)
        return xy - lr * m_hat / (np.sqrt(s_hat) + eps), MomentState(t, m, s)

    fields = {**MOMENT_FIELDS, "v": "belief: running mean of (g − m)², plus eps"}
    return init, update, Insides(fields, velocity=coast(update), scale=_adam_scale(lr, beta2, eps))


@register_optimizer(
    "lion",
    lr=0.05,
    beta1=0.9,
    beta2=0.99,
    weight_decay=0.0,
    description="Lion: a step of fixed size lr per coordinate, in the sign of a blended momentum.",
    reference="X. Chen et al., Symbolic Discovery of Optimization Algorithms, NeurIPS 2023, "
    "Program 1",
)
def lion(lr: float, beta1: float, beta2: float, weight_decay: float):
    """Lion (Chen et al. 2023, Program 1)::

        c = β₁m + (1−β₁)g
        p −= lr·(sign(c) + weight_decay·p)
        m = β₂m + (1−β₂)g

    Every coordinate moves by exactly lr (plus decay) each step, so without a schedule Lion ends
    oscillating within about lr of a minimum; the paper advises an lr 3-10x smaller than Adam's.
    Same numbers as ``optax.lion(lr, b1, b2, weight_decay)`` (default 1e-3; ours 0) and
    lucidrains' ``lion_pytorch.Lion``; torch.optim has no Lion.
    """

    def init(xy):
        return LionState(_zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        c = beta1 * state.m + (1 - beta1) * g
        step = np.sign(c) + weight_decay * xy
        return xy - lr * step, LionState(beta2 * state.m + (1 - beta2) * g)

    fields = {"m": "momentum (running mean of g)"}
    return init, update, Insides(fields, velocity=coast(update))


#: Yogi's starting value for both moments (optax's ``initial_accumulator_value``).
YOGI_INITIAL = 1e-6


@register_optimizer(
    "yogi",
    **(ADAM_DEFAULTS | {"eps": 1e-3}),
    description="Yogi: v moves towards g² by a fixed fraction of g², so it cannot blow up.",
    reference="M. Zaheer et al., Adaptive Methods for Nonconvex Optimization, NeurIPS 2018, Alg. 2",
)
def yogi(lr: float, beta1: float, beta2: float, eps: float):
    """Yogi (Zaheer et al. 2018, Algorithm 2), with Adam's bias correction::

        m = β₁m + (1−β₁)g;  v = v − (1−β₂)·sign(v − g²)·g²
        p −= lr · (m/(1−β₁ᵗ)) / (√(v/(1−β₂ᵗ)) + eps)

    Both moments start at 1e-6 and eps defaults to 1e-3, as in ``optax.yogi`` (whose numbers we
    match) and the paper's recommendation; the paper's algorithm box omits bias correction.
    torch.optim has no Yogi.
    """

    def init(xy):
        start = np.full_like(np.asarray(xy, dtype=float), YOGI_INITIAL)
        return MomentState(0, start, start.copy())

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t = state.t + 1
        m = beta1 * state.m + (1 - beta1) * g
        v = state.v - (1 - beta2) * np.sign(state.v - g**2) * g**2
        m_hat, v_hat = m / (1 - beta1**t), v / (1 - beta2**t)
        return xy - lr * m_hat / (np.sqrt(v_hat) + eps), MomentState(t, m, v)

    return init, update, _adam_insides(update, lr, beta2, eps)


@register_optimizer(
    "newton",
    lr=1.0,
    damping=0.01,
    description="Damped Newton with the autograd Hessian; |eigenvalues| so saddles repel.",
    reference="Levenberg 1944 / Marquardt 1963 damping; |H| from Dauphin et al., NeurIPS 2014",
)
def newton(lr: float, damping: float):
    """A damped Newton step on the exact (autograd) Hessian H = Q·diag(λ)·Qᵀ::

        p −= lr · Q·diag(1/(|λ| + damping))·Qᵀ · g

    Where H is positive definite this is the Levenberg-Marquardt step (H + damping·I)⁻¹g, and
    with lr = 1, damping = 0 it is Newton's method (one step to the minimum of a quadratic).
    Safeguard where H is not positive definite: a plain Newton step would climb along negative
    curvature and is attracted to saddle points and maxima, so each eigenvalue is replaced by its
    absolute value (the "saddle-free Newton" of Dauphin et al. 2014): the step is then always a
    descent direction (gᵀd > 0) and saddles repel. With damping = 0 a direction of zero curvature
    gets no step (a pseudo-inverse) instead of a division by zero. No optimizer in torch.optim or
    optax does this; ``torch.linalg.eigh`` on the Hessian reproduces it.
    """

    def init(xy):
        return NoState()

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        H = oracle.hessian(xy)
        bad = ~np.isfinite(H).all(axis=(-2, -1))  # e.g. a diverged point of a batch
        lam, Q = np.linalg.eigh(np.where(bad[..., None, None], np.eye(H.shape[-1]), H))
        denom = np.abs(lam) + damping
        along = np.einsum("...ji,...j->...i", Q, g)  # g in the eigenbasis
        scaled = np.divide(along, denom, out=np.zeros_like(along), where=denom > 0)
        step = np.einsum("...ij,...j->...i", Q, scaled)
        return np.where(bad[..., None], np.nan, xy - lr * step), state

    return init, update
