"""E-mail digests over a real SMTP server on loopback: once a day, nothing lost when the server refuses."""

from __future__ import annotations

import logging
from datetime import timedelta

from sqlalchemy import select

from app.reminders import jobs
from models import JobRun, Notification, db
from models.enums import JobRunStatus
from tests.conftest import at
from tests.reminders.conftest import TODAY, _free_port
from workflows import reminders
from workflows.reminders import ReminderSettings


def run(app, today=TODAY, hour=7, minute=0):
    """Run the daily job as the scheduler would, after committing what the test set up."""
    db.session.commit()
    report = jobs.run_deadline_job(app, today, at(today, hour) + timedelta(minutes=minute))
    db.session.expire_all()
    return report


def unsent():
    return db.session.scalars(select(Notification).where(Notification.emailed_at.is_(None))).all()


def test_each_recipient_gets_one_digest_with_all_their_notifications(app, smtp, due_task, world):
    soon, late = due_task(3), due_task(-2)
    report = run(app)
    assert sorted(username for username, _, _ in report.delivery.sent) == ["inspector", "office"]
    [office_mail] = smtp.to("office@example.test")
    body = office_mail.get_body(("plain",)).get_content()
    assert body.count("Tổ chức hội nghị quán triệt Quy định 85-QĐ/TW") == 2  # both tasks, one e-mail
    assert unsent() == []
    assert {soon.id, late.id} <= {n.task_id for n in db.session.scalars(select(Notification))}


def test_a_second_run_the_same_day_sends_nothing_more(app, smtp, due_task, world):
    due_task(3)
    run(app)
    due_task(-1)  # a new overdue task appears, and the day's run is repeated
    second = run(app, minute=30)
    assert second.delivery.sent == []
    assert second.delivery.skipped == 1  # office already had today's digest
    assert len(smtp.to("office@example.test")) == 1
    third = run(app, TODAY + timedelta(days=1))
    assert "office" in [username for username, _, _ in third.delivery.sent]
    assert len(smtp.to("office@example.test")) == 2


def test_a_refused_message_loses_nothing_and_is_sent_on_the_next_run(app, smtp, due_task, world):
    due_task(3)
    due_task(-2)
    smtp.refuse = True
    first = run(app)
    assert sorted(username for username, _ in first.delivery.failed) == ["inspector", "office"]
    assert smtp.messages == [] and smtp.refused == 2
    waiting = unsent()  # office: two "assigned", due_in_3, overdue; inspector: overdue
    assert len(waiting) == 5 and {n.email_attempts for n in waiting} == {1}
    assert db.session.get(JobRun, (f"digest:{world.office.id}", "2023-12-01")).status is JobRunStatus.FAILED
    # The day's run itself finished; only the e-mails wait.
    assert db.session.get(JobRun, ("deadline_scan", "2023-12-01")).status is JobRunStatus.FINISHED

    smtp.refuse = False
    db.session.commit()
    retry = jobs.catch_up(app, at(TODAY, 8) + timedelta(minutes=30))
    db.session.expire_all()
    assert retry is not None and retry.scan.total == 0
    assert sorted(username for username, _, _ in retry.delivery.sent) == ["inspector", "office"]
    [office_mail] = smtp.to("office@example.test")
    text = office_mail.get_body(("plain",)).get_content()
    assert "Còn 3 ngày đến hạn 04/12/2023" in text and "Đã quá hạn 29/11/2023" in text
    assert unsent() == []
    assert {n.email_attempts for n in db.session.scalars(select(Notification))} == {2}


def test_an_unreachable_server_stops_the_round_and_the_next_run_delivers(app, smtp, due_task, world):
    due_task(-2)
    port = smtp.port
    app.config["SMTP_PORT"] = _free_port()  # nothing listens there
    first = run(app)
    assert first.delivery.stopped and len(first.delivery.failed) == 1  # the round stopped at once
    waiting = unsent()
    assert len(waiting) == 3  # office: assigned, overdue; inspector: overdue
    assert {n.email_attempts for n in waiting} == {0}  # an outage uses up no attempt
    app.config["SMTP_PORT"] = port
    second = run(app, minute=30)
    assert len(second.delivery.sent) == 2
    assert unsent() == []


def test_without_smtp_settings_notifications_stay_in_the_app_and_the_log_says_so_once(
    app, no_smtp, due_task, world, caplog
):
    due_task(-2)
    with caplog.at_level(logging.WARNING, logger="kiemtra.reminders"):
        first = run(app)
        run(app, TODAY + timedelta(days=1))
    assert not first.delivery.enabled
    assert len([r for r in caplog.records if "E-mail is off" in r.getMessage()]) == 1
    assert len(unsent()) == 3


def test_notifications_older_than_two_weeks_are_not_emailed_when_email_is_turned_on(
    app, smtp, due_task, world
):
    due_task(-2)
    reminders.scan_deadlines(TODAY, ReminderSettings(), now=at(TODAY, 7))
    # Everything was created three weeks ago, while e-mail was off.
    db.session.execute(Notification.__table__.update().values(created_at=at(TODAY - timedelta(days=21))))
    report = run(app, TODAY + timedelta(days=1))  # the overdue notice of three weeks ago is not news
    assert report.delivery.sent == [] and smtp.messages == []
    assert len(unsent()) == 3  # still in the inbox


def test_a_user_without_an_email_address_is_only_notified_in_the_app(app, smtp, due_task, world):
    world.office.email = None
    due_task(3)
    report = run(app)
    assert report.delivery.sent == [] and smtp.messages == []
    assert len(unsent()) == 2  # assigned, due_in_3


def test_a_message_is_refused_for_one_recipient_only(app, smtp, due_task, world):
    due_task(-2)
    world.inspector.email = "not an address"
    report = run(app)
    assert [username for username, _, _ in report.delivery.sent] == ["office"]
    assert [username for username, _ in report.delivery.failed] == ["inspector"]


def test_a_notification_refused_ten_times_is_left_to_the_inbox(app, smtp, due_task, world):
    due_task(-2)
    reminders.scan_deadlines(TODAY, ReminderSettings(), now=at(TODAY, 7))
    db.session.execute(Notification.__table__.update().values(email_attempts=reminders.MAX_EMAIL_ATTEMPTS))
    report = run(app, TODAY + timedelta(days=1))
    assert report.delivery.sent == [] and smtp.messages == []
    assert len(unsent()) == 3
