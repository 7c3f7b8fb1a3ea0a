"""Counts kept, not recomputed: the timeliness counts of a province read from a few thousand rows.

``models.TaskCount`` holds, for each (lead unit, inspecting body, local month assigned, category on
the kept day), how many tasks are in it; ``models.TaskCountDay`` the day (and "due soon" window) the
categories are taken on. ``workflows.timeliness.count_tasks`` reads them when it can and counts the
tasks themselves when it cannot; both answers are the same (tests/test_asof.py checks it on random
scopes, periods, days and histories).

**Kept in the same transaction.** Every change of a task goes through a session flush, and a flush
hook (``install``) keeps the rows: before the flush it counts the changed tasks' groups as they are
in the database, after it as they have become, and adds the difference (one INSERT … ON CONFLICT DO
UPDATE). Bulk statements on tasks, visits or directives (a report duty's insert-or-nothing, an
import) cannot be followed row by row: they mark the counts stale, and the next count rebuilds them.

**Rebuilt each day.** Overdue, due soon and within depend on the day, so the kept categories are
those of one day. The daily scan rebuilds them (one INSERT … SELECT … GROUP BY); so does the first
count of a day when the scan has not run: a command in its own transaction, a page in a short
transaction of its own (it gives up at once if a writer holds the lock), while the page itself counts
the tasks. A count never reads rows kept for another day: the guard compares the kept day with today.

**Where the rows cannot answer**, the tasks are counted: a past day (the state rebuilt from history),
a period that does not start on the first of a month or end on the last day of one (or at today), a
grouping other than by lead unit, another "due soon" window, or a list filtered by status, visit, unit
or completion. Past days are not kept as daily snapshots: an "as of" day may be any day since the
first record, and its count is the history query of ``workflows.timeliness`` (benchmarks/asof.py).

Concurrency: on PostgreSQL a task change holds the kept-day row FOR SHARE until it commits and a
rebuild holds it FOR UPDATE, so a rebuild never interleaves with a change it would miss or count
twice; SQLite has one writer at a time. Two changes of one group wait for each other's commit (the
row's lock), as two saves of one task already do.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Connection,
    Table,
    and_,
    bindparam,
    case,
    delete,
    event,
    func,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import ORMExecuteState, Session, UOWTransaction, aliased, scoped_session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from models import Directive, Organization, Task, TaskCount, TaskCountAll, TaskCountDay, TaskTrend, Visit
from models.enums import TaskStatus
from workflows.clock import local_today
from workflows.scope import Subtree, column_in, in_subtree
from workflows.timeliness import end_of_local_day, local_day, start_of_local_day

log = logging.getLogger(__name__)

_DAY_ROW = 1
_KEY = ("lead_org_id", "inspecting_org_id", "assigned_month", "category")
_OLD = "kiemtra_counts_old"  # session.info: the changed tasks' groups before the flush
_TABLES_OF_GROUPS = {"task", "directive", "visit"}  # a bulk change of these may move a task's group


class month_after(FunctionElement[date]):
    """The first day of the month of the day after a date, in SQL: the first month at whose last day
    a task due on that date is overdue."""

    type = Date()
    inherit_cache = True
    name = "month_after"


@compiles(month_after)
def _month_after_sqlite(element: month_after, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+1 day', 'start of month')"


@compiles(month_after, "postgresql")
def _month_after_postgresql(element: month_after, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', ({compiler.process(element.clauses, **kw)}) + 1) AS DATE)"


class month_of(FunctionElement[date]):
    """The first day of the month of a date, in SQL."""

    type = Date()
    inherit_cache = True
    name = "month_of"


@compiles(month_of)
def _month_of_sqlite(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, 'start of month')"


@compiles(month_of, "postgresql")
def _month_of_postgresql(element: month_of, compiler: Any, **kw: Any) -> str:
    return f"CAST(date_trunc('month', {compiler.process(element.clauses, **kw)}) AS DATE)"


def local_month(instant: Any) -> month_of:
    """The first day of the Vietnamese calendar month of a stored UTC instant, in SQL (the local day's
    month: Vietnam's offset is written once, in ``workflows.timeliness.local_day``)."""
    return month_of(local_day(instant))


def _grouped(day: date, due_soon_days: int, *conditions: ColumnElement[bool], kept_body: bool = False) -> Any:
    """The tasks assigned by the end of ``day``, counted per group and category as they stand.

    ``kept_body``: the inspecting body read from the task's kept column (``task.inspecting_org_id``)
    instead of through its directive and visit; right once a flush has ended (the rebuilds), not inside
    one, where the column of a moved task is set again only after the flush wrote it.
    """
    from workflows.timeliness import assigned_by_end_of, category_on

    category = category_on(day, due_soon_days, as_they_stand=True).label("category")
    month = local_month(Task.created_at).label("assigned_month")
    body, query = _body(select(), kept_body)
    return (
        query.add_columns(Task.lead_org_id, body, month, category, func.count(Task.id).label("tasks"))
        .where(assigned_by_end_of(day), *conditions)
        .group_by(Task.lead_org_id, body, "assigned_month", "category")
    )


def _body(query: Any, kept_body: bool) -> tuple[Any, Any]:
    """The tasks' inspecting body and the query reading it: the kept column, or the visit's."""
    if kept_body:
        return Task.inspecting_org_id, query.select_from(Task)
    joined = query.select_from(Task).join(Directive, Directive.id == Task.directive_id)
    return Visit.inspecting_org_id, joined.join(Visit, Visit.id == Directive.visit_id)


def _insert(connection: Connection) -> Any:
    return (postgresql if connection.dialect.name == "postgresql" else sqlite).insert


def _add(connection: Connection, changes: Iterable[Sequence[Any]]) -> None:
    """Add (key…, tasks) to the kept rows, creating the rows that are missing."""
    rows = sorted(tuple(change) for change in changes if change[-1])
    if not rows:
        return
    insert = _insert(connection)(TaskCount).values(
        [dict(zip((*_KEY, "tasks"), row, strict=True)) for row in rows]
    )
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=list(_KEY), set_={"tasks": TaskCount.tasks + insert.excluded.tasks}
        )
    )
    # The same changes, summed over the months, to the counts of all time.
    of_all_time: Counter[tuple[Any, ...]] = Counter()
    for lead, body, _month, category, tasks in rows:
        of_all_time[(lead, body, category)] += tasks
    rows_all = sorted((*key, n) for key, n in of_all_time.items() if n)
    if not rows_all:
        return
    keys_all = ("lead_org_id", "inspecting_org_id", "category")
    insert_all = _insert(connection)(TaskCountAll).values(
        [dict(zip((*keys_all, "tasks"), row, strict=True)) for row in rows_all]
    )
    connection.execute(
        insert_all.on_conflict_do_update(
            index_elements=list(keys_all), set_={"tasks": TaskCountAll.tasks + insert_all.excluded.tasks}
        )
    )


# ------------------------------------------------------------------------------ the monthly trend

# The trend's rows: (lead unit, inspecting body, month) -> [done on time, done late, overdue, within].
TrendRows = dict[tuple[int, int, date], list[int]]
_TREND_KEY = ("lead_org_id", "inspecting_org_id", "month")
_TREND_VALUES = ("done_on_time", "done_late", "overdue", "open_within")


def _month_number(month: date) -> int:
    return month.year * 12 + month.month - 1


def _month_of_number(number: int) -> date:
    return date(number // 12, number % 12 + 1, 1)


def _trend_grouped(
    day: date, first: date | None, *conditions: ColumnElement[bool], kept_body: bool = False
) -> Any:
    """The tasks with a deadline assigned by the end of ``day``, grouped by what places them in the
    trend's months: the month assigned, the month closed (done by ``day`` or cancelled by its end;
    None while open), the first past month at whose end they were overdue, whether they are overdue
    on ``day`` (the running month's end), done, and done by their deadline.

    Counting from ``first`` (a month; the tasks closed before it left out by ``conditions``), a month
    assigned or first overdue before it is taken as ``first``: ``_fold_trend`` places them the same,
    in far fewer groups (about 60,000 rows fetched and folded at 100,000 tasks otherwise)."""
    end = end_of_local_day(day)

    def from_first(month: Any) -> Any:
        return month if first is None else case((month < first, literal(first, Date())), else_=month)

    done = and_(Task.status == TaskStatus.DONE, Task.completed_on <= day)
    closed = case(
        (done, month_of(Task.completed_on)),
        (and_(Task.status == TaskStatus.CANCELLED, Task.cancelled_at < end), local_month(Task.cancelled_at)),
        else_=None,
    )
    body, query = _body(select(), kept_body)
    return (
        query.add_columns(
            Task.lead_org_id,
            body,
            from_first(local_month(Task.created_at)).label("assigned"),
            closed.label("closed"),
            from_first(month_after(Task.due_on)).label("overdue_from"),
            (Task.due_on < day).label("overdue_now"),
            done.label("done"),
            (Task.completed_on <= Task.due_on).label("in_time"),
            func.count(Task.id).label("tasks"),
        )
        .where(Task.due_on.is_not(None), Task.created_at < end, *conditions)
        .group_by(
            Task.lead_org_id,
            body,
            "assigned",
            "closed",
            "overdue_from",
            "overdue_now",
            "done",
            "in_time",
        )
    )


def _fold_trend(rows: Iterable[Any], day: date, first: date | None = None) -> TrendRows:
    """Each group's tasks added to the months from ``first`` (or the earliest) to ``day``'s: done in
    the month they were closed, open (overdue or within) at the end of each month from the one they
    were assigned in to the one before they were closed."""
    last = _month_number(day)
    start = _month_number(first) if first is not None else None
    trend: TrendRows = {}
    for row in rows:
        lead, body, n = row.lead_org_id, row.inspecting_org_id, int(row.tasks)
        closed = _month_number(row.closed) if row.closed is not None else None
        if row.done and closed is not None and (start is None or closed >= start):
            cell = trend.setdefault((lead, body, _month_of_number(closed)), [0, 0, 0, 0])
            cell[0 if row.in_time else 1] += n
        assigned = _month_number(row.assigned)
        overdue_from = _month_number(row.overdue_from)
        stop = min(closed if closed is not None else last + 1, last + 1)
        for month in range(assigned if start is None else max(assigned, start), stop):
            overdue = row.overdue_now if month == last else overdue_from <= month
            cell = trend.setdefault((lead, body, _month_of_number(month)), [0, 0, 0, 0])
            cell[2 if overdue else 3] += n
    return trend


def _trend_of(
    connection: Connection,
    day: date,
    first: date | None,
    *conditions: ColumnElement[bool],
    kept_body: bool = False,
) -> TrendRows:
    grouped = _trend_grouped(day, first, *conditions, kept_body=kept_body)
    return _fold_trend(connection.execute(grouped), day, first)


def _add_trend(connection: Connection, changes: TrendRows) -> None:
    """Add each (key) -> [four numbers] to the kept trend, creating the rows that are missing."""
    rows = sorted((key, values) for key, values in changes.items() if any(values))
    if not rows:
        return
    insert = _insert(connection)(TaskTrend).values(
        [dict(zip((*_TREND_KEY, *_TREND_VALUES), (*key, *values), strict=True)) for key, values in rows]
    )
    connection.execute(
        insert.on_conflict_do_update(
            index_elements=list(_TREND_KEY),
            set_={name: getattr(TaskTrend, name) + getattr(insert.excluded, name) for name in _TREND_VALUES},
        )
    )


def _rebuild_trend(connection: Connection, day: date, since: date | None) -> None:
    """Count the trend's months again from ``since``'s month (every month when None) as of ``day``.

    The months before ``since``'s month end before it: their figures do not move with the day, and
    the flush hook has kept them. From that month on, the tasks open at its start or closed since are
    counted again (the status index), with the tasks assigned since.
    """
    table = cast(Table, TaskTrend.__table__)
    if since is None:
        connection.execute(delete(TaskTrend))
        trend = _trend_of(connection, day, None, kept_body=True)
    else:
        first = since.replace(day=1)
        connection.execute(delete(TaskTrend).where(TaskTrend.month >= first))
        start = start_of_local_day(first)
        still_open = or_(
            Task.status.not_in((TaskStatus.DONE, TaskStatus.CANCELLED)),
            and_(
                Task.status == TaskStatus.DONE, or_(Task.completed_on.is_(None), Task.completed_on >= first)
            ),
            and_(
                Task.status == TaskStatus.CANCELLED,
                or_(Task.cancelled_at.is_(None), Task.cancelled_at >= start),
            ),
        )
        trend = _trend_of(connection, day, first, still_open, kept_body=True)
    rows = [dict(zip((*_TREND_KEY, *_TREND_VALUES), (*k, *v), strict=True)) for k, v in sorted(trend.items())]
    for chunk in range(0, len(rows), 5000):
        connection.execute(table.insert(), rows[chunk : chunk + 5000])


def read_trend(
    session: Session | scoped_session[Any], scope: Organization | None, months: Sequence[date], day: date
) -> dict[date, tuple[int, int, int, int]] | None:
    """The kept trend of ``months`` (first days, the last one ``day``'s month) summed per month; None
    when the kept rows are not of ``day`` (and ``day`` is not today)."""
    if not months or day != local_today() or months[-1] != day.replace(day=1):
        return None
    statement = _trend_statement(scope.path if scope is not None else None, months[0], months[-1])
    rows = session.connection().execute(statement, {"day": day}).all()
    if not rows or rows[0][0] != day:
        return None
    # By position: the day, the month, then done on time, done late, overdue and open within.
    return {
        row[1]: tuple(int(value or 0) for value in row[2:])  # type: ignore[misc]
        for row in rows
        if row[1] is not None
    }


@lru_cache(maxsize=256)
def _trend_statement(path: str | None, first: date, last: date) -> Any:
    """``read_trend``'s statement for a subtree's path (None: everything) and months, built once (its
    building costs more than its run); the day is the parameter ``day``."""
    conditions: list[ColumnElement[bool]] = [TaskTrend.month >= first, TaskTrend.month <= last]
    if path is not None:
        unit = aliased(Organization)
        units = select(unit.id).where(in_subtree(unit.path, path))
        # On PostgreSQL a BitmapOr of the subtree's ranges of the primary key (lead unit first) and of
        # ``ix_task_trend_inspecting_month``, where the month index read every unit's rows of the
        # months and tested each against both lists (a province in a country of 5: 17,893 rows for
        # 3,569, 958 buffers, 10.5 ms → 751 buffers, 1.9 ms).
        conditions.append(
            or_(column_in(TaskTrend.lead_org_id, units), column_in(TaskTrend.inspecting_org_id, units))
        )
    # Summed per month apart, then joined to the kept day's row (one row without sums when it is not
    # ``day``): grouped by the month alone, the sums need no sort of the rows by day first.
    sums = (
        select(TaskTrend.month, *(func.sum(getattr(TaskTrend, name)).label(name) for name in _TREND_VALUES))
        .where(*conditions)
        .group_by(TaskTrend.month)
        .subquery()
    )
    return (
        select(TaskCountDay.day, sums.c.month, *(sums.c[name] for name in _TREND_VALUES))
        .select_from(TaskCountDay)
        .outerjoin(sums, TaskCountDay.day == bindparam("day", type_=Date()))
        .where(TaskCountDay.id == _DAY_ROW)
    )


# The states whose tasks a day's passing never moves (between overdue, due soon and within).
_NOT_WORKING = (TaskStatus.CANCELLED, TaskStatus.DONE, TaskStatus.REPORTED)
_WORKING = tuple(status for status in TaskStatus if status not in _NOT_WORKING)


# ------------------------------------------------------------------------------------------- the day


@dataclass(frozen=True)
class KeptDay:
    """The day the kept categories are taken on, and their "due soon" window (None: to rebuild)."""

    day: date | None
    due_soon_days: int | None


def kept_day(connection: Connection, *, lock: str | None = None) -> KeptDay:
    """Read the kept day; ``lock`` "share" or "update" locks its row on PostgreSQL."""
    query = select(TaskCountDay.day, TaskCountDay.due_soon_days).where(TaskCountDay.id == _DAY_ROW)
    if lock and connection.dialect.name == "postgresql":
        query = query.with_for_update(read=lock == "share")
    row = connection.execute(query).first()
    return KeptDay(row.day, row.due_soon_days) if row else KeptDay(None, None)


def mark_stale(connection: Connection) -> None:
    """Say the kept rows are to be rebuilt before they are read again."""
    connection.execute(update(TaskCountDay).where(TaskCountDay.id == _DAY_ROW).values(day=None))


def rebuild(connection: Connection, day: date, due_soon_days: int) -> bool:
    """Rebuild every kept row as of ``day`` in the connection's transaction; False when already done.

    The first statement writes (the kept day's row), so on SQLite the transaction takes the write
    lock before it reads anything; on PostgreSQL the row is then locked FOR UPDATE.
    """
    connection.execute(
        _insert(connection)(TaskCountDay)
        .values(id=_DAY_ROW, day=None, due_soon_days=None)
        .on_conflict_do_nothing(index_elements=["id"])
    )
    current = kept_day(connection, lock="update")
    if current.day == day and current.due_soon_days == due_soon_days:
        return False
    table = cast(Table, TaskCount.__table__)
    if current.day is not None and current.day < day and current.due_soon_days == due_soon_days:
        # A later day: the tasks whose category the days between moved (still worked on, with a due
        # date that passed, or that came within the due-soon days) leave their category of the kept
        # day for today's, and the tasks assigned since the kept day's end are added. Every other
        # task's category is the same on both days: a day's rebuild reads a few days' deadlines (the
        # status and due-date index), not every task still worked on.
        _add(connection, _moved_by_the_days(connection, current.day, day, due_soon_days))
        since = Task.created_at >= end_of_local_day(current.day)
        _add(connection, connection.execute(_grouped(day, due_soon_days, since, kept_body=True)).all())
    else:
        connection.execute(delete(TaskCount))
        grouped = _grouped(day, due_soon_days, kept_body=True)
        connection.execute(table.insert().from_select([*_KEY, "tasks"], grouped))
        _rebuild_of_all_time(connection)
    # The trend's months before the kept day's do not move with the day.
    _rebuild_trend(connection, day, current.day if current.day is not None and current.day <= day else None)
    connection.execute(
        update(TaskCountDay).where(TaskCountDay.id == _DAY_ROW).values(day=day, due_soon_days=due_soon_days)
    )
    return True


def _moved_by_the_days(
    connection: Connection, before: date, day: date, due_soon_days: int
) -> list[tuple[Any, ...]]:
    """(key…, change) of the kept rows for the tasks assigned by the end of ``before`` whose category
    moves between ``before`` and ``day`` (a later day): due dates from ``before`` to the day before
    ``day`` (now overdue) or after the due-soon days of ``before`` up to those of ``day`` (now due soon)."""
    soon = timedelta(days=due_soon_days)
    moving = (
        Task.status.in_(_WORKING),  # named, not "NOT IN": SQLite then reads the status index
        Task.due_on.is_not(None),
        Task.created_at < end_of_local_day(before),
        or_(
            and_(Task.due_on >= before, Task.due_on < day),
            and_(Task.due_on > before + soon, Task.due_on <= day + soon),
        ),
    )
    change: Counter[tuple[Any, ...]] = Counter()
    for row in connection.execute(_grouped(day, due_soon_days, *moving, kept_body=True)):
        change[tuple(row[:4])] += row.tasks
    for row in connection.execute(_grouped(before, due_soon_days, *moving, kept_body=True)):
        change[tuple(row[:4])] -= row.tasks
    return [(*key, tasks) for key, tasks in change.items() if tasks]


def _rebuild_of_all_time(connection: Connection) -> None:
    """The counts of all time, summed from the kept rows."""
    connection.execute(delete(TaskCountAll))
    summed = select(
        TaskCount.lead_org_id, TaskCount.inspecting_org_id, TaskCount.category, func.sum(TaskCount.tasks)
    ).group_by(TaskCount.lead_org_id, TaskCount.inspecting_org_id, TaskCount.category)
    table = cast(Table, TaskCountAll.__table__)
    connection.execute(
        table.insert().from_select(["lead_org_id", "inspecting_org_id", "category", "tasks"], summed)
    )


# The app says whether the session belongs to a reading page (whose own transaction must not write):
# there the rows are rebuilt in a short transaction of their own.
_reading_page: Callable[[], bool] = lambda: False  # noqa: E731


def refresh(session: Session | scoped_session[Any], day: date, due_soon_days: int) -> bool:
    """Rebuild the kept rows on the first count of a day: in the session's transaction (a command, a
    form's save), True; for a page that only reads, in a short transaction of its own, False (the
    page counts the tasks this once: its own transaction may not write)."""
    connection = session.connection()
    if not _reading_page():
        rebuild(connection, day, due_soon_days)
        return True
    _rebuild_apart(connection, day, due_soon_days)
    return False


def _rebuild_apart(connection: Connection, day: date, due_soon_days: int) -> None:
    try:
        with connection.engine.connect() as own, own.begin():
            if own.dialect.name == "postgresql":
                own.exec_driver_sql("SET LOCAL lock_timeout = '200ms'")
            else:
                own.exec_driver_sql("PRAGMA busy_timeout = 200")
            try:
                rebuild(own, day, due_soon_days)
            finally:
                if own.dialect.name != "postgresql":
                    timeout = connection.exec_driver_sql("PRAGMA busy_timeout").scalar()
                    own.exec_driver_sql(f"PRAGMA busy_timeout = {int(timeout or 0)}")
    except DBAPIError as error:  # someone else writes (or rebuilds) now: the next count tries again
        log.info("kept counts of %s not rebuilt now (%s)", day, error.orig)


# ------------------------------------------------------------------------------------------ reading


def _servable_period(
    start: date | None, end: date | None, day: date
) -> tuple[date | None, date | None] | None:
    """The first and last months of a period of whole months (its end may be today or later)."""
    if start is not None and start.day != 1:
        return None
    if end is None or end >= day:
        return start, None
    if (end + timedelta(days=1)).day != 1:
        return None
    return start, end.replace(day=1)


def servable(
    start: date | None, end: date | None, day: date, group_by: Sequence[Any]
) -> tuple[date | None, date | None] | None:
    """The months to read when the kept rows can answer the count, else None."""
    grouping = list(group_by)
    if grouping and not (len(grouping) == 1 and grouping[0] is Task.lead_org_id):
        return None
    return _servable_period(start, end, day)


def _kept_rows(
    scope: Subtree | None, months: tuple[date | None, date | None], *, gathered: bool = True
) -> tuple[Any, list[ColumnElement[bool]]]:
    """The kept rows to sum (those of all time when every month is asked for) and the conditions
    that keep ``scope``'s rows of ``months``.

    ``gathered``: the subtree's rows are found by the indexes of their lead unit and inspecting body
    (``= ANY(ARRAY(…))`` on PostgreSQL: a BitmapOr of the province's ranges, where an OR of
    IN-subqueries filtered every kept row of the country: a province's unit table in a country of 5,
    14,730 rows read for 2,927, 5.0 → 2.5 ms). Otherwise plain ``IN``: the open tasks' count of
    ``open_of_leads_sql`` adds conditions on the category, which PostgreSQL then probed the (lead unit,
    category) index with for every pair (1,442 buffers where the whole table is 221)."""
    first, last = months
    rows_of: Any = TaskCountAll if first is None and last is None else TaskCount
    conditions: list[ColumnElement[bool]] = []
    if first is not None:
        conditions.append(TaskCount.assigned_month >= first)
    if last is not None:
        conditions.append(TaskCount.assigned_month <= last)
    if scope is not None:
        unit = aliased(Organization)
        units = select(unit.id).where(in_subtree(unit.path, scope))
        plain = not gathered
        conditions.append(
            or_(
                column_in(rows_of.lead_org_id, units, per_row=plain),
                column_in(rows_of.inspecting_org_id, units, per_row=plain),
            )
        )
    return rows_of, conditions


def read(
    session: Session | scoped_session[Any],
    scope: Organization | None,
    months: tuple[date | None, date | None],
    group_by: Sequence[Any],
    day: date,
    due_soon_days: int,
) -> dict[tuple[Any, ...], dict[str, int]] | None:
    """Sum the kept rows per category (and per lead unit when grouped by it); None when they are
    not the counts of ``day`` (and ``day`` is not today): the guard is a condition of the sums' query."""
    if day != local_today():
        return None
    grouped_by_unit = bool(group_by)
    query = _read_statement(scope.path if scope is not None else None, months, grouped_by_unit)
    rows = session.connection().execute(query, {"day": day, "soon": due_soon_days}).all()
    if not rows:
        # Nothing to sum, or kept for another day or another "due soon" window (not these categories).
        kept_as = kept_day(session.connection())
        if kept_as.day != day or kept_as.due_soon_days != due_soon_days:
            return None
        return {}
    grouped: dict[tuple[Any, ...], dict[str, int]] = {}
    # By position (a thousand rows for a province's units: a Row's attribute costs more than its index).
    if grouped_by_unit:
        for lead, category, tasks in rows:
            if tasks:
                grouped.setdefault((lead,), {})[category] = int(tasks)
    else:
        for category, tasks in rows:
            if tasks:
                grouped.setdefault((), {})[category] = int(tasks)
    return grouped


@lru_cache(maxsize=256)
def _read_statement(path: str | None, months: tuple[date | None, date | None], grouped_by_unit: bool) -> Any:
    """``read``'s statement for a subtree's path (None: everything), months and grouping, built once
    (building it costs more than a province's sums take to run); the day and "due soon" window are
    the parameters ``day`` and ``soon``.

    The kept day's guard is a condition of its own, evaluated once (an uncorrelated subquery): the
    sums are read straight, grouped by unit and category in the order of the (lead unit, category,
    tasks) index, not materialised to be joined to the day's row. A stale day answers no row; so
    does a day with nothing kept, which ``read`` then tells apart by the day's row alone."""
    rows_of, in_months = _kept_rows(path, months)
    keys = [rows_of.lead_org_id] if grouped_by_unit else []
    return (
        select(*keys, rows_of.category, func.sum(rows_of.tasks))
        .where(
            *in_months,
            _day_row(TaskCountDay.day) == bindparam("day", type_=Date()),
            _day_row(TaskCountDay.due_soon_days) == bindparam("soon"),
        )
        .group_by(*keys, rows_of.category)
    )


def _day_row(column: Any) -> Any:
    """One column of the kept day's row, as a scalar subquery (the database reads it once)."""
    return select(column).where(TaskCountDay.id == _DAY_ROW).scalar_subquery()


# The categories of the tasks not yet done nor cancelled (models.enums.OPEN_TASK_STATUSES).
OPEN_CATEGORIES = (
    "overdue",
    "due_soon",
    "within",
    "awaiting_on_time",
    "awaiting_late",
    "await_nodue",
    "open_nodue",
)


def open_of_leads_sql(
    scope: Organization | None,
    months: tuple[date | None, date | None],
    leads: Any,
    day: date,
    *,
    otherwise: Any,
) -> Any:
    """SQL of how many tasks of the lead units ``leads`` (a subquery of ids) that ``scope`` answers
    for, assigned in ``months``, are open (neither done nor cancelled), from the kept rows when they
    are of ``day`` (today), else the SQL ``otherwise`` (which then counts the tasks)."""
    if day != local_today():
        return otherwise
    rows_of, conditions = _kept_rows(scope, months, gathered=False)
    conditions += [rows_of.category.in_(OPEN_CATEGORIES), rows_of.lead_org_id.in_(leads)]
    kept = select(func.coalesce(func.sum(rows_of.tasks), 0)).where(*conditions).scalar_subquery()
    kept_day = select(TaskCountDay.day).where(TaskCountDay.id == _DAY_ROW).scalar_subquery()
    return case((kept_day == day, kept), else_=otherwise)


# The categories of the tasks reported done and waiting for verification (status REPORTED).
AWAITING_CATEGORIES = ("awaiting_on_time", "awaiting_late", "await_nodue")


def awaiting_of_bodies_sql(bodies: Any, day: date, *, otherwise: Any) -> Any:
    """SQL of how many tasks of visits of the inspecting bodies ``bodies`` (a subquery of ids) wait
    for verification, from the kept counts of all time when they are of ``day`` (today), else the
    SQL ``otherwise``. A task's status does not move with the day: any kept day's rows would do,
    but only today's count the tasks assigned today."""
    kept = (
        select(func.coalesce(func.sum(TaskCountAll.tasks), 0))
        .where(TaskCountAll.category.in_(AWAITING_CATEGORIES), TaskCountAll.inspecting_org_id.in_(bodies))
        .scalar_subquery()
    )
    kept_day = select(TaskCountDay.day).where(TaskCountDay.id == _DAY_ROW).scalar_subquery()
    return case((kept_day == day, kept), else_=otherwise)


# --------------------------------------------------------------------------------- the flush hook


# The columns a task's group and category are made of (progress, title … move nothing).
_GROUP_COLUMNS = (
    "status",
    "due_on",
    "original_due_on",
    "completed_on",
    "reported_at",
    "verified_at",
    "cancelled_at",
    "created_at",
    "lead_org_id",
    "directive_id",
)


# Before the flush a relationship set in Python has not yet set its column.
_GROUP_ATTRIBUTES = (*_GROUP_COLUMNS, "lead_org", "directive")
_GROUP_COLUMNS_OF = {
    "task": set(_GROUP_COLUMNS),
    "directive": {"visit_id"},
    "visit": {"inspecting_org_id"},
}


def _changed_tasks(session: Session) -> tuple[list[Task], list[Task]]:
    """(tasks already in the database whose group or category may change or that go, tasks added)."""
    stored = [
        t for t in session.dirty if isinstance(t, Task) and any(_changed(t, c) for c in _GROUP_ATTRIBUTES)
    ]
    stored += [t for t in session.deleted if isinstance(t, Task)]
    added = [t for t in session.new if isinstance(t, Task)]
    return stored, added


def _groups_moved(session: Session) -> bool:
    """Whether a visit's inspecting body or a directive's visit changes (every task under it moves)."""
    for item in session.dirty:
        if isinstance(item, Visit) and (
            _changed(item, "inspecting_org_id") or _changed(item, "inspecting_org")
        ):
            return True
        if isinstance(item, Directive) and (_changed(item, "visit_id") or _changed(item, "visit")):
            return True
    return False


def _changed(item: Any, attribute: str) -> bool:
    from sqlalchemy import inspect

    return bool(inspect(item).attrs[attribute].history.has_changes())


def _groups_of(connection: Connection, kept: KeptDay, ids: Iterable[int]) -> dict[int, tuple[Any, ...]]:
    """Each task's group and category in the kept rows (tasks assigned after the kept day: none)."""
    ids = sorted(set(ids))
    keys: dict[int, tuple[Any, ...]] = {}
    assert kept.day is not None and kept.due_soon_days is not None
    for chunk in range(0, len(ids), 500):
        query = _grouped(kept.day, kept.due_soon_days, Task.id.in_(ids[chunk : chunk + 500]))
        query = query.add_columns(Task.id.label("task_id")).group_by(Task.id)
        for row in connection.execute(query):
            keys[row.task_id] = tuple(row[:4])
    return keys


# A task whose lead unit, directive and assignment time stay has the same group after the flush:
# only its category is computed again, in Python, without a query.
_GROUP_OF_TASK = ("lead_org_id", "lead_org", "directive_id", "directive", "created_at")


def _before_flush(session: Session, _context: UOWTransaction, _instances: Any) -> None:
    stored, added = _changed_tasks(session)
    moved = _groups_moved(session)
    if not stored and not added and not moved:
        return
    connection = session.connection()
    kept = kept_day(connection, lock="share")  # no rebuild until this transaction ends
    if kept.day is None or kept.due_soon_days is None:
        return  # to be rebuilt in full before the next count anyway
    # Kept for an earlier day (the scan has not run yet): the change is kept as of that day, so that
    # the next day's rebuild need only count the categories that move with the day again.
    if moved:
        mark_stale(connection)
        return
    ids = [t.id for t in stored if t.id is not None]
    session.info[_OLD] = (
        kept,
        _groups_of(connection, kept, ids) if ids else {},
        _trend_of_tasks(connection, kept.day, ids),
    )


def _after_flush(session: Session, _context: UOWTransaction) -> None:
    from workflows.timeliness import category_key

    before = session.info.pop(_OLD, None)
    if before is None:
        return
    kept, old, old_trend = before
    stored, added = _changed_tasks(session)
    gone = {id(t) for t in session.deleted}
    new: dict[int, tuple[Any, ...]] = {}
    ask = [t.id for t in added if t.id is not None]
    for task in stored:
        if id(task) in gone:
            continue
        if task.id in old and not any(_changed(task, name) for name in _GROUP_OF_TASK):
            new[task.id] = (*old[task.id][:3], category_key(task, kept.day, kept.due_soon_days))
        else:
            ask.append(task.id)
    connection = session.connection()
    if ask:
        new.update(_groups_of(connection, kept, ask))
    change: Counter[tuple[Any, ...]] = Counter(new.values())
    change.subtract(Counter(old.values()))
    _add(connection, ((*key, n) for key, n in change.items()))
    # The trend: the changed tasks' months as they have become, less what they were.
    now_ids = [t.id for t in stored if id(t) not in gone] + [t.id for t in added]
    trend = _trend_of_tasks(connection, kept.day, [i for i in now_ids if i is not None])
    for key, values in old_trend.items():
        cell = trend.setdefault(key, [0, 0, 0, 0])
        for index, value in enumerate(values):
            cell[index] -= value
    _add_trend(connection, trend)


def _trend_of_tasks(connection: Connection, day: date, ids: Iterable[int]) -> TrendRows:
    """The trend's months of some tasks (as they are in the database) as of ``day``."""
    ids = sorted(set(ids))
    trend: TrendRows = {}
    for chunk in range(0, len(ids), 500):
        part = _trend_of(connection, day, None, Task.id.in_(ids[chunk : chunk + 500]))
        for key, values in part.items():
            cell = trend.setdefault(key, [0, 0, 0, 0])
            for index, value in enumerate(values):
                cell[index] += value
    return trend


def _after_bulk(state: ORMExecuteState) -> None:
    if not (state.is_insert or state.is_update or state.is_delete):
        return
    name = getattr(getattr(state.statement, "table", None), "name", None)
    if name not in _TABLES_OF_GROUPS:
        return
    if state.is_update and not _GROUP_COLUMNS_OF[name] & _updated_columns(state.statement):
        return  # a counter, a progress …: no task changes group or category
    mark_stale(state.session.connection())


def _updated_columns(statement: Any) -> set[str]:
    """The names of the columns an UPDATE sets (every group column when they cannot be told)."""
    values = dict(getattr(statement, "_values", None) or getattr(statement, "_ordered_values", None) or {})
    if not values:
        return set(_GROUP_COLUMNS)
    return {str(getattr(key, "key", key)) for key in values}


def _after_rollback(session: Session, _previous: Any) -> None:
    session.info.pop(_OLD, None)


def install(reading_page: Callable[[], bool] | None = None, session_class: Any = Session) -> None:
    """Keep the counts on every flush of ``session_class`` (idempotent); ``reading_page`` tells
    whether the current session serves a page that only reads."""
    global _reading_page
    if reading_page is not None:
        _reading_page = reading_page
    if not event.contains(session_class, "before_flush", _before_flush):
        event.listen(session_class, "before_flush", _before_flush)
        event.listen(session_class, "after_flush", _after_flush)
        event.listen(session_class, "do_orm_execute", _after_bulk)
        event.listen(session_class, "after_soft_rollback", _after_rollback)
