"""landscapes: the math of landscape-animator (surfaces, optimizers, runs). No plotting here.

>>> from landscapes import run, make_optimizer
>>> traj = run("hills_and_canyon", make_optimizer("adam", lr=0.25), steps=125)
>>> traj.xy.shape
(126, 2)
"""

from . import classic, modern  # noqa: F401  (registers the classic surfaces and newer optimizers)
from .custom import add_surface, make_surface, resolve_surface, surface_from_formula
from .errors import FormulaWordError, InvalidValueError, LandscapeError, UnknownNameError
from .formula import compile_formula
from .optimizers import OPTIMIZERS, Optimizer, make_optimizer, register_optimizer
from .runs import ESCAPE_RADIUS, MAX_STEPS, Trajectory, run, run_many
from .specs import parse_spec
from .suites import MAX_RUNS, SUITES, RunGroup, Suite, flat_runs, run_groups
from .surfaces import SURFACES, Minimum, Surface, get_surface, register_surface

__version__ = "0.1.0"

__all__ = [
    "ESCAPE_RADIUS",
    "MAX_RUNS",
    "MAX_STEPS",
    "OPTIMIZERS",
    "SUITES",
    "SURFACES",
    "FormulaWordError",
    "InvalidValueError",
    "LandscapeError",
    "Minimum",
    "Optimizer",
    "RunGroup",
    "Suite",
    "Surface",
    "Trajectory",
    "UnknownNameError",
    "__version__",
    "add_surface",
    "compile_formula",
    "get_surface",
    "make_optimizer",
    "make_surface",
    "parse_spec",
    "register_optimizer",
    "register_surface",
    "run_groups",
    "resolve_surface",
    "run",
    "run_many",
    "run_suite",
    "surface_from_formula",
]


def run_suite(surface, suite: str, start=None, steps: int = 125) -> list[Trajectory]:
    """Every run of a named suite on one surface, in the suite's order (in lockstep)."""
    labels, opts = zip(*flat_runs(run_groups(suite=suite)), strict=True)
    return run_many(surface, list(opts), start, steps, labels=list(labels))
