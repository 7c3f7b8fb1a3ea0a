"""Timeliness in the Government Office's categories, derived from dates for a given ``today``.

| status | category |
|--------|----------|
| done   | on_time (completed on or before the due date in force) or late |
| open   | due_soon (0..N days left), within (more left) or overdue (due date passed) |
| any    | no_deadline when the task has no due date |

Cancelled tasks are not counted at all. Counts for a whole scope come from one aggregate query.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from datetime import date, timedelta
from typing import Any

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, scoped_session

from models import Organization, Task
from models.enums import OPEN_TASK_STATUSES, TaskStatus, Timeliness
from workflows.scope import tasks_counted_for

DEFAULT_DUE_SOON_DAYS = 3


def timeliness_of(task: Task, today: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Timeliness | None:
    """Return the task's category on ``today``, or None for a cancelled task."""
    if task.status is TaskStatus.CANCELLED:
        return None
    if task.due_on is None:
        return Timeliness.NO_DEADLINE
    if task.status is TaskStatus.DONE:
        assert task.completed_on is not None
        return Timeliness.ON_TIME if task.completed_on <= task.due_on else Timeliness.LATE
    if task.due_on < today:
        return Timeliness.OVERDUE
    if (task.due_on - today).days <= due_soon_days:
        return Timeliness.DUE_SOON
    return Timeliness.WITHIN


def days_overdue(task: Task, today: date) -> int:
    """Days past the due date in force for an open task (0 when not overdue)."""
    if not task.is_open or task.due_on is None or task.due_on >= today:
        return 0
    return (today - task.due_on).days


@dataclass(frozen=True)
class TimelinessCounts:
    """How many tasks fall in each category, with the two kinds of rate."""

    on_time: int = 0
    late: int = 0
    within: int = 0
    due_soon: int = 0
    overdue: int = 0
    no_deadline: int = 0
    done: int = 0  # every done task, including those without a deadline
    on_time_original: int = 0  # done by the original due date, before any extension
    total: int = 0  # every task but the cancelled ones

    @property
    def open_within(self) -> int:
        """Open tasks whose deadline has not passed (the Government Office's "trong hạn")."""
        return self.within + self.due_soon

    @property
    def completion_rate(self) -> float | None:
        """done / (done + open overdue), the rate of the Government Office's 2017 reports."""
        base = self.done + self.overdue
        return self.done / base if base else None

    def share(self, category: str) -> float | None:
        """One category over all counted tasks (the 2025 reports' form)."""
        return getattr(self, category) / self.total if self.total else None

    def as_dict(self) -> dict[str, Any]:
        """All counts and rates, for JSON."""
        data: dict[str, Any] = asdict(self)
        data["open_within"] = self.open_within
        data["completion_rate"] = self.completion_rate
        data["shares"] = {c.value: self.share(c.value) for c in Timeliness}
        return data


def _category_sums(today: date, due_soon_days: int) -> list[Any]:
    done = Task.status == TaskStatus.DONE
    open_ = Task.status.in_(OPEN_TASK_STATUSES)
    has_due = Task.due_on.is_not(None)
    soon_limit = today + timedelta(days=due_soon_days)

    def count_when(*conditions: Any) -> Any:
        return func.coalesce(func.sum(case((and_(*conditions), 1), else_=0)), 0)

    return [
        count_when(done, has_due, Task.completed_on <= Task.due_on).label("on_time"),
        count_when(done, has_due, Task.completed_on > Task.due_on).label("late"),
        count_when(open_, has_due, Task.due_on > soon_limit).label("within"),
        count_when(open_, has_due, Task.due_on >= today, Task.due_on <= soon_limit).label("due_soon"),
        count_when(open_, has_due, Task.due_on < today).label("overdue"),
        count_when(Task.due_on.is_(None)).label("no_deadline"),
        count_when(done).label("done"),
        count_when(done, has_due, Task.completed_on <= Task.original_due_on).label("on_time_original"),
        func.count(Task.id).label("total"),
    ]


def count_timeliness(
    session: Session | scoped_session[Any],
    today: date,
    scope: Organization | None = None,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> TimelinessCounts:
    """Count the categories for the whole database or one subtree, in a single query."""
    query = select(*_category_sums(today, due_soon_days)).where(Task.status != TaskStatus.CANCELLED)
    if scope is not None:
        query = query.where(tasks_counted_for(scope))
    row = session.execute(query).one()
    return TimelinessCounts(**{f.name: int(getattr(row, f.name)) for f in fields(TimelinessCounts)})


def count_timeliness_by_lead_unit(
    session: Session | scoped_session[Any],
    today: date,
    scope: Organization | None = None,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
) -> dict[int, TimelinessCounts]:
    """Count the categories per lead unit (organisation id), in a single grouped query."""
    query = (
        select(Task.lead_org_id, *_category_sums(today, due_soon_days))
        .where(Task.status != TaskStatus.CANCELLED)
        .group_by(Task.lead_org_id)
    )
    if scope is not None:
        query = query.where(tasks_counted_for(scope))
    return {
        row.lead_org_id: TimelinessCounts(
            **{f.name: int(getattr(row, f.name)) for f in fields(TimelinessCounts)}
        )
        for row in session.execute(query)
    }
