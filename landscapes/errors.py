"""Exception types shared by the library and the command line.

Every error carries a one-line message that names the bad value and what is valid, so a notebook
user gets the same help as a user of the command line (which prints the message and exits 2).
"""

from __future__ import annotations


class LandscapeError(Exception):
    """Base class of every error this package raises on purpose."""


class InvalidValueError(LandscapeError, ValueError):
    """A value is malformed or outside its domain (a hyperparameter, a step count, a spec, ...)."""


class FormulaWordError(InvalidValueError):
    """A formula fails on its words (a syntax error or an unknown name): the text may be a
    misspelt surface name rather than a formula."""


class UnknownNameError(LandscapeError, KeyError):
    """A registry lookup missed; the message lists the valid names and the closest one."""

    def __str__(self) -> str:  # KeyError would quote the message; show it as written
        return str(self.args[0]) if self.args else ""
