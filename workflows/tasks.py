"""Task workflows: assign, start, record progress, report, verify or return, pause, cancel,
and deadline extensions.

Only the lead unit's office reports a task done; only the inspecting side accepts or returns it.
Every change leaves a TaskEvent; nothing here commits.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select

from models import DeadlineExtension, Directive, Organization, Task, TaskEvent, User, db
from models.base import utcnow
from models.enums import (
    CANCELLABLE_TASK_STATUSES,
    PAUSABLE_TASK_STATUSES,
    WORKING_TASK_STATUSES,
    ExtensionStatus,
    NotificationKind,
    TaskEventKind,
    TaskStatus,
    VisitStatus,
)
from models.vntext import format_date, nfc
from workflows import notify
from workflows.clock import local_date_of
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.visits import MAX_TASKS_PER_DIRECTIVE, check_due_date, require_text
from workflows.workdays import due_in_working_days


def _check_visible(task: Task, actor: User) -> None:
    if not task.can_view(actor):
        raise OutOfScope("Không tìm thấy nhiệm vụ.")


def _check_inspecting_side(task: Task, actor: User) -> None:
    _check_visible(task, actor)
    if not task.can_verify(actor, check_state=False):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được làm việc này.")


def _check_lead_office(task: Task, actor: User) -> None:
    _check_visible(task, actor)
    if not task.can_report(actor, check_state=False):
        raise PermissionDenied("Chỉ cán bộ của đơn vị chủ trì được làm việc này.")


def _check_status(task: Task, allowed: Iterable[TaskStatus], action: str) -> None:
    if task.status not in allowed:
        raise InvalidState(
            "Nhiệm vụ đang ở trạng thái «%(status)s»; không thể %(action)s.",
            status=task.status,  # shown by its display word in the reader's language
            action=action,
        )


def _log(
    task: Task,
    actor: User | None,
    kind: TaskEventKind,
    *,
    note: str | None = None,
    to_status: TaskStatus | None = None,
    at: datetime | None = None,
) -> TaskEvent:
    event = TaskEvent(
        task=task,
        kind=kind,
        actor=actor,
        note=nfc(note) or None,
        from_status=task.status if to_status else None,
        to_status=to_status,
        progress=task.progress,
        created_at=at or utcnow(),
    )
    if to_status:
        task.status = to_status
    db.session.add(event)
    return event


# The one way another workflow writes a line of a task's history (``workflows.reach`` moving tasks).
log_event = _log


def assign_task(
    directive: Directive,
    actor: User,
    *,
    lead_org: Organization,
    due_on: date | None,
    title: str | None = None,
    description: str | None = None,
    coordinating: Iterable[Organization] = (),
    now: datetime | None = None,
    due_working_days: int | None = None,
    due_from: date | None = None,
    notify_units: bool = True,
) -> Task:
    """Give a directive to a lead unit, with coordinating units and a due date, given as a date or as
    "within ``due_working_days`` working days" of ``due_from`` (the day of assignment by default).

    ``notify_units=False`` (history back-filled from a spreadsheet) tells no office of a task given
    years ago."""
    visit = directive.visit
    if due_working_days is not None:
        if due_on is not None:
            raise ValidationFailed("Nhập hạn là một ngày hoặc là số ngày làm việc, không nhập cả hai.")
        start = due_from or local_date_of(now or utcnow())
        due_on = due_in_working_days(start, due_working_days)
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if not visit.can_edit(actor):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được giao nhiệm vụ.")
    if visit.status is VisitStatus.CLOSED:
        raise InvalidState("Đợt kiểm tra đã đóng.")
    check_due_date(due_on, visit.visited_on)
    if len(directive.tasks) >= MAX_TASKS_PER_DIRECTIVE:
        raise ValidationFailed("Một yêu cầu có tối đa %(limit)d nhiệm vụ.", limit=MAX_TASKS_PER_DIRECTIVE)
    coordinating = [org for org in coordinating if org.id != lead_org.id]
    task = Task(
        directive=directive,
        lead_org=lead_org,
        coordinating_orgs=list(dict.fromkeys(coordinating)),
        title=nfc(title) or directive.title or _headline(directive.body),
        description=description,
        due_on=due_on,
        original_due_on=due_on,
        due_working_days=due_working_days,
        status=TaskStatus.ASSIGNED,
        progress=0,
        assigned_by=actor,
        created_at=now or utcnow(),
    )
    db.session.add(task)
    _log(task, actor, TaskEventKind.CREATED, at=task.created_at)
    if not notify_units:
        return task
    key_on = local_date_of(task.created_at)
    notify.queue(task, NotificationKind.ASSIGNED, key_on, notify.office_users_of(lead_org))
    for org in task.coordinating_orgs:
        notify.queue(task, NotificationKind.ASSIGNED, key_on, notify.office_users_of(org), coordinating=True)
    return task


def _headline(body: str, limit: int = 120) -> str:
    first = body.split(". ")[0].strip()
    return first if len(first) <= limit else first[: limit - 1].rstrip() + "…"


def start_task(task: Task, actor: User, *, now: datetime | None = None) -> None:
    """The lead unit starts work on an assigned or returned task."""
    _check_lead_office(task, actor)
    _check_status(task, (TaskStatus.ASSIGNED, TaskStatus.RETURNED), "bắt đầu thực hiện")
    task.started_at = task.started_at or now or utcnow()
    _log(task, actor, TaskEventKind.STATUS_CHANGED, to_status=TaskStatus.IN_PROGRESS, at=now)


def record_progress(
    task: Task, actor: User, *, note: str, progress: int | None = None, now: datetime | None = None
) -> TaskEvent:
    """Add a progress note; the lead unit may also set the percentage, coordinating units only write."""
    _check_visible(task, actor)
    if not task.can_comment(actor, check_state=False):
        raise PermissionDenied("Chỉ cán bộ của đơn vị chủ trì hoặc phối hợp được ghi tiến độ.")
    _check_status(task, WORKING_TASK_STATUSES, "ghi tiến độ")
    note = require_text(note, "Chưa nhập nội dung tiến độ.")
    if progress is not None:
        if not task.can_report(actor, check_state=False):
            raise PermissionDenied("Đơn vị phối hợp chỉ ghi ý kiến, không cập nhật tỷ lệ hoàn thành.")
        if not 0 <= progress <= 100:
            raise ValidationFailed("Tỷ lệ hoàn thành phải từ 0 đến 100%%.")
        task.progress = progress
    if task.can_report(actor, check_state=False) and task.status in (
        TaskStatus.ASSIGNED,
        TaskStatus.RETURNED,
    ):
        task.started_at = task.started_at or now or utcnow()
        _log(task, actor, TaskEventKind.STATUS_CHANGED, to_status=TaskStatus.IN_PROGRESS, at=now)
    kind = TaskEventKind.PROGRESS if progress is not None else TaskEventKind.COMMENT
    return _log(task, actor, kind, note=note, at=now)


def report_task_done(task: Task, actor: User, *, note: str, now: datetime | None = None) -> TaskEvent:
    """The lead unit reports the task done; it waits for the inspecting side's verification."""
    _check_lead_office(task, actor)
    _check_status(task, WORKING_TASK_STATUSES, "báo cáo hoàn thành")
    note = require_text(note, "Cần ghi kết quả thực hiện khi báo cáo hoàn thành.")
    task.reported_at = now or utcnow()
    task.started_at = task.started_at or task.reported_at
    event = _log(task, actor, TaskEventKind.STATUS_CHANGED, note=note, to_status=TaskStatus.REPORTED, at=now)
    inspectors = [task.assigned_by] if task.assigned_by and task.assigned_by.is_active else []
    notify.queue(task, NotificationKind.REPORTED, local_date_of(task.reported_at), inspectors)
    return event


def verify_task(task: Task, actor: User, *, note: str | None = None, now: datetime | None = None) -> None:
    """Accept a reported task: it is done on the local day it was reported."""
    _check_inspecting_side(task, actor)
    _check_status(task, (TaskStatus.REPORTED,), "xác nhận hoàn thành")
    assert task.reported_at is not None
    task.verified_at = now or utcnow()
    task.completed_on = local_date_of(task.reported_at)
    task.progress = 100
    _log(task, actor, TaskEventKind.STATUS_CHANGED, note=note, to_status=TaskStatus.DONE, at=now)


def return_task(task: Task, actor: User, *, note: str, now: datetime | None = None) -> None:
    """Send a reported task back to the lead unit with the reason."""
    _check_inspecting_side(task, actor)
    _check_status(task, (TaskStatus.REPORTED,), "trả lại")
    note = require_text(note, "Cần ghi lý do trả lại.")
    at = now or utcnow()
    _log(task, actor, TaskEventKind.STATUS_CHANGED, note=note, to_status=TaskStatus.RETURNED, at=at)
    notify.queue(task, NotificationKind.RETURNED, local_date_of(at), notify.office_users_of(task.lead_org))


def pause_task(task: Task, actor: User, *, reason: str, now: datetime | None = None) -> None:
    """Pause an open task; it gets no reminders until resumed."""
    _check_inspecting_side(task, actor)
    _check_status(task, PAUSABLE_TASK_STATUSES, "tạm dừng")
    reason = require_text(reason, "Cần ghi lý do tạm dừng.")
    _log(task, actor, TaskEventKind.STATUS_CHANGED, note=reason, to_status=TaskStatus.PAUSED, at=now)


def resume_task(task: Task, actor: User, *, now: datetime | None = None) -> None:
    """Resume a paused task where work left off."""
    _check_inspecting_side(task, actor)
    _check_status(task, (TaskStatus.PAUSED,), "tiếp tục")
    target = TaskStatus.IN_PROGRESS if task.started_at else TaskStatus.ASSIGNED
    _log(task, actor, TaskEventKind.STATUS_CHANGED, to_status=target, at=now)


def cancel_task(task: Task, actor: User, *, reason: str, now: datetime | None = None) -> None:
    """Cancel a task that is no longer needed; it leaves every count."""
    _check_inspecting_side(task, actor)
    _check_status(task, CANCELLABLE_TASK_STATUSES, "hủy")
    reason = require_text(reason, "Cần ghi lý do hủy nhiệm vụ.")
    task.cancelled_at = now or utcnow()
    _log(task, actor, TaskEventKind.STATUS_CHANGED, note=reason, to_status=TaskStatus.CANCELLED, at=now)


def request_extension(
    task: Task, actor: User, *, new_due_on: date, reason: str, now: datetime | None = None
) -> DeadlineExtension:
    """The lead unit asks to move the due date, giving a reason."""
    _check_lead_office(task, actor)
    _check_status(task, WORKING_TASK_STATUSES, "xin gia hạn")
    if task.due_on is None:
        raise InvalidState("Nhiệm vụ không có thời hạn; không cần gia hạn.")
    if new_due_on <= task.due_on:
        raise ValidationFailed("Hạn mới phải sau hạn hiện tại (%(due)s).", due=format_date(task.due_on))
    if any(ext.status is ExtensionStatus.PENDING for ext in task.extensions):
        raise InvalidState("Đã có một đề nghị gia hạn đang chờ quyết định.")
    extension = DeadlineExtension(
        task=task,
        previous_due_on=task.due_on,
        requested_due_on=new_due_on,
        reason=require_text(reason, "Cần ghi lý do xin gia hạn."),
        status=ExtensionStatus.PENDING,
        requested_by=actor,
        requested_at=now or utcnow(),
    )
    db.session.add(extension)
    _log(
        task,
        actor,
        TaskEventKind.EXTENSION_REQUESTED,
        note=f"{format_date(new_due_on)}: {extension.reason}",
        at=now,
    )
    return extension


def decide_extension(
    extension: DeadlineExtension,
    actor: User,
    *,
    approve: bool,
    note: str | None = None,
    now: datetime | None = None,
) -> None:
    """Approve or refuse an extension; an approved one moves the due date in force, never the original."""
    task = extension.task
    _check_inspecting_side(task, actor)
    # Lock the request before reading its status: approving and refusing it at once on PostgreSQL
    # would otherwise both find it pending and both be recorded.
    db.session.execute(
        select(DeadlineExtension.id).where(DeadlineExtension.id == extension.id).with_for_update()
    )
    db.session.refresh(extension)
    if extension.status is not ExtensionStatus.PENDING:
        raise InvalidState("Đề nghị gia hạn này đã được quyết định.")
    if approve and not task.is_open:
        raise InvalidState("Nhiệm vụ đã kết thúc; không gia hạn được.")
    extension.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REFUSED
    extension.decided_by = actor
    extension.decided_at = now or utcnow()
    extension.decision_note = note
    if approve:
        task.due_on = extension.requested_due_on
    verdict = (
        f"Đồng ý gia hạn đến {format_date(extension.requested_due_on)}" if approve else "Không đồng ý gia hạn"
    )
    _log(
        task,
        actor,
        TaskEventKind.EXTENSION_DECIDED,
        note=f"{verdict}. {nfc(note)}" if note else verdict,
        at=now,
    )
    notify.queue(
        task,
        NotificationKind.EXTENSION_DECIDED,
        local_date_of(extension.decided_at),
        notify.office_users_of(task.lead_org),
    )
