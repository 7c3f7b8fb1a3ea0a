"""The page where a user makes, sees and revokes their personal API tokens (``/account/api-tokens``)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, flash, redirect, render_template, session, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import StringField
from wtforms.validators import InputRequired, Length

from app.acting import Refused, run
from models import User
from models.vntext import nfc
from workflows import api_tokens
from workflows.clock import LOCAL_ZONE

bp = Blueprint("api_tokens", __name__)


@bp.context_processor
def _helpers() -> dict[str, Any]:
    def local_time(instant: datetime | None) -> str:
        return instant.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M") if instant else ""

    return {"local_time": local_time}


# The new secret waits in the session for the one page that shows it, then is gone.
_JUST_MADE = "api_token_secret"


class TokenForm(FlaskForm):
    name = StringField(
        _l("Dùng cho việc gì"),
        validators=[
            InputRequired(_l("Chưa nhập tên mã truy cập (dùng cho việc gì).")),
            Length(max=api_tokens.NAME_MAX, message=_l("Tối đa %(max)d ký tự.")),
        ],
        filters=[nfc],
        render_kw={"placeholder": _l("Ví dụ: Cổng dữ liệu của tỉnh")},
    )


def _me() -> User:
    return current_user._get_current_object()


def _render(form: TokenForm, status: int = 200) -> tuple[str, int]:
    return (
        render_template(
            "api/tokens.html",
            form=form,
            tokens=api_tokens.tokens_of(_me()),
            secret=session.pop(_JUST_MADE, None),
            max_tokens=api_tokens.MAX_TOKENS_PER_USER,
        ),
        status,
    )


@bp.route("/account/api-tokens")
def token_page() -> tuple[str, int]:
    """List the user's tokens; right after one is made, show its secret once."""
    return _render(TokenForm(formdata=None))


@bp.route("/account/api-tokens", methods=["POST"])
def token_create() -> ResponseReturnValue:
    """Make a token and show its secret on the next page, once."""
    form = TokenForm()
    if not form.validate_on_submit():
        return _render(form, 400)
    try:
        made = run(lambda: api_tokens.create_token(_me(), name=form.name.data or ""), form=form, field="name")
    except Refused:
        return _render(form, 400)
    session[_JUST_MADE] = made.secret
    flash(_("Đã tạo mã truy cập. Hãy sao chép mã ngay: trang này chỉ hiện nó một lần."), "success")
    return redirect(url_for("api_tokens.token_page"))


@bp.route("/account/api-tokens/<int:token_id>/revoke", methods=["POST"])
def token_revoke(token_id: int) -> ResponseReturnValue:
    """Revoke one of the user's tokens; programs using it are refused from now on."""
    token = run(lambda: api_tokens.revoke_token(token_id, _me()))
    flash(_("Đã thu hồi mã truy cập «%(name)s».", name=token.name), "success")
    return redirect(url_for("api_tokens.token_page"))
