"""The bounded cache the dashboard keeps its markup and statements in."""

from __future__ import annotations

import pytest

from workflows.bounded import BoundedCache


def test_a_value_is_built_once_per_key_and_given_back_after():
    cache: BoundedCache[str] = BoundedCache(3)
    built: list[str] = []

    def build(key: str) -> str:
        built.append(key)
        return key.upper()

    assert cache.get("a", lambda: build("a")) == "A"
    assert cache.get("a", lambda: build("a")) == "A"
    assert cache.get("b", lambda: build("b")) == "B"
    assert built == ["a", "b"]
    assert "a" in cache and "c" not in cache and len(cache) == 2


def test_a_full_cache_is_emptied_before_the_next_value_is_kept():
    cache: BoundedCache[int] = BoundedCache(2)
    cache.get(1, lambda: 10)
    cache.get(2, lambda: 20)
    assert len(cache) == 2
    assert cache.get(3, lambda: 30) == 30
    assert len(cache) == 1 and 3 in cache and 1 not in cache
    assert cache.get(1, lambda: 11) == 11  # built again: it was forgotten


def test_a_value_that_fails_to_build_is_not_kept():
    cache: BoundedCache[int] = BoundedCache(2)

    def fail() -> int:
        raise RuntimeError("no")

    with pytest.raises(RuntimeError):
        cache.get("x", fail)
    assert "x" not in cache and len(cache) == 0


def test_clear_forgets_everything_and_a_cache_holds_at_least_one_value():
    cache: BoundedCache[int] = BoundedCache(1)
    cache.get("x", lambda: 1)
    cache.get("y", lambda: 2)
    assert len(cache) == 1 and "y" in cache
    cache.clear()
    assert len(cache) == 0
    with pytest.raises(ValueError):
        BoundedCache(0)
