"""``animator responses``: the article's 1-D update-response charts, or their numbers as CSV.

``-o DIR`` writes ``METHOD_SIGNAL.png`` for every method and signal and ``METHOD_overview.png``
(one panel per signal) for every method; ``-o FILE.csv`` writes the numbers instead.
"""

from __future__ import annotations

import argparse
import io
from collections.abc import Callable, Sequence
from pathlib import Path

from landscapes import InvalidValueError
from landscapes.responses import DEFAULT_SEED, METHODS, SIGNALS, Response, response_table

from ..arguments import bounded_int
from ..atomic import write_text_atomic
from ..outputs import check_output, prepare_output
from ..progress import Progress
from ..scene import MAX_DPI
from ..suffixes import by_suffix

NAME = "responses"
CSV_COLUMNS = "method,param,signal,epoch,gradient,update"


def add_parser(sub) -> None:
    p = sub.add_parser(
        NAME,
        help="the article's update-response charts (accumulated update against a gradient signal)",
        description="One chart per method and signal plus an overview grid per method, "
        "or with -o FILE.csv the numbers (" + CSV_COLUMNS + ").",
    )
    p.add_argument(
        "--method",
        action="append",
        metavar="M",
        help="a method (repeatable; default all): " + ", ".join(METHODS.names()),
    )
    p.add_argument(
        "--signal",
        action="append",
        metavar="S",
        help="a gradient signal (repeatable; default all): " + ", ".join(SIGNALS.names()),
    )
    p.add_argument(
        "--seed",
        type=bounded_int(0, 2**32 - 1),
        default=DEFAULT_SEED,
        help=f"seed of the noisy signals (default {DEFAULT_SEED})",
    )
    p.add_argument(
        "--dpi", type=bounded_int(20, MAX_DPI), default=100, help="chart resolution (default 100)"
    )
    p.add_argument(
        "-o", "--output", required=True, metavar="DIR|FILE.csv", help="a directory or a .csv file"
    )
    p.add_argument("-q", "--quiet", action="store_true", help="no progress bar")
    p.set_defaults(run=run)


def _unique(names: Sequence[str] | None, canonical) -> list[str] | None:
    """Canonical names in the order given, repeats dropped; None stays None (= all)."""
    return None if names is None else list(dict.fromkeys(canonical(n) for n in names))


def table_to_csv(table: Sequence[Response]) -> str:
    """One row per curve and epoch; floats written exactly (``repr``)."""
    out = io.StringIO()
    out.write(CSV_COLUMNS + "\n")
    for r in table:
        for epoch, (g, u) in enumerate(zip(r.gradient, r.update, strict=True)):
            out.write(f"{r.method},{r.param!r},{r.signal},{epoch},{float(g)!r},{float(u)!r}\n")
    return out.getvalue()


def chart_plan(table: Sequence[Response]) -> list[tuple[str, Callable, list[Response]]]:
    """``(file name, figure function, curves)`` for every chart a directory output holds.

    Every method × signal chart (``METHOD_SIGNAL.png``), then one overview per method
    (``METHOD_overview.png``).
    """
    from ..response_plots import overview_figure, response_figure  # matplotlib: charts only

    pairs: dict[tuple[str, str], list[Response]] = {}
    per_method: dict[str, list[Response]] = {}
    for r in table:
        pairs.setdefault((r.method, r.signal), []).append(r)
        per_method.setdefault(r.method, []).append(r)
    return [(f"{m}_{s}.png", response_figure, curves) for (m, s), curves in pairs.items()] + [
        (f"{m}_overview.png", overview_figure, curves) for m, curves in per_method.items()
    ]


def write_charts(
    table: Sequence[Response], directory: Path, *, dpi: int = 100, quiet: bool = True
) -> list[Path]:
    """Render every chart of ``table`` into ``directory``; return the paths written."""
    from ..savefig import save_figure

    plan = chart_plan(table)
    written = []
    with Progress(len(plan), "charts", quiet=quiet) as bar:
        for name, figure, curves in plan:
            written.append(directory / name)
            save_figure(figure(curves, dpi=dpi), written[-1])
            bar.update()
    return written


def _output_kind(output: str) -> tuple[str, Path]:
    """``("csv", path)`` or ``("dir", path)``, checked before any work."""
    path = Path(output)
    check_output(output, allow_dir=path.suffix.lower() != ".csv")  # '' is not the cwd
    if path.suffix.lower() == ".csv":
        return "csv", prepare_output(path)
    if path.exists() and not path.is_dir():
        raise InvalidValueError(
            f"output {output!r} is an existing file; give a directory or a .csv"
        )
    if path.suffix and not path.is_dir():  # a suffix other than .csv: the shared error
        by_suffix(path, {".csv": "csv"}, hint="give a directory or a .csv file")
    return "dir", prepare_output(path, allow_dir=True)


def run(args: argparse.Namespace) -> int:
    methods = _unique(args.method, METHODS.canonical)
    signals = _unique(args.signal, SIGNALS.canonical)
    kind, path = _output_kind(args.output)
    table = response_table(methods, signals, seed=args.seed)
    if kind == "csv":
        write_text_atomic(path, table_to_csv(table))
    else:
        write_charts(table, path, dpi=args.dpi, quiet=args.quiet)
    print(path)
    return 0
