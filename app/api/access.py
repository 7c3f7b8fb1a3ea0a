"""Who calls the API: a personal token in ``Authorization: Bearer …``, never a cookie; and how often.

``authenticate`` runs before the policy table for every ``/api/v1`` request. It sets Flask-Login's user
for this request only, from the token, so the policy table, the ``can_*`` predicates and the workflows
see the token's owner exactly as they see a signed-in user on the pages. A session cookie sent along
is ignored (the API is not reachable from a browser's session, so it needs no CSRF token).

Rate limit: per token and per worker process, a fixed window of ``API_RATE_LIMIT`` requests per
``API_RATE_WINDOW_S`` seconds (default 120 per 60 s). With N worker processes a token may make up to
N times as many; the limit is there to stop a runaway script, not to meter anyone.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict

from flask import current_app, g, request
from flask_babel import gettext as _
from flask_babel import refresh
from flask_login import AnonymousUserMixin
from sqlalchemy.exc import SQLAlchemyError
from werkzeug.wrappers import Response

from app import database, policy
from app.api.problems import problem
from models import db
from models.base import utcnow
from workflows import api_tokens

BLUEPRINT = "api"
CHALLENGE = {"WWW-Authenticate": 'Bearer realm="kiemtra"'}


class RateLimiter:
    """Fixed windows per key, in this process; the oldest keys are forgotten beyond ``max_keys``."""

    def __init__(self, max_keys: int = 10_000) -> None:
        self._windows: OrderedDict[int, tuple[float, int]] = OrderedDict()
        self._lock = threading.Lock()
        self._max_keys = max_keys

    def hit(self, key: int, limit: int, window: float, now: float | None = None) -> int:
        """Count one request; return 0 when allowed, else the seconds to wait."""
        now = time.monotonic() if now is None else now
        with self._lock:
            start, count = self._windows.pop(key, (now, 0))
            if now - start >= window:
                start, count = now, 0
            count += 1
            self._windows[key] = (start, count)
            while len(self._windows) > self._max_keys:
                self._windows.popitem(last=False)
            if count > limit:
                return max(1, int(window - (now - start) + 0.999))
            return 0

    def clear(self) -> None:
        """Forget every window (tests)."""
        with self._lock:
            self._windows.clear()


limiter = RateLimiter()


def is_api_request() -> bool:
    """The request is routed to the API's blueprint."""
    return request.blueprint == BLUEPRINT


def authenticate() -> Response | None:
    """Set the request's user from its bearer token, or answer 401/429 (before the policy table)."""
    if not is_api_request():
        return None
    g._login_user = AnonymousUserMixin()  # whatever the cookie says, the API does not look at it
    refresh()  # the language is chosen per request (Accept-Language), never kept from an earlier one
    rule = policy.TABLE.get(request.endpoint or "")
    if rule is not None and rule.public:
        return None
    header = request.headers.get("Authorization", "")
    scheme, _space, secret = header.partition(" ")
    if scheme.lower() != "bearer" or not secret.strip():
        return problem(
            401,
            _(
                "Thiếu mã truy cập: gửi tiêu đề «Authorization: Bearer <mã>» "
                "(tạo mã ở trang Mã truy cập API)."
            ),
            kind="unauthenticated",
            headers=CHALLENGE,
        )
    token = api_tokens.token_for(secret.strip())
    if token is None:
        return problem(
            401,
            _("Mã truy cập không đúng, đã bị thu hồi, hoặc tài khoản đã ngừng hoạt động."),
            kind="unauthenticated",
            headers=CHALLENGE,
        )
    config = current_app.config
    wait = limiter.hit(token.id, int(config["API_RATE_LIMIT"]), float(config["API_RATE_WINDOW_S"]))
    if wait:
        return problem(
            429,
            _(
                "Quá %(n)d yêu cầu trong %(s)d giây với mã truy cập này; vui lòng đợi rồi thử lại.",
                n=int(config["API_RATE_LIMIT"]),
                s=int(config["API_RATE_WINDOW_S"]),
            ),
            kind="rate-limited",
            headers={"Retry-After": str(wait)},
        )
    g._login_user = token.user
    g.api_token = token
    if api_tokens.needs_touch(token):
        _touch(token.id)
    return None


def _touch(token_id: int) -> None:
    """Note when the token was last used (at most hourly), in a short write of its own."""
    from models import ApiToken

    try:
        database.start_writing()
        token = db.session.get(ApiToken, token_id)
        if token is not None:
            token.last_used_at = utcnow()
        db.session.commit()
    except SQLAlchemyError:  # a busy database must not refuse the request for a note
        db.session.rollback()
        current_app.logger.warning("api: could not note the use of token %s", token_id)


def forget_user(_error: BaseException | None = None) -> None:
    """Requests of a test share one app context: the token's user must not outlive its request."""
    if is_api_request():
        g.pop("_login_user", None)
        g.pop("api_token", None)
