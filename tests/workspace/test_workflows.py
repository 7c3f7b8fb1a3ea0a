"""The workspace's own workflows, without HTTP: people, revisions, sign-in records."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import LoginAttempt, Person, db
from models.base import utcnow
from workflows import people, revisions, signin
from workflows import tasks as task_flow
from workflows.errors import InvalidState, PermissionDenied, StaleRecord, ValidationFailed


def test_a_person_typed_again_is_found_not_duplicated(world):
    first = people.find_or_add_person(
        world.inspector, full_name="Nguyễn Văn Hùng", position=None, organization=world.district
    )
    again = people.find_or_add_person(
        world.inspector, full_name="nguyễn văn hùng", position="Chánh Văn phòng", organization=world.district
    )
    assert again is first
    assert first.position == "Chánh Văn phòng"  # a missing position is completed


def test_names_that_differ_only_by_a_mark_are_two_people(world):
    hung = people.find_or_add_person(
        world.inspector, full_name="Nguyễn Văn Hùng", position=None, organization=world.district
    )
    hung2 = people.find_or_add_person(
        world.inspector, full_name="Nguyễn Văn Hưng", position=None, organization=world.district
    )
    elsewhere = people.find_or_add_person(
        world.inspector, full_name="Nguyễn Văn Hùng", position=None, organization=world.board
    )
    assert len({hung.id, hung2.id, elsewhere.id}) == 3
    assert db.session.scalar(select(func.count(Person.id)).where(Person.full_name.like("Nguyễn%"))) == 3


def test_only_inspectors_add_people(world):
    with pytest.raises(PermissionDenied):
        people.find_or_add_person(world.office, full_name="Ai đó", position=None, organization=world.district)


def test_a_version_that_does_not_match_is_refused(create_visit):
    visit = create_visit()
    db.session.commit()
    revisions.expect_version(visit, str(visit.version))
    for wrong in (visit.version + 1, None, "", "x"):
        with pytest.raises(StaleRecord):
            revisions.expect_version(visit, wrong)


def test_the_visit_date_cannot_move_past_a_due_date(world, create_task):
    task = create_task(due_on=date(2023, 7, 1))
    visit = task.directive.visit
    with pytest.raises(ValidationFailed, match="01/07/2023"):
        revisions.update_visit(
            visit,
            world.inspector,
            title=visit.title,
            subject=visit.subject,
            visited_on=date(2023, 8, 1),
            inspecting_org=visit.inspecting_org,
            inspected_org=visit.inspected_org,
        )


def test_a_started_task_keeps_what_was_assigned(world, create_task):
    task = create_task()
    task_flow.start_task(task, world.office)
    with pytest.raises(InvalidState):
        revisions.revise_task(task, world.inspector, lead_org=world.district_culture, due_on=task.due_on)
    revisions.revise_task(
        task, world.inspector, lead_org=task.lead_org, due_on=task.due_on
    )  # unchanged: fine


def test_moving_the_lead_unit_notifies_the_new_one(world, create_task):
    from models import Notification
    from models.enums import NotificationKind

    task = create_task()
    revisions.revise_task(task, world.inspector, lead_org=world.district_culture, due_on=task.due_on)
    db.session.flush()
    notified = db.session.scalars(
        select(Notification.recipient_id).where(
            Notification.task_id == task.id, Notification.kind == NotificationKind.ASSIGNED
        )
    ).all()
    assert world.coordinator.id in notified


def test_the_wait_grows_from_the_oldest_failure_in_the_window(world):
    limits = signin.Limits(per_username=3, per_address=100, window=timedelta(minutes=10))
    now = utcnow()
    for minutes_ago in (9, 5, 1):
        signin.record_failure("office", "10.0.0.1", now=now - timedelta(minutes=minutes_ago))
    wait = signin.seconds_to_wait("OFFICE", "10.0.0.1", limits, now=now)
    assert 60 <= wait <= 61  # the failure of 9 minutes ago leaves the window in one minute
    assert signin.seconds_to_wait("office", "10.0.0.1", limits, now=now + timedelta(minutes=2)) == 0
    # Failures from one address do not lock the name for anyone else.
    assert signin.seconds_to_wait("office", "10.0.0.2", limits, now=now) == 0


def test_old_failures_are_cleared_away(world):
    now = utcnow()
    signin.record_failure("x", "10.0.0.1", now=now - timedelta(days=2))
    signin.record_failure("y", "10.0.0.1", now=now)
    db.session.flush()
    assert db.session.scalars(select(LoginAttempt.username_key)).all() == ["y"]


def test_ending_all_sessions_of_a_user(world):
    tokens = [signin.open_session(world.office, address=None, user_agent=None) for _ in range(2)]
    db.session.flush()
    assert signin.end_all_sessions(world.office) == 2
    assert all(signin.session_user(world.office.id, t, timedelta(hours=1)) is None for t in tokens)
