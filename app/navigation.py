"""The page header: the links a role may follow with their badges, and what the layout shows of the user.

Every signed-in page renders it, so it is worked out once per request (``header()``), and whatever
depends only on the role, the interface language and where the site is mounted (each link's address and
word, the static files' addresses) once per process: these never change while it runs.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast

from flask import Flask, current_app, g, request, session, url_for
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import ColumnElement, Select, select

from app.jinja import interface_language, vi
from models import User, db, raw
from models.enums import Role

_NAV = "kiemtra_nav"
_KEPT = "kiemtra_header"  # app.extensions: what the header needs that never changes in a process
_HEADER = "kiemtra.header"  # request.environ: this request's header
_READ = "kiemtra.badges_read"  # request.environ: the badges read with the session check, and their SQL


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


@dataclass(frozen=True)
class Link:
    """A header link as the layout shows it: its address, its word in the interface language, its count."""

    endpoint: str
    url: str
    label: str
    badge: int | None = None


@dataclass(frozen=True)
class Header:
    """What the layout shows of this request: the signed-in user's links (empty for a visitor), who is
    signed in, the language, the one CSRF token of the header's forms and where the language switch
    comes back to; and the addresses without parameters, kept per process (``url``, ``static``)."""

    signed_in: bool
    links: tuple[Link, ...]
    active: str | None  # the endpoint being shown, marked in the navigation
    who: Markup  # "name · unit", the unit's name marked Vietnamese in another interface language
    who_text: str  # the same as plain text, for an attribute
    locale: str
    csrf_token: str
    back: str  # the language switch's ``next``
    source: str  # the footer's "Mã nguồn" link (``app.source.source_url()``)
    root: str  # where the site is mounted (the request's script root)
    kept: _Kept = field(repr=False, compare=False)

    def url(self, endpoint: str) -> str:
        """``url_for(endpoint)`` of an endpoint without parameters."""
        return self.kept.url(self.root, endpoint, None)

    def static(self, filename: str) -> str:
        """The address of a static file."""
        return self.kept.url(self.root, "static", filename)


class _Kept:
    """Per application, what the header needs that never changes while the process runs: each role's
    links in each language, the addresses without parameters, the signed CSRF tokens."""

    def __init__(self, items: list[NavItem]) -> None:
        self.items = sorted(items, key=lambda item: item.order)
        self.links: dict[tuple[Role, str, str], tuple[tuple[NavItem, Link], ...]] = {}
        self.urls: dict[tuple[str, str, str | None], str] = {}
        self.csrf: dict[str, str] = {}
        # The SQL of each user's last badges, and the endpoints whose pages showed a signed-in header:
        # the session check of a page reads them in its own statement (read_beside_session_check()).
        self.badges_of: dict[int, tuple[ColumnElement[int], ...]] = {}
        self.header_endpoints: set[str] = set()

    def url(self, root: str, endpoint: str, filename: str | None) -> str:
        key = (root, endpoint, filename)
        url = self.urls.get(key)
        if url is None:
            if len(self.urls) > 1000:
                self.urls.clear()
            url = self.urls[key] = url_for(endpoint, filename=filename) if filename else url_for(endpoint)
        return url


def add(app: Flask, item: NavItem) -> None:
    """Add a link to the header."""
    app.extensions.setdefault(_NAV, []).append(item)
    app.extensions.pop(_KEPT, None)


def header() -> Header:
    """This request's header (worked out on first use)."""
    # Kept in the request's environ, not in g: g outlives the request when an app context was pushed first.
    environ = request.environ
    found: Header | None = environ.get(_HEADER)
    if found is None:
        found = environ[_HEADER] = _header()
    return found


def items() -> tuple[Link, ...]:
    """The links the signed-in user may follow, in order, with their badges."""
    return header().links


def fixed_url(endpoint: str) -> str:
    """``url_for(endpoint)`` of an endpoint without parameters, built once per process."""
    return _kept(current_app).url(request.script_root, endpoint, None)


def _kept(app: Flask) -> _Kept:
    kept: _Kept | None = app.extensions.get(_KEPT)
    if kept is None:
        kept = app.extensions[_KEPT] = _Kept(app.extensions.get(_NAV, []))
    return kept


def role_links(role: Role, locale: str) -> tuple[tuple[NavItem, Link], ...]:
    """The role's links in the interface language, built once (``url_for`` and the translation)."""
    kept = _kept(current_app)
    key = (role, locale, request.script_root)
    links = kept.links.get(key)
    if links is None:
        links = kept.links[key] = tuple(
            (item, Link(item.endpoint, url_for(item.endpoint), str(item.label)))
            for item in kept.items
            if role in item.roles
        )
    return links


def badges_beside_session_check(user_id: int) -> tuple[ColumnElement[int], ...]:
    """The badges to read in the session check's statement, saving the header's own round trip: those
    of the user's last page, for a page whose endpoint has shown a signed-in header before.

    A guess: the user (role, unit) is not known before the check. ``_badges()`` uses the values read
    only if the badges of the user just read are the very same SQL (each feature builds its badge once
    per user, unit or day), else reads its own; so a role or unit changed shows at once.
    """
    if request.method != "GET":
        return ()
    kept = _kept(current_app)
    if request.endpoint not in kept.header_endpoints:
        return ()
    return kept.badges_of.get(user_id, ())


def read_beside_session_check(badges: tuple[ColumnElement[int], ...], values: tuple[Any, ...]) -> None:
    """Keep the badges' values read with the session check for this request's header."""
    request.environ[_READ] = (badges, values)


def _csrf_token(app: Flask, kept: _Kept) -> str:
    """Flask-WTF's signed CSRF token for this session, signed once per process.

    ``generate_csrf()`` signs the session's token again on every request (a serializer and an HMAC).
    With no time limit (``WTF_CSRF_TIME_LIMIT`` None, kiemtra's setting) a token signed earlier is as
    valid, so the one signed first is kept; it is also what ``generate_csrf()`` (the page's own forms)
    returns for the rest of the request, so a page carries one token.
    """
    name = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    raw = session.get(name)
    signed = kept.csrf.get(raw) if isinstance(raw, str) else None
    if signed is None or app.config.get("WTF_CSRF_TIME_LIMIT") is not None or name in g:
        signed = generate_csrf()
        raw = session.get(name)
        if isinstance(raw, str):
            if len(kept.csrf) > 10_000:
                kept.csrf.clear()
            kept.csrf[raw] = signed
        return signed
    setattr(g, name, signed)  # generate_csrf()'s own cache for the request
    return signed


def _header() -> Header:
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    kept = _kept(app)
    locale = interface_language()
    user = current_user._get_current_object()
    req = request._get_current_object()  # type: ignore[attr-defined]
    # The page's own GET (with its query) so the language switch comes back to it; a post's path only.
    back = req.full_path.rstrip("?") if req.method == "GET" else req.path
    token = _csrf_token(app, kept)
    root = req.script_root
    source = app.config.get("SOURCE_URL") or kept.url(root, "source.archive", None)
    if not user.is_authenticated:
        return Header(False, (), None, Markup(""), "", locale, token, back, source, root, kept)
    user = cast(User, user)
    name, unit = user.display_name or user.username, user.organization.name
    links = role_links(user.role, locale)
    counts = _badges(tuple(item for item, _ in links), user.id, req, kept)
    return Header(
        True,
        tuple(
            Link(link.endpoint, link.url, link.label, counts.get(index) or None)
            for index, (_, link) in enumerate(links)
        ),
        req.endpoint,
        Markup("%s · %s") % (name, vi(unit)),
        f"{name} · {unit}",
        locale,
        token,
        back,
        source,
        root,
        kept,
    )


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


def _badges(items: tuple[NavItem, ...], user_id: int, req: Any, kept: _Kept) -> dict[int, int]:
    """The counts beside the links, by the link's index, read in one statement (the session check's
    when it read these very badges)."""
    counts: dict[int, ColumnElement[int]] = {}
    for index, item in enumerate(items):
        expression = item.badge() if item.badge else None
        if expression is not None:
            counts[index] = expression
    expressions = tuple(counts.values())
    if len(kept.badges_of) > 10_000:
        kept.badges_of.clear()
    kept.badges_of[user_id] = expressions
    if req.endpoint is not None:
        kept.header_endpoints.add(req.endpoint)
    if not counts:
        return {}
    read = req.environ.get(_READ)
    if read is not None and _same(read[0], expressions):
        values = read[1]
    else:
        # Sent to the driver as compiled once, its values written in (each statement is built per unit
        # and day, and its IN lists would otherwise be expanded at every run).
        (values,) = raw.rows(db.session, _select(expressions), literal=True)
    return dict(zip(counts, values, strict=True))


def _same(read: tuple[ColumnElement[int], ...], expressions: tuple[ColumnElement[int], ...]) -> bool:
    return len(read) == len(expressions) and all(a is b for a, b in zip(read, expressions, strict=True))
