"""In the browser: the document buttons on the visit dossier and the documents page download files."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from models import IssuedDocument, db
from tests.conftest import PASSWORD
from tests.documents.conftest import open_docx, tables

pytestmark = pytest.mark.slow  # a browser, and LibreOffice when issuing

# A summary with its chart takes seconds on a busy machine; a download may take that long.
DOWNLOAD_MS = 60_000


def _sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_an_inspector_downloads_the_draft_report_and_issues_the_conclusion_from_the_dossier(
    page, live_server, demo, tmp_path
):
    visit_id = demo["visit"].id
    db.session.commit()  # end this thread's transaction: on SQLite it would hold the write lock
    _sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/visits/{visit_id}")
    with page.expect_download(timeout=DOWNLOAD_MS) as draft:
        page.click("#doc-report-docx", timeout=DOWNLOAD_MS)
    assert draft.value.suggested_filename.startswith("Báo cáo kết quả kiểm tra (dự thảo) - Huyện ủy Bù Đốp")
    path = tmp_path / "draft.docx"
    draft.value.save_as(path)
    assert tables(open_docx(path.read_bytes()))[0][1][0].endswith("-BC/BTGTU")

    page.click("#doc-issue-menu")
    page.fill("#doc-thong-bao-ket-luan-day", "20/06/2023")
    page.fill("#doc-thong-bao-ket-luan-due", "20/07/2023")
    page.fill("#doc-thong-bao-ket-luan-reason", "Vào sổ văn bản đã ban hành năm 2023")
    page.screenshot(path="/tmp/documents-visit-dossier.png", full_page=True)  # noqa: S108 - for people to look at
    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_download(timeout=DOWNLOAD_MS) as issued:
        page.click("#doc-issue-thong-bao-ket-luan button[type=submit]", timeout=DOWNLOAD_MS)
    assert issued.value.suggested_filename == (
        "Thông báo kết luận kiểm tra 01-TB-BTGTU - Huyện ủy Bù Đốp - 20-06-2023.docx"
    )
    assert [d.symbol for d in db.session.scalars(select(IssuedDocument))] == ["01-TB/BTGTU"]
    db.session.commit()
    page.reload()
    assert "01-TB/BTGTU" in page.inner_text("#doc-issued")
    page.goto(f"{live_server}/van-ban/so-van-ban")
    register = page.inner_text("#register")
    assert "01-TB/BTGTU" in register and "Word" in register and "PDF" in register
    page.screenshot(path="/tmp/documents-register.png", full_page=True)  # noqa: S108 - for people to look at


def test_a_leader_finds_the_summary_and_the_follow_up_letters_on_the_documents_page(page, live_server, demo):
    db.session.commit()
    _sign_in(page, live_server, "leader")
    page.click("a.nav-link[href='/van-ban/']")
    page.wait_for_url(f"{live_server}/van-ban/")
    assert "Đảng ủy xã Thiện Hưng" in page.inner_text("#followup")
    page.screenshot(path="/tmp/documents-index.png", full_page=True)  # noqa: S108 - for people to look at
    page.fill("#tu", "01/01/2023")
    page.click("#summary-choice button[type=submit]")
    page.wait_for_url("**tu=01%2F01%2F2023**")
    assert "Tỉnh ủy Bình Phước, từ 01/01/2023 đến" in page.inner_text("#summary-actions")
    with page.expect_download(timeout=DOWNLOAD_MS) as summary:
        page.click("#summary-docx", timeout=DOWNLOAD_MS)
    assert summary.value.suggested_filename.startswith("Báo cáo tổng hợp (dự thảo) - Tỉnh ủy Bình Phước")
