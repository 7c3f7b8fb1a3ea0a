"""``task.inspecting_org_id`` is kept: always the inspecting body of the task's visit, whatever moves;
the coordinating rows keep their task's lead unit and inspecting body; and the subtree conditions that
read them select the same tasks as walking the visits."""

from __future__ import annotations

import random
from datetime import date

import pytest
from sqlalchemy import delete, exists, insert, or_, select

from models import Directive, Organization, Task, Visit, db, task_coordinator
from models.enums import TaskStatus
from tests.conftest import VISIT_DAY, at
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.scope import in_subtree, tasks_counted_for, tasks_seen_not_counted, tasks_visible_to


def _kept_and_live() -> tuple[dict[int, int | None], dict[int, int | None]]:
    rows = db.session.execute(select(Task.id, Task.inspecting_org_id))
    kept = {row.id: row.inspecting_org_id for row in rows}
    query = (
        select(Task.id, Visit.inspecting_org_id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Visit, Visit.id == Directive.visit_id)
    )
    live = {row.id: row.inspecting_org_id for row in db.session.execute(query)}
    return kept, live


def _walked(root: Organization, visible: bool) -> set[int]:
    """The subtree's tasks as the visits are walked (the conditions before the kept column)."""
    units = select(Organization.id).where(in_subtree(Organization.path, root))
    parts = [Task.lead_org_id.in_(units), Visit.inspecting_org_id.in_(units)]
    if visible:
        coordinated = select(task_coordinator.c.task_id).where(task_coordinator.c.organization_id.in_(units))
        parts += [Task.id.in_(coordinated), Visit.inspected_org_id.in_(units)]
    query = (
        select(Task.id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(or_(*parts))
    )
    return set(db.session.scalars(query))


def _coordinating_rows() -> tuple[
    set[tuple[int, int, int, int | None]], set[tuple[int, int, int, int | None]]
]:
    """The coordinating rows with their kept units, and with their tasks' (task, unit, lead, body)."""
    rows = task_coordinator.c
    kept = db.session.execute(
        select(rows.task_id, rows.organization_id, rows.lead_org_id, rows.inspecting_org_id)
    )
    live = db.session.execute(
        select(rows.task_id, rows.organization_id, Task.lead_org_id, Task.inspecting_org_id).join(
            Task, Task.id == rows.task_id
        )
    )
    return {tuple(row) for row in kept}, {tuple(row) for row in live}


def _assert_kept(rng: random.Random, when: str) -> None:
    kept, live = _kept_and_live()
    assert kept == live, when
    kept_rows, live_rows = _coordinating_rows()
    assert kept_rows == live_rows, (when, "coordinating rows")
    orgs = db.session.scalars(select(Organization)).all()
    for root in rng.sample(orgs, min(6, len(orgs))):
        for visible in (False, True):
            walked = _walked(root, visible)
            condition = tasks_visible_to(root) if visible else tasks_counted_for(root)
            read = set(db.session.scalars(select(Task.id).where(condition)))
            assert read == walked, (when, root.code, visible)
            if visible:  # what it sees less what it answers for, the coordinated ones by their rows
                seen = set(db.session.scalars(select(Task.id).where(tasks_seen_not_counted(root))))
                assert seen == walked - _walked(root, False), (when, root.code, "seen, not counted")
            # The per-row form (hashed IN, tested task by task) inside a correlated subquery, as the
            # task list's visit filter uses it: the visits it finds are those of the same tasks.
            scoped = tasks_visible_to if visible else tasks_counted_for
            per_row = exists(
                select(Task.id)
                .join(Directive, Directive.id == Task.directive_id)
                .where(Directive.visit_id == Visit.id, scoped(root, per_row=True))
            )
            found = set(db.session.scalars(select(Visit.id).where(per_row)))
            of_walked = set(
                db.session.scalars(
                    select(Directive.visit_id)
                    .join(Task, Task.directive_id == Directive.id)
                    .where(Task.id.in_(walked))
                )
            )
            assert found == of_walked, (when, root.code, visible, "per row")


def _change(rng: random.Random, world, visits: list[Visit], bodies: list[Organization]) -> str:
    roll = rng.random()
    directives = db.session.scalars(select(Directive)).all()
    tasks = db.session.scalars(select(Task)).all()
    if roll < 0.25:  # a new task through the ORM (a new directive of a visit, in the same flush, or not)
        if rng.random() < 0.5:
            directive = rng.choice(directives)
        else:
            number = 2000 + len(directives)
            directive = Directive(visit=rng.choice(visits), number=number, body="Chỉ đạo mới.")
        db.session.add(Task(directive=directive, lead_org=rng.choice(bodies), title="Nhiệm vụ mới"))
        return "added"
    if roll < 0.35:  # a task inserted by Core without the column (as a report duty's is)
        directive = rng.choice(directives)
        db.session.execute(
            insert(Task).values(
                directive_id=directive.id,
                lead_org_id=rng.choice(bodies).id,
                title="Báo cáo định kỳ",
                search_key="bao cao dinh ky",
                status=TaskStatus.ASSIGNED,
                progress=0,
                created_at=at(VISIT_DAY),
                version=1,
            )
        )
        return "inserted"
    if roll < 0.6:  # a visit's inspecting body changes (every task under it moves)
        visit = rng.choice(visits)
        visit.inspecting_org = rng.choice([b for b in bodies if b.id != visit.inspected_org_id])
        return "visit's body"
    if roll < 0.75:  # a directive moves to another visit
        directive = rng.choice(directives)
        directive.visit = rng.choice(visits)
        directive.number = 1000 + directive.id
        return "directive's visit"
    if roll < 0.9 and tasks:  # a task moves to another directive
        rng.choice(tasks).directive = rng.choice(directives)
        return "task's directive"
    if roll < 0.93 and tasks:  # a task moves to another lead unit
        rng.choice(tasks).lead_org = rng.choice(bodies)
        return "task's lead"
    if roll < 0.96 and tasks:  # a coordinating unit added or removed through the ORM
        task = rng.choice(tasks)
        if task.coordinating_orgs and rng.random() < 0.5:
            task.coordinating_orgs.pop()
            return "coordinator removed"
        task.coordinating_orgs.append(rng.choice([b for b in bodies if b not in task.coordinating_orgs]))
        return "coordinator added"
    if roll < 0.98 and tasks:  # a coordinating row inserted or deleted by Core (as a report duty's)
        task = rng.choice(tasks)
        db.session.flush()
        have = set(
            db.session.scalars(
                select(task_coordinator.c.organization_id).where(task_coordinator.c.task_id == task.id)
            )
        )
        free = [b for b in bodies if b.id not in have]
        if free:
            db.session.execute(
                insert(task_coordinator), [{"task_id": task.id, "organization_id": free[0].id}]
            )
        else:
            db.session.execute(delete(task_coordinator).where(task_coordinator.c.task_id == task.id))
        db.session.expire(task, ["coordinating_orgs"])
        return "coordinating row by Core"
    if tasks:
        db.session.delete(rng.choice(tasks))
        return "deleted"
    return "nothing"


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_the_kept_inspecting_body_equals_the_visits_after_random_changes(world, create_visit, seed):
    rng = random.Random(seed)
    other_board = world.other_inspector.organization
    bodies = [world.board, other_board, world.other_district, world.district_office, world.other_office]
    visits = [create_visit() for _ in range(3)]
    for visit in visits:
        for _ in range(2):
            directive = visit_flow.issue_directive(visit, world.inspector, body="Quán triệt Quy định 85.")
            for _ in range(rng.randint(1, 3)):
                lead = rng.choice([world.district_office, world.district_culture, world.other_office])
                coordinating = rng.sample(bodies, rng.randint(0, 2))
                task_flow.assign_task(
                    directive,
                    world.inspector,
                    lead_org=lead,
                    due_on=date(2023, 12, 31),
                    now=at(VISIT_DAY),
                    coordinating=[b for b in coordinating if b.id != lead.id],
                )
    db.session.commit()
    _assert_kept(rng, "built")
    for round_ in range(4):
        done = [_change(rng, world, visits, bodies) for _ in range(6)]
        db.session.flush()
        _assert_kept(rng, f"round {round_} flushed: {done}")
        # Loaded tasks read the moved value too.
        _kept, live = _kept_and_live()
        for task in db.session.scalars(select(Task)):
            assert task.inspecting_org_id == live[task.id]
        if round_ % 2:
            db.session.rollback()
            # A task inserted by Core in the rolled-back transaction stays in the identity map (the
            # session did not insert it), and SQLite gives its id to the next task: forget the tasks.
            for item in list(db.session.identity_map.values()):
                if isinstance(item, Task):
                    db.session.expunge(item)
            _assert_kept(rng, f"round {round_} rolled back")
        else:
            db.session.commit()
            _assert_kept(rng, f"round {round_} committed")
