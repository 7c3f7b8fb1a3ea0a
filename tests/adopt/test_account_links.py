"""Accounts linked to people: picked or created on the account form, so escalations reach the head
of the delegation and issued documents can name their signer."""

from __future__ import annotations

import json

from sqlalchemy import select

from models import AuditEntry, Notification, Person, User, db
from models.enums import NotificationKind, Role
from tests.conftest import _user, at
from tests.reminders.conftest import TODAY, due_task, settings  # noqa: F401 - fixtures
from workflows import reminders


def _form(world, **overrides):
    data = {
        "username": "huan",
        "display_name": "Mạc Đình Huấn",
        "email": "",
        "role": "inspector",
        "organization_id": str(world.board.id),
        "locale": "vi",
        "is_active": "y",
        "password": "mat-khau-cua-huan",
        "person_id": "",
        "position": "",
    }
    data.update(overrides)
    return data


def _account(username: str) -> User:
    return db.session.scalar(select(User).where(User.username == username))


def test_an_account_picks_a_person_of_the_directory_and_the_escalation_reaches_them(
    login_as,
    world,
    due_task,  # noqa: F811 - the fixture imported above
    settings,  # noqa: F811
):
    client = login_as(world.admin)
    response = client.post("/admin/users/new", data=_form(world, person_id=str(world.head.id)))
    assert response.status_code == 302
    account = _account("huan")
    assert account.person is world.head
    due_task(-7)  # seven days overdue: the escalation goes out
    reminders.scan_deadlines(TODAY, settings, now=at(TODAY, 7))
    db.session.commit()
    escalated = db.session.scalars(
        select(Notification.recipient_id).where(Notification.kind == NotificationKind.ESCALATED)
    ).all()
    assert account.id in escalated


def test_the_form_adds_a_new_person_from_the_name_and_position(login_as, world):
    client = login_as(world.admin)
    form = _form(
        world, username="lan.tt", display_name="Trần Thị Lan", person_id="new", position="Chuyên viên"
    )
    assert client.post("/admin/users/new", data=form).status_code == 302
    person = _account("lan.tt").person
    assert (person.full_name, person.position, person.organization) == (
        "Trần Thị Lan",
        "Chuyên viên",
        world.board,
    )
    assert (
        db.session.scalar(select(AuditEntry).where(AuditEntry.action == "person.added")).object_id
        == person.id
    )


def test_a_new_person_needs_a_name(login_as, world):
    client = login_as(world.admin)
    page = client.post("/admin/users/new", data=_form(world, display_name="", person_id="new"))
    assert page.status_code == 200 and "Chưa nhập họ và tên." in page.get_data(as_text=True)
    assert (
        _account("huan") is None and db.session.scalar(select(Person).where(Person.full_name == "")) is None
    )


def test_editing_links_and_unlinks_a_person_and_the_audit_says_so(login_as, world):
    client = login_as(world.admin)
    edit = f"/admin/users/{world.inspector.id}/edit"
    form = _form(world, username="inspector", password="", person_id=str(world.head.id))
    assert client.post(edit, data=form).status_code == 302
    assert world.inspector.person is world.head
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "user.updated")).all()[-1]
    assert json.loads(entry.details)["person"] == "Mạc Đình Huấn"
    assert client.post(edit, data={**form, "person_id": ""}).status_code == 302
    db.session.refresh(world.inspector)
    assert world.inspector.person is None


def test_a_person_outside_the_administrators_subtree_is_not_found(login_as, world):
    district_admin = _user("qt-budop", Role.ADMIN, world.district)
    db.session.commit()
    client = login_as(district_admin)
    form = _form(world, organization_id=str(world.district_office.id), person_id=str(world.head.id))
    page = client.post("/admin/users/new", data=form)
    assert page.status_code == 200  # not offered, so refused as an unknown choice
    assert _account("huan") is None


def test_the_form_lists_the_people_of_the_subtree(login_as, world):
    page = login_as(world.admin).get("/admin/users/new").get_data(as_text=True)
    assert "Mạc Đình Huấn – Phó Trưởng Ban Tuyên giáo Tỉnh ủy (BTGTU-BP)" in page
    assert "Người trong danh bạ" in page
