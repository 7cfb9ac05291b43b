"""Rounding sensitivity: from which step a run's path stops being reproducible across CPUs.

numpy's exp, sin and friends round differently on different CPUs (AVX-512, AVX2, baseline loops),
so two machines compute gradients that differ by about one ulp. Most runs forget such
differences; some (large learning rates bouncing between walls or ripples) amplify them until,
past some step, the drawn path is one of many equally correct paths.

Instead of guessing which, every run carries four COMPANIONS: copies of itself that round
differently. After every step each coordinate of a companion's point is moved one ulp up or
down, and each coordinate of every gradient it sees is scaled by 1 + 2⁻⁵² or 1 − 2⁻⁵² (signs
drawn afresh each time from a fixed seed, so everything repeats exactly). The point's own ulp
is what matters most: a change of the gradient by one relative ulp changes a small step by far
less than an ulp of the point and vanishes, and a CONSTANT scale of a coordinate's gradient is
almost an exact symmetry of Adagrad, RMSProp, Adadelta and Adam. Measured on hills_and_canyon's
adadelta (125 steps): gradient scales alone left the companions within 1e-7 of the run while
the same run with numpy's baseline loops (no AVX) was 3e-5 away; with the ulp moves the
companions spread to 5e-4, and the run is flagged from step 109, where the baseline run is
1e-6 away (it passes 6e-6, the threshold, at about step 118): a little early, never late.

They run in the same batch as the run, as an extra leading axis of its points (the *ensemble
axis*: a run from a start of shape S carries points of shape (ENSEMBLE, *S)), so they cost one
batched gradient call, not four more. The run's ``rounding_sensitive_from`` is the first step
at which a companion is farther than SPREAD_FRACTION x the window's larger side from it, or
None if none ever is.

Any run engine can carry the ensemble: start from ``expand(start)``, hand every gradient through
``Companions.perturb`` (which also adds the run's gradient noise, drawn exactly as for the run
alone), pass every new point through ``Companions.nudge``, and keep member 0 as the run. Member
0's gradients are scaled by exactly 1 and its point is never moved, so it equals the run
without companions bit for bit (surfaces and updates are elementwise, which the batch tests
check for every optimizer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

#: Members of the ensemble, the run included.
ENSEMBLE = 5
#: Relative change of each gradient coordinate of a companion: moves any non-zero gradient
#: component by one or two ulps.
ULP = 2.0**-52
#: Seed of the companions' signs: fixed, so a run and its sensitivity repeat exactly.
SIGN_SEED = 20260

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
        self.signs = np.random.default_rng(SIGN_SEED)

    def nudge(self, xy: np.ndarray) -> np.ndarray:
        """The ensemble's points after a step, each companion's coordinates moved by one ulp up
        or down (fresh signs): the rounding that lands in the point itself."""
        up = self.signs.integers(0, 2, size=(ENSEMBLE - 1, *xy.shape[1:])).astype(bool)
        out = xy.copy()
        out[1:] = np.nextafter(xy[1:], np.where(up, np.inf, -np.inf))
        return out

    def scales(self) -> np.ndarray:
        """Fresh gradient scales (ENSEMBLE, 2): exactly 1 for the run, 1 ± ULP for companions."""
        signs = self.signs.integers(0, 2, size=(ENSEMBLE - 1, 2)) * 2 - 1
        return np.concatenate([np.ones((1, 2)), 1 + signs * ULP])

    def perturb(self, g: np.ndarray) -> np.ndarray:
        """Gradients ``g`` asked for at ensemble points of shape (..., ENSEMBLE, *S), perturbed."""
        axis = g.ndim - self.ndim - 1  # the ensemble axis (look-aheads may stack axes before it)
        scales = self.scales().reshape((ENSEMBLE,) + (1,) * (self.ndim - 1) + (2,))
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
