"""Errors of the API as ``application/problem+json`` (RFC 9457), in the language the client asks for.

Every answer but a success is one of these: ``type`` names the kind of problem (a stable URI under
``/api/v1/problems/``), ``title`` and ``detail`` are in Vietnamese or English (``Accept-Language``),
``status`` repeats the HTTP status, and a refused field list comes as ``errors`` ({field: [messages]}).
"""

from __future__ import annotations

from typing import Any

from flask import Response, current_app, json
from flask_babel import get_locale
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from app.errors import MESSAGES

PROBLEM_TYPE = "application/problem+json"
PROBLEMS_BASE = "/api/v1/problems/"


def _titles() -> dict[int, str]:
    titles = {code: str(title) for code, (title, _message) in MESSAGES.items()}
    titles.update(
        {
            401: _("Chưa xác thực"),
            409: _("Xung đột"),
            415: _("Sai kiểu dữ liệu gửi lên"),
            422: _("Dữ liệu không hợp lệ"),
            428: _("Thiếu phiên bản"),
        }
    )
    return titles


def problem(
    status: int,
    detail: str | None = None,
    *,
    kind: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    **extra: Any,
) -> Response:
    """A problem+json answer with ``status``; ``kind`` is the last part of its type URI."""
    titles = _titles()
    title = titles.get(status, str(status))
    if detail is None and status in MESSAGES:
        detail = str(MESSAGES[status][1])
    body: dict[str, Any] = {
        "type": PROBLEMS_BASE + kind if kind else "about:blank",
        "title": title,
        "status": status,
    }
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = current_app.response_class(
        json.dumps(body, ensure_ascii=False), status=status, mimetype=PROBLEM_TYPE
    )
    response.headers["Content-Language"] = str(get_locale() or "vi")
    response.headers["Cache-Control"] = "no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


class ApiProblem(Exception):
    """Raised in a view to answer with a problem."""

    def __init__(self, status: int, detail: str | None = None, **kwargs: Any) -> None:
        super().__init__(detail or str(status))
        self.status = status
        self.detail = detail
        self.kwargs = kwargs

    def response(self) -> Response:
        """The problem+json answer."""
        return problem(self.status, self.detail, **self.kwargs)


def from_http(error: HTTPException) -> Response:
    """An HTTP error raised by routing, the policy table or ``abort()`` as a problem."""
    code = error.code or 500
    detail = None
    # abort(403, description=…) carries a workflow's message; Werkzeug's default English text does not.
    if error.description and error.description != type(error).description:
        detail = str(error.description)
    headers = {}
    allowed = getattr(error, "valid_methods", None) or []
    if code == 405 and allowed:
        headers["Allow"] = ", ".join(allowed)
    return problem(code, detail, headers=headers)
