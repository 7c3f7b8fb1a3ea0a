"""In a real browser: an inspector imports a visit's directives from a sheet (preview with a warning,
then confirm) and back-fills a past visit (a bad sheet first, then the good one). Screenshots of the
preview pages go to /tmp/import-*.png for a person to look at."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from playwright.sync_api import expect

from models import db
from tests.board.test_browser import sign_in
from tests.workspace.test_directive_import import BODY, HEADER, sheet_bytes
from tests.workspace.test_history_import import ROWS, task_row

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots go to /tmp/import-*.png for a person to look at


def test_an_inspector_previews_and_confirms_both_imports(live_server, page, world, create_visit, tmp_path):
    visit = create_visit()
    visit_id = visit.id
    db.session.commit()
    directives = tmp_path / "yeu-cau.xlsx"
    directives.write_bytes(
        sheet_bytes(
            [
                HEADER,
                [
                    1,
                    BODY,
                    "85-QĐ/TW; 21-KL/TW",
                    "Hội nghị quán triệt",
                    "BTGHU-BUDOP",
                    "VHTT-BUDOP",
                    date(2099, 9, 30),
                ],
                [1, "", "", "Báo cáo kết quả", "HU-BUDOP", "", "15 ngày làm việc"],
                [2, "Rà soát, bổ sung quy chế làm việc của Ban Chấp hành.", "", "", "", "", ""],
            ]
        )
    )
    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/visits/{visit_id}")
    page.click("#directive-import")
    page.set_input_files("#file", str(directives))
    page.click("button[type=submit]:has-text('Xem trước')")
    expect(page.locator("#import-summary")).to_contain_text("Sẽ thêm 4")
    expect(page.locator("#import-warnings")).to_contain_text("Huyện ủy Bù Đốp chưa có tài khoản văn phòng")
    page.screenshot(path=str(SCREENSHOTS / "import-directives-preview.png"), full_page=True)
    page.click("button:has-text('Xác nhận và ghi')")
    expect(page.locator("#import-done")).to_contain_text("Đã ghi: thêm 4")

    bad = tmp_path / "lich-su-loi.xlsx"
    bad_rows = [*ROWS, task_row(3, "Việc lỗi", "31/02/2023", "20/06/2023", progress="150", body="Nội dung")]
    bad.write_bytes(sheet_bytes(bad_rows, title="Lịch sử"))
    page.goto(f"{live_server}/visits")
    page.click("#history-import")
    page.set_input_files("#file", str(bad))
    page.click("button[type=submit]:has-text('Xem trước')")
    expect(page.locator("#import-problems")).to_contain_text("Ngày «31/02/2023» không đọc được")
    page.screenshot(path=str(SCREENSHOTS / "import-history-errors.png"), full_page=True)
    good = tmp_path / "lich-su.xlsx"
    good.write_bytes(sheet_bytes(ROWS, title="Lịch sử"))
    page.click("a:has-text('Gửi tệp khác')")
    page.set_input_files("#file", str(good))
    page.click("button[type=submit]:has-text('Xem trước')")
    expect(page.locator("#import-summary")).to_contain_text("Sẽ thêm 4")
    page.screenshot(path=str(SCREENSHOTS / "import-history-preview.png"), full_page=True)
    page.click("button:has-text('Xác nhận và ghi')")
    expect(page.locator("#import-done")).to_contain_text("Đã ghi: thêm 4")
