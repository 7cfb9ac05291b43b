"""Minor ticks that cost one artist instead of one Tick each (see ``minor_marks``)."""

from __future__ import annotations

import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import NullLocator


def minor_marks(axis) -> None:
    """Draw ``axis``' unlabelled minor ticks as one line of markers instead of one Tick each.

    matplotlib makes every tick a small tree of artists (tick lines, grid line, labels) and lays
    it out at every draw: the colour bar's level marks and a log loss panel's minor ticks (56 in
    the article's default picture) were a fifth of the figure's draw. A Line2D with the style of
    a tick's own line, at every minor position, draws the same marks with one ``draw_markers``
    call per side. Labelled minor ticks (a log axis spanning less than a decade) stay ticks.
    """
    lo, hi = sorted(axis.get_view_interval())
    locs = np.asarray(axis.get_minorticklocs(), dtype=float)
    slack = 1e-10 * (hi - lo)  # matplotlib draws the ticks inside the view, within rounding
    locs = locs[(locs >= lo - slack) & (locs <= hi + slack)]
    if not len(locs) or any(axis.get_minor_formatter().format_ticks(list(locs))):
        return
    (tick,) = axis.get_minor_ticks(1)
    ax = axis.axes
    for side in (tick.tick1line, tick.tick2line):
        if not side.get_visible():
            continue
        at = np.full(len(locs), side.get_xdata()[0] if axis is ax.yaxis else side.get_ydata()[0])
        marks = Line2D([], [], transform=side.get_transform())
        marks.update_from(side)
        marks.set_data((at, locs) if axis is ax.yaxis else (locs, at))
        marks.set_zorder(axis.get_zorder())
        ax.add_artist(marks)
        marks.set_clip_on(False)  # beside the axes, as ticks are (add_artist clips to the box)
    axis.set_minor_locator(NullLocator())


def all_minor_marks(fig) -> None:
    """``minor_marks`` on every axis of ``fig``'s 2-D axes (call when the limits are final)."""
    for ax in fig.axes:
        if getattr(ax, "name", "") == "rectilinear":
            minor_marks(ax.xaxis)
            minor_marks(ax.yaxis)
