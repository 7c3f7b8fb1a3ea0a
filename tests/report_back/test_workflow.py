"""The report-back obligation as workflows: concluding records it, the unit drafts and submits, the
inspecting side verifies; counted like any task."""

from __future__ import annotations

from datetime import date

import pytest

from models import db
from models.enums import TaskStatus, VisitStatus
from tests.conftest import VISIT_DAY, at
from workflows import report_back
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.errors import InvalidState, PermissionDenied, ValidationFailed
from workflows.timeliness import EVERYTHING, count_tasks

CONCLUDED = date(2023, 6, 20)


def _conclude(visit, world, due=date(2023, 7, 20)):
    visit_flow.conclude_visit(visit, world.inspector, report_due_on=due, now=at(CONCLUDED))
    db.session.commit()
    task = report_back.task_of(visit)
    assert task is not None
    return task


def test_concluding_with_a_date_records_the_units_report_back_as_a_task(full_visit, world):
    visit = full_visit(directives=2)
    task = _conclude(visit, world)
    assert visit.status is VisitStatus.CONCLUDED
    assert task.lead_org == world.district
    assert task.due_on == date(2023, 7, 20) == task.original_due_on
    assert task.status is TaskStatus.ASSIGNED
    assert task.title == "Báo cáo kết quả thực hiện Thông báo kết luận kiểm tra"
    assert report_back.is_report_back(task)
    # the numbered requests are unchanged: the obligation is not one of them
    assert [d.number for d in visit.directives] == [1, 2]
    assert all(not report_back.is_report_back(t) for d in visit.directives for t in d.tasks)


def test_the_report_back_task_is_counted_like_any_task(full_visit, world):
    visit = full_visit(directives=2)
    before = count_tasks(db.session, world.district, EVERYTHING, date(2023, 8, 1))[()]
    _conclude(visit, world)
    after = count_tasks(db.session, world.district, EVERYTHING, date(2023, 8, 1))[()]
    assert after.total == before.total + 1
    assert after.overdue == before.overdue + 1  # due 20/07/2023, not reported by 01/08/2023


def test_concluding_without_a_date_asks_for_no_report(full_visit, world):
    visit = full_visit(directives=1)
    visit_flow.conclude_visit(visit, world.inspector)
    db.session.commit()
    assert report_back.task_of(visit) is None


def test_a_report_date_on_or_before_the_conclusion_is_refused_and_nothing_changes(full_visit, world):
    visit = full_visit(directives=1)
    with pytest.raises(ValidationFailed, match="sau ngày kết luận"):
        visit_flow.conclude_visit(visit, world.inspector, report_due_on=CONCLUDED, now=at(CONCLUDED))
    db.session.rollback()
    assert visit.status is not VisitStatus.CONCLUDED
    assert report_back.task_of(visit) is None


def test_the_default_date_is_a_month_after_the_conclusion():
    assert report_back.default_due_on(date(2023, 6, 20)) == date(2023, 7, 20)


def test_the_draft_is_prefilled_kept_and_submitted_as_the_tasks_report(full_visit, world, unit_office):
    visit = full_visit(directives=2)
    first = visit.directives[0].tasks[0]
    task_flow.record_progress(
        first, world.office, note="Đã tổ chức hội nghị", progress=60, now=at(date(2023, 7, 1))
    )
    task = _conclude(visit, world)

    facts = report_back.report_facts(task, unit_office)
    assert [line.ordinal for line in facts.directives] == ["Một là", "Hai là"]
    assert facts.directives[0].tasks[0].progress == 60
    assert "Đã tổ chức hội nghị" in facts.directives[0].prefilled
    assert facts.notice == "Thông báo kết luận kiểm tra ngày 20/06/2023"

    ids = [line.directive_id for line in facts.directives]
    report_back.save_draft(
        task, unit_office, general="Ban Thường vụ đã quán triệt.", texts={ids[0]: "Đã xong hội nghị."}
    )
    db.session.commit()
    facts = report_back.report_facts(task, unit_office)
    assert facts.general == "Ban Thường vụ đã quán triệt."
    assert [line.text for line in facts.directives] == ["Đã xong hội nghị.", ""]

    event = report_back.submit_report(task, unit_office, now=at(date(2023, 7, 15)))
    db.session.commit()
    assert task.status is TaskStatus.REPORTED
    assert "Một là: Đã xong hội nghị." in (event.note or "")
    task_flow.verify_task(task, world.inspector, now=at(date(2023, 7, 16)))
    db.session.commit()
    assert task.status is TaskStatus.DONE
    assert task.completed_on == date(2023, 7, 15)
    # done: the draft is no longer edited
    with pytest.raises(InvalidState):
        report_back.save_draft(task, unit_office, general="Sửa", texts={})


def test_an_empty_report_is_refused(full_visit, world, unit_office):
    task = _conclude(full_visit(directives=1), world)
    with pytest.raises(ValidationFailed, match="Chưa viết nội dung báo cáo"):
        report_back.submit_report(task, unit_office)
    assert task.status is TaskStatus.ASSIGNED


def test_only_the_units_office_drafts_it(full_visit, world, unit_office):
    visit = full_visit(directives=1)
    task = _conclude(visit, world)
    with pytest.raises(PermissionDenied):
        report_back.save_draft(task, world.inspector, general="x", texts={})
    with pytest.raises(ValidationFailed):  # a directive of another visit
        report_back.save_draft(task, unit_office, general="x", texts={10_000: "y"})


def test_the_visit_closes_only_once_the_report_back_is_finished(full_visit, world, unit_office):
    visit = full_visit(directives=1)
    task = _conclude(visit, world)
    for t in visit.directives[0].tasks:
        task_flow.cancel_task(t, world.inspector, reason="Không còn cần.")
    with pytest.raises(InvalidState, match="1 nhiệm vụ"):
        visit_flow.close_visit(visit, world.inspector, evaluation="Tốt.")
    report_back.save_draft(task, unit_office, general="Đã thực hiện.", texts={})
    report_back.submit_report(task, unit_office)
    task_flow.verify_task(task, world.inspector)
    visit_flow.close_visit(visit, world.inspector, evaluation="Tốt.")
    db.session.commit()
    assert visit.status is VisitStatus.CLOSED


def test_visit_day_constant_is_before_the_conclusion():
    assert VISIT_DAY < CONCLUDED
