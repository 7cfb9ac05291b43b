"""A request: one call of the Python API and the path it saves to.

The command line turns its arguments into a request and the gallery lists its pictures as
requests; :func:`animator.api.execute` runs one. So a shell user, a notebook user and the gallery
get the same bytes from the same call.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .output.registry import Output, output_for

#: API function -> the kind of product it returns (the kind picks the outputs).
FUNCTION_KINDS: dict[str, str] = {
    "plot": "scene",
    "animate": "scene",
    "basins": "basins",
    "sweep": "sweeps",
    "history": "history",
    "responses": "responses",
    "gallery": "gallery",
    "net": "scene",
}


@dataclass(frozen=True)
class Request:
    """``animator.<function>(*args, **dict(kwargs)).save(output)``, as data."""

    function: str
    args: tuple = ()
    kwargs: tuple[tuple[str, Any], ...] = ()
    output: str = ""

    @property
    def kind(self) -> str:
        return FUNCTION_KINDS[self.function]

    def check_output(self) -> Output:
        """The output this request writes, checked before any work."""
        return output_for(self.kind, self.output)
