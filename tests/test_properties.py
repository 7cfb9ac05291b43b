"""Property-based tests: random specs and argument lists give clean errors or correct results."""

import contextlib
import io
import math
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes as L
from animator.cli.main import main

NAMES = [*L.OPTIMIZERS.names(), "adm", "", " adam ", "ADAM", "rms-prop", "nesterov"]
KEYS = ["lr", "momentum", "rho", "beta1", "beta2", "eps", "bogus", "", " lr"]
VALUES = st.one_of(
    st.floats(allow_nan=True, allow_infinity=True).map(repr),
    st.sampled_from(["", "abc", "1e-3", "0", "-1", "nan", "inf", "1,", "=", "0.999999", "1"]),
    st.text(max_size=6),
)
ITEMS = st.tuples(st.sampled_from(KEYS), st.sampled_from(["=", "", "=="]), VALUES).map("".join)
SPECS = st.one_of(
    st.text(max_size=40),
    st.builds(
        lambda name, sep, items: name + sep + ",".join(items),
        st.sampled_from(NAMES),
        st.sampled_from([":", "", "::"]),
        st.lists(ITEMS, max_size=4),
    ),
)


@settings(max_examples=400, deadline=None)
@given(SPECS)
def test_spec_parser_gives_optimizer_or_clean_error(spec):
    try:
        opt = L.parse_spec(spec)
    except (L.InvalidValueError, L.UnknownNameError) as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    info = L.OPTIMIZERS[opt.name]
    assert set(opt.hparams) == set(info.defaults)
    for key, value in opt.hparams.items():
        assert L.optimizers.check_hparam(key, value) == value
        assert math.isfinite(value)
    again = L.parse_spec(opt.name + ":" + ",".join(f"{k}={v!r}" for k, v in opt.hparams.items()))
    assert dict(again.hparams) == dict(opt.hparams)


TOKENS = [
    "render", "list", "--json", "simple_quad", "two-minimums", "wobly", "-O", "adam",
    "adam:lr=0.1", "sgd:lr=abc", "nesterov:momentum=1", "--suite", "article", "nesterov",
    "--steps", "3", "0", "-1", "abc", "--start", "1", "nan", "2.5", "-o", "OUT.csv", "OUT.json",
    "OUT.txt", "OUTDIR", "--fps", "--size", "64x64", "--dpi", "--noise", "--seed", "--view", "3d",
    "-q", "--bogus", "", "--window", "100", "101", "-3", "--levels", "5", "0,1,x", "96x64", "20",
    "history", "basins", "sweep", "--grid", "2", "--lr", "1e-3:1:3", "1e300:1e308:5", "log(x)",
    "x-x", "OUT.png",
]  # fmt: skip


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=12))
def test_cli_exits_cleanly_on_random_arguments(tokens):
    with tempfile.TemporaryDirectory() as tmp:
        argv = [t.replace("OUTDIR", tmp).replace("OUT", f"{tmp}/out") for t in tokens]
        if not argv:
            argv = ["list"]  # no arguments means the default render, tested elsewhere
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = main(argv)
        assert status in (0, 2), (argv, err.getvalue())
        if status == 2:
            lines = err.getvalue().splitlines()
            assert len(lines) == 1 and lines[0].startswith("animator: error: "), lines
            assert not [p for p in Path(tmp).rglob("*") if p.is_file()]


OPTION_VALUES = {
    "--steps": ["1", "4", "0", "x"],
    "--start": ["1 2", "nan 0", "1e300 1e300", "-1 0"],
    "--window": ["-1 1 -1 1", "100 101 100 101", "1 1 0 1", "0 1"],
    "--levels": ["5", "0,1,2", "x", "1,1"],
    "--dpi": ["20", "600", "19"],
    "--noise": ["0.5", "-1", "inf"],
    "-O": ["adam", "sgd:lr=50", "newton", "lion:lr=1", "adam:lr=0"],
}
SURFACE_ARGS = ["simple_quad", "saddle", "log(x)", "x-x", "exp(x**2)", "rosenbrock", "ripple"]


@settings(max_examples=40, deadline=None)
@given(
    st.sampled_from(["render", "history"]),
    st.sampled_from(SURFACE_ARGS),
    st.lists(st.sampled_from(sorted(OPTION_VALUES)), max_size=3, unique=True),
    st.data(),
)
def test_cli_renders_or_refuses_hostile_but_wellformed_commands(command, surface, options, data):
    with tempfile.TemporaryDirectory() as tmp:
        argv = [command, surface, "--size", "96x64", "-o", f"{tmp}/out.png"]
        for option in options:
            if command == "history" and option in ("--window", "--levels", "--noise"):
                continue
            argv += [option, *data.draw(st.sampled_from(OPTION_VALUES[option])).split()]
        err, out = io.StringIO(), io.StringIO()
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
            status = main(argv)
        assert status in (0, 2), (argv, err.getvalue())
        files = sorted(p.name for p in Path(tmp).iterdir())
        assert files == (["out.png"] if status == 0 else []), (argv, files, err.getvalue())
