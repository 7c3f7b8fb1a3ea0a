"""Two people saving the same task: one wins, the other is told and keeps everything typed."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select

from models import Task, TaskEvent, db
from tests.board.conftest import pdf_bytes, post_files


def version_on(page: str, prefix: str) -> str:
    match = re.search(rf'name="{prefix}-version" type="hidden" value="(\d+)"', page) or re.search(
        rf'name="{prefix}-version" value="(\d+)"', page
    )
    assert match, prefix
    return match.group(1)


def post_as_seen(client, task_id, prefix, version, files=(), **fields):
    """Post a form with the version the user's page showed (not the database's)."""
    seen = type("Seen", (), {"id": task_id, "version": version})()
    return post_files(client, f"/tasks/{task_id}/{prefix}", prefix, seen, list(files), **fields)


def notes() -> list[str]:
    db.session.expire_all()
    return [n for n in db.session.scalars(select(TaskEvent.note)) if n]


def test_the_second_of_two_saves_is_refused_and_keeps_its_text(client_for, world, office2, create_task):
    task = create_task()
    db.session.commit()
    first, second = client_for(world.office), client_for(office2)
    seen_by_first = version_on(first.get(f"/tasks/{task.id}").get_data(as_text=True), "progress")
    seen_by_second = version_on(second.get(f"/tasks/{task.id}").get_data(as_text=True), "progress")
    assert seen_by_first == seen_by_second

    won = post_as_seen(first, task.id, "progress", seen_by_first, note="Đã họp chi bộ.", progress="50")
    assert won.status_code == 302

    lost = post_as_seen(
        second,
        task.id,
        "progress",
        seen_by_second,
        files=[(pdf_bytes(), "Biên bản.pdf")],
        note="Ý kiến của người thứ hai\nvới hai dòng.",
        progress="60",
    )
    assert lost.status_code == 409
    page = lost.get_data(as_text=True)
    assert "vừa được người khác cập nhật" in page
    assert "Tệp đính kèm (nếu có) cần chọn lại." in page
    assert "Ý kiến của người thứ hai\nvới hai dòng.</textarea>" in page  # the text is given back
    assert re.search(r'<input[^>]*name="progress-progress"[^>]*value="60"', page)
    assert "Đã họp chi bộ." in page  # the history shows what the other person saved

    db.session.expire_all()
    saved = db.session.get(Task, task.id)
    assert saved.progress == 50
    assert notes() == ["Đã họp chi bộ."]
    assert saved.attachments == []

    # The page now carries the current version: saving again after reading works.
    again = post_as_seen(
        second, task.id, "progress", version_on(page, "progress"), note="Ý kiến bổ sung.", progress="60"
    )
    assert again.status_code == 302
    db.session.expire_all()
    assert db.session.get(Task, task.id).progress == 60


def test_a_stale_report_is_refused_after_someone_else_recorded_progress(
    client_for, world, office2, create_task
):
    task = create_task()
    db.session.commit()
    first, second = client_for(world.office), client_for(office2)
    seen = version_on(second.get(f"/tasks/{task.id}").get_data(as_text=True), "report")
    assert (
        post_as_seen(first, task.id, "progress", seen, note="Tiến độ mới.", progress="70").status_code == 302
    )
    lost = post_as_seen(second, task.id, "report", seen, note="Báo cáo hoàn thành của người thứ hai.")
    assert lost.status_code == 409
    assert "Báo cáo hoàn thành của người thứ hai.</textarea>" in lost.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, task.id).status.value == "in_progress"


def test_a_stale_extension_request_keeps_the_date_and_the_reason(client_for, world, office2, create_task):
    task = create_task(due_on=date(2023, 12, 31))
    db.session.commit()
    first, second = client_for(world.office), client_for(office2)
    seen = version_on(second.get(f"/tasks/{task.id}").get_data(as_text=True), "extension")
    assert post_as_seen(first, task.id, "progress", seen, note="Đã làm.", progress="10").status_code == 302
    lost = post_as_seen(
        second, task.id, "extension", seen, new_due_on="31/03/2024", reason="Chờ kinh phí năm sau."
    )
    assert lost.status_code == 409
    page = lost.get_data(as_text=True)
    assert 'value="31/03/2024"' in page
    assert "Chờ kinh phí năm sau.</textarea>" in page
    db.session.expire_all()
    assert db.session.get(Task, task.id).extensions == []


def test_a_form_without_a_version_is_refused_with_a_message(login_as, world, create_task):
    task = create_task()
    db.session.commit()
    response = login_as(world.office).post(
        f"/tasks/{task.id}/progress", data={"progress-note": "Ghi chú."}, content_type="multipart/form-data"
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Biểu mẫu đã cũ; hãy tải lại trang nhiệm vụ." in page
    assert "Ghi chú.</textarea>" in page
