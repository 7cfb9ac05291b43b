"""The article's 1-D update responses: how a method's accumulated update follows a gradient signal.

The article's first script feeds each method a synthetic gradient over 300 epochs and plots, for
three settings of the method's parameter, the value the method accumulates (its step, with the
gradient's sign: a positive gradient gives a positive value, the parameter moves by minus it)::

    >>> from landscapes.responses import make_signal, respond
    >>> respond("momentum", 0.9, make_signal("spikes"))[:3]
    array([0.25   , 0.225  , 0.2025 ])

Momentum, Adagrad, RMSProp and Adadelta are the engine's optimizers (``landscapes.optimizers``):
their responses are computed *through* those update rules, feeding the signal in as the gradient
and reading the step off the parameter change (minus it, for the gradient's sign). The Nesterov
variants of the script look ahead in *time* (into the signal at a fractional epoch) rather than in
parameter space, and its Adam puts eps inside the square root of the corrected second moment, so
those three are written out here as the article wrote them.

Deviations from the article's script, on purpose:

* Its ``linear_interpolation`` helper returns ``X[floor] + (idx − floor)·X[ceil]``, which is not an
  interpolation (it adds a fraction of the next value instead of moving towards it). Here the
  look-ahead reads ``(1 − w)·X[floor] + w·X[floor + 1]``, ``w = idx − floor``.
* The signal is taken as zero outside epochs ``0 … n−1``, so past the end (idx ≥ n) the look-ahead
  reads 0, as in the script, and between the last epoch and n it interpolates towards that 0 (the
  script held the last value there). Look-aheads before epoch 0 read 0 as well (the script would
  have wrapped around to the end of the list); with these signals they never happen.
* The noisy signals draw from a seeded ``numpy.random.Generator`` so every figure is reproducible.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

import numpy as np

from .errors import InvalidValueError
from .optimizers import AdadeltaState, check_hparam, hparams_text, make_optimizer
from .registry import Registry

#: Length of every signal (the article's ``np.arange(0, 300)``).
EPOCHS = 300
#: Seed of the noisy signals when none is given (any fixed value makes figures reproducible).
DEFAULT_SEED = 2017

# --- signals ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Signal:
    """A synthetic gradient over epochs: ``build(epoch, rng) -> values``."""

    name: str
    title: str
    formula: str
    build: Callable[[np.ndarray, np.random.Generator], np.ndarray] = field(repr=False)
    noisy: bool = False


SIGNALS: Registry[Signal] = Registry("signal")


def _signal(name: str, title: str, formula: str, noisy: bool = False):
    def wrap(build):
        SIGNALS.register(name, Signal(name, title, formula, build, noisy))
        return build

    return wrap


@_signal("spikes", "spikes", "1 where epoch % 60 == 0, else 0")
def _spikes(e, rng):
    return (e % 60 == 0).astype(float)


@_signal("rectangles", "rectangles", "+1 where epoch % 40 < 20, else −1")
def _rectangles(e, rng):
    return np.where(e % 40 < 20, 1.0, -1.0)


def _uniform_noise(e: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """U(0, 1) − 0.5 per epoch; both noisy signals draw the same sequence for a given seed."""
    return rng.random(e.shape) - 0.5


@_signal("noisy_sin", "noisy sine", "sin(epoch/20) + U(0,1) − 0.5", noisy=True)
def _noisy_sin(e, rng):
    return np.sin(e / 20) + _uniform_noise(e, rng)


@_signal("very_noisy_sin", "very noisy sine", "sin(epoch/20)/5 + U(0,1) − 0.5", noisy=True)
def _very_noisy_sin(e, rng):
    return np.sin(e / 20) / 5 + _uniform_noise(e, rng)


@_signal("uneven_sawtooth", "uneven sawtooth", "(epoch % 20)/5 up to epoch 80, then /20")
def _uneven_sawtooth(e, rng):
    return (e % 20) / (5 + 15 * (e > 80))


@_signal("saturation", "saturation", "1 where epoch % 80 < 40, else 0")
def _saturation(e, rng):
    return (e % 80 < 40).astype(float)


def make_signal(name: str, seed: int = DEFAULT_SEED, epochs: int = EPOCHS) -> np.ndarray:
    """Signal ``name`` over epochs ``0 … epochs−1``; noisy ones drawn from ``default_rng(seed)``.

    The same seed gives the same noise for ``noisy_sin`` and ``very_noisy_sin``, so the two differ
    only in the sine's amplitude.
    """
    sig = SIGNALS[name]
    if isinstance(epochs, bool) or not isinstance(epochs, int) or epochs < 1:
        raise InvalidValueError(f"epochs={epochs!r} must be a whole number >= 1")
    e = np.arange(epochs)
    return np.asarray(sig.build(e, np.random.default_rng(seed)), dtype=float)


def interpolate(signal: np.ndarray, idx: float) -> float:
    """The signal at fractional epoch ``idx``, linearly interpolated; zero outside ``0 … n−1``.

    The article's helper returned ``X[floor] + (idx − floor)·X[ceil]``; this is the interpolation
    it meant, with the signal extended by zeros on both sides (so idx ≥ n reads 0, and between
    n−1 and n the value falls linearly to 0).
    """
    lo = math.floor(idx)
    w = idx - lo
    return (1.0 - w) * _at(signal, lo) + w * _at(signal, lo + 1) if w else _at(signal, lo)


def _at(signal: np.ndarray, k: int) -> float:
    return float(signal[k]) if 0 <= k < len(signal) else 0.0


# --- methods ------------------------------------------------------------------------------------

ResponseFn = Callable[[float, np.ndarray], np.ndarray]


@dataclass(frozen=True)
class ResponseMethod:
    """One of the article's response charts: a method, its swept parameter and fixed settings."""

    name: str
    title: str
    param: str  # the swept hyperparameter, in the engine's spelling
    symbol: str  # how the article writes it
    params: tuple[float, ...]
    settings: dict[str, float]  # the fixed values, for captions
    compute: ResponseFn = field(repr=False)
    description: str = ""

    def caption(self) -> str:
        """``lr=0.25, eps=1e-05``: the fixed settings, for titles."""
        return hparams_text("", self.settings)


METHODS: Registry[ResponseMethod] = Registry("response method")

_GAMMAS = (0.25, 0.9, 0.975)


def _method(name, title, param, symbol, params, settings, description):
    def wrap(compute: ResponseFn) -> ResponseFn:
        METHODS.register(
            name,
            ResponseMethod(name, title, param, symbol, params, settings, compute, description),
        )
        return compute

    return wrap


class _SignalValue:
    """An oracle whose gradient is one value of the signal, whatever the point."""

    def __init__(self, g: float) -> None:
        self.g = g

    def grad(self, xy: np.ndarray) -> np.ndarray:
        return np.full_like(xy, self.g, dtype=float)

    def hessian(self, xy: np.ndarray) -> np.ndarray:  # pragma: no cover - first order only
        raise NotImplementedError("the response signal has no Hessian")


def _through_engine(name: str, signal: np.ndarray, state=None, **hparams: float) -> np.ndarray:
    """Feed ``signal`` to the engine optimizer as its gradient, epoch by epoch; minus each step.

    The signal does not depend on the parameter, so every step starts from 0 and the step is read
    off exactly (no cancellation against a growing parameter).
    """
    opt = make_optimizer(name, **hparams)
    origin = np.zeros(1)
    state = opt.init(origin) if state is None else state
    out = np.empty(len(signal))
    for i, g in enumerate(signal):
        moved, state = opt.update(origin, state, _SignalValue(float(g)))
        out[i] = 0.0 - moved[0]  # minus the step, and 0.0 rather than -0.0
    return out


@_method(
    "momentum",
    "Simple momentum",
    "momentum",
    "γ",
    _GAMMAS,
    {"lr": 0.25},
    "v = γv + lr·g (the engine's momentum)",
)
def _momentum(gamma, signal):
    return _through_engine("momentum", signal, lr=0.25, momentum=gamma)


def _nesterov_in_time(gamma: float, signal: np.ndarray, fractions: tuple[float, ...]) -> np.ndarray:
    gamma = check_hparam("momentum", gamma)
    lr = 0.25
    v = 0.0
    out = np.empty(len(signal))
    for i in range(len(signal)):
        ahead = [interpolate(signal, i + f * gamma * v) for f in fractions]
        v = gamma * v + lr * sum(ahead) / len(ahead)
        out[i] = v
    return out


@_method(
    "nesterov",
    "Nesterov momentum",
    "momentum",
    "γ",
    _GAMMAS,
    {"lr": 0.25},
    "v = γv + lr·g(i + γv): the gradient looked up γv epochs ahead",
)
def _nesterov(gamma, signal):
    return _nesterov_in_time(gamma, signal, (1.0,))


@_method(
    "smoothed_nesterov",
    "Smoothed Nesterov momentum",
    "momentum",
    "γ",
    _GAMMAS,
    {"lr": 0.25},
    "v = γv + lr·mean of g(i + kγv/4), k = 1…4",
)
def _smoothed_nesterov(gamma, signal):
    return _nesterov_in_time(gamma, signal, (0.25, 0.5, 0.75, 1.0))


@_method(
    "adagrad",
    "Adagrad",
    "eps",
    "ε",
    (1e-7, 0.1, 10.0),
    {"lr": 2.5},
    "G += g²; lr·g/√(G + ε) (the engine's adagrad)",
)
def _adagrad(eps, signal):
    return _through_engine("adagrad", signal, lr=2.5, eps=eps)


@_method(
    "rmsprop",
    "RMSProp",
    "rho",
    "γ",
    _GAMMAS,
    {"lr": 0.25, "eps": 1e-5},
    "E = γE + (1−γ)g²; lr·g/√(E + eps) (the engine's rmsprop)",
)
def _rmsprop(gamma, signal):
    return _through_engine("rmsprop", signal, lr=0.25, rho=gamma, eps=1e-5)


def _adadelta(gamma: float, signal: np.ndarray, start: float) -> np.ndarray:
    """The engine's adadelta (lr 1, eps 1e-3) from E[g²] = 0 and E[Δθ²] = ``start``."""
    state = AdadeltaState(a=np.zeros(1), d=np.full(1, float(start)))
    return _through_engine("adadelta", signal, state, lr=1.0, rho=gamma, eps=1e-3)


@_method(
    "adadelta_zero",
    "Adadelta, zero start",
    "rho",
    "γ",
    _GAMMAS,
    {"eps": 1e-3, "E[Δθ²]₀": 0.0},
    "g·√(E[Δθ²] + eps)/√(E[g²] + eps), E[Δθ²] starting at 0 (the engine's adadelta)",
)
def _adadelta_zero(gamma, signal):
    return _adadelta(gamma, signal, 0.0)


@_method(
    "adadelta_big",
    "Adadelta, big start",
    "rho",
    "γ",
    _GAMMAS,
    {"eps": 1e-3, "E[Δθ²]₀": 50.0},
    "g·√(E[Δθ²] + eps)/√(E[g²] + eps), E[Δθ²] starting at 50 (the engine's adadelta)",
)
def _adadelta_big(gamma, signal):
    return _adadelta(gamma, signal, 50.0)


@_method(
    "adam",
    "Adam",
    "beta1",
    "β₁",
    _GAMMAS,
    {"lr": 0.25, "beta2": 0.999, "eps": 1e-7},
    "lr·m̂/√(v̂ + eps): the article's 1-D Adam, eps inside the square root",
)
def _adam(beta1, signal):
    """The article's script: ``lr·m̂/√(v̂ + eps)`` with both moments bias-corrected.

    Unlike the engine's (Lasagne's) Adam, eps sits inside the square root of the corrected second
    moment and the correction is applied to the moments, not folded into the step size.
    """
    beta1 = check_hparam("beta1", beta1)
    beta2, lr, eps = 0.999, 0.25, 1e-7
    m = v = 0.0
    out = np.empty(len(signal))
    for i, g in enumerate(signal):
        g = float(g)
        m = beta1 * m + (1 - beta1) * g
        v = beta2 * v + (1 - beta2) * g * g
        m_hat = m / (1 - beta1 ** (i + 1))
        v_hat = v / (1 - beta2 ** (i + 1))
        out[i] = lr * m_hat / math.sqrt(v_hat + eps)
    return out


# --- the table ----------------------------------------------------------------------------------


def respond(method: str, param: float, signal: np.ndarray) -> np.ndarray:
    """The accumulated update of ``method`` at parameter ``param`` for each epoch of ``signal``.

    The value the article plots: the step the method takes, with the gradient's sign.
    """
    info = METHODS[method]
    values = np.asarray(signal, dtype=float)
    if values.ndim != 1 or values.size == 0 or not np.all(np.isfinite(values)):
        raise InvalidValueError(
            f"signal must be a non-empty 1-D sequence of finite numbers, got shape {values.shape}"
        )
    return info.compute(param, values)


class Response(NamedTuple):
    """One curve: ``update`` of ``method`` at ``param`` for ``signal`` (both arrays per epoch)."""

    method: str
    param: float
    signal: str
    gradient: np.ndarray
    update: np.ndarray


def response_table(
    methods: Iterable[str] | None = None,
    signals: Iterable[str] | None = None,
    seed: int = DEFAULT_SEED,
) -> list[Response]:
    """Every (method, parameter, signal) curve, methods outermost, in registry order by default.

    Names are checked (and canonicalised) before any work, so a typo fails fast.
    """
    method_names = [METHODS.canonical(m) for m in (METHODS.names() if methods is None else methods)]
    signal_names = [SIGNALS.canonical(s) for s in (SIGNALS.names() if signals is None else signals)]
    values = {s: make_signal(s, seed) for s in signal_names}
    return [
        Response(m, p, s, values[s], respond(m, p, values[s]))
        for m in method_names
        for s in signal_names
        for p in METHODS[m].params
    ]
