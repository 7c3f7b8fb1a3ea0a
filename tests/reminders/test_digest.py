"""The digest e-mail as its recipient reads it: subject, greeting, urgent tasks first, links."""

from __future__ import annotations

from datetime import timedelta
from html.parser import HTMLParser

from app.reminders import jobs
from exports.digest import compose_digest
from models import db
from tests.conftest import at
from tests.reminders.conftest import TODAY
from workflows import reminders
from workflows import tasks as task_flow
from workflows.reminders import ReminderSettings

TITLE = "Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW."


class _Reader(HTMLParser):
    """What a mail client shows: the visible text, and where each link goes."""

    def __init__(self) -> None:
        super().__init__()
        self.text: list[str] = []
        self.links: list[str] = []
        self.lang: str | None = None
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "a":
            self.links.append(attributes["href"])
        if tag == "html":
            self.lang = attributes.get("lang")
        if tag in ("style", "title"):
            self._skip += 1

    def handle_endtag(self, tag):
        if tag in ("style", "title"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.text.append(" ".join(data.split()))


def read_html(message) -> _Reader:
    reader = _Reader()
    reader.feed(message.get_body(("html",)).get_content())
    return reader


def digest_for(app, smtp, address, today=TODAY):
    db.session.commit()
    jobs.run_deadline_job(app, today, at(today, 7))
    [message] = smtp.to(address)
    return message


def test_the_office_digest_reads_urgent_first_with_what_to_do_and_links(app, smtp, due_task, world):
    world.office.display_name = "Ban Tuyên giáo Huyện ủy Bù Đốp"
    overdue = due_task(-2)
    soon = due_task(3, coordinating=[world.district_culture])
    later = due_task(6, title="Lập tổ tuyên truyền viên ở các chi bộ")
    message = digest_for(app, smtp, "office@example.test")

    assert message["Subject"] == "[kiemtra] Nhắc việc ngày 01/12/2023: 1 quá hạn, 1 sắp đến hạn"
    assert str(message["To"]) == "Ban Tuyên giáo Huyện ủy Bù Đốp <office@example.test>"
    assert message["Auto-Submitted"] == "auto-generated"
    text = message.get_body(("plain",)).get_content()
    assert text.startswith("Kính gửi Ban Tuyên giáo Huyện ủy Bù Đốp,")
    overdue_at, soon_at, within_at = (
        text.index("== Quá hạn (1) =="),
        text.index("== Sắp đến hạn (1) =="),
        text.index("== Trong hạn (1) =="),
    )
    assert overdue_at < soon_at < within_at
    overdue_part, soon_part, within_part = text[overdue_at:soon_at], text[soon_at:within_at], text[within_at:]
    assert "Đã quá hạn 29/11/2023" in overdue_part
    assert "Được giao nhiệm vụ mới" in overdue_part  # the assignment of the same task, in one entry
    assert "Còn 3 ngày đến hạn 04/12/2023" in soon_part
    assert "Lập tổ tuyên truyền viên ở các chi bộ" in within_part
    assert "Còn 6 ngày đến hạn 07/12/2023" in within_part
    assert "Đơn vị chủ trì: Ban Tuyên giáo Huyện ủy Bù Đốp · Hạn: 04/12/2023" in soon_part

    task_url, inbox_url = jobs.link_builder(app)
    for task in (overdue, soon, later):
        assert task_url(task.id) in text
    assert inbox_url == "https://kiemtra.example.vn/inbox"
    assert f"Xem và đánh dấu đã đọc tại: {inbox_url}" in text

    html = read_html(message)
    assert html.lang == "vi"
    assert "Quá hạn (1)" in html.text and "Sắp đến hạn (1)" in html.text
    assert "Kính gửi Ban Tuyên giáo Huyện ủy Bù Đốp," in html.text
    assert set(html.links) == {task_url(t.id) for t in (overdue, soon, later)} | {inbox_url}


def test_task_links_go_to_the_board_once_it_has_task_pages(app, smtp, due_task, world):
    task = due_task(3)
    task_url, _ = jobs.link_builder(app)
    if "board.task_detail" in app.view_functions:
        assert task_url(task.id).startswith("https://kiemtra.example.vn/") and str(task.id) in task_url(
            task.id
        )
    else:
        assert task_url(task.id) == "https://kiemtra.example.vn/inbox"


def test_a_coordinating_unit_reads_that_it_coordinates(app, smtp, due_task, world):
    due_task(3, coordinating=[world.district_culture])
    text = digest_for(app, smtp, "culture@example.test").get_body(("plain",)).get_content()
    assert "Còn 3 ngày đến hạn 04/12/2023 (đơn vị phối hợp)" in text
    assert "Được giao nhiệm vụ mới (đơn vị phối hợp)" in text


def test_a_leader_reads_the_escalation_with_the_days_overdue(app, smtp, due_task, world):
    due_task(-9)
    message = digest_for(app, smtp, "leader@example.test")
    assert message["Subject"] == "[kiemtra] Nhắc việc ngày 01/12/2023: 1 quá hạn"
    text = message.get_body(("plain",)).get_content()
    assert "Quá hạn 9 ngày (hạn 22/11/2023); đã báo cáo lãnh đạo" in text


def test_a_returned_report_and_a_decided_extension_reach_the_office_in_the_next_digest(
    app, smtp, due_task, world
):
    task = due_task(10)
    task_flow.report_task_done(task, world.office, note="Đã làm.", now=at(TODAY - timedelta(days=2)))
    task_flow.return_task(task, world.inspector, note="Thiếu minh chứng.", now=at(TODAY - timedelta(days=1)))
    text = digest_for(app, smtp, "office@example.test").get_body(("plain",)).get_content()
    assert "Báo cáo bị trả lại, cần thực hiện tiếp" in text
    [inspector_mail] = smtp.to("inspector@example.test")
    assert "Đơn vị đã báo cáo hoàn thành, chờ xác nhận" in inspector_mail.get_body(("plain",)).get_content()


def test_the_digest_follows_the_recipients_language(app, smtp, due_task, world):
    world.office.locale = "en"
    due_task(3)
    message = digest_for(app, smtp, "office@example.test")
    assert message["Content-Language"] == "en"
    assert read_html(message).lang == "en"


def test_a_long_digest_lists_the_most_urgent_tasks_and_counts_the_rest(app, due_task, world):
    for offset in (-3, -2, 2, 5, 6):
        due_task(offset)
    reminders.scan_deadlines(TODAY, ReminderSettings(), now=at(TODAY, 7))
    notifications = reminders.unsent_notifications(world.office.id, at(TODAY, 7))
    sections = reminders.group_by_timeliness(notifications, TODAY, 3)
    task_url, inbox_url = jobs.link_builder(app)
    digest = compose_digest(
        world.office,
        sections,
        today=TODAY,
        language="vi",
        task_url=task_url,
        inbox_url=inbox_url,
        max_items=3,
    )
    text = digest.text
    assert "== Quá hạn (2) ==" in text and "== Sắp đến hạn (1) ==" in text
    assert "== Trong hạn" not in text  # the least urgent are left out first
    assert text.count("\n* ") == 3
    assert "Và 2 nhiệm vụ khác, xem trong trang thông báo." in text
    assert "Và 2 nhiệm vụ khác" in digest.html.decode()
    assert digest.subject == "[kiemtra] Nhắc việc ngày 01/12/2023: 2 quá hạn, 1 sắp đến hạn"
