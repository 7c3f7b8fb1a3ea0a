"""The verification queue shows each report's files beside accept/return: names, sizes, and a
preview of PDFs and photos, served inline only for those types and only to the site's own pages."""

from __future__ import annotations

import io
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import IO

import pytest

from models import db
from tests.board.conftest import docx_bytes, pdf_bytes, png_bytes
from tests.conftest import PASSWORD
from workflows import attachments
from workflows import tasks as task_flow

SHOTS = Path(tempfile.gettempdir())  # looked at by hand: verification-files.png


@dataclass
class Upload:
    filename: str
    stream: IO[bytes]


def checked(content: bytes, name: str) -> attachments.CheckedFile:
    return attachments.check_upload(Upload(name, io.BytesIO(content)), max_bytes=20 * 1024 * 1024)


def _reported_with_files(create_task, world, upload_folder):
    task = create_task()
    progress = task_flow.record_progress(task, world.office, note="Đã họp triển khai.", progress=50)
    attachments.attach_files(
        task,
        progress,
        world.office,
        [checked(docx_bytes(), "Kế hoạch.docx")],
        folder=upload_folder,
    )
    report = task_flow.report_task_done(task, world.office, note="Đã hoàn thành, gửi kèm biên bản.")
    attachments.attach_files(
        task,
        report,
        world.office,
        [
            checked(pdf_bytes(), "Biên bản hội nghị.pdf"),
            checked(png_bytes(), "Ảnh hội nghị.png"),
        ],
        folder=upload_folder,
    )
    db.session.commit()
    return task


def test_the_queue_lists_each_reports_files_with_sizes_and_previews(
    login_as, create_task, world, upload_folder
):
    task = _reported_with_files(create_task, world, upload_folder)
    page = login_as(world.inspector).get("/verification").get_data(as_text=True)
    card = page[page.index(f'id="report-{task.id}"') :]
    card = card[: card.index("</article>")]
    for name in ("Biên bản hội nghị.pdf", "Ảnh hội nghị.png", "Kế hoạch.docx"):
        assert name in card
    assert "Tệp minh chứng" in card and "gửi kèm báo cáo" in card
    assert card.count("<iframe") == 1  # the PDF
    assert card.count("<img") == 1  # the photo; a Word file has no preview, only its link
    assert card.index("Biên bản hội nghị.pdf") < card.index("Xác nhận hoàn thành")  # beside the decision


def test_a_preview_is_inline_for_pdfs_and_photos_and_a_download_for_the_rest(
    login_as, create_task, world, upload_folder
):
    task = _reported_with_files(create_task, world, upload_folder)
    client = login_as(world.inspector)
    queue = client.get("/verification")
    assert "frame-src 'self'" in queue.headers["Content-Security-Policy"]
    by_name = {a.original_name: a for a in task.attachments}
    pdf = client.get(f"/tasks/{task.id}/files/{by_name['Biên bản hội nghị.pdf'].id}?xem=1")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert pdf.headers["Content-Disposition"].startswith("inline")
    assert pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
    assert "frame-ancestors 'self'" in pdf.headers["Content-Security-Policy"]
    pdf.close()
    word = client.get(f"/tasks/{task.id}/files/{by_name['Kế hoạch.docx'].id}?xem=1")
    assert word.headers["Content-Disposition"].startswith("attachment")
    assert word.headers["X-Frame-Options"] == "DENY"
    word.close()
    # Someone who may not see the task sees no preview either.
    outsider = login_as(world.other_office_user)
    assert (
        outsider.get(f"/tasks/{task.id}/files/{by_name['Biên bản hội nghị.pdf'].id}?xem=1").status_code == 404
    )


@pytest.mark.slow
def test_the_inspector_sees_the_photo_and_the_pdf_in_the_queue(
    live_server, page, create_task, world, upload_folder
):
    task = _reported_with_files(create_task, world, upload_folder)
    task_id = task.id
    db.session.close()
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", "inspector")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")
    page.goto(f"{live_server}/verification")
    card = page.locator(f"#report-{task_id}")
    # The photo is loaded lazily, so the page's load event does not wait for it: wait for the image itself
    # (a broken one answers false at once).
    shown = """img => img.complete && img.naturalWidth > 0 ? true : new Promise(done => {
        img.addEventListener("load", () => done(img.naturalWidth > 0));
        img.addEventListener("error", () => done(false));
        if (img.complete) done(img.naturalWidth > 0);
    })"""
    assert card.locator("img").evaluate(shown)
    card.locator("details:has(iframe) summary").click()  # the PDF's preview opens on demand
    frame = card.locator("iframe")
    assert frame.is_visible()
    page.wait_for_timeout(500)
    page.screenshot(path=str(SHOTS / "verification-files.png"), full_page=True)
    assert card.locator("button", has_text="Xác nhận hoàn thành").is_visible()
