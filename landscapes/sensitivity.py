"""Rounding sensitivity: from which step a run's path stops being reproducible across CPUs.

numpy's exp, sin and friends round differently on different CPUs (AVX-512, AVX2, baseline loops),
so two machines compute gradients that differ by about one ulp. Most runs forget such
differences; some (large learning rates bouncing between walls or ripples) amplify them until,
past some step, the drawn path is one of many equally correct paths.

Instead of guessing which, every run carries COMPANIONS: copies of itself whose every gradient is
scaled by 1 ± 2⁻⁵² (one per sign pattern over x and y, i.e. off by about an ulp, as on another
CPU). They run in the same batch as the run, as an extra leading axis of its points (the
*ensemble axis*: a run from a start of shape S carries points of shape (ENSEMBLE, *S)), so they
cost one batched gradient call, not four more. The run's ``rounding_sensitive_from`` is the first
step at which a companion is farther than SPREAD_FRACTION x the window's larger side from it, or
None if none ever is.

Any run engine can carry the ensemble: start from ``expand(start)``, hand every gradient through
``Companions.perturb`` (which also adds the run's gradient noise, drawn exactly as for the run
alone), and ``split`` the recorded arrays at the end. Member 0 is the run itself, its gradients
scaled by exactly 1, so it equals the run without companions bit for bit (surfaces and updates
are elementwise, which the batch tests check for every optimizer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Gradient scale of each member over (x, y): the run (exactly 1), then every sign pattern of
#: 1 ± 2⁻⁵², which moves any non-zero gradient component by one or two ulps.
GRAD_SCALES = np.array(
    [(1.0, 1.0)] + [(1 + a * 2.0**-52, 1 + b * 2.0**-52) for a in (1, -1) for b in (1, -1)]
)
#: Members of the ensemble, the run included.
ENSEMBLE = len(GRAD_SCALES)
#: A companion farther than this fraction of the window's larger side has left the run.
SPREAD_FRACTION = 1e-6


def expand(start: np.ndarray) -> np.ndarray:
    """The ensemble's points at the start: ``start`` (shape S) repeated, shape (ENSEMBLE, *S)."""
    return np.broadcast_to(start, (ENSEMBLE, *start.shape)).copy()


class Companions:
    """The gradient perturbation of an ensemble whose run started from points of ``ndim`` dims.

    ``noise(shape)``, if given, draws a run's gradient noise; it is drawn once per gradient with
    the shape the run alone would have asked for, and shared by all members.
    """

    def __init__(self, ndim: int, noise: Callable[[tuple[int, ...]], np.ndarray] | None = None):
        self.ndim = ndim
        self.noise = noise

    def perturb(self, g: np.ndarray) -> np.ndarray:
        """Gradients ``g`` asked for at ensemble points of shape (..., ENSEMBLE, *S), perturbed."""
        axis = g.ndim - self.ndim - 1  # the ensemble axis (look-aheads may stack axes before it)
        scales = GRAD_SCALES.reshape((ENSEMBLE,) + (1,) * (self.ndim - 1) + (2,))
        g = g * scales
        if self.noise is not None:
            shape = g.shape[:axis] + g.shape[axis + 1 :]
            g = g + np.expand_dims(self.noise(shape), axis)
        return g


def spread(path: np.ndarray) -> np.ndarray:
    """Per step and start, the largest distance of a companion from the run.

    ``path`` has shape (steps+1, ENSEMBLE, *S). A companion that diverged (NaN) where the run did
    not, or the other way round, is infinitely far; both diverged counts as together.
    """
    with np.errstate(invalid="ignore"):
        d = np.hypot(*np.moveaxis(path[:, 1:] - path[:, :1], -1, 0))
    lost = np.isnan(path[:, 1:]).any(-1) != np.isnan(path[:, :1]).any(-1)
    d = np.where(lost, np.inf, np.nan_to_num(d, nan=0.0))
    return d.max(axis=1)


def sensitive_from(path: np.ndarray, window: Sequence[float]) -> np.ndarray:
    """Per start, the first step at which a companion has left the run, -1 where none ever does."""
    x0, x1, y0, y1 = window
    far = spread(path) > SPREAD_FRACTION * max(x1 - x0, y1 - y0)
    return np.where(far.any(axis=0), far.argmax(axis=0), -1)


def member(state: Any, batch: tuple[int, ...], i: int = 0) -> Any:
    """Member ``i``'s part of an optimizer state carried by the ensemble: arrays of shape
    (ENSEMBLE, *batch, ...) in a NamedTuple are cut to member ``i``, other values stay."""
    if isinstance(state, tuple):
        parts = [member(v, batch, i) for v in state]
        return type(state)(*parts) if hasattr(state, "_fields") else type(state)(parts)
    if isinstance(state, np.ndarray) and state.shape[: len(batch) + 1] == (ENSEMBLE, *batch):
        return state[i]
    return state
