"""Fixtures of the workspace tests: a second province outside everyone's scope, a richer visit."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask

from app import create_app
from models import Organization, User, db
from models.enums import OrgKind, Role
from tests.conftest import PASSWORD_HASH, World


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
