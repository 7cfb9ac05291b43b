"""landscapes: the math of landscape-animator (surfaces, optimizers, runs). No plotting here.

>>> from landscapes import run, make_optimizer
>>> traj = run("hills_and_canyon", make_optimizer("adam", lr=0.25), steps=125)
>>> traj.xy.shape
(126, 2)
"""

from .errors import InvalidValueError, LandscapeError, UnknownNameError
from .optimizers import OPTIMIZERS, Optimizer, make_optimizer, register_optimizer
from .runs import ESCAPE_RADIUS, MAX_STEPS, Trajectory, run
from .specs import parse_spec
from .suites import SUITES, Suite
from .surfaces import SURFACES, Minimum, Surface, get_surface, register_surface

__version__ = "0.1.0"

__all__ = [
    "ESCAPE_RADIUS",
    "MAX_STEPS",
    "OPTIMIZERS",
    "SUITES",
    "SURFACES",
    "InvalidValueError",
    "LandscapeError",
    "Minimum",
    "Optimizer",
    "Suite",
    "Surface",
    "Trajectory",
    "UnknownNameError",
    "__version__",
    "get_surface",
    "make_optimizer",
    "parse_spec",
    "register_optimizer",
    "register_surface",
    "run",
    "run_suite",
]


def run_suite(surface, suite: str, start=None, steps: int = 125) -> list[Trajectory]:
    """Every run of a named suite on one surface, in the suite's order."""
    return [
        run(surface, parse_spec(spec), start, steps, label=label)
        for label, spec in SUITES[suite].runs
    ]
