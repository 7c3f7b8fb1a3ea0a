"""Writing through the API: the task page's workflows, its version check, its messages."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import func, select

from models import DeadlineExtension, Task, TaskEvent, db
from models.enums import TaskStatus
from tests.conftest import World


def _events(task_id: int) -> int:
    return db.session.scalar(select(func.count(TaskEvent.id)).where(TaskEvent.task_id == task_id)) or 0


def _reload(task_id: int) -> Task:
    db.session.expire_all()
    task = db.session.get(Task, task_id)
    assert task is not None
    return task


def test_an_office_records_progress_with_the_version_it_read(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    task = create_task()
    db.session.commit()
    api = api_as(world.office)
    read = api.get(f"/tasks/{task.id}")
    assert read.status_code == 200
    etag = read.headers["ETag"]
    assert "progress" in read.get_json()["actions"]

    answer = api.post(
        f"/tasks/{task.id}/progress",
        {"note": "Đã tổ chức hội nghị quán triệt ở 5/7 xã.", "progress": 70},
        headers={"If-Match": etag},
    )
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["progress"] == 70
    assert body["status"] == "in_progress"
    assert answer.headers["ETag"] != etag
    assert body["events"][-1]["note"] == "Đã tổ chức hội nghị quán triệt ở 5/7 xã."
    assert _reload(task.id).progress == 70


def test_the_same_post_sent_twice_applies_once(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    task = create_task()
    db.session.commit()
    api = api_as(world.office)
    version = task.version
    first = api.post(f"/tasks/{task.id}/progress", {"note": "Lần một", "progress": 40}, version=version)
    assert first.status_code == 200
    events = _events(task.id)
    second = api.post(f"/tasks/{task.id}/progress", {"note": "Lần một", "progress": 40}, version=version)
    assert second.status_code == 409
    problem = second.get_json()
    assert second.mimetype == "application/problem+json"
    assert problem["type"].endswith("/stale-version")
    assert problem["current_version"] == _reload(task.id).version
    assert _events(task.id) == events, "nothing written the second time"


def test_a_stale_version_writes_nothing_while_the_current_one_goes_through(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any], login_as: Callable[..., Any]
) -> None:
    task = create_task()
    db.session.commit()
    seen = task.version
    # Someone else saves on the page meanwhile.
    page = login_as(world.office)
    page.post(
        f"/tasks/{task.id}/progress",
        data={"progress-note": "Trên trang", "progress-progress": "20", "progress-version": str(seen)},
    )
    assert _reload(task.id).progress == 20
    api = api_as(world.office)
    stale = api.post(f"/tasks/{task.id}/report", {"note": "Xong"}, version=seen)
    assert stale.status_code == 409
    assert _reload(task.id).status is TaskStatus.IN_PROGRESS
    fresh = api.post(f"/tasks/{task.id}/report", {"note": "Xong"}, version=_reload(task.id).version)
    assert fresh.status_code == 200
    assert fresh.get_json()["status"] == "reported"


def test_a_write_without_if_match_is_428(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    task = create_task()
    db.session.commit()
    answer = api_as(world.office).post(f"/tasks/{task.id}/progress", {"note": "x"})
    assert answer.status_code == 428
    assert "If-Match" in answer.get_json()["detail"]
    assert _events(task.id) == 1


def test_bad_bodies_get_the_right_status_and_write_nothing(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    task = create_task()
    db.session.commit()
    api = api_as(world.office)
    v = task.version
    path = f"/tasks/{task.id}/progress"
    json_type = {"Content-Type": "application/json"}
    malformed = api.post(path, version=v, data='{"note": "x",', headers=json_type)
    assert malformed.status_code == 400
    assert malformed.get_json()["type"].endswith("/malformed-json")
    assert api.post(path, version=v, data="[1, 2]", headers=json_type).status_code == 400
    assert api.post(path, version=v, data="note=x", headers={"Content-Type": "text/plain"}).status_code == 415
    too_much = api.post(path, {"note": "Tiến độ", "progress": 150}, version=v)
    assert too_much.status_code == 422
    assert too_much.get_json()["errors"]["progress"] == ["Tỷ lệ hoàn thành là một số từ 0 đến 100."]
    empty = api.post(path, {"progress": 10}, version=v)
    assert empty.status_code == 422
    assert empty.get_json()["errors"]["note"] == ["Chưa nhập nội dung tiến độ."]
    wrong_type = api.post(path, {"note": ["a"], "progress": True}, version=v)
    assert wrong_type.status_code == 422
    assert set(wrong_type.get_json()["errors"]) == {"note", "progress"}
    unknown = api.post(path, {"note": "x", "percent": 5}, version=v)
    assert unknown.status_code == 422
    assert "percent" in unknown.get_json()["errors"]
    nul = api.post(path, {"note": "a\u0000b"}, version=v)
    assert nul.status_code == 422
    assert _events(task.id) == 1
    assert _reload(task.id).version == v


def test_the_message_follows_accept_language(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    task = create_task()
    db.session.commit()
    english = api_as(world.office, language="en")
    answer = english.post(f"/tasks/{task.id}/progress", {"progress": 10}, version=task.version)
    assert answer.status_code == 422
    assert answer.headers["Content-Language"] == "en"
    assert answer.get_json()["errors"]["note"] == ["Please describe the progress."]
    assert answer.get_json()["title"] == "Invalid data"
    vietnamese = api_as(world.office, language="vi")
    assert vietnamese.get("/tasks/999999").get_json()["title"] == "Không tìm thấy"
    assert english.get("/tasks/999999").get_json()["title"] == "Not found"


def test_report_then_the_inspector_verifies_or_returns(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    first, second = create_task(), create_task()
    db.session.commit()
    office, inspector = api_as(world.office), api_as(world.inspector)
    for task in (first, second):
        assert (
            office.post(f"/tasks/{task.id}/report", {"note": "Đã xong"}, version=task.version).status_code
            == 200
        )
    read = inspector.get(f"/tasks/{first.id}").get_json()
    assert read["actions"] == ["verify", "return"]
    verified = inspector.post(f"/tasks/{first.id}/verify", {}, version=read["version"])
    assert verified.status_code == 200
    assert verified.get_json()["status"] == "done"
    assert _reload(first.id).completed_on is not None

    version = _reload(second.id).version
    no_reason = inspector.post(f"/tasks/{second.id}/return", {"note": ""}, version=version)
    assert no_reason.status_code == 422
    assert no_reason.get_json()["detail"] == "Cần ghi lý do trả lại."
    returned = inspector.post(f"/tasks/{second.id}/return", {"note": "Thiếu biên bản"}, version=version)
    assert returned.status_code == 200
    assert returned.get_json()["status"] == "returned"

    # Verifying a task that is not reported is refused by its state.
    again = inspector.post(f"/tasks/{second.id}/verify", {}, version=_reload(second.id).version)
    assert again.status_code == 409
    assert again.get_json()["type"].endswith("/invalid-state")
    assert "Đã trả lại" in again.get_json()["detail"] or "trả lại" in again.get_json()["detail"]


def test_an_office_asks_for_an_extension(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    task = create_task(due_on=date(2023, 12, 31))
    db.session.commit()
    api = api_as(world.office)
    early = api.post(
        f"/tasks/{task.id}/extension",
        {"new_due_on": "2023-12-01", "reason": "Chờ kinh phí"},
        version=task.version,
    )
    assert early.status_code == 422
    assert "31/12/2023" in early.get_json()["detail"]
    bad_day = api.post(
        f"/tasks/{task.id}/extension", {"new_due_on": "2024-02-31", "reason": "Chờ"}, version=task.version
    )
    assert bad_day.status_code == 422
    assert "new_due_on" in bad_day.get_json()["errors"]
    asked = api.post(
        f"/tasks/{task.id}/extension",
        {"new_due_on": "2024-03-31", "reason": "Chờ kinh phí"},
        version=task.version,
    )
    assert asked.status_code == 200
    extension = db.session.scalar(select(DeadlineExtension))
    assert extension is not None
    assert extension.requested_due_on == date(2024, 3, 31)
    assert asked.get_json()["extensions"][0]["status"] == "pending"


def test_a_save_made_while_the_write_waited_for_the_lock_is_not_overwritten(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any], app: Any
) -> None:
    """Someone saves the task after the API read it and before the API's write transaction begins:
    the version is read again under the lock, and the write is refused as stale."""
    from flask import request_started

    from app import database

    task = create_task()
    db.session.commit()
    api = api_as(world.office)
    assert api.get("/me").status_code == 200  # the token's first use is noted now, not in the write
    seen, task_id = task.version, task.id

    def someone_saves_first(_sender: Any, **_extra: Any) -> None:
        database.on_writing(lambda: db.session.execute(Task.__table__.update().values(version=seen + 1)))

    request_started.connect(someone_saves_first, app)
    try:
        answer = api.post(f"/tasks/{task_id}/progress", {"note": "Ghi chú cũ", "progress": 10}, version=seen)
    finally:
        request_started.disconnect(someone_saves_first, app)
    assert answer.status_code == 409
    assert answer.get_json()["type"].endswith("/stale-version")
    assert _events(task_id) == 1


def test_a_note_sent_twice_is_recorded_once(
    world: World, create_task: Callable[..., Task], api_as: Callable[..., Any]
) -> None:
    """A note changes no column of the task, yet it moves the version: a retried POST is refused."""
    task = create_task(coordinating=[world.district_culture])
    db.session.commit()
    for user in (world.office, world.coordinator):
        api = api_as(user)
        version = _reload(task.id).version
        events = _events(task.id)
        first = api.post(f"/tasks/{task.id}/progress", {"note": "Ý kiến phối hợp"}, version=version)
        assert first.status_code == 200, first.get_json()
        assert first.get_json()["version"] > version
        again = api.post(f"/tasks/{task.id}/progress", {"note": "Ý kiến phối hợp"}, version=version)
        assert again.status_code == 409
        assert _events(task.id) == events + (2 if user is world.office else 1)
