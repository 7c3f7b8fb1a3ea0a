"""The report-back obligation: the inspected unit reports on carrying out the conclusion notice.

A conclusion notice asks the inspected unit to "báo cáo kết quả thực hiện … trước ngày …". Concluding
a visit with that date records the obligation as a task, so it is tracked, reminded and counted like
any task (``count_tasks`` selects it as it selects every task of the unit).

Model chosen (the least invasive that keeps every count right): the task hangs on a directive of its
own, marked ``Directive.is_report_back``. A task needs a directive, and every count, scope and
permission reaches the visit through it, so nothing else changes; ``Visit.directives`` leaves that
directive out, so the numbered requests the dossier and the documents print stay as they were, and
``Visit.report_back_directive`` finds it. The unit's office keeps its own words per directive (and,
on the report-back directive itself, the general part) in ``ReportBackText`` as a draft it comes back
to; submitting the report reports the task done with that text, and the inspecting side verifies or
returns it like any task.

Nothing here commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from models import Directive, Organization, ReportBackText, Task, TaskEvent, User, Visit, db
from models.base import utcnow
from models.enums import WORKING_TASK_STATUSES, TaskEventKind, TaskStatus
from models.labels import label
from models.vntext import format_date, nfc
from workflows import audit
from workflows.clock import local_date_of
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed

REPORT_BACK_DAYS = 30  # the unit reports on carrying out the notice within a month, unless told
TITLE = "Báo cáo kết quả thực hiện Thông báo kết luận kiểm tra"
MAX_TEXT = 20_000


def default_due_on(concluded_on: date) -> date:
    """The report-back date a conclusion proposes when none is typed."""
    return concluded_on + timedelta(days=REPORT_BACK_DAYS)


def check_due_on(visit: Visit, due_on: date, concluded_on: date) -> None:
    """The report-back date comes after the conclusion (and so after the visit)."""
    if due_on <= concluded_on or due_on < visit.visited_on:
        raise ValidationFailed("Hạn báo cáo kết quả thực hiện phải sau ngày kết luận.")


def record_obligation(visit: Visit, actor: User, *, due_on: date, now: datetime | None = None) -> Task:
    """Record the inspected unit's duty to report back by ``due_on`` as a task on its own directive.

    Called by ``workflows.visits.conclude_visit``, which has checked the actor and the state.
    """
    from workflows import tasks as task_flow
    from workflows.visits import next_directive_number

    if visit.report_back_directive is not None:
        raise InvalidState("Đợt kiểm tra đã có nhiệm vụ báo cáo kết quả thực hiện.")
    check_due_on(visit, due_on, local_date_of(now or utcnow()))
    directive = Directive(
        visit_id=visit.id,  # not ``visit=``: it stays out of ``visit.directives``
        number=next_directive_number(visit),
        is_report_back=True,
        title=TITLE,
        body=f"{TITLE} trước ngày {format_date(due_on)}.",
        due_on=due_on,
    )
    db.session.add(directive)
    db.session.flush()
    task = task_flow.assign_task(
        directive, actor, lead_org=visit.inspected_org, due_on=due_on, title=TITLE, now=now
    )
    db.session.expire(visit, ["report_back_directive"])
    return task


def task_of(visit: Visit) -> Task | None:
    """The visit's report-back task in force (a cancelled one only when there is no other)."""
    directive = visit.report_back_directive
    if directive is None or not directive.tasks:
        return None
    live = [t for t in directive.tasks if t.status is not TaskStatus.CANCELLED]
    return (live or directive.tasks)[-1]


def is_report_back(task: Task) -> bool:
    """Whether the task is a visit's report-back obligation."""
    return task.directive.is_report_back


# --- The unit's draft -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskLine:
    """One task of a directive as the report shows it."""

    title: str
    unit: str
    status: str  # the Vietnamese word of its state
    progress: int
    due_on: date | None
    notes: list[str]  # the lead unit's progress and report notes, oldest first
    evidence: list[str]  # file names


@dataclass(frozen=True)
class DirectiveLine:
    """One numbered request of the notice with its tasks and the unit's own words."""

    directive_id: int
    number: int
    ordinal: str
    title: str
    body: str
    tasks: list[TaskLine]
    text: str

    @property
    def prefilled(self) -> str:
        """What the unit's text starts from before it writes its own: each task's state and notes."""
        parts = []
        for task in self.tasks:
            notes = " ".join(note.rstrip(".") + "." for note in task.notes[-2:])
            parts.append(
                f"- {task.title.rstrip('.')}: {task.status.lower()} ({task.progress}%). {notes}".strip()
            )
        return "\n".join(parts)


@dataclass(frozen=True)
class ReportFacts:
    """Everything the unit's report says: who reports to whom, on which notice, and what was done."""

    visit: Visit
    task: Task
    unit: Organization
    addressee: Organization
    notice: str  # "Thông báo kết luận số 01-TB/BTGTU ngày 20/06/2023", else by the conclusion's day
    general: str
    directives: list[DirectiveLine]


def _check_can_view(task: Task, actor: User) -> None:
    if not task.can_view(actor) or not is_report_back(task):
        raise OutOfScope("Không tìm thấy nhiệm vụ.")


def can_write(task: Task, actor: User) -> bool:
    """Whether ``actor`` may write the report now: the unit's office, while the unit still works on it."""
    return (
        task.can_view(actor)
        and is_report_back(task)
        and task.can_report(actor, check_state=False)
        and task.status in WORKING_TASK_STATUSES
    )


def _check_can_write(task: Task, actor: User) -> None:
    _check_can_view(task, actor)
    if not task.can_report(actor, check_state=False):
        raise PermissionDenied("Chỉ cán bộ của đơn vị được kiểm tra soạn báo cáo này.")
    if task.status not in WORKING_TASK_STATUSES:
        raise InvalidState(
            "Nhiệm vụ đang ở trạng thái «%(status)s»; không thể sửa báo cáo.", status=task.status
        )


def _texts(directive_ids: list[int]) -> dict[int, str]:
    rows = db.session.scalars(select(ReportBackText).where(ReportBackText.directive_id.in_(directive_ids)))
    return {row.directive_id: row.body for row in rows}


def notice_text(visit: Visit) -> str:
    """How the report names the notice it answers: by number and date once issued."""
    from workflows.followup import notices_of

    notice = notices_of({visit.id}).get(visit.id)
    if notice is not None:
        return notice.text
    concluded = local_date_of(visit.concluded_at) if visit.concluded_at else visit.visited_on
    return f"Thông báo kết luận kiểm tra ngày {format_date(concluded)}"


def _task_line(task: Task) -> TaskLine:
    notes = [
        e.note
        for e in task.events
        if e.note
        and (
            e.kind in (TaskEventKind.PROGRESS, TaskEventKind.COMMENT)
            or (e.kind is TaskEventKind.STATUS_CHANGED and e.to_status is TaskStatus.REPORTED)
        )
    ]
    return TaskLine(
        title=task.title,
        unit=task.lead_org.name,
        status=label(task.status, "vi"),
        progress=100 if task.status is TaskStatus.DONE else task.progress,
        due_on=task.due_on,
        notes=notes,
        evidence=[a.original_name for a in task.attachments],
    )


def report_facts(task: Task, actor: User) -> ReportFacts:
    """The draft report of the report-back ``task`` as ``actor`` sees it, texts kept so far included."""
    _check_can_view(task, actor)
    visit = task.directive.visit
    directives = list(visit.directives)
    texts = _texts([d.id for d in directives] + [task.directive_id])
    lines = [
        DirectiveLine(
            directive_id=d.id,
            number=d.number,
            ordinal=d.ordinal,
            title=d.title or "",
            body=d.body,
            tasks=[_task_line(t) for t in d.tasks if t.status is not TaskStatus.CANCELLED],
            text=texts.get(d.id, ""),
        )
        for d in directives
    ]
    return ReportFacts(
        visit=visit,
        task=task,
        unit=visit.inspected_org,
        addressee=visit.inspecting_org,
        notice=notice_text(visit),
        general=texts.get(task.directive_id, ""),
        directives=lines,
    )


def save_draft(
    task: Task,
    actor: User,
    *,
    general: str | None,
    texts: Mapping[int, str | None],
    now: datetime | None = None,
) -> None:
    """Keep the unit's words: the general part and one text per directive (by directive id)."""
    _check_can_write(task, actor)
    visit = task.directive.visit
    allowed = {d.id for d in visit.directives} | {task.directive_id}
    wanted = {task.directive_id: general, **texts}
    unknown = set(wanted) - allowed
    if unknown:
        raise ValidationFailed("Yêu cầu không thuộc đợt kiểm tra này.")
    kept = {
        row.directive_id: row
        for row in db.session.scalars(
            select(ReportBackText).where(ReportBackText.directive_id.in_(list(wanted)))
        )
    }
    at = now or utcnow()
    for directive_id, value in wanted.items():
        body = nfc(value) or ""
        if len(body) > MAX_TEXT:
            raise ValidationFailed("Mỗi phần báo cáo dài tối đa %(limit)d ký tự.", limit=MAX_TEXT)
        row = kept.get(directive_id)
        if row is None:
            if not body:
                continue
            row = ReportBackText(directive_id=directive_id)
            db.session.add(row)
        if row.body != body:
            row.body = body
            row.updated_at = at
            row.updated_by_id = actor.id
    audit.record(actor, "report_back.saved", visit)


def report_text(facts: ReportFacts) -> str:
    """The report as plain text, kept in the task's history when it is submitted."""
    parts = [facts.general.strip()] if facts.general.strip() else []
    for line in facts.directives:
        if line.text.strip():
            parts.append(f"{line.ordinal}: {line.text.strip()}")
    return "\n\n".join(parts)


def submit_report(task: Task, actor: User, *, now: datetime | None = None) -> TaskEvent:
    """Submit the unit's report: the task is reported done with its text, for the inspecting side."""
    from workflows import tasks as task_flow

    _check_can_write(task, actor)
    text = report_text(report_facts(task, actor))
    if not text:
        raise ValidationFailed("Chưa viết nội dung báo cáo; hãy ghi kết quả thực hiện rồi lưu trước khi gửi.")
    return task_flow.report_task_done(task, actor, note=text, now=now)
