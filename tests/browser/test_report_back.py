"""The report-back flow in a real browser: the inspector concludes with a deadline, the inspected
unit's office drafts its report, downloads it as Word and submits it, the inspector accepts it."""

from __future__ import annotations

from datetime import timedelta
from io import BytesIO
from pathlib import Path

import docx
import pytest

from models import Task, User, Visit, db
from models.enums import Role, TaskStatus
from tests.conftest import PASSWORD, PASSWORD_HASH
from workflows import report_back
from workflows.clock import local_today

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SCREENSHOTS = Path(__file__).resolve().parents[2] / "benchmarks" / "results" / "screenshots"


def _signed_in(browser, live_server, username):
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    tab.set_default_timeout(10_000)
    tab.on("dialog", lambda dialog: dialog.accept())  # the confirmations of concluding and sending
    tab.goto(f"{live_server}/login")
    tab.fill("input[name=username]", username)
    tab.fill("input[name=password]", PASSWORD)
    tab.click("button[type=submit]")
    tab.wait_for_url(f"{live_server}/")
    return context, tab


def test_conclude_draft_download_submit_and_accept(live_server, browser, world, full_visit, tmp_path):
    visit = full_visit(directives=2)
    office = User(
        username="vphu", role=Role.OFFICE, organization=world.district, display_name="Văn phòng Huyện ủy"
    )
    office.password_hash = PASSWORD_HASH
    db.session.add(office)
    db.session.commit()
    visit_id, first_id = visit.id, visit.directives[0].id
    due = local_today() + timedelta(days=20)
    db.session.rollback()  # end the test's read: the server's writes need the database (SQLite's lock)

    inspector_context, inspector = _signed_in(browser, live_server, "inspector")
    inspector.goto(f"{live_server}/visits/{visit_id}")
    inspector.fill("#report_due_on", due.strftime("%d/%m/%Y"))
    inspector.click("#conclude")
    inspector.wait_for_selector("#report-back")
    assert due.strftime("%d/%m/%Y") in inspector.locator("#report-back").inner_text()
    db.session.expire_all()
    task_id = report_back.task_of(db.session.get(Visit, visit_id)).id
    db.session.rollback()

    office_context, tab = _signed_in(browser, live_server, "vphu")
    tab.goto(f"{live_server}/tasks/{task_id}")
    tab.click("#open-report-back")
    tab.fill("#general", "Ban Thường vụ Huyện ủy đã quán triệt Thông báo kết luận.")
    tab.fill(f"#text-{first_id}", "Đã tổ chức hội nghị quán triệt tại 100% chi bộ.")
    tab.click("#save-draft")
    assert "Đã lưu bản nháp báo cáo." in tab.locator("body").inner_text()
    tab.reload()
    assert tab.input_value(f"#text-{first_id}") == "Đã tổ chức hội nghị quán triệt tại 100% chi bộ."
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    tab.screenshot(path=str(SCREENSHOTS / "report-back-draft.png"), full_page=True)

    with tab.expect_download() as download_info:
        tab.click("#download-report")
    download = download_info.value
    assert download.suggested_filename.endswith(".docx")
    saved = tmp_path / "report.docx"
    download.save_as(saved)
    words = "\n".join(p.text for p in docx.Document(BytesIO(saved.read_bytes())).paragraphs)
    assert "Kính gửi: Ban Tuyên giáo Tỉnh ủy" in words
    assert "Đã tổ chức hội nghị quán triệt tại 100% chi bộ." in words

    tab.goto(f"{live_server}/tasks/{task_id}/bao-cao-ket-qua")
    tab.click("#submit-report")
    tab.wait_for_url(f"{live_server}/tasks/{task_id}")
    assert "Đã gửi báo cáo; chờ cơ quan kiểm tra xác nhận." in tab.locator("body").inner_text()
    office_context.close()

    inspector.goto(f"{live_server}/tasks/{task_id}")
    assert "Đã tổ chức hội nghị quán triệt" in inspector.locator("#history").inner_text()
    inspector.click("#accept-button")
    assert "Đã xác nhận hoàn thành." in inspector.locator("body").inner_text()
    inspector_context.close()
    db.session.expire_all()
    assert db.session.get(Task, task_id).status is TaskStatus.DONE
