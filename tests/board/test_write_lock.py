"""SQLite's one write lock and the task page's saves: the page's records are read, the form checked and
evidence files hashed and sniffed before the write transaction; under the lock the task's version is
read again, so a save made in between is never overwritten."""

from __future__ import annotations

import sqlite3
import threading
import time
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from models import Task, TaskEvent, db
from tests.board.conftest import post_files
from tests.test_write_lock import HELD_FOR, someone_writing

# SQLite's single writer: on PostgreSQL (the other leg of CI) these do not apply and skip; they wait on
# purpose, so they are slow.
pytestmark = [pytest.mark.slow, pytest.mark.may_skip]


@pytest.fixture
def task(app, create_task, world):
    if db.engine.url.get_backend_name() != "sqlite":
        pytest.skip("SQLite's write lock")
    created = create_task(coordinating=[world.district_culture])
    db.session.commit()
    return created


def _notes(text: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.note == text))


def test_a_file_refused_for_its_content_does_not_wait_for_another_writer(
    login_as, world, task, upload_folder
):
    client = login_as(world.office)
    seen = SimpleNamespace(id=task.id, version=task.version)  # read now, not inside the other's lock
    with someone_writing():
        began = time.monotonic()
        answer = post_files(
            client,
            f"/tasks/{seen.id}/progress",
            "progress",
            seen,
            files=[(b"MZ\x90\x00 not a pdf", "bien-ban.pdf")],
            note="Kèm biên bản.",
        )
        taken = time.monotonic() - began
    assert answer.status_code == 400
    assert "không phải là tệp" in answer.get_data(as_text=True)
    assert taken < HELD_FOR - 1
    assert _notes("Kèm biên bản.") == 0


def test_a_save_made_while_a_note_waited_for_the_lock_is_not_overwritten(login_as, world, task):
    """Another process saves the task (its version moves on) while our note, read against the old
    version, waits for the write lock: the note is refused as stale instead of being recorded."""
    client = login_as(world.office)
    seen = SimpleNamespace(id=task.id, version=task.version)
    db.session.commit()
    other = sqlite3.connect(db.engine.url.database, isolation_level=None, check_same_thread=False)
    other.execute("BEGIN IMMEDIATE")
    other.execute("UPDATE task SET version = version + 1 WHERE id = ?", (seen.id,))
    timer = threading.Timer(HELD_FOR, other.execute, ("COMMIT",))
    timer.start()
    try:
        answer = post_files(client, f"/tasks/{seen.id}/progress", "progress", seen, note="Ghi chú cũ.")
    finally:
        timer.join()
        other.close()
    assert answer.status_code == 409
    page = answer.get_data(as_text=True)
    assert "vừa được người khác cập nhật" in page and "Ghi chú cũ." in page
    assert _notes("Ghi chú cũ.") == 0
    assert db.session.get(Task, seen.id).version == seen.version + 1
