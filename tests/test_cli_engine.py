"""The command line's listing and data exports, and their round-trips."""

import csv
import json

import numpy as np
import pytest

import landscapes as L
from animator.cli.main import main


def test_list_prints_every_registry(capsys):
    assert main(["list"]) == 0
    out = capsys.readouterr().out
    for name in [*L.SURFACES, *L.OPTIMIZERS, *L.SUITES]:
        assert name in out
    assert "lr=0.25" in out and "Hills around a diagonal canyon" in out


def test_list_json(capsys):
    assert main(["list", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    surfaces = {s["name"]: s for s in data["surfaces"]}
    assert surfaces["hills_and_canyon"]["window"] == [-3.0, 3.0, -3.0, 3.0]
    assert surfaces["two_minima"]["minima"][0]["kind"] == "global"
    assert "bad_init" in surfaces["two_minima"]["aliases"]
    optimizers = {o["name"]: o for o in data["optimizers"]}
    assert optimizers["adadelta"]["defaults"] == {"lr": 100.0, "rho": 0.95, "eps": 1e-6}
    assert {s["name"] for s in data["suites"]} >= {"article", "nesterov"}


def test_csv_export_round_trips(tmp_path, capsys):
    out = tmp_path / "runs.csv"
    argv = ["render", "wobbly", "-O", "adam:lr=0.1", "--suite", "nesterov", "--steps", "30"]
    assert main([*argv, "-o", str(out)]) == 0
    assert capsys.readouterr().out.strip() == str(out)
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["label", "optimizer", "step", "x", "y", "loss"]
    labels = list(dict.fromkeys(r["label"] for r in rows))
    assert labels == [
        "adam:lr=0.1",
        "nesterov momentum 0.25",
        "nesterov momentum 0.9",
        "nesterov momentum 0.975",
    ]
    assert len(rows) == 4 * 31
    adam = [r for r in rows if r["label"] == "adam:lr=0.1"]
    expected = L.run("wobbly", L.parse_spec("adam:lr=0.1"), steps=30)
    got = np.array([[float(r["x"]), float(r["y"])] for r in adam])
    np.testing.assert_array_equal(got, expected.xy)  # repr() round-trips floats exactly
    np.testing.assert_array_equal([float(r["loss"]) for r in adam], expected.loss)


def test_json_export_round_trips(tmp_path):
    out = tmp_path / "sub" / "dir" / "runs.json"  # missing directories are created
    assert (
        main(["render", "two-minimums", "--start", "1", "2", "--steps", "7", "-o", str(out)]) == 0
    )
    doc = json.loads(out.read_text())
    assert doc["version"] == L.__version__
    assert doc["surface"]["name"] == "two_minima"
    assert [r["label"] for r in doc["runs"]] == [label for label, _ in L.SUITES["article"].runs]
    adadelta = doc["runs"][2]
    assert adadelta["optimizer"] == "adadelta"
    assert adadelta["hparams"] == {"lr": 100.0, "rho": 0.95, "eps": 1e-6}
    assert adadelta["start"] == [1.0, 2.0] and adadelta["steps"] == 7
    assert adadelta["diverged"] is None
    expected = L.run("two_minima", L.parse_spec("adadelta:lr=100"), (1, 2), 7)
    np.testing.assert_array_equal(np.array(adadelta["xy"]), expected.xy)
    assert all(r["rounding_sensitive_from"] is None for r in doc["runs"])


def test_json_export_records_rounding_sensitivity(tmp_path):
    out = tmp_path / "ripple.json"
    assert main(["render", "ripple", "-O", "rmsprop:lr=0.25", "-O", "adam", "-o", str(out)]) == 0
    rmsprop, adam = json.loads(out.read_text())["runs"]
    expected = L.run("ripple", L.parse_spec("rmsprop:lr=0.25"), steps=125).rounding_sensitive_from
    assert isinstance(expected, int) and rmsprop["rounding_sensitive_from"] == expected
    assert adam["rounding_sensitive_from"] is None


def test_diverged_run_exports_cleanly(tmp_path, capsys):
    out = tmp_path / "d.json"
    assert main(["render", "simple_quad", "-O", "sgd:lr=1.5", "--steps", "30", "-o", str(out)]) == 0
    run = json.loads(out.read_text())["runs"][0]
    assert run["diverged"]["step"] == 19 and "safe range" in run["diverged"]["reason"]
    assert run["xy"][19] == [None, None] and len(run["xy"]) == 31
    assert "diverged at step 19" in capsys.readouterr().err
    csv_out = tmp_path / "d.csv"
    assert (
        main(["render", "simple_quad", "-O", "sgd:lr=1.5", "--steps", "30", "-o", str(csv_out)])
        == 0
    )
    assert len(csv_out.read_text().splitlines()) == 1 + 19


@pytest.mark.parametrize(
    "argv, fragment",
    [
        (["render", "wobly", "-o", "x.csv"], "did you mean 'wobbly'"),
        (["render", "wobbly", "-O", "adm", "-o", "x.csv"], "did you mean 'adam'"),
        (["render", "wobbly", "--suite", "artcle", "-o", "x.csv"], "did you mean 'article'"),
        (["render", "wobbly", "-o", "x.txt"], "unknown output suffix '.txt'"),
        (
            ["render", "wobbly", "--steps", "0", "-o", "x.csv"],
            "--steps: 0 is out of range (choose 1 to 100000)",
        ),
        (
            ["render", "wobbly", "--start", "1", "nan", "-o", "x.csv"],
            "'nan' is not a finite number",
        ),
        (["frobnicate"], "invalid choice: 'frobnicate'"),
    ],
)
def test_errors_are_one_line_exit_2(argv, fragment, capsys, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert fragment in err and err.count("\n") == 1 and "Traceback" not in err
    assert not list(tmp_path.iterdir())
