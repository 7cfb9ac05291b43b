"""Every command's --help names each option's meaning and default and gives real examples."""

from __future__ import annotations

import argparse
import shlex

import pytest

from animator.cli.commands import COMMANDS
from animator.cli.main import build_parser, main


def command_parsers() -> dict[str, argparse.ArgumentParser]:
    sub = next(a for a in build_parser()._actions if isinstance(a, argparse._SubParsersAction))
    return {c.NAME: sub.choices[c.NAME] for c in COMMANDS}


@pytest.mark.parametrize("name", [c.NAME for c in COMMANDS])
def test_help_explains_every_option_and_its_default(name, capsys):
    parser = command_parsers()[name]
    for action in parser._actions:
        if isinstance(action, argparse._HelpAction):
            continue
        assert action.help, f"{name} {action.option_strings or action.dest}: no help text"
        has_default = action.default not in (None, False, argparse.SUPPRESS)
        if action.option_strings and has_default:
            shown = parser._get_formatter()._get_help_string(action)
            assert "default" in shown, f"{name} {action.option_strings}: default not shown"
    assert main([name, "--help"]) == 0
    text = capsys.readouterr().out
    examples = [line.strip() for line in text.split("examples:", 1)[1].splitlines() if line.strip()]
    assert 2 <= len(examples) <= 3, text
    assert all(line.startswith(f"animator {name}") for line in examples)


@pytest.mark.parametrize("name", [c.NAME for c in COMMANDS])
def test_every_example_parses(name):
    """The examples are command lines the parser accepts (nothing is run)."""
    parser = build_parser()
    text = command_parsers()[name].format_help()
    for line in text.split("examples:", 1)[1].splitlines():
        if line.strip():
            argv = shlex.split(line.split("#", 1)[0].split(">", 1)[0])[1:]
            args = parser.parse_args(argv)
            assert args.command == name


def test_render_help_says_3d_pages_are_videos(capsys):
    assert main(["render", "--help"]) == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "with --view 3d or --show the page is always the video" in text
