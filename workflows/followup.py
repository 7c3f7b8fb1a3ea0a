"""Follow-up letters (công văn đôn đốc): who sends one, to which unit, about which tasks.

A routine reminder is the inspecting body's business: the Board (or the committee's Office) that
conducted the visits writes to the unit, citing the conclusion notices it issued, and signs in its
own name. A committee's leader therefore sends the letter through the inspecting body under the
committee (or its Office); a Board's leader writes to the units its visits gave tasks to, though
they lie outside the Board's subtree. A letter "đôn đốc … đã quá hạn" is refused to a unit with no
overdue task and to a body that no longer exists. Which tasks are overdue is decided by
``workflows.documents.followup_facts``; this module only narrows them to the sender's visits.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import joinedload

from models import IssuedDocument, Organization, User, db
from models.enums import OrgKind, Role
from workflows.documents import FollowupFacts, followup_facts, units_with_overdue_tasks
from workflows.errors import InvalidState, OutOfScope, PermissionDenied

OFFICE_CODES = ("VP",)  # "VPTU": the committee's Office, whose doc_code starts so


@dataclass(frozen=True)
class NoticeRef:
    """A conclusion notice a letter cites: "số 01-TB/BTGTU ngày 20/06/2023"."""

    symbol: str
    issued_on: date

    @property
    def text(self) -> str:
        return f"Thông báo kết luận số {self.symbol} ngày {self.issued_on:%d/%m/%Y}"


@dataclass(frozen=True)
class Followup:
    """What a follow-up letter needs: the sender, the unit's overdue tasks from the sender's
    visits, and the notices those visits concluded with (by visit id)."""

    issuer: Organization
    facts: FollowupFacts
    notices: dict[int, NoticeRef]


def _root(org: Organization) -> Organization:
    while org.parent is not None:
        org = org.parent
    return org


def _is_office(org: Organization) -> bool:
    return org.kind is OrgKind.PARTY_BOARD and org.doc_code.upper().startswith(OFFICE_CODES)


def sender_for(actor_org: Organization, facts: FollowupFacts) -> Organization:
    """The body that sends the letter: the actor's own when it is a board or an office; for a
    committee, the one inspecting body in its subtree the tasks came from, else its Office, else
    the committee itself."""
    if actor_org.kind is not OrgKind.PARTY_COMMITTEE:
        return actor_org
    inspecting = {line.inspecting_org_id for line in facts.tasks}
    if len(inspecting) == 1:
        body = db.session.get(Organization, inspecting.pop())
        if body is not None and actor_org.contains(body) and body.id != actor_org.id:
            return body
    office = next((child for child in actor_org.children if _is_office(child)), None)
    return office or actor_org


def prepare(unit: Organization, actor: User, today: date) -> Followup:
    """Check that ``actor`` may send ``unit`` a follow-up letter today and gather what it says."""
    if actor.role is not Role.LEADER:
        raise PermissionDenied("Chỉ lãnh đạo được ban hành công văn đôn đốc.")
    return gather(unit, actor.organization, today, may_reach=actor.in_scope(unit))


def gather(unit: Organization, sender: Organization, today: date, *, may_reach: bool = True) -> Followup:
    """The letter ``sender``'s body would send ``unit`` today: refused when the unit has ceased to
    exist or has no overdue task from the sender's visits. ``may_reach`` says whether the unit lies
    in the sender's own subtree (else only the sender's visits give it a reason to write)."""
    facts = followup_facts(unit, today)
    if sender.kind is not OrgKind.PARTY_COMMITTEE:
        # A board writes about the tasks of its own visits, wherever the unit lies.
        mine = [line for line in facts.tasks if _inspected_by(line.inspecting_org_id, sender)]
        if not may_reach and not mine:
            raise OutOfScope("Không tìm thấy cơ quan, đơn vị.")
        facts = replace(facts, tasks=mine)
    elif not may_reach:
        raise OutOfScope("Không tìm thấy cơ quan, đơn vị.")
    if not unit.is_valid_on(today):
        raise InvalidState(
            "%(unit)s đã thôi hoạt động từ ngày %(day)s; không gửi công văn đôn đốc cho cơ quan này.",
            unit=unit.name,
            day=unit.valid_to.strftime("%d/%m/%Y") if unit.valid_to else "",
        )
    if not facts.tasks:
        raise InvalidState(
            "%(unit)s không có nhiệm vụ quá hạn tính đến ngày %(day)s; không ban hành công văn đôn đốc.",
            unit=unit.name,
            day=today.strftime("%d/%m/%Y"),
        )
    issuer = sender_for(sender, facts)
    return Followup(issuer=issuer, facts=facts, notices=notices_of({line.visit_id for line in facts.tasks}))


def units_to_follow_up(actor: User, today: date) -> list[tuple[Organization, int]]:
    """Units the actor may send a letter to, with their overdue tasks from the actor's visits:
    for a committee, its subtree; for a board, every unit its visits gave overdue tasks to."""
    own = actor.organization
    if own.kind is OrgKind.PARTY_COMMITTEE:
        return units_with_overdue_tasks(own, today)
    found = []
    for unit, _count in units_with_overdue_tasks(_root(own), today):
        mine = [
            line for line in followup_facts(unit, today).tasks if _inspected_by(line.inspecting_org_id, own)
        ]
        if mine or own.contains(unit):
            found.append((unit, len(mine)))
    return [(unit, count) for unit, count in found if count]


def notices_of(visit_ids: set[int | None]) -> dict[int, NoticeRef]:
    """The latest conclusion notice in force of each visit (one query)."""
    ids = [i for i in visit_ids if i is not None]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(IssuedDocument)
        .where(
            IssuedDocument.visit_id.in_(ids),
            IssuedDocument.kind == "conclusion",
            IssuedDocument.cancelled_at.is_(None),
        )
        .options(joinedload(IssuedDocument.issuer))
        .order_by(IssuedDocument.issued_on, IssuedDocument.id)
    ).all()
    return {row.visit_id: NoticeRef(row.symbol, row.issued_on) for row in rows if row.visit_id is not None}


def _inspected_by(inspecting_org_id: int | None, body: Organization) -> bool:
    if inspecting_org_id is None:
        return False
    inspecting = db.session.get(Organization, inspecting_org_id)
    return inspecting is not None and body.contains(inspecting)
