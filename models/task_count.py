"""The timeliness counts kept per group of tasks, so a province's dashboard adds up rows instead of tasks.

``TaskCount`` holds how many tasks of one lead unit, from visits of one inspecting body, assigned in one
local month, are in one category (a value of ``workflows.timeliness.category_on``) on the day recorded
in ``TaskCountDay``. ``workflows.counts`` keeps them: the flush that changes a task changes its group's
numbers in the same transaction, and the daily scan (or the first count of a day) rebuilds them all,
since overdue, due soon and within depend on the day.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base


class TaskCount(Base):
    """How many tasks of a (lead unit, inspecting body, month assigned) are in one category."""

    __tablename__ = "task_count"
    # The whole province's counts read every row by category, numbers included (no table read, no sort).
    __table_args__ = (Index("ix_task_count_category", "category", "tasks"),)

    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    inspecting_org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id"), primary_key=True, index=True
    )
    assigned_month: Mapped[date] = mapped_column(primary_key=True)  # first day of the local month
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    tasks: Mapped[int] = mapped_column(default=0)


class TaskCountAll(Base):
    """``TaskCount`` summed over the months: the counts of all time, in a few thousand rows."""

    __tablename__ = "task_count_all"
    # The unit table sums by lead unit and category: read in this order, numbers included (no sort).
    __table_args__ = (Index("ix_task_count_all_lead_category", "lead_org_id", "category", "tasks"),)

    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    inspecting_org_id: Mapped[int] = mapped_column(
        ForeignKey("organization.id"), primary_key=True, index=True
    )
    category: Mapped[str] = mapped_column(String(16), primary_key=True)
    tasks: Mapped[int] = mapped_column(default=0)


class TaskCountDay(Base):
    """The one row saying which day (and which "due soon" window) the kept counts are categorised on."""

    __tablename__ = "task_count_day"

    id: Mapped[int] = mapped_column(primary_key=True)  # always 1
    day: Mapped[date | None]  # None: the counts are to be rebuilt before use
    due_soon_days: Mapped[int | None]


class TaskTrend(Base):
    """The dashboard's monthly trend kept per (lead unit, inspecting body, local month): tasks with a
    deadline done in the month on time and late, and open at its end overdue and within their
    deadline (the running month's end is the day in ``TaskCountDay``)."""

    __tablename__ = "task_trend"
    # The trend sums a range of months: read from this index alone. A subtree's rows are gathered by
    # lead unit (the primary key) or inspecting body and month (``workflows.counts._trend_statement``).
    __table_args__ = (
        Index("ix_task_trend_month", "month", "done_on_time", "done_late", "overdue", "open_within"),
        Index("ix_task_trend_inspecting_month", "inspecting_org_id", "month"),
    )

    lead_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    inspecting_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    month: Mapped[date] = mapped_column(primary_key=True)  # first day of the local month
    done_on_time: Mapped[int] = mapped_column(default=0)
    done_late: Mapped[int] = mapped_column(default=0)
    overdue: Mapped[int] = mapped_column(default=0)
    open_within: Mapped[int] = mapped_column(default=0)
