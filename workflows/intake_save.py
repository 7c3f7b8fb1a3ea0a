"""Save a reviewed article draft as a planned visit, through the visit workflows.

Organisations are matched to the registry by the search key of the names the article used ("huyện Bù
Đốp" finds "Huyện ủy Bù Đốp"); an organisation that cannot be matched is reported, never created.
People are matched by name and created when new. Like every workflow, nothing here commits.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import pairwise

from sqlalchemy import select

from models import Organization, Person, User, Visit, db
from models.enums import INSPECTING_ROLES, DayPart, DelegationRole, FindingKind, Role
from models.vntext import format_date, nfc, search_key
from workflows import audit
from workflows import visits as visit_flow
from workflows.errors import PermissionDenied, ValidationFailed
from workflows.intake import DraftVisit, period_end_on


@dataclass(frozen=True)
class ReviewedPerson:
    name: str
    position: str | None
    party_titles: str | None
    role: DelegationRole


@dataclass(frozen=True)
class ReviewedFinding:
    kind: FindingKind
    text: str


@dataclass(frozen=True)
class ReviewedDirective:
    body: str
    number: int | None = None  # the number the article gave it; None: the next one
    title: str | None = None
    citations: tuple[str, ...] = ()
    due_on: date | None = None
    due_period_label: str | None = None


@dataclass(frozen=True)
class ReviewedVisit:
    """A draft after a person checked it: every organisation is a registry entry."""

    title: str
    subject: str
    visited_on: date
    inspecting_org: Organization
    inspected_org: Organization
    day_part: DayPart | None = None
    period_label: str | None = None
    period_start_on: date | None = None
    period_end_on: date | None = None
    summary: str | None = None
    place: str | None = None
    people: tuple[ReviewedPerson, ...] = ()
    findings: tuple[ReviewedFinding, ...] = ()
    directives: tuple[ReviewedDirective, ...] = ()


@dataclass(frozen=True)
class OrgMatch:
    """The registry entry an article's name stands for, or the entries it could stand for."""

    text: str
    organization: Organization | None
    candidates: tuple[Organization, ...] = field(default_factory=tuple)

    @property
    def problem(self) -> str | None:
        """A message for the user when the name matched no entry or several."""
        if self.organization is not None:
            return None
        if self.candidates:
            names = "; ".join(o.name for o in self.candidates[:5])
            return f"«{self.text}» có thể là nhiều đơn vị ({names}); hãy chọn đúng đơn vị."
        return (
            f"Không tìm thấy «{self.text}» trong danh mục cơ quan, đơn vị; hãy chọn đơn vị có sẵn "
            "hoặc nhờ quản trị viên thêm vào danh mục."
        )


# --- Organisations --------------------------------------------------------------------------

# Ways an article names a body that the registry calls otherwise (all folded by search_key).
_ABBREVIATIONS = [
    ("ubnd", "uy ban nhan dan"),
    ("hdnd", "hoi dong nhan dan"),
    ("mttq", "mat tran to quoc"),
    ("btv", "ban thuong vu"),
    ("ubkt", "uy ban kiem tra"),
    ("btg", "ban tuyen giao"),
    ("bdv", "ban dan van"),
    ("btc", "ban to chuc"),
    ("tu", "tinh uy"),
    ("hu", "huyen uy"),
]
# The collective of a committee stands for the committee itself.
_COLLECTIVE = re.compile(r"^(?:ban thuong vu|thuong truc|tap the|dang bo|cap uy|btv) ")
# A place named by its level ("huyện Bù Đốp") stands for its Party committee, then its government.
_LEVELS = {
    "tinh": ["tinh uy {place}", "uy ban nhan dan tinh {place}"],
    "thanh pho": ["thanh uy {place}", "uy ban nhan dan thanh pho {place}"],
    "huyen": ["huyen uy {place}", "uy ban nhan dan huyen {place}"],
    "quan": ["quan uy {place}", "uy ban nhan dan quan {place}"],
    "thi xa": ["thi uy {place}", "uy ban nhan dan thi xa {place}"],
    "xa": ["dang uy xa {place}", "uy ban nhan dan xa {place}"],
    "phuong": ["dang uy phuong {place}", "uy ban nhan dan phuong {place}"],
    "thi tran": ["dang uy thi tran {place}", "uy ban nhan dan thi tran {place}"],
}
_LEVEL = re.compile(r"^(?P<level>thanh pho|thi xa|thi tran|tinh|huyen|quan|xa|phuong) (?P<place>.+)$")


def _name_keys(text: str) -> list[str]:
    """The folded names the registry may use for ``text``, the closest first."""
    key = search_key(text)
    keys = [key]
    for short, full in _ABBREVIATIONS:
        for known in list(keys):
            expanded = re.sub(rf"\b{short}\b", full, known)
            if expanded not in keys:
                keys.append(expanded)
    for known in list(keys):
        collective = _COLLECTIVE.sub("", known)
        if collective != known and collective not in keys:
            keys.append(collective)
    for known in list(keys):
        level = _LEVEL.match(known)
        if level:
            keys.extend(f.format(place=level["place"]) for f in _LEVELS[level["level"]])
    return keys


def find_organisation(
    text: str | None,
    organisations: Sequence[Organization],
    *,
    on: date | None = None,
    prefer: Organization | None = None,
) -> OrgMatch:
    """Match a name from an article to one registry entry, or say why it cannot.

    Exact names win over a registry name that adds a place ("Ban Tuyên giáo Tỉnh ủy" for "Ban Tuyên giáo
    Tỉnh ủy Bình Phước"); several matches are narrowed to those valid on ``on`` and inside ``prefer``.
    """
    text = nfc(text) or ""
    if not text:
        return OrgMatch(text, None)
    valid = [o for o in organisations if on is None or o.is_valid_on(on)]
    keys = _name_keys(text)
    for matcher in (
        lambda org, k: org.search_key == k,
        lambda org, k: org.search_key.startswith(k + " "),
    ):
        for key in keys:
            found = [o for o in valid if matcher(o, key)]
            if len(found) > 1 and prefer is not None:
                inside = [o for o in found if prefer.contains(o)]
                found = inside or found
            if len(found) == 1:
                return OrgMatch(text, found[0])
            if found:
                return OrgMatch(text, None, tuple(found))
    return OrgMatch(text, None)


def organisations(on: date | None = None) -> list[Organization]:
    """Every registry entry (valid on ``on`` when given), in name order."""
    rows = db.session.scalars(select(Organization)).all()
    return sorted((o for o in rows if on is None or o.is_valid_on(on)), key=lambda o: o.search_key)


def _root_of(org: Organization, every: Iterable[Organization]) -> Organization:
    root_code = org.path.strip("/").split("/")[0]
    return next((o for o in every if o.code == root_code), org)


def match_organisations(draft: DraftVisit, actor: User) -> tuple[OrgMatch, OrgMatch]:
    """Match the draft's inspecting body (inside the actor's scope) and inspected unit."""
    day = draft.visited_on.value if draft.visited_on else None
    every = organisations()
    own = [o for o in every if actor.in_scope(o)]
    inspecting = find_organisation(
        draft.inspecting_body.value if draft.inspecting_body else None, own, on=day, prefer=actor.organization
    )
    root = _root_of(inspecting.organization or actor.organization, every)
    inspected = find_organisation(
        draft.inspected_unit.value if draft.inspected_unit else None, every, on=day, prefer=root
    )
    return inspecting, inspected


# --- From a draft, without a person reviewing (command line) ---------------------------------


def suggested_title(draft: DraftVisit) -> str:
    """The article's title, or one written from its subject and unit when it had none."""
    if draft.title:
        return draft.title.value
    parts = [
        "Kiểm tra",
        draft.subject.value if draft.subject else "",
        draft.period.label if draft.period else "",
    ]
    unit = f"tại {draft.inspected_unit.value}" if draft.inspected_unit else ""
    return " ".join(p for p in [*parts, unit] if p)


def review_from_draft(draft: DraftVisit, actor: User) -> tuple[ReviewedVisit | None, list[str]]:
    """Accept a draft as it is: the reviewed visit, or the problems that stop it from being saved."""
    problems: list[str] = []
    inspecting, inspected = match_organisations(draft, actor)
    if not draft.inspecting_body:
        problems.append("Bài không ghi cơ quan kiểm tra.")
    elif inspecting.problem:
        problems.append("Cơ quan kiểm tra: " + inspecting.problem)
    if not draft.inspected_unit:
        problems.append("Bài không ghi đơn vị được kiểm tra.")
    elif inspected.problem:
        problems.append("Đơn vị được kiểm tra: " + inspected.problem)
    if not draft.visited_on:
        problems.append("Bài không ghi ngày kiểm tra.")
    if not draft.subject:
        problems.append("Bài không ghi nội dung kiểm tra.")
    if problems:
        return None, problems
    assert inspecting.organization and inspected.organization and draft.visited_on and draft.subject
    numbers = [d.number for d in draft.directives]
    keep_numbers = all(b > a for a, b in pairwise(numbers))
    reviewed = ReviewedVisit(
        title=suggested_title(draft)[:300],
        subject=draft.subject.value[:200],
        visited_on=draft.visited_on.value,
        inspecting_org=inspecting.organization,
        inspected_org=inspected.organization,
        day_part=draft.day_part.value if draft.day_part else None,
        period_label=draft.period.label if draft.period else None,
        period_start_on=draft.period.start_on if draft.period else None,
        period_end_on=draft.period.end_on if draft.period else None,
        summary=draft.summary.value if draft.summary else None,
        place=draft.place.value[:200] if draft.place else None,
        people=tuple(ReviewedPerson(p.name, p.position, p.party_titles, p.role) for p in draft.people),
        findings=tuple(ReviewedFinding(f.kind, f.text) for f in draft.findings),
        directives=tuple(
            ReviewedDirective(
                body=d.text,
                number=d.number if keep_numbers else None,
                title=d.title,
                citations=tuple(c.text for c in d.citations),
                due_on=_due_on(d.due_on, d.due_period_label, draft.visited_on.value),
                due_period_label=d.due_period_label,
            )
            for d in draft.directives
        ),
    )
    return reviewed, []


def _due_on(due_on: date | None, period_label: str | None, visited_on: date) -> date | None:
    """The request's own deadline, else the end of the period the article gives it, never before the visit."""
    due = due_on or period_end_on(period_label, visited_on.year)
    return due if due and due >= visited_on else None


# --- Saving ---------------------------------------------------------------------------------


def visit_between(inspecting_org_id: int, inspected_org_id: int, day: date) -> Visit | None:
    """A visit already recorded between two bodies on a day (the review page asks before saving)."""
    return db.session.scalar(
        select(Visit)
        .where(
            Visit.inspecting_org_id == inspecting_org_id,
            Visit.inspected_org_id == inspected_org_id,
            Visit.visited_on == day,
        )
        .order_by(Visit.id)
        .limit(1)
    )


def similar_visit(reviewed: ReviewedVisit) -> Visit | None:
    """A visit already recorded between the same bodies on the same day (an article read twice)."""
    return visit_between(reviewed.inspecting_org.id, reviewed.inspected_org.id, reviewed.visited_on)


def save_visit(actor: User, reviewed: ReviewedVisit, *, allow_duplicate: bool = False) -> Visit:
    """Create the planned visit of a reviewed article with its people, findings and directives."""
    if actor.role is not Role.INSPECTOR:
        raise PermissionDenied("Chỉ cán bộ kiểm tra được lưu đợt kiểm tra từ bài viết.")
    _check_people(reviewed.people)
    _check_numbers(reviewed.directives)
    existing = similar_visit(reviewed)
    if existing is not None and not allow_duplicate:
        raise ValidationFailed(
            "Đã có đợt kiểm tra %(reference)s của %(body)s tại %(unit)s ngày %(day)s; bài viết này có thể "
            "đã được nhập.",
            reference=existing.reference,
            body=reviewed.inspecting_org.name,
            unit=reviewed.inspected_org.name,
            day=format_date(reviewed.visited_on),
        )
    visit = visit_flow.create_visit(
        actor,
        title=reviewed.title,
        subject=reviewed.subject,
        visited_on=reviewed.visited_on,
        inspecting_org=reviewed.inspecting_org,
        inspected_org=reviewed.inspected_org,
        period_label=reviewed.period_label,
        period_start_on=reviewed.period_start_on,
        period_end_on=reviewed.period_end_on,
        day_part=reviewed.day_part,
        place=nfc(reviewed.place) or None,
        summary=reviewed.summary,
    )
    db.session.flush()
    for person in reviewed.people:
        side = reviewed.inspecting_org if person.role in INSPECTING_ROLES else reviewed.inspected_org
        visit_flow.add_delegation_member(
            visit,
            actor,
            person=find_or_add_person(person, side),
            role=person.role,
            position_on_day=nfc(person.position) or None,
        )
    for finding in reviewed.findings:
        # The findings were published in the article, so none of them is internal.
        visit_flow.add_finding(visit, actor, kind=finding.kind, text=finding.text, is_public=True)
    for directive in reviewed.directives:
        if directive.number is not None and directive.number - 1 > visit.directive_counter:
            # Keep the article's numbering ("Một là", "Ba là"): skip the numbers it skipped.
            visit.directive_counter = directive.number - 1
        visit_flow.issue_directive(
            visit,
            actor,
            body=directive.body,
            title=directive.title,
            due_on=directive.due_on,
            due_period_label=nfc(directive.due_period_label) or None,
            citations=directive.citations,
        )
    audit.record(
        actor,
        "visit.imported_from_article",
        visit,
        people=len(reviewed.people),
        findings=len(reviewed.findings),
        directives=len(reviewed.directives),
    )
    return visit


def _check_people(people: Sequence[ReviewedPerson]) -> None:
    heads = [p for p in people if p.role is DelegationRole.HEAD]
    if len(heads) > 1:
        raise ValidationFailed("Đoàn chỉ có một Trưởng Đoàn (đang chọn %(count)d người).", count=len(heads))
    seen: set[str] = set()
    for person in people:
        key = search_key(person.name)
        if not key:
            raise ValidationFailed("Có người trong danh sách chưa có họ tên.")
        if key in seen:
            raise ValidationFailed("%(name)s có hai lần trong danh sách.", name=person.name)
        seen.add(key)


def _check_numbers(directives: Sequence[ReviewedDirective]) -> None:
    numbers = [d.number for d in directives if d.number is not None]
    if any(n < 1 for n in numbers) or any(b <= a for a, b in pairwise(numbers)):
        raise ValidationFailed("Số thứ tự của các yêu cầu phải lớn hơn 0 và tăng dần.")


def find_or_add_person(person: ReviewedPerson, organization: Organization) -> Person:
    """The registered person of that name (in ``organization`` if several), or a new one."""
    name = nfc(person.name) or ""
    same_name = db.session.scalars(select(Person).where(Person.search_key == search_key(name))).all()
    if len(same_name) > 1:
        same_name = [p for p in same_name if organization.contains(p.organization)] or []
    if len(same_name) == 1:
        found = same_name[0]
        found.position = found.position or nfc(person.position)
        found.party_titles = found.party_titles or nfc(person.party_titles)
        return found
    created = Person(
        full_name=name,
        position=nfc(person.position) or None,
        party_titles=nfc(person.party_titles) or None,
        organization=organization,
    )
    db.session.add(created)
    return created
