"""The navigation bar, assembled from what each feature registers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Flask, current_app, url_for
from flask_login import current_user

from models.enums import Role


@dataclass(frozen=True)
class NavItem:
    """A link in the header for the given roles; ``badge`` returns a count to show beside it."""

    endpoint: str
    label: Any  # a lazy_gettext string
    roles: frozenset[Role]
    order: int = 50
    badge: Callable[[], int | None] | None = None


def add(app: Flask, item: NavItem) -> None:
    """Add a link to the header."""
    app.extensions.setdefault("kiemtra_nav", []).append(item)


def items() -> list[dict[str, Any]]:
    """The links the signed-in user may follow, in order, with their badges."""
    if not current_user.is_authenticated:
        return []
    result = []
    for item in sorted(current_app.extensions.get("kiemtra_nav", []), key=lambda i: i.order):
        if current_user.role in item.roles:
            result.append(
                {
                    "url": url_for(item.endpoint),
                    "label": item.label,
                    "endpoint": item.endpoint,
                    "badge": item.badge() if item.badge else None,
                }
            )
    return result
