"""Tasks that reach nobody: a unit that ends before the deadline or has no office account is warned
about before the task is saved, the dashboard counts such tasks, and a successor takes them over."""

from __future__ import annotations

import re
from datetime import date, timedelta

from sqlalchemy import func, select

from models import Task, TaskEvent, db
from models.enums import TaskEventKind
from tests.conftest import VISIT_DAY
from workflows import counts, reach
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today


def _task_form(world, create_visit, login_as):
    visit = create_visit()
    directive = visit_flow.issue_directive(visit, world.inspector, body="Báo cáo kết quả.")
    db.session.commit()
    return f"/visits/{visit.id}/directives/{directive.id}/tasks/new", login_as(world.inspector)


def _once(browser, url):
    return re.search(r'name="once" value="([^"]+)"', browser.get(url).get_data(as_text=True)).group(1)


def test_a_unit_without_an_office_account_is_warned_about_and_saved_only_when_confirmed(
    world, create_visit, login_as
):
    url, browser = _task_form(world, create_visit, login_as)
    # The district committee itself has no office account (its board's office receives its tasks).
    form = {"lead_org_id": str(world.district.id), "title": "Báo cáo", "due_on": "31/12/2023"}
    warned = browser.post(url, data=form | {"once": _once(browser, url)}).get_data(as_text=True)
    assert "chưa có tài khoản văn phòng nào đang hoạt động" in warned
    assert world.district.name in warned
    assert db.session.scalar(select(func.count(Task.id))) == 0
    saved = browser.post(url, data=form | {"once": _once(browser, url), "confirm_reach": "y"})
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count(Task.id))) == 1


def test_a_unit_that_ends_before_the_due_date_is_warned_about(world, create_visit, login_as):
    world.district_office.valid_to = date(2023, 10, 31)
    db.session.commit()
    url, browser = _task_form(world, create_visit, login_as)
    form = {"lead_org_id": str(world.district_office.id), "title": "Báo cáo", "due_on": "31/12/2023"}
    page = browser.post(url, data=form | {"once": _once(browser, url)}).get_data(as_text=True)
    assert "ngừng hoạt động từ 31/10/2023, trước hạn của nhiệm vụ" in page
    assert db.session.scalar(select(func.count(Task.id))) == 0


def test_a_reachable_unit_saves_at_once(world, create_visit, login_as):
    url, browser = _task_form(world, create_visit, login_as)
    form = {"lead_org_id": str(world.district_office.id), "title": "Báo cáo", "due_on": "31/12/2023"}
    assert browser.post(url, data=form | {"once": _once(browser, url)}).status_code == 302


def test_the_open_tasks_of_a_unit_without_office_are_counted_as_reaching_nobody(world, create_task):
    reached = create_task()
    orphan = create_task(lead_org=world.district)
    db.session.commit()
    ids = set(db.session.scalars(select(Task.id).where(reach.unreached(local_today()))))
    assert orphan.id in ids and reached.id not in ids


def test_a_successor_takes_the_open_tasks_with_the_move_in_their_history(world, create_task, login_as):
    open_task = create_task(lead_org=world.district_culture)
    done = create_task(lead_org=world.district_culture)
    task_flow.cancel_task(done, world.inspector, reason="Không còn cần.")
    coordinated = create_task(coordinating=[world.district_culture])
    db.session.commit()
    admin = login_as(world.admin)
    page = admin.get(f"/admin/organizations/{world.district_culture.id}/edit").get_data(as_text=True)
    assert 'id="successor"' in page
    response = admin.post(
        f"/admin/organizations/{world.district_culture.id}/successor",
        data={"successor_id": str(world.district_office.id), "move_open_tasks": "y"},
        follow_redirects=True,
    )
    assert "đã chuyển 2 nhiệm vụ đang mở" in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Task, open_task.id).lead_org_id == world.district_office.id
    assert db.session.get(Task, done.id).lead_org_id == world.district_culture.id  # finished: stays
    assert [o.id for o in db.session.get(Task, coordinated.id).coordinating_orgs] == []  # lead already
    note = db.session.scalars(
        select(TaskEvent.note).where(
            TaskEvent.task_id == open_task.id, TaskEvent.kind == TaskEventKind.COMMENT
        )
    ).one()
    assert (
        note == f"Chuyển từ {world.district_culture.name} sang {world.district_office.name} (đơn vị kế thừa)."
    )


def test_a_successor_cannot_be_the_unit_itself_or_below_it(world, login_as):
    admin = login_as(world.admin)
    for successor in (world.district, world.district_office):
        page = admin.post(
            f"/admin/organizations/{world.district.id}/successor",
            data={"successor_id": str(successor.id)},
            follow_redirects=True,
        ).get_data(as_text=True)
        assert "Đơn vị kế thừa không thể là" in page
    db.session.expire_all()
    assert world.district.successor_id is None


def test_the_dashboard_lists_the_tasks_that_reach_nobody(world, create_task, login_as):
    orphan = create_task(lead_org=world.district)
    create_task()
    db.session.commit()
    page = login_as(world.leader).get("/dashboard").get_data(as_text=True)
    section = page[page.index('id="unreached"') :]
    assert "Không có người nhận" in page
    assert f"/tasks/{orphan.id}" in section and world.district.name in section


def test_the_visit_form_warns_before_saving_a_new_task_that_reaches_nobody(world, login_as):
    from models import Visit
    from tests.workspace.forms import visit_form

    browser = login_as(world.inspector)
    data = visit_form(world, **{"directives-2-tasks-0-lead_org_id": str(world.district.id)})
    warned = browser.post("/visits/new", data=data)
    page = warned.get_data(as_text=True)
    assert "có nhiệm vụ mới có thể không đến được người thực hiện" in page
    assert "Huyện ủy Bù Đốp chưa có tài khoản văn phòng nào đang hoạt động" in page
    assert db.session.scalar(select(func.count(Visit.id))) == 0
    saved = browser.post("/visits/new", data=data | {"confirm_reach": "y"})
    assert saved.status_code == 302
    assert db.session.scalar(select(func.count(Visit.id))) == 1


def test_the_whole_trees_first_tasks_that_reach_nobody_are_those_of_the_general_query(world, create_task):
    """Every task (the leader of the only tree): the first ones are read per open status from the
    status and due-date index, those without a due date in id order; the same as a subtree's
    gathered and sorted, with more candidates than are listed, on either side of the limit."""
    from workflows import dashboard as numbers

    today = local_today()
    for index in range(12):
        create_task(lead_org=world.district, due_on=None)
        create_task(lead_org=world.other_district, due_on=VISIT_DAY + timedelta(days=40 - 3 * index))
        create_task(due_on=None)  # reaches someone: never listed
    started = create_task(due_on=VISIT_DAY + timedelta(days=1))
    task_flow.start_task(started, world.office)  # another open status, the first due,
    started.lead_org = world.district  # then moved to a unit without an office account
    db.session.commit()
    selection = numbers.Selection.of(world.province, None, today)
    assert selection.whole_tree
    conditions = selection.conditions(today)
    for limit in (5, 10, 20, 40):
        indexed = reach.unreached_tasks(
            conditions, today, limit, kept=(selection.counted_scope(), selection.period())
        )
        general = reach.unreached_tasks(conditions, today, limit)
        assert indexed == general, limit
    count, first = reach.unreached_tasks(conditions, today, 40, kept=(None, selection.period()))
    assert count == 25 and len(first) == 25
    assert first[0] == started
    assert [t.due_on for t in first[13:]] == [None] * 12
    assert [t.id for t in first[13:]] == sorted(t.id for t in first[13:])


def test_a_subtrees_count_and_first_tasks_that_reach_nobody_are_those_of_a_plain_walk(
    world, create_visit, create_task
):
    """Random units with and without office accounts (some inactive), some ended, tasks led inside
    and outside each subtree and inspected from inside it: the count and the first tasks, read from
    the units that reach nobody, are those of walking every task, for the dashboard's subtrees."""
    import random

    from models import Organization, User
    from models.enums import OPEN_TASK_STATUSES, OrgKind, Role, TaskStatus
    from tests.conftest import _org, _user
    from workflows import dashboard as numbers

    rng = random.Random(14)
    today = local_today()
    parents = [world.district, world.other_district, world.board, world.district_office]
    units = [world.district, world.district_office, world.district_culture, world.other_district]
    units += [world.other_office, world.board]
    for index in range(8):
        units.append(_org(f"R{index}-BP", f"Đơn vị {index}", OrgKind.PARTY_BOARD, rng.choice(parents)))
    db.session.flush()
    for index, unit in enumerate(units[6:]):
        if rng.random() < 0.5:
            _user(f"reach{index}", Role.OFFICE, unit).is_active = rng.random() < 0.7
    visits = [create_visit(), create_visit(inspected_org=world.other_district)]  # the board's: led outside it
    for index in range(60):
        directive = visit_flow.issue_directive(rng.choice(visits), world.inspector, body=f"Chỉ đạo {index}.")
        due = None if rng.random() < 0.2 else today + timedelta(days=rng.randint(-30, 60))
        task = task_flow.assign_task(directive, world.inspector, lead_org=rng.choice(units), due_on=due)
        db.session.flush()
        if rng.random() < 0.15:  # another open status (set directly: only the status matters)
            task.status = TaskStatus.IN_PROGRESS
        elif rng.random() < 0.15:
            task_flow.cancel_task(task, world.inspector, reason="Không còn cần.")
    for unit in units:
        if rng.random() < 0.3:
            unit.valid_to = today + timedelta(days=rng.randint(-10, 40))
    db.session.commit()

    def reaches_nobody(task):
        lead = task.lead_org
        office = db.session.scalar(
            select(func.count(User.id)).where(
                User.organization_id == lead.id, User.role == Role.OFFICE, User.is_active.is_(True)
            )
        )
        ended = lead.valid_to is not None and (
            lead.valid_to < today or (task.due_on is not None and lead.valid_to < task.due_on)
        )
        return not office or ended

    paths = {o.id: o.path for o in db.session.scalars(select(Organization))}
    scopes = [world.district, world.other_district, world.board, world.district_office, units[-1]]

    def check() -> list[Task]:
        every = db.session.scalars(select(Task)).all()
        for scope in scopes:
            selection = numbers.Selection.of(scope, None, today)
            assert selection.counted_scope() is not None

            def inside(org_id, scope=scope):
                return org_id is not None and paths[org_id].startswith(scope.path)

            walked = sorted(
                (
                    t
                    for t in every
                    if t.status in OPEN_TASK_STATUSES
                    and (inside(t.lead_org_id) or inside(t.inspecting_org_id))
                    and reaches_nobody(t)
                ),
                key=lambda t: (t.due_on is None, t.due_on or today, t.id),
            )
            for limit in (3, 10):
                kept = (selection.counted_scope(), selection.period())
                count, first = reach.unreached_tasks(selection.conditions(today), today, limit, kept=kept)
                expected = (len(walked), [t.id for t in walked[:limit]])
                assert (count, [t.id for t in first]) == expected, scope.code
                count, lines = reach.unreached_tasks(
                    selection.conditions(today), today, limit, kept=kept, lines=True
                )
                assert (count, [row.id for row in lines]) == expected
        return list(every)

    counts.mark_stale(db.session.connection())  # not kept: the units outside are read as they are
    db.session.commit()
    every = check()
    assert any(reaches_nobody(t) for t in every) and not all(reaches_nobody(t) for t in every)
    # The counts kept for today: the units outside a subtree are those the kept counts pair with its
    # bodies; then tasks moved to other lead units (the flush hook moves their kept rows).
    counts.rebuild(db.session.connection(), today, 3)
    db.session.commit()
    check()
    open_tasks = [t for t in every if t.status in OPEN_TASK_STATUSES]
    for task in rng.sample(open_tasks, min(12, len(open_tasks))):
        task.lead_org = rng.choice(units)
    db.session.commit()
    assert counts.kept_day(db.session.connection()).day == today
    check()
