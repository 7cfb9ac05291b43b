"""The classic 2-D test functions of the optimization literature, registered as surfaces.

Formulas, domains and optima follow S. Surjanovic and D. Bingham, *Virtual Library of Simulation
Experiments: Test Functions and Datasets* (Simon Fraser University, 2013,
https://www.sfu.ca/~ssurjano/optimization.html), which cites each function's origin; the origin is
named in each docstring too. Minima were polished with Newton's method on the autograd Hessian to
full double precision; the tests check each one (its value and a vanishing gradient).

The view windows are chosen for pictures, not copied from the benchmark domains when those are too
wide to see anything (Ackley's [-32.768, 32.768]² hides its structure). Where the values span
orders of magnitude the contour levels are 1-2-5 steps above the minimum, so the valley floor is
visible as well as the walls.
"""

from __future__ import annotations

import math

import autograd.numpy as anp

from .surfaces import Minimum, register_surface

SFU = "https://www.sfu.ca/~ssurjano/"


def _one_two_five(low_exp: int, high_exp: int, base: float = 0.0) -> list[float]:
    """base + 1, 2, 5 × 10^k for k from low_exp to high_exp (log-spaced levels)."""
    return [
        base + float(f"{m * 10.0**k:.12g}") for k in range(low_exp, high_exp + 1) for m in (1, 2, 5)
    ]


def _steps(start: float, stop: float, step: float) -> list[float]:
    n = int(round((stop - start) / step))
    return [float(f"{start + i * step:.10g}") for i in range(n + 1)]


@register_surface(
    "rosenbrock",
    formula="(1 − x)² + 100(y − x²)²",
    description="Rosenbrock's banana: a curved flat-bottomed valley, easy to find, slow to follow.",
    window=(-2.0, 2.0, -1.0, 3.0),
    start=(-1.2, 1.0),
    minima=[Minimum((1.0, 1.0), 0.0)],
    levels=_one_two_five(-1, 3),
    reference="H. H. Rosenbrock, The Computer Journal 3(3):175-184, 1960; " + SFU + "rosen.html",
)
def rosenbrock(x, y):
    """Rosenbrock (1960), a = 1, b = 100; start (-1.2, 1) is Rosenbrock's own."""
    return (1 - x) ** 2 + 100 * (y - x**2) ** 2


@register_surface(
    "beale",
    formula="(1.5 − x + xy)² + (2.25 − x + xy²)² + (2.625 − x + xy³)²",
    description="Beale: flat arms and steep corners; the minimum sits in a narrow curved valley.",
    window=(-4.5, 4.5, -4.5, 4.5),
    start=(1.0, 1.5),
    minima=[Minimum((3.0, 0.5), 0.0)],
    levels=_one_two_five(-1, 4),
    reference="E. M. L. Beale, Princeton University report, 1958; " + SFU + "beale.html",
)
def beale(x, y):
    """Beale (1958); domain [-4.5, 4.5]², global minimum 0 at (3, 0.5)."""
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y**2) ** 2 + (2.625 - x + x * y**3) ** 2


@register_surface(
    "himmelblau",
    formula="(x² + y − 11)² + (x + y² − 7)²",
    description="Himmelblau: four equal minima around a central hill; where you end depends on "
    "where and how you go.",
    window=(-5.0, 5.0, -5.0, 5.0),
    start=(-0.25, -1.0),  # from here the article suite splits between three minima
    minima=[
        Minimum((3.0, 2.0), 0.0),
        Minimum((-2.805118086952745, 3.131312518250573), 0.0),
        Minimum((-3.779310253377747, -3.283185991286169), 0.0),
        Minimum((3.5844283403304917, -1.8481265269644034), 0.0),
    ],
    levels=[0.5, 1, 2, 5, 10, 20, 35, 50, 75, 100, 135, 180, 250, 350, 500, 700],
    reference="D. M. Himmelblau, Applied Nonlinear Programming, McGraw-Hill, 1972",
)
def himmelblau(x, y):
    """Himmelblau (1972); four global minima of value 0, a local maximum near (-0.27, -0.92)."""
    return (x**2 + y - 11) ** 2 + (x + y**2 - 7) ** 2


#: Position of Rastrigin's local minima next to the origin (a root of x + 10π sin(2πx)).
_RASTRIGIN_ONE = 0.9949586376523348


@register_surface(
    "rastrigin",
    formula="20 + x² − 10cos(2πx) + y² − 10cos(2πy)",
    description="Rastrigin: an egg-crate of local minima on a bowl; gradient methods get stuck.",
    window=(-5.12, 5.12, -5.12, 5.12),
    start=(-4.5, 4.3),
    minima=[Minimum((0.0, 0.0), 0.0)]
    + [
        Minimum(
            (i * _RASTRIGIN_ONE, j * _RASTRIGIN_ONE),
            (0.9949590570932916, 1.9899181141865832)[abs(i) + abs(j) - 1],
            "local",
        )
        for i in (-1, 0, 1)
        for j in (-1, 0, 1)
        if (i, j) != (0, 0)
    ],
    levels=_steps(0.0, 80.0, 10.0),
    reference="L. A. Rastrigin, Systems of Extremal Control, Nauka, 1974; " + SFU + "rastr.html",
)
def rastrigin(x, y):
    """Rastrigin (1974), n = 2, A = 10; the 8 local minima around the global one are listed."""
    return 20 + x**2 - 10 * anp.cos(2 * math.pi * x) + y**2 - 10 * anp.cos(2 * math.pi * y)


@register_surface(
    "booth",
    formula="(x + 2y − 7)² + (2x + y − 5)²",
    description="Booth: a tilted quadratic bowl, condition number 9.",
    window=(-10.0, 10.0, -10.0, 10.0),
    start=(-8.0, -8.0),
    minima=[Minimum((1.0, 3.0), 0.0)],
    levels=_one_two_five(-1, 3),
    reference="Jamil & Yang, Int. J. Math. Model. Numer. Optim. 4(2):150-194, 2013, no. 23; "
    + SFU
    + "booth.html",
)
def booth(x, y):
    """Booth's function; domain [-10, 10]², global minimum 0 at (1, 3)."""
    return (x + 2 * y - 7) ** 2 + (2 * x + y - 5) ** 2


@register_surface(
    "six_hump_camel",
    formula="(4 − 2.1x² + x⁴/3)x² + xy + (−4 + 4y²)y²",
    description="Six-hump camel: two global minima and four local ones.",
    window=(-2.2, 2.2, -1.2, 1.2),
    start=(-1.9, -1.0),
    minima=[
        Minimum((0.08984201310031806, -0.7126564030207396), -1.0316284534898774),
        Minimum((-0.08984201310031806, 0.7126564030207396), -1.0316284534898774),
        Minimum((1.703606714969981, -0.7960835686726251), -0.21546382438371836, "local"),
        Minimum((-1.703606714969981, 0.7960835686726251), -0.21546382438371836, "local"),
        Minimum((1.6071047529201974, 0.5686514548841314), 2.1042503103112598, "local"),
        Minimum((-1.6071047529201974, -0.5686514548841314), 2.1042503103112598, "local"),
    ],
    levels=[-1.0, -0.75, -0.5, -0.25, 0.0, 0.25, 0.5, 1.0, 1.5, 2.0, 2.5, 3, 4, 5, 6, 8],
    reference="L. C. W. Dixon & G. P. Szegő, Towards Global Optimisation 2, 1978; "
    + SFU
    + "camel6.html",
)
def six_hump_camel(x, y):
    """Six-hump camel back (Dixon & Szegő 1978); domain x in [-3, 3], y in [-2, 2]."""
    return (4 - 2.1 * x**2 + x**4 / 3) * x**2 + x * y + (-4 + 4 * y**2) * y**2


_ST_LOW, _ST_HIGH = -2.903534027771177, 2.7468027709908367  # roots of 4x³ − 32x + 5


@register_surface(
    "styblinski_tang",
    formula="(x⁴ − 16x² + 5x + y⁴ − 16y² + 5y)/2",
    description="Styblinski-Tang: four basins of different depths; the deepest is at (-2.9, -2.9).",
    window=(-5.0, 5.0, -5.0, 5.0),
    start=(4.6, 3.8),
    minima=[
        Minimum((_ST_LOW, _ST_LOW), -78.33233140754284),
        Minimum((_ST_HIGH, _ST_LOW), -64.19561235905536, "local"),
        Minimum((_ST_LOW, _ST_HIGH), -64.19561235905536, "local"),
        Minimum((_ST_HIGH, _ST_HIGH), -50.05889331056789, "local"),
    ],
    levels=_steps(-75.0, 100.0, 12.5) + [150.0, 200.0, 250.0],
    reference="M. A. Styblinski & T.-S. Tang, Neural Networks 3(4):467-483, 1990; "
    + SFU
    + "stybtang.html",
)
def styblinski_tang(x, y):
    """Styblinski-Tang (1990), n = 2; domain [-5, 5]², minimum -39.16617·2 at (-2.9035, -2.9035)."""
    return (x**4 - 16 * x**2 + 5 * x + y**4 - 16 * y**2 + 5 * y) / 2


def _radius(x, y):
    """√(x² + y²) whose gradient at the origin is the subgradient 0, not 0/0 = NaN.

    The double ``where`` keeps autograd away from the square root's infinite slope at 0, so a run
    that lands exactly on Ackley's cone point stays finite.
    """
    r2 = x**2 + y**2
    positive = r2 > 0
    return anp.where(positive, anp.sqrt(anp.where(positive, r2, 1.0)), 0.0)


@register_surface(
    "ackley",
    formula="−20exp(−0.2√((x²+y²)/2)) − exp((cos 2πx + cos 2πy)/2) + e + 20",
    description="Ackley: a funnel covered in ripples, with a sharp point at the minimum.",
    window=(-5.0, 5.0, -5.0, 5.0),
    start=(-4.2, 3.7),
    minima=[Minimum((0.0, 0.0), 0.0)],
    levels=_steps(0.0, 14.0, 1.0),
    reference="D. H. Ackley, A Connectionist Machine for Genetic Hillclimbing, Kluwer, 1987; "
    + SFU
    + "ackley.html",
)
def ackley(x, y):
    """Ackley (1987), a = 20, b = 0.2, c = 2π; not differentiable at the minimum (a cone point)."""
    return (
        -20 * anp.exp(-0.2 * _radius(x, y) / math.sqrt(2))
        - anp.exp((anp.cos(2 * math.pi * x) + anp.cos(2 * math.pi * y)) / 2)
        + math.e
        + 20
    )


@register_surface(
    "saddle",
    formula="x² − y²",
    description="A saddle, unbounded below: runs approach along x, then escape along y (diverge).",
    window=(-3.0, 3.0, -3.0, 3.0),
    start=(-2.8, 0.05),
    minima=[],
    levels=_steps(-9.0, 9.0, 1.0),
    reference="the hyperbolic paraboloid; Dauphin et al., NeurIPS 2014 (saddle points in "
    "high-dimensional non-convex optimization)",
)
def saddle(x, y):
    """x² − y²: a stationary point at the origin with Hessian eigenvalues 2 and −2; no minimum."""
    return x**2 - y**2


@register_surface(
    "monkey_saddle",
    formula="x³ − 3xy²",
    description="A monkey saddle, unbounded below: a flat stationary point with three valleys.",
    window=(-2.0, 2.0, -2.0, 2.0),
    start=(1.5, 0.2),
    minima=[],
    levels=_steps(-16.0, 16.0, 2.0),
    reference="Re((x + iy)³); the standard degenerate saddle (Hessian zero at the origin)",
)
def monkey_saddle(x, y):
    """x³ − 3xy²: gradient and Hessian both vanish at the origin; no minimum."""
    return x**3 - 3 * x * y**2


#: The classic test functions of this module, in the order above (the gallery shows them all).
CLASSIC_SURFACES: tuple[str, ...] = (
    "rosenbrock",
    "beale",
    "himmelblau",
    "rastrigin",
    "booth",
    "six_hump_camel",
    "styblinski_tang",
    "ackley",
    "saddle",
    "monkey_saddle",
)
