"""What the workspace views share: the blueprint, error mapping, pagination and pickers."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from flask import Blueprint, request, url_for
from flask_babel import get_locale, gettext
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload
from wtforms import SelectChoice

from models import LegalDocument, Organization, Person, db
from models.labels import label
from models.vntext import format_date, search_key, whole_number

bp = Blueprint(
    "workspace",
    __name__,
    static_folder="static",
    static_url_path="/workspace-static",
)

PAGE_SIZES = (20, 50, 100)


def like_pattern(token: str) -> str:
    """A LIKE pattern matching ``token`` anywhere, with the wildcards in it escaped."""
    escaped = token.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_tokens(text: str | None) -> list[str]:
    """The words of a search box, folded like the ``search_key`` columns ("Bù Đốp" -> bu, dop)."""
    return search_key(text or "").split()[:8]


@dataclass
class Page:
    """One page of a list, with what the pager needs."""

    items: Sequence[Any]
    number: int
    size: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, math.ceil(self.total / self.size))

    @property
    def first_row(self) -> int:
        return 0 if not self.total else (self.number - 1) * self.size + 1

    @property
    def last_row(self) -> int:
        return min(self.total, self.number * self.size)

    def url(self, number: int) -> str:
        """The same list with the same filters, on page ``number``."""
        args: dict[str, Any] = {**request.args.to_dict(), "page": number}
        assert request.endpoint is not None
        return url_for(request.endpoint, **(request.view_args or {}), **args)

    def window(self, width: int = 2) -> list[int | None]:
        """Page numbers to show around the current one; None marks a gap."""
        shown = {1, self.pages, *range(self.number - width, self.number + width + 1)}
        numbers = sorted(n for n in shown if 1 <= n <= self.pages)
        result: list[int | None] = []
        for n in numbers:
            if result and n - (result[-1] or 0) > 1:
                result.append(None)
            result.append(n)
        return result


def page_args() -> tuple[int, int]:
    """The page number and size asked for, clamped to sensible values."""
    number = whole_number(request.args.get("page")) or 1
    size = whole_number(request.args.get("per_page")) or 50
    return max(1, min(number, 100_000)), size if size in PAGE_SIZES else 50


def paginate(query: Select[Any], count_query: Select[Any], number: int, size: int) -> Page:
    """Run a count and one page of ``query``; a page past the end shows the last one."""
    total = db.session.scalar(count_query) or 0
    number = min(number, max(1, math.ceil(total / size)))
    items = db.session.scalars(query.limit(size).offset((number - 1) * size)).unique().all()
    return Page(items=items, number=number, size=size, total=total)


def depth(org: Organization) -> int:
    """How deep the body sits in the tree (0 for a root)."""
    return org.path.count("/") - 2


def org_label(org: Organization, indent: bool = True) -> str:
    """The body's name for a picker, indented by depth, with its end date if it no longer exists."""
    text = ("— " * depth(org) if indent else "") + org.name
    if org.valid_to is not None:
        text += " " + gettext("(đến %(day)s)", day=format_date(org.valid_to))
    return text


def home_tree_condition(path_column: Any) -> Any:
    """Bodies of the user's whole tree (their province), the ones their work can concern."""
    root_code = current_user.organization.path.split("/")[1]
    return path_column.like(like_pattern(f"/{root_code}/").removeprefix("%"), escape="\\")


def all_organisations() -> list[Organization]:
    """Every body of the user's tree, in tree order."""
    query = select(Organization).where(home_tree_condition(Organization.path)).order_by(Organization.path)
    return list(db.session.scalars(query))


def org_choices(orgs: Sequence[Organization], blank: str | None = None) -> list[SelectChoice]:
    """Options for an organisation picker in tree order."""
    options = [SelectChoice("", blank)] if blank is not None else []
    return options + [SelectChoice(str(org.id), org_label(org)) for org in orgs]


def people_choices(blank: str) -> list[SelectChoice]:
    """Options for a person picker, grouped by organisation in tree order."""
    people = db.session.scalars(
        select(Person)
        .outerjoin(Organization, Organization.id == Person.organization_id)
        .where(or_(Person.organization_id.is_(None), home_tree_condition(Organization.path)))
        .options(joinedload(Person.organization))
    ).all()
    options = [SelectChoice("", blank)]
    for person in sorted(
        people,
        key=lambda p: (p.organization.path if p.organization else "~", search_key(p.given_name), p.full_name),
    ):
        org = person.organization
        group = org.name if org else gettext("Chưa rõ cơ quan")
        text = person.full_name + (f" – {person.position}" if person.position else "")
        options.append(SelectChoice(str(person.id), text, optgroup=group))
    return options


def registry_codes() -> list[tuple[str, str]]:
    """Codes and short descriptions of every registered document, for the citation picker."""
    rows = db.session.execute(
        select(LegalDocument.code, LegalDocument.type_name, LegalDocument.title).order_by(LegalDocument.code)
    )
    return [(code, " ".join(p for p in (type_name, title) if p)) for code, type_name, title in rows]


def count_of(query: Select[Any]) -> Select[Any]:
    """A count of the rows ``query`` would return."""
    return select(func.count()).select_from(query.order_by(None).subquery())


def labels_once() -> Callable[..., str]:
    """``models.labels.label`` for one page: each state's word translated once, not once per row (a
    list of fifty tasks shows a handful of states). Made per request, since the language is."""
    return lru_cache(maxsize=None)(label)


def vi_once() -> Callable[[object], Markup]:
    """``app.jinja.vi`` for one page: the interface language looked up once, not for every name and
    title of its rows."""
    if str(get_locale()) != "vi":

        def marked(text: object) -> Markup:
            # As vi() writes it; vi()'s ``Markup(…) % text`` escapes through a helper object, slower.
            if text is None or text == "":
                return Markup("")
            return Markup(f'<span lang="vi">{escape(text)}</span>')  # noqa: S704 - the text is escaped

        return marked
    return lambda text: Markup("") if text is None or text == "" else escape(text)


def link_by_id(endpoint: str, key: str) -> Callable[[int], str]:
    """``url_for(endpoint, **{key: id})`` for the rows of one page: the link is built once and each
    row's id written in its place (an ``int`` part of the path is its decimal digits)."""
    marker = 987654321
    values: dict[str, Any] = {key: marker}
    head, found, tail = url_for(endpoint, **values).rpartition(str(marker))
    if not found:  # not an id in the path: build every link
        return lambda value: url_for(endpoint, **{**values, key: value})
    return lambda value: f"{head}{int(value)}{tail}"
