"""Recurring report duties: set or stop a directive's duty, and create each period's task once.

The inspecting side sets a duty on a directive (period, due day, first and last period, lead and
coordinating units) and stops it; stopping creates no further task and leaves the created ones as they
are. ``create_due_tasks`` runs in the daily deadline scan: it inserts each begun period's task with an
INSERT … ON CONFLICT DO NOTHING on the unique (recurrence, period start), so running it twice, or in
two processes at once, creates each task exactly once on SQLite and PostgreSQL. Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select
from sqlalchemy.orm import Session, scoped_session, selectinload

from models import Directive, Organization, Recurrence, Task, TaskEvent, User, Visit, db, task_coordinator
from models.base import utcnow
from models.enums import NotificationKind, RecurrencePeriod, TaskEventKind, TaskStatus, VisitStatus
from models.recurrence import MONTHS, due_date, period_start
from models.vntext import format_date, search_key
from workflows import audit, notify
from workflows.clock import local_date_of
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.reminders.ledger import _upsert
from workflows.timeliness import start_of_local_day
from workflows.visits import check_due_date

# A duty longer than this many periods is surely a typo in a year (ten years of monthly reports).
MAX_PERIODS = 120


def parse_period(value: RecurrencePeriod | str | None) -> RecurrencePeriod:
    """The period length from its stored value, refusing anything else."""
    try:
        return RecurrencePeriod(str(value or ""))
    except ValueError:
        raise ValidationFailed(
            "Kỳ báo cáo «%(value)s» không hợp lệ; chọn hằng tháng, hằng quý, 6 tháng một lần hoặc hằng năm.",
            value=str(value or ""),
        ) from None


def _check_inspecting_side(directive: Directive, actor: User) -> Visit:
    visit = directive.visit
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if not visit.can_edit(actor):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được đặt hoặc dừng báo cáo định kỳ.")
    if visit.status is VisitStatus.CLOSED:
        raise InvalidState("Đợt kiểm tra đã đóng.")
    return visit


def set_recurrence(
    directive: Directive,
    actor: User,
    *,
    period: RecurrencePeriod | str,
    due_day: int,
    first_period: date,
    last_period: date | None,
    lead_org: Organization,
    coordinating: Iterable[Organization] = (),
    now: datetime | None = None,
) -> Recurrence:
    """Make the directive a standing report duty; ``first_period``/``last_period`` may be any day of
    their period (normalised to its first day). The scan creates the tasks."""
    visit = _check_inspecting_side(directive, actor)
    length = parse_period(period)
    if not 1 <= due_day <= 31:
        raise ValidationFailed("Ngày hạn báo cáo phải từ 1 đến 31 (nhận được %(day)s).", day=due_day)
    first = period_start(length, first_period)
    last = period_start(length, last_period) if last_period is not None else None
    if last is not None and last < first:
        raise ValidationFailed(
            "Kỳ đầu tiên (%(first)s) sau kỳ cuối cùng (%(last)s).",
            first=format_date(first_period),
            last=format_date(last_period),
        )
    if last is not None and _count_periods(length, first, last) > MAX_PERIODS:
        raise ValidationFailed("Một lịch báo cáo định kỳ có tối đa %(limit)d kỳ.", limit=MAX_PERIODS)
    check_due_date(due_date(length, first, due_day), visit.visited_on)
    if directive.running_recurrence is not None:
        raise InvalidState(
            "Yêu cầu này đang có lịch báo cáo định kỳ; hãy dừng lịch cũ trước khi đặt lịch mới."
        )
    coordinators = list(dict.fromkeys(org for org in coordinating if org.id != lead_org.id))
    duty = Recurrence(
        directive=directive,
        coordinating_orgs=coordinators,
        period=length,
        due_day=due_day,
        first_period=first,
        last_period=last,
        lead_org=lead_org,
        set_by=actor,
        created_at=now or utcnow(),
    )
    db.session.add(duty)
    audit.record(
        actor,
        "recurrence_set",
        duty,
        directive=directive.id,
        period=length.value,
        due_day=due_day,
        first=first.isoformat(),
        last=last.isoformat() if last else None,
        lead_org=lead_org.id,
    )
    return duty


def _count_periods(length: RecurrencePeriod, first: date, last: date) -> int:
    months = (last.year - first.year) * 12 + last.month - first.month
    return months // MONTHS[length] + 1


def stop_recurrence(duty: Recurrence, actor: User, *, now: datetime | None = None) -> None:
    """Stop a running duty: no further task; the tasks already created stay as they are."""
    _check_inspecting_side(duty.directive, actor)
    if duty.stopped_at is not None:
        raise InvalidState(
            "Lịch báo cáo định kỳ này đã dừng từ %(day)s.", day=format_date(local_date_of(duty.stopped_at))
        )
    duty.stopped_at = now or utcnow()
    duty.stopped_by = actor
    audit.record(actor, "recurrence_stopped", duty, directive=duty.directive_id)


def create_due_tasks(
    session: Session | scoped_session[Any], today: date, *, now: datetime | None = None
) -> list[int]:
    """Create the task of every period of every running duty that has begun by ``today`` and has none.

    Each task is assigned on its period's first day (its "created" event is dated then), so counts
    select it like any task. Returns the ids of the tasks this call created.
    """
    now = now or utcnow()
    duties = session.scalars(
        select(Recurrence)
        .join(Directive, Directive.id == Recurrence.directive_id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(
            Recurrence.stopped_at.is_(None),
            Recurrence.first_period <= today,
            Visit.status != VisitStatus.CLOSED,
        )
        .options(selectinload(Recurrence.directive), selectinload(Recurrence.coordinating_orgs))
        .order_by(Recurrence.id)
    ).all()
    # The periods every duty already has, in one query (the daily scan reads every running duty).
    have: set[tuple[int | None, date | None]] = set()
    if duties:
        have = {
            (duty_id, start)
            for duty_id, start in session.execute(
                select(Task.recurrence_id, Task.period_start).where(
                    Task.recurrence_id.in_([duty.id for duty in duties])
                )
            )
        }
    created: list[int] = []
    for duty in duties:
        for start in duty.period_starts(today):
            if (duty.id, start) not in have:
                task_id = _insert_task(session, duty, start)
                if task_id is not None:
                    created.append(task_id)
    return created


def _insert_task(session: Session | scoped_session[Any], duty: Recurrence, start: date) -> int | None:
    """Insert the period's task unless it exists (another run made it); its id, or None."""
    table = cast(Table, Task.__table__)
    directive = duty.directive
    title = f"{directive.title or directive.body[:200]} – kỳ {duty.period_name(start, 'vi')}"
    due_on = duty.due_on(start)
    assigned_at = start_of_local_day(start)
    task_id = session.execute(
        _upsert(table)
        .values(
            directive_id=directive.id,
            lead_org_id=duty.lead_org_id,
            title=title,
            search_key=search_key(title),
            due_on=due_on,
            original_due_on=due_on,
            status=TaskStatus.ASSIGNED,
            progress=0,
            assigned_by_id=duty.set_by_id,
            created_at=assigned_at,
            version=1,
            recurrence_id=duty.id,
            period_start=start,
        )
        .on_conflict_do_nothing(index_elements=["recurrence_id", "period_start"])
        .returning(table.c.id)
    ).scalar()
    if task_id is None:
        return None
    if duty.coordinating_orgs:
        session.execute(
            insert(task_coordinator),
            [{"task_id": task_id, "organization_id": org.id} for org in duty.coordinating_orgs],
        )
    session.add(
        TaskEvent(
            task_id=task_id,
            kind=TaskEventKind.CREATED,
            actor_id=duty.set_by_id,
            created_at=assigned_at,
            progress=0,
            note=f"Báo cáo định kỳ – kỳ {duty.period_name(start, 'vi')}",
        )
    )
    task = session.get_one(Task, task_id)
    notify.queue(task, NotificationKind.ASSIGNED, start, notify.office_users_of(duty.lead_org))
    for org in duty.coordinating_orgs:
        notify.queue(task, NotificationKind.ASSIGNED, start, notify.office_users_of(org), coordinating=True)
    return task_id
