"""Commands that draw nothing never import the plotting stack (so they start fast).

One fresh interpreter runs every light command through ``animator.cli.main.main`` and reports, after
each, whether matplotlib, Pillow or imageio got imported; a picture command at the end proves the
check can fail.
"""

import json
import subprocess
import sys

LIGHT = [
    ["list"],
    ["list", "--json"],
    ["--help"],
    ["render", "--help"],
    ["history", "--help"],
    ["gallery", "--help"],
    ["render", "hills_and_canyon", "--suite", "article", "--steps", "5", "-o", "{tmp}/a.csv"],
    ["render", "himmelblau", "-O", "adam", "--steps", "5", "-o", "{tmp}/a.json"],
    [
        "basins",
        "hills_and_canyon",
        "-O",
        "adam",
        "--grid",
        "4",
        "--steps",
        "5",
        "-o",
        "{tmp}/b.npz",
    ],  # noqa: E501
    ["basins", "hills_and_canyon", "-O", "sgd", "--grid", "4", "--steps", "5", "-o", "{tmp}/b.csv"],  # noqa: E501
    ["sweep", "hills_and_canyon", "-O", "adam", "--steps", "5", "-o", "{tmp}/s.csv"],
    ["sweep", "hills_and_canyon", "-O", "adam", "--steps", "5", "-o", "{tmp}/s.json"],
    ["responses", "--method", "adam", "-o", "{tmp}/r.csv"],
    ["net", "--help"],
    [
        "net",
        "--points",
        "40",
        "--model",
        "mlp:3",
        "--steps",
        "3",
        "--grid",
        "5",
        "-o",
        "{tmp}/n.csv",
    ],  # noqa: E501
]
PICTURE = ["render", "hills_and_canyon", "-O", "sgd", "--steps", "3", "-o", "{tmp}/a.png"]

PROBE = """
import contextlib, io, json, sys
from animator.cli.main import main
heavy = ("matplotlib", "PIL", "imageio")
report = []
for argv in json.loads(sys.argv[1]):
    with contextlib.redirect_stdout(io.StringIO()):
        status = main(argv)
    loaded = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in heavy})
    report.append([argv, status, loaded])
print(json.dumps(report))
"""


def test_light_commands_do_not_import_matplotlib(tmp_path):
    argvs = [[a.format(tmp=tmp_path) for a in argv] for argv in [*LIGHT, PICTURE]]
    out = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argvs)],
        capture_output=True,
        text=True,
        check=True,
    )
    report = json.loads(out.stdout)
    *light, picture = report
    for argv, status, loaded in light:
        assert status == 0, argv
        assert loaded == [], f"animator {' '.join(argv)} imported {loaded}"
    assert picture[1] == 0
    assert "matplotlib" in picture[2]  # the probe does see an import when there is one
