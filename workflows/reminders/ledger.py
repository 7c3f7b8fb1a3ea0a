"""Reminder settings, the job constants and the run ledger: one claim per job and period."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Table,
    and_,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult

from models import (
    JobRun,
    db,
)
from models.enums import WORKING_TASK_STATUSES, JobRunStatus, NotificationKind

log = logging.getLogger("kiemtra.reminders")

SCAN_JOB = "deadline_scan"
DIGEST_JOB_PREFIX = "digest:"
# A claim still RUNNING after this long belongs to a process that died (a scan of 100,000 tasks takes
# seconds, a digest round minutes at worst): another process may take it over.
STALE_CLAIM_AFTER = timedelta(hours=3)
# Unsent notifications older than this stay in the inbox but are no longer e-mailed (turning e-mail on
# after months must not send months of old reminders), and so are those that failed this many times.
DIGEST_WINDOW = timedelta(days=14)
MAX_EMAIL_ATTEMPTS = 10
# Digest claims are kept this long, then pruned by the daily run.
DIGEST_LEDGER_DAYS = 60

# Tasks the lead unit is still working on. Done, cancelled and paused tasks get nothing; a reported
# task waits for the inspecting side, whose verification dates completion to the report.
REMINDED_STATUSES = tuple(sorted(WORKING_TASK_STATUSES))  # the unit still has work to do
DEADLINE_KINDS = frozenset(
    {
        NotificationKind.DUE_IN_7,
        NotificationKind.DUE_IN_3,
        NotificationKind.DUE_IN_1,
        NotificationKind.OVERDUE,
        NotificationKind.ESCALATED,
    }
)


# --------------------------------------------------------------------------------------------------
# Settings


@dataclass(frozen=True)
class ReminderSettings:
    """When reminders fire: days before the due date, and overdue days before escalation."""

    reminder_days: tuple[int, ...] = (7, 3, 1)
    escalate_after_days: int = 7
    due_soon_days: int = 3
    on_working_days: bool = False  # move reminders off weekends and holidays (see the scan)

    def __post_init__(self) -> None:
        days = tuple(sorted(set(self.reminder_days), reverse=True))
        unknown = [d for d in days if _due_in_kind(d) is None]
        if unknown:
            raise ValueError(
                f"REMINDER_DAYS may only hold 7, 3 and 1 (one notification kind each), not {unknown}"
            )
        if self.escalate_after_days < 1:
            raise ValueError("ESCALATE_AFTER_DAYS must be at least 1")
        object.__setattr__(self, "reminder_days", days)

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> ReminderSettings:
        """Read ``REMINDER_DAYS``, ``ESCALATE_AFTER_DAYS`` and ``DUE_SOON_DAYS``."""
        return cls(
            reminder_days=tuple(int(d) for d in config["REMINDER_DAYS"]),
            escalate_after_days=int(config["ESCALATE_AFTER_DAYS"]),
            due_soon_days=int(config["DUE_SOON_DAYS"]),
            on_working_days=bool(config.get("REMINDERS_ON_WORKING_DAYS", True)),
        )

    def windows(self, today: date, until: date | None = None) -> list[tuple[NotificationKind, date, date]]:
        """(kind, first due date, last due date) of each "due in N days" reminder on ``today``, and of
        those that would fall on the days after it up to ``until`` (a weekend or holiday that follows).

        With 7, 3, 1: due_in_7 for 4–7 days left, due_in_3 for 2–3, due_in_1 for 1 or 0 (due today).
        A task first seen with 5 days left gets due_in_7, not nothing; one assigned 2 days before its
        due date gets due_in_3 and never a misleading due_in_7.
        """
        result = []
        days = self.reminder_days
        for index, day in enumerate(days):
            below = days[index + 1] if index + 1 < len(days) else -1
            kind = _due_in_kind(day)
            assert kind is not None
            last = (until or today) + timedelta(days=day)
            result.append((kind, today + timedelta(days=below + 1), last))
        return result


def _due_in_kind(days: int) -> NotificationKind | None:
    try:
        return NotificationKind(f"due_in_{days}")
    except ValueError:
        return None


# --------------------------------------------------------------------------------------------------
# The run ledger


@dataclass(frozen=True)
class Claim:
    """The outcome of claiming a job for a period: ``owned`` tells whether this process does the work."""

    job_name: str
    period_key: str
    owned: bool
    status: JobRunStatus | None  # the row's status when not owned
    started_at: datetime | None
    retaken: bool = False


def _upsert(table: Any) -> Any:
    """The dialect's INSERT, which knows ``ON CONFLICT DO NOTHING``."""
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(table)
    if dialect == "sqlite":
        return sqlite.insert(table)
    raise NotImplementedError(f"no insert-or-nothing for {dialect}")


def claim_run(
    job_name: str, period_key: str, now: datetime, stale_after: timedelta = STALE_CLAIM_AFTER
) -> Claim:
    """Claim ``job_name`` for ``period_key``: insert a RUNNING row, or do nothing if one is there.

    A row that is FAILED, or RUNNING since before ``now - stale_after`` (its process died), is taken
    over by a conditional UPDATE, which only one of several concurrent claimants can win.
    """
    table = cast(Table, JobRun.__table__)
    inserted = db.session.execute(
        _upsert(table)
        .values(job_name=job_name, period_key=period_key, status=JobRunStatus.RUNNING, started_at=now)
        .on_conflict_do_nothing()
        .returning(table.c.job_name)
    ).first()
    if inserted is not None:
        return Claim(job_name, period_key, True, None, now)
    retaken = db.session.execute(
        update(table)
        .where(
            table.c.job_name == job_name,
            table.c.period_key == period_key,
            or_(
                table.c.status == JobRunStatus.FAILED,
                and_(table.c.status == JobRunStatus.RUNNING, table.c.started_at < now - stale_after),
            ),
        )
        .values(status=JobRunStatus.RUNNING, started_at=now, finished_at=None)
    )
    if cast(CursorResult[Any], retaken).rowcount == 1:
        log.warning("took over %s/%s (failed or stale)", job_name, period_key)
        return Claim(job_name, period_key, True, None, now, retaken=True)
    row = db.session.execute(
        select(table.c.status, table.c.started_at).where(
            table.c.job_name == job_name, table.c.period_key == period_key
        )
    ).one()
    return Claim(job_name, period_key, False, JobRunStatus(row.status), row.started_at)


def close_run(claim: Claim, status: JobRunStatus, summary: str, now: datetime) -> bool:
    """Mark an owned claim FINISHED or FAILED, unless another process has taken it over since."""
    assert claim.owned and status is not JobRunStatus.RUNNING
    table = cast(Table, JobRun.__table__)
    result = db.session.execute(
        update(table)
        .where(
            table.c.job_name == claim.job_name,
            table.c.period_key == claim.period_key,
            table.c.status == JobRunStatus.RUNNING,
            table.c.started_at == claim.started_at,
        )
        .values(status=status, finished_at=now, summary=summary[:2000])
    )
    return cast(CursorResult[Any], result).rowcount == 1
