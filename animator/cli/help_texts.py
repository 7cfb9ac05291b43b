"""``--help`` for every command: each option with its meaning and default, then examples.

The examples are real command lines (a test parses every one), so they stay true as options
change.
"""

from __future__ import annotations

import argparse

EXAMPLES: dict[str, list[str]] = {
    "render": [
        "animator render hills_and_canyon --suite article -o article.html   # interactive page",
        "animator render wobbly -O adam:lr=0.1 -O sgd --show velocity,step --field -o runs.gif",
        "animator render 'x**2 + 3*sin(y)' -O nesterov:lr=0.01,momentum=0.5 -o mine.png",
    ],
    "list": [
        "animator list",
        "animator list --json > registries.json",
    ],
    "responses": [
        "animator responses -o responses/",
        "animator responses --method adam --signal noisy_sin -o adam.csv",
    ],
    "basins": [
        "animator basins hills_and_canyon --suite article -o basins.png",
        "animator basins two_minima -O adam:lr=0.1 --grid 100 --steps 200 -o adam_basins.csv",
    ],
    "sweep": [
        "animator sweep hills_and_canyon --suite article -o sweep.png",
        "animator sweep wobbly -O adam -O rmsprop --lr 1e-3:1:25 -o sweep.csv",
    ],
    "history": [
        "animator history wobbly --suite article -o wobbly_history.png",
        "animator history hills_and_canyon -O adam -O 'nesterov:momentum=0.5' --steps 300 -o h.svg",
    ],
    "net": [
        "animator net -o net.gif   # moons, mlp:16,16, sgd vs momentum vs adam",
        "animator net --data spirals --model mlp:32,32 --steps 500 -o spirals.png",
        "animator net --data xor --model logistic --batch 32 -O adam:lr=0.05 -o xor.csv",
    ],
    "gallery": [
        "animator gallery",
        "animator gallery -o /tmp/gallery --mp4 --jobs 1",
    ],
}


class HelpFormatter(argparse.HelpFormatter):
    """Examples keep their lines (descriptions are wrapped as usual); every option's help ends
    with its default (unless the text already names it)."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if text.startswith("examples:"):
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)

    def _get_help_string(self, action: argparse.Action) -> str:
        text = action.help or ""
        default = action.default
        if (
            "default" in text
            or default is None
            or default is False
            or default is argparse.SUPPRESS
            or action.option_strings == []
        ):
            return text
        if isinstance(default, tuple) and len(default) == 2:  # WxH sizes
            default = "x".join(str(v) for v in default)
        return f"{text} (default {default})"


def decorate(parser: argparse.ArgumentParser, name: str) -> None:
    """Give a command's parser the formatter and its examples."""
    parser.formatter_class = HelpFormatter
    examples = EXAMPLES.get(name)
    if examples:
        parser.epilog = "examples:\n" + "\n".join(f"  {line}" for line in examples)
