"""The dossier's visit read as rows (``app.workspace.dossier_rows``) equals the ORM's load of it
(``dossier_options``, which the spreadsheet, the corrections and the API use), and the page reads
nothing more from the database while it renders the visit."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any, cast

from flask_login import login_user
from sqlalchemy import inspect as sa_inspect
from sqlalchemy import select

from app.workspace import dossier_rows
from app.workspace.visits import _nothing_to_look_for, dossier_options
from models import Directive, Task, TaskEvent, User, Visit, db
from models.enums import TaskEventKind, TaskStatus
from tests.conftest import at
from workflows import corrections as correction_flow
from workflows import news as news_flow
from workflows import recurrence as duty_flow
from workflows import report_back
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.timeliness import timeliness_of


def _columns(instance: Any) -> dict[str, Any]:
    return {
        attribute.key: getattr(instance, attribute.key)
        for attribute in sa_inspect(instance).mapper.column_attrs
    }


# Days on which each task's timeliness is asked: before, around and after the busy visit's dates.
DAYS = (date(2023, 8, 1), date(2023, 10, 1), date(2023, 12, 20), date(2024, 6, 1))


def _last_event(task: Task) -> tuple[Any, ...] | None:
    """The task's latest event as the dossier shows it, from the ORM's history."""
    if not task.events:
        return None
    event = max(task.events, key=lambda e: e.id)
    actor = (event.actor.display_name or event.actor.username) if event.actor else None
    return (event.created_at, event.kind, event.note, actor)


def _task(task: Any, users: list[User]) -> dict[str, Any]:
    """What the page reads and asks of a task (an ORM ``Task`` or a ``TaskRow``)."""
    if isinstance(task, Task):
        lead = task.lead_org.name
        # No order in the model: the page lists them by id, as SQLite returned them.
        coordinating = [org.name for org in sorted(task.coordinating_orgs, key=lambda org: org.id)]
        last = _last_event(task)
    else:
        lead, coordinating = task.lead_name, task.coordinating_names
        event = task.last_event
        last = None if event is None else (event.created_at, event.kind, event.note, event.actor_name)
    return {
        **{
            key: getattr(task, key)
            for key in (
                "id",
                "title",
                "due_on",
                "original_due_on",
                "status",
                "progress",
                "completed_on",
                "reported_at",
                "recurrence_id",
                "period_start",
                "version",
            )
        },
        "directive": task.directive.id,
        "lead": lead,
        "coordinating": coordinating,
        "recurrence": task.recurrence.id if task.recurrence else None,
        "last_event": last,
        "shown_progress": task.shown_progress,
        "period_name": task.period_name,
        "is_paused": task.is_paused,
        "timeliness": [timeliness_of(task, day, 7) for day in DAYS],
        "may": [
            (task.can_pause(user), task.can_resume(user), task.can_verify(user, False)) for user in users
        ],
    }


def _seen(visit: Visit, tasks_of: Callable[[Directive], list[Any]], users: list[User]) -> dict[str, Any]:
    """Everything the dossier reads of the visit's graph, each directive's tasks from ``tasks_of``."""
    directives = [*visit.directives, *([visit.report_back_directive] if visit.report_back_directive else [])]
    return {
        "visit": _columns(visit),
        "bodies": (_columns(visit.inspecting_org), _columns(visit.inspected_org)),
        "members": [(_columns(m), _columns(m.person), m.visit.id) for m in visit.members],
        "findings": [(_columns(f), f.visit.id) for f in visit.findings],
        "directives": [
            (
                _columns(d),
                d.visit.id,
                [_task(t, users) for t in tasks_of(d)],
                [_columns(c) for c in d.citations],
                [(_columns(r), _columns(r.lead_org), r.directive.id) for r in d.recurrences],
                d.running_recurrence.id if d.running_recurrence else None,
                [(r.can_stop(user), r.is_running) for r in d.recurrences for user in users],
            )
            for d in directives
        ],
        "report_back": visit.report_back_directive is not None,
    }


def _a_busy_visit(world, full_visit) -> Visit:
    """Citations, coordinating units, members and findings (``full_visit``), a paused and a cancelled
    task, notes with and without an author, a running and a stopped report duty with their tasks,
    and the report-back obligation of a concluded visit."""
    visit = full_visit(directives=3)
    first, second, third = visit.directives
    task_flow.pause_task(second.tasks[0], world.inspector, reason="Chờ hướng dẫn.", now=at(date(2023, 8, 1)))
    task_flow.cancel_task(
        third.tasks[0], world.inspector, reason="Không còn phù hợp.", now=at(date(2023, 8, 2))
    )
    task_flow.record_progress(
        first.tasks[0],
        world.office,
        note="Đã <b>họp</b> & triển khai.",
        progress=40,
        now=at(date(2023, 8, 3)),
    )
    duty_flow.set_recurrence(
        first,
        world.inspector,
        period="monthly",
        due_day=25,
        first_period=date(2023, 9, 1),
        last_period=date(2023, 11, 30),
        lead_org=world.district_office,
        coordinating=[world.district_culture],
        now=at(date(2023, 8, 4)),
    )
    stopped = duty_flow.set_recurrence(
        second,
        world.inspector,
        period="quarterly",
        due_day=10,
        first_period=date(2023, 10, 1),
        last_period=None,
        lead_org=world.district_culture,
        coordinating=[],
        now=at(date(2023, 8, 4)),
    )
    db.session.flush()
    duty_flow.create_due_tasks(db.session, date(2023, 12, 1), now=at(date(2023, 12, 1)))
    duty_flow.stop_recurrence(stopped, world.inspector, now=at(date(2023, 12, 2)))
    visit_flow.conclude_visit(
        visit,
        world.inspector,
        report_due_on=date(2023, 12, 1) + timedelta(days=60),
        now=at(date(2023, 12, 3)),
    )
    # The scheduler's reminder has no author.
    db.session.add(
        TaskEvent(
            task=third.tasks[0],
            kind=TaskEventKind.REMINDER_SENT,
            actor=None,
            created_at=at(date(2023, 12, 4)),
        )
    )
    db.session.commit()
    return visit


def _signed_in(user_ids: list[int]) -> list[User]:
    """The users, with their units, as a page's session check reads them."""
    users = [db.session.get(User, user_id) for user_id in user_ids]
    assert all(user is not None and user.organization.path for user in users)
    return cast(list[User], users)


def _both_ways(world, visit_id: int, query_counter) -> tuple[dict[str, Any], dict[str, Any]]:
    """What the page reads of the visit read as rows, and of the ORM's load; with the unfinished tasks
    and the report-back task each way (the rows through ``VisitTasks``, the ORM through the workflows)."""
    user_ids = [
        u.id for u in (world.leader, world.inspector, world.office, world.admin, world.other_inspector)
    ]
    db.session.close()
    visit = dossier_rows.visit_of(visit_id)
    assert visit is not None
    rows = dossier_rows.load_dossier(visit)
    users = _signed_in(user_ids)
    with query_counter() as counted:
        rows_seen = _seen(visit, lambda d: rows.of[d.id], users)
        back = rows.report_back_task()
        rows_seen["unfinished"] = [t.id for t in rows.unfinished()]
        rows_seen["report_back_task"] = back.id if back else None
        rows_seen["the_page_asks"] = [
            t.timeliness(day, 7) for d in visit.directives for t in rows.of[d.id] for day in DAYS
        ]
    assert counted.count == 0, "the rows' objects lazy-loaded what the page reads"
    db.session.close()
    loaded = db.session.scalar(select(Visit).where(Visit.id == visit_id).options(*dossier_options()))
    orm_seen = _seen(loaded, lambda d: d.tasks, _signed_in(user_ids))
    back = report_back.task_of(loaded)
    orm_seen["unfinished"] = [t.id for t in visit_flow.unfinished_tasks(loaded)]
    orm_seen["report_back_task"] = back.id if back else None
    orm_seen["the_page_asks"] = [
        timeliness_of(t, day, 7) for d in loaded.directives for t in d.tasks for day in DAYS
    ]
    return rows_seen, orm_seen


def test_the_dossiers_rows_are_the_orms_visit(app, world, full_visit, query_counter):
    visit_id = _a_busy_visit(world, full_visit).id
    office = world.office.display_name or world.office.username
    with app.test_request_context():  # a duty's period names are translated
        rows_seen, orm_seen = _both_ways(world, visit_id, query_counter)
    assert rows_seen == orm_seen
    # The visit is as busy as it claims, so the comparison covers each case.
    directives = rows_seen["directives"]
    assert rows_seen["report_back"] and len(directives) == 4
    assert rows_seen["report_back_task"] == directives[3][2][-1]["id"]
    assert [len(d[4]) for d in directives[:2]] == [1, 1] and directives[0][5] and not directives[1][5]
    tasks = [t for d in directives for t in d[2]]
    assert any(t["recurrence_id"] and t["period_name"] for t in tasks)
    assert any(d[3] for d in directives) and all(t["coordinating"] for t in directives[0][2])
    assert {t["status"] for t in tasks} >= {TaskStatus.PAUSED, TaskStatus.CANCELLED, TaskStatus.ASSIGNED}
    assert 0 < len(rows_seen["unfinished"]) < len(tasks)
    # The inspector may pause the working tasks and resume the paused one; nobody else may.
    may = [m for t in tasks for m in t["may"]]
    assert (True, False, True) in may and (False, True, True) in may and (False, False, False) in may
    assert all(not pause and not resume for t in tasks for pause, resume, _ in t["may"][2:])
    assert len({when for t in tasks for when in t["timeliness"]}) >= 3
    events = [t["last_event"] for t in tasks]
    assert {event[3] for event in events if event} >= {None, office}
    assert any(event and event[2] and "<b>" in event[2] for event in events)


def test_a_visit_without_directives_or_delegation_reads_as_the_orms(app, world, create_visit, query_counter):
    visit = create_visit()
    visit.members.clear()
    db.session.commit()
    with app.test_request_context():
        rows_seen, orm_seen = _both_ways(world, visit.id, query_counter)
    assert rows_seen == orm_seen and rows_seen["unfinished"] == [] and rows_seen["report_back_task"] is None
    assert dossier_rows.visit_of(10**9) is None


def test_objects_the_session_holds_already_are_completed_not_replaced(world, full_visit):
    visit = full_visit(directives=2)
    directive = visit.directives[0]
    task = directive.tasks[0]
    db.session.commit()  # expires every attribute
    again = dossier_rows.visit_of(visit.id)
    assert again is visit
    rows = dossier_rows.load_dossier(again)
    assert again.directives[0] is directive and directive.citations is not None
    (row, *_) = rows.of[directive.id]
    assert row.directive is directive and row.id == task.id and row.lead_name == task.lead_org.name


def test_the_other_parts_stand_ins_answer_what_their_helpers_answer(app, world, full_visit, create_visit):
    """A visit without issued documents, news posts or corrections: the dossier's stand-ins for the
    documents', news' and corrections' helpers answer what those helpers answer, for every role, on a
    concluded and on a planned visit; a visit with any of them keeps that part's own helper."""
    concluded = _a_busy_visit(world, full_visit)
    planned = create_visit()
    db.session.commit()
    helpers = app.jinja_env.globals
    users = (world.leader, world.inspector, world.office, world.admin, world.other_inspector)
    for visit in (concluded, planned):
        read = dossier_rows.dossier_visit(visit.id)
        assert read is not None and read[0] is visit
        found = read[1]
        assert found == dossier_rows.OthersFound(issued=False, news=False, corrections=False)
        for user in users:
            with app.test_request_context():
                login_user(user)
                shadowed = _nothing_to_look_for(found)
                assert set(shadowed) == {"documents_for_visit", "news_posts_of_visit", "visit_corrections"}
                for name, stand_in in shadowed.items():
                    assert stand_in(visit) == helpers[name](visit), (name, user.username)
    with app.test_request_context():
        assert _nothing_to_look_for(dossier_rows.OthersFound(issued=True, news=True, corrections=True)) == {}


def test_a_dossier_shows_the_news_posts_and_corrections_the_visit_has(world, login_as, full_visit):
    """The existence check finds what the visit has, and the dossier shows it through the parts' own
    helpers: a news post's button and the corrections' history."""
    visit = full_visit(directives=1)
    visit_flow.conclude_visit(visit, world.inspector, now=at(date(2023, 12, 3)))
    db.session.commit()
    client = login_as(world.inspector)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Tin: " not in page and 'id="history"' not in page
    post = news_flow.create_draft(visit, world.inspector)
    correction_flow.correct_visit(
        visit, world.inspector, reason="Sai địa điểm.", version=visit.version, fields={"place": "Nơi khác"}
    )
    db.session.commit()
    read = dossier_rows.dossier_visit(visit.id)
    assert read is not None and read[1] == dossier_rows.OthersFound(issued=False, news=True, corrections=True)
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f'href="/bai-viet/{post.id}/xem-truoc"' in page and "Tin: " in page
    history = page[page.index('id="history"') :]
    assert "Sai địa điểm." in history and "Nơi khác" in history


def test_a_reader_who_may_not_act_sees_the_rows_an_inspector_sees(world, login_as, full_visit):
    """The leader's task rows are joined by the view; the inspector's are written one by one by the
    template's loop, which places a hold form below each task still cancellable. On a visit whose tasks
    are all cancelled neither has a form, and both tables are the same to the byte."""
    visit = full_visit(directives=2)
    for task in [task for directive in visit.directives for task in directive.tasks]:
        task_flow.cancel_task(task, world.inspector, reason="Không còn phù hợp.", now=at(date(2023, 8, 2)))
    db.session.commit()

    def tables(user: User) -> list[str]:
        page = login_as(user).get(f"/visits/{visit.id}").get_data(as_text=True)
        return [part.split("</tbody>")[0] for part in page.split("<tbody>")[1:]]

    inspector, leader = tables(world.inspector), tables(world.leader)
    assert len(inspector) == 2 and all('<tr id="task-' in table for table in inspector)
    assert "kt-task-hold" not in "".join(inspector)
    assert leader == inspector
