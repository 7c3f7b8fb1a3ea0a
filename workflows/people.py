"""People who sit in delegations: find them in the directory or add them there."""

from __future__ import annotations

from sqlalchemy import select

from models import Organization, Person, User, db
from models.enums import Role
from models.vntext import nfc, search_key
from workflows import audit
from workflows.errors import PermissionDenied
from workflows.visits import require_text


def find_or_add_person(
    actor: User,
    *,
    full_name: str,
    position: str | None,
    organization: Organization | None,
    party_titles: str | None = None,
) -> Person:
    """Return the person of that name in ``organization``, adding them to the directory if new.

    Names are compared exactly but for case: "Hùng" and "Hưng" are two people, even though a
    search for "hung" finds both.
    """
    if actor.role is not Role.INSPECTOR:
        raise PermissionDenied("Chỉ cán bộ kiểm tra được thêm người vào danh sách.")
    name = require_text(full_name, "Chưa nhập họ và tên.")
    query = select(Person).where(Person.search_key == search_key(name))
    query = query.where(
        Person.organization_id == organization.id
        if organization is not None
        else Person.organization_id.is_(None)
    )
    existing = next(
        (
            p
            for p in db.session.scalars(query.order_by(Person.id))
            if p.full_name.casefold() == name.casefold()
        ),
        None,
    )
    if existing is not None:
        if not existing.position and position:
            existing.position = position
        return existing
    person = Person(
        full_name=name,
        position=nfc(position) or None,
        party_titles=nfc(party_titles) or None,
        organization=organization,
    )
    db.session.add(person)
    audit.record(actor, "person.added", person, name=name)
    return person
