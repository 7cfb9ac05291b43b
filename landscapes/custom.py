"""Your own surface from any autograd-compatible function or formula, with sensible defaults.

``resolve_surface`` is what a SURFACE argument means everywhere (API and command line): a
registered name, else a formula.

>>> import autograd.numpy as anp
>>> from landscapes import add_surface
>>> @add_surface(window=(-2, 2, -2, 2))
... def tilted_bowl(x, y):
...     "A bowl tipped towards +x."
...     return x**2 + 2 * y**2 - x
>>> run("tilted_bowl", make_optimizer("adam"))              # doctest: +SKIP

The function is checked once on a small grid (it must give finite values and autograd must be able
to differentiate it), so a mistake shows up at registration, not halfway through a render.
Without ``levels``, readable contour levels are chosen from the values over the window; without
``start``, the start sits where the article's start sits in its window (near the lower-left corner).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Any

import numpy as np

from .errors import FormulaWordError, InvalidValueError, UnknownNameError
from .formula import VARIABLES, compile_formula
from .levels import DEFAULT_COUNT, check_levels, levels_on
from .registry import normalize, unknown_name_message
from .surfaces import (
    ARTICLE_START,
    ARTICLE_WINDOW,
    SURFACES,
    Minimum,
    Surface,
)

#: Where the article's start (-2.8, -2.5) sits inside its window (-3, 3, -3, 3), as fractions.
_START_FRACTION = (
    (ARTICLE_START[0] - ARTICLE_WINDOW[0]) / (ARTICLE_WINDOW[1] - ARTICLE_WINDOW[0]),
    (ARTICLE_START[1] - ARTICLE_WINDOW[2]) / (ARTICLE_WINDOW[3] - ARTICLE_WINDOW[2]),
)


def check_window(window: Any) -> tuple[float, float, float, float]:
    """``(x0, x1, y0, y1)`` of finite floats with x0 < x1 and y0 < y1, else a clear error."""
    try:
        values = tuple(float(v) for v in window)
    except (TypeError, ValueError):
        raise InvalidValueError(f"window {window!r} must be four numbers x0 x1 y0 y1") from None
    if len(values) != 4 or not all(math.isfinite(v) for v in values):
        raise InvalidValueError(f"window {window!r} must be four finite numbers x0 x1 y0 y1")
    x0, x1, y0, y1 = values
    if not (x0 < x1 and y0 < y1):
        raise InvalidValueError(f"window {window!r} must have x0 < x1 and y0 < y1")
    if max(abs(v) for v in values) > 1e6:
        raise InvalidValueError(f"window {window!r} must lie within ±1e6")
    return values


def default_start(window: Sequence[float]) -> tuple[float, float]:
    """The point at the article's relative start position inside ``window``."""
    x0, x1, y0, y1 = window
    return (
        float(f"{x0 + _START_FRACTION[0] * (x1 - x0):.6g}"),
        float(f"{y0 + _START_FRACTION[1] * (y1 - y0):.6g}"),
    )


def resolve_levels(
    func: Callable, window: Sequence[float], levels: Sequence[float] | int | None
) -> tuple[float, ...]:
    """Explicit levels as given, a count of automatic ones, or (None) the default count."""
    levels = DEFAULT_COUNT if levels is None else check_levels(levels)
    if isinstance(levels, int):
        return levels_on(func, window, levels)
    return levels


def _check_function(func: Callable, name: str, window: Sequence[float]) -> None:
    """Evaluate ``func`` and its gradient on a few points of the window; raise if unusable."""
    x0, x1, y0, y1 = window
    X, Y = np.meshgrid(np.linspace(x0, x1, 5), np.linspace(y0, y1, 5))
    try:
        with np.errstate(all="ignore"):
            Z = np.asarray(func(X, Y), dtype=float) + np.zeros_like(X)
    except Exception as exc:  # any failure of user code is reported the same way
        raise InvalidValueError(
            f"surface {name!r}: calling f(x, y) on arrays failed ({type(exc).__name__}: {exc}); "
            "write it with autograd.numpy so it works elementwise"
        ) from None
    if Z.shape != X.shape:
        raise InvalidValueError(
            f"surface {name!r}: f(x, y) on 5x5 arrays gave shape {Z.shape}, expected (5, 5)"
        )
    if not np.isfinite(Z).any():
        raise InvalidValueError(f"surface {name!r} has no finite value in window {tuple(window)}")


def make_surface(
    func: Callable,
    *,
    name: str,
    formula: str | None = None,
    description: str | None = None,
    window: Sequence[float] | None = None,
    start: Sequence[float] | None = None,
    minima: Sequence[Minimum] = (),
    levels: Sequence[float] | int | None = None,
    reference: str = "",
) -> Surface:
    """A :class:`Surface` (not registered) from ``func(x, y)`` written with ``autograd.numpy``."""
    if not callable(func):
        raise InvalidValueError(f"surface {name!r}: {func!r} is not a function f(x, y)")
    window = ARTICLE_WINDOW if window is None else check_window(window)
    _check_function(func, name, window)
    surface = Surface(
        name=name,
        func=func,
        formula=formula or f"{getattr(func, '__name__', 'f')}(x, y)",
        description=description or _first_line(func.__doc__) or "A user-defined surface.",
        window=window,
        start=default_start(window) if start is None else _check_start(start),
        minima=tuple(Minimum(*m) for m in minima),
        levels=resolve_levels(func, window, levels),
        reference=reference,
    )
    try:
        surface.grad(np.array(surface.start))
    except Exception as exc:
        raise InvalidValueError(
            f"surface {name!r}: autograd cannot differentiate it ({type(exc).__name__}: {exc}); "
            "use autograd.numpy functions, not numpy or math"
        ) from None
    return surface


def _check_start(start: Sequence[float]) -> tuple[float, float]:
    try:
        x, y = (float(v) for v in start)
    except (TypeError, ValueError):
        raise InvalidValueError(f"start {start!r} must be two numbers x y") from None
    if not (math.isfinite(x) and math.isfinite(y)):
        raise InvalidValueError(f"start {start!r} must be finite")
    return x, y


def _first_line(doc: str | None) -> str:
    return doc.strip().splitlines()[0].strip() if doc and doc.strip() else ""


def add_surface(
    func: Callable | str | None = None,
    /,
    *,
    name: str | None = None,
    aliases: tuple[str, ...] = (),
    **options: Any,
):
    """Register a user surface, as a function call or as a decorator.

    ``add_surface(f, name="mine", window=(-2, 2, -2, 2))`` registers ``f`` and returns the
    :class:`Surface`; ``add_surface("x**2 + 3*sin(y)", name="mine")`` does the same for a formula;
    ``@add_surface(window=...)`` above ``def mine(x, y): ...`` registers it under the function's
    name and returns the function unchanged. ``options`` are those of :func:`make_surface`.
    """
    if func is None:
        return lambda f: (add_surface(f, name=name, aliases=aliases, **options), f)[1]
    if isinstance(func, str):
        if name is None:
            raise InvalidValueError(f"add_surface({func!r}) needs name= for a formula")
        func, text = compile_formula(func)
        options.setdefault("formula", text)
    name = normalize(name or getattr(func, "__name__", ""))
    if not name.isidentifier():
        raise InvalidValueError(
            f"surface name {name!r} must be a word of letters, digits and _ (give name=...)"
        )
    if name in SURFACES:
        raise InvalidValueError(f"surface {name!r} is already registered; choose another name")
    surface = make_surface(func, name=name, **options)
    SURFACES.register(name, surface, aliases=aliases)
    return surface


def surface_from_formula(
    text: str,
    window: Sequence[float] | None = None,
    levels: Sequence[float] | int | None = None,
) -> Surface:
    """A surface (not registered) from a formula; default window [-3, 3]², automatic levels."""
    func, text = compile_formula(text)
    return make_surface(
        func,
        name=text,
        formula=text,
        description="A surface given by a formula.",
        window=window,
        levels=levels,
    )


_NAME_LIKE = re.compile(r"[A-Za-z_][A-Za-z0-9_\-]*")


def resolve_surface(
    text: str | Surface,
    window: Sequence[float] | None = None,
    levels: Sequence[float] | int | None = None,
) -> Surface:
    """What a SURFACE argument means: a registered name or alias, else a formula in x and y.

    A bare word that is not registered is an :class:`UnknownNameError` with suggestions (a typo
    of a name should not be read as a formula). ``window`` and ``levels`` override the surface's.
    """
    if isinstance(text, Surface) or (isinstance(text, str) and text in SURFACES):
        surface = text if isinstance(text, Surface) else SURFACES[text]
        changes: dict = {}
        if window is not None:
            changes["window"] = check_window(window)
        if levels is not None:
            changes["levels"] = resolve_levels(
                surface.func, changes.get("window", surface.window), levels
            )
        return replace(surface, **changes) if changes else surface
    if not isinstance(text, str):
        raise InvalidValueError(f"a surface must be a name or a formula, not {type(text).__name__}")
    word = text.strip()
    if word.isidentifier() and word not in VARIABLES:
        raise _unknown(word)
    try:
        return surface_from_formula(text, window, levels)
    except FormulaWordError:
        # a misspelt kebab-case name ('hils-and-canyon') fails as a formula on its words; a
        # formula that parsed but fails for another reason ('x-x' is flat) keeps its own error
        if _NAME_LIKE.fullmatch(word) and "-" in word:
            raise _unknown(word) from None
        raise


def _unknown(word: str) -> UnknownNameError:
    return UnknownNameError(
        unknown_name_message("surface", word, SURFACES.names())
        + " (or write a formula in x and y, e.g. 'x**2 + 3*sin(y)')"
    )
