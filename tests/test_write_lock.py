"""SQLite's one write lock: a post whose slow part reads (an article to parse, a document to render)
does not wait for another writer, so it never makes one wait either; its writes take the lock after."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from models import db

HELD_FOR = 3.0


@contextmanager
def someone_writing() -> Iterator[None]:
    """Another process's write transaction, open for HELD_FOR seconds."""
    db.session.commit()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    timer = threading.Timer(HELD_FOR, other.execute, ("COMMIT",))
    timer.start()
    try:
        yield
    finally:
        timer.join()
        other.close()


@pytest.fixture
def sqlite_only(app):
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")


# SQLite's single writer: on PostgreSQL (the other leg of CI) these do not apply and skip.
@pytest.mark.slow  # another process or a deliberate wait
@pytest.mark.may_skip
def test_reading_an_article_does_not_wait_for_another_writer(sqlite_only, login_as, world):
    from tests.intake.conftest import ARTICLE

    client = login_as(world.inspector)
    with someone_writing():
        began = time.monotonic()
        page = client.post("/nhap-bai/", data={"text": ARTICLE})
        taken = time.monotonic() - began
    assert page.status_code == 200
    assert "Ban Tuyên giáo Tỉnh ủy kiểm tra công tác tuyên giáo tại huyện Bù Đốp" in page.get_data(
        as_text=True
    )
    assert taken < HELD_FOR - 1


@pytest.mark.slow  # another process or a deliberate wait
@pytest.mark.may_skip
def test_a_plain_save_waits_for_the_lock_and_succeeds(sqlite_only, login_as, world):
    client = login_as(world.office)
    with someone_writing():
        began = time.monotonic()
        answer = client.post("/language", data={"locale": "en", "next": "/"})
        taken = time.monotonic() - began
    assert answer.status_code == 302
    assert taken >= HELD_FOR - 0.5  # it waited its turn instead of failing
    db.session.rollback()
    db.session.refresh(world.office)
    assert world.office.locale == "en"
