"""Revising a visit after it was created: its details, delegation, findings, directives and the tasks
not yet started, plus the optimistic check that nobody saved in between.

Like every workflow these check scope, role and state, leave an audit entry and never commit.
Creating records stays in ``workflows.visits`` and ``workflows.tasks``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy.orm.attributes import flag_modified

from models import DelegationMember, Directive, Finding, LegalDocument, Organization, Task, User, Visit, db
from models.enums import (
    INSPECTING_ROLES,
    DayPart,
    DelegationRole,
    DelegationSide,
    FindingKind,
    NotificationKind,
    TaskEventKind,
    TaskStatus,
    VisitStatus,
)
from models.vntext import format_date, nfc
from workflows import audit, notify
from workflows.clock import local_today
from workflows.errors import InvalidState, PermissionDenied, StaleRecord, ValidationFailed
from workflows.tasks import _check_inspecting_side, _log
from workflows.visits import (
    _check_can_edit,
    _check_editable,
    check_due_date,
    check_visit_fields,
    require_text,
    resolve_document,
)


def stale(record: Visit | Task) -> StaleRecord:
    """The error for a save over changes someone else made since the form was loaded."""
    if isinstance(record, Visit):
        return StaleRecord(
            "Đợt kiểm tra vừa được người khác lưu sau khi bạn mở biểu mẫu. Chưa có gì bị ghi đè; "
            "những gì bạn nhập vẫn còn dưới đây."
        )
    return StaleRecord("Nhiệm vụ vừa được người khác cập nhật. Chưa có gì thay đổi; hãy xem lại rồi làm lại.")


def expect_version(record: Visit | Task, version: int | str | None) -> None:
    """Refuse to save over a record someone else saved after ``version`` was read."""
    try:
        expected = int(version) if version not in (None, "") else None
    except (TypeError, ValueError):
        expected = None
    if expected != record.version:
        raise stale(record)


def mark_revised(visit: Visit) -> None:
    """Make the next flush bump the visit's version even when only its parts changed."""
    flag_modified(visit, "title")


def update_visit(
    visit: Visit,
    actor: User,
    *,
    title: str,
    subject: str,
    visited_on: date,
    inspecting_org: Organization,
    inspected_org: Organization,
    period_label: str | None = None,
    period_start_on: date | None = None,
    period_end_on: date | None = None,
    day_part: DayPart | None = None,
    place: str | None = None,
    decision_ref: str | None = None,
    summary: str | None = None,
) -> None:
    """Change what a visit is about, when and where, and between which bodies."""
    _check_can_edit(visit, actor)
    _check_editable(visit)
    if not actor.in_scope(inspecting_org):
        raise PermissionDenied("Chỉ ghi được đợt kiểm tra của cơ quan mình.")
    check_visit_fields(inspecting_org, inspected_org, visited_on, period_start_on, period_end_on)
    due_dates = [directive.due_on for directive in visit.directives]
    due_dates += [task.due_on for directive in visit.directives for task in directive.tasks]
    earliest_due = min((d for d in due_dates if d), default=None)
    if earliest_due is not None and visited_on > earliest_due:
        raise ValidationFailed(
            "Ngày kiểm tra không được sau hạn thực hiện đã giao (%(due)s).", due=format_date(earliest_due)
        )
    changes = {
        "title": require_text(title, "Chưa nhập tiêu đề đợt kiểm tra."),
        "subject": require_text(subject, "Chưa nhập nội dung kiểm tra."),
        "visited_on": visited_on,
        "inspecting_org": inspecting_org,
        "inspected_org": inspected_org,
        "period_label": nfc(period_label) or None,
        "period_start_on": period_start_on,
        "period_end_on": period_end_on,
        "day_part": day_part,
        "place": nfc(place) or None,
        "decision_ref": nfc(decision_ref) or None,
        "summary": nfc(summary) or None,
    }
    changed = [name for name, value in changes.items() if getattr(visit, name) != value]
    for name in changed:
        setattr(visit, name, changes[name])
    if changed:
        audit.record(actor, "visit.updated", visit, fields=changed)


def update_member(
    member: DelegationMember,
    actor: User,
    *,
    role: DelegationRole,
    position_on_day: str | None,
    order: int,
) -> None:
    """Change a member's role (on the same side), position that day, or place in the list."""
    visit = member.visit
    _check_can_edit(visit, actor)
    _check_editable(visit)
    side = DelegationSide.INSPECTING if role in INSPECTING_ROLES else DelegationSide.HOST
    if side is not member.side:
        raise ValidationFailed("Không thể chuyển %(name)s sang phía bên kia.", name=member.person.full_name)
    if role is DelegationRole.HEAD and member.role is not DelegationRole.HEAD:
        head = visit.head
        if head is not None and head is not member:
            raise ValidationFailed("Đoàn đã có Trưởng Đoàn (%(name)s).", name=head.person.full_name)
    position_on_day = nfc(position_on_day) or None
    if (member.role, member.position_on_day) != (role, position_on_day):
        audit.record(actor, "visit.member_changed", visit, person=member.person.full_name, role=role.value)
    member.role = role
    member.position_on_day = position_on_day
    member.order = order


def remove_member(member: DelegationMember, actor: User) -> None:
    """Take a person off the delegation or the host side."""
    visit = member.visit
    _check_can_edit(visit, actor)
    _check_editable(visit)
    audit.record(actor, "visit.member_removed", visit, person=member.person.full_name)
    visit.members.remove(member)
    db.session.delete(member)


def update_finding(
    finding: Finding, actor: User, *, kind: FindingKind, text: str, is_public: bool, order: int
) -> None:
    """Rewrite a finding, change its kind or its place among the findings of its kind."""
    visit = finding.visit
    _check_can_edit(visit, actor)
    _check_editable(visit)
    text = require_text(text, "Chưa nhập nội dung nhận xét.")
    if (finding.kind, finding.text, finding.is_public) != (kind, text, is_public):
        audit.record(actor, "visit.finding_changed", visit, kind=kind.value)
    finding.kind = kind
    finding.text = text
    finding.is_public = is_public
    finding.order = order


def remove_finding(finding: Finding, actor: User) -> None:
    """Delete a finding before the conclusion."""
    visit = finding.visit
    _check_can_edit(visit, actor)
    _check_editable(visit)
    audit.record(actor, "visit.finding_removed", visit, kind=finding.kind.value)
    visit.findings.remove(finding)
    db.session.delete(finding)


def revise_directive(
    directive: Directive,
    actor: User,
    *,
    body: str,
    title: str | None = None,
    due_on: date | None = None,
    due_period_label: str | None = None,
    citations: Iterable[str | LegalDocument] = (),
) -> None:
    """Rewrite a directive before the conclusion; its number stays. ``citations`` replaces the list."""
    visit = directive.visit
    _check_can_edit(visit, actor)
    _check_editable(visit)
    body = require_text(body, "Nội dung yêu cầu không được để trống.")
    check_due_date(due_on, visit.visited_on)
    documents = list(dict.fromkeys(resolve_document(c, actor) for c in citations))
    before = (
        directive.title,
        directive.body,
        directive.due_on,
        directive.due_period_label,
        directive.citations,
    )
    directive.body = body
    directive.title = nfc(title) or None
    directive.due_on = due_on
    directive.due_period_label = nfc(due_period_label) or None
    if [d.code for d in directive.citations] != [d.code for d in documents]:
        directive.citations = documents
    after = (
        directive.title,
        directive.body,
        directive.due_on,
        directive.due_period_label,
        directive.citations,
    )
    if before != after:
        audit.record(actor, "directive.revised", visit, number=directive.number)


def _directive_snapshot(directive: Directive) -> tuple[object, ...]:
    codes = tuple(d.code for d in directive.citations)
    return (directive.title, directive.body, directive.due_on, directive.due_period_label, codes)


def revise_task(
    task: Task,
    actor: User,
    *,
    lead_org: Organization,
    due_on: date | None,
    title: str | None = None,
    coordinating: Iterable[Organization] = (),
) -> None:
    """Correct a task that its unit has not started: lead unit, coordinating units, title, due date.

    Once work has started the due date moves only through an extension request.
    """
    _check_inspecting_side(task, actor)
    if task.directive.visit.status is VisitStatus.CLOSED:
        raise InvalidState("Đợt kiểm tra đã đóng.")
    coordinating = [org for org in dict.fromkeys(coordinating) if org.id != lead_org.id]
    title = nfc(title) or task.title
    unchanged = (
        task.lead_org_id == lead_org.id
        and task.due_on == due_on
        and task.title == title
        and {o.id for o in task.coordinating_orgs} == {o.id for o in coordinating}
    )
    if unchanged:
        return
    if task.status is not TaskStatus.ASSIGNED:
        raise InvalidState("Nhiệm vụ «%(title)s» đã bắt đầu; không sửa được nội dung giao.", title=task.title)
    check_due_date(due_on, task.directive.visit.visited_on)
    lead_changed = task.lead_org_id != lead_org.id
    task.lead_org = lead_org
    task.coordinating_orgs = coordinating
    task.title = title
    task.due_on = due_on
    task.original_due_on = due_on
    _log(
        task,
        actor,
        TaskEventKind.COMMENT,
        note=f"Sửa nội dung giao; hạn {format_date(due_on) or 'không có'}.",
    )
    if lead_changed:
        notify.queue(task, NotificationKind.ASSIGNED, local_today(), notify.office_users_of(lead_org))
