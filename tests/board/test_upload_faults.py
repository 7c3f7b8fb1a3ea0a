"""The upload folder's faults: a note without a file never needs the folder; with a file, a folder that
cannot be written or a full disk gives a clear message and leaves nothing behind; a temporary file that
a killed process left is swept at the next upload, not a day later."""

from __future__ import annotations

import errno
import os
import time

import pytest
from sqlalchemy import func, select

from models import Attachment, TaskEvent, db
from tests.board.conftest import pdf_bytes, post_files
from workflows import attachments


@pytest.fixture
def task(create_task, world):
    created = create_task(coordinating=[world.district_culture])
    db.session.commit()
    return created


def _progress(client, task, files=(), note="Đã họp triển khai."):
    return post_files(client, f"/tasks/{task.id}/progress", "progress", task, files=list(files), note=note)


def _counts() -> tuple[int, int]:
    db.session.rollback()
    return (
        db.session.scalar(select(func.count(TaskEvent.id))),
        db.session.scalar(select(func.count(Attachment.id))),
    )


@pytest.fixture
def unwritable_folder(app, tmp_path, monkeypatch):
    """An upload folder that cannot be made (its parent is a file; the tests run as root, for whom
    permission bits do not stop a write)."""
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("")
    monkeypatch.setitem(app.config, "UPLOAD_DIR", str(blocker / "uploads"))


def test_a_note_without_a_file_is_saved_when_the_upload_folder_cannot_be_written(
    login_as, world, task, unwritable_folder
):
    events, files = _counts()
    answer = _progress(login_as(world.office), task, note="Ghi chú không kèm tệp.")
    assert answer.status_code == 302
    assert _counts()[0] > events and _counts()[1] == files
    assert (
        db.session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.note == "Ghi chú không kèm tệp."))
        == 1
    )


def test_a_note_with_a_file_gets_a_message_and_saves_nothing_when_the_folder_cannot_be_written(
    login_as, world, task, unwritable_folder
):
    client = login_as(world.office)
    before = _counts()
    answer = _progress(client, task, [(pdf_bytes(), "biên bản.pdf")], note="Nội dung đã gõ.")
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400
    assert "Máy chủ không ghi được vào thư mục lưu tệp nên chưa lưu được gì" in page
    assert "Nội dung đã gõ." in page
    assert _counts() == before


def test_a_full_disk_gives_its_message_and_leaves_no_file(login_as, world, task, upload_folder, monkeypatch):
    def disk_full(_descriptor):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(attachments.os, "fsync", disk_full)
    before = _counts()
    answer = _progress(login_as(world.office), task, [(pdf_bytes(), "a.pdf"), (pdf_bytes(), "b.pdf")])
    assert answer.status_code == 400
    assert "Máy chủ đã hết chỗ lưu tệp nên chưa lưu được gì" in answer.get_data(as_text=True)
    assert _counts() == before
    assert list(upload_folder.iterdir()) == []


def test_a_temporary_file_left_by_a_killed_upload_is_swept_by_the_next_upload(
    login_as, world, task, upload_folder
):
    upload_folder.mkdir(parents=True, exist_ok=True)
    left = upload_folder / f"{attachments.TEMPORARY_PREFIX}killed"
    left.write_bytes(b"half a file")
    an_hour_ago = time.time() - 3600
    os.utime(left, (an_hour_ago, an_hour_ago))
    writing = upload_folder / f"{attachments.TEMPORARY_PREFIX}in-progress"
    writing.write_bytes(b"another upload being written now")
    answer = _progress(login_as(world.office), task, [(pdf_bytes(), "a.pdf")])
    assert answer.status_code == 302
    assert not left.exists()
    assert writing.exists()
