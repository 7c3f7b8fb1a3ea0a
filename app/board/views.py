"""Views of the task board and the dashboard: parse, call a workflow, commit once, redirect."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from math import ceil
from typing import Any, NamedTuple

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    g,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import (
    ColumnElement,
    Date,
    Integer,
    Select,
    String,
    and_,
    bindparam,
    case,
    cast,
    exists,
    func,
    inspect,
    literal,
    literal_column,
    null,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import defer, joinedload, load_only, selectinload
from sqlalchemy.orm.attributes import set_committed_value
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from app import database
from app.acting import Refused, run, safe_path
from app.board.forms import (
    ExtensionForm,
    ProgressForm,
    ReportForm,
    TaskForm,
    VerifyForm,
)
from app.board.listing import (
    PAGE_SIZE,
    ListKey,
    TaskFilters,
    base_conditions,
    conditions,
    organisation,
    urgency_order,
    visible_to_unit,
)
from app.jinja import progress_bar
from app.workspace.common import labels_once, link_by_id, vi_once
from models import Attachment, Directive, Organization, Task, TaskEvent, User, Visit, db
from models.enums import Role, TaskStatus, Timeliness, TimelinessGroup
from models.labels import css_class, label
from models.task import LIST_RANK_SQL, task_coordinator
from models.vntext import format_date, ordinal_la
from workflows import attachments, counts
from workflows import dashboard as numbers
from workflows import tasks as task_flow
from workflows.clock import LOCAL_ZONE, local_today
from workflows.errors import InvalidState, StaleRecord
from workflows.scope import (
    bodies_reaching,
    column_in,
    coordinated_probe,
    in_subtree,
    tasks_seen_not_counted,
    tasks_visible_probed,
    tasks_visible_to,
    units_in,
)
from workflows.timeliness import (
    Period,
    TimelinessCounts,
    assigned_by_end_of,
    category_on,
    count_tasks,
    days_overdue,
    fold,
    timeliness_of,
    total_of,
)

bp = Blueprint("board", __name__)


def due_soon_days() -> int:
    return int(current_app.config["DUE_SOON_DAYS"])


@bp.context_processor
def _helpers() -> dict[str, Any]:
    def local_time(instant: datetime | None) -> str:
        return instant.astimezone(LOCAL_ZONE).strftime("%d/%m/%Y %H:%M") if instant else ""

    return {"local_time": local_time}


# The chips at the top of the task list, in the order a user reads them.
CHIPS = (
    Timeliness.OVERDUE,
    Timeliness.DUE_SOON,
    Timeliness.WITHIN,
    Timeliness.ON_TIME,
    Timeliness.LATE,
    Timeliness.NO_DEADLINE,
)


def _filter_options() -> dict[str, list[tuple[str, str]]]:
    """The status and timeliness choices of the task list's filter, worded by models.labels."""
    statuses = [(status.value, label(status)) for status in TaskStatus]
    statuses.append(("open", _("Chưa hoàn thành (mọi trạng thái)")))
    timeliness = [(category.value, label(category)) for category in CHIPS[:3]]
    timeliness.append((TimelinessGroup.OPEN_WITHIN.value, label(TimelinessGroup.OPEN_WITHIN)))
    timeliness += [(category.value, label(category)) for category in CHIPS[3:5]]
    timeliness.append(("done", label(TaskStatus.DONE)))
    timeliness.append((Timeliness.NO_DEADLINE.value, label(Timeliness.NO_DEADLINE)))
    return {"status_options": statuses, "timeliness_options": timeliness}


def overdue_badge() -> ColumnElement[int] | None:
    """How many tasks of an office's unit are overdue, beside the "Nhiệm vụ" link (as SQL)."""
    if current_user.role is not Role.OFFICE:
        return None
    return _overdue_count_sql(current_user.organization.path, local_today(), due_soon_days())


@lru_cache(maxsize=1024)
def _overdue_count_sql(path: str, today: date, soon: int) -> ColumnElement[int]:
    """The count's SQL, built once per unit and day: building the scope's subqueries costs more in
    Python than the database takes to count (SQL constructs are immutable, so one serves every request)."""
    return (
        select(func.count(Task.id))
        .where(
            tasks_visible_to(path),
            # The category expression, not "status IN … AND due_on < …": the latter leads SQLite to
            # walk every overdue task of the province through the (status, due_on) index.
            numbers.category_condition("overdue", today, soon),
        )
        .scalar_subquery()
    )


# ---------------------------------------------------------------------------------------- task list


@dataclass(frozen=True)
class ListSelection:
    """What the task list (and its spreadsheet) shows: the filters, the subtree, the counts."""

    today: date
    soon: int
    filters: TaskFilters
    scope: Organization | None
    lead: Organization | None
    base: Any
    counts: Any
    total: int
    # An office's own list, unfiltered: its page and visit choices, read with the counts (``_unit_list``).
    unit: UnitList | None = None
    # ``base`` for testing a visit's few tasks inside a correlated subquery (the visit filter's walk).
    per_row: Any = None
    # The subtree whose tasks are listed when it is not the whole tree (a province inside a country, a
    # district …), and whether they are those it may see (no subtree chosen) or those it answers for.
    subtree: Organization | None = None
    visible: bool = True

    def conditions(self) -> list[Any]:
        """The SQL conditions of the rows shown."""
        return conditions(self.filters, self.base, self.today, self.soon)


def list_selection(*, unit_rows: bool = False) -> ListSelection:
    """Read the task list's filters and count what they select (404 for a subtree outside the user's).

    With ``unit_rows``, an office's own unfiltered list reads its counts, its page's ids and its visit
    choices in one statement (``_unit_list``)."""
    today = local_today()
    soon = due_soon_days()
    filters = TaskFilters.from_args(request.args)
    scope = organisation(filters.scope)
    if filters.scope is not None and (scope is None or not current_user.in_scope(scope)):
        abort(404)
    base, per_row = base_conditions(current_user, scope)
    lead = organisation(filters.lead)
    if lead is not None and not current_user.in_scope(lead):
        # A unit outside the user's tree is named only if it leads a task the user may see.
        visible = select(Task.id).where(base, Task.lead_org_id == lead.id).limit(1)
        lead = lead if db.session.scalar(visible) is not None else None
    if (
        unit_rows
        and scope is None
        and not filters.is_narrowed
        and current_user.role is Role.OFFICE
        and current_user.organization.parent_id is not None  # not the whole tree (kept counts)
    ):
        path = current_user.organization.path
        after = ListKey.parse(request.args.get("after")) if filters.page > 1 else None
        unit, counts = _unit_list(path, today, soon, filters.page, after)
        pages = max(1, ceil(counts.total / PAGE_SIZE))
        if filters.page > pages:  # past the last page: the last page, found by its number
            unit, counts = _unit_list(path, today, soon, pages, None)
        return ListSelection(today, soon, filters, scope, lead, base, counts, counts.total, unit, per_row)
    counted = conditions(filters, base, today, soon, with_timeliness=False)
    root = scope if scope is not None else current_user.organization
    # A subtree below the root (whose parent is set, so not the whole tree): its own paths.
    subtree = root if root.parent_id is not None else None
    if not filters.narrowed() and subtree and scope is None:
        counts = _visible_counts(subtree, filters, today, soon)
    elif not filters.narrowed():
        counts = numbers.count_subtree(
            scope or current_user.organization,
            visible=scope is None,
            period=Period(filters.assigned_from, filters.assigned_to),
            today=today,
            due_soon_days=soon,
            conditions=counted,
        )
    elif filters.open_on is None:
        counts = numbers.count_one(counted, today, soon)
    else:
        counts = numbers.count_as_of(counted, filters.open_on, soon)
    if filters.status == TaskStatus.CANCELLED and filters.timeliness is None:
        # Cancelled tasks are in no category: count them as they are.
        total = db.session.scalar(select(func.count(Task.id)).where(*counted)) or 0
    else:
        total = _count_shown(counts, filters.timeliness)
    return ListSelection(
        today,
        soon,
        filters,
        scope,
        lead,
        base,
        counts,
        total,
        per_row=per_row,
        subtree=subtree,
        visible=scope is None,
    )


def _visible_counts(root: Organization, filters: TaskFilters, today: date, soon: int) -> Any:
    """The counts of the tasks a subtree below the root may see, in a period (its users' own list):
    those it answers for from the kept counts (``count_tasks``, as a chosen subtree's are), plus the
    few it only sees (coordinated, or of visits made from outside to its units) counted live. Equal to
    counting every visible task (``count_one``): tests/board/test_subtree_list.py."""
    period = Period(filters.assigned_from, filters.assigned_to)
    answered = count_tasks(db.session, root, period, today, soon).get((), TimelinessCounts())
    seen = conditions(filters, _seen_not_counted(root.path), today, soon, with_timeliness=False)
    return total_of([answered, numbers.count_one(seen, today, soon)])


@lru_cache(maxsize=256)
def _seen_not_counted(path: str) -> ColumnElement[bool]:
    """``tasks_seen_not_counted`` of the subtree at ``path``, built once per subtree."""
    return tasks_seen_not_counted(path)


@bp.route("/tasks")
def task_list() -> str:
    """List the tasks of the user's unit (or of the subtree a dashboard number counts), most urgent first."""
    chosen = list_selection(unit_rows=True)
    today, soon, filters, base = chosen.today, chosen.soon, chosen.filters, chosen.base
    scope, lead, counts, total = chosen.scope, chosen.lead, chosen.counts, chosen.total
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    # The "next" link carries where its page ends: the next page is read from there by the index,
    # not found by skipping every task before it. A page opened by its number alone counts its way.
    after = ListKey.parse(request.args.get("after")) if 1 < page == filters.page else None
    # Offices see their unit's few tasks; leaders, inspectors and dashboard links a whole subtree.
    wide = current_user.role is not Role.OFFICE or scope is not None
    if chosen.unit is not None:
        ids, visits = chosen.unit.ids, chosen.unit.visits
    else:
        ids = _page_ids(chosen, wide, page, after)
        if wide and chosen.subtree is not None and _share(chosen.subtree.path) >= OWN_VISITS_SHARE:
            visits = _subtree_visit_choices(filters, chosen)
        else:
            # A wide scope walks the newest visits testing each one's tasks: its condition is the per-row one.
            visits = _visit_choices(filters, chosen.per_row if wide else base, many=wide)
    tasks = _tasks_shown(ids)
    for problem in filters.problems:
        flash(problem, "warning")
    return render_template(
        "board/task_list.html",
        today=today,
        filters=filters,
        scope=scope,
        lead=lead,
        counts=counts,
        total=total,
        page=page,
        pages=pages,
        rows=_list_rows(tasks, today, soon),
        next_after=str(ListKey(tasks[-1].list_rank, tasks[-1].due_on, tasks[-1].id))
        if tasks and page < pages
        else None,
        chips=CHIPS,
        **_filter_options(),
        visit_options=_visit_options(visits, filters.visit),
        label=labels_once(),
    )


# The pages of a subtree's unfiltered list read by walking the list's order (``_page_ids``), and about
# how many tasks such a walk may read (the subtree's share of the organisations tells how many).
WALKED_PAGES = 10
WALKED_ROWS = 5000
# The visit choices are read from a subtree's own visits when it has at least this share of the
# organisations (a province of 34): the visits of others newer than its hundredth are then a few
# thousand at most, each tested by its tasks.
OWN_VISITS_SHARE = 1 / 50


def _share(path: str) -> float:
    """The subtree's share of all organisations, read in one statement once per request (it chooses the
    list's plans). Not kept per process: organisations are added and moved, and a process serving
    several databases (the tests) would choose by another tree's share."""
    shares: dict[str, float] = g.setdefault("subtree_shares", {})
    if path not in shares:
        inside = in_subtree(Organization.path, path)
        units, every = db.session.execute(
            select(func.count(Organization.id).filter(inside), func.count(Organization.id))
        ).one()
        shares[path] = units / every if every else 0.0
    return shares[path]


def _page_ids(chosen: ListSelection, wide: bool, page: int, after: ListKey | None) -> list[int]:
    """The ids of one page of the list, in its order (page ``page``, or the page after ``after``).

    A subtree below the root listed unfiltered (a province's leader inside a country), on its first
    pages or after a key, walks the list's order (``ix_task_list_order``) testing each task by probes
    (``tasks_visible_probed``) until the page is full: about the page's fifty tasks times the country's
    provinces, where gathering the subtree's tasks and sorting them read ~100,000 of them. Deeper
    pages by number, filtered lists and the rest gather and sort as before. Same ids either way
    (tests/board/test_subtree_list.py)."""
    filters, base = chosen.filters, chosen.base
    walk = (
        wide
        and chosen.subtree is not None
        and not filters.args(page=1, scope=None)  # no filter but the subtree
        and (after is not None or page <= WALKED_PAGES)
        # About one task in (1 / share) walked is the subtree's: a small one is better gathered.
        and (PAGE_SIZE if after else page * PAGE_SIZE) <= WALKED_ROWS * _share(chosen.subtree.path)
    )
    if walk:
        assert chosen.subtree is not None
        base = _probed(chosen.subtree.path, chosen.visible)
    query = (
        select(Task.id)
        .where(*conditions(filters, base, chosen.today, chosen.soon))
        .order_by(*urgency_order(by_index=wide))
        .limit(PAGE_SIZE)
    )
    if after is not None:
        query = query.where(after.condition())
        if walk:  # where the walk starts in the index: the key's rank (and due date), implied above
            start = (
                Task.list_rank >= after.rank
                if after.due is None
                else tuple_(Task.list_rank, Task.due_on) >= tuple_(after.rank, after.due)
            )
            query = query.where(start)
    else:
        query = query.offset((page - 1) * PAGE_SIZE)
    return list(db.session.scalars(query))


@lru_cache(maxsize=256)
def _probed(path: str, visible: bool) -> ColumnElement[bool]:
    """``tasks_visible_probed`` of the subtree at ``path``, built once per subtree."""
    return tasks_visible_probed(path, visible=visible)


class VisitChoice(NamedTuple):
    """One visit of the visit filter's choices."""

    id: int
    title: str
    visited_on: date


@dataclass(frozen=True)
class UnitList:
    """An office's unfiltered list, read in one statement: one page's ids and the visit choices."""

    ids: list[int]
    visits: list[VisitChoice]


def _unit_list(path: str, today: date, soon: int, page: int, after: ListKey | None) -> tuple[UnitList, Any]:
    """An office's own unfiltered list (all its unit may see but cancelled tasks): one page's ids in the
    list's order, its visit choices and its category counts (those of tasks assigned by the end of
    today, as ``count_one`` counts them), in one statement.

    The unit's visible tasks are found through four subqueries (led, coordinated, of visits it made or
    received); this statement finds them once (a common table expression, materialised since it is
    read three times) where the general path runs three statements that each find them again."""
    variant = "page" if after is None else "undated" if after.due is None else "dated"
    compiled = _unit_list_statement(path, today, soon, variant, db.session.get_bind().dialect.name)
    if after is None:
        chosen: dict[str, Any] = {"unit_offset": (page - 1) * PAGE_SIZE}
    else:
        chosen = {
            "unit_offset": 0,
            "after_rank": after.rank,
            "after_due": after.due,
            "after_id": after.task_id,
        }
    # The statement with its values, IN lists written out (a past day's category has some), each value
    # through its type's bind processor, as SQLAlchemy would send them.
    state = compiled.construct_expanded_state(chosen)
    # (``state.processors`` holds only the written-out IN lists' processors: the others are the compiled
    # statement's, without which a day's end went to the driver as a ``datetime`` for sqlite3's default
    # adapter to write, not as the column stores it.)
    processors = {**_bind_processors(compiled), **state.processors}
    values = {
        key: processors[key](value) if key in processors and value is not None else value
        for key, value in state.parameters.items()
    }
    if state.positiontup is not None:
        values = tuple(values[key] for key in state.positiontup)  # type: ignore[assignment]
    # Sent as text, but built with SQLAlchemy's constructs: whether it may run outside a reading page's
    # transaction is decided from what was compiled, as for any other statement.
    plain = {"plain_read": database.plain_read(compiled)}
    result = db.session.connection().exec_driver_sql(state.statement, values, execution_options=plain)
    try:
        rows = result.cursor.fetchall()
    finally:
        result.close()
    by_key: dict[str, int] = {}
    page_rows, visit_rows = [], []
    # The parts' rows are put in their order here: a window's ``row_number()`` sorted every visible task
    # (and every visit) once more, a tenth of the statement on SQLite. Undated tasks come first in a
    # rank on SQLite and last on PostgreSQL, as their ``ORDER BY … due_on`` puts them.
    undated_last = compiled.dialect.name == "postgresql"
    for part, key, number, rank, title, day in rows:
        if part == 0:
            by_key[key] = int(number)
        elif part == 1:
            page_rows.append((rank, (day is None) is undated_last, day or "", number))
        else:
            visit_rows.append((day, number, title))
    visit_rows.sort(key=lambda row: (row[0], row[1]), reverse=True)  # newest first, as ``visits`` orders
    visits = [
        VisitChoice(number, title, date.fromisoformat(day) if isinstance(day, str) else day)
        for day, number, title in visit_rows
    ]
    page_rows.sort()  # (rank, undated or not, day, id): ``order``'s order
    return UnitList([row[3] for row in page_rows], visits), fold(by_key)


@lru_cache(maxsize=256)
def _bind_processors(compiled: Any) -> dict[str, Any]:
    """Each bound value's processor of a compiled statement, as SQLAlchemy applies them."""
    dialect = compiled.dialect
    found = {
        name: bind.type.dialect_impl(dialect).bind_processor(dialect)
        for bind, name in compiled.bind_names.items()
    }
    return {name: process for name, process in found.items() if process is not None}


@lru_cache(maxsize=256)
def _unit_list_statement(path: str, today: date, soon: int, variant: str, _dialect: str) -> Any:
    """``_unit_list``'s statement for a unit (its path) and a day, compiled once: it is large (the four
    subqueries, the category's CASE), and SQLAlchemy would otherwise walk it for its cache key on every
    request, which costs more than the database takes to run it. The page is chosen by the bound
    ``unit_offset`` (``variant`` "page"), or after (``after_rank``, ``after_due``, ``after_id``) as
    ``after_in_order`` does ("undated" without ``after_due``, else "dated")."""
    counted = conditions(TaskFilters(), visible_to_unit(path), today, soon, with_timeliness=False)
    # SQLite computes ``list_rank`` (a VIRTUAL column) from the whole row on every read: the same rule
    # written out over the row's columns costs it a third as much (~1 ms for an office's 1,600 tasks).
    # PostgreSQL stores the column.
    rank_of_row = literal_column(f"({LIST_RANK_SQL})", Integer) if _dialect == "sqlite" else Task.list_rank
    unit = (
        select(
            Task.id,
            rank_of_row.label("list_rank"),
            Task.due_on,
            Task.directive_id,
            category_on(today, soon).label("category"),
            case((assigned_by_end_of(today), 1), else_=0).label("assigned"),
        )
        .where(*counted)
        .cte("unit_task")
    )
    rank, due, task_id = (
        bindparam("after_rank", 0, type_=Integer),
        bindparam("after_due", None, type_=Date),
        bindparam("after_id", 0, type_=Integer),
    )
    if variant == "page":
        following: list[Any] = []
    elif variant == "undated":
        following = [or_(unit.c.list_rank > rank, and_(unit.c.list_rank == rank, unit.c.id > task_id))]
    else:
        same_due = or_(unit.c.due_on > due, and_(unit.c.due_on == due, unit.c.id > task_id))
        following = [or_(unit.c.list_rank > rank, and_(unit.c.list_rank == rank, same_due))]
    order: list[Any] = [unit.c.list_rank, unit.c.due_on, unit.c.id]
    page = (
        select(unit.c.id, unit.c.list_rank, unit.c.due_on)
        .where(*following)
        .order_by(*order)
        .limit(PAGE_SIZE)
        .offset(bindparam("unit_offset", 0, type_=Integer))
        .subquery()
    )
    newest: list[Any] = [Visit.visited_on.desc(), Visit.id.desc()]
    visits = (
        select(Visit.id, Visit.title, Visit.visited_on)
        .where(
            column_in(
                Visit.id,
                select(Directive.visit_id).where(column_in(Directive.id, select(unit.c.directive_id))),
            )
        )
        .order_by(*newest)
        .limit(100)
        .subquery()
    )
    # Each column typed in every part: PostgreSQL gives two untyped NULLs the type text.
    text, number, day = cast(null(), String), cast(null(), Integer), cast(null(), Date)
    statement = union_all(
        select(literal(0, Integer), unit.c.category, func.count(), number, text, day)
        .where(unit.c.assigned == 1)
        .group_by(unit.c.category),
        select(literal(1, Integer), text, page.c.id, page.c.list_rank, text, page.c.due_on),
        select(literal(2, Integer), text, visits.c.id, number, visits.c.title, visits.c.visited_on),
    )
    return statement.compile(dialect=db.session.get_bind().dialect)


# One row of the task list, as templates/board/task_list.html places them (``{{ rows }}``, joined by
# ``_list_rows``): the rows are written here, one format per row, since fifty rows of Jinja's look-ups,
# calls and escapes cost more than the page's queries. Every field is escaped (or the catalogue's words,
# marked safe as the templates' ``_()`` marks them) before it is put in.
_ROW = (
    '<tr class="task-row">\n'
    "      <td>\n"
    '        <a class="fw-semibold" href="{link}">{title}</a>\n'
    '        <div class="small text-muted">{visit}</div>\n'
    "      </td>\n"
    '      <td data-label="{lead_label}">\n'
    "        {lead}\n"
    "        {coordinators}\n"
    "      </td>\n"
    '      <td class="text-nowrap" data-label="{due_label}">\n'
    "        {due}\n"
    "        {original_due}\n"
    "      </td>\n"
    "      \n"
    "      \n"
    '      <td data-label="{progress_label}">{progress}</td>\n'
    '      <td class="kt-state" data-label="{status_label}">'
    '<span class="badge kt-badge {status_class}">{status}</span></td>\n'
    '      <td class="kt-state" data-label="{timeliness_label}">{timeliness}</td>\n'
    "    </tr>"
)


@dataclass
class _Shown:
    """What ``timeliness_of`` and ``days_overdue`` read of a task, and the row's other columns."""

    id: int
    title: str
    due_on: date | None
    original_due_on: date | None
    status: TaskStatus
    progress: int
    list_rank: int
    reported_at: datetime | None
    completed_on: date | None
    number: int
    visit_title: str
    visited_on: date
    lead_name: str


def _list_rows(tasks: list[_Shown], today: date, soon: int) -> Markup:
    """The rows of one page, each written once (``_ROW``) and put together with the space between them
    the template's loop wrote (the template places the whole). What repeats from row to row (a day, a
    state, a directive's number, the unit's name) is escaped and written once per page."""
    vi = vi_once()
    word = labels_once()
    link = link_by_id("board.task_detail", "task_id")

    def said(text: str) -> str:  # the catalogue's words, as the templates' ``_()`` puts them
        return str(_(text))

    labels = {
        "lead_label": said("Đơn vị chủ trì"),
        "due_label": said("Hạn"),
        "progress_label": said("Tiến độ"),
        "status_label": said("Trạng thái"),
        "timeliness_label": said("Thời hạn"),
    }
    coordinating, days = said("Phối hợp:"), said("%(n)d ngày")
    first_due = Markup(said("hạn đầu %(day)s"))  # noqa: S704 - the catalogue's words, as in the templates
    coordinators = _coordinators([task.id for task in tasks])
    day = _once(lambda value: str(escape(format_date(value))))
    ordinal = _once(lambda number: str(escape(ordinal_la(number))))
    name = _once(lambda text: str(vi(text)))
    state_of = _once(lambda status: (str(escape(css_class(status))), str(escape(word(status)))))
    shown_as = _once(
        lambda timeliness: f'<span class="{escape(css_class(timeliness))}">{escape(word(timeliness))}'
    )
    bar = _once(lambda shown: str(progress_bar(shown, labels["progress_label"])))
    rows: list[str] = []
    for task in tasks:
        timeliness = timeliness_of(task, today, soon)  # type: ignore[arg-type]
        if timeliness is None:
            state = ""
        else:
            overdue = days_overdue(task, today)  # type: ignore[arg-type]
            late = f" {escape(days % {'n': overdue})}" if overdue else ""
            state = f"{shown_as(timeliness)}{late}</span>"
        names = coordinators.get(task.id)
        moved = task.original_due_on and task.original_due_on != task.due_on
        shown = 100 if task.status in (TaskStatus.REPORTED, TaskStatus.DONE) else task.progress
        status_class, status = state_of(task.status)
        rows.append(
            _ROW.format(
                link=escape(link(task.id)),
                title=vi(task.title),
                visit=f"{name(task.visit_title)} · {day(task.visited_on)} · {ordinal(task.number)}",
                lead=name(task.lead_name),
                coordinators=_small(f"{coordinating} {escape(', '.join(names))}") if names else "",
                due=day(task.due_on) if task.due_on else "—",
                original_due=_small(first_due % {"day": format_date(task.original_due_on)}) if moved else "",
                progress=bar(shown),
                status_class=status_class,
                status=status,
                timeliness=state,
                **labels,
            )
        )
    return Markup("".join(f"\n    {row}\n  " for row in rows))  # noqa: S704 - every field escaped above


def _once(make: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """``make`` for one page, each value's result made once (a dict, cheaper than ``lru_cache``)."""
    made: dict[Any, Any] = {}

    def get(value: Any) -> Any:
        try:
            return made[value]
        except KeyError:
            result = made[value] = make(value)
            return result

    return get


def _small(text: str) -> str:
    """A row's second line, in small grey words (``text`` already escaped)."""
    return f'<div class="small text-muted">{text}</div>'


@lru_cache(maxsize=1)
def _list_rows_statement() -> Any:
    """One page's tasks with what their rows show (columns, not ORM objects), built on first use and
    reused with the ids bound."""
    return (
        select(
            Task.id,
            Task.title,
            Task.due_on,
            Task.original_due_on,
            Task.status,
            Task.progress,
            Task.list_rank,
            Task.reported_at,
            Task.completed_on,
            Directive.number,
            Visit.title,
            Visit.visited_on,
            Organization.name,
        )
        .join(Organization, Organization.id == Task.lead_org_id)
        .join(Directive, Directive.id == Task.directive_id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(Task.id.in_(bindparam("ids", expanding=True)))
    )


@lru_cache(maxsize=1)
def _coordinators_statement() -> Select[Any]:
    """The names of the coordinating units of a page's tasks, read as ``selectinload(Task.coordinating_orgs)``
    reads them (the same joins and condition, so they come in the same order; only the name is shown)."""
    return (
        select(task_coordinator.c.task_id, Organization.__table__.c.name)
        .join(Organization, Organization.id == task_coordinator.c.organization_id)
        .where(task_coordinator.c.task_id.in_(bindparam("ids", expanding=True)))
    )


def _coordinators(ids: list[int]) -> dict[int, list[str]]:
    """The names of each task's coordinating units."""
    names: dict[int, list[str]] = {}
    if ids:
        for task_id, name in _core_rows(_coordinators_statement(), {"ids": ids}):
            names.setdefault(task_id, []).append(name)
    return names


def _tasks_shown(ids: list[int]) -> list[_Shown]:
    """The tasks of one page, in the order of ``ids``: the page is chosen by its ids alone (read from the
    list's index), then only its fifty tasks are joined to their unit, directive and visit, in one query
    instead of one per relation."""
    if not ids:
        return []
    by_id = {row[0]: _Shown(*row) for row in _core_rows(_list_rows_statement(), {"ids": ids})}
    return [by_id[task_id] for task_id in ids if task_id in by_id]  # (one deleted in between: left out)


def _core_rows(statement: Any, values: dict[str, Any]) -> Sequence[Any]:
    """A statement of plain columns run on the session's connection: the rows are the same, without the
    ORM's execution path (its context and loading set-up) that ``Session.execute`` takes for any statement
    naming mapped columns."""
    return db.session.connection().execute(statement, values).all()


def _visit_options(visits: list[Any], chosen: int | None) -> Markup:
    """The visit filter's options, written once each (a hundred of them: see ``_ROW``) and put together
    with the space between them the template's loop wrote."""
    day = _once(lambda value: escape(format_date(value)))
    return Markup(  # noqa: S704 - the day and the title escaped
        "".join(
            f'\n        <option value="{int(visit.id)}"{" selected" if visit.id == chosen else ""}>'
            f"{day(visit.visited_on)} · {escape(visit.title)}</option>\n      "
            for visit in visits
        )
    )


def _count_shown(counts: Any, category: str | None) -> int:
    if category is None:
        return counts.total
    if category == "open_within":
        return counts.open_within
    return int(getattr(counts, category))


# How many visits the visit filter offers (the newest with tasks in the list).
VISIT_CHOICES = 100


def _visit_choices(
    filters: TaskFilters, scope_condition: Any, *, many: bool, limit: int | None = None
) -> list[Any]:
    """The most recent visits with tasks in the list (``VISIT_CHOICES`` unless ``limit``), and the
    chosen one, for the visit filter."""
    limit = VISIT_CHOICES if limit is None else limit
    query = _visit_query(scope_condition, many=many)
    rows = list(db.session.execute(query.order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(limit)))
    if filters.visit is not None and all(row.id != filters.visit for row in rows):
        # The chosen visit, only if it has tasks here: a typed id must not reveal another unit's visit.
        rows += list(db.session.execute(query.where(Visit.id == filters.visit)))
    return rows


def _visit_query(scope_condition: Any, *, many: bool) -> Any:
    """The visits with a task not cancelled under ``scope_condition`` (unordered)."""
    base = [scope_condition, Task.status != TaskStatus.CANCELLED]
    columns = (Visit.id, Visit.title, Visit.visited_on)
    if many:
        # A wide scope: walk the visits newest first and stop at the hundredth with a task here.
        query = select(*columns).where(
            exists(
                select(Task.id)
                .join(Directive, Directive.id == Task.directive_id)
                .where(Directive.visit_id == Visit.id, *base)
            )
        )
    else:
        # A unit's few tasks: go from them to their directives and visits by their keys (each set read
        # once, as an array on PostgreSQL), not by joining every directive and visit of the province.
        directives = select(Task.directive_id).where(*base)
        visits = select(Directive.visit_id).where(column_in(Directive.id, directives))
        query = select(*columns).where(column_in(Visit.id, visits))
    return query


def _subtree_visit_choices(
    filters: TaskFilters, chosen: ListSelection, *, limit: int | None = None
) -> list[Any]:
    """``_visit_choices`` of a subtree below the root (a province inside a country), from its visits.

    Every task of a visit the subtree made (or, for what it may see, received) is in the list, so
    those visits need only one task not cancelled: the newest ``limit`` of them are read through the
    visits' own order. Any other visit is in the list only for a task the subtree leads (or
    coordinates), and only one newer than the last of those can be among the newest ``limit``: the
    visits of that short stretch are tested task by task. The newest of both are the same visits as
    the general path's (tests/board/test_subtree_list.py); with fewer than ``limit`` visits of its
    own the stretch is everything, and the general path is taken. While the counts are kept for
    today, only the stretch's visits by bodies that may have such tasks are tested (a province of 34:
    the centre's ~100 instead of every province's ~3,300)."""
    assert chosen.subtree is not None
    limit = VISIT_CHOICES if limit is None else limit
    # With today's kept counts the stretch is read from the visits of the few bodies that may have
    # tasks of the subtree's (``bodies_reaching``), not from every body's (all provinces' in a country).
    kept = counts.kept_day(db.session.connection()).day == local_today()
    own_statement, other_statement = _subtree_visit_statements(chosen.subtree.path, chosen.visible, kept)
    own = list(db.session.execute(own_statement, {"limit": limit}))
    if len(own) < limit:
        return _visit_choices(filters, chosen.per_row, many=True, limit=limit)
    last = own[-1]
    others = db.session.execute(other_statement, {"day": last.visited_on, "visit_id": last.id})
    rows = sorted([*own, *others], key=lambda row: (row.visited_on, row.id), reverse=True)[:limit]
    if filters.visit is not None and all(row.id != filters.visit for row in rows):
        # The chosen visit, only if it has tasks here (as in ``_visit_choices``).
        query = _visit_query(chosen.per_row, many=True).where(Visit.id == filters.visit)
        rows += list(db.session.execute(query))
    return rows


@lru_cache(maxsize=256)
def _subtree_visit_statements(path: str, visible: bool, kept: bool = False) -> tuple[Any, Any]:
    """``_subtree_visit_choices``' two statements for the subtree at ``path``, built once: the newest
    visits it made (or received) with a task not cancelled (``limit`` bound), and the visits of others
    newer than (``day``, ``visit_id``) with a task not cancelled that it leads (or coordinates); with
    ``kept`` (the kept counts are today's), only those of ``bodies_reaching``."""
    units = units_in(path)
    columns = (Visit.id, Visit.title, Visit.visited_on)
    newest: list[Any] = [Visit.visited_on.desc(), Visit.id.desc()]
    own_visit = (
        or_(Visit.inspecting_org_id.in_(units), Visit.inspected_org_id.in_(units))
        if visible
        else Visit.inspecting_org_id.in_(units)
    )
    tasks_of_visit = (
        select(Task.id)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Directive.visit_id == Visit.id, Task.status != TaskStatus.CANCELLED)
    )
    own = (
        select(*columns)
        .where(own_visit, tasks_of_visit.exists())
        .order_by(*newest)
        .limit(bindparam("limit", type_=Integer))
    )
    led: Any = Task.lead_org_id.in_(units)
    if visible:
        led = or_(led, coordinated_probe(units))
    day, visit_id = bindparam("day", type_=Date), bindparam("visit_id", type_=Integer)
    others = select(*columns).where(
        or_(Visit.visited_on > day, and_(Visit.visited_on == day, Visit.id > visit_id)),
        ~own_visit,
        tasks_of_visit.where(led).exists(),
    )
    if kept:
        # Each body's visits since the day, by (inspecting body, date) (``ix_visit_inspecting_date``).
        bodies = bodies_reaching(units, coordinated=visible)
        others = others.where(column_in(Visit.inspecting_org_id, bodies), Visit.visited_on >= day)
    return own, others


# -------------------------------------------------------------------------------------- task detail


# The columns of a unit the task page shows (lead, coordinating, inspecting, inspected).
_PAGE_UNIT = ("id", "code", "name", "short_name", "kind", "parent_id", "path")
# The columns of a history entry's author the page shows.
_PAGE_AUTHOR = ("id", "username", "display_name", "role", "organization_id", "is_active")


def _unit_columns() -> tuple[Any, ...]:
    return tuple(getattr(Organization, name) for name in _PAGE_UNIT)


@lru_cache(maxsize=2)
def _task_page_statement(dialect: str) -> Select[Task]:
    """The task page's query, built on first use (no mapper set-up at import) and then reused with the
    task's id bound: its loader options and cache key are worked out once, not on every request.

    The task's coordinating units and its directive's citations (many-to-many, a row or two each) are
    joined to the task's row on PostgreSQL; SQLite would read the whole of each link table to do the
    same (it materialises a parenthesised join on the right of a LEFT JOIN: 40–80 ms at 20,000 tasks),
    so there each is read by a statement of its own (``_task_collections``), as is the history on both.

    The units, the visit and the history's authors are read without the columns the page never shows
    (every column of the wide joined row is a Python object made by the driver; one read after all
    is loaded on first use, as any deferred column is)."""
    unit = _unit_columns()
    visit_unshown = (defer(Visit.summary), defer(Visit.closing_evaluation), defer(Visit.search_key))
    return (
        select(Task)
        .where(Task.id == bindparam("task_id"))
        .options(
            joinedload(Task.lead_org).load_only(*unit),
            joinedload(Task.directive)
            .joinedload(Directive.visit)
            .options(
                *visit_unshown,
                joinedload(Visit.inspecting_org).load_only(*unit),
                joinedload(Visit.inspected_org).load_only(*unit),
            ),
            # The task's few coordinators, citations and extension requests joined to its row on
            # PostgreSQL (each one more statement, for a row or two).
            *(
                (
                    joinedload(Task.directive).joinedload(Directive.citations),
                    joinedload(Task.coordinating_orgs).load_only(*unit),
                )
                if dialect == "postgresql"
                else ()
            ),
            joinedload(Task.extensions),
        )
    )


@lru_cache(maxsize=1)
def _task_collections() -> dict[str, Select[Any]]:
    """The statements that read the task page's collections the task's own statement leaves out, built
    once and reused with the id bound. ``selectinload`` built each of them again on every request (its
    statement, its cache key and its loader's set-up: about a third of the leader's page on SQLite);
    these read the same rows in the same order (the same joins, the same ``ORDER BY``).

    The history's files are joined to their entries (a file or two an entry at most; a statement of its
    own was one more round of the same set-up)."""
    from models import LegalDocument
    from models.directive import directive_citation

    author = tuple(getattr(User, name) for name in _PAGE_AUTHOR)
    return {
        "events": select(TaskEvent)
        .where(TaskEvent.task_id == bindparam("task_id"))
        .order_by(TaskEvent.id)
        .options(joinedload(TaskEvent.actor).load_only(*author), joinedload(TaskEvent.attachments)),
        "coordinating_orgs": select(Organization)
        .select_from(task_coordinator)
        .join(Organization, Organization.id == task_coordinator.c.organization_id)
        .where(task_coordinator.c.task_id == bindparam("task_id"))
        .options(load_only(*_unit_columns())),
        "citations": select(LegalDocument)
        .select_from(directive_citation)
        .join(LegalDocument, LegalDocument.id == directive_citation.c.legal_document_id)
        .where(directive_citation.c.directive_id == bindparam("directive_id"))
        .order_by(LegalDocument.code),
    }


def _load_collections(task: Task) -> None:
    """Read the task's collections its statement left unloaded (the history; on SQLite its coordinators
    and its directive's citations too), each by its statement built once (``_task_collections``)."""
    read = _task_collections()
    unloaded = inspect(task).unloaded
    session = db.session
    if "events" in unloaded:
        events = session.execute(read["events"], {"task_id": task.id}).unique().scalars().all()
        set_committed_value(task, "events", events)
    if "coordinating_orgs" in unloaded:
        orgs = session.execute(read["coordinating_orgs"], {"task_id": task.id}).scalars().all()
        set_committed_value(task, "coordinating_orgs", orgs)
    directive = task.directive
    if "citations" in inspect(directive).unloaded:
        documents = session.execute(read["citations"], {"directive_id": directive.id}).scalars().all()
        set_committed_value(directive, "citations", documents)


def _load_task(task_id: int) -> Task:
    """The task with everything its page shows, or 404 when the user may not see it."""
    statement = _task_page_statement(db.session.get_bind().dialect.name)
    task = db.session.execute(statement, {"task_id": task_id}).unique().scalar_one_or_none()
    if task is None or not task.can_view(current_user):
        abort(404)
    _load_collections(task)
    return task


_TASK_FORMS: dict[str, type[TaskForm]] = {
    form.key: form for form in (ProgressForm, ReportForm, ExtensionForm, VerifyForm)
}


class _Forms(Mapping[str, TaskForm]):
    """The page's forms, empty but for the one the user just sent, each made when the page first shows
    it: a reader's page shows none of the four, and making them was a tenth of its time."""

    def __init__(self, task: Task, bound: TaskForm | None) -> None:
        self._version = task.version
        self._made: dict[str, TaskForm] = {}
        if bound is not None:
            bound.show_version(self._version)
            self._made[bound.key] = bound

    def __getitem__(self, key: str) -> TaskForm:
        form = self._made.get(key)
        if form is None:
            form = self._made[key] = _TASK_FORMS[key](prefix=key, formdata=None)
            form.show_version(self._version)
        return form

    def __iter__(self) -> Iterator[str]:
        return iter(_TASK_FORMS)

    def __len__(self) -> int:
        return len(_TASK_FORMS)


def _forms(task: Task, bound: TaskForm | None = None) -> Mapping[str, TaskForm]:
    """The page's forms, empty but for the one the user just sent."""
    return _Forms(task, bound)


def _last_return(task: Task) -> TaskEvent | None:
    """The inspector's latest return, while the office has not reported again."""
    latest = None
    for event in task.events:
        if event.to_status is TaskStatus.RETURNED:
            latest = event
        elif event.to_status in (TaskStatus.REPORTED, TaskStatus.DONE, TaskStatus.CANCELLED):
            latest = None
    return latest


def _render_detail(task: Task, bound: TaskForm | None = None, status: int = 200) -> tuple[str, int]:
    today = local_today()
    pending = next((ext for ext in task.extensions if ext.status.value == "pending"), None)
    page = render_template(
        "board/task_detail.html",
        task=task,
        today=today,
        timeliness=timeliness_of(task, today, due_soon_days()),
        overdue_days=days_overdue(task, today),
        returned=_last_return(task),
        pending_extension=pending,
        forms=_forms(task, bound),
        bound_name=bound.key if bound is not None else None,
        can_report=task.can_report(current_user),
        can_comment=task.can_comment(current_user),
        can_verify=task.can_verify(current_user),
        upload_limit=current_app.config["UPLOAD_MAX_MB"],
        accepted=attachments.ALLOWED_LABEL,
    )
    return page, status


@bp.route("/tasks/<int:task_id>")
def task_detail(task_id: int) -> tuple[str, int]:
    """Show a task: its directive, its deadline, its history and what the user may do next."""
    return _render_detail(_load_task(task_id))


def _save(
    task_id: int,
    form: TaskForm,
    action: Callable[[Task, TaskForm, list[attachments.CheckedFile]], None],
    success: str,
    *,
    field: str | None = None,
    uploads: bool = False,
) -> Response | tuple[str, int]:
    """Run one save of the task page: check the form and the version, call the workflow, commit once.

    A stale version, or a concurrent save caught by the version column at commit, saves nothing and
    gives the user's text back with a message; so does any refusal of the workflow (under ``field``
    when one is named). On success the user goes back to the page named by the form's ``next`` (the
    verification queue posts here too), else to the task's history.

    The views are ``reads_first``: the task page's records are read, the form checked and the evidence
    files (``uploads``) hashed and sniffed before the write transaction, which then reads the task's
    version again under the lock (someone may have saved in between) and runs the workflow.
    """
    task = _load_task(task_id)
    if not form.validate_on_submit():
        return _render_detail(task, form, 400)
    if form.seen_version != task.version:
        return _stale(task_id, form)

    def act() -> None:
        files = attachments.check_uploads(form.files.data or [], max_bytes=_max_bytes()) if uploads else []
        if database.reading():
            database.start_writing()  # the slow part only read: take the write lock now
            if form.seen_version != task.version:  # read again under the lock
                raise StaleRecord("Bản ghi vừa được người khác lưu; vui lòng xem lại trước khi lưu.")
        action(task, form, files)

    try:
        run(act, form=form if field else None, field=field, starts_writing=True)
    except StaleRecord:
        return _stale(task_id, form)
    except Refused as refused:
        status = 409 if isinstance(refused.error, InvalidState) else 400
        return _render_detail(_load_task(task_id), form, status)
    flash(success, "success")
    return redirect(
        safe_path(request.form.get("next"), url_for("board.task_detail", task_id=task_id, _anchor="lich-su"))
    )


def _stale(task_id: int, form: TaskForm) -> tuple[str, int]:
    flash(
        _(
            "Nhiệm vụ vừa được người khác cập nhật (xem lịch sử bên dưới) nên nội dung của bạn chưa được "
            "lưu. Những gì bạn đã nhập vẫn còn trong biểu mẫu: hãy xem lại rồi bấm lưu lần nữa. "
            "Tệp đính kèm (nếu có) cần chọn lại."
        ),
        "warning",
    )
    return _render_detail(_load_task(task_id), form, 409)


def _store_files(task: Task, event: TaskEvent, files: list[attachments.CheckedFile]) -> None:
    attachments.attach_files(task, event, current_user, files, folder=current_app.config["UPLOAD_DIR"])


def _max_bytes() -> int:
    return int(current_app.config["UPLOAD_MAX_MB"]) * 1024 * 1024


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@database.reads_first
def record_progress(task_id: int) -> Response | tuple[str, int]:
    """Record a progress note (lead unit: with a percentage), with evidence files."""
    form = ProgressForm(prefix=ProgressForm.key)

    def action(task: Task, form: Any, files: list[attachments.CheckedFile]) -> None:
        progress = form.progress_value if task.can_report(current_user, check_state=False) else None
        event = task_flow.record_progress(task, current_user, note=form.note.data, progress=progress)
        _store_files(task, event, files)

    return _save(task_id, form, action, _("Đã ghi tiến độ."), uploads=True)


@bp.route("/tasks/<int:task_id>/report", methods=["POST"])
@database.reads_first
def report_done(task_id: int) -> Response | tuple[str, int]:
    """Report the task done, with evidence files; it waits for the inspecting side."""
    form = ReportForm(prefix=ReportForm.key)

    def action(task: Task, form: Any, files: list[attachments.CheckedFile]) -> None:
        event = task_flow.report_task_done(task, current_user, note=form.note.data)
        _store_files(task, event, files)

    return _save(
        task_id, form, action, _("Đã báo cáo hoàn thành; chờ cơ quan kiểm tra xác nhận."), uploads=True
    )


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@database.reads_first
def request_extension(task_id: int) -> Response | tuple[str, int]:
    """Ask the inspecting side to move the due date, with a reason."""
    form = ExtensionForm(prefix=ExtensionForm.key)

    def action(task: Task, form: Any, _files: list[attachments.CheckedFile]) -> None:
        task_flow.request_extension(
            task, current_user, new_due_on=form.new_due_value, reason=form.reason.data
        )

    return _save(task_id, form, action, _("Đã gửi đề nghị gia hạn."))


@bp.route("/tasks/<int:task_id>/verify", methods=["POST"])
@database.reads_first
def verify_task(task_id: int) -> Response | tuple[str, int]:
    """Accept the reported task as done (inspecting side)."""
    form = VerifyForm(prefix=VerifyForm.key)

    def action(task: Task, form: Any, _files: list[attachments.CheckedFile]) -> None:
        task_flow.verify_task(task, current_user, note=form.note.data or None)

    return _save(task_id, form, action, _("Đã xác nhận hoàn thành."))


@bp.route("/tasks/<int:task_id>/return", methods=["POST"])
@database.reads_first
def return_task(task_id: int) -> Response | tuple[str, int]:
    """Send the reported task back to the lead unit with the reason (inspecting side)."""
    form = VerifyForm(prefix=VerifyForm.key)

    def action(task: Task, form: Any, _files: list[attachments.CheckedFile]) -> None:
        task_flow.return_task(task, current_user, note=form.note.data or "")

    return _save(task_id, form, action, _("Đã trả lại nhiệm vụ cho đơn vị chủ trì."), field="note")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A request far above the upload limit is refused before it is read."""
    if request.endpoint == "board.progress_import_preview":
        from app.board.progress_import import too_large_sheet

        return too_large_sheet()
    return (
        render_template(
            "board/too_large.html",
            limit=current_app.config["UPLOAD_MAX_MB"],
            count=attachments.MAX_FILES_PER_SAVE,
            back=request.view_args.get("task_id") if request.view_args else None,
        ),
        413,
    )


@bp.route("/tasks/<int:task_id>/files/<int:attachment_id>")
def download_attachment(task_id: int, attachment_id: int) -> Response:
    """Send an evidence file under its original name, to users who may see the task."""
    attachment = db.session.scalar(
        select(Attachment)
        .where(Attachment.id == attachment_id, Attachment.task_id == task_id)
        .options(
            joinedload(Attachment.task).options(
                joinedload(Task.lead_org),
                selectinload(Task.coordinating_orgs),
                joinedload(Task.directive)
                .joinedload(Directive.visit)
                .options(joinedload(Visit.inspecting_org), joinedload(Visit.inspected_org)),
            )
        )
    )
    if attachment is None or not attachment.task.can_view(current_user):
        abort(404)
    path = attachments.stored_path(current_app.config["UPLOAD_DIR"], attachment)
    if not path.is_file():
        abort(404)
    # ?xem=1 shows a PDF or a photo in the page (the verification queue's preview); anything else
    # is always a download.
    inline = request.args.get("xem") == "1" and attachment.content_type in attachments.PREVIEWABLE
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=not inline,
        download_name=attachment.original_name,
        max_age=0,
    )
    if inline:
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
        )
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response
