"""Pausing, resuming and cancelling a task from the visit dossier, so a visit can always close."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from models import Task, TaskEvent, db
from models.enums import TaskStatus
from tests.conftest import VISIT_DAY, at
from workflows import tasks as task_flow


@pytest.fixture
def started(world, full_visit):
    """A visit whose first task the district office has started."""
    visit = full_visit(directives=1)
    task = visit.directives[0].tasks[0]
    task_flow.start_task(task, world.office, now=at(VISIT_DAY))
    db.session.commit()
    return visit, task


def _task(task_id):
    db.session.expire_all()
    return db.session.get(Task, task_id)


def _events(task_id):
    return db.session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.task_id == task_id))


def test_the_dossier_offers_pause_and_cancel_for_a_started_task(login_as, world, started):
    visit, task = started
    page = login_as(world.inspector).get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/tasks/{task.id}/pause" in page
    assert f"/tasks/{task.id}/cancel" in page
    assert f"/tasks/{task.id}/resume" not in page


def test_readers_outside_the_inspecting_body_see_no_hold_buttons(login_as, world, started):
    visit, task = started
    page = login_as(world.leader).get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/tasks/{task.id}/cancel" not in page


def test_a_started_task_is_cancelled_with_a_reason_and_the_visit_can_close(login_as, world, started):
    visit, task = started
    client = login_as(world.inspector)
    response = client.post(
        f"/tasks/{task.id}/cancel", data={"version": task.version, "reason": "Không còn phù hợp."}
    )
    assert response.status_code == 302
    assert f"/visits/{visit.id}" in response.headers["Location"]
    assert _task(task.id).status is TaskStatus.CANCELLED
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert "Không còn phù hợp." in page
    assert f"/tasks/{task.id}/cancel" not in page


def test_cancelling_or_pausing_without_a_reason_changes_nothing(login_as, world, started):
    _, task = started
    client = login_as(world.inspector)
    before = _events(task.id)
    page = client.post(
        f"/tasks/{task.id}/cancel", data={"version": task.version, "reason": "  "}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cần ghi lý do hủy nhiệm vụ." in page
    page = client.post(
        f"/tasks/{task.id}/pause", data={"version": task.version}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cần ghi lý do tạm dừng." in page
    assert _task(task.id).status is TaskStatus.IN_PROGRESS
    assert _events(task.id) == before


def test_a_paused_task_resumes_where_work_left_off(login_as, world, started):
    visit, task = started
    client = login_as(world.inspector)
    client.post(f"/tasks/{task.id}/pause", data={"version": task.version, "reason": "Chờ kinh phí."})
    paused = _task(task.id)
    assert paused.status is TaskStatus.PAUSED
    page = client.get(f"/visits/{visit.id}").get_data(as_text=True)
    assert f"/tasks/{task.id}/resume" in page and f"/tasks/{task.id}/pause" not in page
    client.post(f"/tasks/{task.id}/resume", data={"version": paused.version})
    assert _task(task.id).status is TaskStatus.IN_PROGRESS


def test_a_stale_version_is_refused_with_a_message_and_nothing_changes(login_as, world, started):
    _, task = started
    old = task.version
    task_flow.record_progress(task, world.office, progress=40, note="Đã làm một phần.")
    db.session.commit()
    page = (
        login_as(world.inspector)
        .post(f"/tasks/{task.id}/cancel", data={"version": old, "reason": "Thôi."}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "Nhiệm vụ vừa được người khác cập nhật." in page
    assert _task(task.id).status is TaskStatus.IN_PROGRESS


def test_a_resume_of_a_task_not_paused_is_explained(login_as, world, started):
    _, task = started
    page = (
        login_as(world.inspector)
        .post(f"/tasks/{task.id}/resume", data={"version": task.version}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "không thể tiếp tục" in page
    assert _task(task.id).status is TaskStatus.IN_PROGRESS


@pytest.mark.parametrize("route", ["pause", "resume", "cancel"])
def test_a_task_outside_the_inspectors_scope_reads_as_missing(login_as, world, started, route):
    _, task = started
    client = login_as(world.other_inspector)
    response = client.post(f"/tasks/{task.id}/{route}", data={"version": "0", "reason": "x"})
    assert response.status_code == client.post(f"/tasks/999999/{route}", data={"reason": "x"}).status_code
    assert response.status_code == 404
    assert _task(task.id).status is TaskStatus.IN_PROGRESS


def test_office_staff_may_not_cancel(login_as, world, started):
    _, task = started
    response = login_as(world.office).post(
        f"/tasks/{task.id}/cancel", data={"version": task.version, "reason": "x"}
    )
    assert response.status_code == 403
    assert _task(task.id).status is TaskStatus.IN_PROGRESS
