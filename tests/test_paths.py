"""Recorded paths: CSV in, drawn over any surface, losses from the surface when absent."""

from __future__ import annotations

import json

import numpy as np
import pytest

from animator.cli.main import main
from landscapes import InvalidValueError, Trajectory, get_surface, parse_spec, run
from landscapes.paths import hold_to, read_paths


def test_csv_export_round_trips_through_path(tmp_path):
    """render -> CSV -> --path -> JSON gives back every point and loss, bit for bit."""
    csv_file, back = tmp_path / "runs.csv", tmp_path / "back.json"
    argv = ["render", "hills_and_canyon", "-O", "adam", "-O", "nesterov", "--steps", "30"]
    assert main([*argv, "-o", str(csv_file)]) == 0
    assert main(["render", "hills_and_canyon", "--path", str(csv_file), "-o", str(back)]) == 0
    runs = json.loads(back.read_text())["runs"]
    assert [r["label"] for r in runs] == ["adam", "nesterov"]
    surface = get_surface("hills_and_canyon")
    for r in runs:
        original = run(surface, parse_spec(r["label"]), None, 30)
        np.testing.assert_array_equal(np.array(r["xy"]), original.xy)
        np.testing.assert_array_equal(np.array(r["loss"]), original.loss)
        assert r["optimizer"] == "recorded"


def test_losses_computed_when_absent_and_steps_order_the_points(tmp_path):
    f = tmp_path / "paper.csv"
    f.write_text("step,y,x\n2,0,0\n0,2,1\n1,1,0.5\n")
    (t,) = read_paths(f, "simple_quad")
    assert t.label == "paper" and t.steps == 2
    np.testing.assert_array_equal(t.xy, [[1, 2], [0.5, 1], [0, 0]])
    np.testing.assert_array_equal(t.loss, [5, 1.25, 0])


def test_several_files_and_lengths_share_one_picture(tmp_path):
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    a.write_text("label,x,y,loss\nfirst,1,1,7\nfirst,0.5,0.5,3\nsecond,-1,1,\n")
    b.write_text("x,y\n" + "".join(f"{1 - i / 10},{i / 10}\n" for i in range(8)))
    out = tmp_path / "p.json"
    argv = ["render", "simple_quad", "--path", str(a), "--path", str(b), "-O", "sgd"]
    assert main([*argv, "--steps", "3", "-o", str(out)]) == 0
    runs = {r["label"]: r for r in json.loads(out.read_text())["runs"]}
    assert set(runs) == {"sgd", "first", "second", "b"}
    assert {r["steps"] for r in runs.values()} == {7}  # the longest path sets the length
    assert runs["first"]["loss"][:2] == [7, 3] and runs["first"]["xy"][-1] == [0.5, 0.5]
    assert runs["second"]["loss"] == [2] * 8  # one point, held; loss from the surface
    assert (
        main([*argv, "--steps", "3", "--size", "240x160", "-q", "-o", str(tmp_path / "p.gif")]) == 0
    )
    assert main([*argv, "--steps", "3", "--size", "240x160", "-o", str(tmp_path / "p.png")]) == 0


@pytest.mark.parametrize(
    "text, words",
    [
        ("a,b\n1,2\n", "needs a header with columns x,y"),
        ("x,y\n", "has a header but no points"),
        ("x,y\n1,two\n", "line 2: x, y, step and loss must be numbers"),
        ("x,y\n1,nan\n", "is not finite"),
        ("x,y,step\n1,1,0\n2,2,0\n", "repeats a step number"),
    ],
)
def test_bad_path_files_are_one_line_errors(tmp_path, capsys, text, words):
    f = tmp_path / "bad.csv"
    f.write_text(text)
    out = tmp_path / "x.png"
    assert main(["render", "simple_quad", "--path", str(f), "-o", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and words in err[0]
    assert not out.exists()


def test_missing_path_file(tmp_path, capsys):
    assert main(["render", "simple_quad", "--path", str(tmp_path / "no.csv"), "-o", "x.png"]) == 2
    assert "cannot read path file" in capsys.readouterr().err


def test_from_points_validates_and_computes_the_loss():
    t = Trajectory.from_points("simple_quad", [[3, 4], [0, 1]], label="mine")
    np.testing.assert_array_equal(t.loss, [25, 1])
    assert t.steps == 1 and t.diverged_at is None and t.label == "mine"
    for bad, words in [
        ([1, 2], "shape"),
        ([[1, 2, 3]], "shape"),
        ([[0, 0], [np.inf, 1]], "point 1 (inf, 1) is not finite"),
        ([["a", "b"]], "must be numbers"),
    ]:
        with pytest.raises(InvalidValueError) as info:
            Trajectory.from_points("simple_quad", bad)
        assert words in str(info.value)
    with pytest.raises(InvalidValueError, match="loss must be 2 finite numbers"):
        Trajectory.from_points("simple_quad", [[0, 0], [1, 1]], loss=[1])


def test_hold_keeps_the_last_point_and_blanks_the_state():
    t = run("simple_quad", parse_spec("adam"), (1, 1), 3, record_state=True)
    h = hold_to(t, 5)
    assert h.steps == 5 and (h.xy[4:] == t.xy[3]).all() and (h.loss[4:] == t.loss[3]).all()
    assert h.state.velocity.shape == (6, 2) and np.isnan(h.state.velocity[4:]).all()
    assert hold_to(t, 2) is t
