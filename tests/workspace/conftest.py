"""Fixtures of the workspace tests: a second province outside everyone's scope, a richer visit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask, g
from flask.testing import FlaskClient

from app import create_app
from app.auth import SESSION_TOKEN_KEY
from models import Organization, Person, User, Visit, db
from models.enums import DelegationRole, FindingKind, OrgKind, Role
from tests.conftest import PASSWORD_HASH, VISIT_DAY, World, at
from workflows import signin
from workflows import tasks as task_flow
from workflows import visits as visit_flow


@pytest.fixture
def login_as(client: FlaskClient) -> Callable[[User], FlaskClient]:
    """Sign a user in the way the sign-in form leaves things: a server-side session and its cookie.

    The form itself is exercised in test_sign_in.py; skipping it here saves an argon2 verification
    (about half a second on the project's machines) in every test.
    """

    def sign_in(user: User) -> FlaskClient:
        token = signin.open_session(user, address="127.0.0.1", user_agent="pytest")
        db.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session[SESSION_TOKEN_KEY] = token
            session["_user_id"] = str(user.id)
            session["_fresh"] = True
        g.pop("_login_user", None)  # requests of a test share its app context, and Flask-Login caches there
        return client

    return sign_in


@pytest.fixture
def another_app(database_url: str, tmp_path: Any) -> Iterator[Callable[..., Flask]]:
    """Build more apps on the test database (another worker process, production settings); a setting
    given as None is left out. Their connections are closed afterwards, so none is left to the GC."""
    built: list[Flask] = []

    def build(**config: Any) -> Flask:
        settings: dict[str, Any] = {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "test-secret",
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_PATH": str(tmp_path),
        }
        settings.update(config)
        application = create_app({key: value for key, value in settings.items() if value is not None})
        built.append(application)
        return application

    yield build
    for application in built:
        with application.app_context():
            db.engine.dispose()


@dataclass
class Elsewhere:
    """Another province with its own board, district, administrator and inspector."""

    province: Organization
    board: Organization
    district: Organization
    admin: User
    inspector: User


def _org(code: str, name: str, kind: OrgKind, parent: Organization | None) -> Organization:
    org = Organization(code=code, doc_code=code.split("-")[0], name=name, kind=kind)
    org.place_path(parent)
    db.session.add(org)
    return org


def _user(username: str, role: Role, org: Organization) -> User:
    user = User(username=username, role=role, organization=org, display_name=username)
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    return user


@pytest.fixture
def elsewhere(world: World) -> Elsewhere:
    """Đồng Nai: nothing in it lies in the scope of the users of ``world``, and the other way round."""
    province = _org("TU-DN", "Tỉnh ủy Đồng Nai", OrgKind.PARTY_COMMITTEE, None)
    board = _org("BTGTU-DN", "Ban Tuyên giáo Tỉnh ủy Đồng Nai", OrgKind.PARTY_BOARD, province)
    district = _org("HU-TANPHU", "Huyện ủy Tân Phú", OrgKind.PARTY_COMMITTEE, province)
    result = Elsewhere(
        province=province,
        board=board,
        district=district,
        admin=_user("admin-dn", Role.ADMIN, province),
        inspector=_user("inspector-dn", Role.INSPECTOR, board),
    )
    db.session.commit()
    return result


@pytest.fixture
def full_visit(world: World, create_visit: Callable[..., Visit]) -> Callable[..., Visit]:
    """Return a factory of visits with both sides, two findings, and directives with tasks."""

    def factory(directives: int = 3, **overrides: Any) -> Visit:
        visit = create_visit(**overrides)
        inspector = world.inspector
        member = Person(
            full_name="Phan Duy Khiêm",
            position="Trưởng phòng Thông tin - Khoa giáo",
            organization=world.board,
        )
        deputy = Person(full_name="Lê Thị Hoa", position="Phó Bí thư Huyện ủy", organization=world.district)
        db.session.add_all([member, deputy])
        visit_flow.add_delegation_member(visit, inspector, person=member, role=DelegationRole.MEMBER)
        visit_flow.add_delegation_member(visit, inspector, person=world.host, role=DelegationRole.HOST_CHAIR)
        visit_flow.add_delegation_member(
            visit, inspector, person=deputy, role=DelegationRole.HOST_PARTICIPANT
        )
        visit_flow.add_finding(
            visit, inspector, kind=FindingKind.ACHIEVEMENT, text="Tổ chức tốt việc học tập nghị quyết."
        )
        visit_flow.add_finding(
            visit, inspector, kind=FindingKind.LIMITATION, text="Trang thông tin của huyện cập nhật chậm."
        )
        for n in range(directives):
            directive = visit_flow.issue_directive(
                visit,
                inspector,
                body=f"Yêu cầu thứ {n + 1}: triển khai Quy định 85-QĐ/TW ở cơ sở.",
                citations=["85-QĐ/TW"] if n == 0 else [],
                due_on=date(2023, 12, 31),
            )
            task_flow.assign_task(
                directive,
                inspector,
                lead_org=world.district_office,
                coordinating=[world.district_culture],
                due_on=date(2023, 12, 31),
                now=at(VISIT_DAY),
            )
        db.session.commit()
        return visit

    return factory
