"""The verification queue: reports to accept or return, extension requests to decide."""

from __future__ import annotations

from datetime import date

import pytest

from models import DeadlineExtension, Task, db
from models.enums import ExtensionStatus, TaskStatus
from tests.conftest import at
from workflows import tasks as task_flow

DAY = date(2023, 9, 1)


@pytest.fixture
def reported(world, full_visit):
    """A visit whose first task was reported done and whose second asks for more time."""
    visit = full_visit()
    first, second = visit.directives[0].tasks[0], visit.directives[1].tasks[0]
    task_flow.report_task_done(first, world.office, note="Đã tổ chức 12 hội nghị quán triệt.", now=at(DAY))
    task_flow.request_extension(
        second, world.office, new_due_on=date(2024, 3, 31), reason="Chờ kinh phí năm sau.", now=at(DAY)
    )
    db.session.commit()
    return first, second


def _version(task_id):
    return db.session.get(Task, task_id).version


def test_the_queue_lists_reports_and_extension_requests(login_as, world, reported):
    first, second = reported
    page = login_as(world.inspector).get("/verification").get_data(as_text=True)
    assert "Đã tổ chức 12 hội nghị quán triệt." in page
    assert "Chờ kinh phí năm sau." in page
    assert "31/03/2024" in page
    assert first.title in page and second.title in page


def test_the_navigation_shows_how_many_items_wait(login_as, world, reported):
    page = login_as(world.inspector).get("/visits").get_data(as_text=True)
    assert 'Chờ xác nhận <span class="badge text-bg-warning">2</span>' in page


def test_an_inspector_of_another_body_sees_an_empty_queue(login_as, world, reported):
    page = login_as(world.other_inspector).get("/verification").get_data(as_text=True)
    assert "Đã tổ chức 12 hội nghị" not in page
    assert "Không có nhiệm vụ nào chờ xác nhận." in page


def test_accepting_a_report_marks_the_task_done(login_as, world, reported):
    first, _ = reported
    client = login_as(world.inspector)
    response = client.post(
        f"/tasks/{first.id}/verify", data={"verify-version": _version(first.id), "verify-note": "Tốt."}
    )
    assert response.status_code == 302
    task = db.session.get(Task, first.id)
    db.session.refresh(task)
    assert task.status is TaskStatus.DONE
    assert task.completed_on == DAY


def test_returning_a_report_needs_a_note(login_as, world, reported):
    first, _ = reported
    client = login_as(world.inspector)
    page = client.post(
        f"/tasks/{first.id}/return", data={"verify-version": _version(first.id)}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Cần ghi lý do trả lại." in page
    assert db.session.get(Task, first.id).status is TaskStatus.REPORTED
    client.post(
        f"/tasks/{first.id}/return",
        data={"verify-version": _version(first.id), "verify-note": "Thiếu biên bản hội nghị."},
    )
    task = db.session.get(Task, first.id)
    db.session.refresh(task)
    assert task.status is TaskStatus.RETURNED
    assert task.events[-1].note == "Thiếu biên bản hội nghị."


def test_a_decision_on_an_outdated_page_changes_nothing(login_as, world, reported):
    first, _ = reported
    old_version = _version(first.id)
    first.description = "Một đồng nghiệp vừa sửa mô tả."  # any save moves the version on
    db.session.commit()
    client = login_as(world.inspector)
    page = client.post(
        f"/tasks/{first.id}/verify", data={"verify-version": old_version}, follow_redirects=True
    ).get_data(as_text=True)
    assert "Nhiệm vụ vừa được người khác cập nhật" in page
    assert db.session.get(Task, first.id).status is TaskStatus.REPORTED


def test_a_task_that_is_not_reported_cannot_be_accepted(login_as, world, full_visit):
    task = full_visit(directives=1).directives[0].tasks[0]
    page = (
        login_as(world.inspector)
        .post(f"/tasks/{task.id}/verify", data={"verify-version": task.version}, follow_redirects=True)
        .get_data(as_text=True)
    )
    assert "không thể xác nhận hoàn thành" in page


def test_approving_an_extension_moves_the_due_date(login_as, world, reported):
    _, second = reported
    extension = second.extensions[0]
    client = login_as(world.inspector)
    client.post(
        f"/verification/extensions/{extension.id}",
        data={"version": _version(second.id), "decision": "approve"},
    )
    db.session.expire_all()
    task = db.session.get(Task, second.id)
    assert task.due_on == date(2024, 3, 31)
    assert task.original_due_on == date(2023, 12, 31)
    assert task.extensions[0].status is ExtensionStatus.APPROVED


def test_refusing_an_extension_needs_a_reason(login_as, world, reported):
    _, second = reported
    extension_id = second.extensions[0].id
    client = login_as(world.inspector)
    page = client.post(
        f"/verification/extensions/{extension_id}",
        data={"version": _version(second.id), "decision": "refuse"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Cần ghi lý do không đồng ý gia hạn." in page
    client.post(
        f"/verification/extensions/{extension_id}",
        data={"version": _version(second.id), "decision": "refuse", "note": "Đủ thời gian."},
    )
    db.session.expire_all()
    assert db.session.get(DeadlineExtension, extension_id).status is ExtensionStatus.REFUSED
    assert db.session.get(Task, second.id).due_on == date(2023, 12, 31)


def test_a_decision_other_than_approve_or_refuse_is_a_bad_request(login_as, world, reported):
    _, second = reported
    response = login_as(world.inspector).post(
        f"/verification/extensions/{second.extensions[0].id}", data={"version": 1, "decision": "maybe"}
    )
    assert response.status_code == 400


def test_an_inspector_outside_the_visit_gets_not_found(login_as, world, reported):
    first, _ = reported
    response = login_as(world.other_inspector).post(
        f"/tasks/{first.id}/verify", data={"verify-version": _version(first.id)}
    )
    assert response.status_code == 404
    assert db.session.get(Task, first.id).status is TaskStatus.REPORTED


def test_a_foreign_task_reads_as_missing_whatever_the_version_sent(login_as, world, reported):
    first, _ = reported
    client = login_as(world.other_inspector)
    for route in ("verify", "return"):
        form = {"verify-version": "0", "verify-note": "x"}
        stale = client.post(f"/tasks/{first.id}/{route}", data=form)
        missing = client.post(f"/tasks/999999/{route}", data=form)
        assert stale.status_code == missing.status_code == 404
    assert db.session.get(Task, first.id).status is TaskStatus.REPORTED


def test_a_foreign_extension_reads_as_missing_whatever_the_form_says(login_as, world, reported):
    _, second = reported
    extension_id = second.extensions[0].id
    client = login_as(world.other_inspector)
    for data in ({"version": "0", "decision": "approve"}, {"version": "1", "decision": "maybe"}, {}):
        assert client.post(f"/verification/extensions/{extension_id}", data=data).status_code == 404
        assert client.post("/verification/extensions/999999", data=data).status_code == 404
    db.session.expire_all()
    assert db.session.get(DeadlineExtension, extension_id).status is ExtensionStatus.PENDING
