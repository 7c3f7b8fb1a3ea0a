"""Guards around every request: input no form can carry is refused, and every answer carries the
browser protections (a content security policy, HSTS under https).

A NUL byte typed into a field, a query string or a path cannot be stored (PostgreSQL refuses it in text)
and is never part of real input, so the request is answered 400 with the usual page before any view runs.
"""

from __future__ import annotations

import secrets

from flask import Flask, Response, current_app, g, render_template, request
from flask_babel import gettext as _

# Pages may use the site's own scripts and one inline script carrying the response's nonce; style
# attributes stay allowed (the templates use them), nothing else is.
POLICY = (
    "default-src 'none'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; script-src {scripts}; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'; "
    "object-src 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"


def csp_nonce() -> str:
    """The nonce that lets this response's inline script run (made on first use)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    return str(g.csp_nonce)


def _has_nul() -> bool:
    req = request._get_current_object()  # type: ignore[attr-defined]
    texts = [req.path, *req.args.keys(), *req.args.values()]
    if req.method not in ("GET", "HEAD", "OPTIONS"):
        texts += [*req.form.keys(), *req.form.values()]
        texts += [upload.filename or "" for upload in req.files.values()]
    return any("\x00" in text for text in texts)


def refuse_nul_bytes() -> tuple[str, int] | None:
    """Answer 400 to a request carrying a NUL byte anywhere a user could type one."""
    if _has_nul():
        message = _("Dữ liệu gửi lên có ký tự không hợp lệ (ký tự NUL). Vui lòng nhập lại.")
        return render_template("error.html", code=400, title=_("Yêu cầu không hợp lệ"), message=message), 400
    return None


def protect(response: Response) -> Response:
    """Send the content security policy on every page and HSTS whenever the site is reached over https."""
    nonce = g.get("csp_nonce")
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers.setdefault("Content-Security-Policy", POLICY.format(scripts=scripts))
    if request.is_secure or str(current_app.config.get("BASE_URL", "")).startswith("https://"):
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    return response


def init_app(app: Flask) -> None:
    """Refuse NUL bytes before anything reads the form (CSRF included); protect every answer."""
    app.before_request_funcs.setdefault(None, []).insert(0, refuse_nul_bytes)
    app.after_request(protect)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
