"""Queue in-app notifications inside the caller's transaction (e-mail goes out after commit)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select

from models import Notification, Organization, Task, User, db
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


def queue(
    task: Task, kind: NotificationKind, key_on: date, recipients: list[User], *, coordinating: bool = False
) -> list[Notification]:
    """Add one notification per recipient unless the same key is already there."""
    if not recipients:
        return []
    db.session.flush()
    existing = set(
        db.session.scalars(
            select(Notification.recipient_id).where(
                Notification.task_id == task.id,
                Notification.kind == kind,
                Notification.key_on == key_on,
                Notification.recipient_id.in_([u.id for u in recipients]),
            )
        )
    )
    created = []
    for user in recipients:
        if user.id in existing:
            continue
        existing.add(user.id)
        note = Notification(recipient=user, task=task, kind=kind, key_on=key_on, is_coordinating=coordinating)
        db.session.add(note)
        created.append(note)
    return created
