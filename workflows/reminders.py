"""Deadline reminders: the daily scan, the run ledger, digest bookkeeping, the inbox and calendar tokens.

The scheduler only decides *when* to try; the database decides *whether* the work happens:

- a ``JobRun`` row per job and period is claimed with an insert-or-nothing (``ON CONFLICT DO NOTHING``),
  so two processes scanning the same day agree on one owner;
- each notification has a unique key (recipient, task, kind, due date in force), and the scan inserts
  with ``ON CONFLICT DO NOTHING``, so scanning twice creates each notification once;
- every reminder kind fires for a *window* of days left, not one exact day, so a day the scheduler
  missed is caught up by the next scan instead of being lost.

Nothing here commits; the caller (a scheduled job, a CLI command, a view) commits once.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased, joinedload, selectinload

from models import (
    DelegationMember,
    Directive,
    JobRun,
    Notification,
    Organization,
    Task,
    TaskEvent,
    User,
    db,
    task_coordinator,
)
from models.base import UTCDateTime, utcnow
from models.enums import (
    OPEN_TASK_STATUSES,
    DelegationRole,
    JobRunStatus,
    NotificationKind,
    Role,
    TaskEventKind,
    TaskStatus,
    Timeliness,
)
from models.vntext import format_date
from workflows import audit
from workflows.errors import OutOfScope
from workflows.scope import tasks_visible_to
from workflows.timeliness import is_overdue, timeliness_of

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
REMINDED_STATUSES = (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS, TaskStatus.RETURNED)
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
        )

    def windows(self, today: date) -> list[tuple[NotificationKind, date, date]]:
        """(kind, first due date, last due date) of each "due in N days" reminder on ``today``.

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
            result.append((kind, today + timedelta(days=below + 1), today + timedelta(days=day)))
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


# --------------------------------------------------------------------------------------------------
# The deadline scan


@dataclass
class ScanOutcome:
    """What one scan did: whether it owned the day, and the notifications it created."""

    today: date
    claim: Claim
    created: Counter[NotificationKind] = field(default_factory=Counter)
    # (recipient id, task id, kind) of every notification created, for the command line's listing.
    rows: list[tuple[int, int, NotificationKind]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def summary(self) -> str:
        """A one-line account for the run ledger."""
        parts = [f"{kind.value}={count}" for kind, count in sorted(self.created.items())]
        return "created " + (", ".join(parts) if parts else "nothing")


def scan_deadlines(
    today: date, settings: ReminderSettings, *, now: datetime | None = None, job_name: str = SCAN_JOB
) -> ScanOutcome:
    """Claim the day's scan and, if this process owns it, create the day's deadline notifications.

    The claim and the notifications go into the caller's transaction: commit once afterwards. If the
    transaction rolls back, the claim goes with it and the next attempt scans again.
    """
    now = now or utcnow()
    claim = claim_run(job_name, today.isoformat(), now)
    outcome = ScanOutcome(today=today, claim=claim)
    if claim.owned:
        outcome.rows = create_deadline_notifications(today, settings, now=now)
        outcome.created = Counter(kind for _, _, kind in outcome.rows)
    return outcome


def create_deadline_notifications(
    today: date, settings: ReminderSettings, *, now: datetime | None = None
) -> list[tuple[int, int, NotificationKind]]:
    """Insert every deadline notification due on ``today`` that does not exist yet, set-based.

    One INSERT … SELECT … ON CONFLICT DO NOTHING per kind and group of recipients (about a dozen
    statements whatever the number of tasks), then one batch of task-log lines for the tasks that got
    something new. Returns (recipient id, task id, kind) of the rows created.
    """
    now = now or utcnow()
    reminded = and_(Task.status.in_(REMINDED_STATUSES), Task.due_on.is_not(None))
    created: list[tuple[int, int, NotificationKind, date]] = []

    for kind, first_due, last_due in settings.windows(today):
        due_window = and_(reminded, Task.due_on >= first_due, Task.due_on <= last_due)
        created += _insert(kind, due_window, now, _lead_office)
        created += _insert(kind, due_window, now, _coordinating_office)

    overdue = and_(reminded, is_overdue(today))
    for recipients in (_lead_office, _coordinating_office, _assigning_inspector):
        created += _insert(NotificationKind.OVERDUE, overdue, now, recipients)

    escalate = and_(reminded, Task.due_on <= today - timedelta(days=settings.escalate_after_days))
    for recipients in (_lead_leaders, _delegation_head, _assigning_inspector):
        created += _insert(NotificationKind.ESCALATED, escalate, now, recipients)

    _log_on_tasks(created, today, now)
    return [(recipient, task, kind) for recipient, task, kind, _ in created]


def _insert(
    kind: NotificationKind,
    condition: ColumnElement[bool],
    now: datetime,
    recipients: Any,
) -> list[tuple[int, int, NotificationKind, date]]:
    """INSERT … SELECT the notifications of one kind for one group of recipients, skipping existing keys."""
    table = cast(Table, Notification.__table__)
    query, recipient_id, coordinating = recipients()
    query = query.add_columns(
        recipient_id.label("recipient_id"),
        Task.id.label("task_id"),
        literal(kind, table.c.kind.type).label("kind"),
        Task.due_on.label("key_on"),
        literal(coordinating, Boolean()).label("is_coordinating"),
        literal(now, UTCDateTime()).label("created_at"),
        literal(0, Integer()).label("email_attempts"),
    ).where(condition)
    columns = ["recipient_id", "task_id", "kind", "key_on", "is_coordinating", "created_at", "email_attempts"]
    statement = (
        _upsert(table)
        .from_select(columns, query)
        .on_conflict_do_nothing()
        .returning(table.c.recipient_id, table.c.task_id, table.c.kind, table.c.key_on)
    )
    return [(row[0], row[1], NotificationKind(row[2]), row[3]) for row in db.session.execute(statement)]


def _active_user(user: Any, role: Role | None = None) -> ColumnElement[bool]:
    conditions = [user.is_active.is_(True)]
    if role is not None:
        conditions.append(user.role == role)
    return and_(*conditions)


def _lead_office() -> tuple[Select[Any], Any, bool]:
    """Office staff of the lead unit."""
    user = aliased(User)
    query = (
        select()
        .select_from(Task)
        .join(user, and_(user.organization_id == Task.lead_org_id, _active_user(user, Role.OFFICE)))
    )
    return query, user.id, False


def _coordinating_office() -> tuple[Select[Any], Any, bool]:
    """Office staff of the coordinating units, marked as such."""
    user = aliased(User)
    query = (
        select()
        .select_from(Task)
        .join(task_coordinator, task_coordinator.c.task_id == Task.id)
        .join(
            user,
            and_(user.organization_id == task_coordinator.c.organization_id, _active_user(user, Role.OFFICE)),
        )
    )
    return query, user.id, True


def _assigning_inspector() -> tuple[Select[Any], Any, bool]:
    """The inspector who assigned the task."""
    user = aliased(User)
    query = select().select_from(Task).join(user, and_(user.id == Task.assigned_by_id, _active_user(user)))
    return query, user.id, False


def _is_prefix(ancestor: Any, descendant: Any) -> ColumnElement[bool]:
    """The ancestor's materialised path starts the descendant's (an exact prefix, no LIKE escaping)."""
    return func.substr(descendant.path, 1, func.length(ancestor.path)) == ancestor.path


def _lead_leaders() -> tuple[Select[Any], Any, bool]:
    """Leaders of the lead unit: leader accounts of the nearest body, from the unit upwards, that has any."""
    lead = aliased(Organization)
    body = aliased(Organization)
    leader = aliased(User)
    inner_lead = aliased(Organization)
    inner_body = aliased(Organization)
    inner_leader = aliased(User)
    led = aliased(Task)
    nearest = (
        select(inner_lead.id.label("org_id"), func.max(func.length(inner_body.path)).label("depth"))
        .select_from(inner_lead)
        .join(inner_body, _is_prefix(inner_body, inner_lead))
        .join(
            inner_leader,
            and_(inner_leader.organization_id == inner_body.id, _active_user(inner_leader, Role.LEADER)),
        )
        .where(inner_lead.id.in_(select(led.lead_org_id).where(led.status.in_(REMINDED_STATUSES))))
        .group_by(inner_lead.id)
        .subquery("nearest_leaders")
    )
    query = (
        select()
        .select_from(Task)
        .join(lead, lead.id == Task.lead_org_id)
        .join(nearest, nearest.c.org_id == lead.id)
        .join(body, and_(_is_prefix(body, lead), func.length(body.path) == nearest.c.depth))
        .join(leader, and_(leader.organization_id == body.id, _active_user(leader, Role.LEADER)))
    )
    return query, leader.id, False


def _delegation_head() -> tuple[Select[Any], Any, bool]:
    """The account of the person who headed the delegation that issued the directive."""
    member = aliased(DelegationMember)
    user = aliased(User)
    query = (
        select()
        .select_from(Task)
        .join(Directive, Directive.id == Task.directive_id)
        .join(member, and_(member.visit_id == Directive.visit_id, member.role == DelegationRole.HEAD))
        .join(user, and_(user.person_id == member.person_id, _active_user(user)))
    )
    return query, user.id, False


def _log_on_tasks(created: list[tuple[int, int, NotificationKind, date]], today: date, now: datetime) -> None:
    """Write one line in each task's log per reminder kind created for it, with the number of recipients."""
    recipients: dict[tuple[int, NotificationKind, date], int] = defaultdict(int)
    for _, task_id, kind, key_on in created:
        recipients[(task_id, kind, key_on)] += 1
    rows = []
    for (task_id, kind, due_on), count in sorted(recipients.items()):
        if kind is NotificationKind.ESCALATED:
            event_kind = TaskEventKind.ESCALATED
            note = (
                f"Quá hạn {(today - due_on).days} ngày (hạn {format_date(due_on)}): đã báo lãnh đạo "
                f"({count} người nhận)."
            )
        elif kind is NotificationKind.OVERDUE:
            event_kind = TaskEventKind.REMINDER_SENT
            note = f"Nhắc việc: đã quá hạn {format_date(due_on)} ({count} người nhận)."
        else:
            event_kind = TaskEventKind.REMINDER_SENT
            left = (due_on - today).days
            when = "hôm nay là hạn" if left == 0 else f"còn {left} ngày đến hạn"
            note = f"Nhắc hạn: {when} {format_date(due_on)} ({count} người nhận)."
        rows.append({"task_id": task_id, "kind": event_kind, "created_at": now, "note": note})
    if rows:
        db.session.execute(insert(cast(Table, TaskEvent.__table__)), rows)


def prune_digest_ledger(today: date) -> int:
    """Delete digest claims older than the ledger keeps them; the daily scan rows stay."""
    table = cast(Table, JobRun.__table__)
    cutoff = (today - timedelta(days=DIGEST_LEDGER_DAYS)).isoformat()
    result = db.session.execute(
        delete(table).where(table.c.job_name.startswith(DIGEST_JOB_PREFIX), table.c.period_key < cutoff)
    )
    return cast(CursorResult[Any], result).rowcount


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


# --------------------------------------------------------------------------------------------------
# The inbox


def unread_count(user: User) -> int:
    """How many of the user's notifications are unread."""
    return (
        db.session.scalar(
            select(func.count(Notification.id)).where(
                Notification.recipient_id == user.id, Notification.read_at.is_(None)
            )
        )
        or 0
    )


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
