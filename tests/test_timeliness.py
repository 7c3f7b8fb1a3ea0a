"""Timeliness rules with a fixed today, and the SQL counts checked against the rules."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from models import db
from models.enums import TaskStatus, Timeliness
from tests.conftest import at
from workflows import tasks as task_flow
from workflows.timeliness import count_timeliness, days_overdue, timeliness_of, timeliness_on

TODAY = date(2023, 12, 15)


def finish(task, world, reported_on):
    """Report the task on ``reported_on`` and have the inspector accept it two days later."""
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(reported_on))
    task_flow.verify_task(task, world.inspector, now=at(reported_on + timedelta(days=2)))


@pytest.mark.parametrize(
    ("due_on", "expected"),
    [
        (TODAY, Timeliness.DUE_SOON),  # due today is not yet overdue
        (TODAY - timedelta(days=1), Timeliness.OVERDUE),  # due yesterday is overdue
        (TODAY + timedelta(days=3), Timeliness.DUE_SOON),  # three days left is "due soon"
        (TODAY + timedelta(days=4), Timeliness.WITHIN),
        (None, Timeliness.NO_DEADLINE),
    ],
)
def test_an_open_task_is_classified_by_the_days_left(create_task, due_on, expected):
    task = create_task(due_on=due_on)
    assert timeliness_of(task, TODAY) is expected


def test_a_task_done_on_its_due_date_is_on_time(create_task, world):
    task = create_task(due_on=date(2023, 12, 1))
    finish(task, world, date(2023, 12, 1))
    assert task.completed_on == date(2023, 12, 1)
    assert timeliness_of(task, TODAY) is Timeliness.ON_TIME


def test_a_task_done_a_day_late_is_late(create_task, world):
    task = create_task(due_on=date(2023, 12, 1))
    finish(task, world, date(2023, 12, 2))
    assert timeliness_of(task, TODAY) is Timeliness.LATE


def test_completion_counts_the_day_of_the_report_not_of_the_verification(create_task, world):
    task = create_task(due_on=date(2023, 12, 1))
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(date(2023, 11, 30)))
    task_flow.verify_task(task, world.inspector, now=at(date(2023, 12, 10)))
    assert timeliness_of(task, TODAY) is Timeliness.ON_TIME


def test_the_report_day_is_the_vietnamese_calendar_day(create_task, world):
    task = create_task(due_on=date(2023, 12, 1))
    # Midnight of 02/12 in Vietnam is still 01/12 in UTC: the local day decides.
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(date(2023, 12, 2), hour=0))
    task_flow.verify_task(task, world.inspector, now=at(date(2023, 12, 3)))
    assert task.completed_on == date(2023, 12, 2)
    assert timeliness_of(task, TODAY) is Timeliness.LATE


def test_an_extended_task_done_by_the_new_date_is_on_time_but_late_against_the_original(create_task, world):
    task = create_task(due_on=date(2023, 12, 1))
    extension = task_flow.request_extension(
        task, world.office, new_due_on=date(2023, 12, 20), reason="Chờ số liệu.", now=at(date(2023, 11, 25))
    )
    task_flow.decide_extension(extension, world.inspector, approve=True, now=at(date(2023, 11, 26)))
    finish(task, world, date(2023, 12, 10))
    db.session.flush()
    assert task.original_due_on == date(2023, 12, 1)
    assert timeliness_of(task, TODAY) is Timeliness.ON_TIME
    counts = count_timeliness(db.session, TODAY)
    assert (counts.on_time, counts.on_time_original) == (1, 0)


def test_a_cancelled_task_counts_nowhere(create_task, world):
    task = create_task()
    task_flow.cancel_task(task, world.inspector, reason="Không còn cần thiết.", now=at(TODAY))
    db.session.flush()
    assert timeliness_of(task, TODAY) is None
    assert count_timeliness(db.session, TODAY).total == 0


def test_days_overdue_counts_from_the_day_after_the_due_date(create_task):
    task = create_task(due_on=date(2023, 12, 10))
    assert days_overdue(task, date(2023, 12, 10)) == 0
    assert days_overdue(task, date(2023, 12, 11)) == 1
    assert days_overdue(task, TODAY) == 5


def test_the_sql_counts_agree_with_the_rules_task_by_task(create_task, world):
    tasks = [create_task(due_on=TODAY + timedelta(days=offset)) for offset in (-30, -1, 0, 2, 3, 4, 40)]
    tasks.append(create_task(due_on=None))
    finish(tasks[0], world, TODAY - timedelta(days=40))  # on time
    finish(tasks[1], world, TODAY - timedelta(days=1))  # on time, on the due date
    late = create_task(due_on=TODAY - timedelta(days=10))
    finish(late, world, TODAY - timedelta(days=2))
    tasks.append(late)
    db.session.flush()

    expected: dict[str, int] = {}
    for task in tasks:
        category = timeliness_on(task, TODAY)
        assert category is not None
        expected[category.value] = expected.get(category.value, 0) + 1
    counts = count_timeliness(db.session, TODAY)
    for category in Timeliness:
        assert getattr(counts, category.value) == expected.get(category.value, 0), category
    assert counts.total == len(tasks)
    # The task reported yesterday is verified tomorrow: on TODAY it waits, reported on time.
    assert counts.done == 2
    assert counts.awaiting_on_time == 1


def test_completion_rate_is_done_over_done_plus_overdue(create_task, world):
    done = create_task(due_on=TODAY - timedelta(days=5))
    finish(done, world, TODAY - timedelta(days=6))
    create_task(due_on=TODAY - timedelta(days=1))  # overdue
    create_task(due_on=TODAY + timedelta(days=30))  # within: not in the base
    db.session.flush()
    counts = count_timeliness(db.session, TODAY)
    assert counts.completion_rate == pytest.approx(1 / 2)
    assert counts.share("within") == pytest.approx(1 / 3)


def test_an_empty_scope_has_no_rate(world):
    counts = count_timeliness(db.session, TODAY, world.other_district)
    assert counts.total == 0
    assert counts.completion_rate is None


def test_counts_for_a_subtree_leave_out_other_districts(create_task, create_visit, world):
    create_task(due_on=TODAY - timedelta(days=2))
    visit = create_visit(inspected_org=world.other_district, reference="KT-LN")
    from workflows import visits as visit_flow

    directive = visit_flow.issue_directive(visit, world.inspector, body="Báo cáo định kỳ.")
    task_flow.assign_task(
        directive, world.inspector, lead_org=world.other_office, due_on=TODAY, now=at(TODAY)
    )
    db.session.flush()
    assert count_timeliness(db.session, TODAY, world.district).overdue == 1
    assert count_timeliness(db.session, TODAY, world.district).total == 1
    assert count_timeliness(db.session, TODAY, world.other_district).total == 1
    # The inspecting board answers for every task of its visits.
    assert count_timeliness(db.session, TODAY, world.board).total == 2
    assert count_timeliness(db.session, TODAY, world.province).total == 2


def test_the_counts_take_one_query_whatever_the_number_of_tasks(create_task, query_counter):
    for _ in range(5):
        create_task(due_on=TODAY)
    db.session.flush()
    with query_counter() as counted:
        count_timeliness(db.session, TODAY)
    few = counted.count
    for _ in range(20):
        create_task(due_on=TODAY)
    db.session.flush()
    with query_counter() as counted:
        count_timeliness(db.session, TODAY)
    assert counted.count == few == 1


def test_a_paused_task_still_counts_against_its_deadline(create_task, world):
    task = create_task(due_on=TODAY - timedelta(days=3))
    task_flow.pause_task(task, world.inspector, reason="Chờ hướng dẫn.")
    assert task.status is TaskStatus.PAUSED
    assert timeliness_of(task, TODAY) is Timeliness.OVERDUE
