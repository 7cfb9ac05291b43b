"""Frames drawn in forked processes: the same GIF bytes as from one process, errors come back."""

from __future__ import annotations

import io
import os
import signal
import sys

import numpy as np
import pytest

import animator
from animator.output import forked
from animator.output.gif import GifWriter


@pytest.fixture
def workers(monkeypatch):
    """``workers(n)`` sets the processes per job; the default is restored afterwards. JAX (from
    the optax tests) would forbid forking: these tests stand for a process without it."""
    monkeypatch.delitem(sys.modules, "jax", raising=False)
    yield forked.set_workers
    forked.set_workers(None)


def _frames_with_repeats(seed: int) -> list[np.ndarray]:
    """Frames of indices where some are identical to the one before (they lengthen it)."""
    rng = np.random.default_rng(seed)
    frames = [rng.integers(0, 6, (9, 13)).astype(np.uint8)]
    for _ in range(11):
        f = frames[-1].copy()
        if rng.random() < 0.6:  # else: the same frame again
            mask = rng.random(f.shape) < 0.1
            f[mask] = rng.integers(0, 6, int(mask.sum()))
        frames.append(f)
    return frames


def _split_writers(frames, palette, durations, edges) -> bytes:
    """The GIF of one writer for ``frames[:edges[1]]`` joined by parts for the other ranges."""
    buf = io.BytesIO()
    writer = GifWriter(buf, (13, 9), palette)
    for f, d in zip(frames[: edges[1]], durations[: edges[1]], strict=True):
        writer.add(f, d)
    for lo, hi in zip(edges[1:-1], edges[2:], strict=True):
        data = io.BytesIO()
        part = GifWriter(data, (13, 9), palette, header=False)
        part.prime(frames[lo - 1])
        for f, d in zip(frames[lo:hi], durations[lo:hi], strict=True):
            part.add(f, d)
        data.seek(0)
        writer.join(part.detach(), data)
    writer.close()
    return buf.getvalue()


def _one_writer(frames, palette, durations) -> bytes:
    buf = io.BytesIO()
    writer = GifWriter(buf, (13, 9), palette)
    for f, d in zip(frames, durations, strict=True):
        writer.add(f, d)
    writer.close()
    return buf.getvalue()


@pytest.mark.parametrize("seed", range(6))
def test_parts_joined_equal_one_writer_at_every_split(seed):
    """Splitting the frames into 2 or 3 parts anywhere (identical frames at the seams, parts
    with no change at all) and joining them gives the bytes of one writer."""
    frames = _frames_with_repeats(seed)
    palette = np.random.default_rng(seed).integers(0, 256, (6, 3)).astype(np.uint8)
    durations = [50.0 + 10 * i for i in range(len(frames))]
    want = _one_writer(frames, palette, durations)
    n = len(frames)
    splits = [(a,) for a in range(1, n)] + [(a, b) for a in range(1, n) for b in range(a + 1, n)]
    for cuts in splits:
        assert _split_writers(frames, palette, durations, [0, *cuts, n]) == want, cuts


def test_chunks_cover_the_range_and_respect_the_minimum(workers):
    workers(3)
    assert forked.chunks(10) == [(0, 10)]  # too few items for a second process
    assert forked.chunks(2 * forked.MIN_CHUNK) == [(0, 20), (20, 40)]
    assert forked.chunks(100) == [(0, 33), (33, 67), (67, 100)]
    workers(1)
    assert forked.chunks(100) == [(0, 100)]


def test_chunks_give_later_parts_fewer_items_by_their_catch_up(workers):
    """Cost of a part = its items + catch_up x the items before it: equal for every part."""
    for n, parts, c in [(126, 2, 0.13), (2001, 2, 0.13), (2001, 3, 0.13), (240, 2, 0.55)]:
        workers(parts)
        ranges = forked.chunks(n, catch_up=c)
        assert ranges[0][0] == 0 and ranges[-1][1] == n and len(ranges) == parts
        assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
        costs = [(hi - lo) + c * lo for lo, hi in ranges]
        assert max(costs) - min(costs) <= 1 + c, (n, parts, c, ranges)
        sizes = [hi - lo for lo, hi in ranges]
        assert sizes == sorted(sizes, reverse=True)


@pytest.mark.parametrize("suffix", [".gif"])
def test_gif_from_forked_processes_is_the_same_bytes(tmp_path, workers, suffix):
    """1, 2 and 3 processes write the same file; the split really happens (not skipped)."""
    anim = animator.animate("two_minima", suite="article", steps=70, size=(240, 180), hold=0.5)
    outputs = []
    for n in (1, 2, 3):
        workers(n)
        assert len(forked.chunks(71)) == n, "forking is not available here"
        path = tmp_path / f"w{n}{suffix}"
        anim.save(path)
        outputs.append(path.read_bytes())
    assert outputs[1] == outputs[0]
    assert outputs[2] == outputs[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w1.gif", "w2.gif", "w3.gif"]


def _boom(lo, hi, out, done):
    if lo >= 20:
        raise ValueError(f"no frame {lo}")
    done(hi - lo)
    return lo


def _killed(lo, hi, out, done):
    os.kill(os.getpid(), signal.SIGKILL)  # as the kernel does to a process out of memory


def _vanish(lo, hi, out, done):
    os._exit(3)


def _work(lo, hi, out, done):
    for k in range(lo, hi):
        out.write(bytes([k]))
        done(k - lo + 1)
    return (lo, hi)


def test_a_killed_child_is_one_clear_error_not_ours(tmp_path, capsys):
    """A helper killed by SIGKILL (the kernel's answer to a lack of memory) is an OSError
    naming the signal; the command line prints it in one line and exits 1, not 70."""
    with (
        forked.Forked([(0, 5)], _killed) as children,
        pytest.raises(OSError, match=r"killed by SIGKILL \(out of memory\?\)"),
    ):
        list(children.results())


def test_children_send_back_results_bytes_and_counts(tmp_path):
    with forked.Forked([(0, 4), (4, 9)], _work, beside=tmp_path) as children:
        got = [(result, data.read()) for result, data in children.results()]
        assert children.done() == 9
    assert got == [((0, 4), bytes(range(4))), ((4, 9), bytes(range(4, 9)))]
    assert list(tmp_path.iterdir()) == []  # the children's files were never visible


def test_a_child_error_is_raised_in_the_parent(tmp_path):
    with forked.Forked([(0, 20), (20, 40)], _boom) as children:
        results = children.results()
        assert next(results)[0] == 0
        with pytest.raises(ValueError, match="no frame 20"):
            next(results)
    with (
        forked.Forked([(0, 5)], _vanish) as children,
        pytest.raises(OSError, match="ended with status 3 and no result"),
    ):
        list(children.results())


def test_runs_aside_are_the_same_bits_and_errors_come_back(workers, monkeypatch):
    """``aside`` computes in a child while the ``meanwhile`` task runs here: the trajectories
    (recorded optimizer state included) equal those computed here, bit for bit."""
    import landscapes as L

    surface = L.get_surface("hills_and_canyon")
    opts = [L.parse_spec(s) for s in ("adam", "nesterov", "rmsprop:lr=0.3")]
    here = L.run_many(surface, opts, None, 40, record_state=True)
    seen = []

    def where(*args, **kwargs):
        seen.append(os.getpid())  # in the child's memory: never seen here
        return L.run_many(*args, **kwargs)

    monkeypatch.setattr(forked, "usable_cores", lambda: 2)  # the child path on any machine
    with forked.meanwhile(lambda: seen.append("task")):
        aside = forked.aside(where, surface, opts, None, 40, record_state=True)
    assert seen == ["task"]
    for a, b in zip(here, aside, strict=True):
        assert a.label == b.label
        assert np.array_equal(a.xy, b.xy) and np.array_equal(a.loss, b.loss)
        assert np.array_equal(a.companions, b.companions)
        assert np.array_equal(a.state.grad, b.state.grad)
        for name in a.state.fields:
            assert np.array_equal(a.state.fields[name], b.state.fields[name])

    def fails():
        raise L.InvalidValueError("no such run")

    with forked.meanwhile(lambda: None), pytest.raises(L.InvalidValueError, match="no such run"):
        forked.aside(fails)
    assert forked.aside(lambda: 7) == 7  # no task pending: computed here
    with forked.meanwhile(lambda: None):  # a result that cannot travel: computed here again
        assert forked.aside(lambda: lambda: os.getpid())() == os.getpid()


def test_a_seam_inside_a_held_frame_keeps_the_delay_of_one_writer():
    """Identical frames across a seam lengthen one frame: its durations (1000/24 ms, not exact
    in binary) are summed in the order one writer sums them, so its delay rounds the same."""
    frame = np.arange(9 * 13, dtype=np.uint8).reshape(9, 13) % 6
    frames = [frame] * 9 + [frame[::-1].copy()]
    palette = np.random.default_rng(0).integers(0, 256, (6, 3)).astype(np.uint8)
    durations = [1000 / 24] * len(frames)
    want = _one_writer(frames, palette, durations)
    for cut in range(1, len(frames)):
        assert _split_writers(frames, palette, durations, [0, cut, len(frames)]) == want, cut


class _TwoArgError(Exception):
    """Pickles, but does not unpickle: its args are the message, its __init__ wants two."""

    def __init__(self, what, where):
        super().__init__(f"{what} at {where}")


def _two_arg_error():
    raise _TwoArgError("no run", 3)


def test_an_error_that_cannot_be_read_back_is_raised_as_itself(workers, monkeypatch):
    monkeypatch.setattr(forked, "usable_cores", lambda: 2)
    with forked.meanwhile(lambda: None), pytest.raises(_TwoArgError, match="no run at 3"):
        forked.aside(_two_arg_error)


def test_what_a_child_prints_reaches_a_piped_stdout():
    """The child ends with ``os._exit``: what it printed into a block-buffered stdout (a pipe)
    must be flushed first."""
    import subprocess

    script = (
        "from animator.output import forked\n"
        "def fn():\n"
        "    print('from the child')\n"
        "    return 5\n"
        "with forked.meanwhile(lambda: None):\n"
        "    print('result', forked.aside(fn))\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    out = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    ).stdout
    assert out == "from the child\nresult 5\n"


def test_a_fork_that_fails_half_way_leaves_no_child_or_descriptor(tmp_path, monkeypatch):
    """``__exit__`` does not run when ``__enter__`` raises: the children already started must
    be killed and reaped there, and the pipes and files of the failed one closed."""
    from animator.output import signals

    real_fork, forks = os.fork, []

    def fork_once():
        if forks:
            raise BlockingIOError(11, "Resource temporarily unavailable")
        pid = real_fork()
        if pid:
            forks.append(pid)
        return pid

    fds = len(os.listdir("/proc/self/fd")) if os.path.isdir("/proc/self/fd") else None
    monkeypatch.setattr(os, "fork", fork_once)
    with pytest.raises(BlockingIOError):  # noqa: SIM117 - the with itself must raise
        with forked.Forked([(0, 20), (20, 40)], _work, beside=tmp_path):
            pass
    (pid,) = forks
    with pytest.raises(ChildProcessError):  # already reaped
        os.waitpid(pid, os.WNOHANG)
    assert not signals._procs
    if fds is not None:
        assert len(os.listdir("/proc/self/fd")) == fds


def test_a_picture_with_stderr_closed_is_written(tmp_path):
    """``2>&-``: Python starts with ``sys.stderr`` None; the flushes before a fork and at the
    end of the command must not turn that into an error (the runs are computed aside here)."""
    import subprocess

    out = tmp_path / "a.png"
    args = ["render", "simple_quad", "-O", "sgd", "--steps", "10", "--size", "200x150"]
    done = subprocess.run(
        [sys.executable, "-m", "animator", *args, "-q", "-o", str(out)],
        preexec_fn=lambda: os.close(2),  # noqa: PLW1509 - only closes a descriptor
        capture_output=False,
        stdout=subprocess.PIPE,
        text=True,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (0, f"{out}\n")
    assert out.stat().st_size > 0


def test_forked_children_work_under_a_parent_that_is_pid_1():
    """In a container the command may be pid 1: a child must not take its parent's pid 1 for
    "the parent died" (every part failed with exit status 1). Needs a new pid namespace."""
    import shutil
    import subprocess

    unshare = shutil.which("unshare")
    probe = [unshare, "-fp", "--mount-proc", "true"] if unshare else None
    if probe is None or subprocess.run(probe, capture_output=True).returncode != 0:
        pytest.skip("no pid namespace here (unshare needs root)")
    script = (
        "import os\n"
        "from animator.output import forked\n"
        "def work(lo, hi, out, done):\n"
        "    return (os.getpid(), os.getppid())\n"
        "with forked.Forked([(0, 1)], work) as children:\n"
        "    ((pids, _),) = list(children.results())\n"
        "print(os.getpid(), pids[1])\n"
    )
    done = subprocess.run(
        [unshare, "-fp", "--mount-proc", sys.executable, "-c", script],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout) == (0, "1 1\n"), done.stderr


def test_results_come_back_on_a_descriptor_above_1023(tmp_path):
    """A process with many files open (a server) gets pipes numbered above select()'s limit."""
    import resource

    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if hard != resource.RLIM_INFINITY and hard < 1100:
        pytest.skip("cannot open more than 1024 files here")
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, 1100), hard))
    held = []
    try:
        while not held or held[-1] < 1030:
            held.append(os.open(os.devnull, os.O_RDONLY))
        with forked.Forked([(0, 3)], _work, beside=tmp_path) as children:
            assert children.children[0].status_fd > 1023
            ((result, data),) = list(children.results())
            assert (result, data.read()) == ((0, 3), bytes([0, 1, 2]))
    finally:
        for fd in held:
            os.close(fd)
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
