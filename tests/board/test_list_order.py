"""The task list's stored order (``Task.list_rank``, due date, id) is the urgency order of every day:
overdue first, longest overdue on top, then due soon, the rest of the working tasks by due date, those
without one, then reported, done and the others."""

from __future__ import annotations

import html
import random
import re
from datetime import date, timedelta

from sqlalchemy import select, update

from app.board.listing import urgency_order
from models import Task, db
from models.enums import TaskStatus
from tests.conftest import VISIT_DAY, at
from workflows import tasks as task_flow
from workflows.timeliness import urgency_rank

START = date(2023, 11, 1)


def _set_status(task_id: int, status: TaskStatus, day: date) -> None:
    """Put a task in ``status`` with the columns its constraints ask for (no workflow needed here)."""
    values: dict = {"status": status, "reported_at": None, "verified_at": None, "completed_on": None}
    values["cancelled_at"] = at(day) if status is TaskStatus.CANCELLED else None
    if status in (TaskStatus.REPORTED, TaskStatus.DONE):
        values["reported_at"] = at(day)
    if status is TaskStatus.DONE:
        values |= {"verified_at": at(day), "completed_on": day, "progress": 100}
    db.session.execute(update(Task).where(Task.id == task_id).values(**values))


def _ids(*order) -> list[int]:
    return list(db.session.scalars(select(Task.id).order_by(*order)))


def test_the_stored_order_is_the_urgency_order_on_any_day(create_task):
    rng = random.Random(14)
    tasks = []
    for _ in range(60):
        due = None if rng.random() < 0.2 else START + timedelta(days=rng.randrange(0, 120))
        # Several tasks share a due date, so the id decides between them.
        tasks.append(create_task(due_on=due))
    for task in tasks:
        _set_status(task.id, rng.choice(list(TaskStatus)), START)
    db.session.commit()
    stored = _ids(*urgency_order())
    assert sorted(stored) == sorted(t.id for t in tasks)
    for offset in range(-5, 130, 7):
        today = START + timedelta(days=offset)
        for soon in (0, 3, 7):
            by_day = _ids(urgency_rank(today, soon), Task.due_on.is_(None), Task.due_on, Task.id)
            assert stored == by_day, (today, soon)


def test_the_rank_follows_a_change_of_state(world, create_task):
    task = create_task(due_on=START)
    db.session.commit()
    assert db.session.scalar(select(Task.list_rank).where(Task.id == task.id)) == 0
    _set_status(task.id, TaskStatus.DONE, START)
    db.session.commit()
    assert db.session.scalar(select(Task.list_rank).where(Task.id == task.id)) == 4
    db.session.execute(update(Task).where(Task.id == task.id).values(due_on=None, original_due_on=None))
    db.session.commit()
    assert db.session.scalar(select(Task.list_rank).where(Task.id == task.id)) == 5


def _page_ids(page: str) -> list[int]:
    return [int(n) for n in re.findall(r'<a class="fw-semibold" href="/tasks/(\d+)">', page)]


def _next_link(page: str) -> str | None:
    found = re.search(r'<li class="page-item"><a class="page-link" href="([^"]+)">Sau</a>', page)
    return html.unescape(found.group(1)) if found else None


def test_following_next_lists_the_same_tasks_as_the_numbered_pages(world, login_as, create_task):
    rng = random.Random(1414)
    tasks: list[Task] = []
    for number in range(137):
        # Few due dates, many shared, some missing: the id decides within a date and a rank.
        due = None if rng.random() < 0.15 else START + timedelta(days=rng.randrange(0, 20))
        if number < 46:
            tasks.append(create_task(due_on=due))
        else:  # a visit has at most 60 directives: the others share them
            directive = tasks[number % 46].directive
            tasks.append(
                task_flow.assign_task(
                    directive, world.inspector, lead_org=world.district_office, due_on=due, now=at(VISIT_DAY)
                )
            )
    for task in tasks:
        _set_status(task.id, rng.choice([s for s in TaskStatus if s is not TaskStatus.CANCELLED]), START)
    db.session.commit()
    client = login_as(world.office)
    page = client.get("/tasks").get_data(as_text=True)
    walked, number = [], 1
    while True:
        assert _page_ids(page) == _page_ids(client.get(f"/tasks?page={number}").get_data(as_text=True))
        walked += _page_ids(page)
        link = _next_link(page)
        if link is None:
            break
        assert f"page={number + 1}" in link and "after=" in link
        page, number = client.get(link).get_data(as_text=True), number + 1
    assert number == 3
    assert walked == _ids(*urgency_order())
    # A key that does not parse is ignored: the page is found by its number.
    assert _page_ids(client.get("/tasks?page=2&after=x.y.z").get_data(as_text=True)) == walked[50:100]
