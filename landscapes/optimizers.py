"""Optimizers as ``init``/``update`` pairs of pure functions over a small NamedTuple state.

The protocol, stated once (after ``jax.example_libraries.optimizers`` and optax)::

    opt = make_optimizer("adam", lr=0.1)
    state = opt.init(xy)                          # xy: (2,) or a batch (N, 2)
    xy, state = opt.update(xy, state, oracle)     # one step

``oracle`` is whatever can answer ``oracle.grad(xy)`` (and ``oracle.hessian(xy)`` for second-order
methods) for points of any batch shape: a :class:`~landscapes.surfaces.Surface`, or a wrapper
that adds gradient noise. Handing ``update`` the oracle instead of one gradient lets the
look-ahead methods ask for gradients at points ahead of ``xy`` with no special case in the caller.
Nothing is mutated: every update returns a new point and a new state.

The update rules follow Lasagne's ``lasagne/updates.py`` (what the article ran): eps inside the
square root for Adagrad, RMSProp and Adadelta; Adam's bias correction folded into the step size;
Nesterov's form that takes the gradient at the current parameters. ``g`` is the gradient at the
current point, ``t`` counts steps from 1, and every state starts at zero.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple, Protocol

import numpy as np

from .errors import InvalidValueError
from .insides import NO_INSIDES, Insides, coast
from .registry import Registry, unknown_name_message


class Oracle(Protocol):
    """What an update may ask of the surface."""

    def grad(self, xy: np.ndarray) -> np.ndarray: ...

    def hessian(self, xy: np.ndarray) -> np.ndarray: ...


InitFn = Callable[[np.ndarray], Any]
UpdateFn = Callable[[np.ndarray, Any, Oracle], tuple[np.ndarray, Any]]


# --- hyperparameter domains ---------------------------------------------------------------------


def _positive(v: float) -> bool:
    return math.isfinite(v) and v > 0


def _unit_interval(v: float) -> bool:
    return 0 <= v < 1


def _non_negative(v: float) -> bool:
    return math.isfinite(v) and v >= 0


#: name -> (test, text for the error message). One spelling of each hyperparameter everywhere.
DOMAINS: dict[str, tuple[Callable[[float], bool], str]] = {
    "lr": (_positive, "a finite number > 0"),
    "momentum": (_unit_interval, "a number in [0, 1)"),
    "rho": (_unit_interval, "a number in [0, 1)"),
    "beta1": (_unit_interval, "a number in [0, 1)"),
    "beta2": (_unit_interval, "a number in [0, 1)"),
    "eps": (_positive, "a finite number > 0"),
    "weight_decay": (_non_negative, "a finite number >= 0"),
    "damping": (_non_negative, "a finite number >= 0"),
}


def check_hparam(name: str, value: Any) -> float:
    """``value`` as a float if it lies in the domain of hyperparameter ``name``, else raise."""
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InvalidValueError(f"{name}={value!r} is not a number") from None
    test, text = DOMAINS.get(name, (lambda _v: math.isfinite(_v), "a finite number"))
    if isinstance(value, bool) or not test(v):
        raise InvalidValueError(f"{name}={value!r} is out of range: {name} must be {text}")
    return v


# --- registry -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class OptimizerInfo:
    """A registered optimizer: its factory, its defaults and a one-line description."""

    name: str
    factory: Callable[..., tuple[InitFn, UpdateFn]]
    defaults: Mapping[str, float]
    description: str
    reference: str = ""

    def describe(self) -> dict:
        return {
            "name": self.name,
            "defaults": dict(self.defaults),
            "description": self.description,
            "reference": self.reference,
        }


OPTIMIZERS: Registry[OptimizerInfo] = Registry("optimizer")


def register_optimizer(
    name: str, *, description: str, reference: str = "", **defaults: float
) -> Callable:
    """Decorator: register ``factory(**hparams) -> (init, update)`` under ``name``."""

    def wrap(factory: Callable) -> Callable:
        OPTIMIZERS.register(
            name, OptimizerInfo(name, factory, dict(defaults), description, reference)
        )
        return factory

    return wrap


@dataclass(frozen=True)
class Optimizer:
    """An optimizer with bound hyperparameters: ``init(xy)``, ``update(xy, state, oracle)``.

    ``insides`` says what its state means (see ``landscapes.insides``); a factory declares it by
    returning ``(init, update, insides)`` instead of ``(init, update)``.
    """

    name: str
    hparams: Mapping[str, float]
    init: InitFn = field(repr=False, compare=False)
    update: UpdateFn = field(repr=False, compare=False)
    insides: Insides = field(default=NO_INSIDES, repr=False, compare=False)

    @property
    def label(self) -> str:
        """``name(k=v, ...)``: the hyperparameters that differ from the defaults are named."""
        changed = hparams_text(self.name, self.hparams, "changed")
        return f"{self.name}({changed})" if changed else self.name

    def describe(self) -> dict:
        """Name and hyperparameters as plain data (like every registry item's ``describe``)."""
        return {"name": self.name, "hparams": dict(self.hparams)}


#: What ``hparams_text`` shows: which (key, value, default) pairs are written.
HPARAM_SHOWS: dict[str, Callable[[str, float, float | None], bool]] = {
    "all": lambda k, v, default: True,
    "legend": lambda k, v, default: k != "eps" or v != default,  # eps only when not the default
    "changed": lambda k, v, default: v != default,
    "lr+changed": lambda k, v, default: k == "lr" or v != default,
}


def hparams_text(name: str, hparams: Mapping[str, float], show: str = "all") -> str:
    """``lr=0.01, momentum=0.9``: the one way hyperparameters are written as text.

    ``show``: ``all``; ``legend`` (all but an eps at its default); ``changed`` (only values that
    differ from the optimizer's defaults); ``lr+changed`` (lr, then the changed ones).
    """
    defaults = OPTIMIZERS[name].defaults if name in OPTIMIZERS else {}
    keep = HPARAM_SHOWS[show]
    return ", ".join(f"{k}={v:g}" for k, v in hparams.items() if keep(k, v, defaults.get(k)))


def check_hparam_names(name: str, keys: Iterable[str]) -> OptimizerInfo:
    """The registered optimizer ``name``, if every key names one of its hyperparameters; else
    an error naming the bad key and the valid ones. The one place names are checked."""
    info = OPTIMIZERS[name]
    for key in keys:
        if key not in info.defaults:
            raise InvalidValueError(
                unknown_name_message(f"hyperparameter of {info.name}", key, list(info.defaults))
            )
    return info


def make_optimizer(name: str, **hparams: Any) -> Optimizer:
    """Bind an optimizer's hyperparameters (defaults filled in, every name and value checked)."""
    info = check_hparam_names(name, hparams)
    bound = dict(info.defaults)
    for key, value in hparams.items():
        bound[key] = check_hparam(key, value)
    init, update, insides = unpack_factory(info.factory(**bound))
    return Optimizer(info.name, bound, init, update, insides)


def unpack_factory(made: tuple) -> tuple[InitFn, UpdateFn, Insides]:
    """``(init, update, insides)`` from a factory's ``(init, update[, insides])``."""
    init, update, *rest = made
    return init, update, rest[0] if rest else NO_INSIDES


# --- states -------------------------------------------------------------------------------------


class NoState(NamedTuple):
    """State of a method that remembers nothing (plain SGD)."""


class VelocityState(NamedTuple):
    v: np.ndarray


class AccumulatorState(NamedTuple):
    a: np.ndarray


class AdadeltaState(NamedTuple):
    a: np.ndarray  # running mean of g²
    d: np.ndarray  # running mean of the squared updates


class MomentState(NamedTuple):
    t: int
    m: np.ndarray
    v: np.ndarray


#: What the fields of the Adam family's state are.
MOMENT_FIELDS = {
    "t": "step count",
    "m": "first moment (running mean of g)",
    "v": "second moment (running mean of g²)",
}


def _zeros(xy: np.ndarray) -> np.ndarray:
    return np.zeros_like(np.asarray(xy, dtype=float))


#: Adam's hyperparameters and defaults, shared by its family (adamax and the newer methods).
ADAM_DEFAULTS: dict[str, float] = {"lr": 0.25, "beta1": 0.9, "beta2": 0.999, "eps": 1e-8}


def adam_moments(state: MomentState, g: np.ndarray, beta1: float, beta2: float):
    """Adam's running moments: (t, m, v) after one more gradient."""
    t = state.t + 1
    m = beta1 * state.m + (1 - beta1) * g
    v = beta2 * state.v + (1 - beta2) * g**2
    return t, m, v


# --- the article's methods ----------------------------------------------------------------------


@register_optimizer(
    "sgd",
    lr=0.1,
    description="Plain gradient descent: p -= lr·g.",
    reference="lasagne.updates.sgd",
)
def sgd(lr: float):
    def init(xy):
        return NoState()

    def update(xy, state, oracle):
        return xy - lr * oracle.grad(xy), state

    return init, update


@register_optimizer(
    "momentum",
    lr=0.01,
    momentum=0.9,
    description="Heavy ball: v = μv − lr·g; p += v.",
    reference="lasagne.updates.momentum",
)
def momentum(lr: float, momentum: float):
    def init(xy):
        return VelocityState(_zeros(xy))

    def update(xy, state, oracle):
        v = momentum * state.v - lr * oracle.grad(xy)
        return xy + v, VelocityState(v)

    return init, update, Insides({"v": "velocity (the last step)"}, velocity=coast(update))


@register_optimizer(
    "nesterov",
    lr=0.01,
    momentum=0.9,
    description="Nesterov momentum, Lasagne's form: v = μv − lr·g; p += μv − lr·g.",
    reference="lasagne.updates.nesterov_momentum (Sutskever et al. 2013, reformulated)",
)
def nesterov(lr: float, momentum: float):
    def init(xy):
        return VelocityState(_zeros(xy))

    def update(xy, state, oracle):
        step = lr * oracle.grad(xy)
        v = momentum * state.v - step
        return xy + momentum * v - step, VelocityState(v)

    # The gradient is taken at the current point: in this form the stored point already is the
    # look-ahead point of the classical formulation, so there is no separate look-ahead.
    return init, update, Insides({"v": "velocity"}, velocity=coast(update))


def _lookahead(weights: tuple[float, ...], fractions: tuple[float, ...]):
    """Look-ahead momentum: v = μv + lr·Σ wᵢ∇J(p − fᵢμv)/Σ wᵢ; p −= v (the article's (7), (8))."""
    w = np.asarray(weights, dtype=float)
    f = np.asarray(fractions, dtype=float)

    def factory(lr: float, momentum: float):
        def init(xy):
            return VelocityState(_zeros(xy))

        def lookahead(xy, state):
            """p − fᵢμv for every fraction fᵢ: shape (n, *xy.shape)."""
            return xy - f.reshape((-1,) + (1,) * xy.ndim) * (momentum * state.v)

        def update(xy, state, oracle):
            g = oracle.grad(lookahead(xy, state))  # all look-aheads, one call
            avg = (
                sum(wi * gi for wi, gi in zip(w, g, strict=True)) / w.sum()
            )  # elementwise: batch == single
            v = momentum * state.v + lr * avg
            return xy - v, VelocityState(v)

        fields = {"v": "velocity (minus the last step)"}
        return init, update, Insides(fields, velocity=coast(update), lookahead=lookahead)

    return factory


register_optimizer(
    "smoothed_nesterov",
    lr=0.01,
    momentum=0.9,
    description="The article's smoothed look-ahead: mean gradient at p − μv/3, p − 2μv/3, p − μv.",
    reference="the article, equation (7)",
)(_lookahead((1.0, 1.0, 1.0), (1 / 3, 2 / 3, 1.0)))

register_optimizer(
    "weighted_nesterov",
    lr=0.01,
    momentum=0.9,
    description="The article's weighted look-ahead: gradients at p − μv/2, p − 3μv/4, p − μv "
    "weighted 1:2:4.",
    reference="the article, equation (8)",
)(_lookahead((1.0, 2.0, 4.0), (0.5, 0.75, 1.0)))


@register_optimizer(
    "adagrad",
    lr=1.0,
    eps=1e-6,
    description="Adagrad: a += g²; p −= lr·g/√(a + eps).",
    reference="lasagne.updates.adagrad (Duchi et al. 2011)",
)
def adagrad(lr: float, eps: float):
    def init(xy):
        return AccumulatorState(_zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        a = state.a + g**2
        return xy - lr * g / np.sqrt(a + eps), AccumulatorState(a)

    def scale(xy, state):
        return lr / np.sqrt(state.a + eps)

    return init, update, Insides({"a": "sum of squared gradients"}, scale=scale)


@register_optimizer(
    "rmsprop",
    lr=0.25,
    rho=0.9,
    eps=1e-6,
    description="RMSProp: a = ρa + (1−ρ)g²; p −= lr·g/√(a + eps).",
    reference="lasagne.updates.rmsprop (Tieleman & Hinton 2012)",
)
def rmsprop(lr: float, rho: float, eps: float):
    def init(xy):
        return AccumulatorState(_zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        a = rho * state.a + (1 - rho) * g**2
        return xy - lr * g / np.sqrt(a + eps), AccumulatorState(a)

    def scale(xy, state):
        return lr / np.sqrt(state.a + eps)

    return init, update, Insides({"a": "second moment (running mean of g²)"}, scale=scale)


@register_optimizer(
    "adadelta",
    lr=100.0,
    rho=0.95,
    eps=1e-6,
    description="Adadelta: u = g·√(d + eps)/√(a + eps); p −= lr·u; d = ρd + (1−ρ)u².",
    reference="lasagne.updates.adadelta (Zeiler 2012)",
)
def adadelta(lr: float, rho: float, eps: float):
    def init(xy):
        return AdadeltaState(_zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        a = rho * state.a + (1 - rho) * g**2
        u = g * np.sqrt(state.d + eps) / np.sqrt(a + eps)
        d = rho * state.d + (1 - rho) * u**2
        return xy - lr * u, AdadeltaState(a, d)

    def scale(xy, state):
        return lr * np.sqrt(state.d + eps) / np.sqrt(state.a + eps)

    fields = {
        "a": "second moment (running mean of g²)",
        "d": "running mean of the squared updates",
    }
    return init, update, Insides(fields, scale=scale)


@register_optimizer(
    "adam",
    **ADAM_DEFAULTS,
    description="Adam, bias correction in the step: p −= lr·√(1−β₂ᵗ)/(1−β₁ᵗ)·m/(√v + eps).",
    reference="lasagne.updates.adam (Kingma & Ba 2015, section 2 last paragraph)",
)
def adam(lr: float, beta1: float, beta2: float, eps: float):
    def init(xy):
        return MomentState(0, _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t, m, v = adam_moments(state, g, beta1, beta2)
        a_t = lr * math.sqrt(1 - beta2**t) / (1 - beta1**t)
        return xy - a_t * m / (np.sqrt(v) + eps), MomentState(t, m, v)

    def scale(xy, state):
        """The factor on the bias-corrected m̂ = m/(1−β₁ᵗ): lr·√(1−β₂ᵗ)/(√v + eps)."""
        return lr * math.sqrt(1 - beta2**state.t) / (np.sqrt(state.v) + eps)

    return init, update, Insides(MOMENT_FIELDS, velocity=coast(update), scale=scale)


@register_optimizer(
    "adamax",
    **ADAM_DEFAULTS,
    description="Adamax: u = max(β₂u, |g|); p −= lr/(1−β₁ᵗ)·m/(u + eps).",
    reference="lasagne.updates.adamax (Kingma & Ba 2015, section 7.1)",
)
def adamax(lr: float, beta1: float, beta2: float, eps: float):
    def init(xy):
        return MomentState(0, _zeros(xy), _zeros(xy))

    def update(xy, state, oracle):
        g = oracle.grad(xy)
        t = state.t + 1
        a_t = lr / (1 - beta1**t)
        m = beta1 * state.m + (1 - beta1) * g
        u = np.maximum(beta2 * state.v, np.abs(g))
        return xy - a_t * m / (u + eps), MomentState(t, m, u)

    def scale(xy, state):
        """The factor on the bias-corrected m̂: lr/(u + eps)."""
        return lr / (state.v + eps)

    fields = {**MOMENT_FIELDS, "v": "infinity norm: decayed running maximum of |g|"}
    return init, update, Insides(fields, velocity=coast(update), scale=scale)
