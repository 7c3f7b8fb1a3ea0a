"""History typed in after the fact: a past visit and its tasks with the days things really happened.

A task back-filled for 2023 is created, reported and verified on its real days (at nine in the
morning, Vietnamese time), so timeliness compares the real report day with the due date. Each step is
a line of the task's history marked as back-filled, with the inspector who typed it, and the audit log
records the back-fill of every visit and task. No office is notified of a task given years ago.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time

from models import Directive, Organization, Task, User, Visit
from models.enums import Role, TaskEventKind, TaskStatus
from models.vntext import format_date
from workflows import audit
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import LOCAL_ZONE
from workflows.errors import PermissionDenied, ValidationFailed

BACKFILLED = "Nhập bù lịch sử"  # the mark on each back-filled line of a task's history


@dataclass(frozen=True)
class PastDays:
    """The days of one task as they happened."""

    assigned_on: date
    due_on: date | None = None
    reported_on: date | None = None
    verified_on: date | None = None
    progress: int | None = None  # of a task not reported yet


def at_nine(day: date) -> datetime:
    """Nine in the morning, Vietnamese time, on ``day``: the instant a back-filled step is dated."""
    return datetime.combine(day, time(9), LOCAL_ZONE).astimezone(UTC)


def check_inspector(actor: User) -> None:
    """Refuse anyone but an inspector: history is typed in by the inspecting side."""
    if getattr(actor, "role", None) is not Role.INSPECTOR:
        raise PermissionDenied("Chỉ cán bộ kiểm tra được nhập bù lịch sử kiểm tra.")


def backfill_visit(
    actor: User, *, title: str, visited_on: date, inspected_org: Organization, reference: str | None = None
) -> Visit:
    """Create a past visit of the actor's body, marked as conducted, and audit it as back-filled."""
    check_inspector(actor)
    visit = visit_flow.create_visit(
        actor,
        title=title,
        subject=title,
        visited_on=visited_on,
        inspecting_org=actor.organization,
        inspected_org=inspected_org,
        reference=reference,
    )
    visit_flow.mark_conducted(visit, actor)
    audit.record(actor, "visit.backfilled", visit, visited_on=visited_on.isoformat())
    return visit


def backfill_task(
    directive: Directive,
    actor: User,
    *,
    lead_org: Organization,
    coordinating: list[Organization],
    title: str | None,
    days: PastDays,
) -> Task:
    """Give a task on its real day, then report and verify it on theirs; every step back-filled."""
    check_inspector(actor)
    if days.reported_on and days.reported_on < days.assigned_on:
        raise ValidationFailed("Ngày báo cáo không được trước ngày giao.")
    if days.verified_on and (days.reported_on is None or days.verified_on < days.reported_on):
        raise ValidationFailed("Ngày xác nhận không được trước ngày báo cáo.")
    task = task_flow.assign_task(
        directive,
        actor,
        lead_org=lead_org,
        coordinating=coordinating,
        due_on=days.due_on,
        title=title,
        now=at_nine(days.assigned_on),
        notify_units=False,
    )
    task.events[-1].note = f"{BACKFILLED}: giao ngày {format_date(days.assigned_on)}."
    if days.reported_on is None and days.progress:
        task.progress = days.progress
        task.started_at = at_nine(days.assigned_on)
        task_flow.log_event(
            task,
            actor,
            TaskEventKind.PROGRESS,
            note=f"{BACKFILLED}: tiến độ {days.progress}%.",
            to_status=TaskStatus.IN_PROGRESS,
            at=at_nine(days.assigned_on),
        )
    if days.reported_on is not None:
        reported_at = at_nine(days.reported_on)
        task.started_at = task.started_at or reported_at
        task.reported_at = reported_at
        task_flow.log_event(
            task,
            actor,
            TaskEventKind.STATUS_CHANGED,
            note=f"{BACKFILLED}: đơn vị báo cáo hoàn thành ngày {format_date(days.reported_on)}.",
            to_status=TaskStatus.REPORTED,
            at=reported_at,
        )
    if days.verified_on is not None and days.reported_on is not None:
        task.verified_at = at_nine(days.verified_on)
        task.completed_on = days.reported_on
        task.progress = 100
        task_flow.log_event(
            task,
            actor,
            TaskEventKind.STATUS_CHANGED,
            note=f"{BACKFILLED}: xác nhận hoàn thành ngày {format_date(days.verified_on)}.",
            to_status=TaskStatus.DONE,
            at=task.verified_at,
        )
    audit.record(
        actor,
        "task.backfilled",
        task,
        assigned_on=days.assigned_on.isoformat(),
        reported_on=days.reported_on and days.reported_on.isoformat(),
        verified_on=days.verified_on and days.verified_on.isoformat(),
    )
    return task
