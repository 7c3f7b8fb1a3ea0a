"""The policy matrix through the API as through the pages: every role, on records inside and outside
its tree, gets the same answer (allowed, 403 for a role the route does not name, 404 outside the scope).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from models import Task, Visit, db
from tests.conftest import World

USERS = ("admin", "inspector", "other_inspector", "office", "coordinator", "other_office_user", "leader")


def _kind(status: int) -> str:
    if status in (200, 302):
        return "ok"
    return str(status)


def _reads(world: World, task: Task, visit: Visit) -> list[tuple[str, str]]:
    """(API path, page path) pairs that read the same thing."""
    return [
        (f"/api/v1/tasks/{task.id}", f"/tasks/{task.id}"),
        ("/api/v1/tasks", "/tasks"),
        (f"/api/v1/tasks?scope={world.district.id}", f"/tasks?scope={world.district.id}"),
        (f"/api/v1/tasks?scope={world.other_district.id}", f"/tasks?scope={world.other_district.id}"),
        ("/api/v1/visits", "/visits"),
        (f"/api/v1/visits/{visit.id}", f"/visits/{visit.id}"),
        ("/api/v1/timeliness", "/dashboard"),
        ("/api/v1/registry", "/registry"),
        ("/api/v1/tasks/999999", "/tasks/999999"),
    ]


def test_reads_answer_as_the_pages_do(
    world: World,
    full_visit: Callable[..., Visit],
    api_as: Callable[..., Any],
    login_as: Callable[..., Any],
) -> None:
    visit = full_visit(directives=1)
    task = visit.directives[0].tasks[0]
    differences = []
    seen = set()
    for name in USERS:
        user = getattr(world, name)
        api = api_as(user)
        page = login_as(user)
        for api_path, page_path in _reads(world, task, visit):
            by_api = _kind(api.client.get(api_path, headers=api.headers()).status_code)
            by_page = _kind(page.get(page_path).status_code)
            seen.add(by_api)
            if by_api != by_page:
                differences.append(f"{name} {api_path}: api {by_api}, page {by_page}")
    assert differences == []
    assert seen == {"ok", "403", "404"}, "the matrix exercises all three answers"


def _task_version(task_id: int) -> int:
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert task is not None
    return task.version


def test_writes_answer_as_the_pages_do(
    world: World,
    full_visit: Callable[..., Visit],
    api_as: Callable[..., Any],
    login_as: Callable[..., Any],
) -> None:
    visit = full_visit(directives=2)
    working, reported = (d.tasks[0] for d in visit.directives)
    from workflows import tasks as task_flow

    task_flow.report_task_done(reported, world.office, note="Đã xong")
    db.session.commit()
    expected = {
        # progress: lead and coordinating offices write; other roles 403; another district 404
        "progress": {
            "admin": "403",
            "inspector": "403",
            "leader": "403",
            "other_inspector": "403",
            "other_office_user": "404",
            "coordinator": "ok",
            "office": "ok",
        },
        # returning a report: inspectors of the inspecting body; another board's inspector 404
        "return": {
            "admin": "403",
            "leader": "403",
            "office": "403",
            "coordinator": "403",
            "other_office_user": "403",
            "other_inspector": "404",
        },
    }
    differences = []
    for name in USERS:
        user = getattr(world, name)
        api, page = api_as(user), login_as(user)
        if name in expected["progress"]:
            v = _task_version(working.id)
            by_page = page.post(
                f"/tasks/{working.id}/progress",
                data={"progress-note": f"Trang: {name}", "progress-version": str(v)},
            ).status_code
            v = _task_version(working.id)
            by_api = api.post(
                f"/tasks/{working.id}/progress", {"note": f"API: {name}"}, version=v
            ).status_code
            got = (_kind(by_api), _kind(by_page))
            if got != (expected["progress"][name],) * 2:
                differences.append(f"progress {name}: api {got[0]}, page {got[1]}")
        if name in expected["return"]:
            v = _task_version(reported.id)
            by_page = page.post(
                f"/tasks/{reported.id}/return", data={"verify-note": "Thiếu", "verify-version": str(v)}
            ).status_code
            by_api = api.post(f"/tasks/{reported.id}/return", {"note": "Thiếu"}, version=v).status_code
            got = (_kind(by_api), _kind(by_page))
            if got != (expected["return"][name],) * 2:
                differences.append(f"return {name}: api {got[0]}, page {got[1]}")
    assert differences == []
    # The refused calls changed nothing: the report still waits for the inspecting side.
    db.session.expire_all()
    assert db.session.get(Task, reported.id).status.value == "reported"  # type: ignore[union-attr]
