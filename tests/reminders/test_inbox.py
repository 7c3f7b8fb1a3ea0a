"""The in-app inbox: what a signed-in user sees, the unread badge, marking as read."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import insert, select, update

from app import create_app
from models import Notification, db
from models.enums import NotificationKind
from tests.conftest import PASSWORD, at
from tests.reminders.conftest import TODAY
from workflows import reminders


def scan():
    reminders.scan_deadlines(TODAY, reminders.ReminderSettings(), now=at(TODAY, 7))
    db.session.commit()


def badge(page: str) -> int | None:
    match = re.search(r'href="/inbox">\s*Thông báo <span class="badge[^"]*">(\d+)</span>', page)
    return int(match.group(1)) if match else None


def test_the_inbox_shows_what_each_notification_says_with_an_unread_badge(due_task, world, login_as):
    due_task(3, coordinating=[world.district_culture])
    db.session.execute(update(Notification).values(created_at=at(TODAY - timedelta(days=1))))  # assigned
    scan()
    page = login_as(world.office).get("/inbox").get_data(as_text=True)
    assert "Còn 3 ngày đến hạn 04/12/2023" in page
    assert "Được giao nhiệm vụ mới" in page
    assert "Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW." in page
    assert "Ban Tuyên giáo Huyện ủy Bù Đốp" in page
    assert badge(page) == 2
    assert page.index("Còn 3 ngày đến hạn") < page.index("Được giao nhiệm vụ mới")  # newest first


def test_a_coordinating_unit_sees_its_role(due_task, world, login_as):
    due_task(3, coordinating=[world.district_culture])
    scan()
    page = login_as(world.coordinator).get("/inbox").get_data(as_text=True)
    assert "Còn 3 ngày đến hạn 04/12/2023 (đơn vị phối hợp)" in page


def test_the_badge_is_in_the_header_of_every_page_and_absent_when_all_is_read(due_task, world, login_as):
    due_task(3)
    client = login_as(world.office)
    assert badge(client.get("/").get_data(as_text=True)) == 1
    client.post("/inbox/read-all")
    assert badge(client.get("/").get_data(as_text=True)) is None


def test_marking_one_notification_read_lowers_the_count(due_task, world, login_as):
    due_task(-1)
    scan()
    client = login_as(world.office)
    mine = db.session.scalars(select(Notification).where(Notification.recipient_id == world.office.id)).all()
    db.session.rollback()
    response = client.post(f"/inbox/{mine[0].id}/read")
    assert response.status_code == 302 and response.headers["Location"] == "/inbox"
    page = client.get("/inbox").get_data(as_text=True)
    assert badge(page) == 1
    assert page.count("Đã đọc</span>") == 1
    unread_page = client.get("/inbox?chua-doc=1").get_data(as_text=True)
    assert unread_page.count('class="list-group-item') == 1


def test_marking_all_read_says_how_many(due_task, world, login_as):
    due_task(-1)
    scan()
    client = login_as(world.office)
    page = client.post("/inbox/read-all", follow_redirects=True).get_data(as_text=True)
    assert "Đã đánh dấu 2 thông báo là đã đọc." in page
    again = client.post("/inbox/read-all", follow_redirects=True).get_data(as_text=True)
    assert "Không có thông báo nào chưa đọc." in again
    assert (
        db.session.scalar(select(Notification.id).where(Notification.read_at.is_(None))) is not None
    )  # others'


def test_opening_a_notification_marks_it_read_and_goes_to_the_task(app, due_task, world, login_as):
    task = due_task(3)
    note = db.session.scalar(select(Notification).where(Notification.recipient_id == world.office.id))
    note_id = note.id
    db.session.rollback()
    response = login_as(world.office).get(f"/inbox/{note_id}")
    assert response.status_code == 302
    if "board.task_detail" in app.view_functions:
        assert str(task.id) in response.headers["Location"] and "/inbox" not in response.headers["Location"]
    else:
        assert response.headers["Location"] == f"/inbox#n{note_id}"
    assert db.session.get(Notification, note_id).read_at is not None


@pytest.mark.parametrize("request_for", ["open", "read"])
def test_someone_elses_notification_answers_404(due_task, world, login_as, request_for):
    due_task(3)
    theirs = db.session.scalar(select(Notification.id).where(Notification.recipient_id == world.office.id))
    db.session.rollback()
    client = login_as(world.other_office_user)
    response = (
        client.get(f"/inbox/{theirs}") if request_for == "open" else client.post(f"/inbox/{theirs}/read")
    )
    assert response.status_code == 404
    assert db.session.get(Notification, theirs).read_at is None


def test_an_anonymous_visitor_is_sent_to_sign_in(client):
    response = client.get("/inbox")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def _many(world, task, count):
    rows = [
        {
            "recipient_id": world.office.id,
            "task_id": task.id,
            "kind": NotificationKind.OVERDUE,
            "key_on": TODAY - timedelta(days=n),
            "is_coordinating": False,
            "created_at": at(TODAY - timedelta(days=n), 7),
            "email_attempts": 0,
        }
        for n in range(count)
    ]
    db.session.execute(insert(Notification), rows)
    db.session.commit()


def test_the_inbox_pages_by_fifty(due_task, world, login_as):
    _many(world, due_task(10), 60)
    client = login_as(world.office)
    first = client.get("/inbox").get_data(as_text=True)
    assert first.count('class="list-group-item') == 50 and "Trang sau" in first
    second = client.get("/inbox?trang=2").get_data(as_text=True)
    assert second.count('class="list-group-item') == 11 and "Trang trước" in second  # 60 + "assigned"
    assert client.get("/inbox?trang=abc").status_code == 200


def test_the_inbox_runs_the_same_number_of_queries_for_three_notifications_or_fifty(
    due_task, world, login_as, query_counter
):
    client = login_as(world.office)
    task = due_task(10)
    _many(world, task, 2)
    # A first visit, so that both counted visits find the same kept state (the header learns a page's
    # badges at its first visit), and a commit, as before the second count.
    client.get("/inbox")
    db.session.commit()
    with query_counter() as few:
        client.get("/inbox")
    later_keys = [TODAY + timedelta(days=100 + n) for n in range(47)]
    db.session.execute(
        insert(Notification),
        [
            {
                "recipient_id": world.office.id,
                "task_id": task.id,
                "kind": NotificationKind.DUE_IN_7,
                "key_on": key,
                "is_coordinating": False,
                "created_at": at(TODAY, 7),
                "email_attempts": 0,
            }
            for key in later_keys
        ],
    )
    db.session.commit()
    with query_counter() as many:
        client.get("/inbox")
    assert many.count == few.count


def test_the_inbox_and_calendar_forms_carry_a_working_csrf_token(database_url, tmp_path, due_task, world):
    due_task(3)
    db.session.commit()  # and touch the session no more: the other app's requests need the write lock
    guarded = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "SECRET_KEY": "csrf-test",
            "WTF_CSRF_ENABLED": True,
            "INSTANCE_PATH": str(tmp_path),
        }
    )
    client = guarded.test_client()
    login_page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', login_page).group(1)
    client.post("/login", data={"username": "office", "password": PASSWORD, "csrf_token": token})
    assert client.post("/inbox/read-all").status_code == 400
    assert client.post("/calendar/renew").status_code == 400
    inbox = client.get("/inbox").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', inbox).group(1)
    assert client.post("/inbox/read-all", data={"csrf_token": form_token}).status_code == 302
    calendar = client.get("/calendar").get_data(as_text=True)
    form_token = re.search(r'name="csrf_token" value="([^"]+)"', calendar).group(1)
    assert client.post("/calendar/renew", data={"csrf_token": form_token}).status_code == 302
    with guarded.app_context():
        db.engine.dispose()
