"""Official documents: who may have them, what goes into them, and their numbers.

A draft carries a blank number and may be downloaded by anyone allowed to read it; numbers and the
issued copies are kept by ``workflows.issuing``. Inspectors of the inspecting body issue visit
reports and conclusions; leaders issue summaries and follow-up letters. Nothing here commits.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from models import (
    DelegationMember,
    Directive,
    Finding,
    Organization,
    Task,
    User,
    Visit,
    db,
)
from models.enums import DocumentKind, FindingKind, Role, VisitStatus
from models.vntext import search_key
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.scope import in_subtree, visits_in_scope
from workflows.timeliness import (
    DEFAULT_DUE_SOON_DAYS,
    Period,
    TimelinessCounts,
    count_timeliness_by_lead_unit,
    in_category,
    selected,
    state_on,
    total_of,
)

# The type code of each kind's number series: "12-BC/BTGTU", "3-TB/BTGTU", "15-CV/TU".
TYPE_CODES = {
    DocumentKind.VISIT_REPORT: "BC",
    DocumentKind.CONCLUSION: "TB",
    DocumentKind.SUMMARY: "BC",
    DocumentKind.FOLLOWUP: "CV",
    DocumentKind.CORRECTION: "TB",  # "Thông báo đính chính", numbered with the body's notices
}
VISIT_KINDS = frozenset({DocumentKind.VISIT_REPORT, DocumentKind.CONCLUSION})

# Provincial Party congresses open a new term each autumn of a year ending in 0 or 5; the day a
# term starts can be configured per installation (``DOCUMENT_TERMS``).
DEFAULT_TERMS: tuple[tuple[date, str], ...] = (
    (date(2010, 10, 1), "2010-2015"),
    (date(2015, 10, 1), "2015-2020"),
    (date(2020, 10, 1), "2020-2025"),
    (date(2025, 10, 1), "2025-2030"),
    (date(2030, 10, 1), "2030-2035"),
)


def term_for(day: date, terms: Sequence[tuple[date, str]] = DEFAULT_TERMS) -> str:
    """The committee term a document dated ``day`` is numbered in."""
    current = None
    for starts_on, label in sorted(terms):
        if starts_on <= day:
            current = label
    if current is None:
        raise ValidationFailed("Không xác định được nhiệm kỳ cho ngày %(day)s.", day=day.strftime("%d/%m/%Y"))
    return current


# -- Who may have which document -----------------------------------------------------------------


def check_can_read_visit_documents(visit: Visit, actor: User) -> None:
    """Drafts of a visit's documents: inspectors and leaders who see the visit."""
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if actor.role not in (Role.INSPECTOR, Role.LEADER):
        raise PermissionDenied("Chỉ cán bộ kiểm tra và lãnh đạo được tải văn bản của đợt kiểm tra.")


def check_can_read_leadership_documents(scope: Organization, actor: User) -> None:
    """Summaries and follow-up letters: leaders, for their own subtree."""
    if not actor.in_scope(scope):
        raise OutOfScope("Không tìm thấy cơ quan, đơn vị.")
    if actor.role is not Role.LEADER:
        raise PermissionDenied("Chỉ lãnh đạo được tải báo cáo tổng hợp và công văn đôn đốc.")


def check_can_issue(kind: DocumentKind, actor: User, issuer: Organization, visit: Visit | None) -> None:
    """Inspectors of the inspecting body issue a visit's documents; leaders issue the others."""
    if kind is DocumentKind.CORRECTION:
        assert visit is not None
        from workflows.corrections import check_can_correct

        check_can_correct(visit, actor)
        if issuer.id != visit.inspecting_org_id:
            raise PermissionDenied("Chỉ cơ quan kiểm tra được ban hành văn bản đính chính của đợt kiểm tra.")
        return
    if kind in VISIT_KINDS:
        assert visit is not None
        if not visit.can_view(actor):
            raise OutOfScope("Không tìm thấy đợt kiểm tra.")
        if not visit.can_edit(actor) or issuer.id != visit.inspecting_org_id:
            raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được cấp số văn bản của đợt kiểm tra.")
        if visit.status is VisitStatus.PLANNED:
            raise InvalidState("Đợt kiểm tra chưa tiến hành; chưa thể cấp số văn bản.")
        if kind is DocumentKind.CONCLUSION and visit.status not in (
            VisitStatus.CONCLUDED,
            VisitStatus.CLOSED,
        ):
            raise InvalidState("Đợt kiểm tra chưa kết luận; chưa thể ban hành thông báo kết luận.")
        return
    if actor.role is not Role.LEADER:
        raise PermissionDenied("Chỉ lãnh đạo được cấp số báo cáo tổng hợp và công văn đôn đốc.")
    if not actor.in_scope(issuer):
        raise OutOfScope("Không tìm thấy cơ quan, đơn vị.")


# -- What goes into the documents ----------------------------------------------------------------


def load_visit(visit_id: int) -> Visit | None:
    """A visit with everything its report and conclusion print, in one round of eager queries."""
    return db.session.scalar(
        select(Visit)
        .where(Visit.id == visit_id)
        .options(
            joinedload(Visit.inspecting_org).joinedload(Organization.parent),
            joinedload(Visit.inspected_org).joinedload(Organization.parent),
            selectinload(Visit.members).joinedload(DelegationMember.person),
            selectinload(Visit.findings),
            selectinload(Visit.directives).selectinload(Directive.tasks).joinedload(Task.lead_org),
        )
    )


def load_organization(org_id: int) -> Organization | None:
    """An organisation with its parent (the letterhead names both)."""
    return db.session.scalar(
        select(Organization).where(Organization.id == org_id).options(joinedload(Organization.parent))
    )


@dataclass(frozen=True)
class VisitLine:
    """One visit held in the period."""

    visited_on: date
    inspecting: str
    inspected: str
    subject: str
    directives: int


@dataclass(frozen=True)
class UnitLine:
    """The timeliness counts of one lead unit."""

    name: str
    counts: TimelinessCounts


@dataclass(frozen=True)
class OverdueLine:
    """An open task past its due date."""

    title: str
    unit: str
    directive: str  # "Một là – Kiểm tra công tác tuyên giáo … (14/06/2023)"
    due_on: date
    original_due_on: date | None
    days_overdue: int
    visit_id: int | None = None  # the visit whose conclusion set the task
    inspecting_org_id: int | None = None


@dataclass(frozen=True)
class RepeatedLimitation:
    """A limitation found, in similar words, at several units."""

    text: str
    units: tuple[str, ...]


@dataclass(frozen=True)
class SummaryFacts:
    """Everything the leadership summary states."""

    scope: Organization
    period_start: date
    period_end: date
    as_of: date
    visits: list[VisitLine]
    directive_count: int
    units: list[UnitLine]
    totals: TimelinessCounts
    overdue: list[OverdueLine]
    repeated_limitations: list[RepeatedLimitation]


@dataclass(frozen=True)
class FollowupFacts:
    """A unit's overdue tasks, as of a day."""

    unit: Organization
    as_of: date
    tasks: list[OverdueLine]


def summary_facts(
    scope: Organization,
    period_start: date,
    period_end: date,
    today: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> SummaryFacts:
    """Gather the summary of ``scope`` over the period, in six queries whatever the data size.

    Visits and limitations are those held in the period (by ``today``: a visit planned later is not yet held);
    task counts and the overdue list are of the tasks the subtree answers for that were assigned in
    the period, each in its state at the end of ``today`` (``workflows.timeliness.count_tasks``).
    """
    if period_end < period_start:
        raise ValidationFailed("Ngày kết thúc kỳ báo cáo không được trước ngày bắt đầu.")
    in_period = (
        visits_in_scope(scope),
        Visit.visited_on >= period_start,
        # A visit planned after the "as of" day has not been held yet.
        Visit.visited_on <= min(period_end, today),
    )
    period = Period(period_start, period_end)
    directive_count = (
        select(func.count(Directive.id))
        .where(Directive.visit_id == Visit.id, Directive.is_report_back.is_(False))
        .scalar_subquery()
    )
    visit_rows = db.session.execute(
        select(Visit, directive_count)
        .where(*in_period)
        .options(joinedload(Visit.inspecting_org), joinedload(Visit.inspected_org))
        .order_by(Visit.visited_on, Visit.id)
    ).all()
    visits = [
        VisitLine(v.visited_on, v.inspecting_org.name, v.inspected_org.name, v.subject, int(n))
        for v, n in visit_rows
    ]
    by_unit = count_timeliness_by_lead_unit(db.session, today, scope, due_soon_days, period)
    totals = total_of(by_unit.values())
    units = db.session.scalars(
        select(Organization).where(Organization.id.in_(list(by_unit))).order_by(Organization.path)
    ).all()
    overdue = db.session.scalars(
        select(Task)
        .where(*selected(scope, period, today), in_category("overdue", today, due_soon_days))
        .options(
            joinedload(Task.lead_org),
            joinedload(Task.directive).joinedload(Directive.visit),
            selectinload(Task.events),
            selectinload(Task.extensions),
        )
        .order_by(Task.due_on, Task.id)
    ).all()
    inspected = aliased(Organization)
    limitations = db.session.execute(
        select(Finding.text, inspected.name)
        .join(Visit, Visit.id == Finding.visit_id)
        .join(inspected, inspected.id == Visit.inspected_org_id)
        .where(Finding.kind == FindingKind.LIMITATION, *in_period)
        .order_by(Visit.visited_on, Finding.order)
    ).all()
    return SummaryFacts(
        scope=scope,
        period_start=period_start,
        period_end=period_end,
        as_of=today,
        visits=visits,
        directive_count=sum(v.directives for v in visits),
        units=[UnitLine(org.name, by_unit[org.id]) for org in units],
        totals=totals,
        overdue=sorted((_overdue_line(t, today) for t in overdue), key=lambda line: -line.days_overdue),
        repeated_limitations=repeated_limitations([(text, unit) for text, unit in limitations]),
    )


def followup_facts(unit: Organization, today: date) -> FollowupFacts:
    """The overdue tasks led by ``unit`` or a body under it on ``today``, most overdue first."""
    lead = aliased(Organization)
    tasks = db.session.scalars(
        select(Task)
        .join(lead, lead.id == Task.lead_org_id)
        .where(in_subtree(lead.path, unit), in_category("overdue", today))
        .options(
            joinedload(Task.lead_org),
            joinedload(Task.directive).joinedload(Directive.visit),
            selectinload(Task.events),
            selectinload(Task.extensions),
        )
        .order_by(Task.due_on, Task.id)
    ).all()
    lines = sorted((_overdue_line(t, today) for t in tasks), key=lambda line: -line.days_overdue)
    return FollowupFacts(unit=unit, as_of=today, tasks=lines)


def units_with_overdue_tasks(scope: Organization, today: date) -> list[tuple[Organization, int]]:
    """Lead units of the subtree with overdue tasks, and how many, in tree order (one query)."""
    lead = aliased(Organization)
    rows = db.session.execute(
        select(lead, func.count(Task.id))
        .join(Task, Task.lead_org_id == lead.id)
        .where(in_subtree(lead.path, scope), in_category("overdue", today))
        .group_by(lead.id)
        .order_by(lead.path)
    ).all()
    return [(org, int(count)) for org, count in rows]


def _overdue_line(task: Task, today: date) -> OverdueLine:
    """A task overdue on ``today``, with the due date in force that day."""
    directive = task.directive
    visit = directive.visit
    state = state_on(task, today)
    assert state is not None and state.due_on is not None
    return OverdueLine(
        title=task.title,
        unit=task.lead_org.name,
        directive=f"{directive.ordinal} – {visit.title} ({visit.visited_on:%d/%m/%Y})",
        due_on=state.due_on,
        original_due_on=task.original_due_on,
        days_overdue=(today - state.due_on).days,
        visit_id=visit.id,
        inspecting_org_id=visit.inspecting_org_id,
    )


# -- Repeated limitations ------------------------------------------------------------------------

SIMILARITY = 0.5  # share of the shorter text's word pairs found in the other text


def repeated_limitations(items: Sequence[tuple[str, str]]) -> list[RepeatedLimitation]:
    """Group limitations (text, unit) written in similar words and keep the groups found at two or
    more units, most widespread first. Similar means sharing at least half of the shorter text's
    pairs of consecutive words, compared without case or tone marks."""
    pairs = [_word_pairs(text) for text, _ in items]
    parent = list(range(len(items)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for i in range(len(items)):
        for j in range(i + 1, len(items)):
            if items[i][1] == items[j][1] or root(i) == root(j):
                continue
            shorter = min(len(pairs[i]), len(pairs[j]))
            if shorter and len(pairs[i] & pairs[j]) / shorter >= SIMILARITY:
                parent[root(j)] = root(i)
    groups: dict[int, list[int]] = {}
    for i in range(len(items)):
        groups.setdefault(root(i), []).append(i)
    result = []
    for members in groups.values():
        units = tuple(dict.fromkeys(items[i][1] for i in members))
        if len(units) >= 2:
            result.append(RepeatedLimitation(text=items[members[0]][0], units=units))
    return sorted(result, key=lambda r: -len(r.units))


def _word_pairs(text: str) -> set[tuple[str, str]]:
    words = [w.strip(".,;:()!?\"'“”–-") for w in search_key(text).split()]
    words = [w for w in words if w]
    return set(itertools.pairwise(words))
