"""The article's 1-D update responses: signals, hand-computed first values, an independent
scalar implementation of every formula, the look-ahead interpolation, seeds, and the CLI."""

from __future__ import annotations

import csv
import io
import math

import numpy as np
import pytest

import landscapes.responses as responses
from animator.charts.responses import ResponseCharts, response_figure
from animator.charts.writers import chart_plan
from animator.cli.main import main
from landscapes import InvalidValueError, UnknownNameError
from landscapes.responses import (
    METHODS,
    interpolate,
    make_signal,
    respond,
    response_table,
)

DETERMINISTIC = ["spikes", "rectangles", "uneven_sawtooth", "saturation"]


# --- signals ------------------------------------------------------------------------------------


def test_signals_follow_the_article_formulas():
    spikes = make_signal("spikes")
    assert spikes.shape == (300,)
    assert list(np.flatnonzero(spikes)) == [0, 60, 120, 180, 240]
    rect = make_signal("rectangles")
    assert (rect[0], rect[19], rect[20], rect[39], rect[40], rect[299]) == (1, 1, -1, -1, 1, 1)
    saw = make_signal("uneven_sawtooth")
    # (epoch % 20) / 5 up to epoch 80 inclusive, then / 20
    assert (saw[0], saw[19], saw[79], saw[80], saw[81], saw[99]) == (0, 3.8, 3.8, 0, 0.05, 0.95)
    sat = make_signal("saturation")
    assert (sat[0], sat[39], sat[40], sat[79], sat[80]) == (1, 1, 0, 0, 1)
    e = np.arange(300)
    noise = make_signal("noisy_sin", seed=3) - np.sin(e / 20)
    assert noise.min() >= -0.5 and noise.max() < 0.5 and abs(noise.mean()) < 0.06
    very = make_signal("very_noisy_sin", seed=3) - np.sin(e / 20) / 5
    np.testing.assert_allclose(very, noise, atol=1e-15)  # same noise, smaller sine


def test_seeds_are_reproducible_and_matter_only_for_noisy_signals():
    a = make_signal("noisy_sin", seed=11)
    np.testing.assert_array_equal(a, make_signal("noisy_sin", seed=11))
    assert not np.array_equal(a, make_signal("noisy_sin", seed=12))
    np.testing.assert_array_equal(make_signal("noisy_sin"), make_signal("noisy_sin"))  # default
    for name in DETERMINISTIC:
        np.testing.assert_array_equal(make_signal(name, seed=1), make_signal(name, seed=2))
    t1 = response_table(["adam"], ["very_noisy_sin"], seed=5)
    t2 = response_table(["adam"], ["very_noisy_sin"], seed=5)
    for r1, r2 in zip(t1, t2, strict=True):
        np.testing.assert_array_equal(r1.update, r2.update)


# --- the look-ahead interpolation ---------------------------------------------------------------


def test_interpolation_is_linear_and_zero_outside_the_signal():
    x = np.array([1.0, 2.0, 4.0])
    assert interpolate(x, 1) == 2.0
    assert interpolate(x, 0.5) == 1.5
    assert interpolate(x, 1.25) == 2.5  # 0.75·2 + 0.25·4 (the article's slip gave 2 + 0.25·4 = 3)
    assert interpolate(x, 2.0) == 4.0  # the last epoch itself
    assert interpolate(x, 2.5) == 2.0  # halfway from 4 to the 0 past the end
    assert interpolate(x, 3.0) == 0.0  # past the end reads 0
    assert interpolate(x, 7.3) == 0.0
    assert interpolate(x, -0.5) == 0.5  # before the start the signal is 0 as well
    assert interpolate(x, -2.0) == 0.0


# --- hand-computed first values -----------------------------------------------------------------
# spikes = [1, 0, 0, ...]; rectangles = [1]*20 + [-1]*20 + ...


def _first(method, param, signal, n=3):
    return respond(method, param, make_signal(signal))[:n]


def test_momentum_by_hand():
    # v = γv + 0.25·g: spikes, γ=0.9 -> 0.25, 0.9·0.25, 0.81·0.25
    np.testing.assert_allclose(_first("momentum", 0.9, "spikes"), [0.25, 0.225, 0.2025], rtol=1e-15)
    # rectangles, γ=0.25 -> 0.25, 0.0625 + 0.25, 0.078125 + 0.25
    np.testing.assert_allclose(
        _first("momentum", 0.25, "rectangles"), [0.25, 0.3125, 0.328125], rtol=1e-15
    )
    # the gradient's sign: γ=0.25 settles at 0.25/(1-0.25) = 1/3 and flips with the gradient
    rect = respond("momentum", 0.25, make_signal("rectangles"))
    assert rect[19] == pytest.approx(1 / 3, abs=1e-11)
    assert rect[39] == pytest.approx(-1 / 3, abs=1e-11)


def test_nesterov_by_hand():
    # look-ahead lands on zeros of spikes (1 + 0.9·0.25 = 1.225): same as momentum at first
    np.testing.assert_allclose(_first("nesterov", 0.9, "spikes"), [0.25, 0.225, 0.2025], rtol=1e-15)
    # rectangles, γ=0.25: v18 = (1 − 0.25^19)/3 ≈ 1/3, so at i=19 it looks 0.25·v18 = 1/12 ahead:
    # (11/12)·1 + (1/12)·(−1) = 5/6; v19 = 0.25·(1/3) + 0.25·(5/6) = 7/24 = 0.2916666…
    # (the article's slip, 1 + (1/12)·(−1) = 11/12, would give 15/48 = 0.3125)
    v = respond("nesterov", 0.25, make_signal("rectangles"))
    assert v[18] == pytest.approx(1 / 3, abs=1e-11)
    assert v[19] == pytest.approx(0.2916666666666667, abs=1e-11)


def test_smoothed_nesterov_by_hand():
    np.testing.assert_allclose(
        _first("smoothed_nesterov", 0.25, "spikes"), [0.25, 0.0625, 0.015625], rtol=1e-15
    )
    # rectangles, γ=0.25, i=19: looks k/48 ahead (k=1..4) reading 1 − 2k/48, mean 43/48;
    # v19 = 1/12 + 0.25·43/48 = 59/192 = 0.30729166…
    v = respond("smoothed_nesterov", 0.25, make_signal("rectangles"))
    assert v[19] == pytest.approx(0.3072916666666667, abs=1e-11)


def test_adagrad_by_hand():
    # 2.5·g/√(G + ε): spikes G=1: 2.5/√(1+1e-7) = 2.4999998750, 2.5/√1.1 = 2.3836564731,
    # 2.5/√11 = 0.7537783614; then g=0 gives 0
    for eps, first in [(1e-7, 2.499999875000009), (0.1, 2.3836564731139807), (10.0, 0.7537783614)]:
        np.testing.assert_allclose(_first("adagrad", eps, "spikes"), [first, 0, 0], rtol=1e-10)
    # rectangles ε=1e-7: G=2 -> 2.5/√2 = 1.7677669; at epoch 20 G=21, g=-1 -> -2.5/√21 = -0.5455447
    v = respond("adagrad", 1e-7, make_signal("rectangles"))
    assert v[1] == pytest.approx(1.7677669087721968, rel=1e-10)
    assert v[20] == pytest.approx(-0.5455447242910649, rel=1e-10)


def test_rmsprop_by_hand():
    # E = (1−γ)·1 after the first spike; 0.25/√(E + 1e-5): γ=0.25 -> 0.25/√0.75001 = 0.2886732,
    # γ=0.9 -> 0.25/√0.10001 = 0.7905299, γ=0.975 -> 0.25/√0.02501 = 1.5808227
    for gamma, first in [(0.25, 0.2886732101), (0.9, 0.7905298895), (0.975, 1.5808226972)]:
        np.testing.assert_allclose(_first("rmsprop", gamma, "spikes"), [first, 0, 0], rtol=1e-9)
    # rectangles γ=0.9: E1 = 0.9·0.1 + 0.1 = 0.19 -> 0.25/√0.19001 = 0.5735242
    assert _first("rmsprop", 0.9, "rectangles")[1] == pytest.approx(0.5735242421, rel=1e-9)


def test_adadelta_zero_start_by_hand():
    # E[g²] = (1−γ), E[Δθ²] = 0: √0.001/√(1−γ+0.001): γ=0.25 -> 0.0364905, γ=0.9 -> 0.0995037
    assert _first("adadelta_zero", 0.25, "spikes")[0] == pytest.approx(0.03649051826, rel=1e-9)
    np.testing.assert_allclose(_first("adadelta_zero", 0.9, "spikes"), [0.0995037190, 0, 0], 1e-9)
    # rectangles γ=0.9: E[Δθ²] = 0.1·0.0995037² = 0.00099010, E[g²] = 0.19:
    # √0.0019901/√0.191 = 0.1020753
    assert _first("adadelta_zero", 0.9, "rectangles")[1] == pytest.approx(0.1020752984, rel=1e-9)


def test_adadelta_big_start_by_hand():
    # E[Δθ²] = 50: √50.001/√(1−γ+0.001): 8.1596095, 22.2499305, 43.8533395
    for gamma, first in [(0.25, 8.159609531), (0.9, 22.24993047), (0.975, 43.85333949)]:
        np.testing.assert_allclose(_first("adadelta_big", gamma, "spikes"), [first, 0, 0], 1e-9)


def test_adam_by_hand():
    # spikes β1=0.25: m̂ = v̂ = 1 -> 0.25/√(1 + 1e-7) = 0.2499999875;
    # then m̂ = 0.1875/0.9375 = 0.2, v̂ = 0.000999/0.001999 -> 0.05/√(0.4997499 + 1e-7) = 0.0707284
    v = _first("adam", 0.25, "spikes", 2)
    np.testing.assert_allclose(v, [0.24999998750000094, 0.07072836419], rtol=1e-9)
    # a constant gradient gives m̂ = v̂ = 1 for any β1: 0.25/√(1 + 1e-7) for the first 20 epochs
    for beta1 in METHODS["adam"].params:
        rect = respond("adam", beta1, make_signal("rectangles"))[:20]
        np.testing.assert_allclose(rect, 0.24999998750000094, rtol=1e-14)


# --- an independent, scalar implementation ------------------------------------------------------


def _lerp(xs, idx):
    lo = math.floor(idx)

    def at(k):
        return xs[k] if 0 <= k < len(xs) else 0.0

    return at(lo) + (idx - lo) * (at(lo + 1) - at(lo))


def reference_response(method, p, xs):
    """The article's formulas, written out with floats (interpolation corrected)."""
    xs = [float(x) for x in xs]
    ys = []
    if method == "momentum":
        v = 0.0
        for x in xs:
            v = p * v + 0.25 * x
            ys.append(v)
    elif method in ("nesterov", "smoothed_nesterov"):
        fr = [1.0] if method == "nesterov" else [0.25, 0.5, 0.75, 1.0]
        v = 0.0
        for i in range(len(xs)):
            v = p * v + 0.25 * sum(_lerp(xs, i + f * p * v) for f in fr) / len(fr)
            ys.append(v)
    elif method == "adagrad":
        G = 0.0
        for x in xs:
            G += x * x
            ys.append(2.5 / math.sqrt(G + p) * x)
    elif method == "rmsprop":
        EG = 0.0
        for x in xs:
            EG = p * EG + (1 - p) * x * x
            ys.append(0.25 / math.sqrt(EG + 0.00001) * x)
    elif method.startswith("adadelta"):
        EG, ED = 0.0, (0.0 if method == "adadelta_zero" else 50.0)
        for x in xs:
            EG = p * EG + (1 - p) * x * x
            v = math.sqrt(ED + 0.001) / math.sqrt(EG + 0.001) * x
            ED = p * ED + (1 - p) * v * v
            ys.append(v)
    elif method == "adam":
        m = s = 0.0
        for i, x in enumerate(xs):
            m = p * m + (1 - p) * x
            s = 0.999 * s + (1 - 0.999) * x * x
            ys.append(0.25 / math.sqrt(s / (1 - 0.999 ** (i + 1)) + 1e-7) * m / (1 - p ** (i + 1)))
    return np.array(ys)


@pytest.mark.parametrize("method", METHODS.names())
def test_every_curve_matches_the_independent_implementation(method):
    for signal in DETERMINISTIC:
        xs = make_signal(signal)
        for p in METHODS[method].params:
            ours = respond(method, p, xs)
            ref = reference_response(method, p, xs)
            scale = max(1.0, float(np.abs(ref).max()))
            np.testing.assert_allclose(ours, ref, rtol=0, atol=1e-12 * scale)


def test_noisy_signals_match_too():
    xs = make_signal("noisy_sin", seed=4)
    for method in METHODS:
        p = METHODS[method].params[1]
        np.testing.assert_allclose(
            respond(method, p, xs), reference_response(method, p, xs), rtol=0, atol=1e-11
        )


def test_engine_rules_are_computed_through_the_engine(monkeypatch):
    called = []
    real = responses.make_optimizer

    def spy(name, **hp):
        called.append(name)
        return real(name, **hp)

    monkeypatch.setattr(responses, "make_optimizer", spy)
    xs = make_signal("saturation")
    for method, engine in [
        ("momentum", "momentum"),
        ("adagrad", "adagrad"),
        ("rmsprop", "rmsprop"),
        ("adadelta_zero", "adadelta"),
        ("adadelta_big", "adadelta"),
    ]:
        called.clear()
        respond(method, METHODS[method].params[0], xs)
        assert called == [engine]
    for method in ("nesterov", "smoothed_nesterov", "adam"):  # the article's own 1-D rules
        called.clear()
        respond(method, METHODS[method].params[0], xs)
        assert called == []


def test_momentum_with_high_gamma_accumulates_far_above_the_gradient():
    v = respond("momentum", 0.975, make_signal("saturation"))
    # 40 epochs of g=1 from v≈2.3: far above the gradient's 1, approaching 0.25/0.025 = 10
    assert v.max() > 7
    assert respond("momentum", 0.25, make_signal("saturation")).max() == pytest.approx(1 / 3)


def test_table_covers_methods_params_and_signals():
    table = response_table(["adam", "Adagrad"], ["spikes"])
    assert [(r.method, r.param, r.signal) for r in table] == [
        ("adam", 0.25, "spikes"),
        ("adam", 0.9, "spikes"),
        ("adam", 0.975, "spikes"),
        ("adagrad", 1e-7, "spikes"),
        ("adagrad", 0.1, "spikes"),
        ("adagrad", 10.0, "spikes"),
    ]
    assert all(r.update.shape == (300,) for r in table)


def test_bad_names_and_values_raise_specific_errors():
    with pytest.raises(UnknownNameError, match="did you mean 'momentum'"):
        respond("momentun", 0.9, make_signal("spikes"))
    with pytest.raises(UnknownNameError, match="did you mean 'spikes'"):
        make_signal("spike")
    with pytest.raises(InvalidValueError, match="momentum=1.0"):
        respond("momentum", 1.0, make_signal("spikes"))
    with pytest.raises(InvalidValueError, match="beta1"):
        respond("adam", -0.1, make_signal("spikes"))
    with pytest.raises(InvalidValueError, match="momentum"):
        respond("nesterov", 1.5, make_signal("spikes"))
    with pytest.raises(InvalidValueError, match="1-D"):
        respond("adam", 0.9, np.ones((3, 2)))
    with pytest.raises(InvalidValueError, match="1-D"):
        respond("adam", 0.9, [1.0, float("nan")])


# --- the command line ---------------------------------------------------------------------------


def test_default_directory_output_plans_48_charts_and_8_overviews():
    names = [name for name, _, _ in chart_plan(response_table())]
    assert len(names) == len(set(names)) == 56
    assert "momentum_spikes.png" in names and "adam_saturation.png" in names
    assert names[-8:] == [f"{m}_overview.png" for m in METHODS.names()]


def test_cli_writes_one_chart_per_pair_and_an_overview_per_method(tmp_path, capsys):
    out = tmp_path / "charts"
    argv = ["responses", "--method", "momentum", "--method", "adam", "--signal", "spikes"]
    argv += ["--signal", "noisy-sin", "--dpi", "20", "-o", str(out)]
    assert main(argv) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "adam_noisy_sin.png",
        "adam_overview.png",
        "adam_spikes.png",
        "momentum_noisy_sin.png",
        "momentum_overview.png",
        "momentum_spikes.png",
    ]
    for p in out.iterdir():
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert capsys.readouterr().out.strip() == str(out)


def test_cli_csv_has_the_columns_and_the_numbers(tmp_path):
    path = tmp_path / "r.csv"
    argv = ["responses", "--method", "adagrad", "--signal", "rectangles", "-o", str(path)]
    assert main(argv) == 0
    with open(path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    assert list(rows[0]) == ["method", "param", "signal", "epoch", "gradient", "update"]
    assert len(rows) == 3 * 300
    assert [r["param"] for r in rows[::300]] == ["1e-07", "0.1", "10.0"]
    first = rows[0]
    assert (first["method"], first["signal"], first["epoch"], first["gradient"]) == (
        "adagrad",
        "rectangles",
        "0",
        "1.0",
    )
    assert float(first["update"]) == pytest.approx(2.499999875000009, rel=1e-12)
    expected = respond("adagrad", 10.0, make_signal("rectangles"))
    got = np.array([float(r["update"]) for r in rows[600:]])
    np.testing.assert_array_equal(got, expected)  # written exactly


def test_cli_seed_changes_only_noisy_numbers(tmp_path):
    def export(seed, signal):
        path = tmp_path / f"{seed}_{signal}.csv"
        argv = ["responses", "--method", "rmsprop", "--signal", signal, "--seed", str(seed)]
        assert main([*argv, "-o", str(path)]) == 0
        return path.read_text()

    assert export(1, "noisy_sin") == export(1, "noisy_sin")
    assert export(1, "noisy_sin") != export(2, "noisy_sin")
    assert export(1, "spikes") == export(2, "spikes")


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--method", "momentun"], "did you mean 'momentum'"),
        (["--signal", "saw"], "unknown signal 'saw'"),
        (["--seed", "-1"], "out of range"),
    ],
)
def test_cli_bad_input_exits_2(tmp_path, capsys, extra, message):
    assert main(["responses", *extra, "-o", str(tmp_path / "x.csv")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_cli_bad_output_exits_2(tmp_path, capsys):
    assert main(["responses", "--method", "adam", "-o", str(tmp_path / "x.png")]) == 2
    assert "give a directory or a .csv file" in capsys.readouterr().err
    existing = tmp_path / "file"
    existing.write_text("keep")
    assert main(["responses", "--method", "adam", "-o", str(existing)]) == 2
    assert existing.read_text() == "keep"


def test_reused_response_charts_equal_fresh_figures_pixel_for_pixel():
    table = response_table(["momentum", "adam"], ["spikes", "very_noisy_sin", "saturation"])
    groups = [curves for _, figure, curves in chart_plan(table) if figure is response_figure]
    charts = ResponseCharts(dpi=20)
    figures = set()
    for curves in groups:
        reused = charts(curves)
        figures.add(id(reused))
        assert reused.axes[0].get_title(loc="left") == response_figure(curves).axes[0].get_title(
            loc="left"
        )
        assert np.array_equal(rgba(reused), rgba(response_figure(curves, dpi=20)))
    assert len(figures) == 2  # one per method


def rgba(fig) -> np.ndarray:
    buf = io.BytesIO()
    fig.savefig(buf, format="rgba")
    return np.frombuffer(buf.getvalue(), dtype=np.uint8)
