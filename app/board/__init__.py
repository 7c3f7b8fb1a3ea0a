"""Feature package `board` (work in progress: registers nothing yet)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Register this feature's blueprint, policy rules and commands."""
