"""The in-app inbox and the private calendar feed."""

from __future__ import annotations

import re
import secrets
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    and_,
    func,
    select,
    update,
)
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.sql.selectable import ScalarSelect

from models import (
    Directive,
    Notification,
    Task,
    User,
    db,
)
from models.base import utcnow
from models.enums import (
    OPEN_TASK_STATUSES,
    TaskStatus,
)
from workflows import audit
from workflows.errors import OutOfScope
from workflows.scope import tasks_visible_to

# --------------------------------------------------------------------------------------------------
# The inbox


def unread_count_sql(user: User) -> ScalarSelect[int]:
    """The unread count as SQL (the header reads its badges in one statement)."""
    return _unread_sql(user.id)


@lru_cache(maxsize=4096)
def _unread_sql(user_id: int) -> ScalarSelect[int]:
    """Built once per user: SQL constructs are immutable, and building one costs more than running it."""
    return (
        select(func.count(Notification.id))
        .where(Notification.recipient_id == user_id, Notification.read_at.is_(None))
        .scalar_subquery()
    )


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    return db.session.scalar(select(unread_count_sql(user))) or 0


def inbox_page(user: User, *, unread_only: bool, limit: int, offset: int = 0) -> list[Notification]:
    """The user's notifications, newest first, with the tasks they are about."""
    query = select(Notification).where(Notification.recipient_id == user.id)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    return list(
        db.session.scalars(
            query.options(
                joinedload(Notification.task).joinedload(Task.lead_org),
                joinedload(Notification.task).joinedload(Task.directive).joinedload(Directive.visit),
            )
            .order_by(Notification.created_at.desc(), Notification.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )


def notification_of(user: User, notification_id: int) -> Notification:
    """The user's own notification; anyone else's answers as if it did not exist."""
    notification = db.session.get(Notification, notification_id)
    if notification is None or notification.recipient_id != user.id:
        raise OutOfScope("Không tìm thấy thông báo.")
    return notification


def mark_read(notification: Notification, user: User, *, now: datetime | None = None) -> None:
    """Mark one of the user's notifications as read (reading it twice keeps the first time)."""
    if notification.recipient_id != user.id:
        raise OutOfScope("Không tìm thấy thông báo.")
    if notification.read_at is None:
        notification.read_at = now or utcnow()


def mark_all_read(user: User, *, now: datetime | None = None) -> int:
    """Mark every unread notification of the user as read; return how many."""
    result = db.session.execute(
        update(Notification)
        .where(Notification.recipient_id == user.id, Notification.read_at.is_(None))
        .values(read_at=now or utcnow()),
        execution_options={"synchronize_session": False},
    )
    return cast(CursorResult[Any], result).rowcount


# --------------------------------------------------------------------------------------------------
# The calendar feed


def renew_calendar_token(user: User, actor: User) -> str:
    """Give the user a new secret feed address; the old one stops working at once."""
    if actor.id != user.id:
        raise OutOfScope("Không tìm thấy tài khoản.")
    user.calendar_token = secrets.token_urlsafe(32)
    audit.record(actor, "calendar_token_renewed", user)
    return user.calendar_token


def revoke_calendar_token(user: User, actor: User) -> None:
    """Turn the user's calendar feed off; its address answers 404 from now on."""
    if actor.id != user.id:
        raise OutOfScope("Không tìm thấy tài khoản.")
    if user.calendar_token is not None:
        user.calendar_token = None
        audit.record(actor, "calendar_token_revoked", user)


_TOKEN_SHAPE = re.compile(r"[A-Za-z0-9_-]{16,64}")


def user_by_calendar_token(token: str) -> User | None:
    """The active user whose feed this is, or None for an unknown or revoked token."""
    if not _TOKEN_SHAPE.fullmatch(token):  # also keeps NUL bytes and the like away from the database
        return None
    user = db.session.scalar(select(User).where(User.calendar_token == token))
    return user if user is not None and user.is_active else None


# Done tasks, and open ones long overdue, leave the feed after this many days (they are on the board);
# a feed never lists more than CALENDAR_MAX_EVENTS tasks, the nearest first.
CALENDAR_PAST_DAYS = 90
CALENDAR_MAX_EVENTS = 5000


def _calendar_condition(user: User, today: date) -> ColumnElement[bool]:
    return and_(
        tasks_visible_to(user.organization),
        Task.due_on.is_not(None),
        Task.due_on >= today - timedelta(days=CALENDAR_PAST_DAYS),
        Task.status.in_(OPEN_TASK_STATUSES | {TaskStatus.DONE}),
    )


def calendar_tasks(user: User, today: date) -> list[Task]:
    """Tasks in the user's scope with a due date: open or done, due from 90 days ago on."""
    return list(
        db.session.scalars(
            select(Task)
            .where(_calendar_condition(user, today))
            .options(
                joinedload(Task.lead_org),
                selectinload(Task.coordinating_orgs),
                joinedload(Task.directive).joinedload(Directive.visit),
            )
            .order_by(Task.due_on, Task.id)
            .limit(CALENDAR_MAX_EVENTS)
        )
    )


def calendar_task_count(user: User, today: date) -> int:
    """How many tasks the user's feed lists."""
    count = db.session.scalar(select(func.count(Task.id)).where(_calendar_condition(user, today))) or 0
    return min(count, CALENDAR_MAX_EVENTS)
