"""The database itself refuses records that break the rules, whatever code writes them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text, update
from sqlalchemy.exc import IntegrityError

from models import DelegationMember, Directive, Notification, Task, Visit, db
from models.enums import DelegationRole, DelegationSide, NotificationKind, TaskStatus
from workflows import visits as visit_flow


def _refused(statement):
    with pytest.raises(IntegrityError):
        db.session.execute(statement)
        db.session.flush()
    db.session.rollback()


def test_a_task_cannot_be_done_without_verification(create_task):
    task_id = create_task().id
    db.session.commit()
    _refused(update(Task).where(Task.id == task_id).values(status=TaskStatus.DONE, progress=100))


def test_a_task_progress_stays_between_0_and_100(create_task):
    task_id = create_task().id
    db.session.commit()
    _refused(update(Task).where(Task.id == task_id).values(progress=120))


def test_a_due_date_needs_its_original(create_task):
    task_id = create_task().id
    db.session.commit()
    _refused(update(Task).where(Task.id == task_id).values(original_due_on=None))


def test_an_unknown_status_is_refused_by_the_database(create_task):
    task_id = create_task().id
    db.session.commit()
    _refused(text("UPDATE task SET status = 'finished' WHERE id = :id").bindparams(id=task_id))


def test_two_directives_of_a_visit_cannot_share_a_number(create_visit, world):
    visit = create_visit()
    visit_flow.issue_directive(visit, world.inspector, body="Một")
    db.session.commit()
    db.session.add(Directive(visit=visit, number=1, body="Trùng số"))
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_delegation_has_one_head_even_behind_the_workflow(create_visit, world):
    visit = create_visit()
    db.session.commit()
    db.session.add(
        DelegationMember(
            visit=visit, person=world.host, side=DelegationSide.INSPECTING, role=DelegationRole.HEAD
        )
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_host_cannot_hold_an_inspecting_role(create_visit, world):
    visit = create_visit()
    db.session.commit()
    db.session.add(
        DelegationMember(visit=visit, person=world.host, side=DelegationSide.HOST, role=DelegationRole.MEMBER)
    )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_a_closed_visit_needs_an_evaluation(create_visit):
    visit_id = create_visit().id
    db.session.commit()
    _refused(update(Visit).where(Visit.id == visit_id).values(status="closed"))


def test_a_notification_is_stored_once_per_recipient_task_kind_and_day(create_task, world):
    task = create_task()
    db.session.commit()
    for _ in range(2):
        db.session.add(
            Notification(
                recipient=world.office, task=task, kind=NotificationKind.DUE_IN_7, key_on=date(2023, 12, 24)
            )
        )
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()


def test_an_organisation_validity_cannot_end_before_it_starts(world):
    world.district.valid_from = date(2025, 1, 1)
    world.district.valid_to = date(2024, 1, 1)
    with pytest.raises(IntegrityError):
        db.session.commit()
    db.session.rollback()
