"""Writers of the charts that are not a map with runs: basin maps, sweeps, histories, responses.

One signature, ``write(path, data, options)``, as in the output registry. Every figure goes
through ``save_figure`` (reproducible bytes, write-then-rename).
"""

from __future__ import annotations

import io
import os
from collections.abc import Callable, Sequence
from pathlib import Path

from landscapes.basins import BasinMap
from landscapes.responses import Response
from landscapes.sweep import Sweep

from ..output.progress import Progress
from ..output.savefig import save_figure
from ..scene import SWEEP_SIZE, RenderOptions
from .basins import basin_figure
from .history import history_figure
from .responses import ResponseCharts, overview_figure, response_figure
from .sweeps import sweep_figure

PathLike = str | os.PathLike


def write_basins_png(path: PathLike, maps: Sequence[BasinMap], options: RenderOptions) -> None:
    save_figure(basin_figure(maps, size=options.size, dpi=options.dpi), path)


def write_sweeps_png(path: PathLike, sweeps: Sequence[Sweep], options: RenderOptions) -> None:
    save_figure(sweep_figure(sweeps, size=options.size or SWEEP_SIZE, dpi=options.dpi), path)


def write_history(path: PathLike, histories, options: RenderOptions) -> None:
    """PNG, SVG or PDF by the suffix (``histories``: :class:`animator.api.Histories`)."""
    fig = history_figure(histories.surface, histories.panels, size=options.size, dpi=options.dpi)
    save_figure(fig, path)


def chart_plan(table: Sequence[Response]) -> list[tuple[str, Callable, list[Response]]]:
    """``(file name, figure function, curves)`` for every chart a directory output holds.

    Every method × signal chart (``METHOD_SIGNAL.png``), then one overview per method
    (``METHOD_overview.png``).
    """
    pairs: dict[tuple[str, str], list[Response]] = {}
    per_method: dict[str, list[Response]] = {}
    for r in table:
        pairs.setdefault((r.method, r.signal), []).append(r)
        per_method.setdefault(r.method, []).append(r)
    return [(f"{m}_{s}.png", response_figure, curves) for (m, s), curves in pairs.items()] + [
        (f"{m}_overview.png", overview_figure, curves) for m, curves in per_method.items()
    ]


def write_response_charts(
    directory: PathLike, table: Sequence[Response], options: RenderOptions
) -> None:
    """Every chart of ``table`` into ``directory`` (see ``chart_plan``)."""
    plan = chart_plan(table)
    single = ResponseCharts(dpi=options.dpi)  # one figure for a method's single charts
    with Progress(len(plan), "charts", quiet=options.quiet) as bar:
        for name, figure, curves in plan:
            fig = single(curves) if figure is response_figure else figure(curves, dpi=options.dpi)
            save_figure(fig, Path(directory) / name)
            bar.update()


def overview_png(table: Sequence[Response], options: RenderOptions) -> bytes:
    """The first method's overview chart as PNG bytes (for a notebook)."""
    method = table[0].method
    fig = overview_figure([r for r in table if r.method == method], dpi=options.dpi)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()
