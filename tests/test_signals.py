"""Ctrl-C, SIGTERM and SIGHUP at any moment: one line, exit 128 + n, nothing left behind.

Each animated format is interrupted at moments spread from the start of our program (the
moment its signal handler is installed) to past its last frame, measured on a first complete
run of the same command on this machine, so the spread holds under any load.
"""

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
STATUS = {signal.SIGINT: 130, signal.SIGTERM: 143, signal.SIGHUP: 129}
LINE = {
    signal.SIGINT: "animator: interrupted\n",
    signal.SIGTERM: "animator: terminated (SIGTERM)\n",
    signal.SIGHUP: "animator: hung up (SIGHUP)\n",
}
FORMATS = (".gif", ".mp4", ".html")
MOMENTS = 7  # per format: 21 interrupts with INT, plus TERM and HUP below
OLD = b"an existing target that an interrupted run must leave alone"


def _argv(out: Path) -> list[str]:
    return ["render", "wobbly", "--steps", "24", "--size", "160x128", "-q", "-o", str(out)]


def _start(out: Path, tmpdir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "TMPDIR": str(tmpdir)}
    return subprocess.Popen(
        [sys.executable, "-m", "animator", *_argv(out)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )


def _handler_installed(pid: int) -> bool:
    """Our handler for SIGTERM is in place (the program, not the interpreter, is running)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return True  # already gone
    caught = int(next(x for x in status.splitlines() if x.startswith("SigCgt:")).split()[1], 16)
    return bool(caught & (1 << (signal.SIGTERM - 1)))


def _wait_ready(proc: subprocess.Popen) -> float:
    while proc.poll() is None and not _handler_installed(proc.pid):
        time.sleep(0.005)
    return time.monotonic()


def _run(workdir: Path, suffix: str, signum: int | None, delay: float) -> dict:
    """One render of ``suffix``, signalled ``delay`` seconds after its handler is ready."""
    out_dir, tmpdir = workdir / "out", workdir / "tmp"
    out_dir.mkdir(parents=True)
    tmpdir.mkdir()
    out = out_dir / f"anim{suffix}"
    out.write_bytes(OLD)
    proc = _start(out, tmpdir)
    ready = _wait_ready(proc)
    if signum is not None:
        time.sleep(max(0.0, ready + delay - time.monotonic()))
        if proc.poll() is None:
            proc.send_signal(signum)
    stdout, stderr = proc.communicate(timeout=300)
    return {
        "status": proc.returncode,
        "stderr": stderr.decode(),
        "left": sorted(p.name for d in (out_dir, tmpdir) for p in d.iterdir()),
        "data": out.read_bytes() if out.exists() else None,
        "elapsed": time.monotonic() - ready,
    }


def _check(result: dict, signum: int, suffix: str, complete: bytes) -> None:
    assert result["left"] == [f"anim{suffix}"], result
    if result["status"] == 0:  # the signal came after the file was in place
        assert result["data"] == complete or suffix != ".gif", result
        assert result["data"] != OLD and len(result["data"]) > 1000, result["status"]
    else:
        assert (result["status"], result["stderr"]) == (STATUS[signum], LINE[signum]), result
        assert result["data"] == OLD


@pytest.fixture(scope="module")
def complete_runs(tmp_path_factory):
    """A finished run per format: its output and how long the program ran."""
    base = tmp_path_factory.mktemp("complete")
    with ThreadPoolExecutor(2) as pool:
        results = pool.map(lambda s: _run(base / s.lstrip("."), s, None, 0.0), FORMATS)
    runs = dict(zip(FORMATS, results, strict=True))
    for result in runs.values():
        assert (result["status"], result["stderr"]) == (0, ""), result
    return runs


def test_ctrl_c_at_any_moment_of_every_animated_format_exits_130_and_leaves_nothing(
    tmp_path, complete_runs
):
    jobs = []
    for suffix in FORMATS:
        total = complete_runs[suffix]["elapsed"]
        for i in range(MOMENTS):  # from the first bytecode of ours to a little past the end
            jobs.append((suffix, signal.SIGINT, 1.1 * total * i / (MOMENTS - 1)))
    with ThreadPoolExecutor(2) as pool:  # two at a time: the moments still spread, faster
        results = list(
            pool.map(lambda j: _run(tmp_path / f"{j[0][1:]}-{j[2]:.3f}", *j), jobs, timeout=600)
        )
    for (suffix, signum, _), result in zip(jobs, results, strict=True):
        _check(result, signum, suffix, complete_runs[suffix]["data"])
    # the first moment of each format (right after the handler is in place) always interrupts;
    # how many later ones land before the end depends on the load, so no count beyond that
    first = [r["status"] for (_, _, delay), r in zip(jobs, results, strict=True) if delay == 0]
    assert first == [130] * len(FORMATS), first


def test_term_and_hup_end_like_ctrl_c_with_their_own_status(tmp_path, complete_runs):
    jobs = [
        (suffix, signum, complete_runs[suffix]["elapsed"] * share)
        for suffix in FORMATS
        for signum, share in ((signal.SIGTERM, 0.35), (signal.SIGHUP, 0.75))
    ]
    with ThreadPoolExecutor(2) as pool:
        results = list(
            pool.map(lambda j: _run(tmp_path / f"{j[0][1:]}-{j[2]:.3f}", *j), jobs, timeout=600)
        )
    for (suffix, signum_, _), result in zip(jobs, results, strict=True):
        _check(result, signum_, suffix, complete_runs[suffix]["data"])


def test_a_stale_part_file_of_a_killed_run_is_removed_and_reported(tmp_path):
    """SIGKILL cannot be handled; the next run of the same target cleans up after it."""
    out = tmp_path / "runs.csv"
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()  # a pid that no longer runs
    stale = tmp_path / f".runs.{dead.pid}-0123abcd.part.csv"
    stale.write_text("half")
    live = tmp_path / f".runs.{os.getpid()}-0123abcd.part.csv"  # a running writer: kept
    live.write_text("busy")
    other = tmp_path / ".notes.txt"
    other.write_text("not ours")
    proc = subprocess.run(
        [sys.executable, "-m", "animator", "render", "simple_quad", "-O", "sgd", "--steps", "2"]
        + ["-o", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == f"note: removed {str(stale)!r}, left by an interrupted run\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [".notes.txt", live.name, "runs.csv"]
    )


def _children(pid: int) -> list[int]:
    kids = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        kids += [int(k) for k in (task / "children").read_text().split()]
    return kids


def test_sigterm_to_gallery_kills_its_workers_and_keeps_the_old_gallery_whole(tmp_path):
    gallery = tmp_path / "g"
    gallery.mkdir()
    (gallery / "README.md").write_text("the old gallery\n")
    (gallery / "old.png").write_bytes(b"old picture")
    argv = ["gallery", "-o", str(gallery), "--only", "classic", "--basin-grid", "4"]
    proc = subprocess.Popen(
        [sys.executable, "-m", "animator", *argv, "--size", "160x128", "-q", "--jobs", "2"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    deadline = time.monotonic() + 120
    while proc.poll() is None and time.monotonic() < deadline:
        staging = [p for p in tmp_path.iterdir() if p.name.startswith(".g.")]
        if staging and any(p.is_file() for p in staging[0].rglob("*")):
            break  # the workers are writing pictures
        time.sleep(0.05)
    assert proc.poll() is None, proc.communicate()
    workers = _children(proc.pid)
    assert len(workers) >= 2, workers
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert (proc.returncode, err) == (143, b"animator: terminated (SIGTERM)\n")
    for pid in workers:  # gone, not writing on into the gallery
        assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g"]
    assert sorted(p.name for p in gallery.iterdir()) == ["README.md", "old.png"]
    assert (gallery / "README.md").read_text() == "the old gallery\n"


def test_a_killed_gallery_build_is_removed_by_the_next_one(tmp_path):
    from animator.galleries.build import remove_stale_builds, swap_in

    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    stale = tmp_path / f".g.{dead.pid}-abcd1234.tmp"
    (stale / "trajectories").mkdir(parents=True)
    (stale / "trajectories" / ".x.part.png").write_bytes(b"")
    running = tmp_path / f".g.{os.getpid()}-abcd1234.tmp"
    running.mkdir()
    assert remove_stale_builds(tmp_path / "g") == [stale]
    assert sorted(p.name for p in tmp_path.iterdir()) == [running.name]
    # the swap: the new directory takes the old one's place, the old one goes to staging
    (tmp_path / "g").mkdir()
    (tmp_path / "g" / "old").write_text("old")
    (running / "new").write_text("new")
    swap_in(running, tmp_path / "g")
    assert [p.name for p in (tmp_path / "g").iterdir()] == ["new"]
    assert [p.name for p in running.iterdir()] == ["old"]
