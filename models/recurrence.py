"""A standing report duty on a directive ("báo cáo định kỳ hằng tháng trước ngày 25"), and its periods.

The rule of the due date, one for every period length: a period's report is due on day ``due_day`` of
the period's LAST month, or on that month's last day when it is shorter (day 31 in a 30-day month, day
30 or 31 in February, 29 February in a common year). So "hằng tháng, ngày 25" is due on 25/05 for May;
"hằng quý, ngày 15" on 15/06 for the second quarter; "6 tháng, ngày 20" on 20/06 and 20/12; "hằng năm,
ngày 15" on 15/12. A period's task is assigned on the period's first day.

Periods are named by their first day: ``first_period`` and ``last_period`` are such first days (the
1st of January, April, July or October for quarters; of January or July for half-years).
"""

from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import CheckConstraint, Column, ForeignKey, Index, Table, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.directive import Directive
from models.enums import RecurrencePeriod
from models.labels import N_, translate
from models.organization import Organization
from models.user import User

MONTHS = {
    RecurrencePeriod.MONTHLY: 1,
    RecurrencePeriod.QUARTERLY: 3,
    RecurrencePeriod.HALF_YEARLY: 6,
    RecurrencePeriod.YEARLY: 12,
}

recurrence_coordinator = Table(
    "recurrence_coordinator",
    Base.metadata,
    Column("recurrence_id", ForeignKey("recurrence.id", ondelete="CASCADE"), primary_key=True),
    Column("organization_id", ForeignKey("organization.id"), primary_key=True, index=True),
)


def add_months(day: date, months: int) -> date:
    """The first of the month ``months`` after ``day``'s month."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def period_start(period: RecurrencePeriod, day: date) -> date:
    """The first day of the period that contains ``day``."""
    months = MONTHS[period]
    return date(day.year, (day.month - 1) // months * months + 1, 1)


def next_period(period: RecurrencePeriod, start: date) -> date:
    """The first day of the period after the one starting on ``start``."""
    return add_months(start, MONTHS[period])


def period_end(period: RecurrencePeriod, start: date) -> date:
    """The last day of the period starting on ``start``."""
    return next_period(period, start) - timedelta(days=1)


def due_date(period: RecurrencePeriod, start: date, due_day: int) -> date:
    """Day ``due_day`` of the period's last month, or that month's last day when it is shorter."""
    last_month = add_months(start, MONTHS[period] - 1)
    days_in_month = calendar.monthrange(last_month.year, last_month.month)[1]
    return last_month.replace(day=min(due_day, days_in_month))


_ROMAN = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_name(period: RecurrencePeriod, start: date, language: str | None = None) -> str:
    """The period as an office names it: "05/2024", "quý II/2024", "6 tháng đầu năm 2024", "năm 2024".

    ``language="vi"`` gives the Vietnamese name (stored task titles); None the interface language.
    """
    if period is RecurrencePeriod.MONTHLY:
        return f"{start:%m/%Y}"
    if period is RecurrencePeriod.QUARTERLY:
        message = N_("quý %(roman)s/%(year)s")
    elif period is RecurrencePeriod.HALF_YEARLY:
        message = N_("6 tháng đầu năm %(year)s") if start.month == 1 else N_("6 tháng cuối năm %(year)s")
    else:
        message = N_("năm %(year)s")
    return translate(message, language) % {"roman": _ROMAN[(start.month + 2) // 3], "year": start.year}


class Recurrence(Base):
    """A directive's standing report duty: one task per period for the lead unit, until stopped."""

    __tablename__ = "recurrence"
    __table_args__ = (
        CheckConstraint("due_day BETWEEN 1 AND 31", name="due_day_range"),
        CheckConstraint("last_period IS NULL OR last_period >= first_period", name="periods_in_order"),
        # At most one running duty per directive; stopped ones stay as history.
        Index(
            "uq_recurrence_one_running",
            "directive_id",
            unique=True,
            sqlite_where=text("stopped_at IS NULL"),
            postgresql_where=text("stopped_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    directive_id: Mapped[int] = mapped_column(ForeignKey("directive.id"), index=True)
    period: Mapped[RecurrencePeriod] = mapped_column(enum_column(RecurrencePeriod, "recurrence_period"))
    due_day: Mapped[int]
    first_period: Mapped[date]  # the first day of the first period
    last_period: Mapped[date | None]  # the first day of the last period; None: until stopped
    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    set_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    stopped_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    stopped_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    directive: Mapped[Directive] = relationship(back_populates="recurrences")
    lead_org: Mapped[Organization] = relationship()
    coordinating_orgs: Mapped[list[Organization]] = relationship(secondary=recurrence_coordinator)
    set_by: Mapped[User | None] = relationship(foreign_keys=[set_by_id])
    stopped_by: Mapped[User | None] = relationship(foreign_keys=[stopped_by_id])

    @property
    def is_running(self) -> bool:
        return self.stopped_at is None

    def can_stop(self, user: User) -> bool:
        """The inspecting side stops a running duty."""
        return self.is_running and self.directive.visit.can_edit(user)

    def due_on(self, start: date) -> date:
        """The due date of the period starting on ``start``."""
        return due_date(self.period, start, self.due_day)

    def period_name(self, start: date, language: str | None = None) -> str:
        return period_name(self.period, start, language)

    def period_starts(self, until: date) -> list[date]:
        """The first days of the duty's periods that have begun by ``until`` (the day), in order."""
        starts: list[date] = []
        start = self.first_period
        while start <= until and (self.last_period is None or start <= self.last_period):
            starts.append(start)
            start = next_period(self.period, start)
        return starts

    def __repr__(self) -> str:
        return f"<Recurrence {self.id} {self.period} directive={self.directive_id}>"
