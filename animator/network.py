"""``animator.net``: train a small network with several optimizers and draw them on one plane.

    >>> import animator
    >>> anim = animator.net("moons", optimizers=["sgd:lr=0.5", "adam:lr=0.02"])  # doctest: +SKIP
    >>> anim.save("net.gif")                                                    # doctest: +SKIP

The map is the training loss on a plane through parameter space (``landscapes.plane``), the
lines are the runs' parameters PROJECTED onto it, and the loss panel shows each run's TRUE
training loss (which the map under a projected point only approximates).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from landscapes import InvalidValueError, Optimizer, parse_spec
from landscapes.datasets import Dataset, as_dataset, make_dataset
from landscapes.networks import ModelLoss, parse_model, train
from landscapes.plane import plane_surface

from .scene import Scene

#: With no optimizers named: three classic methods at learning rates that train the default
#: moons model in a few hundred full-batch steps (the registry's defaults are for the article's
#: 2-D surfaces).
DEFAULT_NET_RUNS: tuple[str, ...] = ("sgd:lr=0.5", "momentum:lr=0.05,momentum=0.9", "adam:lr=0.02")
MAX_NET_RUNS = 8


def network_scene(
    data: str | Dataset = "moons",
    optimizers: Sequence[str | Optimizer] | None = None,
    *,
    X: Any = None,
    y: Any = None,
    points: int = 500,
    noise: float | None = None,
    model: str = "mlp:16,16",
    activation: str = "tanh",
    steps: int = 300,
    batch: int | None = None,
    seed: int = 0,
    plane: str = "pca",
    grid: int = 100,
) -> Scene:
    """Train, build the plane, project the runs: a scene the renderer draws like any other."""
    if X is not None or y is not None:
        dataset = as_dataset(X, y, name=data if isinstance(data, str) else "data")
    elif isinstance(data, Dataset):
        dataset = data
    else:
        dataset = make_dataset(data, points, noise, seed)
    net = parse_model(model, activation, dataset.dim, dataset.classes)
    items = list(optimizers or DEFAULT_NET_RUNS)
    if isinstance(optimizers, (str, Optimizer)):
        items = [optimizers]
    if len(items) > MAX_NET_RUNS:
        raise InvalidValueError(
            f"{len(items)} optimizers; one picture takes at most {MAX_NET_RUNS}"
        )
    pairs = []
    for item in items:
        if isinstance(item, Optimizer):
            pairs.append((item.label, item))
        elif isinstance(item, str):
            pairs.append((item, parse_spec(item)))
        else:
            raise InvalidValueError(
                f"an optimizer must be a spec string or an Optimizer, not {item!r}"
            )
    loss = ModelLoss(net, dataset)
    training = train(loss, pairs, steps, batch=batch, seed=seed)
    info = {"data": dataset.describe(), "network": net.describe(), "batch": batch, "seed": seed}
    surface, runs = plane_surface(
        loss,
        training.start,
        training.runs,
        plane=plane,
        grid=grid,
        seed=seed,
        filters=net.filters(),
        zero=net.bias_indices(),
        name=_title(dataset, net),
        info=info,
    )
    how = "full batch" if batch is None or batch >= dataset.n else f"minibatches of {batch}"
    shown = "PCA" if plane == "pca" else "random"
    display = {
        "runs_title": f"{steps} steps ({how}) from one seeded start\n"
        f"paths: parameters projected on the {shown} plane",
        "loss_label": "true training loss (all points)",
    }
    meta = {"kind": "network", "display": display}
    inset = DecisionInset(loss, [t.xy for t in training.runs]) if dataset.dim == 2 else None
    return Scene(surface, runs, meta, insets=(inset,) if inset else ())


#: The inset: drawn when a picture has at most this many runs (the legend leaves room).
INSET_MAX_RUNS = 4
INSET_GRID = 60  # model evaluations per side of the data's box, per run and frame


class DecisionInset:
    """A small map of the data set with each run's decision boundary at the current step.

    Boundaries: where the logit crosses 0 (two classes) or where the predicted class changes
    (softmax: the zero lines of each class's margin over the best other class). Computed per
    step on an ``INSET_GRID``² grid when that step is shown, and cached.
    """

    def __init__(self, loss: ModelLoss, paths: list) -> None:
        self.loss, self.paths = loss, paths  # parameters (steps+1, P) per run
        X = loss.data.X
        lo, hi = X.min(0), X.max(0)
        pad = 0.08 * (hi - lo).max()
        self.box = (lo[0] - pad, hi[0] + pad, lo[1] - pad, hi[1] + pad)
        gx = np.linspace(self.box[0], self.box[1], INSET_GRID)
        gy = np.linspace(self.box[2], self.box[3], INSET_GRID)
        self.gx, self.gy = gx, gy
        GX, GY = np.meshgrid(gx, gy)
        self.points = np.column_stack([GX.ravel(), GY.ravel()])
        self.cache: dict[tuple[int, int], np.ndarray] = {}

    def boundary(self, run: int, k: int) -> np.ndarray:
        """Vertices (M, 2) of run ``run``'s boundary at step ``k``, pieces split by NaN rows."""
        key = (run, k)
        if key not in self.cache:
            import contourpy

            theta = self.paths[run][k]
            if not np.isfinite(theta).all():
                self.cache[key] = np.zeros((0, 2))
                return self.cache[key]
            model = self.loss.model
            with np.errstate(all="ignore"):
                z = np.asarray(model.logits(theta, self.points))
            if model.outputs == 1:
                fields = [z[:, 0]]
            else:
                fields = []
                for c in range(z.shape[1]):
                    others = np.delete(z, c, axis=1).max(1)
                    fields.append(z[:, c] - others)
            pieces = []
            for f in fields:
                gen = contourpy.contour_generator(self.gx, self.gy, f.reshape(INSET_GRID, -1))
                for line in gen.lines(0.0):
                    pieces += [line, np.full((1, 2), np.nan)]
            self.cache[key] = np.concatenate(pieces) if pieces else np.zeros((0, 2))
        return self.cache[key]

    def attach(self, fig, scale: float):
        from .draw.colors import RUN_COLORS

        if len(self.paths) > INSET_MAX_RUNS:
            return _NoInset()
        w, h = fig.get_size_inches()
        side = 0.2  # of the figure's height
        ax = fig.add_axes([0.985 - side * h / w, 0.035, side * h / w, side])
        X, y = self.loss.data.X, self.loss.data.y
        shades = ["0.25", "0.7", "0.45", "0.9", "0.1"]
        for c in range(self.loss.data.classes):
            pts = X[y == c]
            ax.scatter(
                pts[:, 0], pts[:, 1], s=3 * scale**2, c=shades[c % len(shades)], lw=0, zorder=1
            )
        ax.set_xlim(*self.box[:2])
        ax.set_ylim(*self.box[2:])
        ax.set_xticks([])
        ax.set_yticks([])
        ax.set_title("data, decision boundaries", fontsize=8 * scale, pad=2 * scale)
        lines = []
        for i in range(len(self.paths)):
            (line,) = ax.plot([], [], color=RUN_COLORS[i % len(RUN_COLORS)], lw=1.3 * scale)
            line.set_zorder(3 + 0.01 * i)
            lines.append(line)
        return _InsetHandle(self, lines)


class _InsetHandle:
    def __init__(self, inset: DecisionInset, lines: list) -> None:
        self.inset, self.artists = inset, lines

    def set_step(self, k: int) -> None:
        for i, line in enumerate(self.artists):
            v = self.inset.boundary(i, k)
            line.set_data(v[:, 0], v[:, 1])


class _NoInset:
    artists: list = []

    def set_step(self, k: int) -> None:
        pass


def _title(data: Dataset, net) -> str:
    act = f" {net.activation}" if net.widths else ""
    return f"{data.name} ({data.n} points) · {net.spec}{act} · {net.n_params} parameters"
