"""Working days in Vietnam: Monday to Friday, less public holidays and announced days off, plus the
Saturdays worked to make up for them.

Statutory holidays, lunar Tết and Hùng Kings' day included, come from the ``holidays`` package
(``holidays.VN``), kept here for the years in use (``STATUTORY_KNOWN``). Each year the Government also
moves days: an extra day off bridging a holiday and a Saturday worked in exchange. Those are kept in
``CalendarDay`` rows, which administrators edit and which win over the package's list.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import select

from models import CalendarDay, User, db
from models.enums import Role
from models.vntext import format_date, nfc
from workflows import audit
from workflows.errors import InvalidState, PermissionDenied, ValidationFailed

MAX_WORKING_DAYS = 365  # a deadline further away than a year of working days is a typing mistake


# The statutory holidays of the years in use, as ``holidays.VN`` gives them (month and day), so that
# counting a deadline does not import the package: its Vietnamese calendar brings its lunar machinery,
# about a tenth of a second at a command's start (benchmarks/README.md, ``startup.py``).
# tests/test_workdays.py checks each year against the package; a year not listed asks the package.
STATUTORY_KNOWN = {
    2020: "0101 0123 0124 0125 0126 0127 0128 0129 0402 0430 0501 0902",
    2021: "0101 0210 0211 0212 0213 0214 0215 0216 0421 0430 0501 0503 0902 0903",
    2022: "0101 0103 0131 0201 0202 0203 0204 0410 0411 0430 0501 0502 0503 0901 0902",
    2023: "0101 0102 0120 0121 0122 0123 0124 0125 0126 0429 0430 0501 0502 0503 0901 0902 0904",
    2024: "0101 0208 0209 0210 0211 0212 0213 0214 0418 0429 0430 0501 0902 0903",
    2025: "0101 0127 0128 0129 0130 0131 0201 0407 0430 0501 0502 0901 0902",
    2026: "0101 0216 0217 0218 0219 0220 0426 0427 0430 0501 0831 0901 0902 1124",
    2027: "0101 0204 0205 0206 0207 0208 0209 0210 0416 0430 0501 0503 0902 0903 1124",
    2028: "0101 0103 0124 0125 0126 0127 0128 0129 0404 0430 0501 0502 0901 0902 0904 1124",
    2029: "0101 0212 0213 0214 0215 0216 0423 0430 0501 0902 0903 0904 1124 1126",
    2030: "0101 0131 0201 0202 0203 0204 0205 0206 0412 0430 0501 0902 0903 1124 1125",
    2031: "0101 0121 0122 0123 0124 0125 0126 0127 0401 0430 0501 0901 0902 1124",
    2032: "0101 0209 0210 0211 0212 0213 0214 0419 0430 0501 0503 0902 0903 1124",
    2033: "0101 0103 0130 0131 0201 0202 0203 0204 0409 0411 0430 0501 0502 0503 0901 0902 1124",
    2034: "0101 0102 0217 0218 0219 0220 0221 0222 0223 0428 0430 0501 0502 0901 0902 0904 1124",
    2035: "0101 0206 0207 0208 0209 0210 0211 0212 0417 0430 0501 0902 0903 0904 1124 1126",
}


@lru_cache(maxsize=64)
def _statutory(year: int) -> frozenset[date]:
    known = STATUTORY_KNOWN.get(year)
    if known is None:
        return statutory_of_package(year)
    return frozenset(date(year, int(day[:2]), int(day[2:])) for day in known.split())


def statutory_of_package(year: int) -> frozenset[date]:
    """The statutory holidays of ``year`` as the ``holidays`` package computes them."""
    import holidays  # a tenth of a second: only for a year not in STATUTORY_KNOWN

    return frozenset(holidays.country_holidays("VN", years=year))


def holiday_name(day: date) -> str | None:
    """The statutory holiday on ``day`` in Vietnamese, if any."""
    import holidays

    return holidays.country_holidays("VN", years=day.year, language="vi").get(day)


@dataclass(frozen=True)
class WorkingCalendar:
    """The days off and make-up working days announced for a range of dates, read once."""

    off: frozenset[date]
    working: frozenset[date]

    @classmethod
    def load(cls) -> WorkingCalendar:
        """Read every announced day (a few dozen rows a year)."""
        rows = db.session.execute(select(CalendarDay.day, CalendarDay.is_working)).all()
        return cls(
            off=frozenset(day for day, is_working in rows if not is_working),
            working=frozenset(day for day, is_working in rows if is_working),
        )

    def is_working_day(self, day: date) -> bool:
        """Whether offices work on ``day``."""
        if day in self.working:
            return True
        if day in self.off or day.weekday() >= 5:
            return False
        return day not in _statutory(day.year)

    def add_working_days(self, start: date, count: int) -> date:
        """The day ``count`` working days after ``start`` ("within N working days from 05/03")."""
        if not 1 <= count <= MAX_WORKING_DAYS:
            raise ValidationFailed(
                "Số ngày làm việc phải từ 1 đến %(most)d (đã nhập %(count)d).",
                most=MAX_WORKING_DAYS,
                count=count,
            )
        day = start
        left = count
        while left:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_day_on_or_before(self, day: date) -> date:
        """``day`` itself if offices work then, else the last working day before it."""
        while not self.is_working_day(day):
            day -= timedelta(days=1)
        return day

    def next_working_day(self, day: date) -> date:
        """The first working day after ``day``."""
        day += timedelta(days=1)
        while not self.is_working_day(day):
            day += timedelta(days=1)
        return day


def due_in_working_days(start: date, count: int) -> date:
    """The due date ``count`` working days after ``start``, with the announced days of the database."""
    return WorkingCalendar.load().add_working_days(start, count)


# ----------------------------------------------------------------------------- the admin's table


def _check_admin(actor: User) -> None:
    if actor.role is not Role.ADMIN:
        raise PermissionDenied("Chỉ quản trị hệ thống được sửa lịch ngày nghỉ, ngày làm bù.")


def add_calendar_day(actor: User, *, day: date, is_working: bool, note: str) -> CalendarDay:
    """Record an announced day off or make-up working day; a date already in the table is refused."""
    _check_admin(actor)
    note = (nfc(note) or "").strip()
    if not note:
        raise ValidationFailed("Cần ghi căn cứ (ví dụ: Thông báo số … của Bộ Nội vụ).")
    if db.session.scalar(select(CalendarDay.id).where(CalendarDay.day == day)) is not None:
        raise InvalidState("Ngày %(day)s đã có trong lịch.", day=format_date(day))
    if is_working and day.weekday() < 5 and day not in _statutory(day.year):
        raise ValidationFailed(
            "Ngày %(day)s đã là ngày làm việc; không cần ghi làm bù.", day=format_date(day)
        )
    row = CalendarDay(day=day, is_working=is_working, note=note[:200])
    db.session.add(row)
    db.session.flush()
    audit.record(actor, "calendar_day_added", row)
    return row


def remove_calendar_day(actor: User, row: CalendarDay) -> None:
    """Remove an announced day."""
    _check_admin(actor)
    audit.record(actor, "calendar_day_removed", row)
    db.session.delete(row)


def calendar_days(year: int | None = None) -> list[CalendarDay]:
    """The announced days, by date (of one year when given)."""
    query = select(CalendarDay).order_by(CalendarDay.day)
    if year is not None:
        query = query.where(CalendarDay.day >= date(year, 1, 1), CalendarDay.day <= date(year, 12, 31))
    return list(db.session.scalars(query))
