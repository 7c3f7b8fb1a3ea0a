"""Working days: weekends, public holidays (lunar Tết and Hùng Kings' day), announced days off and
make-up Saturdays; deadlines in working days; reminders moved off non-working days."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from models import CalendarDay, Notification, Task, db
from tests.conftest import at
from workflows.errors import InvalidState, PermissionDenied, ValidationFailed
from workflows.reminders import ReminderSettings, create_deadline_notifications
from workflows.workdays import WorkingCalendar, add_calendar_day, holiday_name

# The official calendars: first day of the lunar year and the Hùng Kings' commemoration (10/3 lunar).
TET = {2024: date(2024, 2, 10), 2025: date(2025, 1, 29), 2026: date(2026, 2, 17), 2027: date(2027, 2, 6)}
HUNG_KINGS = {
    2024: date(2024, 4, 18),
    2025: date(2025, 4, 7),
    2026: date(2026, 4, 26),
    2027: date(2027, 4, 16),
}


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_the_lunar_holidays_fall_on_the_official_days(year):
    assert holiday_name(TET[year]) == "Tết Nguyên Đán"
    assert holiday_name(HUNG_KINGS[year]) == "Ngày Giỗ Tổ Hùng Vương"
    # Tết is five days off at least: the eve and the first four days of the year.
    assert all(holiday_name(TET[year] + timedelta(days=d)) for d in range(-1, 4))


@pytest.mark.parametrize("year", [2024, 2025, 2026, 2027])
def test_no_working_day_falls_in_tet(world, year):
    calendar = WorkingCalendar.load()
    assert not any(calendar.is_working_day(TET[year] + timedelta(days=d)) for d in range(-1, 4))
    assert calendar.is_working_day(TET[year] + timedelta(days=14)) is (
        (TET[year] + timedelta(days=14)).weekday() < 5
    )


def test_five_working_days_from_the_friday_before_tet_2025_end_after_it(world):
    calendar = WorkingCalendar.load()
    # Friday 24/01/2025; 27/01–31/01 are holidays, the weekends around them too: Monday 03/02 is day 1.
    assert calendar.add_working_days(date(2025, 1, 24), 1) == date(2025, 2, 3)
    assert calendar.add_working_days(date(2025, 1, 24), 5) == date(2025, 2, 7)


def test_an_announced_make_up_saturday_counts_and_a_bridging_day_off_does_not(world):
    add_calendar_day(world.admin, day=date(2025, 2, 15), is_working=True, note="Làm bù cho 27/01/2025")
    add_calendar_day(world.admin, day=date(2025, 2, 14), is_working=False, note="Nghỉ thêm (giả định)")
    calendar = WorkingCalendar.load()
    assert calendar.is_working_day(date(2025, 2, 15))
    assert not calendar.is_working_day(date(2025, 2, 14))
    assert calendar.add_working_days(date(2025, 2, 13), 1) == date(2025, 2, 15)


def test_the_calendar_table_refuses_a_duplicate_date_and_other_roles(world):
    add_calendar_day(world.admin, day=date(2025, 2, 15), is_working=True, note="Làm bù")
    with pytest.raises(InvalidState, match="đã có trong lịch"):
        add_calendar_day(world.admin, day=date(2025, 2, 15), is_working=False, note="Trùng")
    with pytest.raises(PermissionDenied):
        add_calendar_day(world.inspector, day=date(2025, 3, 1), is_working=True, note="Làm bù")
    with pytest.raises(ValidationFailed, match="đã là ngày làm việc"):
        add_calendar_day(world.admin, day=date(2025, 3, 4), is_working=True, note="Thứ Ba")
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 1


@pytest.mark.parametrize("count", [0, 10_000])
def test_a_working_day_count_out_of_range_is_refused_and_nothing_is_written(create_task, count):
    with pytest.raises(ValidationFailed, match="Số ngày làm việc phải từ 1 đến 365"):
        create_task(due_on=None, due_working_days=count, due_from=date(2023, 6, 20))
    assert db.session.scalar(select(func.count(Task.id))) == 0


def test_a_deadline_in_working_days_skips_the_weekend_and_says_so(create_task, world, login_as, client):
    # Thursday 22/06/2023 + 3 working days: Friday, Monday, Tuesday 27/06.
    task = create_task(due_on=None, due_working_days=3, due_from=date(2023, 6, 22))
    db.session.commit()
    assert (task.due_on, task.original_due_on, task.due_working_days) == (date(2023, 6, 27),) * 2 + (3,)
    page = login_as(world.inspector).get(f"/tasks/{task.id}").get_data(as_text=True)
    assert "27/06/2023" in page and "tính theo 3 ngày làm việc" in page


def test_the_task_form_takes_a_working_day_count_and_refuses_a_date_with_it(
    create_visit, world, login_as, client
):
    from workflows import visits as visit_flow

    visit = create_visit()
    directive = visit_flow.issue_directive(visit, world.inspector, body="Báo cáo kết quả.")
    db.session.commit()
    url = f"/visits/{visit.id}/directives/{directive.id}/tasks/new"
    browser = login_as(world.inspector)
    base = {"lead_org_id": str(world.district_office.id), "title": "Báo cáo"}
    both = browser.post(url, data=base | {"due_on": "30/06/2023", "due_working_days": "5"})
    assert "không nhập cả hai" in both.get_data(as_text=True)
    letters = browser.post(url, data=base | {"due_working_days": "năm"})
    assert "số nguyên dương" in letters.get_data(as_text=True)
    too_many = browser.post(url, data=base | {"due_working_days": "10000"})
    assert "từ 1 đến 365" in too_many.get_data(as_text=True)
    assert db.session.scalar(select(func.count(Task.id))) == 0
    done = browser.post(url, data=base | {"due_working_days": "3", "due_from": "22/06/2023"})
    assert done.status_code == 302
    assert db.session.scalar(select(Task.due_on)) == date(2023, 6, 27)


def test_a_reminder_falling_on_the_weekend_goes_out_on_the_friday_before(create_task, world):
    settings = ReminderSettings(reminder_days=(7, 3, 1), escalate_after_days=7, on_working_days=True)
    friday, saturday = date(2023, 12, 1), date(2023, 12, 2)
    # Due Tuesday 05/12: its 3-day reminder falls on Saturday 02/12.
    task = create_task(due_on=date(2023, 12, 5), now=at(date(2023, 11, 20)))
    db.session.flush()

    def kinds() -> set[str]:
        rows = db.session.scalars(select(Notification.kind).where(Notification.task_id == task.id))
        return {kind.value for kind in rows}

    create_deadline_notifications(friday, settings, now=at(friday, 7))
    assert "due_in_3" in kinds()
    before = len(kinds())
    create_deadline_notifications(saturday, settings, now=at(saturday, 7))
    assert len(kinds()) == before  # nothing new on the Saturday itself


def test_an_administrator_adds_and_removes_an_announced_day_on_the_calendar_page(world, login_as):
    browser = login_as(world.admin)
    added = browser.post(
        "/admin/calendar", data={"day": "15/02/2025", "kind": "working", "note": "Làm bù cho 27/01/2025"}
    )
    assert added.status_code == 302
    twice = browser.post("/admin/calendar", data={"day": "15/02/2025", "kind": "off", "note": "Trùng"})
    assert "15/02/2025 đã có trong lịch" in twice.get_data(as_text=True)
    page = browser.get("/admin/calendar").get_data(as_text=True)
    assert "Làm bù cho 27/01/2025" in page and "Ngày làm bù" in page
    row = db.session.scalar(select(CalendarDay))
    assert browser.post(f"/admin/calendar/{row.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(CalendarDay.id))) == 0


def test_only_administrators_reach_the_calendar_page(world, login_as):
    assert login_as(world.inspector).get("/admin/calendar").status_code == 403


@pytest.mark.parametrize("year", range(2020, 2036))
def test_the_kept_statutory_holidays_are_the_holidays_packages(year):
    from workflows.workdays import STATUTORY_KNOWN, _statutory, statutory_of_package

    assert year in STATUTORY_KNOWN
    assert _statutory(year) == statutory_of_package(year), (
        "the holidays package changed its Vietnamese calendar: write its days into STATUTORY_KNOWN"
    )


@pytest.mark.slow  # another process
def test_counting_working_days_in_a_kept_year_imports_no_holiday_package():
    import subprocess
    import sys
    from pathlib import Path

    probe = (
        "import sys; from datetime import date; from workflows.workdays import WorkingCalendar; "
        "calendar = WorkingCalendar(off=frozenset(), working=frozenset()); "
        "assert calendar.add_working_days(date(2026, 2, 13), 1) == date(2026, 2, 23); "
        "print('holidays' in sys.modules)"
    )
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "False"
