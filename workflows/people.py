"""People who sit in delegations, sign documents or hold accounts: the directory and its changes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import select, update

from models import DelegationMember, Organization, Person, User, Visit, db
from models.enums import Role
from models.vntext import nfc, search_key
from workflows import audit
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.visits import require_text

if TYPE_CHECKING:
    from sqlalchemy import CursorResult

DIRECTORY_EDITORS = frozenset({Role.ADMIN, Role.INSPECTOR})


def find_person(full_name: str, organization: Organization | None) -> Person | None:
    """The person of exactly that name (but for case) in ``organization``, if any.

    "Hùng" and "Hưng" are two people, even though a search for "hung" finds both.
    """
    name = nfc(full_name) or ""
    query = select(Person).where(Person.search_key == search_key(name))
    query = query.where(
        Person.organization_id == organization.id
        if organization is not None
        else Person.organization_id.is_(None)
    )
    return next(
        (
            p
            for p in db.session.scalars(query.order_by(Person.id))
            if p.full_name.casefold() == name.casefold()
        ),
        None,
    )


def find_or_add_person(
    actor: User,
    *,
    full_name: str,
    position: str | None,
    organization: Organization | None,
    party_titles: str | None = None,
) -> Person:
    """Return the person of that name in ``organization``, adding them to the directory if new."""
    if actor.role is not Role.INSPECTOR:
        raise PermissionDenied("Chỉ cán bộ kiểm tra được thêm người vào danh sách.")
    name = require_text(full_name, "Chưa nhập họ và tên.")
    existing = find_person(name, organization)
    if existing is not None:
        if not existing.position and position:
            existing.position = position
        return existing
    return _add(actor, name, position, organization, party_titles)


def add_person(
    actor: Any,
    *,
    full_name: str,
    position: str | None,
    organization: Organization | None,
    party_titles: str | None = None,
) -> Person:
    """Add a person to the directory of the actor's subtree (administrators and inspectors)."""
    _check_editor(actor, organization)
    return _add(actor, require_text(full_name, "Chưa nhập họ và tên."), position, organization, party_titles)


def _add(
    actor: Any, name: str, position: str | None, organization: Organization | None, party_titles: str | None
) -> Person:
    person = Person(
        full_name=name,
        position=nfc(position) or None,
        party_titles=nfc(party_titles) or None,
        organization=organization,
    )
    db.session.add(person)
    audit.record(actor, "person.added", person, name=name, position=person.position)
    return person


def reaches(actor: Any, organization: Organization | None) -> bool:
    """Tell whether ``actor`` may see and edit the directory entries of ``organization``.

    Administrators keep to their subtree; inspectors work with the people of the whole province they
    inspect (the hosts of their visits sit outside their own board).
    """
    if organization is None:
        return True
    if actor.role is Role.INSPECTOR and actor.organization is not None:
        return organization.path.split("/")[1] == actor.organization.path.split("/")[1]
    return bool(actor.in_scope(organization))


def _check_editor(actor: Any, organization: Organization | None) -> None:
    if actor.role not in DIRECTORY_EDITORS:
        raise PermissionDenied("Chỉ quản trị viên và cán bộ kiểm tra được sửa danh bạ.")
    if not reaches(actor, organization):
        raise OutOfScope("Không tìm thấy người này trong danh bạ.")


def change_position(person: Person, actor: Any, position: str | None) -> None:
    """Record a person's new position; the audit log keeps the old one, so positions read over time."""
    _check_editor(actor, person.organization)
    position = nfc(position) or None
    if position == person.position:
        return
    before = person.position
    person.position = position
    audit.record(actor, "person.position_changed", person, before=before, after=position)


def merge_people(keep: Person, other: Person, actor: Any) -> None:
    """Fold ``other`` into ``keep``, two records of the same person: their delegation memberships and
    their accounts move to ``keep``, blank fields of ``keep`` take ``other``'s, and ``other`` goes."""
    _check_editor(actor, keep.organization)
    _check_editor(actor, other.organization)
    if keep.id == other.id:
        raise ValidationFailed("Hãy chọn hai bản ghi khác nhau để gộp.")
    both = db.session.scalars(
        select(Visit.reference)
        .join(DelegationMember, DelegationMember.visit_id == Visit.id)
        .where(DelegationMember.person_id == keep.id)
        .where(Visit.id.in_(select(DelegationMember.visit_id).where(DelegationMember.person_id == other.id)))
    ).all()
    if both:
        raise InvalidState(
            "Hai bản ghi cùng có mặt trong đợt kiểm tra %(visits)s, nên không phải một người.",
            visits=", ".join(both),
        )
    members = cast(
        "CursorResult[Any]",
        db.session.execute(
            update(DelegationMember).where(DelegationMember.person_id == other.id).values(person_id=keep.id)
        ),
    ).rowcount
    accounts = cast(
        "CursorResult[Any]",
        db.session.execute(update(User).where(User.person_id == other.id).values(person_id=keep.id)),
    ).rowcount
    keep.position = keep.position or other.position
    keep.party_titles = keep.party_titles or other.party_titles
    if keep.organization is None:
        keep.organization = other.organization
    audit.record(
        actor,
        "person.merged",
        keep,
        merged_id=other.id,
        merged_name=other.full_name,
        merged_position=other.position,
        memberships=members,
        accounts=accounts,
    )
    db.session.delete(other)
    db.session.flush()
    db.session.expire_all()
