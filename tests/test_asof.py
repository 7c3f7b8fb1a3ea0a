"""One selection and one clock: every count is a task's state on a day, rebuilt from its history,
and the dashboard, ``kiemtra stats`` and the leadership summary count the same tasks."""

from __future__ import annotations

import json
import random
from collections import Counter
from datetime import date, timedelta

import pytest

from models import Organization, Task, TaskCount, TaskCountAll, TaskCountDay, db
from models.enums import Timeliness
from tests.board.test_task_list import count_of
from tests.conftest import VISIT_DAY, at
from workflows import counts, reach, reminders
from workflows import dashboard as numbers
from workflows import tasks as task_flow
from workflows.clock import local_today
from workflows.documents import summary_facts
from workflows.reminders import ReminderSettings
from workflows.timeliness import (
    EVERYTHING,
    Period,
    count_live,
    count_tasks,
    count_timeliness,
    in_category,
    timeliness_on,
)

T = Timeliness


def _day(month: int, day: int) -> date:
    return date(2023, month, day)


def _replay(task: Task, first: date, last: date) -> list[tuple[date, Timeliness | None, Timeliness | None]]:
    """Each day's category by the Python rule and by the SQL count of that one task."""
    rows = []
    day = first
    while day <= last:
        sql = None
        for category in Timeliness:
            hit = db.session.scalar(
                Task.__table__.select()
                .with_only_columns(Task.id)
                .where(Task.id == task.id, in_category(category.value, day))
            )
            if hit is not None:
                assert sql is None, f"{day}: in {sql} and {category}"
                sql = category
        rows.append((day, timeliness_on(task, day), sql))
        day += timedelta(days=1)
    return rows


def test_a_task_history_replayed_day_by_day(world, create_task):
    task = create_task(due_on=_day(7, 15), now=at(_day(7, 1)))
    office, inspector = world.office, world.inspector
    task_flow.start_task(task, office, now=at(_day(7, 3)))
    task_flow.report_task_done(task, office, note="Xong.", now=at(_day(7, 10)))
    task_flow.return_task(task, inspector, note="Thiếu minh chứng.", now=at(_day(7, 12)))
    extension = task_flow.request_extension(
        task, office, new_due_on=_day(7, 30), reason="Chờ số liệu.", now=at(_day(7, 13))
    )
    task_flow.decide_extension(extension, inspector, approve=True, now=at(_day(7, 14)))
    task_flow.report_task_done(task, office, note="Đã bổ sung.", now=at(_day(7, 20)))
    task_flow.verify_task(task, inspector, now=at(_day(7, 25)))
    db.session.flush()

    expected: dict[date, Timeliness | None] = {_day(6, 30): None}
    for d in range(1, 32):
        day = _day(7, d)
        if day < _day(7, 10):
            expected[day] = T.WITHIN if (_day(7, 15) - day).days > 3 else T.DUE_SOON
        elif day < _day(7, 12):
            expected[day] = T.AWAITING_ON_TIME  # reported before the due date, not yet answered
        elif day < _day(7, 14):
            expected[day] = T.DUE_SOON  # returned: two and one days before 15/07
        elif day < _day(7, 20):
            expected[day] = T.WITHIN  # extended to 30/07
        elif day < _day(7, 25):
            expected[day] = T.AWAITING_ON_TIME
        else:
            expected[day] = T.ON_TIME
    for day, python, sql in _replay(task, _day(6, 30), _day(7, 31)):
        assert python is expected[day], day
        assert sql is expected[day], day


def test_a_report_after_the_due_date_waits_as_late_never_as_overdue(world, create_task):
    task = create_task(due_on=_day(7, 15), now=at(_day(7, 1)))
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(_day(7, 18)))
    task_flow.verify_task(task, world.inspector, now=at(_day(8, 30)))
    db.session.flush()
    rows = {day: sql for day, _, sql in _replay(task, _day(7, 16), _day(8, 31))}
    assert rows[_day(7, 17)] is T.OVERDUE
    assert {rows[_day(7, d)] for d in range(18, 32)} == {T.AWAITING_LATE}
    assert rows[_day(8, 30)] is T.LATE
    counts = count_timeliness(db.session, _day(8, 1))
    assert (counts.overdue, counts.awaiting_late, counts.completion_rate) == (0, 1, None)


def test_a_task_done_after_the_as_of_day_is_not_done_on_it(world, create_task, runner):
    """The issue's example: completed 10/01/2024, counted as of 31/12/2023."""
    task = create_task(due_on=date(2023, 12, 15), now=at(_day(7, 1)))
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(date(2024, 1, 10)))
    task_flow.verify_task(task, world.inspector, now=at(date(2024, 1, 11)))
    db.session.commit()
    result = runner.invoke(args=["stats", "--today", "2023-12-31", "--org", "HU-BUDOP", "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["on_time"], data["late"], data["overdue"]) == (0, 0, 1)


def test_a_cancelled_task_counted_until_the_day_it_was_cancelled(world, create_task):
    task = create_task(due_on=_day(9, 1), now=at(_day(7, 1)))
    task_flow.cancel_task(task, world.inspector, reason="Không còn cần thiết.", now=at(_day(8, 1)))
    db.session.flush()
    assert count_timeliness(db.session, _day(7, 31)).total == 1
    assert count_timeliness(db.session, _day(8, 1)).total == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--today", "2099-01-01"], "tương lai"),
        (["--today", "2000-01-01"], "trước ngày có dữ liệu đầu tiên"),
        (["--from", "2023-12-01", "--to", "2023-11-01"], "không được trước ngày bắt đầu"),
    ],
)
def test_stats_refuses_a_day_outside_the_records_and_a_backwards_period(
    world, create_task, runner, args, message
):
    create_task(now=at(_day(7, 1)))
    db.session.commit()
    result = runner.invoke(args=["stats", *args])
    assert result.exit_code != 0
    assert message in result.output


# ------------------------------------------------------------------- random histories, one count


def _random_history(rng: random.Random, world, create_task, leads: list[Organization]) -> None:
    created = VISIT_DAY + timedelta(days=rng.randint(0, 120))
    due = None if rng.random() < 0.15 else created + timedelta(days=rng.randint(0, 90))
    task = create_task(due_on=due, lead_org=rng.choice(leads), now=at(created))
    office = world.office if task.lead_org is world.district_office else world.coordinator
    if task.lead_org is world.other_office:
        office = world.other_office_user
    day = created
    for _ in range(rng.randint(0, 6)):
        day += timedelta(days=rng.randint(1, 25))
        status = task.status.value
        roll = rng.random()
        if status in ("assigned", "in_progress", "returned"):
            if roll < 0.45:
                task_flow.report_task_done(task, office, note="Xong.", now=at(day))
            elif roll < 0.6 and task.due_on and not task.extensions:
                ext = task_flow.request_extension(
                    task, office, new_due_on=task.due_on + timedelta(days=20), reason="Lý do.", now=at(day)
                )
                day += timedelta(days=1)
                task_flow.decide_extension(ext, world.inspector, approve=roll < 0.55, now=at(day))
            elif roll < 0.7:
                task_flow.cancel_task(task, world.inspector, reason="Thôi.", now=at(day))
            elif roll < 0.8:
                task_flow.pause_task(task, world.inspector, reason="Chờ.", now=at(day))
            elif status != "in_progress":
                task_flow.start_task(task, office, now=at(day))
        elif status == "reported":
            if roll < 0.6:
                task_flow.verify_task(task, world.inspector, now=at(day))
            else:
                task_flow.return_task(task, world.inspector, note="Chưa đạt.", now=at(day))
        elif status == "paused":
            task_flow.resume_task(task, world.inspector, now=at(day))


def _in_scope(task: Task, scope: Organization) -> bool:
    inspecting = task.directive.visit.inspecting_org
    return task.lead_org.path.startswith(scope.path) or inspecting.path.startswith(scope.path)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_dashboard_stats_and_summary_count_the_same_tasks_for_random_scopes_periods_and_days(
    world, create_task, runner, seed
):
    rng = random.Random(seed)
    leads = [world.district_office, world.district_culture, world.other_office]
    for _ in range(40):
        _random_history(rng, world, create_task, leads)
    db.session.commit()
    tasks = db.session.scalars(db.select(Task)).all()
    scopes = [world.province, world.district, world.other_district, world.board, world.district_culture]
    for _ in range(6):
        scope = rng.choice(scopes)
        start = VISIT_DAY + timedelta(days=rng.randint(0, 100))
        end = start + timedelta(days=rng.randint(0, 100))
        as_of = end + timedelta(days=rng.randint(0, 200))
        period = Period(start, end)

        expected = Counter()
        for task in tasks:
            assigned = task.created_at.astimezone(at(start).tzinfo).date()
            if _in_scope(task, scope) and start <= assigned <= end:
                category = timeliness_on(task, as_of)
                if category is not None:
                    expected[category.value] += 1

        (counts,) = count_tasks(db.session, scope, period, as_of).values() or [None]
        one = {c.value: getattr(counts, c.value) if counts else 0 for c in Timeliness}
        assert one == {c.value: expected[c.value] for c in Timeliness}, (scope.code, start, end, as_of)

        selection = numbers.Selection.of(scope, start, end)
        dashboard = numbers.total_of(u.counts for u in numbers.table_by_lead_unit(selection, as_of, 3))
        assert {c.value: getattr(dashboard, c.value) for c in Timeliness} == one

        summary = summary_facts(scope, start, end, as_of).totals
        assert {c.value: getattr(summary, c.value) for c in Timeliness} == one
        assert sum(u.counts.total for u in summary_facts(scope, start, end, as_of).units) == summary.total

        result = runner.invoke(
            args=[
                "stats",
                "--today",
                as_of.isoformat(),
                "--org",
                scope.code,
                "--from",
                start.isoformat(),
                "--to",
                end.isoformat(),
                "--json",
            ]
        )
        assert result.exit_code == 0, result.output
        data = json.loads(result.output)
        assert {c.value: data[c.value] for c in Timeliness} == one


# ---------------------------------------------------------------- the kept counts and the live count


def _random_period(rng: random.Random, today: date) -> Period:
    """A period of whole months (the kept counts answer), of any days (the tasks are counted), or open."""
    first = VISIT_DAY.replace(day=1)
    start = first.replace(month=first.month + rng.randint(0, 4)) if rng.random() < 0.7 else None
    if start is not None and rng.random() < 0.2:
        start += timedelta(days=rng.randint(1, 20))
    roll = rng.random()
    if roll < 0.3:
        return Period(start, None)
    if roll < 0.45:
        return Period(start, today)
    base = start or first
    end = date(base.year, base.month, 1) + timedelta(days=32 * rng.randint(0, 4))
    end = end.replace(day=1) - timedelta(days=1) if rng.random() < 0.7 else end
    return Period(start, max(end, start or end))


def _assert_kept_equals_live(rng: random.Random, world, tasks_changed: str) -> None:
    today = local_today()
    scopes = [None, world.province, world.district, world.other_district, world.board, world.district_culture]
    for _ in range(8):
        scope = rng.choice(scopes)
        period = _random_period(rng, today)
        for group_by in ((), (Task.lead_org_id,)):
            kept = count_tasks(db.session, scope, period, today, group_by=group_by)
            live = count_live(db.session, scope, period, today, group_by=group_by)
            assert kept == live, (tasks_changed, scope and scope.code, period, group_by)
    # The dashboard's table and the task list's chips read them too.
    selection = numbers.Selection.of(world.province, None, today)
    table = numbers.total_of(u.counts for u in numbers.table_by_lead_unit(selection, today, 3))
    assert table == count_live(db.session, None, EVERYTHING, today)[()]
    # The monthly trend: months from a random one to today's, kept and counted from the tasks.
    first = VISIT_DAY.replace(day=1)
    for _ in range(4):
        scope = rng.choice(scopes[1:])
        index = first.year * 12 + first.month - 1 + rng.randint(0, 40)
        start = min(date(index // 12, index % 12 + 1, 1), today.replace(day=1))
        months = numbers.trend_months(start, today, today, limit=200)
        whole = numbers.is_whole_tree(scope)
        assert counts.read_trend(db.session, None if whole else scope, months, today) is not None
        kept_trend = numbers.monthly_trend(scope, months, today, whole_tree=whole)
        live_trend = numbers.monthly_trend_live(scope, months, today, whole_tree=whole)
        assert kept_trend == live_trend, (tasks_changed, scope.code, start)
    # The tasks that reach nobody (a unit without an active office account): counted from the kept
    # counts and from the tasks.
    world.other_office_user.is_active = False
    db.session.flush()
    for _ in range(3):
        scope, period = rng.choice(scopes[1:]), _random_period(rng, today)
        selection = numbers.Selection.of(scope, period.start, period.end or today)
        conditions = selection.conditions(today)
        kept_reach = reach.unreached_tasks(
            conditions, today, kept=(selection.counted_scope(), selection.period())
        )
        assert kept_reach == reach.unreached_tasks(conditions, today), (tasks_changed, scope.code, period)
    world.other_office_user.is_active = True
    db.session.flush()
    # The inspectors' badge: reports waiting for verification from the kept counts (today's) and
    # counted task by task (the SQL of another day).
    from app.workspace.verification import _waiting_sql

    for body in (world.board, world.province, world.district):
        kept_badge = db.session.scalar(db.select(_waiting_sql(body.path, today)))
        live_badge = db.session.scalar(db.select(_waiting_sql(body.path, today - timedelta(days=1))))
        assert kept_badge == live_badge, (tasks_changed, body.code)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_kept_counts_equal_the_live_count_after_random_changes_for_random_scopes_and_periods(
    world, create_task, seed
):
    rng = random.Random(seed)
    leads = [world.district_office, world.district_culture, world.other_office]
    for _ in range(15):
        _random_history(rng, world, create_task, leads)
    db.session.commit()
    # The first count of the day builds the kept rows.
    assert count_tasks(db.session, None, EVERYTHING, local_today())
    assert db.session.get(TaskCountDay, 1).day == local_today()
    _assert_kept_equals_live(rng, world, "built")
    # Then every change is kept by the flush that writes it: more tasks, moves through their states,
    # a lead unit changed, a task deleted, in the same transaction and after commits.
    for round_ in range(3):
        for _ in range(8):
            _random_history(rng, world, create_task, leads)
        tasks = db.session.scalars(db.select(Task)).all()
        for task in rng.sample(tasks, 4):
            task.lead_org = rng.choice(leads)
        db.session.delete(rng.choice(tasks))
        db.session.flush()
        assert db.session.get(TaskCountDay, 1).day == local_today()  # kept, not rebuilt
        _assert_kept_equals_live(rng, world, f"round {round_}, flushed")
        if round_ != 1:
            db.session.commit()
            _assert_kept_equals_live(rng, world, f"round {round_}, committed")
        else:
            db.session.rollback()
            _assert_kept_equals_live(rng, world, f"round {round_}, rolled back")


@pytest.mark.parametrize("seed", [4, 5])
def test_a_new_day_counts_again_only_what_moves_with_the_day_and_equals_the_live_count(
    world, create_task, seed
):
    rng = random.Random(seed)
    leads = [world.district_office, world.district_culture, world.other_office]
    today = local_today()
    for _ in range(12):
        _random_history(rng, world, create_task, leads)
    # Kept as of a week ago (the last scan), then changes and new tasks while no scan ran, some
    # assigned after that day's end.
    counts.rebuild(db.session.connection(), today - timedelta(days=7), 3)
    for _ in range(10):
        _random_history(rng, world, create_task, leads)
    for days_ago in (5, 1, 0):
        task = create_task(
            due_on=today + timedelta(days=rng.randint(-3, 5)), now=at(today - timedelta(days=days_ago))
        )
        if rng.random() < 0.5:
            task_flow.report_task_done(task, world.office, note="Xong.", now=at(today))
    db.session.flush()
    assert db.session.get(TaskCountDay, 1).day == today - timedelta(days=7)
    # Today's first count: the categories that move with the day, and the tasks assigned since.
    _assert_kept_equals_live(rng, world, "a week later")
    db.session.expire_all()
    assert db.session.get(TaskCountDay, 1).day == today


@pytest.mark.parametrize("seed", [6, 7])
def test_tasks_moved_to_another_inspecting_body_are_counted_under_it_after_the_rebuild(
    world, create_task, create_visit, seed
):
    """A visit's inspecting body changed, or a directive moved to another body's visit: every task under
    it moves group, the kept rows are rebuilt (reading the body kept on each task), and they still equal
    the live count, today and on a later day's rebuild."""
    rng = random.Random(seed)
    leads = [world.district_office, world.district_culture, world.other_office]
    today = local_today()
    for _ in range(12):
        _random_history(rng, world, create_task, leads)
    db.session.commit()
    assert count_tasks(db.session, None, EVERYTHING, today)
    other = create_visit(title="Kiểm tra của Tỉnh ủy")
    other.inspecting_org = world.province  # as a correction of the record would
    tasks = db.session.scalars(db.select(Task)).all()
    first = tasks[0].directive.visit
    for task in rng.sample(tasks, 5):
        task.directive.visit = other
    db.session.flush()
    _assert_kept_equals_live(rng, world, "directives moved")
    db.session.commit()
    # Yesterday's kept rows, then both visits' bodies changed: the day's rebuild counts them again.
    counts.rebuild(db.session.connection(), today - timedelta(days=1), 3)
    first.inspecting_org, other.inspecting_org = world.province, world.board
    db.session.flush()
    _assert_kept_equals_live(rng, world, "bodies changed")
    db.session.commit()
    by_body = db.select(TaskCount.inspecting_org_id, db.func.sum(TaskCount.tasks))
    kept = db.session.execute(by_body.group_by(TaskCount.inspecting_org_id)).all()
    moved = sum(1 for task in tasks if task.directive.visit is other)
    assert dict(kept) == {world.province.id: len(tasks) - moved, world.board.id: moved}


def test_yesterdays_kept_categories_are_never_read(world, create_task):
    task = create_task(due_on=local_today(), now=at(VISIT_DAY))
    db.session.commit()
    assert count_timeliness(db.session, local_today()).due_soon == 1
    # The same rows, said to be yesterday's (a scan that has not run yet): today's count rebuilds them.
    db.session.execute(db.update(TaskCountDay).values(day=local_today() - timedelta(days=1)))
    db.session.execute(db.update(TaskCount).values(category="within"))
    assert count_timeliness(db.session, local_today()).due_soon == 1
    db.session.expire_all()
    assert db.session.get(TaskCountDay, 1).day == local_today()
    # A bulk statement on the tasks cannot be followed row by row: the next count rebuilds.
    db.session.execute(
        db.update(Task).where(Task.id == task.id).values(due_on=VISIT_DAY, original_due_on=VISIT_DAY)
    )
    db.session.expire_all()
    assert db.session.get(TaskCountDay, 1).day is None
    assert count_timeliness(db.session, local_today()).overdue == 1


def test_a_page_on_a_new_day_shows_todays_counts_and_rebuilds_the_kept_ones(world, create_task, login_as):
    create_task(due_on=local_today() - timedelta(days=1), now=at(VISIT_DAY))
    db.session.commit()
    assert count_timeliness(db.session, local_today()).overdue == 1
    # Yesterday the task was within its deadline, and the scan has not run today (the kept rows, and
    # the counts of all time summed from them, as yesterday's scan left them).
    db.session.execute(db.update(TaskCountDay).values(day=local_today() - timedelta(days=1)))
    db.session.execute(db.update(TaskCount).values(category="due_soon"))
    db.session.execute(db.update(TaskCountAll).values(category="due_soon"))
    db.session.commit()
    path = f"/tasks?scope={world.province.id}"
    client = login_as(world.leader)
    db.session.commit()  # the test's transaction (the page shares its session) holds no lock
    page = client.get(path)
    assert page.status_code == 200
    # The leader sees today's category (the task went overdue overnight), never yesterday's rows.
    html = page.get_data(as_text=True)
    assert count_of(html, "overdue") == 1 and count_of(html, "due_soon") == 0
    db.session.rollback()  # end the page's reading transaction (the test shares its session)
    assert db.session.get(TaskCountDay, 1).day == local_today()  # rebuilt in a transaction of its own
    db.session.rollback()
    # The next page reads the rebuilt rows.
    assert count_of(client.get(path).get_data(as_text=True), "overdue") == 1


def test_the_daily_scan_rebuilds_the_kept_counts(world, create_task, app):
    create_task(due_on=local_today() + timedelta(days=2), now=at(VISIT_DAY))
    db.session.execute(db.update(TaskCountDay).values(day=None))
    db.session.commit()
    reminders.scan_deadlines(local_today(), ReminderSettings(due_soon_days=3))
    db.session.expire_all()
    assert db.session.get(TaskCountDay, 1).day == local_today()
    assert db.session.scalar(db.select(TaskCount.tasks).where(TaskCount.category == "due_soon")) == 1


def test_the_kept_read_tells_a_stale_day_from_a_day_with_nothing_kept(world, create_task):
    """``counts.read`` reads its guard as a condition of the sums: a stale day, another "due soon"
    window and a day with nothing to sum all answer no row; only the last is an answer (no counts)."""
    today, soon = local_today(), 3
    everything, this_month = (None, None), (today.replace(day=1), None)
    assert counts.refresh(db.session, today, soon) or counts.kept_day(db.session.connection()).day == today
    for months in (everything, this_month):
        for group_by in ((), (Task.lead_org_id,)):
            assert counts.read(db.session, None, months, group_by, today, soon) == {}
            assert counts.read(db.session, world.province, months, group_by, today, soon) == {}
            assert counts.read(db.session, None, months, group_by, today, soon + 1) is None
    task = create_task(due_on=today + timedelta(days=2), now=at(VISIT_DAY))
    db.session.commit()
    key = (task.lead_org_id,)
    assert counts.read(db.session, None, everything, (Task.lead_org_id,), today, soon) == {
        key: {"due_soon": 1}
    }
    assert counts.read(db.session, world.province, everything, (), today, soon) == {(): {"due_soon": 1}}
    # Assigned before this month: nothing of this month's to sum, an answer all the same.
    assert counts.read(db.session, world.province, this_month, (), today, soon) == {}
    db.session.execute(db.update(TaskCountDay).values(day=today - timedelta(days=1)))
    assert counts.read(db.session, None, everything, (), today, soon) is None
    assert counts.read(db.session, world.province, this_month, (Task.lead_org_id,), today, soon) is None
    db.session.rollback()
