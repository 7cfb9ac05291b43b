"""Named sets of runs: the article's two comparisons."""

from __future__ import annotations

from dataclasses import dataclass

from .registry import Registry


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
