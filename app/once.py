"""One-time form tokens: a second submission of the same form (a double click, a resent POST) does nothing.

A form renders ``{{ once_field() }}``: a hidden field with a fresh token that is also remembered in the
user's session. The view calls ``replayed(back)`` first thing on POST: the first submission consumes the
token and goes on; a submission whose token was already consumed (or was never handed out) is answered with
a redirect to ``back`` and a message, and nothing is done. Posts without the field (scripts, old pages) go on.

The cookie session alone cannot stop two clicks sent before the first answer arrives (both carry the same
cookie), so consumed tokens are also kept, for a while, in this process.
"""

from __future__ import annotations

import secrets
import threading
from collections import OrderedDict

from flask import Flask, flash, redirect, request, session
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from markupsafe import Markup

FIELD = "once"
SESSION_KEY = "_once"
KEPT = 30  # tokens remembered per session (that many forms open in tabs at once)
_SPENT_LIMIT = 10_000

_lock = threading.Lock()
_spent: OrderedDict[str, None] = OrderedDict()


def once_field() -> Markup:
    """A hidden field carrying a new one-time token for the form it sits in."""
    token = secrets.token_urlsafe(16)
    session[SESSION_KEY] = [*session.get(SESSION_KEY, [])[-(KEPT - 1) :], token]
    return Markup('<input type="hidden" name="{}" value="{}">').format(FIELD, token)


def _consume(token: str) -> bool:
    with _lock:
        if token in _spent:
            return False
        issued = session.get(SESSION_KEY, [])
        if token not in issued:
            return False
        _spent[token] = None
        while len(_spent) > _SPENT_LIMIT:
            _spent.popitem(last=False)
    session[SESSION_KEY] = [t for t in issued if t != token]
    return True


def replayed(back: str) -> ResponseReturnValue | None:
    """None when this POST may go on; else the redirect answering a form submitted a second time."""
    token = request.form.get(FIELD)
    if token is None or _consume(token):
        return None
    flash(_("Yêu cầu này đã được gửi; không thực hiện lại."), "warning")
    return redirect(back)


def init_app(app: Flask) -> None:
    """Make ``once_field()`` available to every template."""
    app.jinja_env.globals["once_field"] = once_field
