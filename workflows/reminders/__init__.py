"""Deadline reminders: the daily scan, the run ledger, digest bookkeeping, the inbox and calendar tokens.

The scheduler only decides *when* to try; the database decides *whether* the work happens:

- a ``JobRun`` row per job and period is claimed with an insert-or-nothing (``ON CONFLICT DO NOTHING``),
  so two processes scanning the same day agree on one owner;
- each notification has a unique key (recipient, task, kind, due date in force), and the scan inserts
  with ``ON CONFLICT DO NOTHING``, so scanning twice creates each notification once;
- every reminder kind fires for a *window* of days left, not one exact day, so a day the scheduler
  missed is caught up by the next scan instead of being lost.

Nothing here commits; the caller (a scheduled job, a CLI command, a view) commits once.

The package, one module per section: ``ledger`` (settings, job constants, the run ledger), ``scan``
(the daily deadline scan), ``digests`` (one e-mail per recipient per day) and ``inbox`` (the in-app
inbox and the calendar feed). Import from ``workflows.reminders``: the names below are its API.
"""

from __future__ import annotations

from workflows.reminders.digests import (
    SECTION_ORDER,
    DigestItem,
    DigestSection,
    claim_digest,
    group_by_timeliness,
    recipients_awaiting_digest,
    record_digest_outcome,
    unsent_notifications,
)
from workflows.reminders.inbox import (
    CALENDAR_MAX_EVENTS,
    CALENDAR_PAST_DAYS,
    calendar_task_count,
    calendar_tasks,
    inbox_page,
    mark_all_read,
    mark_read,
    notification_of,
    renew_calendar_token,
    revoke_calendar_token,
    unread_count,
    unread_count_sql,
    user_by_calendar_token,
)
from workflows.reminders.ledger import (
    DEADLINE_KINDS,
    DIGEST_JOB_PREFIX,
    DIGEST_LEDGER_DAYS,
    DIGEST_WINDOW,
    MAX_EMAIL_ATTEMPTS,
    REMINDED_STATUSES,
    SCAN_JOB,
    STALE_CLAIM_AFTER,
    Claim,
    ReminderSettings,
    claim_run,
    close_run,
)
from workflows.reminders.scan import (
    ScanOutcome,
    create_deadline_notifications,
    prune_digest_ledger,
    scan_deadlines,
)

__all__ = [
    "CALENDAR_MAX_EVENTS",
    "CALENDAR_PAST_DAYS",
    "DEADLINE_KINDS",
    "DIGEST_JOB_PREFIX",
    "DIGEST_LEDGER_DAYS",
    "DIGEST_WINDOW",
    "MAX_EMAIL_ATTEMPTS",
    "REMINDED_STATUSES",
    "SCAN_JOB",
    "SECTION_ORDER",
    "STALE_CLAIM_AFTER",
    "Claim",
    "DigestItem",
    "DigestSection",
    "ReminderSettings",
    "ScanOutcome",
    "calendar_task_count",
    "calendar_tasks",
    "claim_digest",
    "claim_run",
    "close_run",
    "create_deadline_notifications",
    "group_by_timeliness",
    "inbox_page",
    "mark_all_read",
    "mark_read",
    "notification_of",
    "prune_digest_ledger",
    "recipients_awaiting_digest",
    "record_digest_outcome",
    "renew_calendar_token",
    "revoke_calendar_token",
    "scan_deadlines",
    "unread_count",
    "unread_count_sql",
    "unsent_notifications",
    "user_by_calendar_token",
]
