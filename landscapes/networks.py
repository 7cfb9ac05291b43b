"""Small classifiers written with autograd and numpy, trained by the registered optimizers.

A model's parameters are ONE flat vector ``theta`` of length ``P``, so the optimizers, which only
ever see points and ask an oracle for gradients, train a network exactly as they walk a surface.
The layout, layer by layer (inputs -> hidden widths -> outputs)::

    theta = [ W1 (d × h1, row-major), b1 (h1), W2 (h1 × h2), b2 (h2), ..., WL (hL × k), bL (k) ]

where ``d`` is the input dimension and ``k`` the number of outputs: 1 logit for two classes
(sigmoid, binary cross-entropy), C logits for C > 2 classes (softmax cross-entropy). ``logistic``
is the model with no hidden layer; ``mlp:16,16`` has two hidden layers of 16 units with ``tanh``
or ``relu`` between them. Every function takes ``theta`` of shape (P,) or a stack (..., P) and
returns one value per parameter vector, so a whole lattice of a plane goes through the model in
a few batched calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import autograd.numpy as anp
import numpy as np
from autograd import grad as _ad_grad
from autograd import hessian as _ad_hessian
from autograd import make_vjp as _ad_make_vjp

from .datasets import BATCH_STREAM, INIT_STREAM, Dataset
from .errors import InvalidValueError
from .optimizers import Optimizer
from .registry import unknown_name_message
from .runs import Trajectory, run_many

#: Limits on a model spec: hidden layers and units per layer.
MAX_LAYERS, MAX_WIDTH = 4, 256


def _relu(z):
    return anp.maximum(z, 0.0)


ACTIVATIONS = {"tanh": anp.tanh, "relu": _relu}


@dataclass(frozen=True)
class Model:
    """A fully connected classifier: ``inputs`` -> ``widths`` -> ``outputs`` logits."""

    widths: tuple[int, ...]
    activation: str
    inputs: int
    classes: int

    @property
    def spec(self) -> str:
        return "logistic" if not self.widths else "mlp:" + ",".join(map(str, self.widths))

    @property
    def outputs(self) -> int:
        return 1 if self.classes == 2 else self.classes

    @property
    def sizes(self) -> list[tuple[int, int]]:
        """(fan-in, fan-out) of every layer."""
        dims = [self.inputs, *self.widths, self.outputs]
        return list(zip(dims[:-1], dims[1:], strict=True))

    @property
    def n_params(self) -> int:
        return sum(i * o + o for i, o in self.sizes)

    def layout(self) -> list[tuple[str, int, tuple[int, ...]]]:
        """``(name, offset, shape)`` of every block of the flat vector: W1, b1, W2, b2, ..."""
        out, offset = [], 0
        for layer, (i, o) in enumerate(self.sizes, start=1):
            out.append((f"W{layer}", offset, (i, o)))
            offset += i * o
            out.append((f"b{layer}", offset, (o,)))
            offset += o
        return out

    def describe(self) -> dict:
        return {
            "model": self.spec,
            "activation": self.activation if self.widths else None,
            "inputs": self.inputs,
            "classes": self.classes,
            "parameters": self.n_params,
            "layout": [
                {"name": n, "offset": off, "shape": list(shape)} for n, off, shape in self.layout()
            ],
        }

    def filters(self) -> list[np.ndarray]:
        """Indices of each unit's incoming weights (a "filter" in Li et al. 2018's sense)."""
        out = []
        for name, offset, shape in self.layout():
            if name.startswith("W"):
                i, o = shape
                idx = offset + np.arange(i * o).reshape(i, o)
                out.extend(idx[:, j] for j in range(o))
        return out

    def bias_indices(self) -> np.ndarray:
        return np.concatenate(
            [off + np.arange(s[0]) for n, off, s in self.layout() if n.startswith("b")]
        )

    def init(self, seed: int = 0) -> np.ndarray:
        """Seeded initial parameters: weights N(0, g/fan-in) (g = 1 for tanh, 2 for relu, LeCun
        and He initialisation), biases zero."""
        rng = np.random.default_rng([int(seed), INIT_STREAM])
        gain = 2.0 if self.activation == "relu" else 1.0
        parts = []
        for i, o in self.sizes:
            parts += [rng.standard_normal(i * o) * np.sqrt(gain / i), np.zeros(o)]
        return np.concatenate(parts)

    def logits(self, theta, X):
        """Logits (..., n, outputs) of points ``X`` (n, d) for parameters ``theta`` (..., P)."""
        batch = theta.shape[:-1]
        h = X
        act = ACTIVATIONS[self.activation]
        blocks = self.layout()
        for layer in range(len(self.sizes)):
            (_, w_off, (i, o)), (_, b_off, _) = blocks[2 * layer], blocks[2 * layer + 1]
            W = anp.reshape(theta[..., w_off : w_off + i * o], batch + (i, o))
            b = anp.reshape(theta[..., b_off : b_off + o], batch + (1, o))
            h = anp.matmul(h, W) + b
            if layer < len(self.sizes) - 1:
                h = act(h)
        return h

    def loss(self, theta, X, y_code):
        """Mean cross-entropy (...,) of ``theta`` (..., P); ``y_code`` from :meth:`encode`."""
        return self.cross_entropy(self.logits(theta, X), y_code)

    def cross_entropy(self, z, y_code):
        """Mean cross-entropy (...,) of logits ``z`` (..., n, outputs)."""
        if self.outputs == 1:  # binary: log(1 + e^z) − y·z, stable for large |z|
            z = z[..., 0]
            return anp.mean(anp.logaddexp(0.0, z) - y_code * z, axis=-1)
        top = anp.max(z, axis=-1, keepdims=True)  # softmax: log Σ e^z − z_y, shifted
        lse = top[..., 0] + anp.log(anp.sum(anp.exp(z - top), axis=-1))
        return anp.mean(lse - anp.sum(z * y_code, axis=-1), axis=-1)

    def encode(self, y: np.ndarray) -> np.ndarray:
        """Labels as the loss wants them: 0/1 floats (binary) or one-hot rows (softmax)."""
        y = np.asarray(y, dtype=int)
        return y.astype(float) if self.outputs == 1 else np.eye(self.classes)[y]

    def predict(self, theta, X) -> np.ndarray:
        """Predicted class (..., n) of every point."""
        z = np.asarray(self.logits(np.asarray(theta, dtype=float), X))
        return (z[..., 0] > 0).astype(int) if self.outputs == 1 else np.argmax(z, axis=-1)

    def probability(self, theta, X) -> np.ndarray:
        """P(class 1) (binary) or the probability of the predicted class, (..., n)."""
        z = np.asarray(self.logits(np.asarray(theta, dtype=float), X))
        if self.outputs == 1:
            return 1.0 / (1.0 + np.exp(-z[..., 0]))
        e = np.exp(z - z.max(-1, keepdims=True))
        return e.max(-1) / e.sum(-1)

    def accuracy(self, theta, X, y) -> np.ndarray:
        """Share of points classified correctly (...,); NaN where ``theta`` is not finite."""
        theta = np.asarray(theta, dtype=float)
        with np.errstate(all="ignore"):
            acc = np.mean(self.predict(theta, X) == np.asarray(y), axis=-1)
        return np.where(np.isfinite(theta).all(-1), acc, np.nan)


def parse_model(spec: str, activation: str = "tanh", inputs: int = 2, classes: int = 2) -> Model:
    """``logistic`` or ``mlp:W1,W2,...`` (hidden widths) with ``tanh`` or ``relu``."""
    if not isinstance(spec, str):
        raise InvalidValueError(f"a model must be a spec string, not {type(spec).__name__}")
    if activation not in ACTIVATIONS:
        raise InvalidValueError(unknown_name_message("activation", activation, list(ACTIVATIONS)))
    kind, sep, rest = spec.strip().lower().partition(":")
    if kind == "logistic" and not sep:
        return Model((), activation, inputs, classes)
    if kind != "mlp":
        raise InvalidValueError(
            f"unknown model {spec!r}; choose logistic or mlp:W1,W2,... (e.g. mlp:16,16)"
        )
    try:
        widths = tuple(int(w) for w in rest.split(","))
    except ValueError:
        raise InvalidValueError(
            f"model {spec!r}: widths must be whole numbers separated by commas, e.g. mlp:16,16"
        ) from None
    if not 1 <= len(widths) <= MAX_LAYERS or not all(1 <= w <= MAX_WIDTH for w in widths):
        raise InvalidValueError(
            f"model {spec!r}: give 1 to {MAX_LAYERS} hidden widths, each 1 to {MAX_WIDTH}"
        )
    return Model(widths, activation, inputs, classes)


class ModelLoss:
    """A model's mean training loss over a data set, as a function of the flat parameters.

    An objective for :func:`landscapes.runs.run`: ``value``, ``grad`` (autograd) and ``hessian``
    over parameter vectors of shape (..., P). The optimizers do not know it is a network.
    """

    def __init__(self, model: Model, data: Dataset) -> None:
        if data.dim != model.inputs or data.classes != model.classes:
            raise InvalidValueError(
                f"model {model.spec} expects {model.inputs}-D points in {model.classes} classes; "
                f"the data has {data.dim}-D points in {data.classes} classes"
            )
        self.model, self.data = model, data
        self.name = f"{data.name} · {model.spec}"
        self.dim = model.n_params
        self.start = model.init()
        self._code = model.encode(data.y)
        self._grad = _ad_grad(self._total)

    def _total(self, theta, rows=None):
        X, code = (
            (self.data.X, self._code) if rows is None else (self.data.X[rows], self._code[rows])
        )
        return anp.sum(self.model.loss(theta, X, code))

    def value(self, theta) -> np.ndarray:
        """The full training loss at ``theta`` (..., P), shape (...)."""
        theta = np.asarray(theta, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(self.model.loss(theta, self.data.X, self._code), dtype=float)

    def value_and_grad(self, theta) -> tuple[np.ndarray, np.ndarray]:
        """``value(theta)`` and ``grad(theta)`` from one forward pass, the same numbers to the
        bit (the gradient of the sum seeds its backward pass with ones; so does this). Full-batch
        training asks for its losses this way and gets the next gradient with them."""
        theta = np.asarray(theta, dtype=float)
        with np.errstate(all="ignore"):
            vjp, ans = _ad_make_vjp(self)(theta)
            g = vjp(np.ones(np.shape(ans)))
        return np.asarray(ans, dtype=float), np.asarray(g, dtype=float)

    def __call__(self, theta):
        """The loss as an autograd function (for :func:`landscapes.plane.plane_surface`)."""
        return self.model.loss(theta, self.data.X, self._code)

    def grad(self, theta, rows: np.ndarray | None = None) -> np.ndarray:
        """The gradient at ``theta`` (..., P) over all points, or over the points ``rows``."""
        theta = np.asarray(theta, dtype=float)
        with np.errstate(all="ignore"):
            return np.asarray(self._grad(theta, rows), dtype=float)

    def hessian(self, theta) -> np.ndarray:
        """The Hessian (..., P, P) (one autograd Hessian per parameter vector)."""
        theta = np.asarray(theta, dtype=float)
        h = _ad_hessian(lambda t: self._total(t))
        flat = theta.reshape(-1, self.dim)
        return np.stack([h(t) for t in flat]).reshape(*theta.shape, self.dim)

    def accuracy(self, theta) -> np.ndarray:
        return self.model.accuracy(theta, self.data.X, self.data.y)


class MinibatchOracle:
    """Gradients over seeded minibatches of ``batch`` points: each epoch visits every point
    once in a fresh random order (the last batch of an epoch may be short). Each ``grad`` call
    takes the next batch; in lockstep (``run_many``) that is one call per step for all runs."""

    def __init__(self, loss: ModelLoss, batch: int, seed: int = 0) -> None:
        self.loss, self.batch = loss, int(batch)
        self.rng = np.random.default_rng([int(seed), BATCH_STREAM])
        self.order = np.empty(0, dtype=int)

    def grad(self, theta) -> np.ndarray:
        if not len(self.order):
            self.order = self.rng.permutation(self.loss.data.n)
        rows, self.order = self.order[: self.batch], self.order[self.batch :]
        return self.loss.grad(theta, np.sort(rows))

    def on_plane(self, origin: np.ndarray, directions: np.ndarray, ab: np.ndarray, chunk: int = 64):
        """The loss (M,) at ``origin + a·d1 + b·d2`` for plane points ``ab`` (M, 2), fast.

        The same function as :meth:`value` of ``plane.point(ab)``, evaluated by linearity: each
        layer's pre-activation ``h·(W0 + a·E1 + b·E2)`` is ``h·W0 + a·h·E1 + b·h·E2``, where the
        three products are ONE matrix product of all chunk's hidden states with [W0 | E1 | E2]
        (and for the first layer, whose input is the data, once for the whole lattice). Only the
        summation order differs from :meth:`value`, so they agree to rounding (~1e-15).
        """
        model, X = self.model, self.data.X
        blocks = model.layout()
        ab = np.asarray(ab, dtype=float).reshape(-1, 2)
        out = np.empty(len(ab))
        stacks = []  # per layer: weights [W0 | E1 | E2] (i, 3o) and biases (3, o)
        for layer, (i, o) in enumerate(model.sizes):
            (_, w_off, _), (_, b_off, _) = blocks[2 * layer], blocks[2 * layer + 1]
            vecs = [origin, *directions]
            W = np.concatenate([v[w_off : w_off + i * o].reshape(i, o) for v in vecs], axis=1)
            stacks.append((W, np.stack([v[b_off : b_off + o] for v in vecs])))
        first = X @ stacks[0][0]  # (n, 3o), shared by every lattice point
        act = ACTIVATIONS[model.activation]
        with np.errstate(all="ignore"):
            for lo in range(0, len(ab), chunk):
                a = ab[lo : lo + chunk, 0][:, None, None]
                b = ab[lo : lo + chunk, 1][:, None, None]
                k = len(a)
                h = None
                for layer, (W, bias) in enumerate(stacks):
                    o = W.shape[1] // 3
                    if layer == 0:
                        q = first[None]
                    else:
                        q = (h.reshape(-1, h.shape[-1]) @ W).reshape(k, -1, 3 * o)
                    h = q[..., :o] + a * q[..., o : 2 * o] + b * q[..., 2 * o :]
                    h += bias[0] + a * bias[1] + b * bias[2]
                    if layer < len(stacks) - 1:
                        h = act(h)
                out[lo : lo + k] = model.cross_entropy(h, self._code)
        return out

    def hessian(self, theta) -> np.ndarray:
        return self.loss.hessian(theta)


@dataclass(frozen=True)
class Training:
    """Runs of several optimizers on one model and data set from one shared initialisation."""

    loss: ModelLoss
    start: np.ndarray
    runs: list[Trajectory]  # xy: (steps+1, P) parameters; extra["accuracy"]: per step
    batch: int | None = None
    seed: int = 0
    extra: dict[str, Any] = field(default_factory=dict)


def train(
    loss: ModelLoss,
    optimizers: list[tuple[str, Optimizer]],
    steps: int = 300,
    *,
    batch: int | None = None,
    seed: int = 0,
    start: np.ndarray | None = None,
) -> Training:
    """Train from one seeded initialisation (or ``start``) with every (label, optimizer).

    Full batch unless ``batch`` is given. The recorded loss at every step is the TRUE training
    loss over all points, whatever the optimizer's gradients were computed on; the accuracy on
    all points is in ``extra["accuracy"]``.
    """
    if batch is not None and (
        isinstance(batch, bool) or not isinstance(batch, (int, np.integer)) or not batch >= 1
    ):
        raise InvalidValueError(f"batch={batch!r} must be a whole number >= 1")
    n = loss.data.n
    if batch is not None and batch > n:
        raise InvalidValueError(f"batch={batch} is larger than the data set ({n} points)")
    theta0 = loss.model.init(seed) if start is None else np.asarray(start, dtype=float)
    # In lockstep every step asks one batched gradient question for all runs, so with
    # minibatches all optimizers see the same batch at the same step (and a run alone sees the
    # same sequence: its own oracle, the same seed).
    oracle = None if batch is None or batch == n else MinibatchOracle(loss, batch, seed)
    labels = [label for label, _ in optimizers]
    trajs = run_many(
        loss, [opt for _, opt in optimizers], theta0, steps, labels=labels, seed=seed, oracle=oracle
    )
    runs = []
    for traj in trajs:
        # a list (None where not finite), so the JSON export takes it as it is
        acc = np.where(np.isfinite(a := loss.accuracy(traj.xy)), a, None).tolist()
        runs.append(replace(traj, extra={**traj.extra, "accuracy": acc}))
    return Training(loss, theta0, runs, batch, seed)
