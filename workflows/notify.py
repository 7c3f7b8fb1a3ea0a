"""Queue in-app notifications inside the caller's transaction (e-mail goes out after commit)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import Notification, Organization, Task, User, db
from models.base import utcnow
from models.enums import NotificationKind, Role


def office_users_of(organization: Organization) -> list[User]:
    """Active office staff of exactly this unit."""
    return list(
        db.session.scalars(
            select(User).where(
                User.organization_id == organization.id,
                User.role == Role.OFFICE,
                User.is_active.is_(True),
            )
        )
    )


# Notices of something that happened: a second one the same day (a task returned twice) must reach
# the person again, so it revives the stored row instead of being dropped as a duplicate.
EVENT_KINDS = frozenset(
    {
        NotificationKind.ASSIGNED,
        NotificationKind.REPORTED,
        NotificationKind.RETURNED,
        NotificationKind.EXTENSION_REQUESTED,
        NotificationKind.EXTENSION_DECIDED,
    }
)


def queue(
    task: Task, kind: NotificationKind, key_on: date, recipients: list[User], *, coordinating: bool = False
) -> list[Notification]:
    """Add one notification per recipient, once per key; a repeated event notice is shown and sent again."""
    if not recipients:
        return []
    db.session.flush()
    existing = {
        note.recipient_id: note
        for note in db.session.scalars(
            select(Notification).where(
                Notification.task_id == task.id,
                Notification.kind == kind,
                Notification.key_on == key_on,
                Notification.recipient_id.in_([u.id for u in recipients]),
            )
        )
    }
    queued = []
    for user in recipients:
        note = existing.get(user.id)
        if note is None:
            note = Notification(
                recipient=user, task=task, kind=kind, key_on=key_on, is_coordinating=coordinating
            )
            db.session.add(note)
            existing[user.id] = note
        elif kind in EVENT_KINDS and (note.read_at is not None or note.emailed_at is not None):
            note.read_at = None
            note.emailed_at = None
            note.email_attempts = 0
            note.created_at = utcnow()
        else:
            continue
        queued.append(note)
    return queued
