"""Many runs at once: batches equal single runs bit for bit, basin maps, lr sweeps, --tune, CLI."""

import io
import json
import math

import numpy as np
import pytest

import landscapes as L
from animator.cli.main import main
from landscapes.basins import DIVERGED, ELSEWHERE, UNSETTLED, basin_map, classify, grid_starts
from landscapes.sweep import (
    batched_optimizer,
    lr_grid,
    objective,
    parse_lr_grid,
    sweep,
    tail_length,
)

STARTS = np.array([[-2.8, -2.5], [2.0, 2.0], [0.3, -1.7], [-1.0, 2.5], [2.9, -2.9]])


@pytest.mark.parametrize("name", L.OPTIMIZERS.names())
def test_batch_equals_single_runs_to_the_last_bit(name):
    s = L.get_surface("hills_and_canyon")
    opt = L.make_optimizer(name)
    batch = L.run(s, opt, STARTS, steps=40)
    for i, start in enumerate(STARTS):
        single = L.run(s, opt, start, steps=40)
        assert np.array_equal(batch.xy[:, i], single.xy, equal_nan=True)
        assert np.array_equal(batch.loss[:, i], single.loss, equal_nan=True)
        assert batch.diverged_step[i] == single.diverged_step


@pytest.mark.parametrize("name", L.OPTIMIZERS.names())
def test_lr_batch_equals_single_runs_to_the_last_bit(name):
    """Row i of a sweep is the single run at lrs[i]: the lr column broadcasts elementwise."""
    lrs = [1e-3, 0.03, 0.25, 3.0]
    s = L.get_surface("hills_and_canyon")
    result = sweep(s, L.make_optimizer(name), lrs, steps=30)
    for i, lr in enumerate(lrs):
        single = L.run(s, L.make_optimizer(name, lr=lr), steps=30)
        assert np.array_equal(result.trajectory.xy[:, i], single.xy, equal_nan=True)
        assert result.trajectory.diverged_step[i] == single.diverged_step


def test_batched_optimizer_checks_every_value():
    with pytest.raises(L.InvalidValueError, match=r"lr=0\.0 is out of range"):
        batched_optimizer("adam", [0.1, 0.0])
    with pytest.raises(L.InvalidValueError, match="lr=nan"):
        batched_optimizer("sgd", [float("nan")])
    with pytest.raises(L.InvalidValueError, match="momentum=1.5"):
        batched_optimizer("nesterov", [0.1], momentum=1.5)
    with pytest.raises(L.InvalidValueError, match="'beta9'.*choose from: lr, beta1"):
        batched_optimizer("adam", [0.1], key="beta9")
    opt = batched_optimizer("rmsprop", [0.1, 0.2], rho=0.5)
    assert dict(opt.hparams) == {"rho": 0.5, "eps": 1e-6}  # lr is the column, not one number


def test_tail_length_is_ceil_of_a_tenth():
    assert [tail_length(k) for k in (1, 9, 10, 11, 30, 125)] == [1, 1, 1, 2, 3, 13]


def test_sweeps_in_lockstep_equal_one_sweep_at_a_time(monkeypatch):
    import landscapes.sweep as sweeps_module

    opts = ["adam", L.make_optimizer("nesterov", momentum=0.5), "rmsprop"]
    lrs = np.geomspace(1e-3, 10, 13)
    plain = [sweep("ripple", o, lrs, None, 40) for o in opts]
    for noise in (0.0, 0.3):  # noisy: each optimizer's batch draws its noise as it would alone
        alone = [sweep("ripple", o, lrs, None, 40, noise=noise, seed=2) for o in opts]
        together = sweeps_module.sweeps("ripple", opts, lrs, None, 40, noise=noise, seed=2)
        for a, b in zip(alone, together, strict=True):
            assert a.to_dict() == b.to_dict() and a.start_loss == b.start_loss
            np.testing.assert_array_equal(b.trajectory.xy, a.trajectory.xy)
        assert [a.label for a in alone] == ["adam", "nesterov", "rmsprop"]
        assert len({tuple(a.objective) for a in alone}) == 3
        assert any(np.isinf(a.objective).any() for a in alone)  # a diverged run is in it
    monkeypatch.setattr(sweeps_module, "SWEEP_MEMORY", 3 * 8 * 41 * 3 * 5)  # five lrs at a time
    chunked = sweeps_module.sweeps("ripple", opts, lrs, None, 40)
    for a, c in zip(plain, chunked, strict=True):
        assert c.trajectory is None and a.to_dict() == c.to_dict()


def test_sweep_marks_too_large_lr_as_diverged_and_scores_by_hand():
    # sgd on x² + y²: x_k = (1 - 2 lr)^k x_0. lr = 0.5 lands on 0 in one step; lr > 1 explodes.
    lrs = [0.1, 0.5, 0.9, 1.5, 10.0]
    result = sweep("simple_quad", L.make_optimizer("sgd"), lrs, start=(1.0, 2.0), steps=30)
    assert result.diverged.tolist() == [False, False, False, True, True]
    assert np.isinf(result.objective[3:]).all()
    # lr = 1.5: y_k = 2·(-2)^k leaves |y| <= 1e6 first at k = 19; lr = 10: 2·19^k at k = 5.
    assert result.trajectory.diverged_step[3:].tolist() == [19, 5]
    expected_01 = np.mean([5.0 * 0.64**k for k in (28, 29, 30)])
    expected_09 = np.mean([5.0 * 0.64**k for k in (28, 29, 30)])  # |1 - 1.8| = 0.8 as well
    assert result.objective[0] == pytest.approx(expected_01, rel=1e-12)
    assert result.objective[2] == pytest.approx(expected_09, rel=1e-12)
    assert result.objective[1] == 0.0
    assert result.best_lr == 0.5
    doc = result.to_dict()
    assert doc["chosen_lr"] == 0.5 and doc["value"][3] is None and doc["diverged_step"][4] == 5


def test_objective_is_mean_of_the_tail():
    traj = L.run("simple_quad", L.make_optimizer("sgd", lr=0.1), (1.0, 0.0), steps=11)
    assert objective(traj) == pytest.approx((0.64**10 + 0.64**11) / 2, rel=1e-12)


def test_lr_grid_parsing():
    g = parse_lr_grid("1e-4:10:41")
    assert g.size == 41 and g[0] == 1e-4 and g[-1] == 10.0
    assert g[8] == pytest.approx(1e-3, rel=1e-12)  # eight per decade
    for bad, fragment in [
        ("1:2", "LOW:HIGH:N"),
        ("a:1:3", "must be numbers"),
        ("1:2:x", "whole number"),
        ("2:1:3", "LOW=2 must be below HIGH=1"),
        ("0:1:3", "lr=0.0 is out of range"),
        ("1e-3:1:1", "N=1"),
        ("1e-3:1:100000", "from 2 to 1000"),
        ("1e-3:inf:5", "out of range"),
    ]:
        with pytest.raises(L.InvalidValueError, match=fragment):
            parse_lr_grid(bad)
    with pytest.raises(L.InvalidValueError):
        lr_grid(1e-3, 1.0, True)


# --- basins ---------------------------------------------------------------------------------------


def test_grid_starts_are_cell_centres_row_by_row():
    xs, ys, starts = grid_starts((-3, 3, -1, 1), 3)
    assert xs.tolist() == [-2.0, 0.0, 2.0]
    np.testing.assert_allclose(ys, [-2 / 3, 0.0, 2 / 3])
    assert starts[1].tolist() == [0.0, ys[0]] and starts[3].tolist() == [-2.0, 0.0]


def test_classify_by_nearest_minimum_within_tol():
    minima = L.get_surface("two_minima").minima
    pts = np.array([[0.0, 0.0], [-2.45, -2.5], [0.0, 0.2], [np.nan, np.nan], [-2.5, -2.39]])
    assert classify(pts, minima, 0.1).tolist() == [0, 1, ELSEWHERE, DIVERGED, ELSEWHERE]


def test_basin_map_of_two_minima_assigns_neighbouring_cells():
    s = L.get_surface("two_minima")
    m = basin_map(s, L.make_optimizer("adam"), grid=30, steps=125)
    assert m.basin.shape == (30, 30)
    for i, mini in enumerate(s.minima):
        near = np.hypot(*np.meshgrid(m.xs - mini.xy[0], m.ys - mini.xy[1])) < 0.45
        assert near.sum() >= 4
        assert (m.basin[near] == i).all(), mini
        assert (m.steps_to[near] >= 0).all()
    assert (m.basin >= 0).all()  # every start of this surface ends in one of the two wells
    assert m.fractions()[0] > 0.5


def test_basin_maps_in_lockstep_equal_one_map_at_a_time(monkeypatch):
    """All optimizers of a map share each gradient call; every map is the one it makes alone,
    bit for bit, also when the starts run in chunks (a memory bound of 7 starts per chunk)."""
    import landscapes.basins as basins

    opts = [L.parse_spec(s) for s in ("adam", "nesterov", "adadelta", "sgd:lr=0.3")]
    alone = [basin_map("hills_and_canyon", o, grid=12, steps=30, label=f"r{i}") for i, o in
             enumerate(opts)]  # fmt: skip
    labels = [f"r{i}" for i in range(len(opts))]
    together = basins.basin_maps("hills_and_canyon", opts, grid=12, steps=30, labels=labels)
    monkeypatch.setattr(basins, "BASIN_MEMORY", 3 * 8 * 31 * len(opts) * 7)
    chunked = basins.basin_maps("hills_and_canyon", opts, grid=12, steps=30, labels=labels)
    for a, b, c in zip(alone, together, chunked, strict=True):
        assert a.label == b.label == c.label
        for name in ("basin", "steps_to", "final", "diverged_step"):
            np.testing.assert_array_equal(getattr(b, name), getattr(a, name))
            np.testing.assert_array_equal(getattr(c, name), getattr(a, name))
    assert len({m.basin.tobytes() for m in alone}) > 1  # the optimizers differ


def test_steps_to_converge_by_hand_on_a_bowl():
    # sgd lr=0.25 on x² + y²: the distance halves each step, so it first (and for good) gets
    # within tol at k = ceil(log2(r0 / tol)).
    m = basin_map("simple_quad", L.make_optimizer("sgd", lr=0.25), grid=8, steps=30, tol=0.1)
    X, Y = np.meshgrid(m.xs, m.ys)
    expected = np.maximum(0, np.ceil(np.log2(np.hypot(X, Y) / 0.1))).astype(int)
    assert (m.basin == 0).all()
    assert np.array_equal(m.steps_to, expected)


def test_basin_map_marks_divergence_and_oscillation():
    m = basin_map("simple_quad", L.make_optimizer("sgd", lr=1.5), grid=4, steps=40)
    assert (m.basin == DIVERGED).all() and (m.diverged_step > 0).all()
    # lr = 1: x -> -x forever; the tail mean is 0 (even tail), so it ends "in" the minimum
    # but never settles within tol.
    m = basin_map("simple_quad", L.make_optimizer("sgd", lr=1.0), grid=4, steps=20)
    assert (m.basin == 0).all() and (m.steps_to == UNSETTLED).all()


def test_grid_limits():
    opt = L.make_optimizer("sgd")
    for bad in (0, 1001, 2.5, True):
        with pytest.raises(L.InvalidValueError, match="grid="):
            basin_map("simple_quad", opt, grid=bad, steps=5)
    with pytest.raises(L.InvalidValueError, match="the limit is 20,000,000"):
        basin_map("simple_quad", opt, grid=1000, steps=125)


# --- plots and CLI --------------------------------------------------------------------------------


def test_basin_figure_small_multiples_share_one_legend():
    from animator.charts.basins import basin_figure, basin_rgb, legend_handles

    maps = [
        basin_map("two_minima", L.make_optimizer(n), grid=12, steps=30) for n in ("adam", "sgd")
    ]
    fig = basin_figure(maps)
    visible = [ax for ax in fig.axes if ax.get_visible() and ax.get_title()]
    assert len(visible) == 2 and len(fig.legends) == 1
    labels = [h.get_label() for h in legend_handles(maps[0])]
    assert labels[0].startswith("A: global min (0.00, 0.00)")
    assert labels[1].startswith("B: local min (-2.50, -2.50)")
    assert len(labels) == 2 + 3  # two minima, unsettled, elsewhere, diverged
    rgb = basin_rgb(maps[0])
    assert rgb.shape == (12, 12, 3) and (rgb >= 0).all() and (rgb <= 1).all()


def test_cli_basins_outputs(tmp_path, capsys):
    base = ["basins", "two_minima", "-O", "adam", "-O", "sgd:lr=0.5", "--grid", "10"]
    for suffix in ("png", "csv", "npz"):
        out = tmp_path / f"b.{suffix}"
        assert main([*base, "--steps", "20", "-o", str(out)]) == 0
        assert out.stat().st_size > 0
    assert (tmp_path / "b.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    rows = (tmp_path / "b.csv").read_text().splitlines()
    assert rows[0] == "label,optimizer,x,y,basin,steps_to,diverged_step,end_x,end_y"
    assert len(rows) == 1 + 2 * 100
    data = np.load(tmp_path / "b.npz")
    assert data["basin"].shape == (2, 10, 10) and data["end"].shape == (2, 10, 10, 2)
    assert data["labels"].tolist() == ["adam", "sgd:lr=0.5"]
    assert not list(tmp_path.glob(".*part*"))  # atomic writes leave no temporary files


def test_cli_sweep_outputs(tmp_path, capsys):
    base = ["sweep", "simple_quad", "-O", "sgd", "--lr", "0.1:10:5", "--steps", "30"]
    assert main([*base, "-o", str(tmp_path / "s.json")]) == 0
    doc = json.loads((tmp_path / "s.json").read_text())
    (s,) = doc["sweeps"]
    assert s["lr"][0] == 0.1 and s["lr"][-1] == 10.0
    assert s["diverged_step"][-1] is not None and s["value"][-1] is None  # lr = 10 diverges
    assert s["diverged_step"][0] is None
    assert "diverged" in capsys.readouterr().out
    assert main([*base, "-o", str(tmp_path / "s.csv")]) == 0
    rows = (tmp_path / "s.csv").read_text().splitlines()
    assert rows[0] == "label,optimizer,lr,objective,diverged_step,best" and len(rows) == 6
    assert rows[-1].endswith(",,5,0")  # lr 10: x_k = -2.8·(-19)^k passes 1e6 at k = 5
    assert main([*base, "-O", "adam", "-o", str(tmp_path / "s.png")]) == 0


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["basins", "two_minima", "--grid", "0"], "--grid: 0 is out of range"),
        (["basins", "two_minima", "--grid", "100000"], "choose 1 to 1000"),
        (["basins", "two_minima", "--grid", "1000"], "the limit is 20,000,000"),
        (["basins", "two_minima", "--grid", "x"], "not a whole number"),
        (["basins", "two_minima", "--tol", "0"], "--tol"),
        (["basins", "two_minima", "-O", "adam:lr=-1"], "lr=-1"),
        (["sweep", "two_minima", "--lr", "1:2"], "LOW:HIGH:N"),
        (["sweep", "two_minima", "--lr", "1e-3:x:5"], "must be numbers"),
        (["sweep", "two_minima", "--lr", "1:0.1:5"], "below HIGH"),
        (["render", "two_minima", "--tune", "--lr", "1:2:0"], "N=0"),
        (["sweep", "nowhere"], "unknown surface"),
    ],
)
def test_cli_bad_inputs_exit_2(argv, fragment, tmp_path, capsys):
    out = tmp_path / ("x.json" if argv[0] == "render" else "x.png")
    assert main([*argv, "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1
    assert not out.exists()


def test_cli_wrong_suffix_exit_2(tmp_path, capsys):
    assert main(["basins", "two_minima", "-o", str(tmp_path / "x.gif")]) == 2
    assert "choose from: .png, .csv, .npz" in capsys.readouterr().err


def test_tune_is_deterministic_and_recorded(tmp_path, capsys):
    argv = ["render", "simple_quad", "-O", "sgd", "-O", "adam", "--tune", "--lr", "0.01:1:9"]
    argv += ["--steps", "20", "--start", "1", "2"]
    docs = []
    for name in ("a.json", "b.json"):
        assert main([*argv, "-o", str(tmp_path / name)]) == 0
        docs.append((tmp_path / name).read_text())
    assert docs[0] == docs[1]
    runs = json.loads(docs[0])["runs"]
    grid = lr_grid(0.01, 1.0, 9)
    for r in runs:
        t = r["tuning"]
        assert t["lr"] == grid.tolist() and t["objective"].startswith("mean loss over the last 10%")
        values = [math.inf if v is None else v for v in t["value"]]
        assert t["chosen_lr"] == grid[int(np.argmin(values))] == r["hparams"]["lr"]
        assert f"tuned lr={t['chosen_lr']:.3g}" in r["label"]
    # sgd shrinks by |1 - 2 lr| per step: grid[6] = 0.316 gives 0.37, grid[7] = 0.562 gives 0.12.
    assert runs[0]["hparams"]["lr"] == grid[7]


# --- reviewer fixes: one CSV quoting, reproducible figures, finite limits, gallery sizes ----------

TRICKY_LABEL = 'a,b "c"\rd'


def test_tricky_label_round_trips_through_every_csv():
    import csv

    from animator.output.exports import basins_to_csv, scene_to_csv, sweeps_to_csv
    from animator.scene import Scene

    opt = L.parse_spec("sgd")
    bm = basin_map("simple_quad", opt, grid=2, steps=3, label=TRICKY_LABEL)
    sw = sweep("simple_quad", opt, [0.1, 0.2], steps=3, label=TRICKY_LABEL)
    scene = Scene(
        L.get_surface("simple_quad"), [L.run("simple_quad", opt, steps=2, label=TRICKY_LABEL)]
    )
    for text, rows in [
        (basins_to_csv([bm]), 4),
        (sweeps_to_csv([sw]), 2),
        (scene_to_csv(scene), 3),
    ]:
        table = list(csv.reader(io.StringIO(text, newline="")))
        assert len(table) == 1 + rows
        assert {row[0] for row in table[1:]} == {TRICKY_LABEL}


def test_sweep_limits_stay_finite_from_an_overflowing_start(tmp_path, capsys):
    out = tmp_path / "s.png"
    assert (
        main(
            [
                "sweep",
                "simple_quad",
                "-O",
                "sgd",
                "--start",
                "1e308",
                "1e308",
                "--steps",
                "3",
                "--lr",
                "0.1:1:2",
                "--size",
                "320x240",
                "-o",
                str(out),
            ]
        )
        == 0
    )
    assert out.stat().st_size > 0
    assert main(["sweep", "simple_quad", "--lr", "1e300:1e308:5", "-o", str(out)]) == 2
    assert "HIGH=1e+308 is above the limit 1e+06" in capsys.readouterr().err


def test_history_svg_and_pdf_are_byte_identical(tmp_path):
    for suffix in (".svg", ".pdf"):
        paths = [tmp_path / f"h{i}{suffix}" for i in range(2)]
        for p in paths:
            argv = ["history", "simple_quad", "-O", "sgd", "--steps", "5", "--size", "320x240"]
            assert main([*argv, "-o", str(p)]) == 0
        assert paths[0].read_bytes() == paths[1].read_bytes()
        if suffix == ".svg":
            assert b"<dc:date>" not in paths[0].read_bytes()


def test_gallery_rejects_a_size_its_stills_cannot_reach_before_writing(tmp_path, capsys):
    out = tmp_path / "g"
    argv = ["gallery", "-o", str(out), "--only", "article", "--surface", "simple_quad"]
    assert main([*argv, "--steps", "1", "--size", "3280x64", "--jobs", "1"]) == 2
    err = capsys.readouterr().err
    assert "--size 3280x64" in err and "from 64x64 to 3276x3276" in err
    assert not out.exists()
