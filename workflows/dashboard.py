"""The numbers of the task board and the leadership dashboard, each from one aggregate query.

Every number on the dashboard is a count of tasks under a set of conditions, and the same conditions
filter the task list, so a number and the list it links to always agree. The conditions:

- *scope*: the tasks an organisation subtree answers for (``workflows.scope.tasks_counted_for``);
- *period*: tasks assigned between two local calendar days, categories as of today (the Government
  Office's "nhiệm vụ giao trong kỳ");
- *category*: the Government Office's timeliness on ``today`` (see ``workflows.timeliness``), or, for
  the monthly trend, the state at the end of a past day (``as_of``): tasks done in a month, and tasks
  still open when the month ended, overdue or within their deadline then. The state of a past day is
  rebuilt from the dates kept on the task (assigned, completed, cancelled) and its due date in force now.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, false, func, not_, or_, select, true
from sqlalchemy.orm import joinedload

from models import Directive, Organization, Task, Visit, db
from models.enums import OPEN_TASK_STATUSES, TaskStatus
from workflows.clock import LOCAL_ZONE
from workflows.scope import in_subtree, tasks_counted_for
from workflows.timeliness import TimelinessCounts

# Categories a list can be filtered by; ``open_within`` is within + due_soon, ``done`` every done task.
CATEGORIES = ("overdue", "due_soon", "within", "open_within", "on_time", "late", "done", "no_deadline")
MOST_OVERDUE = 10
VISITS_SHOWN = 15
TREND_MONTHS = 12


def start_of_local_day(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Vietnam."""
    return datetime.combine(day, time(0), LOCAL_ZONE).astimezone(UTC)


def assigned_between(start: date | None, end: date | None) -> ColumnElement[bool]:
    """Tasks assigned on a local calendar day from ``start`` to ``end`` (either may be open)."""
    conditions = []
    if start is not None:
        conditions.append(Task.created_at >= start_of_local_day(start))
    if end is not None:
        conditions.append(Task.created_at < start_of_local_day(end + timedelta(days=1)))
    return and_(true(), *conditions)


def completed_between(start: date | None, end: date | None) -> ColumnElement[bool]:
    """Done tasks whose accepted report was made from ``start`` to ``end``."""
    conditions: list[ColumnElement[bool]] = [Task.status == TaskStatus.DONE]
    if start is not None:
        conditions.append(Task.completed_on >= start)
    if end is not None:
        conditions.append(Task.completed_on <= end)
    return and_(*conditions)


def open_at_end_of(day: date) -> ColumnElement[bool]:
    """Tasks that were assigned and still open when ``day`` ended."""
    next_day = start_of_local_day(day + timedelta(days=1))
    return and_(
        Task.created_at < next_day,
        not_(and_(Task.status == TaskStatus.DONE, Task.completed_on <= day)),
        or_(Task.status != TaskStatus.CANCELLED, Task.cancelled_at >= next_day),
    )


def category_condition(
    category: str, today: date, due_soon_days: int, as_of: date | None = None
) -> ColumnElement[bool]:
    """The SQL condition of one category on ``today``, or at the end of the past day ``as_of``.

    Cancelled tasks are in no category (the caller leaves them out of every count).
    """
    has_due = Task.due_on.is_not(None)
    if as_of is None:
        open_ = Task.status.in_(OPEN_TASK_STATUSES)
        day = today
    else:
        open_ = open_at_end_of(as_of)
        day = as_of
    soon_limit = day + timedelta(days=due_soon_days)
    done = Task.status == TaskStatus.DONE if as_of is None else false()
    conditions: dict[str, ColumnElement[bool]] = {
        "overdue": and_(open_, has_due, Task.due_on < day),
        "due_soon": and_(open_, has_due, Task.due_on >= day, Task.due_on <= soon_limit),
        "within": and_(open_, has_due, Task.due_on > soon_limit),
        "open_within": and_(open_, has_due, Task.due_on >= day),
        "on_time": and_(done, has_due, Task.completed_on <= Task.due_on),
        "late": and_(done, has_due, Task.completed_on > Task.due_on),
        "done": done,
        "no_deadline": and_(Task.due_on.is_(None), open_ if as_of is not None else true()),
    }
    return conditions[category]


def _count_when(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def category_sums(today: date, due_soon_days: int, as_of: date | None = None) -> list[Any]:
    """Labelled SUM columns for every field of ``TimelinessCounts``, for any grouped query."""
    columns = [
        _count_when(category_condition(name, today, due_soon_days, as_of)).label(name)
        for name in ("on_time", "late", "within", "due_soon", "overdue", "no_deadline", "done")
    ]
    original = and_(
        Task.status == TaskStatus.DONE if as_of is None else false(),
        Task.due_on.is_not(None),
        Task.completed_on <= Task.original_due_on,
    )
    columns.append(_count_when(original).label("on_time_original"))
    columns.append(func.count(Task.id).label("total"))
    return columns


def counts_from(row: Any) -> TimelinessCounts:
    """Read a row of ``category_sums`` columns."""
    return TimelinessCounts(**{f.name: int(getattr(row, f.name) or 0) for f in fields(TimelinessCounts)})


def total_of(counts: Iterable[TimelinessCounts]) -> TimelinessCounts:
    """Add counts up field by field (every task has one lead unit, so unit rows add to the total)."""
    sums = dict.fromkeys((f.name for f in fields(TimelinessCounts)), 0)
    for item in counts:
        for name in sums:
            sums[name] += getattr(item, name)
    return TimelinessCounts(**sums)


@dataclass(frozen=True)
class Selection:
    """What a dashboard (or a list it links to) counts: a subtree and the days tasks were assigned."""

    scope: Organization
    assigned_from: date | None = None
    assigned_to: date | None = None

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions, cancelled tasks left out."""
        return [
            Task.status != TaskStatus.CANCELLED,
            tasks_counted_for(self.scope),
            assigned_between(self.assigned_from, self.assigned_to),
        ]


@dataclass(frozen=True)
class UnitRow:
    """One line of the Government Office's table: a lead unit and its counts."""

    organization_id: int
    name: str
    path: str
    counts: TimelinessCounts


def table_by_lead_unit(selection: Selection, today: date, due_soon_days: int) -> list[UnitRow]:
    """Count the categories per lead unit, in tree order, in one grouped query."""
    query = (
        select(Organization.id, Organization.name, Organization.path, *category_sums(today, due_soon_days))
        .join(Organization, Organization.id == Task.lead_org_id)
        .where(*selection.conditions())
        .group_by(Organization.id, Organization.name, Organization.path)
        .order_by(Organization.path)
    )
    return [
        UnitRow(organization_id=row.id, name=row.name, path=row.path, counts=counts_from(row))
        for row in db.session.execute(query)
    ]


def most_overdue(selection: Selection, today: date, limit: int = MOST_OVERDUE) -> list[Task]:
    """The open tasks longest past their deadline, with their unit, directive and visit."""
    return list(
        db.session.scalars(
            select(Task)
            .where(*selection.conditions(), Task.status.in_(OPEN_TASK_STATUSES), Task.due_on < today)
            .options(joinedload(Task.lead_org), joinedload(Task.directive).joinedload(Directive.visit))
            .order_by(Task.due_on, Task.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class VisitRow:
    """A visit and how far its tasks have come."""

    visit_id: int
    reference: str
    title: str
    visited_on: date
    inspected_name: str
    counts: TimelinessCounts
    average_progress: float

    @property
    def done_share(self) -> float | None:
        """Done tasks over all counted tasks of the visit."""
        return self.counts.done / self.counts.total if self.counts.total else None


def progress_by_visit(
    selection: Selection, today: date, due_soon_days: int, limit: int = VISITS_SHOWN
) -> tuple[list[VisitRow], int]:
    """The most recent visits with counted tasks, their counts and mean progress; and how many
    visits there are in all. One grouped query."""
    inspected = Organization.__table__.alias("inspected")
    query = (
        select(
            Visit.id,
            Visit.reference,
            Visit.title,
            Visit.visited_on,
            inspected.c.name.label("inspected_name"),
            *category_sums(today, due_soon_days),
            func.avg(Task.progress).label("average_progress"),
            func.count().over().label("visit_count"),
        )
        .select_from(Task)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Visit, Visit.id == Directive.visit_id)
        .join(inspected, inspected.c.id == Visit.inspected_org_id)
        .where(*selection.conditions())
        .group_by(Visit.id, Visit.reference, Visit.title, Visit.visited_on, inspected.c.name)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
    )
    rows = db.session.execute(query).all()
    visits = [
        VisitRow(
            visit_id=row.id,
            reference=row.reference,
            title=row.title,
            visited_on=row.visited_on,
            inspected_name=row.inspected_name,
            counts=counts_from(row),
            average_progress=float(row.average_progress or 0),
        )
        for row in rows
    ]
    return visits, (rows[0].visit_count if rows else 0)


@dataclass(frozen=True)
class TrendMonth:
    """One month of the trend: tasks done in it, and tasks open when it ended (``as_of``)."""

    month: date  # first day
    as_of: date  # last day, or today for the running month
    done_on_time: int
    done_late: int
    overdue: int
    open_within: int

    @property
    def last_day(self) -> date:
        """The month's last calendar day."""
        return _add_months(self.month, 1) - timedelta(days=1)


def _add_months(first_day: date, months: int) -> date:
    index = first_day.year * 12 + first_day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def trend_months(start: date | None, end: date, today: date, limit: int = TREND_MONTHS) -> list[date]:
    """First days of the months to draw: those of the period up to this month, at most ``limit``."""
    last = min(end, today).replace(day=1)
    first = _add_months(last, -(limit - 1))
    if start is not None and start.replace(day=1) > first:
        first = start.replace(day=1)
    months = []
    while first <= last:
        months.append(first)
        first = _add_months(first, 1)
    return months


def monthly_trend(scope: Organization, months: Sequence[date], today: date) -> list[TrendMonth]:
    """Count, for each month, tasks done on time and late in it, and tasks open at its end by
    timeliness then, in one query with four columns per month."""
    if not months:
        return []
    columns = []
    ends = []
    for index, month in enumerate(months):
        last = min(_add_months(month, 1) - timedelta(days=1), today)
        ends.append(last)
        done_in_month = completed_between(month, last)
        columns += [
            _count_when(and_(done_in_month, category_condition("on_time", today, 0))).label(f"t{index}"),
            _count_when(and_(done_in_month, category_condition("late", today, 0))).label(f"l{index}"),
            _count_when(category_condition("overdue", today, 0, as_of=last)).label(f"o{index}"),
            _count_when(category_condition("open_within", today, 0, as_of=last)).label(f"w{index}"),
        ]
    row = db.session.execute(select(*columns).where(tasks_counted_for(scope))).one()
    return [
        TrendMonth(
            month=month,
            as_of=ends[index],
            done_on_time=int(getattr(row, f"t{index}") or 0),
            done_late=int(getattr(row, f"l{index}") or 0),
            overdue=int(getattr(row, f"o{index}") or 0),
            open_within=int(getattr(row, f"w{index}") or 0),
        )
        for index, month in enumerate(months)
    ]


def organisations_within(root: Organization) -> list[Organization]:
    """The subtree a user may choose from, in tree order."""
    return list(
        db.session.scalars(
            select(Organization).where(in_subtree(Organization.path, root)).order_by(Organization.path)
        )
    )
