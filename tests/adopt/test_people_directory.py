"""The people directory: search, positions over time, linked accounts, merging duplicate records."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from models import AuditEntry, DelegationMember, Person, User, db
from models.enums import DelegationRole
from workflows import people as people_flow
from workflows import visits as visit_flow
from workflows.errors import InvalidState


@pytest.fixture
def duplicate(world, create_visit):
    """A second record of the head of delegation, made when someone typed him in again, with an account
    and a visit of its own."""
    other = Person(
        full_name="Mạc Đình Huấn", position="Trưởng Ban Tuyên giáo Tỉnh ủy", organization=world.board
    )
    db.session.add(other)
    account = User(username="huan", role=world.inspector.role, organization=world.board, password_hash="x")
    account.person = other
    db.session.add(account)
    visit = create_visit(title="Kiểm tra năm 2024", visited_on=date(2024, 5, 2))
    # That visit's head was entered as the second record.
    db.session.scalar(select(DelegationMember).where(DelegationMember.visit_id == visit.id)).person = other
    db.session.commit()
    return other


def test_the_directory_finds_people_without_tone_marks_and_shows_their_accounts(login_as, world):
    world.inspector.person = world.head
    db.session.commit()
    page = login_as(world.admin).get("/people?q=huan").get_data(as_text=True)
    assert "Mạc Đình Huấn" in page and "Dương Thanh Huân" in page
    assert "<code>inspector</code>" in page
    assert "Dương Thanh Huân" not in login_as(world.admin).get("/people?q=mac").get_data(as_text=True)


@pytest.mark.parametrize("role", ["office", "leader"])
def test_only_administrators_and_inspectors_open_the_directory(login_as, world, role):
    assert login_as(getattr(world, role)).get("/people").status_code == 403


def test_positions_over_time_come_from_visits_and_the_directorys_changes(login_as, world, create_visit):
    visit = create_visit()
    member = db.session.scalar(select(DelegationMember).where(DelegationMember.visit_id == visit.id))
    member.position_on_day = "Phó Trưởng Ban Tuyên giáo Tỉnh ủy"
    people_flow.change_position(world.head, world.admin, "Trưởng Ban Tuyên giáo Tỉnh ủy")
    db.session.commit()
    page = login_as(world.inspector).get(f"/people/{world.head.id}").get_data(as_text=True)
    positions = page.split('id="positions"', 1)[1].split("</table>", 1)[0]
    assert positions.index("Trưởng Ban Tuyên giáo Tỉnh ủy") < positions.index(
        "Phó Trưởng Ban Tuyên giáo Tỉnh ủy"
    )
    assert "14/06/2023" in positions and visit.reference in positions
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.position_changed"))
    assert json.loads(entry.details) == {
        "before": "Phó Trưởng Ban Tuyên giáo Tỉnh ủy",
        "after": "Trưởng Ban Tuyên giáo Tỉnh ủy",
    }


def test_merging_moves_memberships_and_accounts_and_removes_the_duplicate(login_as, world, duplicate):
    client = login_as(world.admin)
    detail = client.get(f"/people/{world.head.id}").get_data(as_text=True)
    assert "Gộp vào bản ghi này" in detail
    duplicate_id = duplicate.id
    response = client.post(f"/people/{world.head.id}/merge", data={"other_id": str(duplicate_id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Person, duplicate_id) is None
    assert db.session.scalar(select(User).where(User.username == "huan")).person_id == world.head.id
    assert set(db.session.scalars(select(DelegationMember.person_id))) == {world.head.id}
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.merged"))
    assert json.loads(entry.details)["merged_id"] == duplicate_id and entry.actor_id == world.admin.id


def test_two_records_in_the_same_visit_are_two_people_and_are_not_merged(world, create_visit):
    visit = create_visit()
    other = Person(full_name="Mạc Đình Huấn", organization=world.board)
    db.session.add(other)
    visit_flow.add_delegation_member(visit, world.inspector, person=other, role=DelegationRole.MEMBER)
    with pytest.raises(InvalidState) as refused:
        people_flow.merge_people(world.head, other, world.admin)
    assert visit.reference in refused.value.message


def test_a_record_outside_the_administrators_subtree_is_not_found(login_as, world):
    from tests.conftest import _user

    district_admin = _user("qt-budop", world.admin.role, world.district)
    db.session.commit()
    client = login_as(district_admin)
    assert client.get(f"/people/{world.head.id}").status_code == 404
    assert client.get(f"/people/{world.host.id}").status_code == 200
    assert (
        client.post(f"/people/{world.host.id}/merge", data={"other_id": str(world.head.id)}).status_code
        == 404
    )
