"""Argument types with one-line errors that name the bad value and the valid range."""

from __future__ import annotations

import argparse
import math

from ..scene import MIN_SIDE


def bounded_int(low: int, high: int):
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not a whole number (choose {low} to {high})"
            ) from None
        if not low <= value <= high:
            raise argparse.ArgumentTypeError(f"{value} is out of range (choose {low} to {high})")
        return value

    return parse


def bounded_float(low: float, high: float, *, low_open: bool = False):
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        bad_low = value <= low if low_open else value < low
        if not math.isfinite(value) or bad_low or value > high:
            lo = f"> {low:g}" if low_open else f">= {low:g}"
            raise argparse.ArgumentTypeError(
                f"{text!r} is out of range (choose a finite number {lo} and <= {high:g})"
            )
        return value

    return parse


def finite_float():
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        if not math.isfinite(value):
            raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
        return value

    return parse


def pixel_size(max_side: int):
    def parse(text: str) -> tuple[int, int]:
        w, sep, h = text.lower().partition("x")
        try:
            width, height = int(w), int(h)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"{text!r} is not WIDTHxHEIGHT in pixels (e.g. 1200x800)"
            ) from None
        if not sep or not (MIN_SIDE <= width <= max_side and MIN_SIDE <= height <= max_side):
            raise argparse.ArgumentTypeError(
                f"{text!r} is out of range (each side {MIN_SIDE} to {max_side} pixels)"
            )
        if width % 2 or height % 2:
            raise argparse.ArgumentTypeError(
                f"{text!r} must have even sides (H.264 needs them), e.g. "
                f"{width + width % 2}x{height + height % 2}"
            )
        return width, height

    return parse


class OrderedRuns(argparse.Action):
    """Collect ``-O SPEC`` and ``--suite NAME`` into one list, in the order given."""

    def __call__(self, parser, namespace, values, option_string=None):
        runs = list(getattr(namespace, self.dest, None) or [])
        kind = "suite" if option_string == "--suite" else "spec"
        runs.append((kind, values))
        setattr(namespace, self.dest, runs)
