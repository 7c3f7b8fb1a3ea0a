"""Reminders to people, and the ledger that makes each scheduled run happen once."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import JobRunStatus, NotificationKind
from models.task import Task
from models.user import User


class Notification(Base):
    """One message to one person about one task; the unique key makes a second scan a no-op."""

    __tablename__ = "notification"
    __table_args__ = (
        # ``key_on`` is the due date in force for deadline reminders (so an extension re-arms them)
        # and the local date of the event for event notices (assigned, returned …).
        UniqueConstraint("recipient_id", "task_id", "kind", "key_on"),
        CheckConstraint("email_attempts >= 0", name="attempts_not_negative"),
        Index("ix_notification_recipient_unread", "recipient_id", "read_at"),
        Index("ix_notification_unsent", "emailed_at", "recipient_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    task_id: Mapped[int] = mapped_column(ForeignKey("task.id", ondelete="CASCADE"), index=True)
    kind: Mapped[NotificationKind] = mapped_column(enum_column(NotificationKind, "notification_kind"))
    key_on: Mapped[date]
    is_coordinating: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_attempts: Mapped[int] = mapped_column(default=0)

    recipient: Mapped[User] = relationship()
    task: Mapped[Task] = relationship()


class JobRun(Base):
    """A claim on one scheduled job for one period: inserted once, so the work happens once."""

    __tablename__ = "job_run"

    job_name: Mapped[str] = mapped_column(String(60), primary_key=True)
    period_key: Mapped[str] = mapped_column(String(20), primary_key=True)  # "2023-12-31"
    status: Mapped[JobRunStatus] = mapped_column(
        enum_column(JobRunStatus, "job_run_status"), default=JobRunStatus.RUNNING
    )
    started_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    summary: Mapped[str | None] = mapped_column(Text)
