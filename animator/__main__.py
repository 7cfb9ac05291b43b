"""The ``animator`` program: ``python -m animator`` and the console script."""

from .output import signals


def main() -> None:
    signals.install()  # first: a Ctrl-C while the libraries load exits 130 like any other
    from .cli.main import entry

    entry()


if __name__ == "__main__":
    main()
