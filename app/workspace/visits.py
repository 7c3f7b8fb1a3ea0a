"""Visits: the list with search and filters, the dossier, the form, and the state changes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import date
from functools import cached_property, lru_cache, partial
from typing import Any, cast

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import get_translations, gettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy import Date, Integer, Select, String, bindparam, case, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, selectinload

from app import once
from app.acting import Refused, error_message, run
from app.jinja import progress_bar
from app.workspace import dossier_rows, local_time
from app.workspace.common import (
    Page,
    all_organisations,
    bp,
    count_of,
    labels_once,
    like_pattern,
    link_by_id,
    org_choices,
    page_args,
    people_choices,
    registry_codes,
    search_tokens,
    vi_once,
)
from app.workspace.editing import (
    add_blank_rows,
    apply_row_action,
    check_across_records,
    save_visit_form,
    visit_form_data,
)
from app.workspace.forms import (
    CloseVisitForm,
    ConcludeForm,
    NewTaskForm,
    TaskHoldForm,
    VersionForm,
    VisitForm,
    as_int,
)
from models import (
    DelegationMember,
    Directive,
    Organization,
    Person,
    Recurrence,
    Task,
    Visit,
    db,
    raw,
)
from models.enums import CANCELLABLE_TASK_STATUSES, DelegationRole, FindingKind, TaskStatus, VisitStatus
from models.labels import css_class
from models.vntext import format_date
from workflows import reach, report_back, revisions, workdays
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.clock import local_today, parse_date
from workflows.errors import (
    StaleRecord,
    ValidationFailed,
)
from workflows.timeliness import is_overdue

SORTS: dict[str, Callable[[Any], tuple[Any, ...]]] = {
    "-date": lambda inspected: (Visit.visited_on.desc(), Visit.id.desc()),
    "date": lambda inspected: (Visit.visited_on.asc(), Visit.id.asc()),
    "title": lambda inspected: (Visit.search_key.asc(), Visit.id.asc()),
    "unit": lambda inspected: (inspected.search_key.asc(), Visit.visited_on.desc(), Visit.id.desc()),
    "status": lambda inspected: (Visit.status.asc(), Visit.visited_on.desc(), Visit.id.desc()),
}


SORT_LABELS = {
    "-date": _l("Ngày kiểm tra, mới nhất trước"),
    "date": _l("Ngày kiểm tra, cũ nhất trước"),
    "title": _l("Tiêu đề (A–Z)"),
    "unit": _l("Đơn vị được kiểm tra (A–Z)"),
    "status": _l("Trạng thái"),
}


# --- The list --------------------------------------------------------------------------------


@dataclass
class VisitFilters:
    """What the list was asked for, read from the query string; bad values become messages."""

    q: str = ""
    status: VisitStatus | None = None
    unit: int | None = None
    head: str = ""
    date_from: date | None = None
    date_to: date | None = None
    sort: str = "-date"
    errors: list[str] = field(default_factory=list)

    @classmethod
    def from_args(cls, args: Any) -> VisitFilters:
        filters = cls(q=(args.get("q") or "").strip()[:200], head=(args.get("head") or "").strip()[:120])
        status = args.get("status") or ""
        if status in {s.value for s in VisitStatus}:
            filters.status = VisitStatus(status)
        filters.unit = as_int(args.get("unit"))
        for name, message in (("date_from", _("Từ ngày")), ("date_to", _("Đến ngày"))):
            try:
                setattr(filters, name, parse_date(args.get(name), field=message))
            except ValidationFailed as error:
                filters.errors.append(error_message(error))
        if filters.date_from and filters.date_to and filters.date_to < filters.date_from:
            filters.errors.append(_("Khoảng thời gian không hợp lệ: «đến ngày» trước «từ ngày»."))
            filters.date_to = None
        sort = args.get("sort") or "-date"
        filters.sort = sort if sort in SORTS else "-date"
        return filters

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.status or self.unit or self.head or self.date_from or self.date_to)


def _unit_ids(root: Organization) -> list[int]:
    """Ids of the bodies in ``root``'s subtree: the list filters test ids, which indexes answer fast."""
    pattern = like_pattern(root.path).removeprefix("%")  # as workflows.scope.in_subtree
    return [unit_id for (unit_id,) in raw.rows(db.session, _statements().subtree_ids, {"pattern": pattern})]


@dataclass(frozen=True)
class _Statements:
    """The list's small statements, built once and run on the driver's cursor (``models.raw``)."""

    subtree_ids: Select[Any]
    roots: Select[Any]
    units: Select[*tuple[Any, ...]]


@lru_cache(maxsize=1)
def _statements() -> _Statements:
    pattern = bindparam("pattern", type_=String)
    return _Statements(
        subtree_ids=select(Organization.id).where(Organization.path.like(pattern, escape="\\")),
        # As workflows.dashboard.is_whole_tree.
        roots=select(func.count(Organization.id)).where(Organization.parent_id.is_(None)),
        # Every body of a tree in tree order, as all_organisations() (common.home_tree_condition).
        units=select(Organization.id, Organization.path, Organization.name)
        .where(Organization.path.like(pattern, escape="\\"))
        .order_by(Organization.path),
    )


def _scope_condition(scope: tuple[int, ...] | None, *, to_count: bool = False) -> list[Any]:
    """Visits of the bodies ``scope`` (None: every visit, for the whole tree's leader); ``to_count``:
    the same condition for the count, which has no order to keep."""
    if scope is None:
        return []  # (no condition, so the count needs no row)
    if to_count:  # the per-body indexes give the visits in scope (an inspecting body's 4,016: 0.4 ms)
        return [or_(Visit.inspecting_org_id.in_(scope), Visit.inspected_org_id.in_(scope))]
    # "+ 0" keeps the planner off the per-body indexes, so that it walks ix_visit_visited_on in the
    # list's order and stops after one page, instead of gathering and sorting every visit in scope.
    # (Counted this way, SQLite read all 10,000 visits of the benchmark province: 1.7 ms.)
    return [or_((Visit.inspecting_org_id + 0).in_(scope), (Visit.inspected_org_id + 0).in_(scope))]


def _user_scope() -> tuple[int, ...] | None:
    """The ids of the bodies in the user's subtree, None for the whole tree's leader."""
    root = current_user.organization
    if root.parent_id is None and raw.rows(db.session, _statements().roots)[0][0] == 1:
        return None  # the only root (workflows.dashboard.is_whole_tree): every visit is in scope
    return tuple(_unit_ids(current_user.organization))


@lru_cache(maxsize=64)
def _unfiltered_statements(scope: tuple[int, ...] | None, sort: str) -> tuple[Select[Any], Select[Any]]:
    """The page's rows and the count of an unfiltered list (the one opened most), built once per scope
    and order; the rows' statement is given ``today``, ``limit`` and ``offset`` by ``_unfiltered_rows``."""
    matching = select(Visit.id).where(*_scope_condition(scope))
    ids_query = (
        _ordered(matching, sort)
        .limit(bindparam("limit", type_=Integer))
        .offset(bindparam("offset", type_=Integer))
    )
    counted = select(Visit.id).where(*_scope_condition(scope, to_count=True))
    return _rows_of(ids_query, sort), count_of(counted)


def _visit_list_query(
    filters: VisitFilters, scope: tuple[int, ...] | None
) -> tuple[Select[Any], Select[Any]]:
    """The ids of the matching visits in display order, and their count.

    Scope is the rule of ``workflows.scope.visits_in_scope`` (either body in the user's subtree), written
    with the subtree's ids rather than path subqueries; only the ids are sorted and paged, so the joins
    and eager loads run for one page of rows, not for every visit in scope.
    """
    conditions: list[Any] = []
    for token in search_tokens(filters.q):
        pattern = like_pattern(token)
        bodies = select(Organization.id).where(Organization.search_key.like(pattern, escape="\\"))
        head_matches = exists(
            select(DelegationMember.id)
            .join(Person, Person.id == DelegationMember.person_id)
            .where(DelegationMember.visit_id == Visit.id, Person.search_key.like(pattern, escape="\\"))
        )
        conditions.append(
            or_(
                Visit.search_key.like(pattern, escape="\\"),
                Visit.inspected_org_id.in_(bodies),
                Visit.inspecting_org_id.in_(bodies),
                func.lower(Visit.reference).like(pattern, escape="\\"),
                head_matches,
            )
        )
    if filters.status:
        conditions.append(Visit.status == filters.status)
    if filters.unit:
        unit = db.session.get(Organization, filters.unit)
        conditions.append(Visit.inspected_org_id.in_(_unit_ids(unit)) if unit else Visit.id.is_(None))
    for token in search_tokens(filters.head):
        conditions.append(
            exists(
                select(DelegationMember.id)
                .join(Person, Person.id == DelegationMember.person_id)
                .where(
                    DelegationMember.visit_id == Visit.id,
                    DelegationMember.role == DelegationRole.HEAD,
                    Person.search_key.like(like_pattern(token), escape="\\"),
                )
            )
        )
    if filters.date_from:
        conditions.append(Visit.visited_on >= filters.date_from)
    if filters.date_to:
        conditions.append(Visit.visited_on <= filters.date_to)

    matching = select(Visit.id).where(*_scope_condition(scope), *conditions)
    counted = select(Visit.id).where(*_scope_condition(scope, to_count=True), *conditions)
    return _ordered(matching, filters.sort), count_of(counted)


def _ordered(matching: Select[Any], sort: str) -> Select[Any]:
    """The matching ids in the order ``sort``."""
    inspected = aliased(Organization, name="inspected")
    if sort == "unit":
        matching = matching.join(inspected, inspected.id == Visit.inspected_org_id)
    return matching.order_by(*SORTS[sort](inspected))


def _page_of_visits(filters: VisitFilters, number: int, size: int, today: date) -> Page:
    """One page: the count, then the page's rows in one statement, each a row of what its line shows
    (no ORM objects: the page's ids are chosen inside it, the bodies joined, the head and the counts
    read by subqueries)."""
    scope = _user_scope()
    if filters.is_filtered:
        ids_query, count_query = _visit_list_query(filters, scope)
        total = db.session.scalar(count_query) or 0
    else:
        total = raw.rows(db.session, _unfiltered_statements(scope, filters.sort)[1], literal=True)[0][0]
    number = min(number, max(1, -(-total // size)))
    if not total:
        return _ListPage(items=[], number=number, size=size, total=total)
    offset = (number - 1) * size
    if filters.is_filtered:
        limited = ids_query.limit(bindparam("limit", type_=Integer)).offset(
            bindparam("offset", type_=Integer)
        )
        values = {"today": today, "limit": size, "offset": offset}
        rows: Sequence[Any] = db.session.execute(_rows_of(limited, filters.sort), values).all()
    else:
        rows = raw.rows(db.session, _unfiltered_rows(scope, filters.sort, today, size, offset), literal=True)
    return _ListPage(items=rows, number=number, size=size, total=total)


@lru_cache(maxsize=128)
def _unfiltered_rows(
    scope: tuple[int, ...] | None, sort: str, today: date, limit: int, offset: int
) -> Select[Any]:
    """An unfiltered list's rows statement with its values in, kept for the day: ``models.raw`` compiles
    it once (10-20 ms, the first time a page of the list is opened that day) and then runs it on the
    driver's cursor, without SQLAlchemy's work around each execution (the list of working states
    expanded into the SQL again, the result set up): 0.4 ms of CPU less on SQLite, 1 ms on PostgreSQL,
    for 50 rows. Written in rather than bound, since ``models.raw`` expands no list."""
    return _unfiltered_statements(scope, sort)[0].params(today=today, limit=limit, offset=offset)


@dataclass
class _ListPage(Page):
    """A page of the list whose pager's links are made from one ``url_for`` (the pager asks for six or
    seven, each encoding the query string again)."""

    @cached_property
    def _link(self) -> tuple[str, str] | None:
        marker = 987654321
        head, found, tail = super().url(marker).partition(str(marker))
        if not found or str(marker) in head + tail:  # the marker among the filters: build every link
            return None
        return head, tail

    def url(self, number: int) -> str:
        """The same list with the same filters, on page ``number``."""
        link = self._link
        return super().url(number) if link is None else f"{link[0]}{int(number)}{link[1]}"


def _rows_of(page_ids: Select[Any], sort: str) -> Select[Any]:
    """The lines of the visits ``page_ids`` chooses, in the order ``sort``."""
    # correlate(None): the ids are chosen from every visit, not from the row the outer query reads.
    return _list_rows_statement(sort).where(Visit.id.in_(page_ids.correlate(None)))


@lru_cache(maxsize=len(SORTS))
def _list_rows_statement(sort: str) -> Select[*tuple[Any, ...]]:
    """What each line of the list shows, in the list's order, built once per order; the caller adds
    which visits (and binds ``today``)."""
    inspecting = aliased(Organization, name="inspecting_row")
    inspected = aliased(Organization, name="inspected_row")
    today = cast(date, bindparam("today", type_=Date))  # bound at each run
    return (
        select(
            Visit.id,
            Visit.visited_on,
            Visit.title,
            Visit.status,
            inspecting.name.label("inspecting_name"),
            inspected.name.label("inspected_name"),
            _head_name().label("head_name"),
            _directive_count().label("directives"),
            _task_count(func.count(Task.id)).label("tasks"),
            # Summed rather than filtered: a condition on the state and due date would lead the planner
            # to the province's index on them instead of the visit's tasks.
            _task_count(func.coalesce(func.sum(case((is_overdue(today), 1), else_=0)), 0)).label("overdue"),
        )
        .join(inspecting, inspecting.id == Visit.inspecting_org_id)
        .join(inspected, inspected.id == Visit.inspected_org_id)
        .order_by(*SORTS[sort](inspected))
    )


def _head_name() -> Any:
    """The name of the visit's head of delegation (the first by side and order, as ``Visit.head``)."""
    return (
        select(Person.full_name)
        .join(DelegationMember, DelegationMember.person_id == Person.id)
        .where(DelegationMember.visit_id == Visit.id, DelegationMember.role == DelegationRole.HEAD)
        .order_by(DelegationMember.side, DelegationMember.order)
        .limit(1)
        .scalar_subquery()
    )


def _directive_count() -> Any:
    """The visit's numbered directives (the report-back obligation's left out)."""
    return (
        select(func.count(Directive.id))
        .where(Directive.visit_id == Visit.id, Directive.is_report_back.is_(False))
        .scalar_subquery()
    )


def _task_count(aggregate: Any) -> Any:
    """``aggregate`` over the visit's tasks that are not cancelled."""
    return (
        select(aggregate)
        .join(Directive, Directive.id == Task.directive_id)
        .where(Directive.visit_id == Visit.id, Task.status != TaskStatus.CANCELLED)
        .scalar_subquery()
    )


@bp.route("/visits")
def visit_list() -> ResponseReturnValue:
    """List the visits in the user's scope, with search, filters, sorting and pages."""
    filters = VisitFilters.from_args(request.args)
    number, size = page_args()
    page = _page_of_visits(filters, number, size, local_today())
    return render_template(
        "workspace/visit_list.html",
        page=page,
        filters=filters,
        unit_options=_unit_options(filters.unit),
        rows_html=_list_rows_html(page.items),
        statuses=list(VisitStatus),
        sorts=SORT_LABELS,
        label=labels_once(),
    )


def _state_badge(badges: dict[Any, str], status: Any, label: Any) -> str:
    """A state's badge (``_labels.html``'s markup), written once per page and kept in ``badges``."""
    badge = badges.get(status)
    if badge is None:
        badge = badges[status] = (
            f'<span class="badge kt-badge {escape(css_class(status))}">{escape(label(status))}</span>'
            if status
            else ""
        )
    return badge


def _list_rows_html(rows: Sequence[Any]) -> Markup:
    """The list's lines, written at once: each word translated once, each state's label, body's name and
    day escaped once, the language looked up once, each link from one ``url_for``."""
    line = _list_line(_("Ngày"), _("Trạng thái"), _("Yêu cầu"), _("Nhiệm vụ"), _("quá hạn"))
    label, vi, link = labels_once(), vi_once(), link_by_id("workspace.visit_detail", "visit_id")
    badges: dict[Any, str] = {}  # each state's badge written once
    names: dict[str, Markup] = {}  # each body's name once (a page shows a few bodies many times)
    days: dict[date, str] = {}  # each day once (a page of fifty shows fewer days)
    lines = []
    for row in rows:
        visit_id, visited_on, title, state, inspecting_name, inspected_name, head, *counts = row
        inspecting = names.get(inspecting_name)
        if inspecting is None:
            inspecting = names[inspecting_name] = vi(inspecting_name)
        inspected = names.get(inspected_name)
        if inspected is None:
            inspected = names[inspected_name] = vi(inspected_name)
        day = days.get(visited_on)
        if day is None:
            day = days[visited_on] = escape(format_date(visited_on))
        lines.append(
            line(
                day,
                escape(link(visit_id)),
                vi(title),
                inspecting,
                inspected,
                "—" if head is None else escape(head),
                _state_badge(badges, state, label),
                *counts,  # directives, tasks, overdue
            )
        )
    return Markup("".join(lines))  # noqa: S704 - values escaped above, the words are the catalogue's


def _list_line(
    date_label: str, status_label: str, directives_label: str, tasks_label: str, overdue_word: str
) -> Callable[..., str]:
    """One line of the list (a row of ``_page_of_visits``) as the template wrote it, the page's words
    put in; the status badge is ``_labels.html``'s markup. The values come escaped; the words do not
    need it (as the template's ``_()``, whose words are marked safe)."""

    def line(
        day: str,
        link: str,
        title: str,
        inspecting: str,
        inspected: str,
        head: str,
        status: str,
        directives: int,
        tasks: int,
        overdue: int,
    ) -> str:
        late = (
            f' <span class="t-overdue" title="{overdue_word}">({overdue} {overdue_word})</span>'
            if overdue
            else ""
        )
        return (
            "\n    \n"  # where the template had a line of its own
            f"""    <tr>
      <td class="text-nowrap kt-first-phone" data-label="{date_label}">{day}</td>
      <td>
        <a href="{link}">{title}</a>
        <div class="small text-muted">{inspecting}<span class="d-md-none"> → {inspected}</span></div>
      </td>
      <td class="d-none d-md-table-cell">{inspected}</td>
      <td class="d-none d-lg-table-cell">{head}</td>
      <td data-label="{status_label}">{status}</td>
      <td class="num d-none d-sm-table-cell" data-label="{directives_label}">{directives}</td>
      <td class="num d-none d-sm-table-cell" data-label="{tasks_label}">{tasks}{late}</td>
    </tr>
  """
        )

    return line


def _unit_options(chosen: int | None) -> Markup:
    """The unit filter's options: every body of the user's tree in tree order (as all_organisations()
    reads them: id, path and name are all it needs), each indented by its depth, written here at once
    rather than by the template one option at a time."""
    root_code = current_user.organization.path.split("/")[1]
    pattern = like_pattern(f"/{root_code}/").removeprefix("%")  # as common.home_tree_condition
    options = _options_of(tuple(raw.rows(db.session, _statements().units, {"pattern": pattern})))
    if chosen is not None:
        option = f'<option value="{int(chosen)}">'
        options = options.replace(option, f"{option.removesuffix('>')} selected>", 1)
    return Markup(options)  # noqa: S704 - _options_of escaped the names, the rest is markup of its own


@lru_cache(maxsize=8)
def _options_of(units: tuple[tuple[int, str, str], ...]) -> str:
    """The options of the bodies ``units`` (id, path, name), none selected, kept for the same rows: a
    tree's hundred bodies read the same from one page to the next, and writing them cost more than
    reading them."""
    return "".join(
        f'<option value="{unit_id}">{escape("— " * (path.count("/") - 2) + name)}</option>'
        for unit_id, path, name in units
    )


# --- The dossier -----------------------------------------------------------------------------


def _visible_visit(visit_id: int, *options: Any) -> Visit:
    return _viewable(db.session.scalar(select(Visit).where(Visit.id == visit_id).options(*options)))


def _viewable(visit: Visit | None) -> Visit:
    """The visit, or 404 when there is none or the user may not see it."""
    if visit is None or not visit.can_view(current_user):
        abort(404)
    return visit


def dossier_options(*, page: bool = False) -> tuple[Any, ...]:
    """How the dossier loads a visit (built per call: no mapper set-up at import). The page itself
    (``page``) shows neither the findings each directive answers nor the tasks' extension requests,
    which the dossier's spreadsheet, corrections and API read."""
    task_options: tuple[Any, ...] = (joinedload(Task.lead_org), selectinload(Task.coordinating_orgs))
    return (
        joinedload(Visit.inspecting_org),
        joinedload(Visit.inspected_org),
        selectinload(Visit.members).joinedload(DelegationMember.person),
        selectinload(Visit.findings),
        selectinload(Visit.directives).selectinload(Directive.citations),
        *(() if page else (selectinload(Visit.directives).selectinload(Directive.findings),)),
        selectinload(Visit.directives)
        .selectinload(Directive.recurrences)
        .options(joinedload(Recurrence.lead_org)),
        selectinload(Visit.directives)
        .selectinload(Directive.tasks)
        .options(*task_options, *(() if page else (selectinload(Task.extensions),))),
    )


@bp.route("/visits/<int:visit_id>")
def visit_detail(visit_id: int) -> ResponseReturnValue:
    """Show a visit as a dossier: delegation, findings, numbered directives and their tasks."""
    read, others = dossier_rows.dossier_visit(visit_id) or (None, None)
    visit = _viewable(read)
    rows = dossier_rows.load_dossier(visit)
    today = local_today()
    due_soon = current_app.config["DUE_SOON_DAYS"]
    tasks = [task for directive in visit.directives for task in rows.of[directive.id]]
    timeliness = {task.id: task.timeliness(today, due_soon) for task in tasks}
    label, vi, task_link = labels_once(), vi_once(), _task_links()
    task_rows = _task_rows(tasks, timeliness, label, vi, task_link)
    can_edit = visit.can_edit(current_user)
    # The forms serve only the inspecting side's actions, each of which asks can_edit first.
    forms: dict[str, Any] = {}
    if can_edit:
        forms = {
            "version_form": VersionForm(version=str(visit.version)),
            "hold_form_for": lambda task: TaskHoldForm(formdata=None, version=str(task.version)),
            "close_form": CloseVisitForm(version=str(visit.version)),
            "conclude_form": ConcludeForm(
                formdata=None, version=str(visit.version), report_due_on=report_back.default_due_on(today)
            ),
        }
    return render_template(
        "workspace/visit_detail.html",
        visit=visit,
        today=today,
        can_edit=can_edit,
        can_assign=visit.can_assign(current_user),
        **forms,
        cancellable=CANCELLABLE_TASK_STATUSES,
        unfinished=len(rows.unfinished()),
        findings_by_kind=[
            (kind, [f for f in visit.findings if f.kind is kind])
            for kind in FindingKind
            if any(f.kind is kind for f in visit.findings)
        ],
        report_back_task=rows.report_back_task(),
        tasks_of=rows.of,
        label=label,
        vi=vi,
        board_task_url=task_link,
        task_rows=task_rows,
        directive_rows={} if can_edit else _directive_rows(visit.directives, rows.of, task_rows),
        **_nothing_to_look_for(others),
    )


def _nothing_to_look_for(found: dossier_rows.OthersFound | None) -> dict[str, Any]:
    """The other parts' template helpers the dossier calls (``documents/_visit_buttons.html``,
    ``news/_visit_buttons.html``, ``_corrections.html``), told in the page's context not to look when one
    existence check found nothing of the visit there (most visits have no issued document, news post or
    correction: three statements that found nothing, 15 % of the page). The rest is asked as before."""
    helpers: dict[str, Any] = current_app.jinja_env.globals
    shadowed: dict[str, Any] = {}
    if found is None:  # (no visit: the page is a 404)
        return shadowed
    if not found.issued and "documents_for_visit" in helpers:
        shadowed["documents_for_visit"] = partial(helpers["documents_for_visit"], look=False)
    if not found.news and "news_posts_of_visit" in helpers:
        shadowed["news_posts_of_visit"] = lambda _visit: []
    if not found.corrections and "visit_corrections" in helpers:
        shadowed["visit_corrections"] = partial(helpers["visit_corrections"], look=False)
    return shadowed


# One task's line in the dossier, as the template wrote it (the badges are _labels.html's markup, the
# bar _macros.html's ``progress``). Values are escaped by _task_rows; the translated words are not, as
# the template's ``_()``, whose words are marked safe.
_TASK_ROW = "\n".join(
    (
        "",
        "          ",  # where the template had a line of its own
        '          <tr id="task-{id}">',
        '            <td data-label="{task_label}">{title}{recurring}</td>',
        '            <td data-label="{lead_label}">{lead}</td>',
        '            <td class="d-none d-md-table-cell small" data-label="{coordinating_label}">'
        "{coordinating}</td>",
        '            <td class="text-nowrap" data-label="{due_label}">{due}</td>',
        '            <td data-label="{status_label}">{status}<div class="small">{timeliness}</div></td>',
        '            <td class="d-none d-sm-table-cell" data-label="{progress_label}">{progress}</td>',
        '            <td class="d-none d-lg-table-cell small" data-label="{activity_label}">{event}</td>',
        "          </tr>",
    )
)


def _task_rows(
    tasks: list[dossier_rows.TaskRow],
    timeliness: dict[int, Any],
    label: Callable[..., str],
    vi: Callable[[object], Markup],
    task_link: Callable[[int], str | None],
) -> dict[int, Markup]:
    """Each task's line of the dossier by its id, written at once: a visit's tens of tasks made the
    template's calls count (each word translated once, each state's label once)."""
    # The page's catalogue asked once for the rows' ten words (as Flask-Babel's gettext() asks it for
    # each, without variables), not through gettext()'s own look-ups of the request's locale each time.
    _ = get_translations().ugettext
    words = {
        "task_label": _("Nhiệm vụ"),
        "lead_label": _("Đơn vị chủ trì"),
        "coordinating_label": _("Đơn vị phối hợp"),
        "due_label": _("Hạn"),
        "status_label": _("Trạng thái"),
        "progress_label": _("Tiến độ"),
        "activity_label": _("Hoạt động gần nhất"),
    }
    originally = _("ban đầu")
    recurring_text = Markup(_("Nhiệm vụ định kỳ – kỳ %(period)s"))  # noqa: S704 - as the template's _()
    rows = {}
    badges: dict[Any, str] = {}  # each state's badge and each category's words written once
    states: dict[Any, str] = {}
    for task in tasks:
        link = task_link(task.id)
        title = vi(task.title)
        recurring = ""
        if task.recurrence_id:
            badge = recurring_text % {"period": task.period_name}
            recurring = f'<div><span class="badge text-bg-info kt-recurring">{badge}</span></div>'
        if task.due_on:
            due: str = escape(format_date(task.due_on))
            if task.original_due_on != task.due_on:
                due += Markup('<div class="small text-muted">%s %s</div>') % (
                    Markup(originally),  # noqa: S704 - the catalogue's word, as the template's _()
                    format_date(task.original_due_on),
                )
        else:
            due = "—"
        status = _state_badge(badges, task.status, label)
        state = timeliness[task.id]
        shown_state = states.get(state)
        if shown_state is None:
            shown_state = states[state] = (
                f'<span class="{escape(css_class(state))}">{escape(label(state))}</span>' if state else ""
            )
        event = task.last_event
        activity = ""
        if event:
            activity = f"{escape(local_time(event.created_at))} · {escape(label(event.kind))}"
            if event.actor_name is not None:
                activity += f" · {escape(event.actor_name)}"
            if event.note:
                activity += f'<div class="text-muted kt-clip">{vi(event.note)}</div>'
        rows[task.id] = Markup(  # noqa: S704 - values escaped here, the words are the catalogue's
            _TASK_ROW.format(
                **words,
                id=task.id,
                title=f'<a href="{escape(link)}">{title}</a>' if link else title,
                recurring=recurring,
                lead=vi(task.lead_name),
                coordinating="; ".join(vi(name) for name in task.coordinating_names) or "—",
                due=due,
                status=status,
                timeliness=shown_state,
                progress=progress_bar(task.shown_progress, words["progress_label"]),
                event=activity,
            )
        )
    return rows


# What the template's loop over a directive's tasks writes after each row that has no hold form.
_ROW_END = "\n          \n        "


def _directive_rows(
    directives: list[Directive], tasks_of: dict[int, list[dossier_rows.TaskRow]], task_rows: dict[int, Markup]
) -> dict[int, Markup]:
    """Each directive's task rows joined at once, for a reader no task offers a hold form (the page
    asks ``can_edit`` before any task's hold predicates): the template's loop wrote them one by one."""
    joined = {}
    for directive in directives:
        rows = [task_rows[task.id] for task in tasks_of[directive.id]]
        # The rows are _task_rows' (values escaped), joined by the whitespace the template's loop wrote.
        joined[directive.id] = Markup(_ROW_END.join(rows) + _ROW_END if rows else "")  # noqa: S704
    return joined


def _task_links() -> Callable[[int], str | None]:
    """``board_task_url`` for the dossier's rows: each task's link on the board (None without the
    board), built once for the page."""
    if "board.task_detail" not in current_app.view_functions:
        return lambda _task_id: None
    return link_by_id("board.task_detail", "task_id")


# --- Creating and editing --------------------------------------------------------------------


def _pickers() -> dict[str, Any]:
    """The options of the form's pickers, read once per request."""
    orgs = all_organisations()
    own = [org for org in orgs if current_user.in_scope(org)]
    return {
        "inspecting_orgs": org_choices(own, blank=_("— chọn —")),
        "all_orgs": org_choices(orgs, blank=_("— chọn —")),
        "people": people_choices(_("— người mới (nhập họ tên) —")),
    }


def _editable_visit(visit_id: int) -> Visit:
    visit = _visible_visit(
        visit_id,
        selectinload(Visit.members).joinedload(DelegationMember.person),
        selectinload(Visit.findings),
        selectinload(Visit.directives).selectinload(Directive.citations),
        selectinload(Visit.directives)
        .selectinload(Directive.tasks)
        .options(joinedload(Task.lead_org), selectinload(Task.coordinating_orgs)),
    )
    if not visit.can_edit(current_user):
        abort(403)
    return visit


def _handle_visit_form(form: VisitForm, visit: Visit | None) -> ResponseReturnValue | None:
    """Save a submitted form; return a redirect when saved, None to show the form again."""
    action = request.form.get("action", "")
    if action and action != "save":
        apply_row_action(form, action)
        return None
    valid = form.validate()
    if check_across_records(form) or not valid:  # every rule in the first round, not one per submit
        flash(_("Chưa lưu: hãy sửa các chỗ được đánh dấu bên dưới."), "error")
        return None
    form.reach_problems = _new_tasks_reach(form)
    if form.reach_problems and not form.confirm_reach.data:
        flash(_("Chưa lưu: có nhiệm vụ mới có thể không đến được người thực hiện (xem bên dưới)."), "warning")
        return None

    def save() -> Visit:
        if visit is not None:
            revisions.expect_version(visit, form.version.data)
        return save_visit_form(form, current_user, visit)

    try:
        saved = run(save)
    except StaleRecord:
        assert visit is not None  # only an existing visit can be saved by someone else
        return _stale(form, visit, revisions.stale(visit))
    except Refused:
        return None  # the messages are under the fields, or in a flash
    flash(_("Đã lưu đợt kiểm tra «%(title)s».", title=saved.title), "success")
    return redirect(url_for("workspace.visit_detail", visit_id=saved.id))


def _stale(form: VisitForm, visit: Visit | None, error: StaleRecord) -> ResponseReturnValue:
    """Keep what the user typed, say what happened, and let a second save overwrite knowingly."""
    assert visit is not None
    visit = _editable_visit(visit.id)
    message = (
        error_message(error)
        + " "
        + _("Hãy mở bản hiện tại trong thẻ khác để so sánh; nếu bạn lưu lại, bản của bạn sẽ thay thế bản đó.")
    )
    if not visit.is_editable:
        message = (
            error_message(error) + " " + _("Đợt kiểm tra đã kết luận nên không thể lưu các thay đổi này.")
        )
    form.version.data = str(visit.version)
    form.set_choices(**_pickers())
    return (
        render_template(
            "workspace/visit_form.html", form=form, visit=visit, stale=message, registry=registry_codes()
        ),
        409,
    )


@bp.route("/visits/new", methods=["GET", "POST"])
def visit_create() -> ResponseReturnValue:
    """Record a new visit with its delegation, findings, directives and tasks."""
    form = VisitForm()
    if request.method == "GET":
        form.inspecting_org_id.data = str(current_user.organization_id)
        add_blank_rows(form, new=True)
    pickers = _pickers()
    form.set_choices(**pickers)
    if request.method == "POST":
        if (replay := once.replayed(url_for("workspace.visit_list"))) is not None:
            return replay
        done = _handle_visit_form(form, None)
        if done is not None:
            return done
        form.set_choices(**pickers)
    return render_template(
        "workspace/visit_form.html", form=form, visit=None, stale=None, registry=registry_codes()
    )


@bp.route("/visits/<int:visit_id>/edit", methods=["GET", "POST"])
def visit_edit(visit_id: int) -> ResponseReturnValue:
    """Edit a visit before its conclusion; a form older than the last save overwrites nothing."""
    visit = _editable_visit(visit_id)
    if not visit.is_editable and request.method == "POST":
        return _stale(VisitForm(), visit, revisions.stale(visit))  # concluded meanwhile: keep the typing
    if not visit.is_editable:
        flash(_("Đợt kiểm tra đã kết luận; không thể sửa đoàn, nhận xét hay yêu cầu."), "warning")
        return redirect(url_for("workspace.visit_detail", visit_id=visit.id))
    if request.method == "GET":
        form = VisitForm(data=visit_form_data(visit))
        add_blank_rows(form, new=False)
    else:
        form = VisitForm()
    pickers = _pickers()
    form.set_choices(**pickers)
    if request.method == "POST":
        done = _handle_visit_form(form, visit)
        if done is not None:
            return done
        visit = _editable_visit(visit_id)
        form.set_choices(**pickers)
    return render_template(
        "workspace/visit_form.html", form=form, visit=visit, stale=None, registry=registry_codes()
    )


# --- State changes ---------------------------------------------------------------------------


def _state_change(visit_id: int, change: Any, done_message: str) -> ResponseReturnValue:
    visit = _visible_visit(
        visit_id,
        selectinload(Visit.members),
        selectinload(Visit.directives).selectinload(Directive.tasks),
    )
    form = VersionForm()

    def checked() -> None:
        revisions.expect_version(visit, form.version.data)
        change(visit)

    try:
        run(checked)
    except StaleRecord as error:
        flash(error_message(error), "error")
    except Refused:
        pass  # run() has put the message in a flash
    else:
        flash(done_message, "success")
    return redirect(url_for("workspace.visit_detail", visit_id=visit_id))


@bp.route("/visits/<int:visit_id>/conduct", methods=["POST"])
def visit_conduct(visit_id: int) -> ResponseReturnValue:
    """Record that the working session took place."""
    return _state_change(
        visit_id,
        lambda visit: visit_flow.mark_conducted(visit, current_user),
        _("Đã ghi nhận buổi làm việc đã diễn ra."),
    )


@bp.route("/visits/<int:visit_id>/conclude", methods=["POST"])
def visit_conclude(visit_id: int) -> ResponseReturnValue:
    """Conclude the visit: its directives keep their numbers for good, and the inspected unit's
    report back by the day typed (if any) becomes a tracked task."""
    form = ConcludeForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("workspace.visit_detail", visit_id=visit_id))
    due = form.report_due_on.data
    return _state_change(
        visit_id,
        lambda visit: visit_flow.conclude_visit(visit, current_user, report_due_on=due),
        _("Đã kết luận đợt kiểm tra; các yêu cầu giữ nguyên số thứ tự."),
    )


@bp.route("/visits/<int:visit_id>/close", methods=["POST"])
def visit_close(visit_id: int) -> ResponseReturnValue:
    """Close a concluded visit whose tasks are all finished, with its closing evaluation."""
    form = CloseVisitForm()
    if not form.validate():
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
        return redirect(url_for("workspace.visit_detail", visit_id=visit_id) + "#close")
    return _state_change(
        visit_id,
        lambda visit: visit_flow.close_visit(visit, current_user, evaluation=form.evaluation.data or ""),
        _("Đã đóng đợt kiểm tra."),
    )


@bp.route("/visits/<int:visit_id>/directives/<int:directive_id>/tasks/new", methods=["GET", "POST"])
def task_create(visit_id: int, directive_id: int) -> ResponseReturnValue:
    """Give one more task to a directive, before or after the conclusion."""
    visit = _visible_visit(visit_id, joinedload(Visit.inspected_org))
    directive = db.session.get(Directive, directive_id)
    if directive is None or directive.visit_id != visit.id:
        abort(404)
    if not visit.can_edit(current_user):
        abort(403)
    form = NewTaskForm()
    orgs = all_organisations()
    form.lead_org_id.choices = org_choices(orgs, blank=_("— chọn —"))
    form.coordinating_ids.choices = org_choices(orgs)
    if request.method == "GET":
        form.lead_org_id.data = str(visit.inspected_org_id)
        form.due_on.data = directive.due_on
    if request.method == "POST":
        back = url_for("workspace.visit_detail", visit_id=visit.id) + f"#directive-{directive.number}"
        if (replay := once.replayed(back)) is not None:
            return replay
    problems: list[str] = []
    if form.validate_on_submit():
        by_id = {org.id: org for org in orgs}
        lead = by_id[int(form.lead_org_id.data)]
        coordinating = [by_id[int(i)] for i in form.coordinating_ids.data or []]
        problems = _reach_warnings(form, [lead, *coordinating])
        if problems and not form.confirm_reach.data:
            return render_template(
                "workspace/task_form.html", form=form, visit=visit, directive=directive, problems=problems
            )
        try:
            run(
                lambda: task_flow.assign_task(
                    directive,
                    current_user,
                    lead_org=lead,
                    due_on=form.due_on.data,
                    title=form.title.data,
                    description=form.description.data,
                    coordinating=coordinating,
                    due_working_days=form.working_days(),
                    due_from=form.due_from.data,
                ),
                form=form,
                field="lead_org_id",
            )
        except Refused:
            pass  # the message is under the lead unit
        else:
            flash(_("Đã giao nhiệm vụ."), "success")
            return redirect(
                url_for("workspace.visit_detail", visit_id=visit.id) + f"#directive-{directive.number}"
            )
    return render_template(
        "workspace/task_form.html", form=form, visit=visit, directive=directive, problems=problems
    )


def _new_tasks_reach(form: VisitForm) -> list[str]:
    """Why the units of the tasks this save adds will not act on them (a task already saved was
    warned about when it was given)."""
    by_id = {org.id: org for org in all_organisations()}
    today = local_today()
    problems: dict[str, None] = {}
    for directive in form.directives:
        if directive.form.remove.data:
            continue
        for row in directive.form.tasks:
            task = row.form
            lead = by_id.get(as_int(task.lead_org_id.data) or -1)
            if task.id.data or task.remove.data or lead is None:
                continue
            orgs = [lead, *(by_id[i] for i in map(as_int, task.coordinating_ids.data or []) if i in by_id)]
            due_on = task.due_on.data or directive.form.due_on.data
            for problem in reach.reach_problems(orgs, due_on, today):
                problems[gettext(problem.message, **problem.params)] = None
    return list(problems)


def _reach_warnings(form: NewTaskForm, orgs: list[Organization]) -> list[str]:
    """Why the chosen units will not act on the task, in the user's language (empty: they will)."""
    today = local_today()
    due_on = form.due_on.data
    if due_on is None and form.working_days():
        with suppress(ValidationFailed):  # a count out of range is refused under its field at the save
            due_on = workdays.due_in_working_days(form.due_from.data or today, form.working_days() or 0)
    return [gettext(p.message, **p.params) for p in reach.reach_problems(orgs, due_on, today)]
