"""The deadline scan, called directly with a fixed ``today``: who is reminded of what, and exactly once."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import JobRun, Notification, TaskEvent, User, db
from models.enums import JobRunStatus, NotificationKind, Role, TaskEventKind
from tests.conftest import _user, at
from tests.reminders.conftest import TODAY
from workflows import reminders
from workflows import tasks as task_flow
from workflows.reminders import ReminderSettings

K = NotificationKind


def day(offset: int) -> date:
    return TODAY + timedelta(days=offset)


def notes(**where) -> set[tuple[str, int, str, date, bool]]:
    """Every notification as (recipient, task id, kind, key date, coordinating), deadline kinds only."""
    query = (
        select(User.username, Notification.task_id, Notification.kind, Notification.key_on)
        .add_columns(Notification.is_coordinating)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.kind.in_(reminders.DEADLINE_KINDS))
    )
    for name, value in where.items():
        query = query.where(getattr(Notification, name) == value)
    return {(u, t, k.value, d, c) for u, t, k, d, c in db.session.execute(query)}


def scan(settings, today=TODAY):
    outcome = reminders.scan_deadlines(today, settings, now=at(today, 7))
    db.session.commit()
    return outcome


def test_each_reminder_kind_fires_in_its_window_of_days_left(due_task, world, settings):
    offsets = [10, 8, 7, 5, 4, 3, 2, 1, 0, -1, -6, -7, -30]
    tasks = {offset: due_task(offset) for offset in offsets}
    scan(settings)
    rows = notes()
    kinds = {o: {k for u, t, k, _, _ in rows if t == task.id and u == "office"} for o, task in tasks.items()}
    assert kinds == {
        10: set(),
        8: set(),
        7: {"due_in_7"},
        5: {"due_in_7"},
        4: {"due_in_7"},
        3: {"due_in_3"},
        2: {"due_in_3"},
        1: {"due_in_1"},
        0: {"due_in_1"},  # due today: still not overdue
        -1: {"overdue"},
        -6: {"overdue"},
        -7: {"overdue"},  # escalation goes to leaders, not to the office
        -30: {"overdue"},
    }


def test_every_reminder_is_keyed_on_the_due_date_in_force(due_task, world, settings):
    task = due_task(3)
    scan(settings)
    assert notes(task_id=task.id) == {("office", task.id, "due_in_3", day(3), False)}


def test_scanning_the_same_day_twice_creates_each_notification_once(due_task, world, settings):
    for offset in (7, 3, 1, -1, -7):
        due_task(offset)
    first = scan(settings)
    created = notes()
    second = scan(settings)
    assert first.claim.owned and first.total == len(created) > 0
    assert not second.claim.owned and second.total == 0
    # Even a scan that ignores the claim (a stale run taken over) adds nothing: the keys are unique.
    assert reminders.create_deadline_notifications(TODAY, settings, now=at(TODAY, 8)) == []
    db.session.commit()
    assert notes() == created
    assert db.session.scalar(select(func.count(JobRun.job_name))) == 1


def test_a_reminder_kind_is_sent_once_across_the_days_of_its_window(due_task, world, settings):
    task = due_task(7)
    for offset in range(0, 9):
        scan(settings, day(offset))
    kinds = sorted((k, d) for u, t, k, d, _ in notes() if u == "office" and t == task.id)
    assert kinds == [("due_in_1", day(7)), ("due_in_3", day(7)), ("due_in_7", day(7)), ("overdue", day(7))]


def test_a_day_the_scheduler_missed_is_caught_up_by_the_next_scan(due_task, world, settings):
    soon, late = due_task(7), due_task(-1)
    # No scan ran yesterday (when ``late`` was due and ``soon`` had 8 days left) nor on the 7-day mark.
    scan(settings, day(1))
    assert ("office", soon.id, "due_in_7", day(7), False) in notes()
    assert ("office", late.id, "overdue", day(-1), False) in notes()


def test_coordinating_units_get_the_reminders_marked_as_such(due_task, world, settings):
    task = due_task(3, coordinating=[world.district_culture])
    scan(settings)
    assert notes(task_id=task.id) == {
        ("office", task.id, "due_in_3", day(3), False),
        ("culture", task.id, "due_in_3", day(3), True),
    }


def test_overdue_goes_to_the_lead_unit_the_coordinating_units_and_the_assigning_inspector(
    due_task, world, settings
):
    task = due_task(-1, coordinating=[world.district_culture])
    scan(settings)
    assert notes(task_id=task.id) == {
        ("office", task.id, "overdue", day(-1), False),
        ("culture", task.id, "overdue", day(-1), True),
        ("inspector", task.id, "overdue", day(-1), False),
    }


def test_nobody_outside_the_task_is_reminded(due_task, world, settings):
    due_task(-10, coordinating=[world.district_culture])
    scan(settings)
    recipients = {u for u, *_ in notes()}
    assert {"locninh", "ubkt", "admin"}.isdisjoint(recipients)


def test_escalation_reaches_the_nearest_leaders_the_head_of_delegation_and_the_assigner(
    due_task, world, settings, leader_of_district
):
    head_account = _user("huan", Role.INSPECTOR, world.board)
    head_account.person = world.head  # the head of the delegation has an account
    db.session.commit()
    due_task(-7)
    scan(settings)
    escalated = {u for u, t, k, _, _ in notes() if k == "escalated"}
    # The district committee has a leader, so the provincial leader above it is not disturbed.
    assert escalated == {"leader.budop", "huan", "inspector"}


def test_escalation_climbs_to_the_nearest_body_that_has_leaders(due_task, world, settings):
    task = due_task(-8)
    scan(settings)
    assert {u for u, t, k, _, _ in notes() if k == "escalated" and t == task.id} == {"leader", "inspector"}


def test_inactive_accounts_are_not_reminded(due_task, world, settings):
    world.office.is_active = False
    world.leader.is_active = False
    db.session.commit()
    due_task(-8)
    scan(settings)
    assert {u for u, *_ in notes()} == {"inspector"}


@pytest.mark.parametrize(("after", "overdue_days", "escalated"), [(7, 6, False), (7, 7, True), (3, 3, True)])
def test_escalation_waits_for_the_configured_number_of_overdue_days(
    due_task, world, after, overdue_days, escalated
):
    task = due_task(-overdue_days)
    scan(ReminderSettings(escalate_after_days=after))
    assert any(k == "escalated" and t == task.id for _, t, k, _, _ in notes()) is escalated


def _report(task, world):
    task_flow.report_task_done(task, world.office, note="Đã làm xong.", now=at(day(-20)))


def test_done_cancelled_paused_and_reported_tasks_get_nothing(due_task, world, settings):
    done, cancelled, paused, reported = (due_task(offset) for offset in (-10, -10, 1, 3))
    _report(done, world)
    task_flow.verify_task(done, world.inspector, now=at(day(-19)))
    task_flow.cancel_task(cancelled, world.inspector, reason="Không còn cần thiết.")
    task_flow.pause_task(paused, world.inspector, reason="Chờ hướng dẫn mới.")
    _report(reported, world)
    db.session.commit()
    assert scan(settings).total == 0
    assert notes() == set()


def test_a_resumed_task_is_reminded_again(due_task, world, settings):
    task = due_task(-2)
    task_flow.pause_task(task, world.inspector, reason="Chờ hướng dẫn mới.")
    db.session.commit()
    scan(settings)
    task_flow.resume_task(task, world.inspector)
    db.session.commit()
    scan(settings, day(1))
    assert ("office", task.id, "overdue", day(-2), False) in notes()


def test_an_approved_extension_re_arms_the_reminders_for_the_new_date(due_task, world, settings):
    task = due_task(1)
    scan(settings)
    extension = task_flow.request_extension(task, world.office, new_due_on=day(10), reason="Chờ số liệu.")
    task_flow.decide_extension(extension, world.inspector, approve=True)
    db.session.commit()
    scan(settings, day(2))  # the old date has passed, but it is no longer in force: nothing overdue
    scan(settings, day(3))  # 7 days before the new date
    scan(settings, day(9))
    scan(settings, day(11))
    office = sorted((k, d) for u, t, k, d, _ in notes() if u == "office")
    assert office == [
        ("due_in_1", day(1)),
        ("due_in_1", day(10)),
        ("due_in_7", day(10)),
        ("overdue", day(10)),
    ]


def test_a_refused_extension_changes_nothing(due_task, world, settings):
    task = due_task(1)
    extension = task_flow.request_extension(task, world.office, new_due_on=day(10), reason="Chờ số liệu.")
    task_flow.decide_extension(extension, world.inspector, approve=False)
    db.session.commit()
    scan(settings, day(2))
    assert ("office", task.id, "overdue", day(1), False) in notes()


def test_a_returned_task_is_notified_at_once_and_reminded_again(due_task, world, settings):
    task = due_task(2)
    _report(task, world)
    db.session.commit()
    assert scan(settings).total == 0  # reported: waiting for the inspecting side
    task_flow.return_task(task, world.inspector, note="Thiếu danh sách tuyên truyền viên.", now=at(TODAY, 10))
    db.session.commit()
    returned = db.session.execute(
        select(User.username, Notification.key_on)
        .join(User, User.id == Notification.recipient_id)
        .where(Notification.kind == K.RETURNED)
    ).all()
    assert returned == [("office", TODAY)]  # in the inbox at once, not at the next scan
    scan(settings, day(1))
    assert ("office", task.id, "due_in_1", day(2), False) in notes()


def test_the_task_log_records_each_reminder_and_escalation_once(due_task, world, settings):
    task = due_task(-7, coordinating=[world.district_culture])
    scan(settings)
    scan(settings)
    events = db.session.execute(
        select(TaskEvent.kind, TaskEvent.note).where(
            TaskEvent.task_id == task.id, TaskEvent.kind != TaskEventKind.CREATED
        )
    ).all()
    assert sorted(events) == [
        (TaskEventKind.ESCALATED, "Quá hạn 7 ngày (hạn 24/11/2023): đã báo lãnh đạo (2 người nhận)."),
        (TaskEventKind.REMINDER_SENT, "Nhắc việc: đã quá hạn 24/11/2023 (3 người nhận)."),
    ]


def test_the_scan_runs_the_same_number_of_queries_for_two_tasks_or_twenty(
    due_task, world, settings, query_counter
):
    def count_for(n, today):
        for index in range(n):
            due_task(-7 + index % 12)
        with query_counter() as counted:
            reminders.scan_deadlines(today, settings, now=at(today, 7))
        db.session.commit()
        return counted.count

    assert count_for(2, TODAY) == count_for(20, day(1))


# The run ledger ----------------------------------------------------------------------------------


def test_a_fresh_running_claim_is_left_alone_and_a_stale_one_is_taken_over(world):
    started = at(TODAY, 7)
    assert reminders.claim_run("deadline_scan", "2023-12-01", started).owned
    db.session.commit()
    two_hours_later = reminders.claim_run("deadline_scan", "2023-12-01", started + timedelta(hours=2))
    assert not two_hours_later.owned
    assert two_hours_later.status is JobRunStatus.RUNNING
    four_hours_later = reminders.claim_run("deadline_scan", "2023-12-01", started + timedelta(hours=4))
    assert four_hours_later.owned and four_hours_later.retaken
    db.session.commit()
    assert db.session.get(JobRun, ("deadline_scan", "2023-12-01")).started_at == started + timedelta(hours=4)


def test_a_failed_claim_is_taken_over_at_once_and_a_finished_one_never(world):
    now = at(TODAY, 7)
    claim = reminders.claim_run("digest:1", "2023-12-01", now)
    reminders.close_run(claim, JobRunStatus.FAILED, "554 refused", now)
    db.session.commit()
    retry = reminders.claim_run("digest:1", "2023-12-01", now + timedelta(minutes=30))
    assert retry.owned and retry.retaken
    reminders.close_run(retry, JobRunStatus.FINISHED, "sent", now)
    db.session.commit()
    later = reminders.claim_run("digest:1", "2023-12-01", now + timedelta(days=2))
    assert not later.owned and later.status is JobRunStatus.FINISHED


def test_a_run_taken_over_cannot_be_closed_by_the_process_that_lost_it(world):
    started = at(TODAY, 7)
    slow = reminders.claim_run("deadline_scan", "2023-12-01", started)
    db.session.commit()
    rescuer = reminders.claim_run("deadline_scan", "2023-12-01", started + timedelta(hours=5))
    db.session.commit()
    assert not reminders.close_run(slow, JobRunStatus.FINISHED, "late", started + timedelta(hours=6))
    assert reminders.close_run(rescuer, JobRunStatus.FINISHED, "done", started + timedelta(hours=5))
    db.session.commit()
    assert db.session.get(JobRun, ("deadline_scan", "2023-12-01")).summary == "done"


def test_old_digest_claims_are_pruned_and_scan_runs_kept(world):
    old, recent = day(-61), day(-59)
    for key in (old, recent):
        claim = reminders.claim_run("digest:1", key.isoformat(), at(key, 7))
        reminders.close_run(claim, JobRunStatus.FINISHED, "sent", at(key, 7))
        reminders.claim_run("deadline_scan", key.isoformat(), at(key, 7))
    assert reminders.prune_digest_ledger(TODAY) == 1
    db.session.commit()
    keys = set(db.session.execute(select(JobRun.job_name, JobRun.period_key)))
    assert keys == {
        ("digest:1", recent.isoformat()),
        ("deadline_scan", old.isoformat()),
        ("deadline_scan", recent.isoformat()),
    }


@pytest.mark.parametrize("days", [(14, 7), (2,), (7, 0)])
def test_reminder_days_without_a_notification_kind_are_refused(days):
    with pytest.raises(ValueError, match="REMINDER_DAYS"):
        ReminderSettings(reminder_days=days)


def test_reminder_days_may_be_a_subset_in_any_order():
    windows = ReminderSettings(reminder_days=(1, 7)).windows(TODAY)
    assert windows == [(K.DUE_IN_7, day(2), day(7)), (K.DUE_IN_1, day(0), day(1))]
