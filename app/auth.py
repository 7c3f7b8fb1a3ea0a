"""Sign-in and sign-out (the full hardening is the workspace issue's)."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Blueprint, Flask, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required, login_user, logout_user
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length

from app import policy
from app.extensions import login_manager
from models import User, db
from models.vntext import nfc

bp = Blueprint("auth", __name__)


class LoginForm(FlaskForm):
    username = StringField(_l("Tên đăng nhập"), validators=[DataRequired(), Length(max=60)], filters=[nfc])
    password = PasswordField(_l("Mật khẩu"), validators=[DataRequired(), Length(max=200)])


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    """Load the signed-in user for Flask-Login."""
    if not user_id.isdigit():
        return None
    user = db.session.get(User, int(user_id))
    return user if user and user.is_active else None


def _safe_next(target: str | None) -> str:
    """Only follow a local path after sign-in, never another site."""
    if target:
        parts = urlsplit(target)
        if not parts.scheme and not parts.netloc and target.startswith("/") and not target.startswith("//"):
            return target
    return url_for("main.home")


@bp.route("/login", methods=["GET", "POST"])
def login() -> object:
    """Show the sign-in form and sign the user in."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == (form.username.data or "").casefold()))
        if user and user.is_active and user.check_password(form.password.data or ""):
            session.clear()  # a new session on sign-in
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        flash(_("Tên đăng nhập hoặc mật khẩu không đúng."), "error")
    return render_template("login.html", form=form)


@bp.route("/logout", methods=["POST"])
@login_required
def logout() -> object:
    """End the session."""
    logout_user()
    session.clear()
    return redirect(url_for("auth.login"))


def init_app(app: Flask) -> None:
    """Register sign-in routes."""
    login_manager.login_view = "auth.login"
    login_manager.login_message = _l("Vui lòng đăng nhập.")
    policy.register({"auth.login": policy.PUBLIC, "auth.logout": policy.SIGNED_IN})
    app.register_blueprint(bp)
