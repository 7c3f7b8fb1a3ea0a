"""Evidence files are checked by size, extension and content, and stored only with their record."""

from __future__ import annotations

import hashlib
import io
import zipfile
from dataclasses import dataclass
from typing import IO

import pytest
from sqlalchemy import func, select, update

from models import Attachment, Task, db
from tests.board.conftest import (
    VIETNAMESE_NAME,
    docx_bytes,
    exe_bytes,
    macro_docx_bytes,
    pdf_bytes,
    png_bytes,
    xlsx_bytes,
    zip_bomb_bytes,
)
from workflows import attachments
from workflows import tasks as task_flow
from workflows.errors import ValidationFailed

MB = 1024 * 1024


@dataclass
class FakeUpload:
    filename: str | None
    stream: IO[bytes]


def upload(content: bytes, name: str) -> FakeUpload:
    return FakeUpload(filename=name, stream=io.BytesIO(content))


def check(content: bytes, name: str, max_bytes: int = 20 * MB) -> attachments.CheckedFile:
    return attachments.check_upload(upload(content, name), max_bytes=max_bytes)


@pytest.mark.parametrize("extension", ["pdf", "png", "jpg", "docx", "xlsx", "odt"])
def test_every_accepted_type_passes_with_its_real_content(sample, extension):
    content = sample[extension]()
    checked = check(content, f"Minh chứng.{extension}")
    assert checked.size == len(content)
    assert checked.sha256 == hashlib.sha256(content).hexdigest()
    assert checked.kind.extension == extension


def test_a_jpeg_extension_is_accepted_as_jpg(sample):
    assert check(sample["jpg"](), "Ảnh hội nghị.JPEG").kind.content_type == "image/jpeg"


def test_the_content_type_is_ours_not_the_browsers():
    assert check(docx_bytes(), "a.docx").kind.content_type.endswith("wordprocessingml.document")


@pytest.mark.parametrize(
    "name", ["chương trình.exe", "ghi chú.txt", "hồ sơ.zip", "không đuôi", ".pdf", "x.html"]
)
def test_a_type_outside_the_allow_list_is_refused_by_name(name):
    with pytest.raises(ValidationFailed, match="không thuộc loại được nhận"):
        check(pdf_bytes(), name)


@pytest.mark.parametrize(
    ("content", "name"),
    [
        (exe_bytes(), "báo cáo.pdf"),  # a program renamed .pdf
        (png_bytes(), "biên bản.docx"),  # a picture renamed .docx
        (docx_bytes(), "báo cáo.pdf"),  # a Word file renamed .pdf
        (pdf_bytes(), "ảnh.png"),
        (pdf_bytes(), "ảnh.jpg"),
        (xlsx_bytes(), "biên bản.docx"),  # the right family, the wrong document
        (docx_bytes(), "số liệu.xlsx"),
        (docx_bytes(), "văn bản.odt"),
        (macro_docx_bytes(), "biên bản.docx"),  # a macro-enabled .docm renamed .docx
        (b"<html><script>alert(1)</script></html>", "trang.pdf"),
        (macro_docx_bytes(extra_override=True), "biên bản.docx"),  # .docm declaring a docx part too
        (b"%PDF-1.7\n<html><body><script>alert(1)</script></body></html>", "báo cáo.pdf"),  # polyglot
    ],
)
def test_a_renamed_file_is_refused_by_its_content(content, name):
    with pytest.raises(ValidationFailed, match="không phải là tệp"):
        check(content, name)


def test_a_plain_zip_renamed_docx_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("readme.txt", "xin chào")
    with pytest.raises(ValidationFailed, match="không phải là tệp DOCX"):
        check(buffer.getvalue(), "hồ sơ.docx")


def test_a_damaged_zip_is_refused():
    with pytest.raises(ValidationFailed, match="không phải là tệp"):
        check(docx_bytes()[:300], "hỏng.docx")


@pytest.mark.parametrize("kind", ["ratio", "entries", "claim"])
def test_a_zip_bomb_is_refused_before_it_is_unpacked(kind):
    with pytest.raises(ValidationFailed, match="cấu trúc nén bất thường"):
        check(zip_bomb_bytes(kind), "Biên bản.docx")


def test_a_file_over_the_limit_is_refused_with_the_limit_in_the_message():
    with pytest.raises(ValidationFailed, match="lớn hơn 1 MB"):
        check(pdf_bytes() + b"0" * MB, "lớn.pdf", max_bytes=MB)


def test_a_file_exactly_at_the_limit_is_accepted():
    content = pdf_bytes()
    assert check(content + b" " * (MB - len(content)), "vừa.pdf", max_bytes=MB).size == MB


def test_an_empty_file_is_refused():
    with pytest.raises(ValidationFailed, match="không có nội dung"):
        check(b"", "trống.pdf")


def test_empty_file_fields_are_skipped_and_too_many_files_refused():
    assert attachments.check_uploads([FakeUpload("", io.BytesIO())], max_bytes=MB) == []
    many = [upload(pdf_bytes(), f"tệp {i}.pdf") for i in range(attachments.MAX_FILES_PER_SAVE + 1)]
    with pytest.raises(ValidationFailed, match="tối đa 10 tệp"):
        attachments.check_uploads(many, max_bytes=MB)


def test_the_name_keeps_its_vietnamese_letters_and_loses_any_folder():
    assert attachments.clean_name("C:\\Users\\Lan\\" + VIETNAMESE_NAME) == VIETNAMESE_NAME
    decomposed = "Ba\u0301o ca\u0301o.pdf"
    assert attachments.clean_name(decomposed) == "Báo cáo.pdf"
    assert attachments.clean_name("bad\x00name\n.pdf") == "badname.pdf"
    long = attachments.clean_name("ă" * 300 + ".docx")
    assert len(long) == 255 and long.endswith(".docx")


def _progress_event(task: Task, world):
    return task_flow.record_progress(task, world.office, note="Đã tổ chức hội nghị.", progress=50)


def test_a_stored_file_is_kept_under_a_generated_name_once_committed(create_task, world, upload_folder):
    task = create_task()
    event = _progress_event(task, world)
    checked = check(pdf_bytes(), VIETNAMESE_NAME)
    (attachment,) = attachments.attach_files(task, event, world.office, [checked], folder=upload_folder)
    db.session.commit()
    path = attachments.stored_path(upload_folder, attachment)
    assert path.read_bytes() == pdf_bytes()
    assert attachment.original_name == VIETNAMESE_NAME
    assert attachment.stored_name != VIETNAMESE_NAME and attachment.stored_name.endswith(".pdf")
    assert attachment.sha256 == hashlib.sha256(pdf_bytes()).hexdigest()
    assert [p.name for p in upload_folder.iterdir()] == [attachment.stored_name]


def test_a_file_is_removed_again_when_the_transaction_rolls_back(create_task, world, upload_folder):
    task = create_task()
    db.session.commit()
    event = _progress_event(task, world)
    attachments.attach_files(task, event, world.office, [check(pdf_bytes(), "a.pdf")], folder=upload_folder)
    assert len(list(upload_folder.iterdir())) == 1
    db.session.rollback()
    assert list(upload_folder.iterdir()) == []
    assert db.session.scalar(select(func.count(Attachment.id))) == 0


def test_a_file_is_removed_when_the_commit_itself_fails(create_task, world, upload_folder):
    task = create_task()
    db.session.commit()
    # Someone else saves the task after it was loaded: the version column will refuse the flush.
    db.session.execute(
        update(Task).where(Task.id == task.id).values(version=Task.version + 1),
        execution_options={"synchronize_session": False},
    )
    event = _progress_event(task, world)
    attachments.attach_files(task, event, world.office, [check(pdf_bytes(), "a.pdf")], folder=upload_folder)
    with pytest.raises(Exception, match=r"(?i)stale|expected to update"):
        db.session.commit()
    db.session.rollback()
    assert list(upload_folder.iterdir()) == []


def test_someone_outside_the_task_cannot_attach_files(create_task, world, upload_folder):
    task = create_task()
    event = _progress_event(task, world)
    with pytest.raises(Exception, match="Không tìm thấy"):
        attachments.attach_files(
            task, event, world.other_office_user, [check(pdf_bytes(), "a.pdf")], folder=upload_folder
        )
    assert not upload_folder.exists() or list(upload_folder.iterdir()) == []


def test_a_generated_name_already_taken_is_never_overwritten(create_task, world, upload_folder, monkeypatch):
    task = create_task()
    event = _progress_event(task, world)
    upload_folder.mkdir()
    (upload_folder / ("a" * 32 + ".pdf")).write_bytes(b"evidence of another save")
    names = iter(["a" * 32, "b" * 32])
    monkeypatch.setattr(attachments.secrets, "token_hex", lambda _n: next(names))
    (attachment,) = attachments.attach_files(
        task, event, world.office, [check(pdf_bytes(), "mới.pdf")], folder=upload_folder
    )
    assert attachment.stored_name == "b" * 32 + ".pdf"
    assert (upload_folder / ("a" * 32 + ".pdf")).read_bytes() == b"evidence of another save"
    assert sorted(p.name for p in upload_folder.iterdir()) == ["a" * 32 + ".pdf", "b" * 32 + ".pdf"]


def test_prune_uploads_removes_only_old_files_no_record_names(
    app, runner, create_task, world, upload_folder, monkeypatch
):
    import os
    import time

    task = create_task()
    event = _progress_event(task, world)
    (kept,) = attachments.attach_files(
        task, event, world.office, [check(pdf_bytes(), "a.pdf")], folder=upload_folder
    )
    db.session.commit()
    orphan = upload_folder / "0123456789abcdef0123456789abcdef.pdf"
    orphan.write_bytes(pdf_bytes())
    half_written = upload_folder / ".upload-crashed"
    half_written.write_bytes(b"%PDF-1.4 trunc")
    fresh = upload_folder / "fedcba9876543210fedcba9876543210.png"
    fresh.write_bytes(png_bytes())
    day_ago = time.time() - 2 * 86400
    for path in (orphan, half_written, upload_folder / kept.stored_name):
        os.utime(path, (day_ago, day_ago))

    listed = runner.invoke(args=["prune-uploads", "--dry-run"])
    assert listed.exit_code == 0, listed.output
    assert "sẽ xóa: 0123456789abcdef0123456789abcdef.pdf" in listed.output
    assert orphan.exists()

    pruned = runner.invoke(args=["prune-uploads"])
    assert pruned.exit_code == 0, pruned.output
    assert "2 tệp không thuộc hồ sơ nào" in pruned.output
    assert sorted(p.name for p in upload_folder.iterdir()) == sorted([kept.stored_name, fresh.name])
