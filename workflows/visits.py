"""Visit workflows: create, record the delegation and findings, issue directives, conclude, close.

Each function checks scope, role and state, changes the records, logs an audit entry and never
commits: the caller commits once.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from models import (
    DelegationMember,
    Directive,
    Finding,
    LegalDocument,
    Organization,
    Person,
    Task,
    User,
    Visit,
    db,
)
from models.base import utcnow
from models.enums import (
    HOST_ROLES,
    INSPECTING_ROLES,
    DayPart,
    DelegationRole,
    DelegationSide,
    FindingKind,
    LegalSystem,
    Role,
    TaskStatus,
    VisitStatus,
)
from models.vntext import format_date, nfc
from workflows import audit
from workflows.citations import Citation, parse_citation
from workflows.clock import local_date_of
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed

# Bounds no real visit reaches (the seed has nine directives and a dozen people): a visit posted with
# thousands of rows is refused at once instead of being saved for minutes and then weighing on every page.
MAX_MEMBERS_PER_SIDE = 60
MAX_FINDINGS = 200
MAX_DIRECTIVES = 60
MAX_TASKS_PER_DIRECTIVE = 30


def require_text(value: str | None, message: str) -> str:
    """Return the NFC text, or refuse an empty one with ``message``."""
    text = nfc(value) or ""
    if not text:
        raise ValidationFailed(message)
    return text


def _check_can_edit(visit: Visit, actor: User) -> None:
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if not visit.can_edit(actor):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được sửa đợt kiểm tra này.")


def _check_editable(visit: Visit) -> None:
    _check_content_open(visit)
    if not visit.is_editable:
        raise InvalidState("Đợt kiểm tra đã kết luận; không thể sửa đoàn, nhận xét hay yêu cầu.")


def _check_content_open(visit: Visit) -> None:
    if visit.status is VisitStatus.CLOSED:
        raise InvalidState("Đợt kiểm tra đã đóng.")


def check_due_date(due_on: date | None, visited_on: date | None) -> None:
    """A directive's or task's due date may not come before the day of the visit."""
    if due_on is not None and visited_on is not None and due_on < visited_on:
        raise ValidationFailed("Hạn thực hiện không được trước ngày kiểm tra.")


def check_visit_fields(
    inspecting_org: Organization,
    inspected_org: Organization,
    visited_on: date,
    period_start_on: date | None,
    period_end_on: date | None,
) -> None:
    """Refuse bodies and dates that cannot describe a visit, whether it is being created or edited."""
    if inspecting_org.id == inspected_org.id:
        raise ValidationFailed("Cơ quan kiểm tra và đơn vị được kiểm tra phải khác nhau.")
    if period_start_on and period_end_on and period_end_on < period_start_on:
        raise ValidationFailed("Ngày kết thúc kỳ kiểm tra không được trước ngày bắt đầu.")
    for org in (inspecting_org, inspected_org):
        if (ended := ended_before(org, visited_on)) is not None:
            raise ended


def ended_before(org: Organization, visited_on: date) -> ValidationFailed | None:
    """The refusal of a body that no longer exists on the day of the visit, or None if it does (a form
    asks this beside its other fields, so the message comes with the others in one round)."""
    if org.is_valid_on(visited_on):
        return None
    return ValidationFailed(
        "%(name)s không còn hoạt động vào ngày %(day)s.", name=org.name, day=format_date(visited_on)
    )


def create_visit(
    actor: User,
    *,
    title: str,
    subject: str,
    visited_on: date,
    inspecting_org: Organization,
    inspected_org: Organization,
    reference: str | None = None,
    period_label: str | None = None,
    period_start_on: date | None = None,
    period_end_on: date | None = None,
    day_part: DayPart | None = None,
    place: str | None = None,
    decision_ref: str | None = None,
    summary: str | None = None,
) -> Visit:
    """Plan a visit of ``inspecting_org`` to ``inspected_org``."""
    if actor.role is not Role.INSPECTOR:
        raise PermissionDenied("Chỉ cán bộ kiểm tra được tạo đợt kiểm tra.")
    if not actor.in_scope(inspecting_org):
        raise PermissionDenied("Chỉ tạo được đợt kiểm tra của cơ quan mình.")
    check_visit_fields(inspecting_org, inspected_org, visited_on, period_start_on, period_end_on)
    visit = Visit(
        reference=nfc(reference) or _new_reference(visited_on),
        title=require_text(title, "Chưa nhập tiêu đề đợt kiểm tra."),
        subject=require_text(subject, "Chưa nhập nội dung kiểm tra."),
        visited_on=visited_on,
        inspecting_org=inspecting_org,
        inspected_org=inspected_org,
        period_label=period_label,
        period_start_on=period_start_on,
        period_end_on=period_end_on,
        day_part=day_part,
        place=place,
        decision_ref=nfc(decision_ref) or None,
        summary=summary,
        status=VisitStatus.PLANNED,
        directive_counter=0,
        created_by=actor,
    )
    if db.session.scalar(select(Visit.id).where(Visit.reference == visit.reference)):
        raise ValidationFailed("Số hiệu đợt kiểm tra %(ref)s đã có.", ref=visit.reference)
    db.session.add(visit)
    audit.record(actor, "visit.created", visit, reference=visit.reference)
    return visit


def _new_reference(visited_on: date) -> str:
    return f"KT-{visited_on:%Y%m%d}-{secrets.token_hex(3).upper()}"


def add_delegation_member(
    visit: Visit,
    actor: User,
    *,
    person: Person,
    role: DelegationRole,
    position_on_day: str | None = None,
    order: int | None = None,
) -> DelegationMember:
    """Put ``person`` on the side of the meeting their role belongs to."""
    _check_can_edit(visit, actor)
    _check_editable(visit)
    side = DelegationSide.INSPECTING if role in INSPECTING_ROLES else DelegationSide.HOST
    assert role in INSPECTING_ROLES | HOST_ROLES
    if role is DelegationRole.HEAD and visit.head is not None:
        raise ValidationFailed("Đoàn đã có Trưởng Đoàn (%(name)s).", name=visit.head.person.full_name)
    if any(m.person_id == person.id for m in visit.members if person.id is not None):
        raise ValidationFailed("%(name)s đã có trong danh sách.", name=person.full_name)
    if sum(1 for m in visit.members if m.side is side) >= MAX_MEMBERS_PER_SIDE:
        raise ValidationFailed("Mỗi bên có tối đa %(limit)d người.", limit=MAX_MEMBERS_PER_SIDE)
    member = DelegationMember(
        visit=visit,
        side=side,
        person=person,
        role=role,
        position_on_day=position_on_day or person.position,
        order=order if order is not None else sum(1 for m in visit.members if m.side is side),
    )
    db.session.add(member)
    audit.record(actor, "visit.member_added", visit, person=person.full_name, role=role.value)
    return member


def add_finding(
    visit: Visit,
    actor: User,
    *,
    kind: FindingKind,
    text: str,
    is_public: bool = False,
) -> Finding:
    """Record what the delegation found, after the findings of the same kind."""
    _check_can_edit(visit, actor)
    _check_editable(visit)
    if len(visit.findings) >= MAX_FINDINGS:
        raise ValidationFailed("Một đợt kiểm tra có tối đa %(limit)d nhận xét.", limit=MAX_FINDINGS)
    finding = Finding(
        visit=visit,
        kind=kind,
        text=require_text(text, "Chưa nhập nội dung nhận xét."),
        is_public=is_public,
        order=sum(1 for f in visit.findings if f.kind is kind),
    )
    db.session.add(finding)
    audit.record(actor, "visit.finding_added", visit, kind=kind.value)
    return finding


def next_directive_number(visit: Visit) -> int:
    """Increment the visit's counter in the database and return the new value."""
    db.session.flush()
    number = db.session.execute(
        update(Visit)
        .where(Visit.id == visit.id)
        .values(directive_counter=Visit.directive_counter + 1)
        .returning(Visit.directive_counter)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(visit, "directive_counter", number)
    return number


def issue_directive(
    visit: Visit,
    actor: User,
    *,
    body: str,
    title: str | None = None,
    due_on: date | None = None,
    due_period_label: str | None = None,
    citations: Iterable[str | LegalDocument] = (),
    findings: Iterable[Finding] = (),
) -> Directive:
    """Add the next numbered directive ("Một là, …") with the documents it cites."""
    _check_can_edit(visit, actor)
    _check_editable(visit)
    body = require_text(body, "Nội dung yêu cầu không được để trống.")
    if len(visit.directives) >= MAX_DIRECTIVES:
        raise ValidationFailed("Một đợt kiểm tra có tối đa %(limit)d yêu cầu.", limit=MAX_DIRECTIVES)
    check_due_date(due_on, visit.visited_on)
    documents = [resolve_document(c, actor) for c in citations]
    directive = Directive(
        visit=visit,
        number=next_directive_number(visit),
        body=body,
        title=nfc(title),
        due_on=due_on,
        due_period_label=due_period_label,
        findings=list(findings),
    )
    for document in documents:
        if document not in directive.citations:
            directive.citations.append(document)
    db.session.add(directive)
    audit.record(actor, "directive.issued", visit, number=directive.number)
    return directive


def withdraw_directive(directive: Directive, actor: User) -> None:
    """Delete a directive before the conclusion; its number is not given again."""
    visit = directive.visit
    _check_can_edit(visit, actor)
    _check_editable(visit)
    if directive.tasks:
        raise InvalidState("Yêu cầu đã được giao nhiệm vụ; hãy hủy các nhiệm vụ trước.")
    audit.record(actor, "directive.withdrawn", visit, number=directive.number)
    visit.directives.remove(directive)
    db.session.delete(directive)


def resolve_document(code_or_document: str | LegalDocument, actor: User | None = None) -> LegalDocument:
    """Find a cited document in the registry by its code, adding it when it is new (owned by the
    organisation tree of ``actor``, whose citation registered it)."""
    if isinstance(code_or_document, LegalDocument):
        return code_or_document
    return register_document(parse_citation(code_or_document), owner=actor)


def tree_root_id(actor: User) -> int | None:
    """The id of the root organisation of the actor's tree (the first code of its path)."""
    root_code = actor.organization.path.strip("/").split("/")[0]
    return db.session.scalar(select(Organization.id).where(Organization.path == f"/{root_code}/"))


def register_document(
    citation: Citation, title: str | None = None, owner: User | None = None
) -> LegalDocument:
    """Get or add the registry entry for a parsed citation, completing what it lacked.

    A new entry belongs to the organisation tree of ``owner`` (the writer whose citation added it), so
    another tree reads and cites it but cannot edit it; an entry of another tree is cited as it is,
    its blanks and its secrecy left to the tree that owns it."""
    owner_root_id = tree_root_id(owner) if owner is not None else None
    document = db.session.scalar(select(LegalDocument).where(LegalDocument.code == citation.code))
    if document is None:
        document = LegalDocument(
            code=citation.code,
            system=LegalSystem(citation.system),
            number=citation.number,
            type_code=citation.type_code,
            issuer_code=citation.issuer_code,
            year=citation.year,
            owner_root_id=owner_root_id,
        )
        db.session.add(document)
    elif owner is not None and document.owner_root_id not in (None, owner_root_id):
        return document
    document.issued_on = document.issued_on or citation.issued_on
    document.year = document.year or citation.year
    document.type_name = document.type_name or citation.type_name
    document.issuer_name = document.issuer_name or citation.issuer_name
    document.is_secret = document.is_secret or citation.is_secret
    document.title = document.title or nfc(title)
    return document


def cite_document(directive: Directive, actor: User, code_or_document: str | LegalDocument) -> LegalDocument:
    """Add a cited document to a directive (a typed code is parsed and registered)."""
    _check_can_edit(directive.visit, actor)
    _check_editable(directive.visit)
    document = resolve_document(code_or_document, actor)
    if document not in directive.citations:
        directive.citations.append(document)
        audit.record(actor, "directive.cited", directive.visit, number=directive.number, code=document.code)
    return document


def mark_conducted(visit: Visit, actor: User) -> None:
    """Record that the meeting took place."""
    _check_can_edit(visit, actor)
    if visit.status is not VisitStatus.PLANNED:
        raise InvalidState("Chỉ đợt kiểm tra đang dự kiến mới chuyển sang đã tiến hành.")
    visit.status = VisitStatus.CONDUCTED
    audit.record(actor, "visit.conducted", visit)


def record_if_held(visit: Visit, actor: User, today: date) -> bool:
    """A planned visit dated ``today`` or earlier whose findings are written has taken place: it becomes
    conducted (a visit saved with its findings after the day is not left "Dự kiến"). True if it moved."""
    kept = [f for f in visit.findings if f not in db.session.deleted]
    if visit.status is VisitStatus.PLANNED and kept and visit.visited_on <= today:
        mark_conducted(visit, actor)
        return True
    return False


def conclude_visit(
    visit: Visit, actor: User, *, report_due_on: date | None = None, now: datetime | None = None
) -> None:
    """Conclude the visit: from now on its directives keep their numbers for good.

    With ``report_due_on`` (the conclusion form proposes the notice's usual month), the inspected
    unit's duty to report back on carrying out the notice by that day becomes a tracked task
    (``workflows.report_back``); without it no report back is asked for.
    """
    _check_can_edit(visit, actor)
    if visit.status not in (VisitStatus.PLANNED, VisitStatus.CONDUCTED):
        raise InvalidState("Đợt kiểm tra đã kết luận.")
    if visit.head is None:
        raise ValidationFailed("Cần ghi Trưởng Đoàn trước khi kết luận.")
    if report_due_on is not None:
        from workflows.report_back import check_due_on

        check_due_on(visit, report_due_on, local_date_of(now or utcnow()))
    visit.status = VisitStatus.CONCLUDED
    visit.concluded_at = now or utcnow()
    if report_due_on is not None:
        from workflows.report_back import record_obligation

        record_obligation(visit, actor, due_on=report_due_on, now=now)
    audit.record(actor, "visit.concluded", visit, directives=len(visit.directives))


def unfinished_tasks(visit: Visit) -> list[Task]:
    """The visit's tasks (the report-back obligation's too) neither done nor cancelled: a visit closes
    only when there are none."""
    directives = [*visit.directives, *([visit.report_back_directive] if visit.report_back_directive else [])]
    return [
        task
        for directive in directives
        for task in directive.tasks
        if task.status not in (TaskStatus.DONE, TaskStatus.CANCELLED)
    ]


def close_visit(visit: Visit, actor: User, *, evaluation: str) -> None:
    """Close a concluded visit whose every task is done or cancelled."""
    _check_can_edit(visit, actor)
    if visit.status is not VisitStatus.CONCLUDED:
        raise InvalidState("Chỉ đóng được đợt kiểm tra đã kết luận.")
    evaluation = require_text(evaluation, "Cần viết đánh giá kết thúc trước khi đóng đợt kiểm tra.")
    unfinished = unfinished_tasks(visit)
    if unfinished:
        raise InvalidState(
            "Còn %(count)d nhiệm vụ chưa hoàn thành; chưa thể đóng đợt kiểm tra.", count=len(unfinished)
        )
    visit.closing_evaluation = evaluation
    visit.status = VisitStatus.CLOSED
    visit.closed_at = utcnow()
    audit.record(actor, "visit.closed", visit)
