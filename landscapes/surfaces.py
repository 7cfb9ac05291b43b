"""Analytic 2-D loss surfaces with autograd gradients and Hessians, kept in a registry.

A surface is a function ``f(x, y)`` written with ``autograd.numpy`` that works elementwise, so one
call evaluates a whole mesh or a batch of N points, and one backward pass gives the gradient of
every point of a batch at once (the points are independent, so the gradient of their sum is the
stack of their gradients).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

import autograd.numpy as anp
import numpy as np
from autograd import grad as _ad_grad
from autograd import make_vjp as _ad_make_vjp

from .errors import InvalidValueError
from .registry import Registry

#: The article's contour levels: quarter steps from -2 to 5.75, then 6.25 .. 7, then 8 .. 19.
ARTICLE_LEVELS: tuple[float, ...] = tuple(
    [k / 4.0 for k in range(-8, 24)] + [6.25, 6.5, 6.75, 7.0] + [float(k) for k in range(8, 20)]
)
#: The article's view window (x0, x1, y0, y1) and its start point.
ARTICLE_WINDOW: tuple[float, float, float, float] = (-3.0, 3.0, -3.0, 3.0)
ARTICLE_START: tuple[float, float] = (-2.8, -2.5)


class Minimum(NamedTuple):
    """A known minimum: where it is, the value there, and whether it is the global one."""

    xy: tuple[float, float]
    value: float
    kind: str = "global"  # "global" or "local"


@dataclass(frozen=True)
class Surface:
    """A named analytic surface and everything a run or a picture needs to know about it."""

    name: str
    func: Callable[..., np.ndarray]
    formula: str
    description: str
    window: tuple[float, float, float, float] = ARTICLE_WINDOW
    start: tuple[float, float] = ARTICLE_START
    minima: tuple[Minimum, ...] = ()
    levels: tuple[float, ...] | None = ARTICLE_LEVELS
    reference: str = ""
    #: names of the two coordinates and of the value, for axes and colour bars
    axis_labels: tuple[str, str, str] = ("x", "y", "f(x, y)")
    _grad: Callable = field(init=False, repr=False, compare=False)
    _hess_rows: tuple = field(init=False, repr=False, compare=False)
    _grad_xy: Callable = field(init=False, repr=False, compare=False)
    _vjp_xy: Callable = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        def total(xy):
            return anp.sum(self.func(xy[..., 0], xy[..., 1]))

        g = _ad_grad(total)
        object.__setattr__(self, "_grad", g)
        rows = tuple(_ad_grad(lambda xy, i=i: anp.sum(g(xy)[..., i])) for i in range(2))
        object.__setattr__(self, "_hess_rows", rows)
        # The hot path: differentiate with respect to the x and y columns directly, which skips
        # autograd's slicing of an (M, 2) array (np.add.at in its backward pass); same numbers.
        grad_xy = _ad_grad(lambda x, y: anp.sum(self.func(x, y)), argnum=(0, 1))
        object.__setattr__(self, "_grad_xy", grad_xy)
        vjp_xy = _ad_make_vjp(lambda x, y: self.func(x, y), argnum=(0, 1))
        object.__setattr__(self, "_vjp_xy", vjp_xy)

    def __call__(self, x, y) -> np.ndarray:
        """f(x, y), elementwise over arrays (a mesh or a batch)."""
        return np.asarray(self.func(x, y), dtype=float)

    # value, grad and hessian evaluate any points as rows of an (M, 2) array, a single point as a
    # batch of one: numpy *scalars* round some operations differently from arrays (x**2 goes
    # through pow() instead of x*x), and a batch must equal its single runs to the last bit.

    def value(self, xy) -> np.ndarray:
        """f at points ``xy`` of shape (..., 2)."""
        xy = np.asarray(xy, dtype=float)
        rows = xy.reshape(-1, 2)
        out = self(rows[:, 0], rows[:, 1]) + np.zeros(len(rows))
        return out.reshape(xy.shape[:-1])

    def grad(self, xy) -> np.ndarray:
        """The gradient at points ``xy`` of shape (..., 2), same shape as ``xy``."""
        xy = np.asarray(xy, dtype=float)
        rows = xy.reshape(-1, 2)
        gx, gy = self._grad_xy(rows[:, 0], rows[:, 1])
        g = np.empty_like(rows)
        g[:, 0], g[:, 1] = gx, gy  # gx, gy broadcast: a term may not depend on x or y at all
        return g.reshape(xy.shape)

    def value_and_grad(self, xy) -> tuple[np.ndarray, np.ndarray]:
        """``value(xy)`` and ``grad(xy)`` from one forward pass, the same numbers to the bit.

        The gradient of the sum (``grad``) seeds its backward pass with the sum's derivative,
        ones; here the per-point values are kept and the same ones seed the same pass.
        """
        xy = np.asarray(xy, dtype=float)
        rows = xy.reshape(-1, 2)
        vjp, ans = self._vjp_xy(rows[:, 0], rows[:, 1])
        gx, gy = vjp(np.ones(np.shape(ans)))
        g = np.empty_like(rows)
        g[:, 0], g[:, 1] = gx, gy
        value = np.asarray(ans, dtype=float) + np.zeros(len(rows))
        return value.reshape(xy.shape[:-1]), g.reshape(xy.shape)

    def hessian(self, xy) -> np.ndarray:
        """The Hessian at points ``xy`` of shape (..., 2), shape (..., 2, 2)."""
        xy = np.asarray(xy, dtype=float)
        rows = xy.reshape(-1, 2)
        h = np.stack([np.asarray(row(rows), dtype=float) for row in self._hess_rows], axis=-2)
        return h.reshape(*xy.shape, 2)

    def mesh(self, n: int = 200, window: Sequence[float] | None = None):
        """``X, Y, Z`` over the view window on an n x n grid, for contour plots."""
        x0, x1, y0, y1 = self.window if window is None else window
        X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
        with np.errstate(all="ignore"):
            Z = self(X, Y) + np.zeros_like(X)
        return X, Y, Z

    @property
    def global_minima(self) -> tuple[Minimum, ...]:
        return tuple(m for m in self.minima if m.kind == "global")

    def describe(self) -> dict:
        """Plain data for listings and JSON exports."""
        return {
            "name": self.name,
            "formula": self.formula,
            "description": self.description,
            "window": list(self.window),
            "start": list(self.start),
            "minima": [{"xy": list(m.xy), "value": m.value, "kind": m.kind} for m in self.minima],
            "aliases": SURFACES.aliases(self.name),
        }


SURFACES: Registry[Surface] = Registry("surface")


def register_surface(
    name: str,
    *,
    formula: str,
    description: str,
    window: tuple[float, float, float, float] = ARTICLE_WINDOW,
    start: tuple[float, float] = ARTICLE_START,
    minima: Sequence[Minimum] = (),
    levels: Sequence[float] | None = ARTICLE_LEVELS,
    aliases: tuple[str, ...] = (),
    reference: str = "",
) -> Callable[[Callable], Callable]:
    """Decorator: register ``f(x, y)`` (written with ``autograd.numpy``) as a named surface."""

    def wrap(func: Callable) -> Callable:
        SURFACES.register(
            name,
            Surface(
                name=name,
                func=func,
                formula=formula,
                description=description,
                window=tuple(float(v) for v in window),
                start=tuple(float(v) for v in start),
                minima=tuple(minima),
                levels=None if levels is None else tuple(float(v) for v in levels),
                reference=reference,
            ),
            aliases=aliases,
        )
        return func

    return wrap


def get_surface(name: str | Surface) -> Surface:
    """Look up a surface by name, alias or kebab-case spelling (a Surface passes through)."""
    if isinstance(name, Surface):
        return name
    if not isinstance(name, str):
        raise InvalidValueError(f"a surface must be a name or a Surface, not {type(name).__name__}")
    return SURFACES[name]


# --- the article's surfaces (x = W[0], y = W[1]) ------------------------------------------------


@register_surface(
    "simple_quad",
    formula="x² + y²",
    description="A round bowl: every method's baseline.",
    minima=[Minimum((0.0, 0.0), 0.0)],
)
def simple_quad(x, y):
    return x**2 + y**2


@register_surface(
    "wobbly",
    formula="(x²+y²)/3 + |x|·√(|x|+0.1) + 3·sin(x+y) + 3 + 8·exp(−2((x+1)²+(y+2)²))",
    description="A bowl with sine waves across it and a bump near the start: many shallow traps.",
    minima=[Minimum((-0.17242094376299918, -0.9063018409018629), 0.9155064452470827)],
)
def wobbly(x, y):
    ax = anp.abs(x)
    return (
        (x**2 + y**2) / 3
        + ax * anp.sqrt(ax + 0.1)
        + 3 * anp.sin(x + y)
        + 3.0
        + 8 * anp.exp(-2 * ((x + 1) ** 2 + (y + 2) ** 2))
    )


@register_surface(
    "basins_and_walls",
    formula="(x²+y²)/2 + sin²(4x)",
    description="A bowl cut into parallel basins by walls along y: momentum must climb them.",
    minima=[
        Minimum((0.0, 0.0), 0.0),
        Minimum((-0.76145653227215, 0.0), 0.2990512496110009, "local"),
        Minimum((0.76145653227215, 0.0), 0.2990512496110009, "local"),
        Minimum((-1.5220040759402682, 0.0), 1.195857953218746, "local"),
        Minimum((1.5220040759402682, 0.0), 1.195857953218746, "local"),
        Minimum((-2.28036728849271, 0.0), 2.6892469928858116, "local"),
        Minimum((2.28036728849271, 0.0), 2.6892469928858116, "local"),
    ],
)
def basins_and_walls(x, y):
    return (x**2 + y**2) / 2 + anp.sin(4 * x) ** 2


#: Position of ripple's first ring of local minima along an axis (a root of 2x/3 + 4/3 sin(40x)).
_RIPPLE_CELL = 0.3102652231435478


def _ripple_ring(i: int, j: int) -> float:
    return 0.032491714410299834 * (abs(i) + abs(j))


@register_surface(
    "ripple",
    formula="(x²+y²)/3 + (sin²(20x) + sin²(20y))/15",
    description="A bowl with fine ripples: a grid of tiny local minima (the 8 nearest are listed).",
    minima=[Minimum((0.0, 0.0), 0.0)]
    + [
        Minimum((i * _RIPPLE_CELL, j * _RIPPLE_CELL), _ripple_ring(i, j), "local")
        for i in (-1, 0, 1)
        for j in (-1, 0, 1)
        if (i, j) != (0, 0)
    ],
)
def ripple(x, y):
    return (x**2 + y**2) / 3 + (anp.sin(20 * x) ** 2 + anp.sin(20 * y) ** 2) / 15


@register_surface(
    "giant_plateau",
    formula="4(1 − exp(−(x²+y²)))",
    description="A narrow well in a nearly flat plain: gradients vanish far from the minimum.",
    minima=[Minimum((0.0, 0.0), 0.0)],
    aliases=("giant_plateu",),
)
def giant_plateau(x, y):
    return 4 * (1 - anp.exp(-(x**2 + y**2)))


@register_surface(
    "hills_and_canyon",
    formula=(
        "(x²+y²)/3 + 3exp(−((x+1)²+(y+2)²)) + exp(−1.5(2(x+2)²+(y−0.5)²))"
        " + 3exp(−1.5((x−1)²+2(y+1.5)²)) + 1.5exp(−((x+1.5)²+3(y+0.5)²)) + 4(1 − exp(−(x+y)²))"
    ),
    description="Hills around a diagonal canyon: the article's main comparison.",
    minima=[
        Minimum((-0.04041944691066239, 0.07197372849804831), 0.08971671292158583),
        Minimum((1.9291459356955831, -1.9214576920479252), 2.9542752011752342, "local"),
        Minimum((-2.0341939933736306, -1.0818787630063285), 6.644054939208323, "local"),
    ],
)
def hills_and_canyon(x, y):
    return (
        (x**2 + y**2) / 3
        + 3 * anp.exp(-((x + 1) ** 2 + (y + 2) ** 2))
        + anp.exp(-1.5 * (2 * (x + 2) ** 2 + (y - 0.5) ** 2))
        + 3 * anp.exp(-1.5 * ((x - 1) ** 2 + 2 * (y + 1.5) ** 2))
        + 1.5 * anp.exp(-((x + 1.5) ** 2 + 3 * (y + 0.5) ** 2))
        + 4 * (1 - anp.exp(-((x + y) ** 2)))
    )


@register_surface(
    "two_minima",
    formula="4 − 0.5exp(−((x+2.5)²+(y+2.5)²)) − 3exp(−(x²+y²))",
    description="A shallow local well next to the start and a deep one far away: a bad init.",
    minima=[
        Minimum((-1.5527953021231566e-06, -1.5527953021231566e-06), 0.999998136658947),
        Minimum((-2.499944070180304, -2.499944070180304), 3.4999888169140183, "local"),
    ],
    aliases=("two_minimums", "bad_init"),
)
def two_minima(x, y):
    return 4 - 0.5 * anp.exp(-((x + 2.5) ** 2 + (y + 2.5) ** 2)) - 3 * anp.exp(-(x**2 + y**2))


#: The article's surfaces, in its order.
ARTICLE_SURFACES: tuple[str, ...] = (
    "simple_quad",
    "wobbly",
    "basins_and_walls",
    "ripple",
    "giant_plateau",
    "hills_and_canyon",
    "two_minima",
)
