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

Speed: each task's category on ``today`` is one CASE expression that stops at the first branch that
fits, and counts are grouped by it (and by unit or visit), instead of one SUM(CASE …) per category;
the trend groups tasks by the months they were assigned, closed and became overdue, and folds the
groups into months in Python. A test checks every number against a count made task by task.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, false, func, literal, not_, or_, select, true
from sqlalchemy.orm import selectinload

from models import Directive, Organization, Task, Visit, db
from models.enums import OPEN_TASK_STATUSES, TaskStatus
from workflows.clock import LOCAL_ZONE
from workflows.scope import in_subtree, tasks_counted_for, tasks_visible_to
from workflows.timeliness import TimelinessCounts

# Categories a list can be filtered by; ``open_within`` is within + due_soon, ``done`` every done task.
CATEGORIES = ("overdue", "due_soon", "within", "open_within", "on_time", "late", "done", "no_deadline")
MOST_OVERDUE = 10
VISITS_SHOWN = 15
TREND_MONTHS = 12

# The values of ``category_of``. Done tasks are split by whether they met the original due date too:
# on time only thanks to an extension, or (in data older than the rule that extensions only move a
# date later) late against the date in force yet within the original one.
_ON_TIME, _ON_TIME_EXTENDED = "on_time", "on_time_ext"
_LATE, _LATE_MET_ORIGINAL = "late", "late_orig"
_DONE_NO_DEADLINE, _OPEN_NO_DEADLINE, _CANCELLED = "done_nodue", "open_nodue", "cancelled"
_KEYS = {
    "overdue": ("overdue",),
    "due_soon": ("due_soon",),
    "within": ("within",),
    "open_within": ("within", "due_soon"),
    "on_time": (_ON_TIME, _ON_TIME_EXTENDED),
    "late": (_LATE, _LATE_MET_ORIGINAL),
    "done": (_ON_TIME, _ON_TIME_EXTENDED, _LATE, _LATE_MET_ORIGINAL, _DONE_NO_DEADLINE),
    "no_deadline": (_DONE_NO_DEADLINE, _OPEN_NO_DEADLINE),
}


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


def category_of(today: date, due_soon_days: int) -> ColumnElement[str]:
    """Each task's category on ``today`` as one CASE expression (see ``_KEYS`` for the values)."""
    done = Task.status == TaskStatus.DONE
    met_original = Task.completed_on <= Task.original_due_on
    return case(
        (Task.status == TaskStatus.CANCELLED, literal(_CANCELLED)),
        (Task.due_on.is_(None), case((done, literal(_DONE_NO_DEADLINE)), else_=literal(_OPEN_NO_DEADLINE))),
        (
            done,
            case(
                (Task.completed_on <= Task.due_on, case((met_original, _ON_TIME), else_=_ON_TIME_EXTENDED)),
                else_=case((met_original, _LATE_MET_ORIGINAL), else_=_LATE),
            ),
        ),
        (Task.due_on < today, literal("overdue")),
        (Task.due_on <= today + timedelta(days=due_soon_days), literal("due_soon")),
        else_=literal("within"),
    )


def category_condition(
    category: str, today: date, due_soon_days: int, as_of: date | None = None
) -> ColumnElement[bool]:
    """The SQL condition of one category on ``today``, or at the end of the past day ``as_of``.

    Cancelled tasks are in no category (the caller leaves them out of every count).
    """
    if as_of is None:
        return category_of(today, due_soon_days).in_(_KEYS[category])
    has_due = Task.due_on.is_not(None)
    open_ = open_at_end_of(as_of)
    soon_limit = as_of + timedelta(days=due_soon_days)
    conditions: dict[str, ColumnElement[bool]] = {
        "overdue": and_(open_, has_due, Task.due_on < as_of),
        "due_soon": and_(open_, has_due, Task.due_on >= as_of, Task.due_on <= soon_limit),
        "within": and_(open_, has_due, Task.due_on > soon_limit),
        "open_within": and_(open_, has_due, Task.due_on >= as_of),
        "no_deadline": and_(open_, Task.due_on.is_(None)),
    }
    return conditions.get(category, false())


def _fold(by_key: dict[str, int]) -> TimelinessCounts:
    """TimelinessCounts from counts per value of ``category_of`` (cancelled tasks left out)."""

    def total(*keys: str) -> int:
        return sum(by_key.get(key, 0) for key in keys)

    return TimelinessCounts(
        on_time=total(*_KEYS["on_time"]),
        late=total(*_KEYS["late"]),
        within=total("within"),
        due_soon=total("due_soon"),
        overdue=total("overdue"),
        no_deadline=total(*_KEYS["no_deadline"]),
        done=total(*_KEYS["done"]),
        on_time_original=total(_ON_TIME, _LATE_MET_ORIGINAL),
        total=sum(count for key, count in by_key.items() if key != _CANCELLED),
    )


def count_categories(
    conditions: Iterable[ColumnElement[bool]],
    today: date,
    due_soon_days: int,
    group_by: Sequence[Any] = (),
) -> dict[tuple[Any, ...], TimelinessCounts]:
    """Count the tasks matching ``conditions`` by category, per value of ``group_by``, in one query."""
    category = category_of(today, due_soon_days).label("category")
    query = (
        select(*group_by, category, func.count(Task.id).label("n"))
        .where(*conditions)
        .group_by(*group_by, "category")  # by name: the CASE is computed once per row
    )
    grouped: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for row in db.session.execute(query):
        key = tuple(row[: len(group_by)])
        grouped[key][row.category] = int(row.n)
    return {key: _fold(by_key) for key, by_key in grouped.items()}


def count_one(conditions: Iterable[ColumnElement[bool]], today: date, due_soon_days: int) -> TimelinessCounts:
    """Count the tasks matching ``conditions`` by category, without grouping."""
    return count_categories(conditions, today, due_soon_days).get((), TimelinessCounts())


def _count_when(condition: ColumnElement[bool]) -> Any:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def count_as_of(
    conditions: Iterable[ColumnElement[bool]], as_of: date, due_soon_days: int
) -> TimelinessCounts:
    """Count the open categories as they stood at the end of ``as_of`` (the trend's links)."""
    columns = [
        _count_when(category_condition(name, as_of, due_soon_days, as_of)).label(name)
        for name in ("within", "due_soon", "overdue", "no_deadline")
    ]
    row = db.session.execute(select(*columns, func.count(Task.id).label("total")).where(*conditions)).one()
    return TimelinessCounts(**{name: int(getattr(row, name) or 0) for name in row._fields})


def total_of(counts: Iterable[TimelinessCounts]) -> TimelinessCounts:
    """Add counts up field by field (every task has one lead unit, so unit rows add to the total)."""
    sums = dict.fromkeys((f.name for f in fields(TimelinessCounts)), 0)
    for item in counts:
        for name in sums:
            sums[name] += getattr(item, name)
    return TimelinessCounts(**sums)


def is_whole_tree(root: Organization) -> bool:
    """Whether ``root`` is the only organisation without a parent: its subtree is everything."""
    if root.parent_id is not None:
        return False
    roots = db.session.scalar(select(func.count(Organization.id)).where(Organization.parent_id.is_(None)))
    return roots == 1


def subtree_tasks(root: Organization, *, whole_tree: bool, visible: bool = False) -> ColumnElement[bool]:
    """The tasks a subtree answers for (or, with ``visible``, may see).

    For the whole tree this is every task, and saying so lets the database read the table straight
    through instead of gathering a hundred thousand row numbers from the indexes first.
    """
    if whole_tree:
        return true()
    return tasks_visible_to(root) if visible else tasks_counted_for(root)


@dataclass(frozen=True)
class Selection:
    """What a dashboard (or a list it links to) counts: a subtree and the days tasks were assigned."""

    scope: Organization
    assigned_from: date | None = None
    assigned_to: date | None = None
    whole_tree: bool = False  # the scope is the root of every organisation (see ``of``)

    @classmethod
    def of(cls, scope: Organization, assigned_from: date | None, assigned_to: date | None) -> Selection:
        """The selection of a subtree and period, knowing whether the subtree is everything."""
        return cls(scope, assigned_from, assigned_to, is_whole_tree(scope))

    def conditions(self) -> list[ColumnElement[bool]]:
        """The SQL conditions, cancelled tasks left out."""
        return [
            Task.status != TaskStatus.CANCELLED,
            subtree_tasks(self.scope, whole_tree=self.whole_tree),
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
    """Count the categories per lead unit, in tree order: one grouped query, one for the names."""
    counts = count_categories(selection.conditions(), today, due_soon_days, group_by=[Task.lead_org_id])
    if not counts:
        return []
    units = db.session.execute(
        select(Organization.id, Organization.name, Organization.path).where(
            Organization.id.in_([key[0] for key in counts])
        )
    )
    rows = [UnitRow(unit.id, unit.name, unit.path, counts[(unit.id,)]) for unit in units]
    return sorted(rows, key=lambda row: row.path)


def most_overdue(selection: Selection, today: date, limit: int = MOST_OVERDUE) -> list[Task]:
    """The open tasks longest past their deadline, with their unit, directive and visit."""
    return list(
        db.session.scalars(
            select(Task)
            .where(*selection.conditions(), Task.status.in_(OPEN_TASK_STATUSES), Task.due_on < today)
            # Loaded after the LIMIT, not joined to every overdue task before it.
            .options(selectinload(Task.lead_org), selectinload(Task.directive).selectinload(Directive.visit))
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
) -> list[VisitRow]:
    """The most recent visits with counted tasks, with their counts and mean progress.

    Four queries: the visits (newest first, each tried until ``limit`` are found), their directives,
    their tasks' counts by category, and their tasks' progress.
    """
    inspected = Organization.__table__.alias("inspected")
    has_tasks = exists(
        select(Task.id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Directive.visit_id == Visit.id, *selection.conditions())
    )
    visits = db.session.execute(
        select(
            Visit.id, Visit.reference, Visit.title, Visit.visited_on, inspected.c.name.label("inspected_name")
        )
        .join(inspected, inspected.c.id == Visit.inspected_org_id)
        .where(has_tasks)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
    ).all()
    if not visits:
        return []
    ids = [visit.id for visit in visits]
    visit_of = dict(
        db.session.execute(select(Directive.id, Directive.visit_id).where(Directive.visit_id.in_(ids))).all()
    )
    in_visits = [*selection.conditions(), Task.directive_id.in_(list(visit_of))]
    by_directive = count_categories(in_visits, today, due_soon_days, group_by=[Task.directive_id])
    progress = db.session.execute(
        select(Task.directive_id, func.sum(Task.progress), func.count(Task.id))
        .where(*in_visits)
        .group_by(Task.directive_id)
    ).all()
    counts: dict[int, list[TimelinessCounts]] = defaultdict(list)
    for (directive_id,), directive_counts in by_directive.items():
        counts[visit_of[directive_id]].append(directive_counts)
    progress_sum: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    for directive_id, points, number in progress:
        progress_sum[visit_of[directive_id]][0] += int(points or 0)
        progress_sum[visit_of[directive_id]][1] += int(number)
    return [
        VisitRow(
            visit_id=visit.id,
            reference=visit.reference,
            title=visit.title,
            visited_on=visit.visited_on,
            inspected_name=visit.inspected_name,
            counts=total_of(counts[visit.id]),
            average_progress=progress_sum[visit.id][0] / progress_sum[visit.id][1]
            if progress_sum[visit.id][1]
            else 0.0,
        )
        for visit in visits
    ]


@dataclass(frozen=True)
class TrendMonth:
    """One month of the trend: tasks done in it, and tasks open when it ended (``as_of``)."""

    month: date  # first day
    as_of: date  # last day, or today for the running month
    done_on_time: int
    done_late: int
    overdue: int
    open_within: int


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


def _month_index(value: Any, bounds: Sequence[Any]) -> Any:
    """The index of the first bound ``value`` lies below (len(bounds) when none), as a CASE."""
    return case(*((value < bound, index) for index, bound in enumerate(bounds)), else_=len(bounds))


def monthly_trend(
    scope: Organization, months: Sequence[date], today: date, *, whole_tree: bool = False
) -> list[TrendMonth]:
    """Count, for each month, tasks done on time and late in it, and tasks open at its end by
    timeliness then; one grouped query.

    Each task with a deadline is put in a group by three month numbers (0 = before the first month):
    the month it was assigned, the month it was closed (done or cancelled; past the last month when
    still open), and the first month at whose end it was overdue. A task is open at the end of month
    m when assigned ≤ m < closed, and overdue then when overdue-from ≤ m.
    """
    if not months:
        return []
    ends = [min(_add_months(month, 1) - timedelta(days=1), today) for month in months]
    # Month m covers the local days from months[m] to ends[m]; index 0 is "before", so shift by one.
    next_days = [start_of_local_day(end + timedelta(days=1)) for end in ends]
    assigned = _month_index(Task.created_at, [start_of_local_day(months[0]), *next_days])
    closed = case(
        (
            Task.status == TaskStatus.DONE,
            _month_index(Task.completed_on, [months[0], *(e + timedelta(days=1) for e in ends)]),
        ),
        (
            Task.status == TaskStatus.CANCELLED,
            _month_index(Task.cancelled_at, [start_of_local_day(months[0]), *next_days]),
        ),
        else_=len(months) + 1,
    )
    overdue_from = _month_index(Task.due_on, [months[0], *ends])  # due_on < end of month m
    on_time = case((Task.completed_on <= Task.due_on, 1), else_=0)
    query = (
        select(
            assigned.label("a"),
            closed.label("c"),
            overdue_from.label("o"),
            (Task.status == TaskStatus.DONE).label("done"),
            on_time.label("in_time"),
            func.count(Task.id).label("n"),
        )
        .where(
            subtree_tasks(scope, whole_tree=whole_tree),
            Task.due_on.is_not(None),
            Task.created_at < next_days[-1],
            # Leave out the tasks closed before the first month (a CASE, so that no index on the
            # status tempts the database away from reading the table straight through).
            case(
                (Task.status == TaskStatus.DONE, Task.completed_on >= months[0]),
                (Task.status == TaskStatus.CANCELLED, Task.cancelled_at >= start_of_local_day(months[0])),
                else_=true(),
            ),
        )
        .group_by("a", "c", "o", "done", "in_time")
    )
    sums: defaultdict[Any, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for row in db.session.execute(query):
        for m in range(1, len(months) + 1):
            if row.done and row.c == m:
                sums[m][0 if row.in_time else 1] += row.n
            if row.a <= m < row.c:
                sums[m][2 if row.o <= m else 3] += row.n
    return [
        TrendMonth(
            month=month,
            as_of=ends[index],
            done_on_time=sums[index + 1][0],
            done_late=sums[index + 1][1],
            overdue=sums[index + 1][2],
            open_within=sums[index + 1][3],
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
