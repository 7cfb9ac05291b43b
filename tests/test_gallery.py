"""The gallery: its declarative list, a miniature build, its README, and the history figures."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import numpy as np
import pytest
from matplotlib.figure import Figure
from PIL import Image

from animator.charts.history import history_name, use_log_scale
from animator.cli.main import build_parser, main
from animator.galleries.build import build
from animator.galleries.plan import (
    ARTICLE_SURFACES,
    CLASSIC_SURFACES,
    SECTION_KEYS,
    Entry,
    GalleryOptions,
    expected_files,
    gallery_entries,
    readme,
)
from animator.output.palette import nearest_index, png_palette, quantize
from animator.output.savefig import palette_pngs, save_figure
from animator.requests import Request
from landscapes import SUITES, UnknownNameError, make_optimizer, parse_spec, run, run_groups
from landscapes.responses import METHODS, SIGNALS

TINY = ["--steps", "3", "--size", "128x86", "--basin-grid", "4", "--response-dpi", "20", "-q"]


def references(text: str) -> list[str]:
    """Every local file a README embeds or links."""
    return re.findall(r'src="([^"]+)"', text) + re.findall(r"\]\(([^)#]+)\)", text)


# --- the list -----------------------------------------------------------------------------------


def test_every_article_surface_has_both_suites_as_picture_and_animation():
    outputs = {str(p) for p in expected_files(gallery_entries("g"))}
    assert len(ARTICLE_SURFACES) == 7
    for surface in ARTICLE_SURFACES:
        for suite in ("article", "nesterov"):
            assert f"trajectories/{surface}_{suite}.png" in outputs
            assert f"trajectories/{surface}_{suite}.gif" in outputs
            assert f"trajectories/{surface}_{suite}.mp4" not in outputs
        assert f"histories/{surface}.png" in outputs
        assert f"many_runs/{surface}_basins.png" in outputs
        assert f"many_runs/{surface}_sweep.png" in outputs
    for surface in CLASSIC_SURFACES:
        assert f"classic/{surface}.png" in outputs
    for method in METHODS.names():
        assert f"responses/{method}_overview.png" in outputs
        for signal in SIGNALS.names():
            assert f"responses/{method}_{signal}.png" in outputs
    mp4 = {str(p) for p in expected_files(gallery_entries("g", GalleryOptions(mp4=True)))}
    assert mp4 - outputs == {
        f"trajectories/{s}_{suite}.mp4"
        for s in ARTICLE_SURFACES
        for suite in ("article", "nesterov")
    }


def test_outputs_are_unique_and_the_readme_references_each_exactly_once():
    entries = gallery_entries("g", GalleryOptions(mp4=True))
    files = [str(p) for p in expected_files(entries)]
    assert len(files) == len(set(files))
    text = readme(entries, "animator gallery")
    assert sorted(references(text)) == sorted(files)
    headings = re.findall(r"^#+ (.*)$", text, re.MULTILINE)
    assert (
        len(headings) == len(set(headings)) == 1 + 9 + 8 + 6 * 2 + 2 + 7 + 10 + 7 + 7 + 2
    )  # unique anchors (networks: a section and two headings)


def test_every_command_parses_and_writes_its_outputs_in_the_gallery_directory():
    parser = build_parser()
    for entry in gallery_entries("some/dir", GalleryOptions(mp4=True)):
        args = parser.parse_args(list(entry.argv))
        assert args.command == entry.argv[0]
        written = Path(args.output)
        assert all((Path("some/dir") / p).is_relative_to(written) or Path("some/dir") / p == written
                   for p in entry.outputs)  # fmt: skip
        assert entry.command().startswith(f"animator {entry.argv[0]} ")


def test_captions_name_the_hyperparameters_and_the_article_passage():
    entries = gallery_entries("g")
    canyon = next(e for e in entries if e.outputs == ("trajectories/hills_and_canyon_article.gif",))
    assert "adadelta lr=100, rho=0.95, eps=1e-06" in canyon.caption
    assert "adam lr=0.25, beta1=0.9, beta2=0.999, eps=1e-08" in canyon.caption
    assert "launched from one point" in canyon.caption
    assert "125 steps from (-2.8, -2.5)" in canyon.caption
    assert "--steps 125" in canyon.command()
    bad = [e for e in entries if e.section == "bad_init"]
    assert {e.outputs[0].split("/")[1].split("_")[0] for e in bad} == {"two"}
    assert not any(
        e.section in ("nesterov", "article") and "two_minima" in e.heading for e in entries
    )


def test_sections_select_entries():
    entries = gallery_entries("g", GalleryOptions(sections=("histories",)))
    assert [e.section for e in entries] == ["histories"] * 7
    assert {s for s in SECTION_KEYS} == {e.section for e in gallery_entries("g")}


# --- building -----------------------------------------------------------------------------------


@pytest.mark.filterwarnings("ignore:constrained_layout not applied")  # tiny basin and sweep maps
def test_miniature_gallery_has_every_file_and_a_readme_that_shows_each_once(tmp_path):
    out = tmp_path / "gal"
    # responses: next test; networks: tests/test_networks.py (they ignore --steps and --surface)
    sections = tuple(k for k in SECTION_KEYS if k not in ("responses", "networks"))
    surfaces = ("two_minima", "simple_quad", "rosenbrock")
    argv = ["gallery", "-o", str(out), *TINY, "--jobs", "2", "--mp4"]
    for s in sections:
        argv += ["--only", s]
    for s in surfaces:
        argv += ["--surface", s]
    assert main(argv) == 0
    opts = GalleryOptions(
        steps=3,
        size=(128, 86),
        basin_grid=4,
        response_dpi=20,
        sections=sections,
        surfaces=surfaces,
        mp4=True,
    )
    expected = {str(p) for p in expected_files(gallery_entries(str(out), opts))}
    # simple_quad in two suites and two_minima's bad start (png, gif, mp4 each), 2 histories,
    # rosenbrock, 2 basin maps and 2 sweeps, two_minima inside the optimizer (5 overlays, field)
    assert len(expected) == 6 + 6 + 2 + 1 + 4 + 6
    assert "trajectories/two_minima_article.mp4" in expected
    on_disk = {str(p.relative_to(out)) for p in out.rglob("*") if p.is_file()}
    assert on_disk == expected | {"README.md"}  # no temporary or stray files
    text = (out / "README.md").read_text()
    assert sorted(references(text)) == sorted(expected)
    assert f"animator gallery -o {out} --steps 3 --size 128x86 --mp4 --only nesterov" in text
    modes = []
    for path in expected:
        if path.endswith(".png"):
            with Image.open(out / path) as img:
                assert min(img.size) >= 16
                modes.append(img.mode)
    assert "P" in modes  # palette-compressed (tiny pictures with much anti-aliasing may stay RGB)


def test_one_response_entry_writes_its_six_charts_and_overview(tmp_path):
    opts = GalleryOptions(response_dpi=20, sections=("responses",))
    entry = gallery_entries(str(tmp_path), opts)[0]
    (tmp_path / "responses").mkdir()
    build([entry], str(tmp_path), jobs=1, quiet=True)
    on_disk = sorted(str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*.png"))
    assert on_disk == sorted(entry.outputs)
    assert len(on_disk) == 7 and entry.shown == ("responses/momentum_overview.png",)


def test_a_failing_job_stops_the_build_with_its_error(tmp_path):
    job = Request("plot", ("no_such_surface",), (), str(tmp_path / "x.csv"))
    bad = Entry("classic", "x", "x", "x", job, ("x.csv",))
    with pytest.raises(UnknownNameError):
        build([bad], str(tmp_path), jobs=2, quiet=True)


def test_gallery_rejects_a_file_as_its_directory(tmp_path):
    f = tmp_path / "f"
    f.write_text("x")
    assert main(["gallery", "-o", str(f), "-q"]) == 2


def gradient_with_a_run_line() -> np.ndarray:
    """A smooth two-colour gradient (thousands of colours) with a 30-pixel vermillion line in it:
    a plain median cut merges the line into the gradient's oranges."""
    x = np.linspace(0, 1, 200)[None, :, None]
    y = np.linspace(0, 1, 150)[:, None, None]
    pixels = (255 * (x * np.array([0.9, 0.6, 0.1]) + y * np.array([0.1, 0.3, 0.8]))).clip(0, 255)
    pixels = pixels.astype(np.uint8)
    pixels[70:72, 20:35] = (0xD5, 0x5E, 0x00)  # RUN_COLORS[0]
    return pixels


def picture_figure(pixels: np.ndarray) -> Figure:
    """A figure whose rendered pixels are exactly ``pixels`` (one image pixel per pixel)."""
    fig = Figure(figsize=(pixels.shape[1] / 100, pixels.shape[0] / 100), dpi=100)
    fig.figimage(pixels)
    return fig


def test_quantize_keeps_a_rare_run_colour_exactly():
    pixels = gradient_with_a_run_line()
    index, palette = quantize(pixels)
    back = palette[index].astype(int)
    assert (back[70:72, 20:35] == (0xD5, 0x5E, 0x00)).all()
    assert np.percentile(np.abs(back - pixels).sum(-1), 99.9) <= 60
    assert (palette == png_palette(pixels)).all()
    assert (index == nearest_index(pixels, palette)).all()


def test_nearest_index_is_the_exact_nearest_colour():
    rng = np.random.default_rng(1)
    palette = rng.integers(0, 256, (256, 3)).astype(np.uint8)
    palette[7] = palette[3]  # a tie: the first index wins
    rgb = rng.integers(0, 256, (40, 50, 3)).astype(np.uint8)
    rgb[0, :4] = palette[[0, 3, 7, 255]]
    distances = ((rgb[:, :, None, :].astype(int) - palette.astype(int)) ** 2).sum(-1)
    index = nearest_index(rgb, palette)
    assert (index == distances.argmin(-1)).all()
    assert index[0, :4].tolist() == [0, 3, 3, 255]


def test_palette_png_decodes_to_the_quantized_colours(tmp_path):
    pixels = gradient_with_a_run_line()
    with palette_pngs():
        save_figure(picture_figure(pixels), tmp_path / "a.png")
    with Image.open(tmp_path / "a.png") as img:
        assert img.mode == "P" and img.size == (200, 150)
        back = np.asarray(img.convert("RGB"))
    index, palette = quantize(pixels)
    assert (back == palette[index]).all()
    assert (back[70:72, 20:35] == (0xD5, 0x5E, 0x00)).all()
    save_figure(picture_figure(pixels), tmp_path / "full.png")  # outside: full colour
    with Image.open(tmp_path / "full.png") as img:
        assert img.mode == "RGBA" and (np.asarray(img)[..., :3] == pixels).all()


def test_a_picture_a_palette_cannot_hold_is_written_as_savefig_writes_it(tmp_path):
    noise = (np.random.default_rng(0).random((60, 80, 3)) * 255).astype(np.uint8)
    assert quantize(noise) is None  # 256 colours cannot hold random RGB within the bound
    save_figure(picture_figure(noise), tmp_path / "plain.png")
    with palette_pngs():
        save_figure(picture_figure(noise), tmp_path / "noise.png")
    assert (tmp_path / "noise.png").read_bytes() == (tmp_path / "plain.png").read_bytes()


def old_sensitivity_notes(entries: list[Entry]) -> dict[tuple[str, ...], list[str]]:
    """What the gallery noted before the jobs returned their notes: every render or history
    entry's runs run again from its command line."""
    from animator.cli.commands.common import runs_of
    from landscapes import resolve_surface, run_many

    parser = build_parser()
    notes = {}
    for e in entries:
        if e.argv[0] not in ("render", "history"):
            continue
        args = parser.parse_args(list(e.argv))
        surface = resolve_surface(args.surface, None, None)
        pairs = [pair for group in run_groups(runs_of(args)) for pair in group.runs]
        start = surface.start if args.start is None else tuple(args.start)
        labels, opts = [label for label, _ in pairs], [opt for _, opt in pairs]
        trajs = run_many(surface, opts, start, args.steps, labels=labels)
        notes[e.argv] = [
            f"{t.label} from step {t.rounding_sensitive_from}"
            for t in trajs
            if t.rounding_sensitive_from is not None
        ]
    return notes


def test_the_jobs_notes_equal_the_runs_of_their_command_lines(tmp_path):
    opts = GalleryOptions(
        steps=20,
        size=(128, 86),
        sections=("article", "histories", "inside"),
        surfaces=("ripple", "hills_and_canyon"),
    )
    entries = gallery_entries(str(tmp_path), opts)
    for sub in {tmp_path / Path(p).parent for e in entries for p in e.outputs}:
        sub.mkdir(parents=True, exist_ok=True)
    results = build(entries, str(tmp_path), jobs=2, quiet=True)
    old = old_sensitivity_notes(entries)
    new = {e.argv: results[i][2] for i, e in enumerate(entries) if e.argv in old}
    assert new == old
    assert sum(map(len, new.values())) >= 6  # ripple's article suite, in render and history
    assert {e.argv[0] for e in entries} - {"render", "history"} == set()
    assert any("--show" in e.argv for e in entries)


# --- learning histories -------------------------------------------------------------------------


def test_history_names_show_every_hyperparameter_but_a_default_eps():
    traj = run(
        "simple_quad", make_optimizer("nesterov", lr=0.01, momentum=0.25), steps=2, label="n"
    )
    assert history_name(traj) == "nesterov (lr=0.01, momentum=0.25)"
    traj = run("simple_quad", make_optimizer("adam", lr=0.25, eps=1e-4), steps=2)
    assert history_name(traj) == "adam (lr=0.25, beta1=0.9, beta2=0.999, eps=0.0001)"


def test_log_scale_only_when_positive_losses_span_decades():
    def fake(loss):
        traj = run("simple_quad", make_optimizer("sgd"), steps=len(loss) - 1)
        return dataclasses.replace(traj, loss=np.asarray(loss, dtype=float))

    assert use_log_scale([fake([10.0, 1.0, 0.01])])  # ratio 1000
    assert not use_log_scale([fake([10.0, 1.0, 0.5])])  # ratio 20
    assert not use_log_scale([fake([10.0, 0.0, 1e-9])])  # a zero: no log axis
    assert not use_log_scale([fake([3.5, -1.0, 2.0])])
    assert use_log_scale([fake([1e3, np.nan, 1.0])])  # NaN (diverged) ignored


def test_history_command_writes_one_panel_per_suite(tmp_path):
    out = tmp_path / "h.png"
    argv = ["history", "two_minima", "--suite", "nesterov", "-O", "adam:lr=0.1", "--steps", "5"]
    assert main([*argv, "--size", "400x200", "-o", str(out)]) == 0
    with Image.open(out) as img:
        assert img.size == (400, 200)
    assert main([*argv, "-o", str(tmp_path / "h.gif")]) == 2
    assert not (tmp_path / "h.gif").exists()


def test_rebuild_on_the_same_machine_is_byte_identical_and_notes_sensitive_runs(tmp_path):
    """Same machine, same versions: the same files to the byte (across CPUs only the runs the
    README notes as rounding-sensitive may differ). ripple's article suite has such runs."""
    argv = ["gallery", *TINY, "--steps", "20", "--only", "article", "--surface", "ripple"]
    builds = [tmp_path / "a", tmp_path / "b"]
    for out in builds:
        assert main([*argv, "-o", str(out), "--jobs", "1"]) == 0
    files = sorted(p.relative_to(builds[0]) for p in builds[0].rglob("*") if p.is_file())
    assert len(files) == 3  # png, gif, README
    for rel in files:  # (the README names its own directory in the rebuild command)
        a, b = ((out / rel).read_bytes().replace(bytes(out), b"DIR") for out in builds)
        assert a == b, rel
    runs = [
        (label, run("ripple", parse_spec(spec), steps=20)) for label, spec in SUITES["article"].runs
    ]
    expected = [
        f"{label} from step {t.rounding_sensitive_from}"
        for label, t in runs
        if t.rounding_sensitive_from
    ]
    assert expected  # rmsprop, adadelta and adagrad bounce between the ripples
    text = (builds[0] / "README.md").read_text()
    assert f"*Rounding-sensitive: {'; '.join(expected)}.*" in text
    assert "byte for byte the same" in text
