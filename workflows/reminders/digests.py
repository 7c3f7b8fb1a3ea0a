"""Digests: who waits for one, each day's claim and outcome, notifications grouped by timeliness."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    and_,
    select,
    update,
)
from sqlalchemy.orm import joinedload

from models import (
    Directive,
    Notification,
    Task,
    User,
    db,
)
from models.enums import (
    JobRunStatus,
    Timeliness,
)
from workflows.reminders.ledger import (
    DIGEST_JOB_PREFIX,
    DIGEST_WINDOW,
    MAX_EMAIL_ATTEMPTS,
    Claim,
    claim_run,
    close_run,
)
from workflows.timeliness import timeliness_of

# --------------------------------------------------------------------------------------------------
# Digests: one e-mail per recipient per day


def _unsent(now: datetime) -> ColumnElement[bool]:
    return and_(
        Notification.emailed_at.is_(None),
        Notification.email_attempts < MAX_EMAIL_ATTEMPTS,
        Notification.created_at >= now - DIGEST_WINDOW,
    )


def recipients_awaiting_digest(now: datetime) -> list[int]:
    """Ids of active users with an e-mail address and at least one notification not yet e-mailed."""
    return list(
        db.session.scalars(
            select(User.id)
            .where(
                User.is_active.is_(True),
                User.email.is_not(None),
                User.email != "",
                User.id.in_(select(Notification.recipient_id).where(_unsent(now))),
            )
            .order_by(User.id)
        )
    )


def claim_digest(recipient_id: int, today: date, now: datetime) -> Claim:
    """Claim today's digest for one recipient, so that at most one digest goes out per day."""
    return claim_run(f"{DIGEST_JOB_PREFIX}{recipient_id}", today.isoformat(), now)


def unsent_notifications(recipient_id: int, now: datetime) -> list[Notification]:
    """The recipient's notifications still to e-mail, with what a digest shows of each task."""
    return list(
        db.session.scalars(
            select(Notification)
            .where(Notification.recipient_id == recipient_id, _unsent(now))
            .options(
                joinedload(Notification.task).joinedload(Task.lead_org),
                joinedload(Notification.task).selectinload(Task.coordinating_orgs),
                joinedload(Notification.task).joinedload(Task.directive).joinedload(Directive.visit),
            )
            .order_by(Notification.created_at, Notification.id)
        ).unique()
    )


def record_digest_outcome(
    claim: Claim,
    notification_ids: Sequence[int],
    now: datetime,
    error: str | None = None,
    *,
    refused: bool = True,
) -> None:
    """Close the recipient's claim for the day: FINISHED with the notifications marked e-mailed, or
    FAILED with them left unsent, so that the next run tries again.

    A message the server accepted or refused counts as an attempt on each notification; an unreachable
    server (``refused=False``) does not, so an outage never uses up a message's attempts.
    """
    values: dict[str, Any] = {}
    if error is None:
        values["emailed_at"] = now
    if error is None or refused:
        values["email_attempts"] = Notification.email_attempts + 1
    if values:
        db.session.execute(
            update(Notification).where(Notification.id.in_(list(notification_ids))).values(**values),
            execution_options={"synchronize_session": False},
        )
    status = JobRunStatus.FAILED if error else JobRunStatus.FINISHED
    close_run(claim, status, error or f"sent {len(notification_ids)} notifications", now)


@dataclass
class DigestItem:
    """One task in a digest, with the notifications about it."""

    task: Task
    notifications: list[Notification]

    @property
    def is_coordinating(self) -> bool:
        return all(n.is_coordinating for n in self.notifications)


@dataclass
class DigestSection:
    """The tasks of one timeliness category (None: cancelled since)."""

    timeliness: Timeliness | None
    items: list[DigestItem]


SECTION_ORDER: tuple[Timeliness | None, ...] = (
    Timeliness.OVERDUE,
    Timeliness.DUE_SOON,
    Timeliness.WITHIN,
    Timeliness.NO_DEADLINE,
    Timeliness.AWAITING_LATE,
    Timeliness.AWAITING_ON_TIME,
    Timeliness.LATE,
    Timeliness.ON_TIME,
    None,
)


def group_by_timeliness(
    notifications: Iterable[Notification], today: date, due_soon_days: int
) -> list[DigestSection]:
    """Group notifications by task, and tasks by their timeliness on ``today``, most urgent first."""
    by_task: dict[int, DigestItem] = {}
    for notification in notifications:
        item = by_task.setdefault(notification.task_id, DigestItem(notification.task, []))
        item.notifications.append(notification)
    sections: dict[Timeliness | None, list[DigestItem]] = defaultdict(list)
    for item in by_task.values():
        sections[timeliness_of(item.task, today, due_soon_days)].append(item)
    result = []
    for category in SECTION_ORDER:
        items = sorted(
            sections.get(category, []), key=lambda i: (i.task.due_on or date.max, i.task.title, i.task.id)
        )
        if items:
            result.append(DigestSection(category, items))
    return result
