"""Feature package ``api``: the JSON API under ``/api/v1`` and the page where a user manages the
personal tokens it is called with (``/account/api-tokens``). See docs/api.md."""

from __future__ import annotations

from flask import Flask

from app import policy
from app.api import access
from app.board import DASHBOARD_READERS, TASK_READERS

# The same roles as the page each route mirrors (app/board, app/workspace, app/news).
RULES = {
    "api.openapi": policy.PUBLIC,
    "api.not_found": policy.PUBLIC,
    "api.me": policy.SIGNED_IN,
    "api.task_list": TASK_READERS,
    "api.task_detail": TASK_READERS,
    "api.record_progress": policy.OFFICES,
    "api.report_done": policy.OFFICES,
    "api.request_extension": policy.OFFICES,
    "api.verify_task": policy.INSPECTORS,
    "api.return_task": policy.INSPECTORS,
    "api.timeliness": DASHBOARD_READERS,
    "api.visit_list": policy.READERS,
    "api.visit_detail": policy.READERS,
    "api.registry": policy.READERS,
    "api.news": policy.SIGNED_IN,
    "api_tokens.token_page": policy.SIGNED_IN,
    "api_tokens.token_create": policy.SIGNED_IN,
    "api_tokens.token_revoke": policy.SIGNED_IN,
}


def init_app(app: Flask) -> None:
    """Register the API, its token page, their policy rules, the token check and the error answers."""
    from app.api import openapi, tokens, views  # noqa: F401 - routes register on import
    from app.extensions import csrf

    app.config.setdefault("API_RATE_LIMIT", 120)
    app.config.setdefault("API_RATE_WINDOW_S", 60)
    policy.register(RULES)
    csrf.exempt(views.bp)  # a bearer token, never a cookie: nothing a foreign page could forge
    app.register_blueprint(views.bp)
    app.register_blueprint(tokens.bp)
    # Before the policy table (and after the NUL-byte guard): the token decides who is asking.
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs.insert(funcs.index(policy.check_request), access.authenticate)
    app.teardown_request(access.forget_user)
