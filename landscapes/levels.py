"""Readable contour levels: round-numbered linear steps, or 1-2-5 steps above the minimum when the
values span orders of magnitude (a narrow valley in a steep bowl, as in Rosenbrock's function).

Used for formula surfaces and user surfaces that do not give their own levels, and by
``--levels N`` on the command line.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence

import numpy as np

from .errors import InvalidValueError

#: Default and largest number of automatic contour levels.
DEFAULT_COUNT = 16
MAX_LEVELS = 200
#: When the full range is this many times the range of the lowest quarter of the window, the
#: values span orders of magnitude (Rosenbrock: 70x, x⁴ + y⁴: 27x; a round bowl: 6x).
SKEW_RATIO = 20.0


def nice_step(span: float, count: int) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about ``count`` intervals."""
    raw = span / max(count, 1)
    power = 10.0 ** math.floor(math.log10(raw))
    for factor in (1.0, 2.0, 2.5, 5.0, 10.0):
        if factor * power >= raw:
            return factor * power
    return 10.0 * power


def one_two_five(low: float, high: float) -> list[float]:
    """The numbers 1, 2, 5, 10, 20, 50, ... (times powers of ten) from ``low`` up to ``high``."""
    out = []
    k = math.floor(math.log10(low))
    while True:
        for factor in (1.0, 2.0, 5.0):
            v = float(f"{factor * 10.0**k:.12g}")
            if v > high:
                return out
            if v >= low:
                out.append(v)
        k += 1


def auto_levels(values: np.ndarray, count: int = DEFAULT_COUNT) -> tuple[float, ...]:
    """About ``count`` readable levels for the finite entries of ``values`` (a mesh of f).

    Round numbers when they exist; when the values are too extreme for them (a span beyond
    the largest float, ``exp(1000*x)``; a window so narrow that round numbers of the values
    coincide) levels at quantiles of the values instead, always finite and increasing.
    """
    finite = np.asarray(values, dtype=float)
    finite = finite[np.isfinite(finite)]
    if finite.size == 0:
        raise InvalidValueError("the surface has no finite value in its window; change --window")
    lo, hi = float(finite.min()), float(finite.max())
    if not hi > lo:
        raise InvalidValueError(f"the surface is flat ({lo:g}) over its window; change --window")
    try:
        with np.errstate(all="ignore"):
            levels = _round_levels(finite, lo, hi, count)
    except (OverflowError, ValueError, ZeroDivisionError):
        levels = ()
    if _usable(levels):
        return levels
    return _quantile_levels(finite, count)


def _usable(levels: Sequence[float]) -> bool:
    values = np.asarray(levels, dtype=float)
    return (
        values.size >= 2 and bool(np.isfinite(values).all()) and bool((np.diff(values) > 0).all())
    )


def _quantile_levels(finite: np.ndarray, count: int) -> tuple[float, ...]:
    """Levels at evenly spaced quantiles: finite, increasing, as round as the values allow."""
    raw = np.unique(np.quantile(finite, np.linspace(0.0, 1.0, count + 1), method="nearest"))
    for digits in (6, 10, 17):
        levels = tuple(float(f"{v:.{digits}g}") for v in raw)
        if _usable(levels):
            return levels
    if raw.size >= 2:
        return tuple(float(v) for v in raw)
    lo = float(finite.min())
    return (lo, float(np.nextafter(lo, np.inf)))


def _round_levels(finite: np.ndarray, lo: float, hi: float, count: int) -> tuple[float, ...]:
    quarter = float(np.quantile(finite, 0.25))
    if (hi - lo) > SKEW_RATIO * max(quarter - lo, 1e-300):
        # Most of the window sits near the bottom: space the levels geometrically above it.
        floor = max(float(np.quantile(finite - lo, 0.01)), (hi - lo) * 1e-6)
        heights = one_two_five(floor, hi - lo)
        if len(heights) > count:  # thin out, keeping the lowest and the highest
            keep = np.unique(np.linspace(0, len(heights) - 1, count).round().astype(int))
            heights = [heights[i] for i in keep]
        base = _round_to(lo, heights[0])
        levels = [base + h for h in heights]
        return tuple(float(f"{v:.6g}") for v in levels)
    step = nice_step(hi - lo, count)
    first = math.floor(lo / step) * step
    n = int(math.ceil((hi - first) / step)) + 1
    return tuple(float(f"{first + i * step:.10g}") for i in range(n))


def _round_to(value: float, resolution: float) -> float:
    """``value`` rounded down to a round number no coarser than ``resolution``."""
    step = 10.0 ** math.floor(math.log10(resolution))
    return math.floor(value / step) * step


def levels_on(
    func: Callable, window: Sequence[float], count: int = DEFAULT_COUNT, n: int = 121
) -> tuple[float, ...]:
    """Automatic levels for ``func(x, y)`` sampled on an n x n grid over ``window``."""
    x0, x1, y0, y1 = window
    X, Y = np.meshgrid(np.linspace(x0, x1, n), np.linspace(y0, y1, n))
    with np.errstate(all="ignore"):
        Z = np.asarray(func(X, Y), dtype=float) + np.zeros_like(X)
    return auto_levels(Z, count)


def check_levels(levels: Sequence[float] | int) -> tuple[float, ...] | int:
    """A level count (2..MAX_LEVELS) or at least two finite increasing levels, else raise."""
    if isinstance(levels, (int, np.integer)) and not isinstance(levels, bool):
        if not 2 <= levels <= MAX_LEVELS:
            raise InvalidValueError(
                f"levels={levels} is out of range: give a count from 2 to {MAX_LEVELS}"
            )
        return int(levels)
    try:
        values = [float(v) for v in levels]
    except (TypeError, ValueError):
        raise InvalidValueError(f"levels {levels!r} must be numbers or a count") from None
    if len(values) < 2 or len(values) > MAX_LEVELS:
        raise InvalidValueError(
            f"levels: give 2 to {MAX_LEVELS} values, not {len(values)} (or a count, e.g. 20)"
        )
    if not all(math.isfinite(v) for v in values):
        raise InvalidValueError(f"levels {values} must be finite numbers")
    if any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise InvalidValueError(f"levels {values} must be strictly increasing")
    return tuple(values)


def parse_levels(text: str) -> tuple[float, ...] | int:
    """``"20"`` -> a count of automatic levels; ``"0,0.5,1,2"`` -> those levels."""
    items = [item.strip() for item in str(text).split(",")]
    if len(items) == 1:
        count = items[0]
        if count.isascii() and count.isdigit():
            if len(count) > 6:
                raise InvalidValueError(f"--levels {count}: give a count from 2 to {MAX_LEVELS}")
            return check_levels(int(count))
        raise InvalidValueError(
            f"--levels {text!r}: give a count (e.g. 20) or comma-separated numbers (e.g. 0,1,2,5)"
        )
    try:
        values = [float(item) for item in items]
    except ValueError:
        bad = next(i for i in items if not _is_float(i))
        raise InvalidValueError(f"--levels {text!r}: {bad!r} is not a number") from None
    return check_levels(values)


def _is_float(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
