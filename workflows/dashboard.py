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
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, case, exists, func, select, true
from sqlalchemy.orm import selectinload

from models import Directive, Organization, Task, Visit, db
from models.enums import TaskStatus
from workflows.clock import local_today
from workflows.scope import Subtree, in_subtree, tasks_counted_for, tasks_visible_to
from workflows.timeliness import (
    CATEGORIES,
    Period,
    TimelinessCounts,
    assigned_by_end_of,
    category_on,
    count_grouped,
    count_tasks,
    counted_on,
    fold,
    in_category,
    is_overdue,
    start_of_local_day,
    state_columns,
    total_of,
    unfinished_on,
)

__all__ = ["CATEGORIES", "start_of_local_day", "total_of"]

MOST_OVERDUE = 10
VISITS_SHOWN = 15
TREND_MONTHS = 12


def assigned_between(start: date | None, end: date | None) -> ColumnElement[bool]:
    """Tasks assigned on a local calendar day from ``start`` to ``end`` (either may be open)."""
    return Period(start, end).condition()


def completed_between(start: date | None, end: date | None) -> ColumnElement[bool]:
    """Done tasks whose accepted report was made from ``start`` to ``end``."""
    conditions: list[ColumnElement[bool]] = [Task.status == TaskStatus.DONE]
    if start is not None:
        conditions.append(Task.completed_on >= start)
    if end is not None:
        conditions.append(Task.completed_on <= end)
    return and_(*conditions)


def open_at_end_of(day: date) -> ColumnElement[bool]:
    """Tasks that were assigned and not yet done nor cancelled when ``day`` ended."""
    return unfinished_on(day)


def category_condition(
    category: str, today: date, due_soon_days: int, as_of: date | None = None
) -> ColumnElement[bool]:
    """The SQL condition of one category on ``today``, or at the end of the past day ``as_of``."""
    return in_category(category, as_of or today, due_soon_days)


def count_categories(
    conditions: Iterable[ColumnElement[bool]],
    today: date,
    due_soon_days: int,
    group_by: Sequence[Any] = (),
) -> dict[tuple[Any, ...], TimelinessCounts]:
    """Count the tasks matching ``conditions`` by category on ``today``, per value of ``group_by``."""
    return count_grouped(db.session, conditions, today, due_soon_days, group_by)


def count_one(conditions: Iterable[ColumnElement[bool]], today: date, due_soon_days: int) -> TimelinessCounts:
    """Count the tasks matching ``conditions`` by category, without grouping."""
    return count_categories(conditions, today, due_soon_days).get((), TimelinessCounts())


def count_as_of(
    conditions: Iterable[ColumnElement[bool]], as_of: date, due_soon_days: int
) -> TimelinessCounts:
    """Count the tasks matching ``conditions`` as they stood at the end of ``as_of``."""
    return count_one(conditions, as_of, due_soon_days)


def count_subtree(
    root: Organization,
    *,
    visible: bool,
    period: Period,
    today: date,
    due_soon_days: int,
    conditions: Iterable[ColumnElement[bool]],
) -> TimelinessCounts:
    """The counts of a list that selects a subtree's tasks and a period, nothing else: through
    ``count_tasks`` (the kept counts) when the subtree is everything or its tasks are those it answers
    for; the tasks it may see (coordinated ones too) are counted under ``conditions``."""
    if is_whole_tree(root):
        return count_tasks(db.session, None, period, today, due_soon_days).get((), TimelinessCounts())
    if not visible:
        return count_tasks(db.session, root, period, today, due_soon_days).get((), TimelinessCounts())
    return count_one(conditions, today, due_soon_days)


def is_whole_tree(root: Organization) -> bool:
    """Whether ``root`` is the only organisation without a parent: its subtree is everything."""
    if root.parent_id is not None:
        return False
    roots = db.session.scalar(select(func.count(Organization.id)).where(Organization.parent_id.is_(None)))
    return roots == 1


def subtree_tasks(
    root: Subtree, *, whole_tree: bool, visible: bool = False, per_row: bool = False
) -> ColumnElement[bool]:
    """The tasks a subtree answers for (or, with ``visible``, may see).

    For the whole tree this is every task, and saying so lets the database read the table straight
    through instead of gathering a hundred thousand row numbers from the indexes first. ``per_row``:
    the condition tests a few rows inside a correlated subquery (``workflows.scope.tasks_counted_for``).
    """
    if whole_tree:
        return true()
    if visible:
        return tasks_visible_to(root, per_row=per_row)
    return tasks_counted_for(root, per_row=per_row)


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

    def counted_scope(self) -> Organization | None:
        """The subtree for ``count_tasks`` (None: every task)."""
        return None if self.whole_tree else self.scope

    def period(self) -> Period:
        """The days tasks were assigned on."""
        return Period(self.assigned_from, self.assigned_to)

    def conditions(self, as_of: date) -> list[ColumnElement[bool]]:
        """The SQL conditions: tasks assigned by ``as_of`` and not cancelled then."""
        return list(_conditions(*self.key(as_of)))

    def key(self, as_of: date) -> tuple[Any, ...]:
        """What the selection's SQL depends on (its root's path only, and today: a past day's state
        is rebuilt from history), for the statements built once (``_conditions``)."""
        return (self.scope.path, self.whole_tree, self.assigned_from, self.assigned_to, as_of, local_today())


@lru_cache(maxsize=512)
def _conditions(
    path: str, whole_tree: bool, start: date | None, end: date | None, as_of: date, _today: date
) -> tuple[ColumnElement[bool], ...]:
    """A selection's conditions, built once per subtree, period and day: building their subqueries
    costs more in Python than a dashboard's statements take to run (SQL constructs are immutable, so
    one serves every request; only the root's path is read)."""
    return (counted_on(as_of), subtree_tasks(path, whole_tree=whole_tree), assigned_between(start, end))


# A subtree of more organisations than this is shown by the level below its root (``by_level_below``).
UNITS_LISTED = 150


@dataclass(frozen=True)
class UnitRow:
    """One line of the Government Office's table: a lead unit and its counts; with ``subtree``, the
    tasks led anywhere in the unit's subtree (a row of ``by_level_below``)."""

    organization_id: int
    name: str
    path: str
    counts: TimelinessCounts
    subtree: bool = False


def by_level_below(root_path: str, units: Sequence[UnitRow], organisations: Iterable[Any]) -> list[UnitRow]:
    """The unit table of a large subtree: the tasks its root leads itself, then, for each unit
    directly below the root, the tasks led anywhere in that unit's subtree summed (``subtree`` rows;
    a unit with nothing below it keeps its own row), then the lead units outside the subtree (tasks
    of visits its bodies made) as they are, in tree order. The rows add up to the same total.

    ``units``: ``table_by_lead_unit``'s rows; ``organisations``: rows of id, name and path including
    the root's subtree (``organisations_within``'s)."""
    depth = root_path.count("/")
    below: dict[str, Any] = {}
    has_children: set[str] = set()
    for org in organisations:
        if not org.path.startswith(root_path) or org.path == root_path:
            continue
        level = org.path.count("/") - depth
        if level == 1:
            below[org.path] = org
        else:  # the child's path: the root's, one more code
            has_children.add(org.path[: org.path.index("/", len(root_path)) + 1])
    grouped: dict[str, list[TimelinessCounts]] = defaultdict(list)
    rows: list[UnitRow] = []
    for unit in units:
        if unit.path == root_path or not unit.path.startswith(root_path):
            rows.append(unit)
            continue
        child = unit.path[: unit.path.index("/", len(root_path)) + 1]
        if child in has_children:
            grouped[child].append(unit.counts)
        else:
            rows.append(unit)
    for child, counts in grouped.items():
        org = below[child]
        rows.append(UnitRow(org.id, org.name, org.path, total_of(counts), subtree=True))
    return sorted(rows, key=lambda row: row.path)


def shown_by_level_below(root_path: str, organisations: Iterable[Any]) -> bool:
    """Whether the root's subtree has more than ``UNITS_LISTED`` organisations (among
    ``organisations``): its table is then shown by the level below (``by_level_below``)."""
    return sum(1 for org in organisations if org.path.startswith(root_path)) > UNITS_LISTED


def table_by_lead_unit(
    selection: Selection, today: date, due_soon_days: int, known: Iterable[Any] = ()
) -> list[UnitRow]:
    """Count the categories per lead unit, in tree order: one grouped count (``count_tasks``, from the
    kept counts when it can), and the names of the units not among ``known`` (rows of id, name and
    path already read, such as ``organisations_within``'s)."""
    grouped = count_tasks(
        db.session,
        selection.counted_scope(),
        selection.period(),
        today,
        due_soon_days,
        group_by=[Task.lead_org_id],
    )
    counts = {key[0]: value for key, value in grouped.items() if value.total}  # cancelled only: no row
    if not counts:
        return []
    units = [unit for unit in known if unit.id in counts]
    if len(units) < len(counts):
        missing = set(counts).difference(unit.id for unit in units)
        units += db.session.execute(
            select(Organization.id, Organization.name, Organization.path).where(Organization.id.in_(missing))
        ).all()
    rows = [UnitRow(unit.id, unit.name, unit.path, counts[unit.id]) for unit in units]
    return sorted(rows, key=lambda row: row.path)


def most_overdue(selection: Selection, today: date, limit: int = MOST_OVERDUE) -> list[tuple[Task, int]]:
    """The open tasks longest past their deadline on ``today``, each with its days overdue that day.

    Today's list is read from the list-order index; a past day's from each task's state that day
    (a task finished since, or extended since, is listed as it stood).
    """
    if today >= local_today():
        tasks = db.session.scalars(_most_overdue_today(selection.key(today), limit))
        return [(task, (today - task.due_on).days) for task in tasks if task.due_on is not None]
    options = (selectinload(Task.lead_org), selectinload(Task.directive).selectinload(Directive.visit))
    due_then = state_columns(today).due_on
    rows = db.session.execute(
        select(Task, due_then.label("due_then"))
        .where(*selection.conditions(today), in_category("overdue", today))
        .options(*options)
        .order_by(due_then, Task.id)
        .limit(limit)
    )
    return [(task, (today - due).days) for task, due in rows]


@dataclass(frozen=True)
class TaskLine:
    """What the dashboard's lists show of a task: its id, title, due date and lead unit's name."""

    id: int
    title: str
    due_on: date | None
    lead_name: str


def most_overdue_lines(selection: Selection, today: date, limit: int = MOST_OVERDUE) -> list[tuple[Any, int]]:
    """``most_overdue`` as the page lists them: rows of ``TaskLine``'s columns, each with its days
    overdue. Today's are read as those columns in one statement (no Task objects, no second query
    for their units); a past day's are ``most_overdue``'s."""
    if today >= local_today():
        rows = db.session.execute(_most_overdue_today(selection.key(today), limit, lines=True))
        return [(row, (today - row.due_on).days) for row in rows if row.due_on is not None]
    return [
        (TaskLine(task.id, task.title, task.due_on, task.lead_org.name), days)
        for task, days in most_overdue(selection, today, limit)
    ]


@lru_cache(maxsize=256)
def _most_overdue_today(key: tuple[Any, ...], limit: int, *, lines: bool = False) -> Any:
    """Today's statement of ``most_overdue`` for a selection's ``key``, built once."""
    today = key[4]
    query = (
        select(Task)
        # Rank 0 (working, with a due date) lets the list-order index serve the longest overdue.
        .where(*_conditions(*key), is_overdue(today), Task.list_rank == 0)
        .order_by(Task.list_rank, Task.due_on, Task.id)
        .limit(limit)
    )
    if lines:
        # The unit's name read by its primary key for each of the few tasks listed (a subquery in the
        # select list, run after the LIMIT), not joined to every overdue task before it.
        lead_name = select(Organization.name).where(Organization.id == Task.lead_org_id).scalar_subquery()
        return query.with_only_columns(Task.id, Task.title, Task.due_on, lead_name.label("lead_name"))
    # Loaded after the LIMIT, not joined to every overdue task before it.
    return query.options(selectinload(Task.lead_org))  # the unit's name is shown


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

    Two queries: the visits (newest first, each tried until ``limit`` are found), then their tasks'
    counts by category with the sum of their progress, per visit (both statements built once per
    selection and day; the visits' ids are a parameter).
    """
    key = selection.key(today)
    visits = db.session.execute(_recent_visits(key, limit)).all()
    if not visits:
        return []
    by_category: dict[int, dict[str, int]] = defaultdict(dict)
    progress_sum: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    rows = db.session.execute(_visit_counts(key, due_soon_days), {"visits": [visit.id for visit in visits]})
    for visit_id, category, number, points in rows:
        by_category[visit_id][category] = int(number)
        progress_sum[visit_id][0] += int(points or 0)
        progress_sum[visit_id][1] += int(number)
    return [
        VisitRow(
            visit_id=visit.id,
            reference=visit.reference,
            title=visit.title,
            visited_on=visit.visited_on,
            inspected_name=visit.inspected_name,
            counts=fold(by_category[visit.id]),
            average_progress=progress_sum[visit.id][0] / progress_sum[visit.id][1]
            if progress_sum[visit.id][1]
            else 0.0,
        )
        for visit in visits
    ]


@lru_cache(maxsize=256)
def _visit_counts(key: tuple[Any, ...], due_soon_days: int) -> Any:
    """The counts by category on the selection's day and the progress summed, per visit of the
    ``visits`` parameter (``count_grouped``'s CASE, grouped by visit)."""
    as_of = key[4]
    category = category_on(as_of, due_soon_days).label("category")
    return (
        select(Directive.visit_id, category, func.count(Task.id), func.sum(Task.progress))
        .select_from(Task)
        .join(Directive, Directive.id == Task.directive_id)
        .where(
            assigned_by_end_of(as_of),
            *_conditions(*key),
            Directive.visit_id.in_(bindparam("visits", expanding=True)),
        )
        .group_by(Directive.visit_id, "category")  # by name: the CASE is computed once per row
    )


@lru_cache(maxsize=256)
def _recent_visits(key: tuple[Any, ...], limit: int) -> Any:
    """The statement of ``progress_by_visit``'s visits for a selection's ``key``, built once."""
    inspected = Organization.__table__.alias("inspected")
    has_tasks = exists(
        select(Task.id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Directive.visit_id == Visit.id, *_conditions(*key))
    )
    return (
        select(
            Visit.id, Visit.reference, Visit.title, Visit.visited_on, inspected.c.name.label("inspected_name")
        )
        .join(inspected, inspected.c.id == Visit.inspected_org_id)
        .where(has_tasks)
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(limit)
    )


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
    timeliness then: read from the kept trend (``workflows.counts``) when the months end with
    today's, counted from the tasks otherwise (``monthly_trend_live``); both give the same numbers."""
    from workflows import counts

    kept = counts.read_trend(db.session, None if whole_tree else scope, months, today)
    if kept is None:
        return monthly_trend_live(scope, months, today, whole_tree=whole_tree)
    ends = [min(_add_months(month, 1) - timedelta(days=1), today) for month in months]
    return [
        TrendMonth(month, ends[index], *kept.get(month, (0, 0, 0, 0))) for index, month in enumerate(months)
    ]


def monthly_trend_live(
    scope: Organization, months: Sequence[date], today: date, *, whole_tree: bool = False
) -> list[TrendMonth]:
    """``monthly_trend`` from the tasks themselves, in one grouped query.

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


def organisations_within(root: Organization) -> list[Any]:
    """The subtree a user may choose from, in tree order: each one's id, name and path (the columns a
    choice shows, not a hundred organisations loaded whole)."""
    return list(
        db.session.execute(
            select(Organization.id, Organization.name, Organization.path)
            .where(in_subtree(Organization.path, root))
            .order_by(Organization.path)
        )
    )
