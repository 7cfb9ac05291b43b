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
    return Scene(surface, runs, meta)


def _title(data: Dataset, net) -> str:
    act = f" {net.activation}" if net.widths else ""
    return f"{data.name} ({data.n} points) · {net.spec}{act} · {net.n_params} parameters"


def net(
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
    size: tuple[int, int] = (1200, 800),
    dpi: int = 100,
    fps: float = 20.0,
    duration: float | None = None,
    hold: float = 1.0,
    quiet: bool = True,
):
    """Train ``model`` on ``data`` (a name, a Dataset, or arrays ``X``, ``y``) with every
    optimizer from one seeded start; an Animation (save to .png .gif .mp4 .html .csv .json ...)
    of the runs projected on the ``plane`` ("pca" or "random") with a ``grid`` × ``grid`` loss
    lattice. With no ``optimizers``: ``DEFAULT_NET_RUNS`` (sgd, momentum, adam)."""
    from .api import Animation, _options

    scene = network_scene(
        data, optimizers, X=X, y=y, points=points, noise=noise, model=model,
        activation=activation, steps=steps, batch=batch, seed=seed, plane=plane, grid=grid,
    )  # fmt: skip
    options = _options(size=size, dpi=dpi, fps=fps, duration=duration, hold=hold, quiet=quiet)
    return Animation(scene, options)
