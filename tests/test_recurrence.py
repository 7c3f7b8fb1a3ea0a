"""Recurring report duties: due dates across month ends and leap years, each period's task created
once however often (and however concurrently) the scan runs, stopping keeps history, counts include
the tasks, and bad input is refused with nothing written."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import func, select

from models import AuditEntry, Recurrence, Task, TaskEvent, Visit, db
from models.enums import RecurrencePeriod, TaskEventKind, TaskStatus
from models.recurrence import due_date, period_name, period_start
from tests.conftest import World, at
from workflows import recurrence as duty_flow
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.timeliness import EVERYTHING, Period, count_tasks

M, Q, H, Y = (
    RecurrencePeriod.MONTHLY,
    RecurrencePeriod.QUARTERLY,
    RecurrencePeriod.HALF_YEARLY,
    RecurrencePeriod.YEARLY,
)


@pytest.mark.parametrize(
    ("period", "start", "day", "due"),
    [
        (M, date(2024, 2, 1), 31, date(2024, 2, 29)),  # leap year: the month's last day
        (M, date(2023, 2, 1), 31, date(2023, 2, 28)),
        (M, date(2023, 2, 1), 29, date(2023, 2, 28)),  # 29 February in a common year
        (M, date(2024, 2, 1), 29, date(2024, 2, 29)),
        (M, date(2024, 4, 1), 31, date(2024, 4, 30)),
        (M, date(2024, 5, 1), 25, date(2024, 5, 25)),
        (M, date(2024, 12, 1), 31, date(2024, 12, 31)),
        (Q, date(2024, 1, 1), 31, date(2024, 3, 31)),
        (Q, date(2024, 4, 1), 31, date(2024, 6, 30)),
        (H, date(2024, 7, 1), 20, date(2024, 12, 20)),
        (Y, date(2025, 1, 1), 15, date(2025, 12, 15)),
    ],
)
def test_due_date_is_the_day_of_the_periods_last_month_or_its_last_day(period, start, day, due):
    assert due_date(period, start, day) == due


def test_periods_start_on_their_first_day_and_are_named_as_offices_name_them():
    assert period_start(M, date(2024, 5, 31)) == date(2024, 5, 1)
    assert period_start(Q, date(2024, 5, 31)) == date(2024, 4, 1)
    assert period_start(H, date(2024, 12, 31)) == date(2024, 7, 1)
    assert period_start(Y, date(2024, 2, 29)) == date(2024, 1, 1)
    assert period_name(M, date(2024, 5, 1), "vi") == "05/2024"
    assert period_name(Q, date(2024, 4, 1), "vi") == "quý II/2024"
    assert period_name(H, date(2024, 7, 1), "vi") == "6 tháng cuối năm 2024"
    assert period_name(Y, date(2024, 1, 1), "vi") == "năm 2024"


def _directive(create_visit: Callable[..., Visit], world: World, **visit_fields: Any):
    visit = create_visit(**visit_fields)
    return visit_flow.issue_directive(
        visit,
        world.inspector,
        title="Báo cáo dư luận xã hội",
        body="Gửi báo cáo tình hình dư luận xã hội trước ngày 25 hằng tháng.",
    )


def _set(directive, world: World, **overrides: Any) -> Recurrence:
    fields: dict[str, Any] = {
        "period": "monthly",
        "due_day": 31,
        "first_period": date(2023, 11, 1),
        "last_period": date(2024, 4, 30),
        "lead_org": world.district_office,
        "coordinating": [world.district_culture],
        "now": at(date(2023, 7, 1)),
    }
    fields.update(overrides)
    return duty_flow.set_recurrence(directive, world.inspector, **fields)


def _recurring_tasks() -> list[Task]:
    return list(
        db.session.scalars(select(Task).where(Task.recurrence_id.is_not(None)).order_by(Task.period_start))
    )


def test_each_begun_period_gets_one_task_due_on_the_rule_across_month_ends_and_a_leap_february(
    world, create_visit
):
    directive = _directive(create_visit, world)
    _set(directive, world)
    db.session.commit()

    created = duty_flow.create_due_tasks(db.session, date(2024, 3, 1))
    db.session.commit()

    tasks = _recurring_tasks()
    assert len(created) == 5
    assert [t.due_on for t in tasks] == [
        date(2023, 11, 30),
        date(2023, 12, 31),
        date(2024, 1, 31),
        date(2024, 2, 29),
        date(2024, 3, 31),
    ]
    march = tasks[-1]
    assert march.title == "Báo cáo dư luận xã hội – kỳ 03/2024"
    assert march.period_name == "03/2024"
    assert march.status is TaskStatus.ASSIGNED
    assert march.lead_org == world.district_office
    assert march.coordinating_orgs == [world.district_culture]
    assert march.assigned_by == world.inspector
    created_event = db.session.scalars(select(TaskEvent).where(TaskEvent.task_id == march.id)).one()
    assert created_event.kind is TaskEventKind.CREATED
    assert created_event.created_at == at(date(2024, 3, 1), 0)

    # The last period (April) is created when it begins, and nothing after it.
    duty_flow.create_due_tasks(db.session, date(2024, 9, 1))
    db.session.commit()
    assert [t.period_start for t in _recurring_tasks()][-1] == date(2024, 4, 1)
    assert len(_recurring_tasks()) == 6


def test_the_scan_run_twice_creates_each_task_once(world, create_visit):
    _set(_directive(create_visit, world), world)
    db.session.commit()
    first = duty_flow.create_due_tasks(db.session, date(2024, 1, 15))
    db.session.commit()
    second = duty_flow.create_due_tasks(db.session, date(2024, 1, 15))
    db.session.commit()
    assert len(first) == 3 and second == []
    assert db.session.scalar(select(func.count(Task.id))) == 3
    assert db.session.scalar(select(func.count(TaskEvent.id))) == 3


def test_the_scan_run_concurrently_creates_each_task_once(app: Flask, world, create_visit):
    _set(_directive(create_visit, world), world)
    db.session.commit()
    barrier = threading.Barrier(4)
    results: list[list[int]] = []
    errors: list[BaseException] = []

    def scan() -> None:
        try:
            with app.app_context():
                barrier.wait()
                results.append(duty_flow.create_due_tasks(db.session, date(2024, 4, 2)))
                db.session.commit()
                db.session.remove()
        except BaseException as error:  # pragma: no cover - reported below
            errors.append(error)

    threads = [threading.Thread(target=scan) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    assert sum(len(r) for r in results) == 6
    db.session.expire_all()
    starts = [t.period_start for t in _recurring_tasks()]
    assert len(starts) == 6 == len(set(starts))
    assert db.session.scalar(select(func.count(TaskEvent.id))) == 6


def test_stopping_creates_no_further_task_and_keeps_the_created_ones(world, create_visit):
    directive = _directive(create_visit, world)
    duty = _set(directive, world, last_period=None)
    db.session.commit()
    duty_flow.create_due_tasks(db.session, date(2023, 12, 5))
    december = _recurring_tasks()[-1]
    task_flow.start_task(december, world.office, now=at(date(2023, 12, 6)))
    duty_flow.stop_recurrence(duty, world.inspector, now=at(date(2023, 12, 10)))
    db.session.commit()

    assert duty_flow.create_due_tasks(db.session, date(2024, 6, 1)) == []
    db.session.commit()
    tasks = _recurring_tasks()
    assert [t.period_start for t in tasks] == [date(2023, 11, 1), date(2023, 12, 1)]
    assert tasks[-1].status is TaskStatus.IN_PROGRESS
    assert directive.running_recurrence is None
    actions = db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)).all()
    assert actions[-2:] == ["recurrence_set", "recurrence_stopped"]
    with pytest.raises(InvalidState, match="đã dừng"):
        duty_flow.stop_recurrence(duty, world.inspector)
    # A new duty may follow the stopped one.
    _set(directive, world, first_period=date(2024, 7, 1), last_period=None)
    db.session.commit()


def test_counts_include_recurring_tasks_from_their_period(world, create_visit):
    _set(_directive(create_visit, world), world)
    db.session.commit()
    duty_flow.create_due_tasks(db.session, date(2024, 2, 10))
    db.session.commit()
    feb = count_tasks(
        db.session, world.district, Period(date(2024, 2, 1), date(2024, 2, 29)), date(2024, 2, 10)
    )
    assert feb[()].total == 1 and feb[()].open_within == 1
    everything = count_tasks(db.session, world.district, EVERYTHING, date(2024, 2, 10))[()]
    assert everything.total == 4
    assert everything.overdue == 3  # November, December and January were never reported
    before = count_tasks(db.session, world.district, EVERYTHING, date(2023, 12, 15))[()]
    assert before.total == 2  # as of 15/12/2023 only November and December had begun


def test_only_the_inspecting_side_sets_a_duty_and_only_one_runs_at_a_time(world, create_visit):
    directive = _directive(create_visit, world)
    for user, refusal in ((world.leader, PermissionDenied), (world.office, OutOfScope)):
        with pytest.raises(refusal):
            duty_flow.set_recurrence(
                directive,
                user,
                period="monthly",
                due_day=25,
                first_period=date(2024, 1, 1),
                last_period=None,
                lead_org=world.district_office,
            )
    _set(directive, world)
    with pytest.raises(InvalidState, match="đang có lịch"):
        _set(directive, world)


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"first_period": date(2024, 5, 1), "last_period": date(2024, 4, 30)},
            "Kỳ đầu tiên .* sau kỳ cuối cùng",
        ),
        ({"period": "weekly"}, "Kỳ báo cáo «weekly» không hợp lệ"),
        ({"due_day": 32}, "Ngày hạn báo cáo phải từ 1 đến 31"),
        ({"due_day": 0}, "Ngày hạn báo cáo phải từ 1 đến 31"),
        ({"first_period": date(2023, 1, 1)}, "Hạn thực hiện không được trước ngày kiểm tra"),
        ({"first_period": date(2024, 1, 1), "last_period": date(2040, 1, 1)}, "tối đa 120 kỳ"),
    ],
)
def test_bad_input_is_refused_in_vietnamese_and_nothing_is_written(world, create_visit, overrides, message):
    directive = _directive(create_visit, world)
    db.session.commit()
    audits = db.session.scalar(select(func.count(AuditEntry.id)))
    with pytest.raises(ValidationFailed, match=message):
        _set(directive, world, **overrides)
    db.session.rollback()
    assert db.session.scalar(select(func.count(Recurrence.id))) == 0
    assert db.session.scalar(select(func.count(AuditEntry.id))) == audits


def test_the_daily_job_creates_the_periods_tasks_before_its_reminders(app: Flask, world, create_visit):
    from app.reminders import jobs
    from models import Notification
    from models.enums import NotificationKind

    _set(_directive(create_visit, world), world, due_day=5)
    db.session.commit()
    db.session.close()
    report = jobs.run_deadline_job(app, date(2024, 3, 2), at(date(2024, 3, 2), 7))
    assert len(report.recurring) == 5
    march = db.session.scalars(select(Task).where(Task.period_start == date(2024, 3, 1))).one()
    kinds = set(db.session.scalars(select(Notification.kind).where(Notification.task_id == march.id)))
    assert {NotificationKind.ASSIGNED, NotificationKind.DUE_IN_3} <= kinds  # due 05/03, three days on
    db.session.commit()  # end the read transaction before the job opens its own
    again = jobs.run_deadline_job(app, date(2024, 3, 2), at(date(2024, 3, 2), 8))
    assert again.recurring == []


def test_the_demo_reports_monthly_through_one_recurring_duty(runner):
    assert runner.invoke(args=["load-demo", "--today", "2026-11-26"]).exit_code == 0
    duty = db.session.scalars(select(Recurrence)).one()
    assert duty.period is RecurrencePeriod.MONTHLY and duty.due_day == 25
    assert duty.directive.title == "Báo cáo dư luận xã hội hằng tháng"
    tasks = duty.directive.tasks
    assert tasks and all(t.recurrence_id == duty.id for t in tasks)
    assert [t.period_name for t in tasks] == ["11/2026"]  # visited 12/10/2026: from November on
    assert tasks[0].due_on == date(2026, 11, 25)


@pytest.mark.slow
def test_processes_running_the_daily_job_at_once_create_each_task_once(
    database_url, tmp_path, world, create_visit
):
    import multiprocessing

    from tests._recurrence_workers import run_day_in_process

    _set(_directive(create_visit, world), world)
    db.session.commit()
    db.session.close()
    config = {"DATABASE_URL": database_url, "SECRET_KEY": "worker", "INSTANCE_PATH": str(tmp_path)}
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(3), context.Queue()
    workers = [
        context.Process(target=run_day_in_process, args=(config, "2024-04-02", barrier, results))
        for _ in range(3)
    ]
    for worker in workers:
        worker.start()
    created = [results.get(timeout=180) for _ in workers]
    for worker in workers:
        worker.join(timeout=60)
        assert worker.exitcode == 0
    assert sum(created) == 6
    starts = [t.period_start for t in _recurring_tasks()]
    assert len(starts) == 6 == len(set(starts))
    created_events = select(func.count(TaskEvent.id)).where(TaskEvent.kind == TaskEventKind.CREATED)
    assert db.session.scalar(created_events) == 6  # the day's reminders log their own lines
