"""Fixtures of the news tests: the demo's seed visit, a visit of the test world, posts and photos."""

from __future__ import annotations

import base64
import struct
import zlib
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from models import NewsPost, Person, User, Visit, db
from models.enums import DayPart, DelegationRole, FindingKind
from tests.conftest import PASSWORD_HASH, VISIT_DAY, World, at
from workflows import news as news_flow
from workflows import visits as visit_flow
from workflows.demo import SEED_REFERENCE, load_demo

# A day on which every demo organisation exists (communes were created on 01/7/2025).
DEMO_TODAY = date(2025, 9, 1)

# A real 2×2 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAEElEQVR4nGP4z8AARAwQCgAf7gP9i18U1AAAAABJRU5ErkJggg=="
)


def png(width: int, height: int) -> bytes:
    """A PNG of the given size in two colours, for photos a person can see in screenshots."""
    rows = b"".join(
        b"\0"
        + b"".join(b"\x8b\x1a\x1a" if (x // 40 + y // 40) % 2 else b"\xf2\xe6\xd8" for x in range(width))
        for y in range(height)
    )

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


INTERNAL_LIMITATION = "Hồ sơ nội bộ: việc lưu trữ tài liệu mật còn sơ hở."
PUBLIC_LIMITATION = "Việc cập nhật trang thông tin điện tử của huyện còn chậm."


@pytest.fixture
def seed_visit(monkeypatch: pytest.MonkeyPatch) -> Visit:
    """The demo's visit of 14/06/2023 to Bù Đốp, committed."""
    # argon2 is slow by design; the demo's accounts are not what these tests look at.
    monkeypatch.setattr(
        User, "set_password", lambda user, _password: setattr(user, "password_hash", PASSWORD_HASH)
    )
    load_demo(DEMO_TODAY)
    db.session.commit()
    return db.session.scalar(select(Visit).where(Visit.reference == SEED_REFERENCE))


@pytest.fixture
def held_visit(world: World, create_visit: Callable[..., Visit]) -> Visit:
    """A visit of the board to the district that took place, with both sides, findings and requests."""
    visit = create_visit(
        day_part=DayPart.MORNING, summary="Đoàn nghe báo cáo và trao đổi với lãnh đạo huyện."
    )
    member = Person(
        full_name="Phan Duy Khiêm", position="Trưởng phòng Thông tin - Khoa giáo", organization=world.board
    )
    db.session.add(member)
    visit_flow.add_delegation_member(visit, world.inspector, person=member, role=DelegationRole.MEMBER)
    visit_flow.add_delegation_member(
        visit, world.inspector, person=world.host, role=DelegationRole.HOST_CHAIR
    )
    for kind, text, public in [
        (FindingKind.ACHIEVEMENT, "Tổ chức 04 hội nghị quán triệt nghị quyết.", True),
        (FindingKind.LIMITATION, PUBLIC_LIMITATION, True),
        (FindingKind.LIMITATION, INTERNAL_LIMITATION, False),
    ]:
        visit_flow.add_finding(visit, world.inspector, kind=kind, text=text, is_public=public)
    visit_flow.issue_directive(visit, world.inspector, body="Quán triệt Quy định 85-QĐ/TW đến từng chi bộ.")
    visit_flow.issue_directive(visit, world.inspector, body="Báo cáo kết quả trước ngày 15/12/2023.")
    visit_flow.mark_conducted(visit, world.inspector)
    db.session.commit()
    return visit


@pytest.fixture
def draft(world: World, held_visit: Visit) -> NewsPost:
    """A committed draft written from ``held_visit`` by the board's inspector."""
    post = news_flow.create_draft(held_visit, world.inspector)
    db.session.commit()
    return post


@pytest.fixture
def publish(world: World) -> Callable[..., NewsPost]:
    """Return a function that publishes a post as the leader, at a given day and hour, and commits."""

    def published(post: NewsPost, day: date = VISIT_DAY, hour: int = 20) -> NewsPost:
        news_flow.publish_post(post, world.leader, now=at(day, hour))
        db.session.commit()
        return post

    return published


@pytest.fixture
def image_dir(app: Flask, tmp_path: Path) -> Iterator[Path]:
    """Store uploaded photos in a folder of this test."""
    previous = app.config.get("NEWS_IMAGE_DIR")
    folder = tmp_path / "news-images"
    folder.mkdir()
    app.config["NEWS_IMAGE_DIR"] = str(folder)
    yield folder
    app.config["NEWS_IMAGE_DIR"] = previous


def text_of(response: Any) -> str:
    return response.get_data(as_text=True)
