"""The personal calendar feed: it parses as iCalendar, follows the user's scope, and dies with its token."""

from __future__ import annotations

from datetime import date, timedelta

import icalendar
import pytest
from sqlalchemy import select

from models import AuditEntry, User, db
from workflows import tasks as task_flow
from workflows.clock import local_today


@pytest.fixture
def today() -> date:
    return local_today()


def feed_url_of(user: User) -> str:
    db.session.refresh(user)
    token = user.calendar_token
    db.session.rollback()
    return f"/calendar/{token}.ics"


def events(response) -> dict[str, icalendar.Event]:
    calendar = icalendar.Calendar.from_ical(response.data)
    return {str(event["UID"]): event for event in calendar.walk("VEVENT")}


def test_a_user_creates_a_link_and_a_calendar_application_reads_the_due_dates(
    client, login_as, create_task, world, today
):
    soon = create_task(due_on=today + timedelta(days=5), coordinating=[world.district_culture])
    late = create_task(due_on=today - timedelta(days=3))
    create_task(due_on=None)  # no deadline: no event
    db.session.commit()
    office = login_as(world.office)
    assert "Bạn chưa có liên kết lịch" in office.get("/calendar").get_data(as_text=True)
    page = office.post("/calendar/renew", follow_redirects=True).get_data(as_text=True)
    assert "Đã tạo liên kết lịch." in page
    url = feed_url_of(world.office)
    assert f"http://localhost{url}" in page
    assert "Lịch hiện có 2 nhiệm vụ" in page

    office.post("/logout")
    response = client.get(url)  # a calendar application: no session
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "Set-Cookie" not in response.headers
    calendar = icalendar.Calendar.from_ical(response.data)
    assert str(calendar["X-WR-CALNAME"]) == "kiemtra – hạn nhiệm vụ (office)"
    found = events(response)
    assert set(found) == {f"task-{soon.id}@kiemtra", f"task-{late.id}@kiemtra"}
    event = found[f"task-{soon.id}@kiemtra"]
    assert event.decoded("DTSTART") == soon.due_on  # an all-day event: a date, not a time
    assert event.decoded("DTEND") == soon.due_on + timedelta(days=1)
    assert str(event["SUMMARY"]) == "Hạn: Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW."
    description = str(event["DESCRIPTION"])
    assert "Đơn vị chủ trì: Ban Tuyên giáo Huyện ủy Bù Đốp" in description
    assert "Đơn vị phối hợp: Phòng Văn hóa và Thông tin huyện Bù Đốp" in description
    assert "Trạng thái: Đã giao, tiến độ 0%" in description
    assert str(found[f"task-{late.id}@kiemtra"]["SUMMARY"]).startswith("[Quá hạn] ")


def test_the_feed_follows_the_users_scope(client, create_task, world, today):
    ours = create_task(due_on=today + timedelta(days=5))
    coordinated = create_task(due_on=today + timedelta(days=6), coordinating=[world.district_culture])
    for user in (world.office, world.coordinator, world.other_office_user, world.leader):
        task_flow_token(user)
    db.session.commit()
    uids = {
        user.username: set(events(client.get(feed_url_of(user))))
        for user in (world.office, world.coordinator, world.other_office_user, world.leader)
    }
    both = {f"task-{ours.id}@kiemtra", f"task-{coordinated.id}@kiemtra"}
    assert uids["office"] == both
    assert uids["culture"] == {f"task-{coordinated.id}@kiemtra"}
    assert uids["locninh"] == set()
    assert uids["leader"] == both


def task_flow_token(user: User) -> None:
    from workflows.reminders import renew_calendar_token

    renew_calendar_token(user, user)


def test_cancelled_tasks_and_those_done_long_ago_leave_the_feed(client, create_task, world, today):
    cancelled = create_task(due_on=today + timedelta(days=5))
    task_flow.cancel_task(cancelled, world.inspector, reason="Không còn cần.")
    done_recently = create_task(due_on=today - timedelta(days=10))
    done_long_ago = create_task(due_on=today - timedelta(days=200))
    for task in (done_recently, done_long_ago):
        task_flow.report_task_done(task, world.office, note="Xong.")
        task_flow.verify_task(task, world.inspector)
    task_flow_token(world.office)
    db.session.commit()
    found = events(client.get(feed_url_of(world.office)))
    assert set(found) == {f"task-{done_recently.id}@kiemtra"}
    assert str(found[f"task-{done_recently.id}@kiemtra"]["SUMMARY"]).startswith("[Đã hoàn thành] ")


def test_an_extension_moves_the_event_instead_of_adding_one(client, create_task, world, today):
    task = create_task(due_on=today + timedelta(days=2))
    task_flow_token(world.office)
    db.session.commit()
    url = feed_url_of(world.office)
    before = events(client.get(url))[f"task-{task.id}@kiemtra"]
    extension = task_flow.request_extension(
        task, world.office, new_due_on=today + timedelta(days=20), reason="Chờ số liệu."
    )
    task_flow.decide_extension(extension, world.inspector, approve=True)
    db.session.commit()
    after = events(client.get(url))
    assert list(after) == [f"task-{task.id}@kiemtra"]
    moved = after[f"task-{task.id}@kiemtra"]
    assert moved.decoded("DTSTART") == today + timedelta(days=20)
    assert int(moved["SEQUENCE"]) > int(before["SEQUENCE"])
    assert "Hạn ban đầu" in str(moved["DESCRIPTION"])


def test_a_revoked_link_answers_404(client, login_as, create_task, world, today):
    create_task(due_on=today + timedelta(days=5))
    office = login_as(world.office)
    office.post("/calendar/renew")
    url = feed_url_of(world.office)
    assert client.get(url).status_code == 200
    page = office.post("/calendar/revoke", follow_redirects=True).get_data(as_text=True)
    assert "Đã thu hồi liên kết lịch" in page and "Tạo liên kết lịch" in page
    assert client.get(url).status_code == 404
    assert db.session.get(User, world.office.id).calendar_token is None


def test_renewing_the_link_retires_the_old_one(client, login_as, world):
    office = login_as(world.office)
    office.post("/calendar/renew")
    old = feed_url_of(world.office)
    page = office.post("/calendar/renew", follow_redirects=True).get_data(as_text=True)
    assert "Đã cấp liên kết mới; liên kết cũ không còn dùng được." in page
    new = feed_url_of(world.office)
    assert new != old
    assert client.get(old).status_code == 404
    assert client.get(new).status_code == 200
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions == ["calendar_token_renewed", "calendar_token_renewed"]
    assert all(
        old.split("/")[-1][:-4] not in (e.details or "") for e in db.session.scalars(select(AuditEntry))
    )


@pytest.mark.parametrize("token", ["khong-co", "x" * 65])
def test_an_unknown_token_answers_404(client, world, token):
    assert client.get(f"/calendar/{token}.ics").status_code == 404


def test_a_token_with_a_nul_byte_is_refused_before_any_lookup(client, world):
    # Every request carrying a NUL byte is answered 400 (app/guards.py), the calendar feed's too.
    assert client.get("/calendar/%00.ics").status_code == 400


def test_the_feed_of_a_deactivated_account_answers_404(client, world):
    task_flow_token(world.office)
    world.office.is_active = False
    db.session.commit()
    assert client.get(feed_url_of(world.office)).status_code == 404


def test_a_report_awaiting_verification_is_not_shown_overdue_in_the_feed(
    client, login_as, create_task, world, today
):
    # The unit has reported; the inspecting side has not answered yet, and the due date has passed.
    task = create_task(due_on=today - timedelta(days=2))
    task_flow.report_task_done(task, world.office, note="Đã tổ chức hội nghị.")
    db.session.commit()
    login_as(world.office).post("/calendar/renew")
    found = events(client.get(feed_url_of(world.office)))
    summary = str(found[f"task-{task.id}@kiemtra"]["SUMMARY"])
    assert not summary.startswith("[Quá hạn]")
    assert summary == f"[Chờ xác nhận] {task.title}"
