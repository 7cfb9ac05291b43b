"""The one loop: run an optimizer over a surface and record its trajectory.

A run has ``steps + 1`` points (step 0 is the start), whatever happens, so the frames of several
runs line up. A point whose coordinates or loss stop being finite, or that leaves the safe range
(``|x|, |y| <= ESCAPE_RADIUS``), is marked diverged at that step; from there on it is NaN and is
no longer updated. Nothing raises and numpy's overflow warnings are silenced.

Every run carries its rounding ensemble (:mod:`landscapes.sensitivity`) in the same batch and
records from which step its path is one of many (``rounding_sensitive_from``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from .errors import InvalidValueError
from .insides import StateRecord, record_states
from .lockstep import Tape, stack_rows, step_all
from .optimizers import Optimizer
from .sensitivity import Companions, expand, member, sensitive_from
from .surfaces import Surface, get_surface

#: Points farther than this from the origin (in either coordinate) count as diverged.
ESCAPE_RADIUS = 1e6
#: Reason codes stored per point; 0 means the run did not diverge.
REASONS: tuple[str, ...] = (
    "",
    "the point stopped being finite",
    "the loss stopped being finite",
    f"the point left the safe range |x|, |y| <= {ESCAPE_RADIUS:g}",
)  # a start that fails these is an error for a single run, and diverged at step 0 in a batch
#: Upper bound on steps for one run, so no request can allocate unbounded memory.
MAX_STEPS = 100_000


class NoisyOracle:
    """A surface whose gradients carry Gaussian noise of standard deviation ``sigma``."""

    def __init__(self, surface: Surface, sigma: float, seed: int | None = None) -> None:
        self.surface = surface
        self.sigma = float(sigma)
        self.rng = np.random.default_rng(seed)

    def grad(self, xy: np.ndarray) -> np.ndarray:
        return self.perturb(self.surface.grad(xy))

    def perturb(self, g: np.ndarray) -> np.ndarray:
        """``g`` plus fresh noise (one draw per gradient asked for, in the order asked)."""
        return g + self.draw(g.shape)

    def draw(self, shape: tuple[int, ...]) -> np.ndarray:
        """The noise of one gradient of that shape (draws advance the seeded generator)."""
        return self.sigma * self.rng.standard_normal(shape)

    def hessian(self, xy: np.ndarray) -> np.ndarray:
        return self.surface.hessian(xy)


@dataclass(frozen=True)
class Trajectory:
    """A recorded run. ``xy`` has shape (steps+1, 2), or (steps+1, N, 2) for a batch of N starts."""

    label: str
    surface: str
    optimizer: str
    hparams: dict[str, float]
    start: np.ndarray
    xy: np.ndarray
    loss: np.ndarray
    diverged_step: np.ndarray  # per start: the step at which it diverged, -1 if it did not
    reason_code: np.ndarray  # per start: index into REASONS
    noise: float = 0.0
    seed: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    state: StateRecord | None = None  # the optimizer's state per point, when recorded
    # per start: first step at which a rounding companion left the run, -1 if none did; None if
    # the run carried no companions. ``companions``: their paths, (steps+1, members, *start shape)
    sensitive_step: np.ndarray | None = None
    companions: np.ndarray | None = field(default=None, repr=False)

    @property
    def steps(self) -> int:
        return self.xy.shape[0] - 1

    @property
    def is_batch(self) -> bool:
        return self.xy.ndim == 3

    @property
    def diverged(self) -> bool | np.ndarray:
        d = self.diverged_step >= 0
        return bool(d) if d.ndim == 0 else d

    @property
    def diverged_at(self) -> int | None:
        """The step at which a single run diverged, or None (see ``diverged_step`` for batches)."""
        if self.is_batch:
            raise InvalidValueError("diverged_at is for single runs; use diverged_step on a batch")
        k = int(self.diverged_step)
        return k if k >= 0 else None

    @property
    def reason(self) -> str | None:
        """Why a single run diverged, or None."""
        if self.is_batch:
            return None
        return REASONS[int(self.reason_code)] or None

    @property
    def rounding_sensitive_from(self) -> int | None:
        """The step from which a single run's path is one of many equally correct paths (its
        rounding companions have left it; another CPU may draw another), or None."""
        if self.is_batch:
            raise InvalidValueError(
                "rounding_sensitive_from is for single runs; see sensitive_step"
            )
        k = -1 if self.sensitive_step is None else int(self.sensitive_step)
        return k if k >= 0 else None

    @property
    def last_finite(self) -> int:
        """Index of the last finite point of a single run."""
        k = self.diverged_at
        return self.steps if k is None else k - 1

    @classmethod
    def from_points(
        cls,
        surface: Surface | str,
        xy: Any,
        *,
        label: str = "recorded path",
        loss: Any = None,
    ) -> Trajectory:
        """A path recorded elsewhere, as a run over ``surface``: ``xy`` of shape (n, 2), finite.

        The loss at each point is computed from the surface unless ``loss`` (n values) is given.
        """
        surface = get_surface(surface)
        try:
            xy = np.array(xy, dtype=float)
        except (TypeError, ValueError):
            raise InvalidValueError(f"path {label!r}: points must be numbers") from None
        if xy.ndim != 2 or xy.shape[1] != 2 or len(xy) == 0:
            raise InvalidValueError(
                f"path {label!r} must have shape (n, 2) with n >= 1, not {xy.shape}"
            )
        bad = np.flatnonzero(~np.isfinite(xy).all(1))
        if bad.size:
            i = int(bad[0])
            raise InvalidValueError(
                f"path {label!r}: point {i} ({xy[i, 0]:g}, {xy[i, 1]:g}) is not finite"
            )
        if len(xy) > MAX_STEPS + 1:
            raise InvalidValueError(f"path {label!r} has {len(xy)} points; at most {MAX_STEPS + 1}")
        if loss is None:
            with np.errstate(all="ignore"):
                loss = np.asarray(surface.value(xy), dtype=float)
        else:
            loss = np.array(loss, dtype=float)
            if loss.shape != (len(xy),) or not np.isfinite(loss).all():
                raise InvalidValueError(
                    f"path {label!r}: loss must be {len(xy)} finite numbers, one per point"
                )
        return cls(
            label=label,
            surface=surface.name,
            optimizer="recorded",
            hparams={},
            start=xy[0].copy(),
            xy=xy,
            loss=loss,
            diverged_step=np.array(-1),
            reason_code=np.array(0),
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the JSON export."""
        single = not self.is_batch
        doc = {
            "label": self.label,
            "optimizer": self.optimizer,
            "hparams": dict(self.hparams),
            "start": self.start.tolist(),
            "steps": self.steps,
            "noise": self.noise,
            "seed": self.seed,
            "diverged": (
                {"step": self.diverged_at, "reason": self.reason}
                if single and self.diverged
                else None
                if single
                else {"step": self.diverged_step.tolist(), "reason": self.reason_code.tolist()}
            ),
            "xy": _nan_to_none(self.xy),
            "loss": _nan_to_none(self.loss),
            **({"state": self.state.to_dict()} if self.state is not None else {}),
            **self.extra,
        }
        if self.sensitive_step is not None:
            steps = np.where(self.sensitive_step >= 0, self.sensitive_step, None)
            doc["rounding_sensitive_from"] = steps.tolist()
        return doc


def _nan_to_none(a: np.ndarray) -> list:
    """JSON has no NaN: non-finite entries become null."""
    return np.where(np.isfinite(a), a, None).tolist()


def as_start(start: Any, dim: int = 2) -> np.ndarray:
    """A start point (dim,) or batch of starts (N, dim) of finite floats, else a clear error."""
    try:
        xy = np.array(start, dtype=float)
    except (TypeError, ValueError):
        what = "two numbers x y" if dim == 2 else f"{dim} numbers"
        raise InvalidValueError(f"start {start!r} is not {what}") from None
    if xy.ndim not in (1, 2) or xy.shape[-1] != dim or xy.size == 0:
        raise InvalidValueError(f"start must have shape ({dim},) or (N, {dim}), not {xy.shape}")
    if not np.isfinite(xy).all():
        raise InvalidValueError(f"start {start!r} must be finite numbers")
    return xy


def check_steps(steps: Any) -> int:
    """``steps`` as an int in 1..MAX_STEPS, else a clear error."""
    if isinstance(steps, bool) or not isinstance(steps, (int, np.integer)):
        raise InvalidValueError(f"steps={steps!r} must be a whole number from 1 to {MAX_STEPS}")
    if not 1 <= steps <= MAX_STEPS:
        raise InvalidValueError(f"steps={steps} is out of range: choose 1 to {MAX_STEPS}")
    return int(steps)


#: Most optimizers run together (one picture, one command, one ``make_scene``).
MAX_RUNS = 24


def check_noise(noise: Any) -> float:
    """``noise`` as a finite float >= 0, else a clear error (CLI and API alike)."""
    try:
        value = float(noise)
    except (TypeError, ValueError):
        raise InvalidValueError(f"noise={noise!r} must be a finite number >= 0") from None
    if isinstance(noise, bool) or not (np.isfinite(value) and value >= 0):
        raise InvalidValueError(f"noise={noise!r} must be a finite number >= 0")
    return value


def check_seed(seed: Any) -> int | None:
    """``seed`` as None or a whole number from 0 to 2**32 - 1."""
    if seed is None:
        return None
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or not 0 <= seed < 2**32:
        raise InvalidValueError(f"seed={seed!r} must be a whole number from 0 to {2**32 - 1}")
    return int(seed)


def check_optimizers(optimizers: Any) -> list[Optimizer]:
    """A list of 1 to MAX_RUNS optimizers; spec strings ("adam:lr=0.1") are parsed."""
    from .specs import parse_spec

    if isinstance(optimizers, (str, Optimizer)):
        optimizers = [optimizers]
    try:
        items = list(optimizers)
    except TypeError:
        raise InvalidValueError(
            f"optimizers must be Optimizer objects or spec strings, not {optimizers!r}"
        ) from None
    if len(items) > MAX_RUNS:
        raise InvalidValueError(f"{len(items)} runs requested; at most {MAX_RUNS} run together")
    out = []
    for item in items:
        if isinstance(item, str):
            item = parse_spec(item)
        if not isinstance(item, Optimizer):
            raise InvalidValueError(
                f"an optimizer must be an Optimizer or a spec string like 'adam:lr=0.1', "
                f"not {item!r}"
            )
        out.append(item)
    return out


def run(
    surface: Surface | str,
    optimizer: Optimizer | str,
    start: Any = None,
    steps: int = 125,
    *,
    label: str | None = None,
    noise: float = 0.0,
    seed: int | None = None,
    oracle: Any = None,
    record_state: bool = False,
    companions: bool = True,
) -> Trajectory:
    """Run ``optimizer`` on ``surface`` from ``start`` (default: the surface's) for ``steps``.

    ``record_state``: keep the optimizer's state at every point, with what it means
    (``Trajectory.state``, see ``landscapes.insides``), for overlays and exports.
    ``companions`` (the default): carry the run's rounding ensemble and record from which step
    it is rounding-sensitive; basin maps and sweeps, which draw no paths, turn it off.
    """
    labels = None if label is None else [label]
    return run_many(
        surface, [optimizer], start, steps, labels=labels, noise=noise, seed=seed,
        record_state=record_state, oracle=oracle, companions=companions,
    )[0]  # fmt: skip


def run_many(
    surface: Surface | str,
    optimizers: Sequence[Optimizer],
    start: Any = None,
    steps: int = 125,
    *,
    labels: Sequence[str | None] | None = None,
    noise: float = 0.0,
    seed: int | None = None,
    oracle: Any = None,
    record_state: bool = False,
    companions: bool = True,
) -> list[Trajectory]:
    """Run every optimizer on ``surface`` from the same ``start``, in lockstep.

    The runs advance together, so each step asks the surface for the gradients of all of them
    (look-ahead points included) in one batched call (see :mod:`landscapes.lockstep`). Each
    trajectory equals ``run(surface, optimizer, start, ...)`` bit for bit; with ``noise``, each
    run draws from its own generator seeded with ``seed``, as a single run would.

    ``surface`` may also be any objective with ``name``, ``dim``, ``value(p)`` and ``grad(p)``
    over points of shape (..., dim), such as a network's loss over its flat parameters
    (``landscapes.networks.ModelLoss``). ``oracle`` answers the optimizers' gradient questions
    instead of the surface (a minibatch sampler, say); the recorded loss is always the surface's.
    """
    surface = surface if hasattr(surface, "dim") else get_surface(surface)
    xy = as_start(surface.start if start is None else start, getattr(surface, "dim", 2))
    steps = check_steps(steps)
    noise, seed = check_noise(noise), check_seed(seed)
    optimizers = check_optimizers(optimizers)
    labels = [None] * len(optimizers) if labels is None else list(labels)
    if len(labels) != len(optimizers):
        raise InvalidValueError(f"{len(labels)} labels for {len(optimizers)} optimizers")
    with np.errstate(all="ignore"):
        runs = [
            _Run(surface, opt, xy, steps, noise, seed, record_state, companions)
            for opt in optimizers
        ]
        # the next gradient with the loss: only when the surface itself answers the questions
        prefetch = oracle is None and hasattr(surface, "value_and_grad")
        for k in range(1, steps + 1):
            live = [r for r in runs if r.alive.any()]
            if not live:
                break
            asked = surface if oracle is None else oracle
            moved = step_all(asked, [(r.optimizer.update, r.xy, r.state, r.tape) for r in live])
            moved = [r.nudged(xy, state) for r, (xy, state) in zip(live, moved, strict=True)]
            losses = _losses(surface, live, moved, prefetch=prefetch)
            for r, (xy, state), value in zip(live, moved, losses, strict=True):
                r.record(k, xy, state, value)
    return [r.trajectory(label) for r, label in zip(runs, labels, strict=True)]


def _losses(
    surface: Surface, live: list[_Run], moved: list[tuple[np.ndarray, Any]], *, prefetch: bool
) -> list:
    """The loss at every run's new point, in one call per kind.

    A run whose update began by asking for the gradient at its own point will ask for the
    gradient at this new point next: with ``prefetch``, its loss comes with that gradient (one
    forward pass for both, ``Surface.value_and_grad``), which is left on its tape for the question.
    """
    points = [xy for xy, _ in moved]
    both = [i for i, r in enumerate(live) if prefetch and r.tape.asks_at_point]
    only = [i for i in range(len(live)) if i not in both]
    out: list = [None] * len(live)
    if only:
        values = _split(
            surface.value(stack_rows([points[i] for i in only])), [points[i] for i in only]
        )
        for i, v in zip(only, values, strict=True):
            out[i] = v
    if both:
        chosen = [points[i] for i in both]
        values, grads = surface.value_and_grad(stack_rows(chosen))
        for i, v, g in zip(both, _split(values, chosen), _split_rows(grads, chosen), strict=True):
            out[i] = v
            live[i].tape.prefetched = (points[i], g)
    return out


def _split_rows(rows: np.ndarray, points: list[np.ndarray]) -> list[np.ndarray]:
    """Rows (M, dim) of a stacked call, one array per run, shaped like that run's points."""
    ends = np.cumsum([p.size // p.shape[-1] for p in points])[:-1]
    return [r.reshape(p.shape) for r, p in zip(np.split(rows, ends), points, strict=True)]


def _split(values: np.ndarray, points: list[np.ndarray]) -> list[np.ndarray]:
    """The values of a stacked call, one array per run, shaped like that run's points."""
    if len(points) == 1:
        return [values.reshape(points[0].shape[:-1])]
    ends = np.cumsum([p.size // p.shape[-1] for p in points])[:-1]
    return [v.reshape(p.shape[:-1]) for v, p in zip(np.split(values, ends), points, strict=True)]


def _reasons(xy: np.ndarray, value: np.ndarray, ok: np.ndarray) -> np.ndarray:
    return np.where(
        ~np.isfinite(xy).all(-1), 1, np.where(~np.isfinite(value), 2, np.where(ok, 0, 3))
    )


class _Run:
    """One run in progress: its point and state, and the path, losses and divergences so far."""

    def __init__(
        self,
        surface: Surface,
        optimizer: Optimizer,
        xy: np.ndarray,
        steps: int,
        noise: float,
        seed: int | None,
        record_state: bool = False,
        companions: bool = True,
    ) -> None:
        self.surface, self.optimizer, self.noise, self.seed = surface, optimizer, noise, seed
        noisy = NoisyOracle(surface, noise, seed) if noise > 0 else None
        self.tape = Tape(noisy.perturb if noisy else None)
        # the run is member 0 of its rounding ensemble (landscapes.sensitivity); only surfaces
        # (objectives with a view window) carry one, not a network's loss over its parameters
        self.companions, first = companions and hasattr(surface, "window"), xy
        self.ensemble = None
        if self.companions:
            self.ensemble = Companions(xy.ndim, noisy.draw if noisy else None)
            self.tape = Tape(self.ensemble.perturb)
            xy = expand(xy)
        batch = xy.shape[:-1]
        self.path = np.full((steps + 1, *xy.shape), np.nan)
        self.loss = np.full((steps + 1, *batch), np.nan)
        self.diverged = np.full(batch, -1, dtype=int)
        self.reason = np.zeros(batch, dtype=int)
        self.alive = np.ones(batch, dtype=bool)
        self.path[0] = xy
        self.loss[0] = surface.value(xy)
        ok = np.isfinite(self.loss[0]) & (np.abs(xy) <= ESCAPE_RADIUS).all(-1)
        if not ok.all():  # a start where the loss is not finite: an error, or (batch) marked
            code = _reasons(xy, self.loss[0], ok)
            if first.ndim == 1:
                where = ", ".join(f"{v:g}" for v in first[:2]) + (", ..." if len(first) > 2 else "")
                raise InvalidValueError(
                    f"start ({where}) is unusable on {surface.name}: "
                    + REASONS[int(code.flat[0])].replace("stopped being", "is not")
                )
            self.diverged[~ok], self.reason[~ok], self.alive = 0, code[~ok], ok
            xy = np.where(self.alive[..., None], xy, np.nan)
        self.xy = xy
        self.state = optimizer.init(xy)
        self.states = [self.state] if record_state else None  # per point, for Trajectory.state

    def nudged(self, xy: np.ndarray, state: Any) -> tuple[np.ndarray, Any]:
        """The new points with the companions' own rounding (before their losses and the next
        gradients are computed there; the run, member 0, is untouched)."""
        return (xy if self.ensemble is None else self.ensemble.nudge(xy)), state

    def record(self, k: int, xy: np.ndarray, state: Any, value: np.ndarray) -> None:
        """Step ``k`` took the run to ``xy`` with loss ``value``: check it and keep it."""
        # Cheap test first (NaN fails both comparisons); reasons only when something failed.
        ok = np.isfinite(value) & (np.abs(xy) <= ESCAPE_RADIUS).all(-1)
        newly = self.alive & ~ok
        if newly.any():
            code = _reasons(xy, value, ok)
            self.diverged[newly] = k
            self.reason[newly] = code[newly]
            self.alive = self.alive & ~newly
            xy = np.where(self.alive[..., None], xy, np.nan)
            value = np.where(self.alive, value, np.nan)
        self.path[k] = xy
        self.loss[k] = value
        self.xy, self.state = xy, state
        if self.states is not None:
            self.states.append(state)

    def trajectory(self, label: str | None) -> Trajectory:
        path, loss, diverged, reason = self.path, self.loss, self.diverged, self.reason
        sensitive = others = None
        states = self.states
        if self.companions:  # member 0 is the run
            sensitive, others = sensitive_from(path, self.surface.window), path[:, 1:]
            path, loss, diverged, reason = path[:, 0], loss[:, 0], diverged[0, ...], reason[0, ...]
            states = states and [member(state, path.shape[1:-1]) for state in states]
        return Trajectory(
            label=label or self.optimizer.label,
            surface=self.surface.name,
            optimizer=self.optimizer.name,
            hparams=dict(self.optimizer.hparams),
            start=np.array(path[0]),
            xy=path,
            loss=loss,
            diverged_step=diverged,
            reason_code=reason,
            noise=float(self.noise),
            seed=self.seed,
            sensitive_step=sensitive,
            companions=others,
            state=(
                record_states(self.optimizer.insides, self.surface, path, states)
                if self.states
                else None
            ),
        )
