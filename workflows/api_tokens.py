"""Personal API tokens: made, listed and revoked by their owner; a request carrying one acts as the owner.

The secret is ``kt_`` followed by 43 URL-safe characters (256 random bits). Only its SHA-256 is stored,
so a copy of the database gives no usable token; the owner sees the secret once, when it is made.
A revoked token, or a token of a deactivated account, is refused. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from models import ApiToken, User, db
from models.base import utcnow
from models.vntext import nfc
from workflows import audit
from workflows.errors import OutOfScope, ValidationFailed

PREFIX = "kt_"
MAX_TOKENS_PER_USER = 20
NAME_MAX = 100
# ``last_used_at`` is written at most this often, so reading through the API does not write every time.
LAST_USED_PRECISION = timedelta(hours=1)


def hash_secret(secret: str) -> str:
    """The stored form of a secret."""
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    """A token just made, with the secret its owner sees this once."""

    token: ApiToken
    secret: str


def create_token(user: User, *, name: str, now: datetime | None = None) -> NewToken:
    """Make a token for ``user`` named ``name`` (what it is for: "Cổng dữ liệu tỉnh")."""
    name = (nfc(name) or "").strip()
    if not name:
        raise ValidationFailed("Chưa nhập tên mã truy cập (dùng cho việc gì).")
    if len(name) > NAME_MAX:
        raise ValidationFailed("Tên mã truy cập tối đa %(max)d ký tự.", max=NAME_MAX)
    active = db.session.scalar(
        select(func.count(ApiToken.id)).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    )
    if (active or 0) >= MAX_TOKENS_PER_USER:
        raise ValidationFailed(
            "Mỗi tài khoản có tối đa %(max)d mã truy cập đang dùng; hãy thu hồi mã không còn cần.",
            max=MAX_TOKENS_PER_USER,
        )
    secret = PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user,
        name=name,
        token_hash=hash_secret(secret),
        prefix=secret[: len(PREFIX) + 6],
        created_at=now or utcnow(),
    )
    db.session.add(token)
    audit.record(user, "api_token.created", token, name=name)
    return NewToken(token, secret)


def tokens_of(user: User) -> list[ApiToken]:
    """The user's tokens, the ones in use first, newest first."""
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked_at.is_not(None), ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def revoke_token(token_id: int, actor: User, *, now: datetime | None = None) -> ApiToken:
    """Revoke one of ``actor``'s own tokens; from now on it is refused. Revoking twice changes nothing."""
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != actor.id:
        raise OutOfScope("Không tìm thấy mã truy cập.")
    if token.revoked_at is None:
        token.revoked_at = now or utcnow()
        audit.record(actor, "api_token.revoked", token, name=token.name)
    return token


def token_for(secret: str) -> ApiToken | None:
    """The active token of an active account this secret belongs to, or None."""
    if not secret.startswith(PREFIX) or len(secret) > 200:
        return None
    return db.session.scalar(
        select(ApiToken)
        .join(User, User.id == ApiToken.user_id)
        .where(
            ApiToken.token_hash == hash_secret(secret),
            ApiToken.revoked_at.is_(None),
            User.is_active.is_(True),
        )
        .options(joinedload(ApiToken.user).joinedload(User.organization))
    )


def needs_touch(token: ApiToken, now: datetime | None = None) -> bool:
    """Whether ``last_used_at`` is old enough to be written again."""
    now = now or utcnow()
    return token.last_used_at is None or now - token.last_used_at >= LAST_USED_PRECISION
