"""Sign-in, sign-out and the language switch, with the session hardening of engineering notes §4.

* argon2id hashes (``User.set_password``), re-hashed on sign-in when the parameters change;
* failed sign-ins throttled in the database (all workers agree), per typed name from one address and per
  address, each attempt counted before its password is checked so that parallel guesses are counted too;
  a correct password passes the address limit, so guessing among an office's names locks nobody out;
* a new session on sign-in, held server-side: the cookie carries a random token whose row is ended
  on sign-out, so a copied cookie stops working too;
* cookies HttpOnly and SameSite=Lax always, Secure with the ``__Host-`` name whenever kiemtra is
  reached over https (``KIEMTRA_BASE_URL``), which is every deployment except tests and the local demo;
* ``next`` is followed only to a path of this site.
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import (
    Blueprint,
    Flask,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_user, logout_user
from flask_wtf import FlaskForm
from flask_wtf.csrf import CSRFError
from itsdangerous import URLSafeTimedSerializer
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import InputRequired, Length

from app import navigation, policy
from app.acting import safe_path
from app.extensions import login_manager
from models import User, db
from models.vntext import nfc
from workflows import signin

bp = Blueprint("auth", __name__)

SESSION_TOKEN_KEY = "kt_session"  # noqa: S105 - the session key's name, not a secret
_hasher = PasswordHasher()


@cache
def _dummy_hash() -> str:
    """Verified when the typed name has no account, so a wrong name takes as long as a wrong password."""
    return _hasher.hash("kiemtra: no such account")


class LoginForm(FlaskForm):
    username = StringField(
        _l("Tên đăng nhập"),
        validators=[
            InputRequired(_l("Chưa nhập tên đăng nhập.")),
            Length(max=60, message=_l("Tối đa %(max)d ký tự.")),
        ],
        filters=[nfc],
    )
    password = PasswordField(
        _l("Mật khẩu"),
        validators=[
            InputRequired(_l("Chưa nhập mật khẩu.")),
            Length(max=200, message=_l("Tối đa %(max)d ký tự.")),
        ],
    )


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user, only while their server-side session is open."""
    token = session.get(SESSION_TOKEN_KEY)
    if not user_id.isdigit() or not isinstance(token, str):
        return None
    max_age = timedelta(hours=current_app.config["SESSION_MAX_HOURS"])
    # A page's header badges are read in the same statement (one round trip instead of two).
    badges = navigation.badges_beside_session_check(int(user_id))
    user, values = signin.session_user_with(int(user_id), token, max_age, badges)
    if badges and user is not None:
        navigation.read_beside_session_check(badges, values)
    return user


def _limits() -> signin.Limits:
    config = current_app.config
    return signin.Limits(
        per_username=config["LOGIN_FAILURES_PER_USERNAME"],
        per_address=config["LOGIN_FAILURES_PER_ADDRESS"],
        window=timedelta(minutes=config["LOGIN_THROTTLE_MINUTES"]),
    )


def _password_matches(stored_hash: str | None, password: str) -> bool:
    """Check the password against the account's hash (None: no such active account, checked against a
    dummy so that it takes as long)."""
    try:
        return _hasher.verify(stored_hash or _dummy_hash(), password) and stored_hash is not None
    except (VerificationError, InvalidHashError):
        return False


def _too_many(form: LoginForm, wait: int) -> ResponseReturnValue:
    minutes = max(1, -(-wait // 60))
    flash(_("Đăng nhập sai quá nhiều lần. Vui lòng thử lại sau %(minutes)d phút.", minutes=minutes), "error")
    response = current_app.make_response((render_template("login.html", form=form), 429))
    response.headers["Retry-After"] = str(wait)
    return response


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    """Show the sign-in form and sign the user in."""
    if current_user.is_authenticated and request.method == "GET":
        return redirect(safe_path(request.args.get("next")))
    form = LoginForm()
    if not form.validate_on_submit():
        return render_template("login.html", form=form)
    username = form.username.data or ""
    password = form.password.data or ""
    address = request.remote_addr or "unknown"
    claim = signin.claim_attempt(username, address, _limits())
    user = db.session.scalar(select(User).where(User.username == signin.username_key(username)))
    stored_hash = user.password_hash if user is not None and user.is_active else None
    # The attempt is counted (and the write lock given back) before the slow password check.
    db.session.commit()
    if claim.wait:
        return _too_many(form, claim.wait)
    if not _password_matches(stored_hash, password):
        if claim.address_wait:
            return _too_many(form, claim.address_wait)
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
        return render_template("login.html", form=form)
    assert user is not None
    if _hasher.check_needs_rehash(user.password_hash):
        user.set_password(password)
    signin.clear_failures(username, address)  # this attempt's count with the earlier ones
    locale = session.get("locale")
    session.clear()  # a new session on sign-in: nothing from before survives but the language
    token = signin.open_session(user, address=address, user_agent=request.headers.get("User-Agent"))
    db.session.commit()
    session[SESSION_TOKEN_KEY] = token
    if locale:
        session["locale"] = locale
    login_user(user)
    return redirect(safe_path(request.args.get("next")))


@bp.route("/logout", methods=["POST"])
def logout() -> ResponseReturnValue:
    """End the session here and on the server."""
    token = session.get(SESSION_TOKEN_KEY)
    if isinstance(token, str):
        signin.end_session(token)
        db.session.commit()
    logout_user()
    session.clear()
    flash(_("Bạn đã đăng xuất."), "success")
    return redirect(url_for("auth.login"))


@bp.route("/language", methods=["POST"])
def set_language() -> ResponseReturnValue:
    """Switch the interface language; remembered on the account and in the session."""
    languages = current_app.config["LANGUAGES"]
    choice = request.form.get("locale", "")
    if choice in languages:
        session["locale"] = choice
        if current_user.is_authenticated and current_user.locale != choice:
            current_user.locale = choice
            db.session.commit()
    return redirect(safe_path(request.form.get("next")))


def _csrf_failed(error: CSRFError) -> ResponseReturnValue:
    """A form sent without a valid token: say so in words, not as a bare 400."""
    message = _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ. Vui lòng tải lại trang rồi gửi lại.")
    return render_template("workspace/error.html", code=400, message=message), 400


def _configure_cookies(app: Flask) -> None:
    """HttpOnly and SameSite=Lax always; Secure and ``__Host-`` whenever the site is served over https."""
    config = app.config
    secure = bool(config.get("SESSION_COOKIE_SECURE")) or (
        not config.get("TESTING") and str(config.get("BASE_URL", "")).startswith("https://")
    )
    config["SESSION_COOKIE_SECURE"] = secure
    config["SESSION_COOKIE_HTTPONLY"] = True
    config["SESSION_COOKIE_SAMESITE"] = "Lax"
    config["REMEMBER_COOKIE_SECURE"] = secure
    config["REMEMBER_COOKIE_HTTPONLY"] = True
    config["REMEMBER_COOKIE_SAMESITE"] = "Lax"
    if secure:
        # Browsers refuse a __Host- cookie unless it is Secure, has Path=/ and no Domain.
        config["SESSION_COOKIE_NAME"] = "__Host-kiemtra"
        config["SESSION_COOKIE_PATH"] = "/"
        config["SESSION_COOKIE_DOMAIN"] = None


class _SessionCookie(SecureCookieSessionInterface):
    """Flask's signed session cookie, with its serializer made once per secret key instead of twice per
    request (the cookie is read and written on every request)."""

    _made: tuple[tuple[object, ...], URLSafeTimedSerializer | None] | None = None

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        made = self._made
        if made is None or made[0] != keys:
            made = self._made = (keys, super().get_signing_serializer(app))
        return made[1]


def _security_headers(response: Response) -> Response:
    headers = response.headers
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # same-origin keeps the Referer that Flask-WTF's strict check needs on https.
    headers.setdefault("Referrer-Policy", "same-origin")
    return response


def init_app(app: Flask) -> None:
    """Register sign-in routes, the session settings and the CSRF error page."""
    for key, value in {
        "LOGIN_FAILURES_PER_USERNAME": 5,
        "LOGIN_FAILURES_PER_ADDRESS": 30,
        "LOGIN_THROTTLE_MINUTES": 15,
        "SESSION_MAX_HOURS": 12,
    }.items():
        app.config.setdefault(key, value)
    _configure_cookies(app)
    app.session_interface = _SessionCookie()
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập.")
    login_manager.login_message_category = "info"
    policy.register(
        {"auth.login": policy.PUBLIC, "auth.logout": policy.PUBLIC, "auth.set_language": policy.PUBLIC}
    )
    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _csrf_failed)
    app.after_request(_security_headers)
