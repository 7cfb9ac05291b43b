"""Named sets of runs (the article's two comparisons), and the one expansion of requested runs."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from .errors import InvalidValueError
from .optimizers import Optimizer
from .registry import Registry
from .runs import MAX_RUNS, Trajectory
from .specs import parse_spec


@dataclass(frozen=True)
class Suite:
    """A named list of (label, optimizer spec) runs, all launched from one start."""

    name: str
    description: str
    runs: tuple[tuple[str, str], ...]

    def describe(self) -> dict:
        return {
            "name": self.name,
            "description": self.description,
            "runs": [{"label": label, "spec": spec} for label, spec in self.runs],
        }


SUITES: Registry[Suite] = Registry("suite")
#: What runs when neither optimizers nor a suite are named: the article's comparison.
DEFAULT_SUITE = "article"

SUITES.register(
    "nesterov",
    Suite(
        "nesterov",
        "Nesterov at lr 0.01 with momentum 0.25, 0.9 and 0.975 (the article's first plot).",
        (
            ("nesterov momentum 0.25", "nesterov:lr=0.01,momentum=0.25"),
            ("nesterov momentum 0.9", "nesterov:lr=0.01,momentum=0.9"),
            ("nesterov momentum 0.975", "nesterov:lr=0.01,momentum=0.975"),
        ),
    ),
)
SUITES.register(
    "article",
    Suite(
        "article",
        "The article's cross-method comparison: nesterov, rmsprop, adadelta, adagrad, adam.",
        (
            ("nesterov", "nesterov:lr=0.01"),
            ("rmsprop", "rmsprop:lr=0.25"),
            ("adadelta", "adadelta:lr=100"),
            ("adagrad", "adagrad:lr=1.0"),
            ("adam", "adam:lr=0.25"),
        ),
    ),
)


# --- runs requested by name: the one place suites are expanded ---------------------------------


RunItem = str | Optimizer | Trajectory | Suite


@dataclass(frozen=True)
class RunGroup:
    """The runs one ``Suite`` (``suite`` set) or one loose item (``suite`` None) asks for.

    Each run is ``(label, Optimizer)`` or ``(label, Trajectory)`` for a run already finished.
    """

    suite: str | None
    runs: tuple[tuple[str, Optimizer | Trajectory], ...]


def run_groups(
    runs: RunItem | Sequence[RunItem] | None = None,
    suite: str | Suite | Sequence[str | Suite] | None = None,
) -> list[RunGroup]:
    """Every requested run, grouped and in order: the ``suite`` names first, then ``runs``.

    ``runs`` items are optimizer specs (``"adam:lr=0.1"``, labelled by the spec), ``Optimizer``
    objects, finished ``Trajectory`` objects or ``Suite`` objects (expanded in place). Neither
    runs nor suite means :data:`DEFAULT_SUITE`. Every spec is parsed (errors name the bad one)
    and the total is held to :data:`MAX_RUNS`.
    """
    if isinstance(runs, (str, Optimizer, Trajectory, Suite)):
        runs = [runs]
    if isinstance(suite, (str, Suite)):
        suite = [suite]
    items: list[RunItem] = [s if isinstance(s, Suite) else SUITES[s] for s in suite or []]
    items += list(runs or [])
    if not items:
        items = [SUITES[DEFAULT_SUITE]]
    groups = [_group(item) for item in items]
    total = sum(len(g.runs) for g in groups)
    if total > MAX_RUNS:
        raise InvalidValueError(f"{total} runs requested; one request takes at most {MAX_RUNS}")
    return groups


def _group(item: RunItem) -> RunGroup:
    if isinstance(item, Suite):
        return RunGroup(item.name, tuple((label, parse_spec(spec)) for label, spec in item.runs))
    if isinstance(item, str):
        return RunGroup(None, ((item, parse_spec(item)),))
    if isinstance(item, Optimizer):
        return RunGroup(None, ((item.label, item),))
    if isinstance(item, Trajectory):
        return RunGroup(None, ((item.label, item),))
    raise InvalidValueError(
        "a run must be an optimizer spec string, an Optimizer, a Trajectory or a Suite, "
        f"not {item!r}"
    )


def flat_runs(groups: Sequence[RunGroup]) -> list[tuple[str, Optimizer | Trajectory]]:
    """The runs of every group, in order."""
    return [pair for g in groups for pair in g.runs]
