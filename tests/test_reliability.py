"""Every bad input: exit 2, one line naming the bad value and what is valid, no output left."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from animator.cli.main import main

R = ["render", "simple_quad"]
BAD_INPUTS = [
    # unknown names (with the closest valid one)
    (["render", "wobly", "-o", "{out}"], "unknown surface 'wobly' (did you mean 'wobbly'?)"),
    ([*R, "-O", "adm", "-o", "{out}"], "unknown optimizer 'adm' (did you mean 'adam'?)"),
    (
        [*R, "--suite", "nesterv", "-o", "{out}"],
        "unknown suite 'nesterv' (did you mean 'nesterov'?)",
    ),
    ([*R, "-o", "{dir}/out.txt"], "unknown output suffix '.txt'"),
    ([*R, "-o", "{dir}/out"], "unknown output suffix '(none)'"),
    (["rendr"], "invalid choice: 'rendr'"),
    # malformed specs
    ([*R, "-O", "adam:", "-o", "{out}"], "'adam:' ends with ':' but gives no key=value"),
    ([*R, "-O", "adam:lr", "-o", "{out}"], "expected key=value, got 'lr'"),
    ([*R, "-O", "adam:lr=", "-o", "{out}"], "lr= has no value"),
    ([*R, "-O", "adam:lr=abc", "-o", "{out}"], "lr='abc' is not a number"),
    ([*R, "-O", "adam:lr=1,lr=2", "-o", "{out}"], "sets lr twice"),
    ([*R, "-O", "adam:bogus=1", "-o", "{out}"], "unknown hyperparameter of adam 'bogus'"),
    ([*R, "-O", ":lr=1", "-o", "{out}"], "':lr=1' has no optimizer name"),
    # hyperparameters out of their domain
    ([*R, "-O", "adam:lr=0", "-o", "{out}"], "lr must be a finite number > 0"),
    ([*R, "-O", "adam:lr=-0.1", "-o", "{out}"], "lr=-0.1 is out of range"),
    ([*R, "-O", "adam:lr=nan", "-o", "{out}"], "lr=nan is out of range"),
    ([*R, "-O", "adam:lr=inf", "-o", "{out}"], "lr=inf is out of range"),
    ([*R, "-O", "nesterov:momentum=1", "-o", "{out}"], "momentum must be a number in [0, 1)"),
    ([*R, "-O", "nesterov:momentum=-0.5", "-o", "{out}"], "momentum=-0.5 is out of range"),
    ([*R, "-O", "rmsprop:rho=1.5", "-o", "{out}"], "rho must be a number in [0, 1)"),
    ([*R, "-O", "adam:beta1=nan", "-o", "{out}"], "beta1=nan is out of range"),
    ([*R, "-O", "adam:beta2=1", "-o", "{out}"], "beta2 must be a number in [0, 1)"),
    ([*R, "-O", "adam:eps=0", "-o", "{out}"], "eps must be a finite number > 0"),
    ([*R, "-O", "adam:eps=-1e-8", "-o", "{out}"], "eps=-1e-08 is out of range"),
    # counts and sizes
    ([*R, "--steps", "0", "-o", "{out}"], "--steps: 0 is out of range (choose 1 to 100000)"),
    ([*R, "--steps", "-5", "-o", "{out}"], "--steps: -5 is out of range"),
    ([*R, "--steps", "ten", "-o", "{out}"], "--steps: 'ten' is not a whole number"),
    ([*R, "--steps", "1e12", "-o", "{out}"], "--steps: '1e12' is not a whole number"),
    ([*R, "--steps", "100001", "-o", "{out}"], "--steps: 100001 is out of range"),
    ([*R, "--fps", "0", "-o", "{out}"], "--fps: '0' is out of range"),
    ([*R, "--fps", "-3", "-o", "{out}"], "--fps: '-3' is out of range"),
    ([*R, "--fps", "fast", "-o", "{out}"], "--fps: 'fast' is not a number"),
    ([*R, "--fps", "1e9", "-o", "{out}"], "--fps: '1e9' is out of range"),
    ([*R, "--dpi", "0", "-o", "{out}"], "--dpi: 0 is out of range (choose 20 to 600)"),
    ([*R, "--dpi", "99999", "-o", "{out}"], "--dpi: 99999 is out of range"),
    ([*R, "--size", "0x0", "-o", "{out}"], "--size: '0x0' is out of range"),
    ([*R, "--size", "100x16", "-o", "{out}"], "each side 64 to 4096 pixels"),
    ([*R, "--size=-100x50", "-o", "{out}"], "--size: '-100x50' is out of range"),
    ([*R, "--size", "big", "-o", "{out}"], "--size: 'big' is not WIDTHxHEIGHT"),
    ([*R, "--size", "100000x100000", "-o", "{out}"], "each side 64 to 4096 pixels"),
    ([*R, "--size", "641x480", "-o", "{out}"], "must have even sides"),
    ([*R, "--duration", "0", "-o", "{out}"], "--duration: '0' is out of range"),
    # start points
    ([*R, "--start", "1", "-o", "{out}"], "--start: expected 2 arguments"),
    ([*R, "--start", "1", "x", "-o", "{out}"], "--start: 'x' is not a number"),
    ([*R, "--start", "inf", "0", "-o", "{out}"], "--start: 'inf' is not a finite number"),
    ([*R, "--start", "nan", "0", "-o", "{out}"], "--start: 'nan' is not a finite number"),
    # output paths
    ([*R, "-o", "{dir}"], "is an existing directory"),
    ([*R, "-o", "{file}/out.csv"], "is a file, not a directory"),
    ([*R, "-o", "/proc/out.csv"], "cannot write in directory '/proc'"),
    ([*R], "the following arguments are required: -o/--output"),
    ([*R, "-o", "{dir}/" + "n" * 300 + ".csv"], "output file name is 304 bytes long"),
    (["render", "log(x)", "--start", "-1", "0", "-o", "{out}"], "start (-1, 0) is unusable"),
    # formulas (more in test_formula.py)
    (["render", "x**2 + __import__('os')", "-o", "{out}"], "unknown function '__import__'"),
    (["render", "x^2", "-o", "{out}"], "'^' is not a power here"),
    # the other commands
    (["responses", "--method", "adm", "-o", "{dir}/r"], "unknown response method 'adm'"),
    (["responses", "--signal", "sawtooth", "-o", "{dir}/r"], "did you mean 'uneven_sawtooth'"),
    (["responses", "-o", "{dir}/r.txt"], "unknown output suffix '.txt'"),
    (["basins", "simple_quad", "--grid", "0", "-o", "{dir}/b.png"], "--grid: 0 is out of range"),
    (["basins", "simple_quad", "-O", "adam:lr=x", "-o", "{dir}/b.png"], "lr='x' is not a number"),
    (["sweep", "simple_quad", "--lr", "1:0.1:5", "-o", "{dir}/s.png"], "must be below HIGH"),
    (["sweep", "wobly", "-o", "{dir}/s.png"], "did you mean 'wobbly'"),
]


@pytest.mark.parametrize("argv, fragment", BAD_INPUTS, ids=[" ".join(a) for a, _ in BAD_INPUTS])
def test_bad_input(argv, fragment, tmp_path, capsys, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    afile = tmp_path / "afile"
    afile.write_text("x")
    monkeypatch.chdir(work)
    fmt = {"out": str(work / "out.csv"), "dir": str(work), "file": str(afile)}
    argv = [a.format(**fmt) for a in argv]
    assert main(argv) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("animator: error: ")
    assert captured.err.count("\n") == 1, captured.err
    assert fragment in captured.err
    assert captured.out == ""
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["afile", "work"]


def test_missing_output_directory_is_created(tmp_path):
    out = tmp_path / "a" / "b" / "runs.csv"
    assert main(["render", "simple_quad", "-O", "sgd", "--steps", "3", "-o", str(out)]) == 0
    assert out.read_text().startswith("label,optimizer,step,x,y,loss\n")


def test_same_export_twice_is_byte_identical(tmp_path):
    for suffix in (".csv", ".json"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        argv = ["render", "wobbly", "--suite", "nesterov", "-O", "adam", "--noise", "0.3"]
        assert main([*argv, "--seed", "5", "-o", str(a)]) == 0
        assert main([*argv, "--seed", "5", "-o", str(b)]) == 0
        assert a.read_bytes() == b.read_bytes()
    assert b'"seed": 5' in (tmp_path / "a.json").read_bytes()


def test_failed_write_leaves_no_file(tmp_path, monkeypatch):
    """An error in the middle of writing (here: an injected encoder failure) leaves nothing."""
    import animator.output.exports as exports

    def broken(scene):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(exports, "scene_to_csv", broken)
    out = tmp_path / "runs.csv"
    assert main(["render", "simple_quad", "-O", "sgd", "--steps", "3", "-o", str(out)]) == 1
    assert list(tmp_path.iterdir()) == []


def test_failed_write_keeps_previous_file(tmp_path, monkeypatch):
    from animator.output.atomic import atomic_path

    target = tmp_path / "keep.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        tmp.write_text("new, half")
        raise RuntimeError("encoder died")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


def test_ctrl_c_exits_130_and_leaves_nothing(tmp_path):
    out = tmp_path / "long.csv"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[1])}
    argv = ["render", "wobbly", "--suite", "article", "--steps", "100000", "-o", str(out)]
    proc = subprocess.Popen(
        [sys.executable, "-m", "animator", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        text=True,
    )
    time.sleep(2.5)  # imports done, well inside the runs
    assert proc.poll() is None, proc.communicate()
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=90)
    assert (proc.returncode, err) == (130, "animator: interrupted\n")
    assert list(tmp_path.iterdir()) == []


def test_same_picture_twice_is_byte_identical(tmp_path):
    argv = ["render", "wobbly", "--suite", "nesterov", "--steps", "12", "--size", "320x240"]
    for suffix in (".png", ".gif", ".svg", ".pdf"):
        a, b = tmp_path / f"a{suffix}", tmp_path / f"b{suffix}"
        assert main([*argv, "-q", "-o", str(a)]) == 0
        assert main([*argv, "-q", "-o", str(b)]) == 0
        assert a.read_bytes() == b.read_bytes(), suffix


def test_divergence_prints_a_note_not_numpy_warnings(tmp_path, capsys):
    out = tmp_path / "d.png"
    argv = ["render", "ripple", "-O", "sgd:lr=1e300", "-O", "adam", "--steps", "5", "-o", str(out)]
    assert main([*argv, "--size", "320x240"]) == 0
    err = capsys.readouterr().err
    assert err == "note: sgd:lr=1e300 diverged at step 1: the loss stopped being finite\n"


def test_longest_file_name_is_written(tmp_path):
    out = tmp_path / ("n" * 251 + ".csv")
    assert main(["render", "simple_quad", "-O", "sgd", "--steps", "2", "-o", str(out)]) == 0
    assert out.exists() and [p.name for p in tmp_path.iterdir()] == [out.name]
