"""Sign-in rules kept in the database: throttling of failed attempts and server-side sessions.

Both live in tables rather than in process memory, so several worker processes (or a restart) see the
same counts and the same sign-outs. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import delete, func, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload

from models import LoginAttempt, LoginSession, User, db
from models.base import utcnow
from models.vntext import nfc

# Failed attempts older than this are deleted whenever a new one is recorded.
_KEEP_ATTEMPTS = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    """At most ``per_username`` failures per typed name and ``per_address`` per address in ``window``."""

    per_username: int = 5
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)


def username_key(username: str | None) -> str:
    """Fold a typed name the way usernames are stored."""
    return (nfc(username) or "").casefold()[:60]


def seconds_to_wait(username: str, address: str, limits: Limits, now: datetime | None = None) -> int:
    """How long the next attempt for this name or from this address must wait (0: it may go ahead).

    The window slides: the oldest counted failure leaving the window frees one attempt, so no
    account is ever locked for good by someone who knows its name.
    """
    now = now or utcnow()
    since = now - limits.window
    waits = []
    for column, value, limit in (
        (LoginAttempt.username_key, username_key(username), limits.per_username),
        (LoginAttempt.address, address, limits.per_address),
    ):
        recent = db.session.scalars(
            select(LoginAttempt.attempted_at)
            .where(column == value, LoginAttempt.attempted_at > since)
            .order_by(LoginAttempt.attempted_at.desc())
            .limit(limit)
        ).all()
        if len(recent) >= limit:
            waits.append((recent[-1] + limits.window - now).total_seconds())
    return max(0, int(max(waits, default=0)) + (1 if waits else 0))


def record_failure(username: str, address: str, now: datetime | None = None) -> None:
    """Count one failed attempt, and forget the ones too old to matter."""
    now = now or utcnow()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - _KEEP_ATTEMPTS))
    db.session.add(LoginAttempt(username_key=username_key(username), address=address, attempted_at=now))


def clear_failures(username: str) -> None:
    """A successful sign-in wipes the failures counted against the name."""
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.username_key == username_key(username)))


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def open_session(user: User, *, address: str | None, user_agent: str | None) -> str:
    """Start a server-side session for ``user`` and return the token for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(
        LoginSession(
            user=user,
            token_hash=_hash(token),
            address=(address or "")[:64] or None,
            user_agent=(user_agent or "")[:200] or None,
        )
    )
    return token


def session_user(user_id: int, token: str, max_age: timedelta, now: datetime | None = None) -> User | None:
    """The active user an open, unexpired session token belongs to, or None."""
    now = now or utcnow()
    return db.session.scalar(
        select(User)
        .join(LoginSession, LoginSession.user_id == User.id)
        .where(
            User.id == user_id,
            User.is_active.is_(True),
            LoginSession.token_hash == _hash(token),
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > now - max_age,
        )
        .options(joinedload(User.organization))
    )


def end_session(token: str) -> None:
    """Sign-out: the token is refused from now on, even if someone copied the cookie."""
    db.session.execute(
        update(LoginSession)
        .where(LoginSession.token_hash == _hash(token), LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )


def end_all_sessions(user: User) -> int:
    """End every open session of ``user`` (password changed, account disabled); return how many."""
    result = db.session.execute(
        update(LoginSession)
        .where(LoginSession.user_id == user.id, LoginSession.ended_at.is_(None))
        .values(ended_at=utcnow())
    )
    return int(cast(CursorResult[Any], result).rowcount or 0)


def last_sign_in(user_ids: list[int]) -> dict[int, datetime]:
    """When each of these users last signed in, in one query."""
    if not user_ids:
        return {}
    rows = db.session.execute(
        select(LoginSession.user_id, func.max(LoginSession.created_at))
        .where(LoginSession.user_id.in_(user_ids))
        .group_by(LoginSession.user_id)
    )
    return {user_id: at for user_id, at in rows}
