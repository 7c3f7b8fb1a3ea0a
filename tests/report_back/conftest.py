"""Fixtures of the report-back tests: an office account of the inspected unit itself."""

from __future__ import annotations

import pytest

from models import User, db
from models.enums import Role
from tests.conftest import PASSWORD_HASH


@pytest.fixture
def unit_office(world) -> User:
    """An office account of the inspected district committee (its Office), who reports back."""
    user = User(
        username="vphu",
        role=Role.OFFICE,
        organization=world.district,
        display_name="Văn phòng Huyện ủy",
        email="vphu@example.test",
    )
    user.password_hash = PASSWORD_HASH
    db.session.add(user)
    db.session.commit()
    return user
