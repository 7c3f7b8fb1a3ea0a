"""The navigation bar, assembled from what each feature registers."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

from flask import Flask, current_app, request, url_for
from flask_login import current_user
from sqlalchemy import ColumnElement, Select, select

from models import db
from models.enums import Role

_ITEMS = "kiemtra.nav_items"


@dataclass(frozen=True)
class NavItem:
    """A link in the header for the given roles.

    ``badge`` returns the SQL of a count to show beside it (a scalar subquery, or None when the user
    has none): the header reads every badge of the page in one statement.
    """

    endpoint: str
    label: Any  # a lazy_gettext string
    roles: frozenset[Role]
    order: int = 50
    badge: Callable[[], ColumnElement[int] | None] | None = None


def add(app: Flask, item: NavItem) -> None:
    """Add a link to the header."""
    app.extensions.setdefault("kiemtra_nav", []).append(item)


def items() -> list[dict[str, Any]]:
    """The links the signed-in user may follow, in order, with their badges (once per request)."""
    if not current_user.is_authenticated:
        return []
    # Kept in the request's environ, not in g: g outlives the request when an app context was pushed first.
    cached: list[dict[str, Any]] | None = request.environ.get(_ITEMS)
    if cached is None:
        cached = request.environ[_ITEMS] = _items()
    return cached


# The badges' statement per set of counts: a new SELECT around the same subqueries would compute its
# cache key again, which for an office's scope costs more than the count.
_STATEMENTS: dict[tuple[int, ...], tuple[tuple[ColumnElement[int], ...], Select[Any]]] = {}


def _select(expressions: tuple[ColumnElement[int], ...]) -> Select[Any]:
    key = tuple(map(id, expressions))
    found = _STATEMENTS.get(key)
    if found is None or any(a is not b for a, b in zip(found[0], expressions, strict=True)):
        if len(_STATEMENTS) > 4096:
            _STATEMENTS.clear()
        statement = cast(Select[Any], select(*expressions))
        found = _STATEMENTS[key] = (expressions, statement)
    return found[1]


def _items() -> list[dict[str, Any]]:
    role = current_user.role
    mine = [
        i
        for i in sorted(current_app.extensions.get("kiemtra_nav", []), key=lambda i: i.order)
        if role in i.roles
    ]
    counts: dict[int, ColumnElement[int]] = {}
    for index, item in enumerate(mine):
        expression = item.badge() if item.badge else None
        if expression is not None:
            counts[index] = expression
    values = (
        dict(zip(counts, db.session.execute(select(*counts.values())).one(), strict=True)) if counts else {}
    )
    return [
        {
            "url": url_for(item.endpoint),
            "label": item.label,
            "endpoint": item.endpoint,
            "badge": values.get(index) or None,
        }
        for index, item in enumerate(mine)
    ]
