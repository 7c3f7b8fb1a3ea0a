"""A dict of things built once per key and kept in the process, emptied when it holds its maximum.

The dashboard keeps markup it has written (a unit row, the organisation select, the form's fields)
and SQL statements it has built (the tasks that reach nobody) per key of everything they depend on:
the same key gives the same value, so a page opened again builds only what changed. Keys are few
(subtrees, periods, days, languages) but unbounded in principle, so the dict is emptied when full: a
cheaper rule than least-recently-used, and a full dict means the keys have moved on anyway.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

V = TypeVar("V")


class BoundedCache(Generic[V]):
    """Values built once per key, at most ``size`` of them; emptied when full."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("a bounded cache holds at least one value")
        self.size = size
        self._values: dict[Hashable, V] = {}

    def get(self, key: Hashable, build: Callable[[], V]) -> V:
        """The value kept for ``key``, else ``build()``'s, kept (the cache emptied first when full)."""
        try:
            return self._values[key]
        except KeyError:
            pass
        value = build()
        if len(self._values) >= self.size:
            self._values.clear()
        self._values[key] = value
        return value

    def clear(self) -> None:
        """Forget every value (a benchmark measuring the code that builds them)."""
        self._values.clear()

    def __len__(self) -> int:
        return len(self._values)

    def __contains__(self, key: Hashable) -> bool:
        return key in self._values
