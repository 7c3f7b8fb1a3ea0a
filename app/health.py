"""What a reverse proxy and an operator need: ``/healthz`` and one log line per request.

``/healthz`` answers 200 when the database answers and its schema is at the newest migration this
code knows, else 503, as JSON and without sign-in, so a proxy takes a process out of rotation while
its database is down or not yet migrated.

The request log (logger ``kiemtra.requests``, standard logging) writes one line per request: method,
path, status, duration and the signed-in user's id. It is on by default and off under tests unless
``REQUEST_LOG`` is set; path segments that are secrets (calendar tokens) are masked.
"""

from __future__ import annotations

import logging
import time
from functools import cache

from flask import Blueprint, Flask, Response, g, jsonify, request
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from app import policy
from models import db

bp = Blueprint("health", __name__)
log = logging.getLogger("kiemtra.requests")


@cache
def _head_revision() -> str | None:
    from app.backup.service import head_revision

    return head_revision()


def _current_revision() -> str | None:
    from alembic.migration import MigrationContext

    return MigrationContext.configure(db.session.connection()).get_current_revision()


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """Say whether this process can serve: database reachable, migrations at head."""
    head = _head_revision()
    payload: dict[str, object] = {"database": "ok", "schema_revision": None, "head_revision": head}
    try:
        db.session.execute(text("SELECT 1"))
        payload["schema_revision"] = _current_revision()
    except SQLAlchemyError:
        payload["database"] = "unreachable"
    finally:
        db.session.rollback()
    healthy = payload["database"] == "ok" and payload["schema_revision"] == head
    if payload["database"] == "ok" and not healthy:
        payload["database"] = "not migrated"
    payload["status"] = "ok" if healthy else "unavailable"
    response = jsonify(payload)
    response.headers["Cache-Control"] = "no-store"
    return response, 200 if healthy else 503


def _start_timer() -> None:
    g.request_started = time.perf_counter()


def _logged_path() -> str:
    path = request.path
    for name, value in (request.view_args or {}).items():
        if "token" in name and isinstance(value, str) and value:
            path = path.replace(value, "…")
    return path


def _log_request(response: Response) -> Response:
    started = g.pop("request_started", None)
    if started is None:
        return response
    user = getattr(g, "_login_user", None)  # the user Flask-Login loaded for this request, if any
    # The id from the identity map, not the row: after a save's commit the user's columns are expired,
    # and reading them again would open one more transaction (on SQLite a post's takes the write lock).
    state = inspect(user, raiseerr=False) if user is not None else None
    user_id = str(state.identity[0]) if state is not None and state.identity else "-"
    log.info(
        '%s "%s %s" %s %.1fms user=%s',
        request.remote_addr or "-",
        request.method,
        _logged_path(),
        response.status_code,
        (time.perf_counter() - started) * 1000,
        user_id,
    )
    return response


def request_log_enabled(app: Flask) -> bool:
    """On unless under tests; ``REQUEST_LOG`` decides when set."""
    configured = app.config.get("REQUEST_LOG")
    return bool(configured) if configured is not None else not app.testing


def init_app(app: Flask) -> None:
    """Register ``/healthz`` (public) and, unless turned off, the request log."""
    policy.register({"health.healthz": policy.PUBLIC})
    app.register_blueprint(bp)
    if request_log_enabled(app):
        app.before_request_funcs.setdefault(None, []).insert(0, _start_timer)
        app.after_request(_log_request)
