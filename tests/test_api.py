"""The Python API and the command line write the same bytes for the same request.

Every subcommand, every output format: once through ``animator.cli.main.main`` and once through the
``animator.<function>(...).save(...)`` a notebook user would write, in two directories, with the
same relative output name (the gallery's README quotes it). Same machine, so byte-identical.
"""

from __future__ import annotations

from pathlib import Path

import pytest

import animator
from animator.cli.main import main
from landscapes import SUITES, InvalidValueError, UnknownNameError, make_optimizer, run

TINY = ("--size", "128x86", "--dpi", "40")


def _files(root: Path) -> dict[str, bytes]:
    if root.is_file():
        return {root.name: root.read_bytes()}
    files = sorted(p for p in root.rglob("*") if p.is_file())
    return {str(p.relative_to(root)): p.read_bytes() for p in files}


def same_bytes(tmp_path, monkeypatch, argv, product, output):
    """Write ``output`` with the CLI in one directory and with ``product`` in another."""
    (tmp_path / "cli").mkdir()
    (tmp_path / "api").mkdir()
    monkeypatch.chdir(tmp_path / "cli")
    assert main([*argv, "-o", output]) == 0
    monkeypatch.chdir(tmp_path / "api")
    assert product().save(output) == Path(output)
    cli, api = _files(tmp_path / "cli" / output), _files(tmp_path / "api" / output)
    assert cli and cli.keys() == api.keys()
    for name in cli:
        assert cli[name] == api[name], name


RENDER = ["render", "wobbly", "--suite", "nesterov", "-O", "adam:lr=0.1", "--steps", "4", *TINY]


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf", ".csv", ".json"])
def test_render_pictures_and_exports(tmp_path, monkeypatch, suffix):
    def product():
        return animator.plot(
            "wobbly", ["adam:lr=0.1"], suite="nesterov", steps=4, size=(128, 86), dpi=40
        )

    same_bytes(tmp_path, monkeypatch, RENDER, product, "out" + suffix)


@pytest.mark.parametrize("suffix", [".gif", ".mp4", ".html"])
def test_render_animations(tmp_path, monkeypatch, suffix):
    def product():
        return animator.animate(
            "wobbly",
            [SUITES["nesterov"], "adam:lr=0.1"],
            steps=4,
            size=(128, 86),
            dpi=40,
            fps=5,
            hold=0.5,
        )

    argv = [*RENDER, "--fps", "5", "--hold", "0.5"]
    same_bytes(tmp_path, monkeypatch, argv, product, "out" + suffix)


def test_render_formula_window_levels_noise_and_tune(tmp_path, monkeypatch):
    argv = ["render", "x**2 + 3*y**2", "-O", "rmsprop", "-O", "sgd"]
    argv += ["--window", "-2", "2", "-1", "1"]
    argv += ["--levels", "0,1,2,4", "--start", "1.5", "0.5", "--steps", "6", "--noise", "0.1"]
    argv += ["--seed", "3", "--tune", "--lr", "0.01:1:5"]

    def product():
        return animator.plot(
            "x**2 + 3*y**2",
            ["rmsprop", "sgd"],
            window=(-2, 2, -1, 1),
            levels="0,1,2,4",
            start=(1.5, 0.5),
            steps=6,
            noise=0.1,
            seed=3,
            tune="0.01:1:5",
        )

    same_bytes(tmp_path, monkeypatch, argv, product, "tuned.json")


@pytest.mark.parametrize("suffix", [".png", ".csv", ".npz"])
def test_basins(tmp_path, monkeypatch, suffix):
    argv = ["basins", "two_minima", "-O", "adam:lr=0.1", "-O", "sgd", "--grid", "6"]
    argv += ["--steps", "5", "--tol", "0.2", "--size", "320x200", "--dpi", "40"]

    def product():
        return animator.basins(
            "two_minima",
            ["adam:lr=0.1", make_optimizer("sgd")],
            grid=6,
            steps=5,
            tol=0.2,
            size=(320, 200),
            dpi=40,
        )

    same_bytes(tmp_path, monkeypatch, argv, product, "basins" + suffix)


@pytest.mark.parametrize("suffix", [".png", ".csv", ".json"])
def test_sweep(tmp_path, monkeypatch, suffix):
    argv = ["sweep", "simple_quad", "-O", "momentum", "--lr", "0.01:1:4", "--steps", "5"]
    argv += ["--start", "1", "1", "--size", "320x200", "--dpi", "40"]

    def product():
        return animator.sweep(
            "simple_quad", "momentum", lr="0.01:1:4", steps=5, start=(1, 1), size=(320, 200), dpi=40
        )

    same_bytes(tmp_path, monkeypatch, argv, product, "sweep" + suffix)


@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_history(tmp_path, monkeypatch, suffix):
    argv = ["history", "ripple", "--suite", "nesterov", "-O", "adam", "--steps", "5"]
    argv += ["--size", "320x200", "--dpi", "40"]

    def product():
        return animator.history(
            "ripple", "adam", suite="nesterov", steps=5, size=(320, 200), dpi=40
        )

    same_bytes(tmp_path, monkeypatch, argv, product, "history" + suffix)


@pytest.mark.parametrize("output", ["charts", "curves.csv"])
def test_responses(tmp_path, monkeypatch, output):
    argv = ["responses", "--method", "adam", "--signal", "spikes", "--seed", "4", "--dpi", "20"]

    def product():
        return animator.responses("adam", ["spikes"], seed=4, dpi=20)

    same_bytes(tmp_path, monkeypatch, argv, product, output)


def test_gallery(tmp_path, monkeypatch):
    argv = ["gallery", "--only", "histories", "--surface", "simple_quad", "--steps", "3"]
    argv += ["--size", "128x86", "--jobs", "1", "-q"]

    def product():
        return animator.gallery(
            sections=["histories"], surfaces=["simple_quad"], steps=3, size=(128, 86), jobs=1
        )

    same_bytes(tmp_path, monkeypatch, argv, product, "gal")


@pytest.mark.parametrize("suffix", [".png", ".csv"])
def test_net(tmp_path, monkeypatch, suffix):
    argv = ["net", "--data", "moons", "--points", "60", "--model", "mlp:4", "-O", "sgd"]
    argv += ["-O", "adam:lr=0.05", "--steps", "6", "--grid", "12", "--size", "320x200"]

    def product():
        return animator.net(
            "moons",
            ["sgd", "adam:lr=0.05"],
            points=60,
            model="mlp:4",
            steps=6,
            grid=12,
            size=(320, 200),
        )

    same_bytes(tmp_path, monkeypatch, argv, product, "net" + suffix)


# --- what only the API offers ------------------------------------------------------------------


def test_finished_runs_and_optimizers_are_runs_too(tmp_path):
    traj = run("wobbly", make_optimizer("adam", lr=0.1), steps=5, label="mine")
    pic = animator.plot("wobbly", [traj, make_optimizer("sgd")], steps=5, size=(128, 86))
    assert [t.label for t in pic.trajectories] == ["mine", "sgd"]
    assert pic._repr_png_().startswith(b"\x89PNG")
    assert pic.save(tmp_path / "p.csv").read_text().count("\nmine,adam,") == 6


def test_products_say_what_they_save_as_and_refuse_other_suffixes(tmp_path):
    maps = animator.basins("simple_quad", "sgd", grid=3, steps=2)
    assert maps.suffixes() == [".png", ".csv", ".npz"]
    with pytest.raises(InvalidValueError, match=r"unknown output suffix '\.gif'.*\.png, \.csv"):
        maps.save(tmp_path / "m.gif")
    assert not (tmp_path / "m.gif").exists()
    assert animator.responses("adam", "spikes").suffixes() == [".csv", "DIR/"]


def test_bad_values_fail_before_any_work_with_one_line():
    with pytest.raises(InvalidValueError, match="size 10x10 is out of range"):
        animator.plot("wobbly", size=(10, 10))
    with pytest.raises(InvalidValueError, match="unknown view '4d'"):
        animator.animate("wobbly", view="4d")
    with pytest.raises(UnknownNameError, match="did you mean 'rmsprop'"):
        animator.sweep("wobbly", "rmsprp")
    with pytest.raises(InvalidValueError, match="finished run"):
        animator.basins("wobbly", run("wobbly", make_optimizer("sgd"), steps=2))


def test_notes_report_divergence_and_a_sweep_reports_its_best_lr():
    pic = animator.plot("simple_quad", "sgd:lr=5", steps=30)
    (note,) = pic.notes
    diverged = pic.trajectories[0].diverged_at
    assert note.startswith(f"sgd:lr=5 diverged at step {diverged}: ") and diverged > 0
    report = animator.sweep("simple_quad", "sgd", lr=(0.01, 10, 3), steps=20).report()
    assert report[0].startswith("sgd: best lr ") and report[0].endswith("of 3 diverged")


def test_no_module_hides_an_api_function():
    """``import animator.X`` binds ``animator.X``: a module named like a function would hide it."""
    import pkgutil

    modules = {m.name for m in pkgutil.iter_modules(animator.__path__)}
    functions = {"plot", "animate", "basins", "sweep", "history", "responses", "gallery", "net"}
    assert modules and not modules & functions
    assert all(callable(getattr(animator, f)) for f in functions)


def test_every_registered_writer_exists():
    import importlib

    from animator.output.registry import OUTPUTS

    for kind, table in OUTPUTS.items():
        for suffix, output in table.items():
            module, _, name = output.writer.partition(":")
            assert callable(getattr(importlib.import_module(module), name)), (kind, suffix)
