"""Views of the task board and the dashboard: parse, call a workflow, commit once, redirect."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from math import ceil
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup
from sqlalchemy import exists, func, select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.wrappers import Response

from app.acting import Refused, error_message, run, safe_path
from app.board.forms import (
    DashboardForm,
    ExtensionForm,
    ProgressForm,
    ReportForm,
    TaskForm,
    VerifyForm,
)
from app.board.listing import (
    PAGE_SIZE,
    LinkMaker,
    TaskFilters,
    base_condition,
    conditions,
    organisation,
    urgency_order,
)
from exports import charts
from models import Attachment, Directive, Organization, Task, TaskEvent, Visit, db
from models.enums import Role, TaskStatus, Timeliness, TimelinessGroup
from models.labels import label
from workflows import attachments, reach
from workflows import dashboard as numbers
from workflows import tasks as task_flow
from workflows.clock import LOCAL_ZONE, local_today, parse_date
from workflows.errors import InvalidState, StaleRecord, ValidationFailed
from workflows.scope import tasks_visible_to
from workflows.timeliness import check_as_of, days_overdue, timeliness_of

bp = Blueprint("board", __name__)


def _due_soon_days() -> int:
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
# The dashboard's four cards.
SUMMARY_GROUPS = (
    TimelinessGroup.ON_TIME,
    TimelinessGroup.LATE,
    TimelinessGroup.OPEN_WITHIN,
    TimelinessGroup.OVERDUE,
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


def overdue_badge() -> int | None:
    """How many tasks of an office's unit are overdue, beside the "Nhiệm vụ" link."""
    if current_user.role is not Role.OFFICE:
        return None
    today = local_today()
    count = db.session.scalar(
        select(func.count(Task.id)).where(
            tasks_visible_to(current_user.organization),
            # The category expression, not "status IN … AND due_on < …": the latter leads SQLite to
            # walk every overdue task of the province through the (status, due_on) index.
            numbers.category_condition("overdue", today, _due_soon_days()),
        )
    )
    return count or None


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

    def conditions(self) -> list[Any]:
        """The SQL conditions of the rows shown."""
        return conditions(self.filters, self.base, self.today, self.soon)


def list_selection() -> ListSelection:
    """Read the task list's filters and count what they select (404 for a subtree outside the user's)."""
    today = local_today()
    soon = _due_soon_days()
    filters = TaskFilters.from_args(request.args)
    scope = organisation(filters.scope)
    if filters.scope is not None and (scope is None or not current_user.in_scope(scope)):
        abort(404)
    base = base_condition(current_user, scope)
    lead = organisation(filters.lead)
    if lead is not None and not current_user.in_scope(lead):
        # A unit outside the user's tree is named only if it leads a task the user may see.
        visible = select(Task.id).where(*base, Task.lead_org_id == lead.id).limit(1)
        lead = lead if db.session.scalar(visible) is not None else None
    counted = conditions(filters, base, today, soon, with_timeliness=False)
    if filters.open_on is None:
        counts = numbers.count_one(counted, today, soon)
    else:
        counts = numbers.count_as_of(counted, filters.open_on, soon)
    if filters.status == TaskStatus.CANCELLED and filters.timeliness is None:
        # Cancelled tasks are in no category: count them as they are.
        total = db.session.scalar(select(func.count(Task.id)).where(*counted)) or 0
    else:
        total = _count_shown(counts, filters.timeliness)
    return ListSelection(today, soon, filters, scope, lead, base, counts, total)


@bp.route("/tasks")
def task_list() -> str:
    """List the tasks of the user's unit (or of the subtree a dashboard number counts), most urgent first."""
    chosen = list_selection()
    today, soon, filters, base = chosen.today, chosen.soon, chosen.filters, chosen.base
    scope, lead, counts, total = chosen.scope, chosen.lead, chosen.counts, chosen.total
    pages = max(1, ceil(total / PAGE_SIZE))
    page = min(filters.page, pages)
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(*conditions(filters, base, today, soon))
            # Loaded after the LIMIT: joining them would join every matching task before the sort.
            .options(
                selectinload(Task.lead_org),
                selectinload(Task.directive).selectinload(Directive.visit),
                selectinload(Task.coordinating_orgs),
            )
            .order_by(*urgency_order())
            .limit(PAGE_SIZE)
            .offset((page - 1) * PAGE_SIZE)
        )
    )
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
        rows=[(task, timeliness_of(task, today, soon), days_overdue(task, today)) for task in tasks],
        chips=CHIPS,
        **_filter_options(),
        days_label=_("%(n)d ngày"),  # without a number: the template fills in each row's
        # Offices see their unit's few tasks; leaders, inspectors and dashboard links a whole subtree.
        visits=_visit_choices(filters, base, many=current_user.role is not Role.OFFICE or scope is not None),
    )


def _count_shown(counts: Any, category: str | None) -> int:
    if category is None:
        return counts.total
    if category == "open_within":
        return counts.open_within
    return int(getattr(counts, category))


def _visit_choices(filters: TaskFilters, scope_condition: Any, *, many: bool) -> list[Any]:
    """The most recent visits with tasks in the list, and the chosen one, for the visit filter."""
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
        # A unit's few tasks: go from them to their visits.
        query = (
            select(*columns)
            .join(Directive, Directive.visit_id == Visit.id)
            .join(Task, Task.directive_id == Directive.id)
            .where(*base)
            .group_by(*columns)
        )
    rows = list(db.session.execute(query.order_by(Visit.visited_on.desc(), Visit.id.desc()).limit(100)))
    if filters.visit is not None and all(row.id != filters.visit for row in rows):
        # The chosen visit, only if it has tasks here: a typed id must not reveal another unit's visit.
        rows += list(db.session.execute(query.where(Visit.id == filters.visit)))
    return rows


# -------------------------------------------------------------------------------------- task detail


def _load_task(task_id: int) -> Task:
    """The task with everything its page shows, or 404 when the user may not see it."""
    task = db.session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(
            joinedload(Task.lead_org),
            joinedload(Task.directive)
            .joinedload(Directive.visit)
            .options(joinedload(Visit.inspecting_org), joinedload(Visit.inspected_org)),
            selectinload(Task.directive, Directive.citations),
            selectinload(Task.coordinating_orgs),
            selectinload(Task.events).options(
                joinedload(TaskEvent.actor), selectinload(TaskEvent.attachments)
            ),
            selectinload(Task.extensions),
        )
    )
    if task is None or not task.can_view(current_user):
        abort(404)
    return task


def _forms(task: Task, bound: TaskForm | None = None) -> dict[str, TaskForm]:
    """The page's forms, empty but for the one the user just sent."""
    forms: dict[str, TaskForm] = {
        ProgressForm.key: ProgressForm(prefix=ProgressForm.key, formdata=None),
        ReportForm.key: ReportForm(prefix=ReportForm.key, formdata=None),
        ExtensionForm.key: ExtensionForm(prefix=ExtensionForm.key, formdata=None),
        VerifyForm.key: VerifyForm(prefix=VerifyForm.key, formdata=None),
    }
    if bound is not None:
        forms[bound.key] = bound
    for form in forms.values():
        form.show_version(task.version)
    return forms


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
        timeliness=timeliness_of(task, today, _due_soon_days()),
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
    action: Callable[[Task, TaskForm], None],
    success: str,
    *,
    field: str | None = None,
) -> Response | tuple[str, int]:
    """Run one save of the task page: check the form and the version, call the workflow, commit once.

    A stale version, or a concurrent save caught by the version column at commit, saves nothing and
    gives the user's text back with a message; so does any refusal of the workflow (under ``field``
    when one is named). On success the user goes back to the page named by the form's ``next`` (the
    verification queue posts here too), else to the task's history.
    """
    task = _load_task(task_id)
    if not form.validate_on_submit():
        return _render_detail(task, form, 400)
    if form.seen_version != task.version:
        return _stale(task_id, form)
    try:
        run(lambda: action(task, form), form=form if field else None, field=field)
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
def record_progress(task_id: int) -> Response | tuple[str, int]:
    """Record a progress note (lead unit: with a percentage), with evidence files."""
    form = ProgressForm(prefix=ProgressForm.key)

    def action(task: Task, form: Any) -> None:
        files = attachments.check_uploads(form.files.data or [], max_bytes=_max_bytes())
        progress = form.progress_value if task.can_report(current_user, check_state=False) else None
        event = task_flow.record_progress(task, current_user, note=form.note.data, progress=progress)
        _store_files(task, event, files)

    return _save(task_id, form, action, _("Đã ghi tiến độ."))


@bp.route("/tasks/<int:task_id>/report", methods=["POST"])
def report_done(task_id: int) -> Response | tuple[str, int]:
    """Report the task done, with evidence files; it waits for the inspecting side."""
    form = ReportForm(prefix=ReportForm.key)

    def action(task: Task, form: Any) -> None:
        files = attachments.check_uploads(form.files.data or [], max_bytes=_max_bytes())
        event = task_flow.report_task_done(task, current_user, note=form.note.data)
        _store_files(task, event, files)

    return _save(task_id, form, action, _("Đã báo cáo hoàn thành; chờ cơ quan kiểm tra xác nhận."))


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
def request_extension(task_id: int) -> Response | tuple[str, int]:
    """Ask the inspecting side to move the due date, with a reason."""
    form = ExtensionForm(prefix=ExtensionForm.key)

    def action(task: Task, form: Any) -> None:
        task_flow.request_extension(
            task, current_user, new_due_on=form.new_due_value, reason=form.reason.data
        )

    return _save(task_id, form, action, _("Đã gửi đề nghị gia hạn."))


@bp.route("/tasks/<int:task_id>/verify", methods=["POST"])
def verify_task(task_id: int) -> Response | tuple[str, int]:
    """Accept the reported task as done (inspecting side)."""
    form = VerifyForm(prefix=VerifyForm.key)

    def action(task: Task, form: Any) -> None:
        task_flow.verify_task(task, current_user, note=form.note.data or None)

    return _save(task_id, form, action, _("Đã xác nhận hoàn thành."))


@bp.route("/tasks/<int:task_id>/return", methods=["POST"])
def return_task(task_id: int) -> Response | tuple[str, int]:
    """Send the reported task back to the lead unit with the reason (inspecting side)."""
    form = VerifyForm(prefix=VerifyForm.key)

    def action(task: Task, form: Any) -> None:
        task_flow.return_task(task, current_user, note=form.note.data or "")

    return _save(task_id, form, action, _("Đã trả lại nhiệm vụ cho đơn vị chủ trì."), field="note")


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> tuple[str, int]:
    """A request far above the upload limit is refused before it is read."""
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
    response = send_file(
        path,
        mimetype=attachment.content_type,
        as_attachment=True,
        download_name=attachment.original_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ---------------------------------------------------------------------------------------- dashboard


def _dashboard_selection(
    form: DashboardForm, choices: list[Organization], as_of: date
) -> tuple[Organization, date | None, date]:
    """The subtree and period asked for; a bad choice is reported and the default used instead."""
    depth = current_user.organization.path.count("/")
    form.org.choices = [(org.id, "\u2003" * (org.path.count("/") - depth) + org.name) for org in choices]
    if form.org.data is None and "org" not in request.args:
        form.org.data = current_user.organization_id
    start, end = None, None
    if form.validate():
        start, end = form.dates()
    else:
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
    by_id = {org.id: org for org in choices}
    scope = by_id.get(form.org.data or -1, current_user.organization)
    return scope, start, end or as_of


def _as_of(form: DashboardForm) -> date:
    """The day the dashboard counts on: the one asked for when it is valid, else today.

    A day that does not parse is reported by the form's validation; one in the future or before
    the first record here.
    """
    today = local_today()
    try:
        day = parse_date(form.as_of.data)
    except ValidationFailed:
        return today
    if day is None:
        return today
    try:
        check_as_of(db.session, day, today)
    except ValidationFailed as error:
        flash(error_message(error), "error")
        form.as_of.data = ""
        return today
    return day


@dataclass(frozen=True)
class DashboardFacts:
    """The dashboard's selection and the numbers its page and its spreadsheet show."""

    today: date
    soon: int
    form: DashboardForm
    scope: Organization
    start: date | None
    end: date
    selection: numbers.Selection
    units: list[numbers.UnitRow]
    total: Any
    trend: list[numbers.TrendMonth]

    def most_overdue(self) -> list[tuple[Task, int]]:
        """The tasks longest overdue, with their days overdue."""
        return numbers.most_overdue(self.selection, self.today)


def dashboard_facts() -> DashboardFacts:
    """Read the dashboard's selection and count its per-unit table and its trend, as of its day."""
    soon = _due_soon_days()
    form = DashboardForm(request.args)
    choices = numbers.organisations_within(current_user.organization)
    today = _as_of(form)
    scope, start, end = _dashboard_selection(form, choices, today)
    selection = numbers.Selection.of(scope, start, end)
    units = numbers.table_by_lead_unit(selection, today, soon)
    total = numbers.total_of(unit.counts for unit in units)
    months = numbers.trend_months(start, end, today)
    trend = numbers.monthly_trend(scope, months, today, whole_tree=selection.whole_tree)
    if start is None:  # the whole history: begin the chart where something happened
        trend = _without_empty_start(trend)
    return DashboardFacts(today, soon, form, scope, start, end, selection, units, total, trend)


@bp.route("/dashboard")
def dashboard() -> str:
    """Show a subtree's tasks in the Government Office's categories, for a period, with links to them."""
    facts = dashboard_facts()
    today, scope, start, end = facts.today, facts.scope, facts.start, facts.end
    form, selection, units, total, trend = facts.form, facts.selection, facts.units, facts.total, facts.trend
    visits = numbers.progress_by_visit(selection, today, facts.soon)
    points = tuple(
        charts.MonthPoint(m.month, m.done_on_time, m.done_late, m.overdue, m.open_within) for m in trend
    )
    chart = _trend_svg(points, _("Diễn biến theo tháng: %(org)s", org=scope.name), str(get_locale()))
    list_path = url_for("board.task_list")
    link = (
        LinkMaker(list_path, scope=scope.id, assigned_from=start, assigned_to=end)
        if today >= local_today()
        else _PastDayLinks(list_path, today, scope=scope.id, assigned_from=start, assigned_to=end)
    )
    trend_link = LinkMaker(list_path, scope=scope.id)
    return render_template(
        "board/dashboard.html",
        today=today,
        form=form,
        scope_org=scope,
        period_start=start,
        period_end=end,
        units=units,
        total=total,
        most_overdue=facts.most_overdue(),
        unreached=reach.unreached_tasks(selection.conditions(today), today),
        visits=visits,
        trend=trend,
        # exports.charts writes every text of the SVG escaped (a test shows a unit name with markup).
        chart=Markup(_inline_svg(chart)),  # noqa: S704
        link=link,
        trend_link=trend_link,
        summary_groups=SUMMARY_GROUPS,
    )


class _PastDayLinks(LinkMaker):
    """Links from a dashboard counted on a past day to the list as it stood then: a task done by
    that day is listed by its completion, an open one by its state at the end of that day."""

    DONE = frozenset({"on_time", "late", "done"})

    def __init__(self, path: str, day: date, **fixed: Any) -> None:
        super().__init__(path, **fixed)
        self.day = day

    def __call__(self, **extra: Any) -> str:
        category = extra.get("timeliness")
        if category in self.DONE:
            extra.setdefault("completed_to", self.day)
        elif category:
            extra.setdefault("open_on", self.day)
        return super().__call__(**extra)


def _without_empty_start(trend: list[numbers.TrendMonth], keep: int = 6) -> list[numbers.TrendMonth]:
    """Drop the leading months with nothing in them, keeping at least the last ``keep``."""
    first = next(
        (i for i, m in enumerate(trend) if m.done_on_time or m.done_late or m.overdue or m.open_within),
        len(trend),
    )
    return trend[min(first, max(0, len(trend) - keep)) :]


@lru_cache(maxsize=128)
def _trend_svg(points: tuple[charts.MonthPoint, ...], title: str, language: str) -> bytes:
    """Draw the chart once per distinct set of numbers: drawing costs far more than counting."""
    return charts.monthly_trend(list(points), title=title, fmt="svg", language=language)


def _inline_svg(svg: bytes) -> str:
    """The chart's <svg> element, without the XML prolog, to put inside the page."""
    text = svg.decode("utf-8")
    return text[text.index("<svg") :]
