"""In a real browser: an office reports a task done with an evidence file, the inspector returns it,
the office reports again, the inspector accepts, and the leader's dashboard counts it done on time.
Screenshots of the three pages with the demo data are taken and kept for a person to look at."""

from __future__ import annotations

import re
from datetime import timedelta
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from models import Attachment, Task, db
from models.enums import TaskStatus
from tests.board.conftest import VIETNAMESE_NAME, pdf_bytes
from tests.conftest import PASSWORD
from workflows.clock import local_today

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

SCREENSHOTS = Path("/tmp")  # noqa: S108 - screenshots go to /tmp/board-*.png for a person to look at


def sign_in(page, base: str, username: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("button[type=submit]")
    page.wait_for_url(re.compile(rf"^{re.escape(base)}/(\?.*)?$"))


def sign_out(page) -> None:
    page.click("form[action$='/logout'] button[type=submit]")
    page.wait_for_url(re.compile(r"/login"))


def test_a_report_goes_back_and_forth_and_ends_on_time_on_the_dashboard(
    live_server, page, world, create_task, tmp_path
):
    task = create_task(
        due_on=local_today() + timedelta(days=10), title="Tổ chức hội nghị quán triệt 85-QĐ/TW"
    )
    task_id = task.id
    db.session.commit()  # the server thread must see the data; the test touches the session no more
    evidence = tmp_path / VIETNAMESE_NAME
    evidence.write_bytes(pdf_bytes())

    sign_in(page, live_server, "office")
    page.click("nav >> text=Nhiệm vụ")
    page.click(f"a[href='/tasks/{task_id}']")
    page.fill("#report-note", "Đã tổ chức hội nghị cho 120 đảng viên.")
    page.set_input_files("#report-files", str(evidence))
    page.click("#report-form button[type=submit]")
    expect(page.locator(".alert-success[role=status]")).to_contain_text("Đã báo cáo hoàn thành")
    expect(page.locator("#history a.attachment")).to_have_text(VIETNAMESE_NAME)
    with page.expect_download() as download_info:
        page.click("#history a.attachment")
    assert download_info.value.suggested_filename == VIETNAMESE_NAME
    sign_out(page)

    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/tasks/{task_id}")
    page.fill("#verify-note", "Thiếu danh sách đảng viên tham dự; đề nghị bổ sung.")
    page.click("#return-button")
    expect(page.locator(".alert-success[role=status]")).to_contain_text("Đã trả lại")
    sign_out(page)

    sign_in(page, live_server, "office")
    page.goto(f"{live_server}/tasks/{task_id}")
    expect(page.locator("#returned-note")).to_contain_text("Thiếu danh sách đảng viên tham dự")
    page.fill("#report-note", "Đã bổ sung danh sách đảng viên tham dự.")
    page.click("#report-form button[type=submit]")
    expect(page.locator(".alert-success[role=status]")).to_contain_text("Đã báo cáo hoàn thành")
    expect(page.locator("#returned-note")).to_have_count(0)
    sign_out(page)

    sign_in(page, live_server, "inspector")
    page.goto(f"{live_server}/tasks/{task_id}")
    page.click("#accept-button")
    expect(page.locator(".alert-success[role=status]")).to_contain_text("Đã xác nhận hoàn thành")
    sign_out(page)

    sign_in(page, live_server, "leader")
    page.click("nav >> text=Bảng điều hành")
    expect(page.locator("#summary-on_time .fs-3")).to_have_text("1")
    expect(page.locator("#summary-overdue .fs-3")).to_have_text("0")
    expect(page.locator("#total-row")).to_contain_text("100,0%")
    page.click("#summary-on_time")
    expect(page.locator("#task-total")).to_have_text("1")
    expect(page.locator(".task-row")).to_contain_text("Hoàn thành đúng hạn")

    db.session.expire_all()
    done = db.session.get(Task, task_id)
    assert done.status is TaskStatus.DONE
    assert done.completed_on == local_today()
    assert db.session.scalars(select(Attachment.original_name)).all() == [VIETNAMESE_NAME]


def test_screenshots_of_the_board_with_the_demo_data(live_server, page, app):
    from workflows.demo import DEMO_PASSWORD, load_demo

    load_demo(local_today())
    task_id = db.session.scalar(
        select(Task.id).where(Task.status == TaskStatus.RETURNED).order_by(Task.id.desc()).limit(1)
    )
    db.session.commit()

    sign_in(page, live_server, "office", DEMO_PASSWORD)
    page.goto(f"{live_server}/tasks")
    expect(page.locator("#count-overdue")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "board-tasks.png"), full_page=True)
    page.goto(f"{live_server}/tasks/{task_id}")
    expect(page.locator("#returned-note")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "board-task-detail.png"), full_page=True)
    sign_out(page)

    sign_in(page, live_server, "leader", DEMO_PASSWORD)
    page.goto(f"{live_server}/dashboard")
    expect(page.locator("#trend-chart svg")).to_be_visible()
    page.screenshot(path=str(SCREENSHOTS / "board-dashboard.png"), full_page=True)
    box = page.locator("#trend-chart svg").bounding_box()
    column = page.locator("#trend-chart").bounding_box()
    assert box["width"] <= column["width"] + 1  # the chart fits its column
