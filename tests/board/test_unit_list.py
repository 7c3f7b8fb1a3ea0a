"""An office's unfiltered task list is read in one statement (``app.board.views._unit_list``): its
counts, each page's ids (by number or after a key) and its visit choices must be those of the general
path (``count_one``, the list's ordered query, ``_visit_choices``) for any unit, day and page."""

from __future__ import annotations

import random
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.sql import visitors

from app.board.listing import PAGE_SIZE, ListKey, TaskFilters, conditions, urgency_order, visible_to_unit
from app.board.views import _unit_list, _visit_choices
from models import Task, db
from models.enums import TaskStatus
from tests.conftest import at
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today
from workflows.dashboard import count_one
from workflows.timeliness import assigned_by_end_of, category_on

START = date(2023, 11, 1)


def _set_state(task_id: int, status: TaskStatus, day: date, created: date) -> None:
    values: dict = {"status": status, "reported_at": None, "verified_at": None, "completed_on": None}
    values["cancelled_at"] = at(day) if status is TaskStatus.CANCELLED else None
    if status in (TaskStatus.REPORTED, TaskStatus.DONE):
        values["reported_at"] = at(day, hour=23)  # late in the evening: the local day is not UTC's
    if status is TaskStatus.DONE:
        values |= {"verified_at": at(day), "completed_on": day, "progress": 100}
    values["created_at"] = at(created)
    db.session.execute(update(Task).where(Task.id == task_id).values(**values))


def _build(world, create_visit, rng: random.Random) -> None:
    """Visits of two days and two inspected districts; tasks led, coordinated and hosted by the units."""
    units = [world.district_office, world.district_culture, world.other_office]
    visits = [
        create_visit(visited_on=START - timedelta(days=60 + n), inspected_org=inspected)
        for n, inspected in enumerate([world.district, world.other_district, world.district])
    ]
    tasks = []
    for number in range(150):
        visit = visits[number % len(visits)]
        directive = visit_flow.issue_directive(visit, world.inspector, body=f"Yêu cầu {number}.")
        due = None if rng.random() < 0.15 else START + timedelta(days=rng.randrange(-30, 40))
        lead = rng.choice(units)
        coordinating = [u for u in units if u is not lead and rng.random() < 0.3]
        tasks.append(
            task_flow.assign_task(
                directive,
                world.inspector,
                lead_org=lead,
                coordinating=coordinating,
                due_on=due,
                now=at(START),
            )
        )
    db.session.flush()
    for task in tasks:
        day = START + timedelta(days=rng.randrange(-20, 30))
        created = START + timedelta(days=rng.randrange(-40, 25))
        _set_state(task.id, rng.choice(list(TaskStatus)), day, created)
    db.session.commit()


def _general(path: str, today: date, soon: int):
    base = visible_to_unit(path)
    counted = conditions(TaskFilters(), base, today, soon, with_timeliness=False)
    counts = count_one(counted, today, soon)
    ordered = select(Task.id).where(*counted).order_by(*urgency_order(by_index=False))
    visits = [(r.id, r.title, r.visited_on) for r in _visit_choices(TaskFilters(), base, many=False)]
    return counts, ordered, visits


def test_one_statement_lists_what_the_general_path_lists(world, create_visit):
    rng = random.Random(1414)
    _build(world, create_visit, rng)
    units = [world.district_office, world.district_culture, world.other_office, world.district]
    for unit in units:
        for today in (START - timedelta(days=10), START, START + timedelta(days=17)):
            for soon in (0, 7):
                counts, ordered, visits = _general(unit.path, today, soon)
                every = list(db.session.scalars(ordered))
                pages = max(1, -(-counts.total // PAGE_SIZE))
                for page in range(1, pages + 1):
                    shown, kept = _unit_list(unit.path, today, soon, page, None)
                    assert kept == counts, (unit.code, today, soon)
                    assert shown.ids == every[(page - 1) * PAGE_SIZE : page * PAGE_SIZE], (unit.code, page)
                    assert [(v.id, v.title, v.visited_on) for v in shown.visits] == visits
                # After the key of a task of the list, and after keys no task has.
                keys = [ListKey.of(db.session.get(Task, task_id)) for task_id in rng.sample(every, 4)]
                keys += [
                    ListKey(rng.randrange(0, 7), rng.choice([None, START, today]), rng.randrange(0, 900))
                ]
                for key in keys:
                    shown, _kept = _unit_list(unit.path, today, soon, 2, key)
                    expected = list(db.session.scalars(ordered.where(key.condition()).limit(PAGE_SIZE)))
                    assert shown.ids == expected, (unit.code, key)


def test_the_office_page_uses_it_and_reads_the_same(world, create_visit, login_as):
    _build(world, create_visit, random.Random(7))
    client = login_as(world.office)
    page = client.get("/tasks").get_data(as_text=True)
    soon = int(current_app.config["DUE_SOON_DAYS"])
    counts, _ordered, visits = _general(world.district_office.path, local_today(), soon)
    assert f'<strong id="task-total">{counts.total}</strong>' in page
    for visit_id, _title, _day in visits:
        assert f'<option value="{visit_id}">' in page


def test_the_counting_index_holds_every_column_a_units_list_reads_of_its_led_tasks():
    """The office's list reads its unit's led tasks from ``ix_task_counts`` alone, not their rows: their
    category today (``category_on``), whether assigned by the day's end, rank (status, due date) and
    directive."""
    index = next(index for index in Task.__table__.indexes if index.name == "ix_task_counts")
    held = {column.name for column in index.columns} | {"id"}  # the row id is in every index
    today = local_today()  # (a past day's category is rebuilt from the tasks' history: the general path)
    expressions = [category_on(today, 7), assigned_by_end_of(today), Task.directive_id, Task.due_on]
    read = {
        element.name
        for expression in expressions
        for element in visitors.iterate(expression)
        if getattr(element, "table", None) is Task.__table__
    }
    assert {"status", "due_on", "reported_at", "completed_on", "created_at"} <= read
    assert read <= held, read - held
