"""A small name -> object registry with aliases, kebab-case names and "did you mean" errors."""

from __future__ import annotations

import difflib
from collections.abc import Iterator
from typing import Generic, TypeVar

from .errors import UnknownNameError

T = TypeVar("T")


def normalize(name: str) -> str:
    """Canonical spelling of a user-typed name: trimmed, lower case, kebab-case folded to snake."""
    return name.strip().lower().replace("-", "_")


def unknown_name_message(kind: str, name: str, choices: list[str]) -> str:
    """One line that names the bad value, suggests the closest valid one and lists them all."""
    close = difflib.get_close_matches(normalize(name), choices, n=1, cutoff=0.5)
    hint = f" (did you mean '{close[0]}'?)" if close else ""
    return f"unknown {kind} {name!r}{hint}; choose from: {', '.join(choices)}"


class Registry(Generic[T]):
    """Ordered mapping of canonical names to objects, looked up by name or alias."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self._items: dict[str, T] = {}
        self._aliases: dict[str, str] = {}

    def register(self, name: str, item: T, aliases: tuple[str, ...] = ()) -> T:
        if name in self._items:
            raise ValueError(f"{self.kind} '{name}' is already registered")
        self._items[name] = item
        for alias in aliases:
            self._aliases[normalize(alias)] = name
        return item

    def canonical(self, name: str) -> str:
        """The registered name for `name` (an alias or kebab-case spelling); raise if unknown."""
        key = normalize(name)
        key = self._aliases.get(key, key)
        if key not in self._items:
            raise UnknownNameError(unknown_name_message(self.kind, name, self.names()))
        return key

    def __getitem__(self, name: str) -> T:
        return self._items[self.canonical(name)]

    def __contains__(self, name: object) -> bool:
        if not isinstance(name, str):
            return False
        key = normalize(name)
        return self._aliases.get(key, key) in self._items

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def names(self) -> list[str]:
        return list(self._items)

    def items(self) -> list[tuple[str, T]]:
        return list(self._items.items())

    def aliases(self, name: str) -> list[str]:
        return [alias for alias, target in self._aliases.items() if target == name]
