"""Evidence files through the task page: upload, refusal of bad files, download by users in scope."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import unquote

import pytest
from sqlalchemy import func, select

from models import Attachment, Task, TaskEvent, db
from tests.board.conftest import (
    VIETNAMESE_NAME,
    docx_bytes,
    exe_bytes,
    pdf_bytes,
    png_bytes,
    post_files,
    zip_bomb_bytes,
)
from workflows import tasks as task_flow


def attachment_count() -> int:
    return db.session.scalar(select(func.count(Attachment.id)))


def event_count() -> int:
    return db.session.scalar(select(func.count(TaskEvent.id)))


def download_name(response) -> str:
    match = re.search(r"filename\*=UTF-8''([^;]+)", response.headers["Content-Disposition"])
    assert match, response.headers["Content-Disposition"]
    return unquote(match.group(1))


@pytest.fixture
def task(create_task, world):
    created = create_task(coordinating=[world.district_culture])
    db.session.commit()
    return created


def report_with(client, task, files, note="Đã hoàn thành, gửi kèm báo cáo."):
    return post_files(client, f"/tasks/{task.id}/report", "report", task, files=files, note=note)


def test_a_vietnamese_file_name_comes_back_exactly(login_as, client_for, world, task, upload_folder):
    response = report_with(login_as(world.office), task, [(pdf_bytes(), VIETNAMESE_NAME)])
    assert response.status_code == 302
    attachment = db.session.scalars(select(Attachment)).one()
    assert attachment.original_name == VIETNAMESE_NAME
    for reader in (world.office, world.coordinator, world.inspector, world.leader):
        with client_for(reader).get(f"/tasks/{task.id}/files/{attachment.id}") as download:
            assert download.status_code == 200, reader.username
            assert download_name(download) == "Báo cáo đợt 1 – Đồng Phú.pdf"
            assert download.headers["Content-Disposition"].startswith("attachment;")
            assert download.mimetype == "application/pdf"
            assert download.headers["X-Content-Type-Options"] == "nosniff"
            assert download.data == pdf_bytes()


def test_files_are_stored_outside_the_static_folder_under_generated_names(
    app, login_as, world, task, upload_folder
):
    report_with(login_as(world.office), task, [(pdf_bytes(), VIETNAMESE_NAME), (png_bytes(), "Ảnh.png")])
    stored = sorted(p.name for p in upload_folder.iterdir())
    rows = db.session.scalars(select(Attachment).order_by(Attachment.id)).all()
    assert sorted(a.stored_name for a in rows) == stored
    assert all("Báo" not in name and "Ảnh" not in name for name in stored)
    assert not upload_folder.resolve().is_relative_to(Path(app.static_folder).resolve())
    assert [a.content_type for a in rows] == ["application/pdf", "image/png"]
    assert all(len(a.sha256) == 64 for a in rows)


def test_the_default_upload_folder_is_in_the_instance_folder(database_url, tmp_path):
    from app import create_app

    fresh = create_app(
        {"TESTING": True, "SECRET_KEY": "x", "DATABASE_URL": database_url, "INSTANCE_PATH": str(tmp_path)}
    )
    assert fresh.config["UPLOAD_DIR"] == str(tmp_path / "uploads")


def test_the_page_lists_the_files_of_each_history_entry(login_as, world, task):
    client = login_as(world.office)
    report_with(client, task, [(docx_bytes(), "Biên bản hội nghị.docx")])
    page = client.get(f"/tasks/{task.id}").get_data(as_text=True)
    assert re.search(r'class="attachment" href="/tasks/\d+/files/\d+">Biên bản hội nghị.docx</a>', page)


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (exe_bytes(), "báo cáo.pdf", "không phải là tệp PDF"),
        (png_bytes(), "biên bản.docx", "không phải là tệp DOCX"),
        (pdf_bytes(), "chương trình.exe", "không thuộc loại được nhận"),
        (zip_bomb_bytes("ratio"), "biên bản.docx", "cấu trúc nén bất thường"),
        (zip_bomb_bytes("entries"), "biên bản.docx", "cấu trúc nén bất thường"),
    ],
)
def test_a_bad_file_saves_nothing_and_keeps_the_text(
    login_as, world, task, upload_folder, content, name, message
):
    events = event_count()
    response = report_with(
        login_as(world.office), task, [(pdf_bytes(), "tốt.pdf"), (content, name)], note="Nội dung đã gõ."
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert message in page
    assert "Nội dung đã gõ." in page
    assert attachment_count() == 0
    assert event_count() == events
    assert db.session.get(Task, task.id).status.value == "assigned"
    assert not upload_folder.exists() or list(upload_folder.iterdir()) == []


def test_an_oversize_file_is_refused_with_the_configured_limit(
    app, login_as, world, task, upload_folder, monkeypatch
):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    big = pdf_bytes() + b"0" * (1024 * 1024)
    response = post_files(
        login_as(world.office),
        f"/tasks/{task.id}/progress",
        "progress",
        task,
        files=[(big, "Ảnh chụp hội nghị.pdf")],
        note="Ghi chú dài.",
        progress="40",
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "lớn hơn 1 MB cho phép" in page
    assert "Ghi chú dài." in page and 'value="40"' in page
    assert attachment_count() == 0
    assert not upload_folder.exists() or list(upload_folder.iterdir()) == []


def test_a_request_far_over_the_limit_is_refused_before_it_is_read(app, login_as, world, task, monkeypatch):
    monkeypatch.setitem(app.config, "UPLOAD_MAX_MB", 1)
    huge = b"%PDF-" + b"0" * (12 * 1024 * 1024)  # more than 10 files of 1 MB
    response = report_with(login_as(world.office), task, [(huge, "quá lớn.pdf")])
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "Tệp gửi lên quá lớn" in page
    assert f"/tasks/{task.id}" in page
    assert attachment_count() == 0


def test_a_concurrent_save_caught_by_the_version_column_saves_nothing(
    login_as, world, task, upload_folder, monkeypatch
):
    from sqlalchemy import update

    from app.board import views

    real = views.task_flow.report_task_done

    def someone_else_saves_first(task, actor, **kwargs):
        # Another request commits between this one's version check and its flush.
        db.session.execute(
            update(Task).where(Task.id == task.id).values(version=Task.version + 1),
            execution_options={"synchronize_session": False},
        )
        return real(task, actor, **kwargs)

    monkeypatch.setattr(views.task_flow, "report_task_done", someone_else_saves_first)
    response = report_with(login_as(world.office), task, [(pdf_bytes(), VIETNAMESE_NAME)], note="Báo cáo A.")
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "vừa được người khác cập nhật" in page
    assert "Báo cáo A." in page
    assert not upload_folder.exists() or list(upload_folder.iterdir()) == []
    assert attachment_count() == 0


def test_a_written_file_is_removed_again_when_the_commit_fails(
    login_as, world, task, upload_folder, monkeypatch
):
    from sqlalchemy.exc import IntegrityError

    from app.board import views

    real = views.attachments.attach_files

    def attach_then_break_the_transaction(*args, **kwargs):
        stored = real(*args, **kwargs)
        assert len(list(upload_folder.iterdir())) == 1  # written, not yet committed
        twin = Attachment(
            task_id=task.id,
            original_name="trùng.pdf",
            stored_name=stored[0].stored_name,  # unique: the commit fails
            size=1,
            content_type="application/pdf",
            sha256="0" * 64,
        )
        db.session.add(twin)
        return stored

    monkeypatch.setattr(views.attachments, "attach_files", attach_then_break_the_transaction)
    with pytest.raises(IntegrityError):
        report_with(login_as(world.office), task, [(pdf_bytes(), VIETNAMESE_NAME)])
    db.session.rollback()
    assert list(upload_folder.iterdir()) == []
    assert attachment_count() == 0


def test_a_coordinating_unit_attaches_files_to_its_note(login_as, world, task):
    response = post_files(
        login_as(world.coordinator),
        f"/tasks/{task.id}/progress",
        "progress",
        task,
        files=[(png_bytes(), "Ảnh pano tuyên truyền.png")],
        note="Đã treo pano.",
    )
    assert response.status_code == 302
    (attachment,) = db.session.scalars(select(Attachment)).all()
    assert attachment.uploaded_by_id == world.coordinator.id
    assert attachment.event.note == "Đã treo pano."


@pytest.mark.parametrize("reader", ["other_office_user", "other_inspector"])
def test_someone_outside_the_task_gets_404_for_its_file(login_as, client_for, world, task, reader):
    report_with(login_as(world.office), task, [(pdf_bytes(), VIETNAMESE_NAME)])
    attachment = db.session.scalars(select(Attachment)).one()
    response = client_for(getattr(world, reader)).get(f"/tasks/{task.id}/files/{attachment.id}")
    assert response.status_code == 404
    assert b"%PDF" not in response.data


def test_a_file_asked_for_under_another_task_is_not_found(login_as, world, task, create_task):
    other = create_task()
    db.session.commit()
    client = login_as(world.office)
    report_with(client, task, [(pdf_bytes(), "a.pdf")])
    attachment = db.session.scalars(select(Attachment)).one()
    assert client.get(f"/tasks/{other.id}/files/{attachment.id}").status_code == 404
    assert client.get(f"/tasks/{task.id}/files/999999").status_code == 404


def test_an_anonymous_visitor_is_sent_to_sign_in_for_a_file(client, login_as, world, task, app):
    report_with(login_as(world.office), task, [(pdf_bytes(), "a.pdf")])
    attachment = db.session.scalars(select(Attachment)).one()
    anonymous = app.test_client()
    response = anonymous.get(f"/tasks/{task.id}/files/{attachment.id}")
    assert response.status_code == 302
    assert "/login" in response.headers["Location"]


def test_a_file_missing_on_disk_answers_404_not_a_crash(login_as, world, task, upload_folder):
    client = login_as(world.office)
    report_with(client, task, [(pdf_bytes(), "a.pdf")])
    attachment = db.session.scalars(select(Attachment)).one()
    (upload_folder / attachment.stored_name).unlink()
    assert client.get(f"/tasks/{task.id}/files/{attachment.id}").status_code == 404


def test_files_of_a_rejected_workflow_step_are_never_written(login_as, world, task, upload_folder):
    task_flow.report_task_done(task, world.office, note="Đã xong.")
    db.session.commit()
    response = post_files(
        login_as(world.office),
        f"/tasks/{task.id}/progress",
        "progress",
        db.session.get(Task, task.id),
        files=[(io.BytesIO(pdf_bytes()).getvalue(), "muộn.pdf")],
        note="Ghi thêm.",
    )
    assert response.status_code == 409
    assert "không thể ghi tiến độ" in response.get_data(as_text=True)
    assert not upload_folder.exists() or list(upload_folder.iterdir()) == []
