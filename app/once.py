"""One-time form tokens: a second submission of the same form (a double click, a resent POST) does nothing.

A form renders ``{{ once_field() }}``: a hidden field with a fresh token that is also remembered in the
user's session. The view calls ``replayed(back)`` first thing on POST: the first submission consumes the
token and goes on; a submission whose token was already consumed (or was never handed out) is answered with
a redirect to ``back`` and a message, and nothing is done. Posts without the field (scripts, old pages) go on.

The cookie session alone cannot stop two clicks sent before the first answer arrives (both carry the same
cookie), so a consumed token is written to the database in the request's own transaction: an insert that
does nothing when the row is there. A second submission, in this process or another, before or after a
restart, finds the row (PostgreSQL makes it wait for the first one's commit); if the first submission fails
and rolls back, its token is not spent and the form may be sent again.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta
from typing import TYPE_CHECKING, cast

from flask import Flask, flash, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup
from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite

from app import database
from models import SpentFormToken, db
from models.base import utcnow

if TYPE_CHECKING:
    from sqlalchemy import Table

FIELD = "once"
SESSION_KEY = "_once"
KEPT = 30  # tokens remembered per session (that many forms open in tabs at once)
# A token can only be replayed with the session that holds it, which ends within hours.
SPENT_KEPT_FOR = timedelta(days=2)


def once_field() -> Markup:
    """A hidden field carrying a new one-time token for the form it sits in."""
    token = secrets.token_urlsafe(16)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-(KEPT - 1) :], token]
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token)


def _spend(token: str) -> bool:
    """Record ``token`` as spent; False when it already was."""
    table = cast("Table", SpentFormToken.__table__)
    now = utcnow()
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    db.session.execute(delete(table).where(table.c.spent_at < now - SPENT_KEPT_FOR))
    inserted = db.session.execute(
        dialect.insert(table)
        .values(token_hash=hashlib.sha256(token.encode()).hexdigest(), spent_at=now)
        .on_conflict_do_nothing()
        .returning(table.c.token_hash)
    ).first()
    return inserted is not None


def _consume(token: str) -> bool:
    issued = session.get(SESSION_KEY, [])
    if token not in issued or not _spend(token):
        return False
    session[SESSION_KEY] = [t for t in issued if t != token]
    return True


def replayed(back: str) -> ResponseReturnValue | None:
    """None when this POST may go on; else the redirect answering a form submitted a second time."""
    token = request.form.get(FIELD)
    if token is None:
        return None
    if database.reading():
        # A reads_first view: the token is spent first thing in its write transaction, so that its
        # slow part holds no lock and a failed action leaves the token unspent.
        if token not in session.get(SESSION_KEY, []):
            return _answer_replay(back)
        database.on_writing(lambda: _consume_or_refuse(token, back))
        return None
    if _consume(token):
        return None
    return _answer_replay(back)


class Replayed(Exception):
    """A reads_first view's form was sent a second time; found when its write transaction began."""

    def __init__(self, back: str) -> None:
        super().__init__(back)
        self.back = back


def _consume_or_refuse(token: str, back: str) -> None:
    if not _consume(token):
        raise Replayed(back)


def _answer_replay(back: str) -> ResponseReturnValue:
    flash(_("Yêu cầu này đã được gửi; không thực hiện lại."), "warning")
    return redirect(back)


def init_app(app: Flask) -> None:
    """Make ``once_field()`` available to every template."""
    app.jinja_env.globals["once_field"] = once_field

    @app.errorhandler(Replayed)
    def _replayed(error: Replayed) -> ResponseReturnValue:
        db.session.rollback()
        return _answer_replay(error.back)
