"""Timeliness: every rule and every count of "on time", "overdue" … stated once, in Python and in SQL.

| state on day D            | category |
|---------------------------|----------|
| done                      | on_time (reported on or before the due date in force) or late |
| reported, not yet verified| awaiting_on_time or awaiting_late, judged by the reported day; never overdue |
| other open states         | due_soon (0..N days left), within (more left) or overdue (due date passed) |
| any                       | no_deadline when the task has no due date |

Cancelled tasks and tasks assigned after D are in no category and counted nowhere.

**One clock.** Every count is asked "as of" a day D. The state of a task on D is rebuilt from its
dated history: the day it was assigned, its status events (reported, verified, returned, paused,
cancelled) and the extensions approved by then, so a count dated in the past prints what was true that
day. On or after today nothing has happened later than D, so the rows' current columns are the state
on D and the database is spared the history look-ups.

**One selection.** ``count_tasks(scope, period, as_of)`` counts the tasks a subtree answers for,
assigned in a period, by their category on D; the dashboard, ``kiemtra stats``, the leadership summary,
the follow-up letter and the reminders all count through it or its conditions (``in_category``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, fields
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, exists, func, literal, or_, select, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session, aliased, scoped_session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.types import Date

from models import DeadlineExtension, Organization, Task, TaskEvent, Visit
from models.enums import OPEN_TASK_STATUSES, ExtensionStatus, TaskStatus, Timeliness
from models.vntext import format_date
from workflows.clock import LOCAL_ZONE, local_date_of, local_today
from workflows.errors import ValidationFailed
from workflows.scope import tasks_counted_for

DEFAULT_DUE_SOON_DAYS = 3

# Open states in which the unit still owes work: a reported task waits for the inspecting side.
WORKING_STATUSES = OPEN_TASK_STATUSES - {TaskStatus.REPORTED}


# ------------------------------------------------------------------------------------------ the clock


def start_of_local_day(day: date) -> datetime:
    """The UTC instant at which ``day`` begins in Vietnam."""
    return datetime.combine(day, time(0), LOCAL_ZONE).astimezone(UTC)


def end_of_local_day(day: date) -> datetime:
    """The UTC instant at which ``day`` ends in Vietnam (the next day begins)."""
    return start_of_local_day(day + timedelta(days=1))


class local_day(FunctionElement[date]):
    """The Vietnamese calendar day of a stored UTC instant, in SQL (Vietnam keeps UTC+7 all year)."""

    type = Date()
    inherit_cache = True
    name = "local_day"


@compiles(local_day)
def _local_day_sqlite(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"date({compiler.process(element.clauses, **kw)}, '+7 hours')"


@compiles(local_day, "postgresql")
def _local_day_postgresql(element: local_day, compiler: Any, **kw: Any) -> str:
    return f"CAST(({compiler.process(element.clauses, **kw)}) AT TIME ZONE 'Asia/Ho_Chi_Minh' AS DATE)"


# ------------------------------------------------------------------------- one task, in Python


@dataclass(frozen=True)
class DayState:
    """What a task was at the end of one day: its status, the due date in force, the reported day."""

    status: TaskStatus
    due_on: date | None
    reported_on: date | None  # the day of the report waiting for (or accepted by) verification


def current_state(task: Task) -> DayState:
    """The task as it stands now."""
    reported = task.completed_on if task.status is TaskStatus.DONE else None
    if task.status is TaskStatus.REPORTED and task.reported_at is not None:
        reported = local_date_of(task.reported_at)
    return DayState(task.status, task.due_on, reported)


def state_on(task: Task, day: date) -> DayState | None:
    """Rebuild the task's state at the end of ``day`` from its dated history (None: not yet assigned)."""
    end = end_of_local_day(day)
    if task.created_at >= end:
        return None
    due = _due_on_at(task, end)
    if task.cancelled_at is not None and task.cancelled_at < end:
        return DayState(TaskStatus.CANCELLED, due, None)
    if task.status is TaskStatus.DONE and task.verified_at is not None and task.verified_at < end:
        return DayState(TaskStatus.DONE, due, task.completed_on)
    changes = [e for e in task.events if e.to_status is not None and e.created_at < end]
    if not changes:  # a task without a logged history: its own columns, cut at the day, tell
        reported = task.reported_at
        if task.status in (TaskStatus.REPORTED, TaskStatus.DONE) and reported is not None and reported < end:
            return DayState(TaskStatus.REPORTED, due, local_date_of(reported))
        status = task.status if task.status in WORKING_STATUSES else TaskStatus.ASSIGNED
        return DayState(status, due, None)
    last = max(changes, key=lambda e: (e.created_at, e.id or 0))
    if last.to_status is TaskStatus.REPORTED:
        return DayState(TaskStatus.REPORTED, due, local_date_of(last.created_at))
    status = last.to_status if last.to_status in WORKING_STATUSES else TaskStatus.ASSIGNED
    return DayState(status, due, None)


def _due_on_at(task: Task, end: datetime) -> date | None:
    if task.due_on is None or task.due_on == task.original_due_on:
        return task.due_on
    approved = [x for x in task.extensions if x.status is ExtensionStatus.APPROVED and x.decided_at]
    if not approved:  # moved without a recorded extension (imported data): the date in force stands
        return task.due_on
    moved = [x.requested_due_on for x in approved if x.decided_at is not None and x.decided_at < end]
    return max(moved, default=task.original_due_on)


def classify(
    state: DayState | None, day: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> Timeliness | None:
    """The category of a state on ``day``; None for a cancelled (or not yet assigned) task."""
    if state is None or state.status is TaskStatus.CANCELLED:
        return None
    if state.due_on is None:
        return Timeliness.NO_DEADLINE
    if state.status in (TaskStatus.DONE, TaskStatus.REPORTED):
        assert state.reported_on is not None
        on_time = state.reported_on <= state.due_on
        if state.status is TaskStatus.DONE:
            return Timeliness.ON_TIME if on_time else Timeliness.LATE
        return Timeliness.AWAITING_ON_TIME if on_time else Timeliness.AWAITING_LATE
    if state.due_on < day:
        return Timeliness.OVERDUE
    if (state.due_on - day).days <= due_soon_days:
        return Timeliness.DUE_SOON
    return Timeliness.WITHIN


def timeliness_of(task: Task, today: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Timeliness | None:
    """The task's category on ``today`` as it stands now, or None for a cancelled task."""
    return classify(current_state(task), today, due_soon_days)


def timeliness_on(task: Task, day: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> Timeliness | None:
    """The task's category on ``day``, its state rebuilt from its history."""
    return classify(state_on(task, day), day, due_soon_days)


def days_overdue(task: Task, today: date) -> int:
    """Days past the due date in force for a task the unit still works on (0 when not overdue)."""
    if task.status not in WORKING_STATUSES or task.due_on is None or task.due_on >= today:
        return 0
    return (today - task.due_on).days


# --------------------------------------------------------------------------- every task, in SQL

# The values of ``category_on``. Done tasks are split by whether they met the original due date too.
_ON_TIME, _ON_TIME_EXTENDED = "on_time", "on_time_ext"
_LATE, _LATE_MET_ORIGINAL = "late", "late_orig"
_DONE_NO_DEADLINE, _OPEN_NO_DEADLINE, _AWAITING_NO_DEADLINE = "done_nodue", "open_nodue", "await_nodue"
_CANCELLED = "cancelled"
KEYS: dict[str, tuple[str, ...]] = {
    "overdue": ("overdue",),
    "due_soon": ("due_soon",),
    "within": ("within",),
    "open_within": ("within", "due_soon"),
    "awaiting_on_time": ("awaiting_on_time",),
    "awaiting_late": ("awaiting_late",),
    "awaiting": ("awaiting_on_time", "awaiting_late", _AWAITING_NO_DEADLINE),
    "on_time": (_ON_TIME, _ON_TIME_EXTENDED),
    "late": (_LATE, _LATE_MET_ORIGINAL),
    "done": (_ON_TIME, _ON_TIME_EXTENDED, _LATE, _LATE_MET_ORIGINAL, _DONE_NO_DEADLINE),
    "no_deadline": (_DONE_NO_DEADLINE, _OPEN_NO_DEADLINE, _AWAITING_NO_DEADLINE),
}
# The category a task is shown in, by the value of ``category_on`` (None: cancelled, shown in none).
TIMELINESS_OF_KEY: dict[str, Timeliness | None] = {
    "overdue": Timeliness.OVERDUE,
    "due_soon": Timeliness.DUE_SOON,
    "within": Timeliness.WITHIN,
    "awaiting_on_time": Timeliness.AWAITING_ON_TIME,
    "awaiting_late": Timeliness.AWAITING_LATE,
    _ON_TIME: Timeliness.ON_TIME,
    _ON_TIME_EXTENDED: Timeliness.ON_TIME,
    _LATE: Timeliness.LATE,
    _LATE_MET_ORIGINAL: Timeliness.LATE,
    _DONE_NO_DEADLINE: Timeliness.NO_DEADLINE,
    _OPEN_NO_DEADLINE: Timeliness.NO_DEADLINE,
    _AWAITING_NO_DEADLINE: Timeliness.NO_DEADLINE,
    _CANCELLED: None,
}
# Categories a list can be filtered by; ``open_within`` is within + due_soon, ``done`` every done task.
CATEGORIES = tuple(KEYS)


@dataclass(frozen=True)
class _StateColumns:
    """SQL expressions of a task's state at the end of a day."""

    end: datetime
    done: ColumnElement[bool]
    cancelled: ColumnElement[bool]
    reported: ColumnElement[bool]
    reported_on: Any  # SQL expressions of a date (a column or a CASE)
    due_on: Any


def _is_rebuilt(as_of: date) -> bool:
    """Whether the state on ``as_of`` must be rebuilt from history: only days before today."""
    return as_of < local_today()


def state_columns(as_of: date, *, as_they_stand: bool = False) -> _StateColumns:
    """The SQL expressions of each task's state at the end of ``as_of`` (see ``state_on``); with
    ``as_they_stand``, the rows' current columns whatever the day (the kept counts of a day)."""
    end = end_of_local_day(as_of)
    if as_they_stand or not _is_rebuilt(as_of):
        return _StateColumns(
            end,
            done=Task.status == TaskStatus.DONE,
            cancelled=Task.status == TaskStatus.CANCELLED,
            reported=Task.status == TaskStatus.REPORTED,
            reported_on=local_day(Task.reported_at),
            due_on=Task.due_on,
        )
    event = aliased(TaskEvent)
    last_change = (
        select(event.to_status)
        .where(event.task_id == Task.id, event.to_status.is_not(None), event.created_at < end)
        .order_by(event.created_at.desc(), event.id.desc())
        .limit(1)
        .correlate(Task)
        .scalar_subquery()
    )
    last_report = (
        select(func.max(event.created_at))
        .where(event.task_id == Task.id, event.to_status == TaskStatus.REPORTED, event.created_at < end)
        .correlate(Task)
        .scalar_subquery()
    )
    extension = aliased(DeadlineExtension)
    approved = (extension.task_id == Task.id, extension.status == ExtensionStatus.APPROVED)
    extended_to = (
        select(func.max(extension.requested_due_on))
        .where(*approved, extension.decided_at < end)
        .correlate(Task)
        .scalar_subquery()
    )
    # A date moved without a recorded extension (imported data) stands as it is.
    never_extended = or_(
        Task.due_on.is_(None),
        Task.due_on == Task.original_due_on,
        ~exists(select(extension.id).where(*approved).correlate(Task)),
    )
    return _StateColumns(
        end,
        done=and_(Task.status == TaskStatus.DONE, Task.verified_at < end),
        cancelled=Task.cancelled_at < end,
        reported=case(
            (
                last_change.is_(None),
                and_(Task.status.in_((TaskStatus.REPORTED, TaskStatus.DONE)), Task.reported_at < end),
            ),
            else_=last_change == TaskStatus.REPORTED,
        ),
        reported_on=local_day(func.coalesce(last_report, Task.reported_at)),
        due_on=case((never_extended, Task.due_on), else_=func.coalesce(extended_to, Task.original_due_on)),
    )


def assigned_by_end_of(as_of: date) -> ColumnElement[bool]:
    """Tasks assigned by the end of ``as_of``."""
    return Task.created_at < end_of_local_day(as_of)


def category_on(
    as_of: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS, *, as_they_stand: bool = False
) -> ColumnElement[str]:
    """Each task's category on ``as_of`` as one CASE expression (see ``KEYS`` for its values)."""
    s = state_columns(as_of, as_they_stand=as_they_stand)
    met_original = Task.completed_on <= Task.original_due_on
    return case(
        (s.cancelled, literal(_CANCELLED)),
        (
            s.due_on.is_(None),
            case(
                (s.done, literal(_DONE_NO_DEADLINE)),
                (s.reported, literal(_AWAITING_NO_DEADLINE)),
                else_=literal(_OPEN_NO_DEADLINE),
            ),
        ),
        (
            s.done,
            case(
                (Task.completed_on <= s.due_on, case((met_original, _ON_TIME), else_=_ON_TIME_EXTENDED)),
                else_=case((met_original, _LATE_MET_ORIGINAL), else_=_LATE),
            ),
        ),
        (
            s.reported,
            case((s.reported_on <= s.due_on, literal("awaiting_on_time")), else_=literal("awaiting_late")),
        ),
        (s.due_on < as_of, literal("overdue")),
        (s.due_on <= as_of + timedelta(days=due_soon_days), literal("due_soon")),
        else_=literal("within"),
    )


def category_key(task: Task, as_of: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> str:
    """``category_on(as_of, as_they_stand=True)`` of one task in Python: its value for the task's
    current columns (the kept counts' flush hook uses it; tests/test_asof.py keeps the two equal)."""
    status, due = task.status, task.due_on
    if status is TaskStatus.CANCELLED:
        return _CANCELLED
    if due is None:
        if status is TaskStatus.DONE:
            return _DONE_NO_DEADLINE
        return _AWAITING_NO_DEADLINE if status is TaskStatus.REPORTED else _OPEN_NO_DEADLINE
    if status is TaskStatus.DONE:
        completed = task.completed_on
        met_original = (
            completed is not None and task.original_due_on is not None and completed <= task.original_due_on
        )
        if completed is not None and completed <= due:
            return _ON_TIME if met_original else _ON_TIME_EXTENDED
        return _LATE_MET_ORIGINAL if met_original else _LATE
    if status is TaskStatus.REPORTED:
        reported = task.reported_at
        on_time = reported is not None and local_date_of(reported) <= due
        return "awaiting_on_time" if on_time else "awaiting_late"
    if due < as_of:
        return "overdue"
    return "due_soon" if due <= as_of + timedelta(days=due_soon_days) else "within"


def in_category(
    category: str, as_of: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS
) -> ColumnElement[bool]:
    """The SQL condition of one category on ``as_of`` (tasks assigned later are in none)."""
    return and_(assigned_by_end_of(as_of), category_on(as_of, due_soon_days).in_(KEYS[category]))


_UNFINISHED_KEYS = ("overdue", "due_soon", "within", *KEYS["awaiting"], _OPEN_NO_DEADLINE)


def unfinished_on(as_of: date) -> ColumnElement[bool]:
    """Tasks assigned and neither done nor cancelled at the end of ``as_of``."""
    return and_(assigned_by_end_of(as_of), category_on(as_of).in_(_UNFINISHED_KEYS))


def counted_on(as_of: date) -> ColumnElement[bool]:
    """Tasks assigned by the end of ``as_of`` and not cancelled by then: those every count counts."""
    if not _is_rebuilt(as_of):
        return and_(assigned_by_end_of(as_of), Task.status != TaskStatus.CANCELLED)
    end = end_of_local_day(as_of)
    return and_(Task.created_at < end, or_(Task.cancelled_at.is_(None), Task.cancelled_at >= end))


def is_overdue(today: date) -> ColumnElement[bool]:
    """Tasks the unit still works on whose due date in force has passed, as they stand now."""
    return and_(Task.status.in_(WORKING_STATUSES), Task.due_on.is_not(None), Task.due_on < today)


def is_working() -> ColumnElement[bool]:
    """Tasks the unit still works on (open and not waiting for verification), as they stand now."""
    return Task.status.in_(WORKING_STATUSES)


def urgency_rank(today: date, due_soon_days: int = DEFAULT_DUE_SOON_DAYS) -> ColumnElement[int]:
    """Overdue 0, due soon 1, other working tasks with a deadline 2, without 3, reported 4, done 5, else 6."""
    working = is_working()
    return case(
        (and_(working, Task.due_on < today), 0),
        (and_(working, Task.due_on <= today + timedelta(days=due_soon_days)), 1),
        (and_(working, Task.due_on.is_not(None)), 2),
        (working, 3),
        (Task.status == TaskStatus.REPORTED, 4),
        (Task.status == TaskStatus.DONE, 5),
        else_=6,
    )


# ----------------------------------------------------------------------------------- the counts


@dataclass(frozen=True)
class TimelinessCounts:
    """How many tasks fall in each category, with the two kinds of rate."""

    on_time: int = 0
    late: int = 0
    within: int = 0
    due_soon: int = 0
    overdue: int = 0
    no_deadline: int = 0
    awaiting_on_time: int = 0  # reported by the due date, waiting for verification
    awaiting_late: int = 0  # reported after the due date, waiting for verification
    done: int = 0  # every done task, including those without a deadline
    on_time_original: int = 0  # done by the original due date, before any extension
    total: int = 0  # every task but the cancelled ones

    @property
    def open_within(self) -> int:
        """Open tasks whose deadline has not passed (the Government Office's "trong hạn")."""
        return self.within + self.due_soon

    @property
    def awaiting(self) -> int:
        """Reported tasks with a deadline waiting for the inspecting side."""
        return self.awaiting_on_time + self.awaiting_late

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
        data["awaiting"] = self.awaiting
        data["completion_rate"] = self.completion_rate
        data["shares"] = {c.value: self.share(c.value) for c in Timeliness}
        return data


def fold(by_key: dict[str, int]) -> TimelinessCounts:
    """TimelinessCounts from counts per value of ``category_on`` (cancelled tasks left out)."""

    # Each key read once (a dashboard folds a hundred units' counts).
    get = by_key.get
    on_time, on_time_ext, late, late_orig = (
        get(_ON_TIME, 0),
        get(_ON_TIME_EXTENDED, 0),
        get(_LATE, 0),
        get(_LATE_MET_ORIGINAL, 0),
    )
    done_nodue = get(_DONE_NO_DEADLINE, 0)
    return TimelinessCounts(
        on_time=on_time + on_time_ext,
        late=late + late_orig,
        within=get("within", 0),
        due_soon=get("due_soon", 0),
        overdue=get("overdue", 0),
        no_deadline=done_nodue + get(_OPEN_NO_DEADLINE, 0) + get(_AWAITING_NO_DEADLINE, 0),
        awaiting_on_time=get("awaiting_on_time", 0),
        awaiting_late=get("awaiting_late", 0),
        done=on_time + on_time_ext + late + late_orig + done_nodue,
        on_time_original=on_time + late_orig,
        total=sum(by_key.values()) - get(_CANCELLED, 0),
    )


def total_of(counts: Iterable[TimelinessCounts]) -> TimelinessCounts:
    """Add counts up field by field (every task has one lead unit, so unit rows add to the total)."""
    sums = dict.fromkeys((f.name for f in fields(TimelinessCounts)), 0)
    for item in counts:
        for name in sums:
            sums[name] += getattr(item, name)
    return TimelinessCounts(**sums)


@dataclass(frozen=True)
class Period:
    """The local calendar days tasks were assigned on (either end may be open)."""

    start: date | None = None
    end: date | None = None

    def condition(self) -> ColumnElement[bool]:
        """Tasks assigned in the period."""
        conditions = []
        if self.start is not None:
            conditions.append(Task.created_at >= start_of_local_day(self.start))
        if self.end is not None:
            conditions.append(Task.created_at < end_of_local_day(self.end))
        return and_(true(), *conditions)


EVERYTHING = Period()


def selected(scope: Organization | None, period: Period, as_of: date) -> list[ColumnElement[bool]]:
    """The tasks a count selects: those ``scope`` answers for (all when None), assigned in the
    period and by the end of ``as_of``. Cancelled ones are selected too and counted in no category."""
    conditions = [period.condition(), assigned_by_end_of(as_of)]
    if scope is not None:
        conditions.append(tasks_counted_for(scope))
    return conditions


def count_grouped(
    session: Session | scoped_session[Any],
    conditions: Iterable[ColumnElement[bool]],
    as_of: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    group_by: Sequence[Any] = (),
) -> dict[tuple[Any, ...], TimelinessCounts]:
    """Count the tasks matching ``conditions`` by their category on ``as_of``, per ``group_by``."""
    category = category_on(as_of, due_soon_days).label("category")
    query = (
        select(*group_by, category, func.count(Task.id).label("n"))
        .where(assigned_by_end_of(as_of), *conditions)
        .group_by(*group_by, "category")  # by name: the CASE is computed once per row
    )
    grouped: dict[tuple[Any, ...], dict[str, int]] = defaultdict(dict)
    for row in session.execute(query):
        grouped[tuple(row[: len(group_by)])][row.category] = int(row.n)
    return {key: fold(by_key) for key, by_key in grouped.items()}


def count_tasks(
    session: Session | scoped_session[Any],
    scope: Organization | None,
    period: Period,
    as_of: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    *,
    group_by: Sequence[Any] = (),
) -> dict[tuple[Any, ...], TimelinessCounts]:
    """The one count: tasks ``scope`` answers for, assigned in ``period``, by their state on ``as_of``,
    per value of ``group_by`` (the key ``()`` without grouping).

    Today's counts of whole months (or of everything), whole or per lead unit, are read from the
    kept counts (``workflows.counts``); the others count the tasks. Both give the same numbers."""
    from workflows import counts

    months = counts.servable(period.start, period.end, as_of, group_by)
    if months is not None:
        kept = counts.read(session, scope, months, group_by, as_of, due_soon_days)
        if kept is None and as_of == local_today() and counts.refresh(session, as_of, due_soon_days):
            kept = counts.read(session, scope, months, group_by, as_of, due_soon_days)
        if kept is not None:
            return {key: fold(by_key) for key, by_key in kept.items()}
    return count_live(session, scope, period, as_of, due_soon_days, group_by=group_by)


def count_live(
    session: Session | scoped_session[Any],
    scope: Organization | None,
    period: Period,
    as_of: date,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    *,
    group_by: Sequence[Any] = (),
) -> dict[tuple[Any, ...], TimelinessCounts]:
    """``count_tasks`` from the tasks themselves, never from the kept counts."""
    return count_grouped(session, selected(scope, period, as_of), as_of, due_soon_days, group_by)


def count_timeliness(
    session: Session | scoped_session[Any],
    today: date,
    scope: Organization | None = None,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    period: Period = EVERYTHING,
) -> TimelinessCounts:
    """Count the categories for the whole database or one subtree on ``today``, in a single query."""
    return count_tasks(session, scope, period, today, due_soon_days).get((), TimelinessCounts())


def count_timeliness_by_lead_unit(
    session: Session | scoped_session[Any],
    today: date,
    scope: Organization | None = None,
    due_soon_days: int = DEFAULT_DUE_SOON_DAYS,
    period: Period = EVERYTHING,
) -> dict[int, TimelinessCounts]:
    """Count the categories per lead unit (organisation id), in a single grouped query."""
    grouped = count_tasks(session, scope, period, today, due_soon_days, group_by=[Task.lead_org_id])
    return {key[0]: counts for key, counts in grouped.items() if counts.total}


def first_record_day(session: Session | scoped_session[Any]) -> date | None:
    """The day of the database's first record: the earliest visit or task assignment."""
    first_task = session.scalar(select(func.min(Task.created_at)))
    first_visit = session.scalar(select(func.min(Visit.visited_on)))
    days = [d for d in (first_task and local_date_of(first_task), first_visit) if d is not None]
    return min(days, default=None)


def _has_record_by(session: Session | scoped_session[Any], day: date | None) -> bool:
    """Whether a task was assigned or a visit made by the end of ``day`` (None: ever)."""
    tasks = select(Task.id)
    visits = select(Visit.id)
    if day is not None:
        tasks = tasks.where(Task.created_at < end_of_local_day(day))
        visits = visits.where(Visit.visited_on <= day)
    return bool(session.scalar(select(exists(tasks) | exists(visits))))


def check_as_of(session: Session | scoped_session[Any], as_of: date, today: date | None = None) -> None:
    """Refuse an "as of" day after today or before the database's first record."""
    today = today or local_today()
    if as_of > today:
        raise ValidationFailed(
            "Ngày tính số liệu %(day)s là ngày trong tương lai (hôm nay là %(today)s).",
            day=format_date(as_of),
            today=format_date(today),
        )
    if _has_record_by(session, as_of) or not _has_record_by(session, None):
        return  # a record on or before the day (each lookup stops at its first row), or none at all
    first = first_record_day(session)
    if first is not None and as_of < first:
        raise ValidationFailed(
            "Ngày tính số liệu %(day)s trước ngày có dữ liệu đầu tiên (%(first)s).",
            day=format_date(as_of),
            first=format_date(first),
        )


def check_period(period: Period) -> None:
    """Refuse a period that ends before it starts."""
    if period.start is not None and period.end is not None and period.end < period.start:
        raise ValidationFailed("Ngày kết thúc kỳ không được trước ngày bắt đầu.")
