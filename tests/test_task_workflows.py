"""Task workflows: who may do what, in which state, and what the log records."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from models import Notification, Task, db
from models.enums import ExtensionStatus, NotificationKind, TaskEventKind, TaskStatus
from tests.conftest import at
from workflows import tasks as task_flow
from workflows.errors import InvalidState, OutOfScope, PermissionDenied, ValidationFailed


def test_assigning_a_task_logs_it_and_notifies_the_lead_and_coordinating_units(create_task, world):
    task = create_task(coordinating=[world.district_culture])
    db.session.commit()
    assert task.status is TaskStatus.ASSIGNED
    assert task.original_due_on == task.due_on == date(2023, 12, 31)
    assert [e.kind for e in task.events] == [TaskEventKind.CREATED]
    notes = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(n.recipient, n.kind, n.is_coordinating) for n in notes] == [
        (world.office, NotificationKind.ASSIGNED, False),
        (world.coordinator, NotificationKind.ASSIGNED, True),
    ]


def test_the_lead_unit_cannot_also_be_a_coordinating_unit(create_task, world):
    task = create_task(coordinating=[world.district_office, world.district_culture])
    assert task.coordinating_orgs == [world.district_culture]


def test_a_task_due_before_the_visit_is_refused(create_task):
    with pytest.raises(ValidationFailed, match="trước ngày kiểm tra"):
        create_task(due_on=date(2023, 1, 1))


def test_only_inspectors_of_the_inspecting_body_assign_tasks(create_task, world):
    directive = create_task().directive
    with pytest.raises(PermissionDenied):  # the leader sees the visit but does not edit it
        task_flow.assign_task(directive, world.leader, lead_org=world.district_office, due_on=None)
    with pytest.raises(OutOfScope):  # the district office does not even see the visit record
        task_flow.assign_task(directive, world.office, lead_org=world.district_office, due_on=None)


def test_the_lead_office_records_progress_and_the_task_starts(create_task, world):
    task = create_task()
    task_flow.record_progress(task, world.office, note="Đã họp triển khai.", progress=40)
    assert task.status is TaskStatus.IN_PROGRESS
    assert task.progress == 40
    assert task.events[-1].kind is TaskEventKind.PROGRESS
    assert task.events[-1].note == "Đã họp triển khai."


def test_a_coordinating_unit_adds_notes_but_not_percentages(create_task, world):
    task = create_task(coordinating=[world.district_culture])
    event = task_flow.record_progress(task, world.coordinator, note="Đã cung cấp số liệu.")
    assert event.kind is TaskEventKind.COMMENT
    assert task.status is TaskStatus.ASSIGNED
    with pytest.raises(PermissionDenied):
        task_flow.record_progress(task, world.coordinator, note="50%", progress=50)
    with pytest.raises(PermissionDenied):
        task_flow.report_task_done(task, world.coordinator, note="Xong.")


@pytest.mark.parametrize("progress", [-1, 101])
def test_a_percentage_outside_0_to_100_is_refused(create_task, world, progress):
    with pytest.raises(ValidationFailed, match="0 đến 100"):
        task_flow.record_progress(create_task(), world.office, note="x", progress=progress)


def test_only_the_lead_unit_reports_a_task_done(create_task, world):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Đã tổ chức hội nghị.", now=at(date(2023, 9, 1)))
    assert task.status is TaskStatus.REPORTED
    assert task.reported_at == at(date(2023, 9, 1))
    notified = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.REPORTED)
    ).all()
    assert [n.recipient for n in notified] == [world.inspector]


def test_reporting_a_cancelled_task_is_refused(create_task, world):
    task = create_task()
    task_flow.cancel_task(task, world.inspector, reason="Không còn phù hợp.")
    with pytest.raises(InvalidState, match="Đã hủy"):
        task_flow.report_task_done(task, world.office, note="Xong.")


def test_an_office_of_another_district_does_not_see_the_task(create_task, world):
    with pytest.raises(OutOfScope):
        task_flow.report_task_done(create_task(), world.other_office_user, note="Xong.")


def test_an_office_user_cannot_verify(create_task, world):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Xong.")
    with pytest.raises(PermissionDenied):
        task_flow.verify_task(task, world.office)


def test_verification_marks_the_task_done_at_full_progress(create_task, world):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Xong.", now=at(date(2023, 9, 1)))
    task_flow.verify_task(task, world.inspector, now=at(date(2023, 9, 5)))
    db.session.commit()
    assert (task.status, task.progress, task.completed_on) == (TaskStatus.DONE, 100, date(2023, 9, 1))
    with pytest.raises(InvalidState):
        task_flow.verify_task(task, world.inspector)


def test_a_returned_task_goes_back_with_the_note_and_can_be_reported_again(create_task, world):
    task = create_task()
    task_flow.report_task_done(task, world.office, note="Xong.")
    with pytest.raises(ValidationFailed, match="lý do"):
        task_flow.return_task(task, world.inspector, note="")
    task_flow.return_task(task, world.inspector, note="Thiếu biên bản hội nghị.")
    assert task.status is TaskStatus.RETURNED
    assert task.events[-1].note == "Thiếu biên bản hội nghị."
    returned = db.session.scalars(
        select(Notification).where(Notification.kind == NotificationKind.RETURNED)
    ).all()
    assert [n.recipient for n in returned] == [world.office]
    task_flow.report_task_done(task, world.office, note="Đã bổ sung biên bản.")
    assert task.status is TaskStatus.REPORTED


def test_the_event_log_records_every_status_change_in_order(create_task, world):
    task = create_task()
    task_flow.start_task(task, world.office)
    task_flow.report_task_done(task, world.office, note="Xong.")
    task_flow.return_task(task, world.inspector, note="Bổ sung.")
    task_flow.report_task_done(task, world.office, note="Đã bổ sung.")
    task_flow.verify_task(task, world.inspector)
    db.session.commit()
    changes = [(e.from_status, e.to_status) for e in task.events if e.kind is TaskEventKind.STATUS_CHANGED]
    assert changes == [
        (TaskStatus.ASSIGNED, TaskStatus.IN_PROGRESS),
        (TaskStatus.IN_PROGRESS, TaskStatus.REPORTED),
        (TaskStatus.REPORTED, TaskStatus.RETURNED),
        (TaskStatus.RETURNED, TaskStatus.REPORTED),
        (TaskStatus.REPORTED, TaskStatus.DONE),
    ]
    assert {e.actor for e in task.events} == {world.inspector, world.office}


def test_pause_and_resume_return_the_task_where_it_was(create_task, world):
    task = create_task()
    task_flow.start_task(task, world.office)
    task_flow.pause_task(task, world.inspector, reason="Chờ hướng dẫn.")
    with pytest.raises(InvalidState):
        task_flow.report_task_done(task, world.office, note="Xong.")
    task_flow.resume_task(task, world.inspector)
    assert task.status is TaskStatus.IN_PROGRESS


def test_an_extension_moves_the_due_date_in_force_and_keeps_the_original(create_task, world):
    task = create_task(due_on=date(2023, 9, 30))
    extension = task_flow.request_extension(
        task, world.office, new_due_on=date(2023, 10, 31), reason="Chờ số liệu."
    )
    with pytest.raises(InvalidState, match="đang chờ"):
        task_flow.request_extension(task, world.office, new_due_on=date(2023, 11, 30), reason="Lần nữa.")
    with pytest.raises(PermissionDenied):
        task_flow.decide_extension(extension, world.office, approve=True)
    task_flow.decide_extension(extension, world.inspector, approve=True, note="Đồng ý.")
    db.session.commit()
    assert extension.status is ExtensionStatus.APPROVED
    assert (task.due_on, task.original_due_on) == (date(2023, 10, 31), date(2023, 9, 30))
    with pytest.raises(InvalidState, match="đã được quyết định"):
        task_flow.decide_extension(extension, world.inspector, approve=False)


def test_a_refused_extension_leaves_the_due_date(create_task, world):
    task = create_task(due_on=date(2023, 9, 30))
    extension = task_flow.request_extension(task, world.office, new_due_on=date(2023, 10, 31), reason="Bận.")
    task_flow.decide_extension(extension, world.inspector, approve=False, note="Không đủ lý do.")
    assert task.due_on == date(2023, 9, 30)
    assert extension.status is ExtensionStatus.REFUSED


def test_an_extension_to_an_earlier_day_is_refused(create_task, world):
    task = create_task(due_on=date(2023, 9, 30))
    with pytest.raises(ValidationFailed, match="30/09/2023"):
        task_flow.request_extension(task, world.office, new_due_on=date(2023, 9, 30), reason="x")


def test_a_task_without_deadline_needs_no_extension(create_task, world):
    with pytest.raises(InvalidState):
        task_flow.request_extension(
            create_task(due_on=None), world.office, new_due_on=date(2024, 1, 1), reason="x"
        )


def test_two_people_saving_the_same_task_one_wins_and_the_other_is_refused(app, create_task, world):
    task_id = create_task().id
    db.session.commit()
    with (
        Session(db.engine, expire_on_commit=False) as first,
        Session(db.engine, expire_on_commit=False) as second,
    ):
        mine = first.get(Task, task_id)
        first.commit()
        theirs = second.get(Task, task_id)
        second.commit()
        mine.progress = 30
        first.commit()
        theirs.progress = 60
        with pytest.raises(StaleDataError):
            second.commit()
    db.session.expire_all()
    assert db.session.get(Task, task_id).progress == 30
