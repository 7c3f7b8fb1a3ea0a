"""Sign-in rules kept in the database: throttling of failed attempts and server-side sessions.

Both live in tables rather than in process memory, so several worker processes (or a restart) see the
same counts and the same sign-outs. Nothing here commits.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from typing import Any, cast

from sqlalchemy import ColumnElement, Select, and_, delete, func, select, update
from sqlalchemy import inspect as sa_inspect
from sqlalchemy.engine import CursorResult

from models import LoginAttempt, LoginSession, Organization, User, db, raw
from models.base import utcnow
from models.vntext import nfc

# Failed attempts older than this are deleted whenever a new one is recorded.
_KEEP_ATTEMPTS = timedelta(days=1)


@dataclass(frozen=True)
class Limits:
    """At most ``per_username`` failures of one typed name from one address, and ``per_address`` from
    one address whatever the name, in ``window``.

    The first is a hard limit: past it, nothing is checked. The second lets a correct password through,
    so that people behind one office address are not locked out by someone guessing among them. Counting
    the name per address means a stranger cannot lock an account from elsewhere by typing its name.
    """

    per_username: int = 5
    per_address: int = 30
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class Claim:
    """An attempt counted as a failure before its password is checked (so parallel guesses see it)."""

    wait: int  # seconds before this name may be tried again from this address; 0: check the password
    address_wait: int  # the address is over its limit: only a correct password may go ahead


def username_key(username: str | None) -> str:
    """Fold a typed name the way usernames are stored."""
    return (nfc(username) or "").casefold()[:60]


def _wait(condition: ColumnElement[bool], limit: int, limits: Limits, now: datetime) -> int:
    """Seconds until the oldest of the last ``limit`` failures matching ``condition`` leaves the window."""
    recent = db.session.scalars(
        select(LoginAttempt.attempted_at)
        .where(condition, LoginAttempt.attempted_at > now - limits.window)
        .order_by(LoginAttempt.attempted_at.desc())
        .limit(limit)
    ).all()
    if len(recent) < limit:
        return 0
    return max(0, int((recent[-1] + limits.window - now).total_seconds())) + 1


def _pair(username: str, address: str) -> ColumnElement[bool]:
    return and_(LoginAttempt.username_key == username_key(username), LoginAttempt.address == address)


def seconds_to_wait(username: str, address: str, limits: Limits, now: datetime | None = None) -> int:
    """How long the next attempt for this name from this address must wait (0: it may go ahead).

    The window slides: the oldest counted failure leaving the window frees one attempt.
    """
    return _wait(_pair(username, address), limits.per_username, limits, now or utcnow())


def claim_attempt(username: str, address: str, limits: Limits, now: datetime | None = None) -> Claim:
    """Count an attempt before its password is checked; the caller commits at once.

    The counts and the insert run under one lock per address (PostgreSQL: an advisory lock for the
    transaction; SQLite: every posting transaction holds the write lock), so thirty guesses sent at once
    are counted one after the other and only the first few are checked.
    """
    now = now or utcnow()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(select(func.pg_advisory_xact_lock(func.hashtext(f"kiemtra-sign-in:{address}"))))
    wait = _wait(_pair(username, address), limits.per_username, limits, now)
    if wait:
        return Claim(wait, 0)
    address_wait = _wait(LoginAttempt.address == address, limits.per_address, limits, now)
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - _KEEP_ATTEMPTS))
    db.session.add(LoginAttempt(username_key=username_key(username), address=address, attempted_at=now))
    db.session.flush()
    return Claim(0, address_wait)


def record_failure(username: str, address: str, now: datetime | None = None) -> None:
    """Count one failed attempt, and forget the ones too old to matter."""
    now = now or utcnow()
    db.session.execute(delete(LoginAttempt).where(LoginAttempt.attempted_at < now - _KEEP_ATTEMPTS))
    db.session.add(LoginAttempt(username_key=username_key(username), address=address, attempted_at=now))


def clear_failures(username: str, address: str | None = None) -> None:
    """A successful sign-in wipes the failures counted against the name (from that address)."""
    condition = LoginAttempt.username_key == username_key(username)
    if address is not None:
        condition = _pair(username, address)
    db.session.execute(delete(LoginAttempt).where(condition))


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
    """The active user an open, unexpired session token belongs to, or None.

    Every request asks it: one statement, compiled once, reads the user's and its unit's columns, and
    they become the session's objects as a query's would (``models.raw``), without the ORM's loader.
    """
    return session_user_with(user_id, token, max_age, (), now)[0]


def session_user_with(
    user_id: int,
    token: str,
    max_age: timedelta,
    beside: tuple[ColumnElement[Any], ...],
    now: datetime | None = None,
) -> tuple[User | None, tuple[Any, ...]]:
    """``session_user()``, with the values of ``beside`` (scalar subqueries built once, their values
    written in: the header's badges) read in the same statement; no values when no user is found."""
    now = now or utcnow()
    statement, user_keys, unit_keys = _session_user_statement()
    if beside:
        statement = _with_beside(statement, beside)
    params = {"user_id": user_id, "token_hash": _hash(token), "since": now - max_age}
    found = raw.rows(db.session, statement, params, literal=True)
    if not found:
        return None, ()
    row, split, end = found[0], len(user_keys), len(user_keys) + len(unit_keys)
    session = db.session()
    unit = raw.persistent(session, Organization, dict(zip(unit_keys, row[split:end], strict=True)))
    values = dict(zip(user_keys, row[:split], strict=True))
    values["organization"] = unit  # loaded with the user, as a joined load would
    return raw.persistent(session, User, values), tuple(row[end:])


# The session check with other columns beside it, per set of columns (kept, so that its compiled SQL is).
_BESIDE: dict[tuple[int, ...], tuple[tuple[ColumnElement[Any], ...], Select[Any]]] = {}


def _with_beside(statement: Select[Any], beside: tuple[ColumnElement[Any], ...]) -> Select[Any]:
    key = tuple(map(id, beside))
    found = _BESIDE.get(key)
    if found is None or any(a is not b for a, b in zip(found[0], beside, strict=True)):
        if len(_BESIDE) > 4096:
            _BESIDE.clear()
        found = _BESIDE[key] = (beside, statement.add_columns(*beside))
    return found[1]


@cache
def _session_user_statement() -> tuple[Select[Any], tuple[str, ...], tuple[str, ...]]:
    """Built once, its parameters bound at each run: the user's columns then its unit's, and their
    attributes' names."""
    user, unit = sa_inspect(User), sa_inspect(Organization)
    user_columns = [prop.columns[0] for prop in user.column_attrs]
    unit_columns = [prop.columns[0] for prop in unit.column_attrs]
    statement = (
        select(*user_columns, *unit_columns)
        .join_from(User, LoginSession, LoginSession.user_id == User.id)
        .join(Organization, Organization.id == User.organization_id)
        .where(
            User.id == raw.param("user_id", User.id.type),
            User.is_active.is_(True),
            LoginSession.token_hash == raw.param("token_hash", LoginSession.token_hash.type),
            LoginSession.ended_at.is_(None),
            LoginSession.created_at > raw.param("since", LoginSession.created_at.type),
        )
    )
    return (
        statement,
        tuple(prop.key for prop in user.column_attrs),
        tuple(prop.key for prop in unit.column_attrs),
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
