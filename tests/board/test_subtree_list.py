"""A subtree below the root (a province inside a country, a district) has its own paths in the task
list (``app.board.views``): its counts from the kept counts plus the tasks it only sees
(``_visible_counts``), its first pages by walking the list's order (``_page_ids``), its visit choices
from its own visits plus the few of others (``_subtree_visit_choices``). Each must give what the
general path gives, for random subtrees, days, periods, pages and keys, on both databases."""

from __future__ import annotations

import random
from datetime import date, timedelta

from sqlalchemy import select, update

from app.board.listing import (
    PAGE_SIZE,
    ListKey,
    TaskFilters,
    _subtree_condition,
    conditions,
    urgency_order,
)
from app.board.views import (
    ListSelection,
    _page_ids,
    _seen_not_counted,
    _subtree_visit_choices,
    _subtree_visit_statements,
    _visible_counts,
    _visit_choices,
)
from models import Organization, Task, db
from models.enums import TaskStatus
from tests.conftest import at
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today
from workflows.dashboard import count_one


def _set_state(task_id: int, status: TaskStatus, day: date, created: date) -> None:
    values: dict = {"status": status, "reported_at": None, "verified_at": None, "completed_on": None}
    values["cancelled_at"] = at(day) if status is TaskStatus.CANCELLED else None
    if status in (TaskStatus.REPORTED, TaskStatus.DONE):
        values["reported_at"] = at(day, hour=23)
    if status is TaskStatus.DONE:
        values |= {"verified_at": at(day), "completed_on": day, "progress": 100}
    values["created_at"] = at(created)
    db.session.execute(update(Task).where(Task.id == task_id).values(**values))


def _build(world, create_visit, rng: random.Random, today: date) -> list[Organization]:
    """Visits between any two organisations (some on the same day), tasks led and coordinated by any
    unit, in every state: visits a subtree made, received from outside, or neither."""
    orgs = list(db.session.scalars(select(Organization).order_by(Organization.id)))
    days = [today - timedelta(days=rng.randrange(250, 400)) for _ in range(12)]
    tasks, moves = [], []
    for number in range(40):
        inspecting = rng.choice(orgs)
        inspected = rng.choice([org for org in orgs if org not in (inspecting, world.board)])
        visit = create_visit(
            visited_on=rng.choice(days), inspected_org=inspected, title=f"Kiểm tra số {number}"
        )
        moves.append((visit, inspecting))
        for _ in range(rng.randint(1, 2)):
            directive = visit_flow.issue_directive(visit, world.inspector, body=f"Yêu cầu {number}.")
            for _ in range(rng.randint(1, 3)):
                lead = rng.choice(orgs)
                due = None if rng.random() < 0.15 else today + timedelta(days=rng.randrange(-60, 40))
                coordinating = [org for org in orgs if org is not lead and rng.random() < 0.15]
                tasks.append(
                    task_flow.assign_task(
                        directive,
                        world.inspector,
                        lead_org=lead,
                        coordinating=coordinating,
                        due_on=due,
                        now=at(today - timedelta(days=200)),
                    )
                )
    db.session.flush()
    for visit, inspecting in moves:  # made by any body (its tasks' kept inspecting body moves with it)
        visit.inspecting_org = inspecting
    db.session.flush()
    for task in tasks:
        created = today - timedelta(days=rng.randrange(0, 150))
        day = min(today, created + timedelta(days=rng.randrange(0, 60)))
        _set_state(task.id, rng.choice(list(TaskStatus)), day, created)
    db.session.commit()
    return [org for org in orgs if org.parent_id is not None]


def _chosen(root: Organization, visible: bool, filters: TaskFilters, today: date, soon: int) -> ListSelection:
    base = _subtree_condition(root.path, False, visible)
    per_row = _subtree_condition(root.path, False, visible, per_row=True)
    scope = None if visible else root
    return ListSelection(
        today, soon, filters, scope, None, base, None, 0, per_row=per_row, subtree=root, visible=visible
    )


def _periods(today: date) -> list[tuple[date | None, date | None]]:
    first = today.replace(day=1)
    earlier = (first - timedelta(days=40)).replace(day=1)
    return [
        (None, None),
        (earlier, None),
        (earlier, first - timedelta(days=1)),
        (today - timedelta(days=9), today),
    ]


def test_a_subtrees_counts_are_those_of_every_task_it_sees(world, create_visit):
    today = local_today()
    rng = random.Random(1401)
    subtrees = _build(world, create_visit, rng, today)
    only_seen = 0
    for soon in (7, 3):
        for root in subtrees:
            for start, end in _periods(today):
                filters = TaskFilters(assigned_from=start, assigned_to=end)
                general = conditions(filters, _subtree_condition(root.path, False, True), today, soon)
                expected = count_one([c for c in general], today, soon)
                # (``conditions`` with timeliness: none is set, so the same conditions as counted.)
                assert _visible_counts(root, filters, today, soon) == expected, (root.code, start, end, soon)
                seen = conditions(filters, _seen_not_counted(root.path), today, soon)
                only_seen += count_one(seen, today, soon).total
    assert only_seen  # tasks seen and not answered for were among them


def test_a_subtrees_pages_and_visit_choices_are_the_general_paths(world, create_visit):
    today = local_today()
    soon = 7
    rng = random.Random(1402)
    subtrees = _build(world, create_visit, rng, today)
    others_shown = 0
    for root in subtrees:
        for visible in (True, False):
            filters = TaskFilters()
            chosen = _chosen(root, visible, filters, today, soon)
            ordered = (
                select(Task.id)
                .where(*conditions(filters, chosen.base, today, soon))
                .order_by(*urgency_order(by_index=True))
            )
            every = list(db.session.scalars(ordered))
            pages = max(1, -(-len(every) // PAGE_SIZE))
            for page in range(1, pages + 2):
                assert _page_ids(chosen, True, page, None) == every[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
            # After the keys of listed tasks, of tasks outside the list, and keys no task has.
            keys = [ListKey.of(task) for task in db.session.scalars(select(Task)).all()]
            keys = rng.sample(keys, min(8, len(keys)))
            keys += [
                ListKey(rng.randrange(0, 7), rng.choice([None, today]), rng.randrange(0, 900))
                for _ in range(3)
            ]
            for key in keys:
                expected = list(db.session.scalars(ordered.where(key.condition()).limit(PAGE_SIZE)))
                assert _page_ids(chosen, True, 2, key) == expected, (root.code, visible, key)
            # The visit choices, cut at a few lengths (the page offers a hundred), and a chosen visit.
            own_statement, _others = _subtree_visit_statements(root.path, visible)
            for limit in (1, 2, 3, 5, 8, 100):
                general = _visit_choices(filters, chosen.per_row, many=True, limit=limit)
                shown = _subtree_visit_choices(filters, chosen, limit=limit)
                assert [tuple(r) for r in shown] == [tuple(r) for r in general], (root.code, visible, limit)
                own = {row.id for row in db.session.execute(own_statement, {"limit": 1000})}
                if len(own) >= limit:
                    others_shown += len({row.id for row in shown} - own)
            for visit_id in rng.sample(range(1, 45), 4):
                picked = TaskFilters(visit=visit_id)
                general = _visit_choices(picked, chosen.per_row, many=True, limit=2)
                shown = _subtree_visit_choices(picked, _chosen(root, visible, picked, today, soon), limit=2)
                assert [tuple(r) for r in shown] == [tuple(r) for r in general], (root.code, visit_id)
    assert others_shown  # visits of others among the newest of a subtree's own: the stretch was tested


def test_a_district_leader_sees_the_general_paths_counts_rows_and_visits(
    world, create_visit, login_as, monkeypatch
):
    """What a leader of a subtree below the root sees on ``/tasks``: the total, the chips, the rows and
    the visit filter's options of the general path (the options cut at 3 so that visits of others
    newer than its own third are looked for)."""
    import re

    from app.board import views
    from models import User
    from models.enums import Role

    today = local_today()
    soon = 7
    monkeypatch.setattr(views, "VISIT_CHOICES", 3)
    _build(world, create_visit, random.Random(1403), today)
    rows_seen = options_seen = 0
    for code, username in (("HU-BUDOP", "bd"), ("BTGTU-BP", "bt"), ("HU-LOCNINH", "ln")):
        root = db.session.scalars(select(Organization).where(Organization.code == code)).one()
        user = User(username=username, role=Role.LEADER, organization=root, display_name=username)
        user.password_hash = world.leader.password_hash
        db.session.add(user)
        db.session.commit()
        page = login_as(user).get("/tasks").get_data(as_text=True)
        base = _subtree_condition(root.path, False, True)
        counted = conditions(TaskFilters(), base, today, soon, with_timeliness=False)
        counts = count_one(counted, today, soon)
        assert f'<strong id="task-total">{counts.total}</strong>' in page, code
        assert re.search(rf'id="count-overdue"[^>]*>.*?fs-4[^>]*>{counts.overdue}<', page, re.S), code
        ordered = select(Task.id).where(*counted).order_by(*urgency_order(by_index=True)).limit(PAGE_SIZE)
        shown = [int(i) for i in re.findall(r'href="/tasks/(\d+)"', page)]
        assert shown == list(db.session.scalars(ordered)), code
        per_row = _subtree_condition(root.path, False, True, per_row=True)
        visits = _visit_choices(TaskFilters(), per_row, many=True, limit=3)
        options = [int(i) for i in re.findall(r'<option value="(\d+)"', page)]
        assert options == [v.id for v in visits], code
        rows_seen, options_seen = rows_seen + len(shown), options_seen + len(options)
    assert rows_seen and options_seen


def test_a_subtrees_visit_choices_from_the_bodies_reaching_it_are_the_general_paths(world, create_visit):
    """With the counts kept for today, the visits of others are looked for among those of the bodies
    that may have tasks the subtree leads or coordinates (``bodies_reaching``): the same choices as
    the general path's, before and after tasks move to other lead units and coordinators (the kept
    rows moved by the flush hook, the coordinating rows by theirs)."""
    from workflows import counts

    today = local_today()
    soon = 7
    rng = random.Random(1404)
    subtrees = _build(world, create_visit, rng, today)
    counts.rebuild(db.session.connection(), today, soon)
    db.session.commit()

    def others_shown() -> int:
        assert counts.kept_day(db.session.connection()).day == today
        shown_others = 0
        for root in subtrees:
            for visible in (True, False):
                chosen = _chosen(root, visible, TaskFilters(), today, soon)
                own_statement, _others = _subtree_visit_statements(root.path, visible, True)
                own = {row.id for row in db.session.execute(own_statement, {"limit": 1000})}
                for limit in (1, 2, 3, 5, 8):
                    general = _visit_choices(TaskFilters(), chosen.per_row, many=True, limit=limit)
                    shown = _subtree_visit_choices(TaskFilters(), chosen, limit=limit)
                    expected = [tuple(r) for r in general]
                    assert [tuple(r) for r in shown] == expected, (root.code, visible, limit)
                    if len(own) >= limit:
                        shown_others += len({row.id for row in shown} - own)
        return shown_others

    assert others_shown()  # visits of others among the newest: the bodies' stretch was tested
    orgs = list(db.session.scalars(select(Organization)))
    tasks = list(db.session.scalars(select(Task).where(Task.status != TaskStatus.CANCELLED)))
    for task in rng.sample(tasks, 15):
        task.lead_org = rng.choice(orgs)
        task.coordinating_orgs = [org for org in orgs if org is not task.lead_org and rng.random() < 0.2]
    db.session.commit()
    assert others_shown()
