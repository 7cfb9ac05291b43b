"""Property-based tests: random specs and argument lists give clean errors or correct results."""

import contextlib
import io
import math
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

import landscapes as L
from animator.cli import main

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
    "-q", "--bogus", "",
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
