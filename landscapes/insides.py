"""What an optimizer's state means, and the record of it along a run.

Each optimizer declares, beside its update rule, an :class:`Insides`: what each field of its state
is (a velocity, a first moment, a second moment, a step count) and how to read from a state the
quantities a reader wants to see at each point of a run:

- ``velocity(xy, state)``: the step the method's memory contributes to its next step, i.e. the
  step it would take next if the next gradient were zero (heavy ball: μv; Adam: the bias-corrected
  step of β₁m). Methods without memory (SGD, Adagrad, RMSProp) have none.
- ``scale(xy, state)``: the per-coordinate effective learning rate, the factor the method applies
  to the (averaged) gradient in each coordinate (Adagrad: lr/√(a + eps); Adam: lr/(√v̂ + eps)).
- ``lookahead(xy, state)``: the points at which the next update evaluates the gradient, shape
  (n, *xy.shape), for methods that evaluate it away from the current point. The update itself
  calls the same function, so the declaration cannot drift from what the method does.

The renderer and the exports read only these declarations: no list of optimizer names anywhere.
The record is made only when asked (``run(..., record_state=True)``): it costs a few numpy
operations per step.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

#: The quantities a run can record besides the raw state fields, in drawing order.
QUANTITIES: tuple[str, ...] = ("grad", "velocity", "scale", "lookahead")

StateFn = Callable[[np.ndarray, Any], np.ndarray]


@dataclass(frozen=True)
class Insides:
    """An optimizer's own account of its state (see the module docstring)."""

    fields: dict[str, str] = field(default_factory=dict)  # state field -> what it is
    velocity: StateFn | None = None
    scale: StateFn | None = None
    lookahead: StateFn | None = None

    def has(self, quantity: str) -> bool:
        """Whether the method has ``quantity`` (every method has a gradient)."""
        return quantity == "grad" or getattr(self, quantity, None) is not None


#: What a method that declares nothing has: its gradient, and the steps it takes.
NO_INSIDES = Insides()


@dataclass(frozen=True)
class StateRecord:
    """The state along a run; every array has a leading axis of ``steps + 1`` points.

    Entry ``k`` belongs to point ``k``: the state after ``k`` updates, the gradient of the surface
    there, the velocity and scale read from that state, and the points where the update that
    leaves point ``k`` evaluates the gradient (``lookahead``, shape (steps+1, n, ..., 2)).
    """

    fields: dict[str, np.ndarray]
    meanings: dict[str, str]
    grad: np.ndarray
    velocity: np.ndarray | None = None
    scale: np.ndarray | None = None
    lookahead: np.ndarray | None = None

    def get(self, quantity: str) -> np.ndarray | None:
        return getattr(self, quantity)

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON export (NaN as null)."""
        out: dict[str, Any] = {
            "meanings": dict(self.meanings),
            "fields": {k: _jsonable(v) for k, v in self.fields.items()},
        }
        for name in QUANTITIES:
            value = self.get(name)
            if value is not None:
                out[name] = _jsonable(value)
        return out


def _jsonable(a: np.ndarray) -> list:
    a = np.asarray(a, dtype=float)
    return np.where(np.isfinite(a), a, None).tolist()


def record_states(
    insides: Insides, oracle: Any, path: np.ndarray, states: Sequence[Any]
) -> StateRecord:
    """The :class:`StateRecord` of a run: ``states[k]`` is the state at ``path[k]``.

    ``states`` may be shorter than the path (a run whose points all diverged stops early); the
    missing entries are NaN. ``oracle.grad`` gives the gradient at every point in one call.
    """
    n = len(path)
    with np.errstate(all="ignore"):
        grad = np.asarray(oracle.grad(path), dtype=float)
        fields: dict[str, np.ndarray] = {}
        names = getattr(states[0], "_fields", ()) if states else ()
        for name in names:
            values = [np.asarray(getattr(s, name), dtype=float) for s in states]
            fields[name] = _padded(np.stack(values), n)
        derived = {}
        for name in ("velocity", "scale", "lookahead"):
            fn = getattr(insides, name)
            if fn is not None:
                first = 1 if name == "scale" else 0  # no step yet at point 0: no scale
                values = [np.full_like(path[0], np.nan)] * first + [
                    np.asarray(fn(path[k], s), dtype=float)
                    for k, s in enumerate(states)
                    if k >= first
                ]
                derived[name] = _padded(np.stack(values), n)
    return StateRecord(fields, dict(insides.fields), grad, **derived)


def _padded(a: np.ndarray, n: int) -> np.ndarray:
    """``a`` with NaN rows appended up to ``n`` rows."""
    if len(a) >= n:
        return a[:n]
    return np.concatenate([a, np.full((n - len(a), *a.shape[1:]), np.nan)])


class _ZeroOracle:
    """A flat surface: every gradient is zero (what the memory alone would do)."""

    @staticmethod
    def grad(xy: np.ndarray) -> np.ndarray:
        return np.zeros_like(np.asarray(xy, dtype=float))

    @staticmethod
    def hessian(xy: np.ndarray) -> np.ndarray:
        return np.zeros((*np.shape(xy), 2))


def coast(update: Callable) -> StateFn:
    """``velocity`` as the step ``update`` takes from ``state`` when the gradient is zero.

    That is exactly what a method's memory contributes to its next step (heavy ball: μv;
    Nesterov in Lasagne's form: μ²v; Adam: the step of β₁m with the moments decayed one step),
    computed by the update rule itself, so it cannot disagree with it. Weight decay, where a
    method has it, is part of that step.
    """

    def velocity(xy: np.ndarray, state: Any) -> np.ndarray:
        return update(xy, state, _ZeroOracle)[0] - xy

    return velocity
