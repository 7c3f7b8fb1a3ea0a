"""A person reads the inbox, marks notifications read and sets up the calendar link in a real browser."""

from __future__ import annotations

import tempfile
from datetime import timedelta
from pathlib import Path

import pytest

from app.reminders import jobs
from models import Notification, db
from tests.conftest import PASSWORD, at
from workflows import reminders
from workflows.clock import local_today

pytestmark = pytest.mark.slow  # browser: left out of the fast subset (-m "not slow")

# Screenshots to look at after a run (the preamble's /tmp/<area>-*.png).
SHOTS = str(Path(tempfile.gettempdir()) / "reminders-{}.png")


def sign_in(page, live_server, username):
    page.goto(f"{live_server}/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live_server}/")


def test_an_office_reads_its_inbox_and_marks_a_notification_read(live_server, page, create_task, world):
    today = local_today()
    create_task(due_on=today + timedelta(days=3), coordinating=[world.district_culture])
    create_task(due_on=today - timedelta(days=2), title="Gửi báo cáo dư luận xã hội tháng này")
    create_task(due_on=today - timedelta(days=9), title="Lập tổ tuyên truyền viên ở các chi bộ")
    db.session.execute(Notification.__table__.update().values(created_at=at(today - timedelta(days=1), 14)))
    reminders.scan_deadlines(today, reminders.ReminderSettings(), now=at(today, 7))
    db.session.commit()

    sign_in(page, live_server, "office")
    badge = page.locator("nav a[href='/inbox'] .badge")
    assert badge.inner_text() == "6"  # three assignments, due in 3 days, two overdue
    page.click("nav a[href='/inbox']")
    items = page.locator(".kt-inbox > li")
    assert items.count() == 6
    assert "Còn 3 ngày đến hạn" in items.first.inner_text() or "Đã quá hạn" in items.first.inner_text()
    page.screenshot(path=SHOTS.format("inbox"), full_page=True)

    items.first.locator("button", has_text="Đánh dấu đã đọc").click()
    page.wait_for_url(f"{live_server}/inbox")
    assert page.locator("nav a[href='/inbox'] .badge").inner_text() == "5"
    page.click("text=Chưa đọc")
    assert page.locator(".kt-inbox > li").count() == 5
    page.click("button:has-text('Đánh dấu tất cả đã đọc')")
    assert "Đã đánh dấu 5 thông báo là đã đọc." in page.locator(".alert-success[role=status]").inner_text()
    assert page.locator("nav a[href='/inbox'] .badge").count() == 0


def test_a_user_creates_copies_and_revokes_the_calendar_link(live_server, page, create_task, world):
    today = local_today()
    create_task(due_on=today + timedelta(days=5))
    db.session.commit()
    sign_in(page, live_server, "office")
    page.goto(f"{live_server}/inbox")
    page.click("text=Lịch hạn nhiệm vụ")
    page.click("button:has-text('Tạo liên kết lịch')")
    assert "Đã tạo liên kết lịch." in page.locator(".alert-success[role=status]").inner_text()
    url = page.input_value("#feed-url")
    assert url.startswith(f"{live_server}/calendar/") and url.endswith(".ics")
    page.click("#copy-feed")
    page.wait_for_function("document.getElementById('copy-feed').textContent === 'Đã sao chép'")
    page.screenshot(path=SHOTS.format("calendar"), full_page=True)
    assert page.request.get(url).status == 200

    page.once("dialog", lambda dialog: dialog.accept())
    page.click("button:has-text('Thu hồi liên kết')")
    assert "Đã thu hồi liên kết lịch" in page.locator(".alert-success[role=status]").inner_text()
    assert page.request.get(url).status == 404


def test_the_digest_email_renders_as_a_mail_client_shows_it(app, page, smtp, create_task, world):
    today = local_today()
    create_task(due_on=today + timedelta(days=3), coordinating=[world.district_culture])
    create_task(due_on=today - timedelta(days=2), title="Gửi báo cáo dư luận xã hội tháng này")
    create_task(due_on=today + timedelta(days=6), title="Lập tổ tuyên truyền viên ở các chi bộ")
    world.office.display_name = "Ban Tuyên giáo Huyện ủy Bù Đốp"
    db.session.commit()
    jobs.run_deadline_job(app, today, at(today, 7))
    [message] = smtp.to("office@example.test")
    page.set_content(message.get_body(("html",)).get_content())
    headings = page.locator("h2").all_inner_texts()
    assert headings == ["Quá hạn (1)", "Sắp đến hạn (1)", "Trong hạn (1)"]
    page.screenshot(path=SHOTS.format("digest"), full_page=True)
