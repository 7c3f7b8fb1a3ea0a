"""The task list's filters, read from the query string, as SQL conditions.

Every number on the dashboard links here with the filters that reproduce it: a subtree (``scope``),
a lead unit (``lead``), the days tasks were assigned, the days they were completed, a visit, a status
and a timeliness category, optionally as it stood at the end of a past day (``open_on``).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from functools import lru_cache
from typing import Any
from urllib.parse import urlencode

from flask_babel import gettext as _
from sqlalchemy import ColumnElement, and_, or_, select
from werkzeug.datastructures import MultiDict

from app.workspace.common import like_pattern, search_tokens
from models import Directive, Organization, Task, User, db
from models.enums import OPEN_TASK_STATUSES, TaskStatus
from models.vntext import whole_number
from workflows.clock import parse_date
from workflows.dashboard import (
    CATEGORIES,
    assigned_between,
    category_condition,
    completed_between,
    is_whole_tree,
    open_at_end_of,
    subtree_tasks,
)
from workflows.errors import ValidationFailed

PAGE_SIZE = 50
OPEN = "open"
_DATE_KEYS = ("assigned_from", "assigned_to", "completed_from", "completed_to", "open_on")


@dataclass(frozen=True)
class TaskFilters:
    """What the list shows; empty fields filter nothing."""

    q: str = ""  # words of the title, folded like the search key ("bao cao" finds "Báo cáo")
    visit: int | None = None
    status: str | None = None  # a TaskStatus value, or "open"
    timeliness: str | None = None  # one of workflows.dashboard.CATEGORIES
    scope: int | None = None  # organisation id: tasks that subtree answers for
    lead: int | None = None  # organisation id of the lead unit
    assigned_from: date | None = None
    assigned_to: date | None = None
    completed_from: date | None = None
    completed_to: date | None = None
    open_on: date | None = None
    page: int = 1
    problems: tuple[str, ...] = field(default=(), compare=False)

    def narrowed(self) -> bool:
        """Whether the counts select more than a subtree and a period (a status, visit, unit, past day,
        search …): the kept counts (``workflows.counts``) answer only a subtree and a period."""
        return bool(self.q) or any(
            value is not None
            for value in (
                self.visit,
                self.status,
                self.lead,
                self.completed_from,
                self.completed_to,
                self.open_on,
            )
        )

    @classmethod
    def from_args(cls, args: MultiDict[str, str]) -> TaskFilters:
        """Read the query string; a value that makes no sense is dropped with a message."""
        problems: list[str] = []
        values: dict[str, Any] = {"q": (args.get("q") or "").strip()[:200]}
        for key in ("visit", "scope", "lead", "page"):
            raw = (args.get(key) or "").strip()
            if raw:
                number = whole_number(raw)
                if number:
                    values[key] = number
                else:
                    problems.append(_("Bộ lọc «%(key)s» không hợp lệ nên đã được bỏ qua.", key=key))
        status = (args.get("status") or "").strip()
        if status:
            if status == OPEN or status in TaskStatus.__members__.values():
                values["status"] = status
            else:
                problems.append(_("Trạng thái «%(value)s» không có nên đã được bỏ qua.", value=status))
        timeliness = (args.get("timeliness") or "").strip()
        if timeliness:
            if timeliness in CATEGORIES:
                values["timeliness"] = timeliness
            else:
                problems.append(
                    _("Tình trạng hạn «%(value)s» không có nên đã được bỏ qua.", value=timeliness)
                )
        for key in _DATE_KEYS:
            try:
                values[key] = parse_date(args.get(key), field=key)
            except ValidationFailed as error:
                problems.append(error.message)
        return cls(**values, problems=tuple(problems))

    def args(self, **changes: Any) -> dict[str, Any]:
        """The query string of these filters with ``changes``; the page goes back to 1 unless given."""
        changed = replace(self, **{"page": 1, **changes})
        result: dict[str, Any] = {}
        for key in ("q", "visit", "status", "timeliness", "scope", "lead", *_DATE_KEYS, "page"):
            value = getattr(changed, key)
            if value is None or value == "" or (key == "page" and value == 1):
                continue
            result[key] = value.isoformat() if isinstance(value, date) else value
        return result

    @property
    def is_narrowed(self) -> bool:
        """Any filter besides the page is set."""
        return bool(self.args(page=1))


def _encoded(values: dict[str, Any]) -> str:
    """The query string of ``values`` (None left out), as ``urlencode`` writes it."""
    return "&".join(_pair(k, type(v).__name__, v) for k, v in values.items() if v is not None)


@lru_cache(maxsize=8192)
def _pair(key: str, kind: str, value: Any) -> str:
    """One ``key=value`` of a query string, encoded once: a dashboard writes hundreds of links that
    share their filters' values (``kind`` keeps 1 and True apart)."""
    return urlencode({key: value.isoformat() if isinstance(value, date) else value})


class LinkMaker:
    """Links to the list for a page with hundreds of numbers: the fixed filters are encoded once."""

    def __init__(self, path: str, **fixed: Any) -> None:
        self.prefix = f"{path}?{_encoded(fixed)}"

    def __call__(self, **extra: Any) -> str:
        """The link with ``extra`` filters added (a TaskFilters field each)."""
        return f"{self.prefix}&{_encoded(extra)}" if extra else self.prefix


def base_condition(user: User, scope: Organization | None) -> ColumnElement[bool]:
    """The tasks the list may show: those the chosen subtree answers for, else all the user sees.

    A chosen subtree lies inside the user's (the view checks it), so it shows nothing hidden from them.
    """
    return base_conditions(user, scope)[0]


def base_conditions(
    user: User, scope: Organization | None
) -> tuple[ColumnElement[bool], ColumnElement[bool]]:
    """``base_condition``, and the same tasks' condition for testing a few rows inside a correlated
    subquery (the visit filter's walk over the newest visits): its subqueries hashed once instead of
    searched as arrays (``workflows.scope.tasks_counted_for``)."""
    root = scope if scope is not None else user.organization
    whole_tree = is_whole_tree(root)
    return (
        _subtree_condition(root.path, whole_tree, scope is None),
        _subtree_condition(root.path, whole_tree, scope is None, per_row=True),
    )


def visible_to_unit(path: str) -> ColumnElement[bool]:
    """The tasks the unit at ``path`` may see (not the whole tree), as ``base_condition`` gives them to
    its users when no subtree is chosen."""
    return _subtree_condition(path, False, True)


@lru_cache(maxsize=1024)
def _subtree_condition(
    path: str, whole_tree: bool, visible: bool, *, per_row: bool = False
) -> ColumnElement[bool]:
    """The condition's SQL, built once per subtree: building its subqueries over aliased organisations
    costs more in Python than an office's list takes to read (SQL constructs are immutable, so one
    serves every request). Only the root's path is read."""
    return subtree_tasks(path, whole_tree=whole_tree, visible=visible, per_row=per_row)


def conditions(
    filters: TaskFilters,
    base: ColumnElement[bool],
    today: date,
    due_soon_days: int,
    *,
    with_timeliness: bool = True,
) -> list[ColumnElement[bool]]:
    """Every condition of the filters on top of ``base``; the category counts leave timeliness out."""
    result = [base]
    if filters.status == OPEN:
        result.append(Task.status.in_(OPEN_TASK_STATUSES))
    elif filters.status:
        result.append(Task.status == TaskStatus(filters.status))
    elif filters.open_on is None:
        # Cancelled tasks count nowhere; one cancelled after ``open_on`` was still open that day.
        result.append(Task.status != TaskStatus.CANCELLED)
    for token in search_tokens(filters.q):
        result.append(Task.search_key.like(like_pattern(token), escape="\\"))
    if filters.visit is not None:
        result.append(Task.directive_id.in_(select(Directive.id).where(Directive.visit_id == filters.visit)))
    if filters.lead is not None:
        result.append(Task.lead_org_id == filters.lead)
    if filters.assigned_from or filters.assigned_to:
        result.append(assigned_between(filters.assigned_from, filters.assigned_to))
    if filters.completed_from or filters.completed_to:
        result.append(completed_between(filters.completed_from, filters.completed_to))
    if filters.open_on is not None:
        result.append(open_at_end_of(filters.open_on))
    if with_timeliness and filters.timeliness:
        result.append(category_condition(filters.timeliness, today, due_soon_days, as_of=filters.open_on))
    return result


def urgency_order(*, by_index: bool = True) -> list[Any]:
    """Overdue first (the longest overdue on top), then due soon, then the rest by due date.

    Ranking by timeliness on a day (``urgency_rank``) gives this same order, since working tasks
    overdue, due soon and later all follow their due dates; the stored rank needs no today and
    ``ix_task_list_order`` serves it. A unit's own list (a few thousand tasks at most) is better read
    through its scope's indexes and sorted: ``by_index=False`` orders by ``list_rank + 0``, the same
    order, which keeps PostgreSQL from walking the whole province's order for the unit's tasks (at
    100,000 tasks: 5.6 ms for the first page, 135 ms for the 31st, against 1.3 and 1.5 ms sorted).
    """
    return [Task.list_rank if by_index else Task.list_rank + 0, Task.due_on, Task.id]


def after_in_order(rank: int, due: date | None, task_id: int) -> ColumnElement[bool]:
    """Tasks after (rank, due date, id) in the list's order: a page starts there without an OFFSET that
    would read and skip every task before it. Within one rank every due date is set or every one is
    empty (the rank counts a missing due date), so no NULL is compared."""
    if due is None:
        same_rank = and_(Task.list_rank == rank, Task.id > task_id)
    else:
        same_rank = and_(
            Task.list_rank == rank, or_(Task.due_on > due, and_(Task.due_on == due, Task.id > task_id))
        )
    return or_(Task.list_rank > rank, same_rank)


@dataclass(frozen=True)
class ListKey:
    """A task's place in the list's order, carried by the "next page" link as ``after=rank.due.id``
    (``-`` for no due date), so the next page is read from the index where this one ended."""

    rank: int
    due: date | None
    task_id: int

    @classmethod
    def of(cls, task: Any) -> ListKey:
        """The key of a task (or of any row with its ``list_rank``, ``due_on`` and ``id``)."""
        return cls(task.list_rank, task.due_on, task.id)

    @classmethod
    def parse(cls, text: str | None) -> ListKey | None:
        """The key written by ``str()``, or None for anything else (the page is then found by its number)."""
        parts = (text or "").split(".")
        if len(parts) != 3 or not parts[0].isdigit() or not parts[2].isdigit() or len(parts[2]) > 18:
            return None
        if parts[1] == "-":
            due = None
        else:
            try:
                due = date.fromisoformat(parts[1])
            except ValueError:
                return None
        return cls(int(parts[0][:4]), due, int(parts[2]))

    def __str__(self) -> str:
        return f"{self.rank}.{self.due.isoformat() if self.due else '-'}.{self.task_id}"

    def condition(self) -> ColumnElement[bool]:
        return after_in_order(self.rank, self.due, self.task_id)


def organisation(org_id: int | None) -> Organization | None:
    """Load an organisation named by a filter."""
    return db.session.get(Organization, org_id) if org_id is not None else None
