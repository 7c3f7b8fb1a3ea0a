"""``kiemtra scan-deadlines`` and ``kiemtra scheduler`` as an operator runs them."""

from __future__ import annotations

from app.reminders import scheduler
from models import db
from tests.reminders.conftest import TODAY


def scan(runner, *args):
    db.session.commit()
    result = runner.invoke(args=["scan-deadlines", "--today", TODAY.isoformat(), *args])
    assert result.exit_code == 0, result.output
    return result.output


def test_scan_deadlines_prints_what_it_created_then_that_the_day_is_done(runner, no_smtp, due_task, world):
    due_task(3)
    due_task(-8, coordinating=[world.district_culture])
    first = scan(runner)
    assert "Quét hạn ngày 01/12/2023:" in first
    assert "Lượt quét thuộc tiến trình này." in first
    assert "Đã tạo 6 thông báo." in first
    assert "due_in_3   còn 3 ngày           1" in first
    assert "overdue    quá hạn              3" in first
    assert "escalated  báo lãnh đạo         2" in first
    assert "Thư điện tử đang tắt" in first
    second = scan(runner)
    assert "Lượt quét ngày này đã xong" in second and "không tạo thêm thông báo" in second


def test_scan_deadlines_lists_each_notification_when_asked(runner, no_smtp, due_task, world):
    task = due_task(-1)
    output = scan(runner, "--verbose")
    assert f"#{task.id} overdue    → inspector  Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW." in output
    assert f"#{task.id} overdue    → office" in output


def test_scan_deadlines_prints_who_was_emailed_and_what_failed(runner, smtp, due_task, world):
    due_task(-1)
    smtp.refuse = True
    refused = scan(runner)
    assert "Thư tổng hợp: đã gửi 0, lỗi 2" in refused
    assert "lỗi office: " in refused and "(sẽ gửi lại ở lượt sau)" in refused
    smtp.refuse = False
    sent = scan(runner)
    assert "Thư tổng hợp: đã gửi 2, lỗi 0" in sent
    assert "đã gửi office <office@example.test>: 2 thông báo" in sent


def test_scan_deadlines_refuses_a_malformed_day(runner):
    result = runner.invoke(args=["scan-deadlines", "--today", "31/02/2023"])
    assert result.exit_code == 2
    assert "YYYY-MM-DD" in result.output or "%Y-%m-%d" in result.output


def test_the_scheduler_command_lists_its_jobs_and_runs_in_the_foreground(runner, no_smtp, monkeypatch):
    started = []
    monkeypatch.setattr(scheduler, "run_blocking", lambda app: started.append(app))
    result = runner.invoke(args=["scheduler"])
    assert result.exit_code == 0, result.output
    assert "deadline-scan" in result.output and "cron[hour='7', minute='0']" in result.output
    assert "catch-up-hourly" in result.output and "catch-up-at-start" in result.output
    assert "Thư điện tử đang tắt" in result.output
    assert len(started) == 1


def test_scan_deadlines_on_a_past_day_words_its_reminders_from_that_day(runner, smtp, due_task, world):
    due_task(3)
    due_task(-8)
    scan(runner)
    (office,) = (m.get_body(("plain",)).get_content() for m in smtp.to("office@example.test"))
    (inspector,) = (m.get_body(("plain",)).get_content() for m in smtp.to("inspector@example.test"))
    # 01/12/2023: three days before 04/12, eight days after 23/11; not counted from the real clock.
    assert "Còn 3 ngày đến hạn 04/12/2023" in office
    assert "Quá hạn 8 ngày (hạn 23/11/2023); đã báo cáo lãnh đạo" in inspector
