"""The daily deadline scan: every due notification inserted once, set-based."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import (
    Boolean,
    ColumnElement,
    Integer,
    Select,
    Table,
    Text,
    and_,
    bindparam,
    delete,
    func,
    insert,
    literal,
    select,
)
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import aliased

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
    DelegationRole,
    NotificationKind,
    Role,
    TaskEventKind,
)
from models.vntext import format_date
from workflows import counts
from workflows.clock import local_today
from workflows.reminders.ledger import (
    DIGEST_JOB_PREFIX,
    DIGEST_LEDGER_DAYS,
    REMINDED_STATUSES,
    SCAN_JOB,
    Claim,
    ReminderSettings,
    _upsert,
    claim_run,
)
from workflows.timeliness import is_overdue
from workflows.workdays import WorkingCalendar

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
    """Claim the day's scan and, if this process owns it, create the day's deadline notifications and
    rebuild the kept timeliness counts (``workflows.counts``) on the day.

    The claim and the notifications go into the caller's transaction: commit once afterwards. If the
    transaction rolls back, the claim goes with it and the next attempt scans again.
    """
    now = now or utcnow()
    claim = claim_run(job_name, today.isoformat(), now)
    outcome = ScanOutcome(today=today, claim=claim)
    if claim.owned:
        outcome.rows = create_deadline_notifications(today, settings, now=now)
        outcome.created = Counter(kind for _, _, kind in outcome.rows)
        # Overdue, due soon and within move with the day: the kept counts are taken on the new one
        # (a catch-up scan of a past day leaves them: only today's are read).
        if today == local_today():
            counts.rebuild(db.session.connection(), today, settings.due_soon_days)
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

    # A reminder that would fall on a weekend or holiday goes out on the working day before it; on
    # those days themselves only overdue notices and escalations are made.
    windows = settings.windows(today)
    if settings.on_working_days:
        calendar = WorkingCalendar.load()
        until = calendar.next_working_day(today) - timedelta(days=1)
        windows = settings.windows(today, until) if calendar.is_working_day(today) else []
    for kind, first_due, last_due in windows:
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
        .returning(table.c.recipient_id, table.c.task_id, table.c.key_on)
    )
    # The kind is the statement's own: not read back and converted row by row (44,559 rows on the
    # benchmark province's first scan).
    return [(recipient, task, kind, key_on) for recipient, task, key_on in db.session.execute(statement)]


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
    """Leaders of the lead unit: leader accounts of the nearest body, from the unit upwards, that has any.

    Found once per unit that leads a reminded task (a few hundred organisations), then joined to the
    tasks by the unit's id: matching each task's unit to its bodies by path, task by task, cost about
    half a second a day at 100,000 tasks for the same rows.
    """
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
    # Computed once, not merged into the tasks' join (both databases would otherwise fold it in and
    # match the paths again for every task).
    leaders = (
        select(lead.id.label("org_id"), leader.id.label("user_id"))
        .select_from(lead)
        .join(nearest, nearest.c.org_id == lead.id)
        .join(body, and_(_is_prefix(body, lead), func.length(body.path) == nearest.c.depth))
        .join(leader, and_(leader.organization_id == body.id, _active_user(leader, Role.LEADER)))
        .cte("lead_leaders")
        .prefix_with("MATERIALIZED")
    )
    query = select().select_from(Task).join(leaders, leaders.c.org_id == Task.lead_org_id)
    return query, leaders.c.user_id, False


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


_ESCALATED = TaskEventKind.ESCALATED.value
_REMINDER_SENT = TaskEventKind.REMINDER_SENT.value


def _log_on_tasks(created: list[tuple[int, int, NotificationKind, date]], today: date, now: datetime) -> None:
    """Write one line in each task's log per reminder kind created for it, with the number of recipients."""
    recipients: dict[tuple[int, NotificationKind, date], int] = defaultdict(int)
    for _, task_id, kind, key_on in created:
        recipients[(task_id, kind, key_on)] += 1
    task_ids: list[int] = []
    kinds: list[str] = []
    notes: list[str] = []
    for (task_id, kind, due_on), count in sorted(recipients.items()):
        if kind is NotificationKind.ESCALATED:
            event_kind = _ESCALATED
            note = (
                f"Quá hạn {(today - due_on).days} ngày (hạn {format_date(due_on)}): đã báo lãnh đạo "
                f"({count} người nhận)."
            )
        elif kind is NotificationKind.OVERDUE:
            event_kind = _REMINDER_SENT
            note = f"Nhắc việc: đã quá hạn {format_date(due_on)} ({count} người nhận)."
        else:
            event_kind = _REMINDER_SENT
            left = (due_on - today).days
            when = "hôm nay là hạn" if left == 0 else f"còn {left} ngày đến hạn"
            note = f"Nhắc hạn: {when} {format_date(due_on)} ({count} người nhận)."
        task_ids.append(task_id)
        kinds.append(event_kind)
        notes.append(note)
    if not task_ids:
        return
    # One INSERT … SELECT from the lines passed as one value (an array per column on PostgreSQL, a
    # JSON array on SQLite), in their order (a task's lines of one instant show by id), not an
    # executemany: 17,344 lines on the benchmark province's first scan took 0.5–0.9 s row by row,
    # most of it SQLAlchemy's and the driver's work per row.
    table = cast(Table, TaskEvent.__table__)
    columns = ["task_id", "kind", "created_at", "note"]
    if db.session.get_bind().dialect.name == "postgresql":
        lines = (
            func.unnest(
                bindparam("task_ids", task_ids, type_=ARRAY(Integer)),
                bindparam("kinds", kinds, type_=ARRAY(Text)),
                bindparam("notes", notes, type_=ARRAY(Text)),
            )
            .table_valued("task_id", "kind", "note", with_ordinality="line")
            .render_derived()
        )
        selected = select(lines.c.task_id, lines.c.kind, literal(now, UTCDateTime()), lines.c.note).order_by(
            lines.c.line
        )
    else:
        encoded = json.dumps(list(zip(task_ids, kinds, notes, strict=True)), ensure_ascii=False)
        each = func.json_each(bindparam("lines", encoded, type_=Text)).table_valued("key", "value")
        selected = select(
            func.json_extract(each.c.value, "$[0]"),
            func.json_extract(each.c.value, "$[1]"),
            literal(now, UTCDateTime()),
            func.json_extract(each.c.value, "$[2]"),
        ).order_by(each.c.key)
    db.session.execute(insert(table).from_select(columns, selected))


def prune_digest_ledger(today: date) -> int:
    """Delete digest claims older than the ledger keeps them; the daily scan rows stay."""
    table = cast(Table, JobRun.__table__)
    cutoff = (today - timedelta(days=DIGEST_LEDGER_DAYS)).isoformat()
    result = db.session.execute(
        delete(table).where(table.c.job_name.startswith(DIGEST_JOB_PREFIX), table.c.period_key < cutoff)
    )
    return cast(CursorResult[Any], result).rowcount
