"""Faults found by a red team: each ends in one line, the documented status, nothing left behind."""

import errno
import fcntl
import os
import re
import resource
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from animator.cli.main import main
from animator.output.ffmpeg import ffmpeg_error

ROOT = Path(__file__).resolve().parents[1]
SMALL = ["--steps", "6", "--size", "160x128", "-q"]


def _animator(*argv, env=None, stdout=subprocess.PIPE, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "animator", *argv],
        stdout=stdout,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})},
        **kwargs,
    )


# --- write failures ----------------------------------------------------------------------------


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".html", ".png"])
def test_file_size_limit_is_one_line_naming_the_cause(tmp_path, suffix):
    """``ulimit -f``: ffmpeg dies of SIGXFSZ, Python gets EFBIG; neither is "Broken pipe"."""
    out = tmp_path / f"big{suffix}"

    def limit():
        resource.setrlimit(resource.RLIMIT_FSIZE, (8000, 8000))

    proc = _animator("render", "wobbly", "--steps", "30", "-q", "-o", str(out), preexec_fn=limit)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert err == f"animator: error: cannot write {str(out)!r}: File too large (file size limit)\n"
    assert list(tmp_path.iterdir()) == []


def test_ffmpeg_failures_are_named_by_their_cause_not_the_broken_pipe():
    log = (
        "[mp4 @ 0x55] av_interleaved_write_frame(): No space left on device\n"
        "Error writing trailer of /mnt/s/.x.1-ab.part.mp4: No space left on device\n"
    )
    exc = ffmpeg_error(1, log, "/mnt/s/x.mp4")
    assert (exc.errno, exc.strerror, exc.filename) == (
        errno.ENOSPC,
        "No space left on device",
        "/mnt/s/x.mp4",
    )
    assert ffmpeg_error(-25, "", "x.mp4").errno == errno.EFBIG  # SIGXFSZ
    other = ffmpeg_error(1, "line one\n  Unknown encoder 'libx264'  \n", "x.mp4")
    assert other.strerror == "ffmpeg failed: Unknown encoder 'libx264'"


# --- values that passed validation and failed later ---------------------------------------------


def _refused(argv, fragment, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert err.startswith("animator: error: ") and err.count("\n") == 1, err
    assert fragment in err, err


def test_fps_too_small_for_any_encoder_is_refused(tmp_path, capsys):
    _refused(["render", "simple_quad", "--fps", "1e-300", "-o", str(tmp_path / "a.mp4")],
             "'1e-300' is out of range (choose a finite number >= 0.01", capsys)  # fmt: skip
    assert list(tmp_path.iterdir()) == []


def test_lr_is_checked_and_refused_without_tune(tmp_path, capsys):
    out = str(tmp_path / "a.csv")
    _refused(["render", "simple_quad", "--lr", "garbage", "-o", out], "'garbage'", capsys)
    _refused(["render", "simple_quad", "--lr", "1e-3:1:5", "-o", out], "add --tune", capsys)
    assert list(tmp_path.iterdir()) == []


def test_empty_output_of_responses_is_not_the_current_directory(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    _refused(["responses", "-o", ""], "output path is empty", capsys)
    assert list(tmp_path.iterdir()) == []


def test_overlong_output_paths_are_bad_input(tmp_path, capsys):
    deep = tmp_path / ("d/" * 2100) / "a.csv"
    _refused(["render", "simple_quad", "-o", str(deep)], "bytes long; file systems allow", capsys)
    wide = tmp_path / ("w" * 300) / "a.csv"
    _refused(["render", "simple_quad", "-o", str(wide)], "is 300 bytes long", capsys)
    assert list(tmp_path.iterdir()) == []


def _set_immutable(path: Path, on: bool) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        flags = struct.unpack("l", fcntl.ioctl(fd, 0x80086601, b"\0" * 8))[0]  # GETFLAGS
        flags = flags | 0x10 if on else flags & ~0x10
        fcntl.ioctl(fd, 0x40086602, struct.pack("l", flags))  # SETFLAGS
    finally:
        os.close(fd)


def test_immutable_target_is_refused_before_any_work(tmp_path, capsys):
    target = tmp_path / "keep.gif"
    target.write_bytes(b"old")
    _set_immutable(target, True)  # needs root (CAP_LINUX_IMMUTABLE), as on CI
    try:
        _refused(["render", "wobbly", *SMALL, "-o", str(target)], "the file is immutable", capsys)
    finally:
        _set_immutable(target, False)
    assert target.read_bytes() == b"old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.gif"]


def test_refused_tune_creates_no_directories(tmp_path, capsys):
    out = tmp_path / "new" / "sub" / "a.csv"
    argv = ["render", "simple_quad", "--tune", "-O", "sgd", "--lr", "1e3:1e5:3", "--steps", "10"]
    _refused([*argv, "-o", str(out)], "every lr from 1000 to 100000 diverged", capsys)
    assert list(tmp_path.iterdir()) == []


# --- valid input that crashed or was refused ----------------------------------------------------


@pytest.mark.parametrize(
    "formula, extra",
    [
        ("exp(1000*x)", []),
        ("exp(exp(exp(x)))", []),
        ("1e300*x**2", []),
        ("x**2 + y", ["--window", "100000", "100000.0000001", "0", "1"]),
        ("-x**2+y**2", []),
        ("x**2 + y**2", ["--start", "-1e-3", "0", "--window", "-1e1", "1", "-2", "2"]),
        ("x**2 + y**2", ["--levels", "-5,0,5"]),
    ],
)
def test_extreme_but_valid_surfaces_render(tmp_path, formula, extra, capsys):
    out = tmp_path / "a.png"
    assert main(["render", formula, "-O", "adam", *SMALL, *extra, "-o", str(out)]) == 0, (
        capsys.readouterr().err
    )
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_overflowing_formula_is_refused_cleanly(tmp_path, capsys):
    _refused(["render", "x*1e308", *SMALL, "-o", str(tmp_path / "a.png")], "unusable", capsys)


# --- success reported as failure ----------------------------------------------------------------


def test_a_reader_that_leaves_or_a_full_stdout_does_not_fail_a_written_file(tmp_path):
    out = tmp_path / "x.json"
    argv = ["render", "simple_quad", "-O", "adam", "--steps", "3", "-o", str(out)]
    closed = subprocess.Popen(
        [sys.executable, "-m", "animator", *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    closed.stdout.close()  # `| true`
    assert (closed.wait(), closed.stderr.read()) == (0, b"")
    assert out.exists()
    with open("/dev/full", "w") as full:
        proc = _animator(*argv, stdout=full)
    assert proc.returncode == 0
    assert proc.stderr == b"animator: note: could not print to stdout: No space left on device\n"
    with open("/dev/full", "w") as full:  # `list`'s product is stdout: that one fails
        assert _animator("list", stdout=full).returncode == 1


@pytest.mark.parametrize("suffix", [".png", ".gif"])
def test_a_closed_stdout_does_not_fail_a_picture(tmp_path, suffix):
    """``animator ... >&-``: Python has no sys.stdout at all; the picture is written (a GIF's
    frames by two processes), one note says the path could not be printed; ``list`` fails."""
    out = tmp_path / f"x{suffix}"
    argv = ["render", "simple_quad", "-O", "adam", "--steps", "45", "--size", "160x120"]
    proc = subprocess.run(
        [sys.executable, "-m", "animator", *argv, "-o", str(out)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert (proc.returncode, proc.stderr) == (
        0, b"animator: note: could not print to stdout: stdout is closed\n"
    )  # fmt: skip
    assert out.stat().st_size > 0
    listing = subprocess.run(
        [sys.executable, "-m", "animator", "list"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: os.close(1),
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert listing.returncode == 1


def test_list_into_head_is_not_a_failure():
    proc = subprocess.run(
        f"'{sys.executable}' -m animator list --json | head -c 1; exit ${{PIPESTATUS[0]}}",
        shell=True,
        executable="/bin/bash",
        capture_output=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert (proc.returncode, proc.stdout, proc.stderr) == (0, b"{", b"")


def test_unicode_output_name_with_an_ascii_stdout(tmp_path):
    out = tmp_path / "é☃.json"
    argv = ["render", "simple_quad", "-O", "adam", "--steps", "3", "-o", str(out)]
    proc = _animator(*argv, env={"PYTHONIOENCODING": "ascii"})
    assert (proc.returncode, proc.stderr) == (0, b"")
    assert proc.stdout.decode().endswith("\\xe9\\u2603.json\n")
    assert out.exists()


# --- long jobs: an estimate, not a limit ----------------------------------------------------------


class _Terminal:
    def __init__(self):
        self.text = ""

    def isatty(self):
        return True

    def write(self, text):
        self.text += text

    def flush(self):
        pass


def test_a_long_render_says_how_long_once_and_a_short_one_says_nothing():
    from animator.output.eta import Estimate, human_duration

    now = [0.0]
    term = _Terminal()
    eta = Estimate(3021, stream=term, clock=lambda: now[0])
    for _ in range(80):  # 80 frames in the first 1.04 s: 3021 frames take about 40 s
        now[0] += 0.013
        eta.tick()
    assert term.text == (
        "\ranimator: note: about 40 s for 3021 frames; Ctrl-C stops it cleanly, leaving no file\n"
    )
    short = _Terminal()
    eta = Estimate(100, stream=short, clock=lambda: now[0])
    for _ in range(100):
        now[0] += 0.05  # 5 s in all
        eta.tick()
    assert short.text == ""
    assert Estimate(3021, quiet=True, stream=_Terminal()).pending is False
    assert [human_duration(s) for s in (7.4, 41, 200, 9000)] == ["7 s", "40 s", "3 min", "2.5 h"]


# --- memory: what is held at once ---------------------------------------------------------------


def test_a_sweep_past_the_memory_bound_runs_in_chunks_with_the_same_results(monkeypatch):
    import numpy as np

    import landscapes.sweep as sweeps

    args = ("hills_and_canyon", "adam", np.geomspace(1e-3, 10, 13), None, 40)
    whole = sweeps.sweep(*args)
    assert whole.trajectory is not None  # small: the batch is kept
    monkeypatch.setattr(sweeps, "SWEEP_MEMORY", 3 * 8 * 41 * 5)  # five rates at a time
    chunked = sweeps.sweep(*args)
    assert chunked.trajectory is None  # big: only what the outputs need
    np.testing.assert_array_equal(chunked.objective, whole.objective)
    np.testing.assert_array_equal(chunked.diverged_step, whole.diverged_step)
    assert chunked.to_dict() == whole.to_dict()
    assert (chunked.start_loss, chunked.steps) == (float(whole.trajectory.loss[0, 0]), 40)


def test_a_basin_map_past_the_memory_bound_runs_in_chunks_with_the_same_map(monkeypatch):
    import numpy as np

    import landscapes.basins as basins
    from landscapes import parse_spec

    opt = parse_spec("nesterov")
    whole = basins.basin_map("two_minima", opt, grid=9, steps=20)
    monkeypatch.setattr(basins, "BASIN_MEMORY", 3 * 8 * 21 * 10)  # ten starts at a time
    chunked = basins.basin_map("two_minima", opt, grid=9, steps=20)
    for name in ("basin", "steps_to", "final", "diverged_step"):
        np.testing.assert_array_equal(getattr(chunked, name), getattr(whole, name))
    assert chunked.label == whole.label


def test_basin_map_refuses_an_inverted_window():
    import landscapes.basins as basins
    from landscapes import InvalidValueError, parse_spec

    with pytest.raises(InvalidValueError, match="x0 < x1"):
        basins.basin_map("two_minima", parse_spec("adam"), grid=4, window=(1, -1, -1, 1))


# --- the Python API: the same checks, in one place (landscapes.runs) ----------------------------


@pytest.mark.parametrize(
    "kwargs, fragment",
    [
        ({"noise": "x"}, "noise='x' must be a finite number >= 0"),
        ({"noise": float("nan")}, "noise=nan must be"),
        ({"seed": -1}, "seed=-1 must be a whole number from 0 to 4294967295"),
        ({"seed": 1.5}, "seed=1.5 must be a whole number"),
    ],
)
def test_run_checks_noise_and_seed_like_the_cli(kwargs, fragment):
    from landscapes import InvalidValueError, run

    with pytest.raises(InvalidValueError, match=re.escape(fragment)):
        run("simple_quad", "adam", steps=3, **kwargs)


def test_run_takes_a_spec_string_and_refuses_anything_else():
    from landscapes import InvalidValueError, parse_spec, run
    from landscapes.runs import MAX_RUNS, run_many

    assert run("simple_quad", "adam:lr=0.1", steps=3).hparams["lr"] == 0.1
    with pytest.raises(InvalidValueError, match="an Optimizer or a spec string"):
        run("simple_quad", 5, steps=3)
    with pytest.raises(InvalidValueError, match=f"at most {MAX_RUNS} run together"):
        run_many("simple_quad", [parse_spec("sgd")] * (MAX_RUNS + 1), steps=3)


def test_the_python_api_makes_the_cli_checks(tmp_path):
    import animator
    from landscapes import InvalidValueError

    assert animator.plot("x**2 + y**2", ["adam"], steps=3).scene.surface.name == "x**2 + y**2"
    cases = [
        (lambda: animator.animate("simple_quad", ["adam"], steps=3, size="1200x800"), "size="),
        (lambda: animator.plot("simple_quad", ["adam"], steps=3, size=(60000, 60000)), "60000"),
        (lambda: animator.plot("simple_quad", ["adam"] * 25, steps=3), "at most 24"),
        (lambda: animator.plot("simple_quad", ["adam"], steps=3).save(None), "not None"),
    ]
    for make, fragment in cases:
        with pytest.raises(InvalidValueError, match=re.escape(fragment)):
            make()
    assert list(tmp_path.iterdir()) == []
