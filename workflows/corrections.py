"""Corrections of a concluded visit: a typo found after the conclusion is amended through a record of
who changed which text, when, why, and the words it replaced.

Only texts may change (the title, place, decision reference and summary; the findings' texts; the
directives' short titles and bodies); dates, numbers, bodies, people and the order of things stay as
concluded. Where the visit report or the conclusion notice was already issued, the changes printed in
it are listed for a đính chính (``originals_to_correct``), which the caller issues through the
register. Like every workflow this checks scope, role and state, leaves an audit entry and never
commits.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from sqlalchemy import Select, bindparam, select
from sqlalchemy.orm import joinedload, selectinload

from models import (
    CorrectionChange,
    Finding,
    IssuedDocument,
    User,
    Visit,
    VisitCorrection,
    db,
)
from models.enums import FindingKind, Role, VisitStatus
from models.vntext import nfc
from workflows import audit
from workflows.documents import DocumentKind
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.revisions import expect_version, mark_revised

REASON_MAX = 1000
CORRECTED_STATES = (VisitStatus.CONCLUDED, VisitStatus.CLOSED)

# The visit's correctable texts: where they stand (as a person names the place), longest length,
# whether they may be left empty.
VISIT_FIELDS = {
    "title": ("tiêu đề đợt kiểm tra", 300, False),
    "place": ("địa điểm", 200, True),
    "decision_ref": ("phần mở đầu (căn cứ kiểm tra)", 300, True),
    "summary": ("mục Kết quả kiểm tra", 20_000, True),
}
TEXT_MAX = 20_000
DIRECTIVE_TITLE_MAX = 300

FINDING_PLACES = {
    FindingKind.ACHIEVEMENT: "phần Ưu điểm",
    FindingKind.LIMITATION: "phần Hạn chế, khuyết điểm",
    FindingKind.DIFFICULTY: "phần Khó khăn",
    FindingKind.CAUSE: "phần Nguyên nhân",
    FindingKind.HOST_REQUEST: "phần Kiến nghị của đơn vị",
}

# What each issued document prints of the visit, so that a đính chính lists only its own changes.
PRINTED_VISIT_FIELDS = {
    DocumentKind.VISIT_REPORT.value: {"decision_ref", "summary"},
    DocumentKind.CONCLUSION.value: {"decision_ref"},
}
PRINTED_FINDINGS = {
    DocumentKind.VISIT_REPORT.value: set(FindingKind),
    DocumentKind.CONCLUSION.value: {FindingKind.ACHIEVEMENT, FindingKind.LIMITATION, FindingKind.CAUSE},
}


@dataclass(frozen=True)
class DirectiveText:
    """What the form says a directive's short title and body now read."""

    title: str | None
    body: str | None


def can_correct(visit: Visit, actor: User) -> bool:
    """Whether ``actor`` may correct ``visit`` (whatever its state; see ``CORRECTED_STATES``)."""
    return (
        visit.can_view(actor)
        and actor.role in (Role.INSPECTOR, Role.ADMIN)
        and actor.in_scope(visit.inspecting_org)
    )


def check_can_correct(visit: Visit, actor: User) -> None:
    """The inspecting side corrects: inspectors of the inspecting body (or above it) and admins whose
    subtree holds it."""
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if actor.role not in (Role.INSPECTOR, Role.ADMIN) or not actor.in_scope(visit.inspecting_org):
        raise PermissionDenied(
            "Chỉ cán bộ kiểm tra của cơ quan kiểm tra hoặc quản trị viên được đính chính đợt kiểm tra này."
        )


def correct_visit(
    visit: Visit,
    actor: User,
    *,
    reason: str | None,
    version: int | str | None,
    fields: Mapping[str, str | None] | None = None,
    findings: Mapping[int, str | None] | None = None,
    directives: Mapping[int, DirectiveText] | None = None,
) -> VisitCorrection:
    """Amend the texts of a concluded visit and record each change with its old and new words.

    ``fields`` maps the visit's correctable field names to their new text, ``findings`` finding ids to
    their new text, ``directives`` directive ids to their new short title and body; what is left out
    stays as it is. Refuses an empty reason, a visit not concluded, a stale form and a correction that
    changes nothing.
    """
    check_can_correct(visit, actor)
    if visit.status not in CORRECTED_STATES:
        raise InvalidState("Đợt kiểm tra chưa kết luận; hãy sửa trực tiếp trên biểu mẫu đợt kiểm tra.")
    expect_version(visit, version)
    reason = " ".join((nfc(reason) or "").split())
    if not reason:
        raise ValidationFailed("Hãy ghi lý do đính chính.")
    if len(reason) > REASON_MAX:
        raise ValidationFailed("Lý do dài quá %(count)s ký tự.", count=REASON_MAX)

    changes: list[CorrectionChange] = []

    def note(
        target: str, target_id: int, field: str, location: str, old: str | None, new: str | None
    ) -> None:
        changes.append(
            CorrectionChange(
                order=len(changes),
                target=target,
                target_id=target_id,
                field=field,
                location=location,
                old_value=old,
                new_value=new,
            )
        )

    for name, value in (fields or {}).items():
        if name not in VISIT_FIELDS:
            raise ValidationFailed("Không đính chính được trường này.")
        location, limit, optional = VISIT_FIELDS[name]
        new = _text(value, limit, location, optional)
        old = getattr(visit, name)
        if new != old:
            note("visit", visit.id, name, location, old, new)
            setattr(visit, name, new)

    by_id = {finding.id: finding for finding in visit.findings}
    for finding_id, value in (findings or {}).items():
        finding = by_id.get(finding_id)
        if finding is None:
            raise ValidationFailed("Nhận xét này không thuộc đợt kiểm tra.")
        location = finding_location(visit, finding)
        new = _text(value, TEXT_MAX, location, optional=False)
        if new != finding.text:
            note("finding", finding.id, "text", location, finding.text, new)
            finding.text = new or ""

    directives_by_id = {directive.id: directive for directive in visit.directives}
    for directive_id, wording in (directives or {}).items():
        directive = directives_by_id.get(directive_id)
        if directive is None:
            raise ValidationFailed("Yêu cầu này không thuộc đợt kiểm tra.")
        place = f"nội dung “{directive.ordinal}”"
        title = _text(wording.title, DIRECTIVE_TITLE_MAX, f"{place}, phần tiêu đề", optional=True)
        body = _text(wording.body, TEXT_MAX, place, optional=False)
        if title != directive.title:
            note("directive", directive.id, "title", f"{place}, phần tiêu đề", directive.title, title)
            directive.title = title
        if body != directive.body:
            note("directive", directive.id, "body", place, directive.body, body)
            directive.body = body or ""

    if not changes:
        raise ValidationFailed("Không có nội dung nào thay đổi; chưa ghi đính chính.")
    correction = VisitCorrection(visit=visit, made_by=actor, reason=reason, changes=changes)
    db.session.add(correction)
    mark_revised(visit)
    audit.record(
        actor,
        "visit.corrected",
        visit,
        reason=reason,
        changes=[{"field": f"{c.target}.{c.field}", "old": c.old_value, "new": c.new_value} for c in changes],
    )
    return correction


def finding_location(visit: Visit, finding: Finding) -> str:
    """ "phần Ưu điểm, ý thứ 2": the finding's place among those of its kind."""
    same_kind = sorted((f for f in visit.findings if f.kind is finding.kind), key=lambda f: (f.order, f.id))
    return f"{FINDING_PLACES[finding.kind]}, ý thứ {same_kind.index(finding) + 1}"


def originals_to_correct(correction: VisitCorrection) -> list[tuple[IssuedDocument, list[CorrectionChange]]]:
    """The visit's issued reports and conclusion notices (not cancelled) that print some of the
    correction's changes, each with those changes: each needs its own đính chính."""
    visit = correction.visit
    originals = db.session.scalars(
        select(IssuedDocument)
        .where(
            IssuedDocument.visit_id == visit.id,
            IssuedDocument.kind.in_(list(PRINTED_VISIT_FIELDS)),
            IssuedDocument.cancelled_at.is_(None),
        )
        .order_by(IssuedDocument.issued_on, IssuedDocument.id)
    )
    kinds = {finding.id: finding.kind for finding in visit.findings}
    found = []
    for original in originals:
        printed = [c for c in correction.changes if _printed_in(original.kind, c, kinds)]
        if printed:
            found.append((original, printed))
    return found


def _printed_in(kind: str, change: CorrectionChange, finding_kinds: Mapping[int, FindingKind]) -> bool:
    if change.target == "visit":
        return change.field in PRINTED_VISIT_FIELDS[kind]
    if change.target == "finding":
        return finding_kinds.get(change.target_id) in PRINTED_FINDINGS[kind]
    return change.target == "directive"


def corrections_of(visit: Visit) -> list[VisitCorrection]:
    """The visit's corrections, newest first, with their changes and đính chính."""
    return list(db.session.scalars(_corrections_statement(), {"visit_id": visit.id}))


@lru_cache(maxsize=1)
def _corrections_statement() -> Select[VisitCorrection]:
    """``corrections_of``'s query, built once (every dossier asks it): its loader options' cache key is
    worked out once, not on each request."""
    return (
        select(VisitCorrection)
        .where(VisitCorrection.visit_id == bindparam("visit_id"))
        .options(
            joinedload(VisitCorrection.made_by),
            selectinload(VisitCorrection.changes),
            selectinload(VisitCorrection.notices).joinedload(IssuedDocument.issuer),
        )
        .order_by(VisitCorrection.made_at.desc(), VisitCorrection.id.desc())
    )


def _text(value: str | None, limit: int, location: str, optional: bool) -> str | None:
    text = nfc(value) or ""
    if not text and not optional:
        raise ValidationFailed("Không được để trống phần “%(place)s”.", place=location)
    if len(text) > limit:
        raise ValidationFailed("Phần “%(place)s” dài quá %(count)s ký tự.", place=location, count=limit)
    return text or None
