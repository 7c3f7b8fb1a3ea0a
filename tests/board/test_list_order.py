"""The task list's stored order (``Task.list_rank``, due date, id) is the urgency order of every day:
overdue first, longest overdue on top, then due soon, the rest of the working tasks by due date, those
without one, then reported, done and the others."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select, update

from app.board.listing import urgency_order
from models import Task, db
from models.enums import TaskStatus
from tests.conftest import at
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
