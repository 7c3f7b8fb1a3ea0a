"""The JSON API's routes: read what the pages show, write through the workflows the pages run.

Each route does what its page does, in the same order: the policy table (``app/api/__init__.py``, the
same roles as the page) → load and check scope (404 outside it, as ``record.can_view``) → parse (the
page's WTForms form, fed the JSON body) → ``app.acting.run`` one workflow → answer. A write names the
version of the task it was made against in ``If-Match`` (the ``ETag`` of a read); a stale one is 409 and
changes nothing, so sending the same POST twice applies it once.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, current_app, json, request
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import and_, or_, select
from sqlalchemy.orm import joinedload, selectinload
from sqlalchemy.orm.attributes import flag_modified
from werkzeug.datastructures import MultiDict
from werkzeug.exceptions import HTTPException
from werkzeug.wrappers import Response

from app import database
from app.acting import Refused, error_message, run
from app.api import problems, shapes
from app.api.problems import ApiProblem
from app.board.forms import ExtensionForm, ProgressForm, ReportForm, TaskForm, VerifyForm
from app.board.listing import TaskFilters, after_in_order, base_condition, conditions, organisation
from models import Directive, Organization, Task, TaskEvent, Visit, db
from models.enums import VisitStatus
from models.vntext import whole_number
from workflows import tasks as task_flow
from workflows.clock import local_today, parse_date
from workflows.errors import DomainError, InvalidState, StaleRecord, ValidationFailed
from workflows.scope import visits_in_scope
from workflows.timeliness import Period, TimelinessCounts, check_as_of, check_period, count_tasks

bp = Blueprint("api", __name__, url_prefix="/api/v1")


def _problem_for(error: Exception) -> Response:
    """Every error of an API route as problem+json, never an HTML page."""
    if isinstance(error, ApiProblem):
        return error.response()
    if isinstance(error, HTTPException):
        return problems.from_http(error)
    # Anything else: the session is rolled back by the teardown; the client gets a problem, not a page.
    current_app.logger.exception("api: unexpected error")
    return problems.problem(500)


# By status code too: Flask prefers the application's handler of a code (its HTML error pages) to a
# blueprint's handler of a class.
for _code in (400, 401, 403, 404, 405, 409, 413, 415, 422, 428, 429, 500):
    bp.register_error_handler(_code, _problem_for)
bp.register_error_handler(Exception, _problem_for)


DEFAULT_LIMIT = 50
MAX_LIMIT = 200
TASK_FILTER_KEYS = (
    "visit",
    "status",
    "timeliness",
    "scope",
    "lead",
    "assigned_from",
    "assigned_to",
    "completed_from",
    "completed_to",
    "open_on",
)


def due_soon_days() -> int:
    return int(current_app.config["DUE_SOON_DAYS"])


def answer(data: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    """A JSON answer (UTF-8, Vietnamese letters as they are)."""
    response = current_app.response_class(
        json.dumps(data, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "private, no-store"
    for key, value in (headers or {}).items():
        response.headers[key] = value
    return response


# ------------------------------------------------------------------------------------- parameters


def _unprocessable(errors: dict[str, list[str]]) -> ApiProblem:
    first = next(iter(errors.values()))[0]
    return ApiProblem(422, first, kind="validation", errors=errors)


def _limit() -> int:
    raw = request.args.get("limit")
    if raw is None or raw == "":
        return DEFAULT_LIMIT
    number = whole_number(raw, largest=MAX_LIMIT)
    if not number:
        raise _unprocessable({"limit": [_("«limit» là một số từ 1 đến %(max)d.", max=MAX_LIMIT)]})
    return number


def _encode_cursor(values: list[Any]) -> str:
    return base64.urlsafe_b64encode(json.dumps(values).encode()).decode().rstrip("=")


def _decode_cursor(shape: Callable[[list[Any]], bool]) -> list[Any] | None:
    raw = request.args.get("cursor")
    if not raw:
        return None
    try:
        values = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, binascii.Error, UnicodeDecodeError):
        values = None
    if not isinstance(values, list) or not shape(values):
        raise _unprocessable(
            {"cursor": [_("«cursor» không hợp lệ; dùng đúng giá trị «next_cursor» của trang trước.")]}
        )
    return values


def _day(key: str) -> date | None:
    try:
        return parse_date(request.args.get(key), field=key)
    except ValidationFailed as error:
        raise _unprocessable({key: [error_message(error)]}) from None


def _page(items: list[Any], limit: int, cursor_of: Callable[[Any], list[Any]]) -> dict[str, Any]:
    """One page of ``items`` (read with ``limit + 1`` rows) and the cursor of the next one."""
    more = len(items) > limit
    items = items[:limit]
    return {"next_cursor": _encode_cursor(cursor_of(items[-1])) if more and items else None}


# --------------------------------------------------------------------------------------------- me


@bp.route("/me")
def me() -> Response:
    """The account the token acts as."""
    user = current_user
    return answer(
        {
            "id": user.id,
            "username": user.username,
            "display_name": user.display_name,
            "role": user.role.value,
            "organization": shapes.org(user.organization),
            "locale": user.locale,
        }
    )


# ------------------------------------------------------------------------------------------ tasks


def _is_task_cursor(values: list[Any]) -> bool:
    if len(values) != 3:
        return False
    rank, due, task_id = values
    return (
        isinstance(rank, int)
        and isinstance(task_id, int)
        and (due is None or (isinstance(due, str) and _iso_day(due) is not None))
    )


def _iso_day(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _after_task(values: list[Any]) -> Any:
    """Tasks after the cursor in the list's order (rank, due date, id), as the page's "next" link."""
    rank, due, task_id = values
    return after_in_order(rank, None if due is None else date.fromisoformat(due), task_id)


def task_filters() -> TaskFilters:
    """The task list's filters, as ``/tasks`` reads them; a value the page would drop is 422 here."""
    unknown = sorted(set(request.args) - {*TASK_FILTER_KEYS, "limit", "cursor"})
    if unknown:
        raise _unprocessable({key: [_("Tham số «%(key)s» không có.", key=key)] for key in unknown})
    filters = TaskFilters.from_args(
        MultiDict({k: request.args[k] for k in TASK_FILTER_KEYS if k in request.args})
    )
    if filters.problems:
        raise _unprocessable({"filters": list(filters.problems)})
    return filters


@bp.route("/tasks")
def task_list() -> Response:
    """The tasks the user may see (filters as on ``/tasks``), most urgent first, a page at a time."""
    filters = task_filters()
    limit = _limit()
    cursor = _decode_cursor(_is_task_cursor)
    today, soon = local_today(), due_soon_days()
    scope = organisation(filters.scope)
    if filters.scope is not None and (scope is None or not current_user.in_scope(scope)):
        raise ApiProblem(404)
    base = base_condition(current_user, scope)
    query = (
        select(Task)
        .where(*conditions(filters, base, today, soon))
        .options(
            selectinload(Task.lead_org),
            selectinload(Task.directive).selectinload(Directive.visit),
            selectinload(Task.coordinating_orgs),
        )
        .order_by(Task.list_rank, Task.due_on, Task.id)
        .limit(limit + 1)
    )
    if cursor is not None:
        query = query.where(_after_task(cursor))
    tasks = list(db.session.scalars(query))
    page = _page(tasks, limit, lambda t: [t.list_rank, shapes.day(t.due_on), t.id])
    return answer({"items": [shapes.task_row(t, today, soon) for t in tasks[:limit]], **page})


def _load_task(task_id: int) -> Task:
    """The task with its page's relations, or 404 when the user may not see it (as the page)."""
    task = db.session.scalar(
        select(Task)
        .where(Task.id == task_id)
        .options(
            joinedload(Task.lead_org),
            joinedload(Task.directive).joinedload(Directive.visit),
            selectinload(Task.coordinating_orgs),
            selectinload(Task.events).joinedload(TaskEvent.actor),
            selectinload(Task.extensions),
        )
    )
    if task is None or not task.can_view(current_user):
        raise ApiProblem(404)
    return task


def _task_answer(task: Task, status: int = 200) -> Response:
    body = shapes.task_detail(task, local_today(), due_soon_days(), current_user)
    return answer(body, status, headers={"ETag": shapes.etag(task)})


@bp.route("/tasks/<int:task_id>")
def task_detail(task_id: int) -> Response:
    """One task, with its history and what the caller may do; its ``ETag`` is its version."""
    task = _load_task(task_id)
    if request.if_none_match and request.if_none_match.contains(str(task.version)):
        return current_app.response_class(status=304, headers={"ETag": shapes.etag(task)})
    return _task_answer(task)


def _json_body(fields: dict[str, tuple[type, ...]]) -> dict[str, Any]:
    """The request's JSON object, each known field of the expected type; else 400, 415 or 422."""
    if not request.mimetype or request.mimetype != "application/json":
        raise ApiProblem(
            415, _("Gửi dữ liệu dạng JSON với tiêu đề «Content-Type: application/json»."), kind="media-type"
        )
    try:
        body = json.loads(request.get_data(cache=True) or b"null")
    except ValueError:
        raise ApiProblem(400, _("Nội dung gửi lên không phải JSON hợp lệ."), kind="malformed-json") from None
    if not isinstance(body, dict):
        raise ApiProblem(400, _("Nội dung gửi lên phải là một đối tượng JSON ({…})."), kind="malformed-json")
    errors: dict[str, list[str]] = {}
    for key in sorted(set(body) - set(fields)):
        errors[key] = [_("Trường «%(key)s» không có.", key=key)]
    for key, kinds in fields.items():
        value = body.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, kinds):
            errors[key] = [_("Trường «%(key)s» sai kiểu dữ liệu.", key=key)]
        elif isinstance(value, str) and "\x00" in value:
            errors[key] = [_("Dữ liệu gửi lên có ký tự không hợp lệ (ký tự NUL). Vui lòng nhập lại.")]
    if errors:
        raise _unprocessable(errors)
    return body


def _seen_version(task: Task) -> int:
    """The version named by ``If-Match``: 428 without one, 409 when the task has moved on since."""
    header = request.headers.get("If-Match", "").strip()
    if not header:
        raise ApiProblem(
            428,
            _("Thiếu tiêu đề «If-Match» với phiên bản (ETag) của nhiệm vụ đã đọc."),
            kind="version-required",
        )
    tag = header.removeprefix("W/").strip('"')
    version = whole_number(tag)
    if version is None or version != task.version:
        raise _stale(task)
    return version


def _stale(task: Task) -> ApiProblem:
    return ApiProblem(
        409,
        _(
            "Nhiệm vụ vừa được người khác cập nhật nên yêu cầu chưa được thực hiện; "
            "hãy đọc lại nhiệm vụ rồi gửi lại với phiên bản mới."
        ),
        kind="stale-version",
        current_version=task.version,
    )


def _form_errors(form: TaskForm) -> dict[str, list[str]]:
    return {name: [str(m) for m in messages] for name, messages in form.errors.items() if name != "version"}


def _write(
    task_id: int,
    form_class: type[TaskForm],
    fields: dict[str, tuple[type, ...]],
    action: Callable[[Task, Any], None],
) -> Response:
    """One write: load and check scope, the version, the body (by the page's form), run the workflow.

    As on the task page, the views are ``reads_first``: everything before the workflow reads in plain
    transactions, and the write lock is taken for the workflow alone, the version read again under it.
    """
    task = _load_task(task_id)
    body = _json_body(fields)
    version = _seen_version(task)
    data = MultiDict({k: str(v) for k, v in body.items() if v is not None})
    data["version"] = str(version)
    form = form_class(formdata=data, meta={"csrf": False})
    if not form.validate():
        raise _unprocessable(_form_errors(form))

    def act() -> None:
        if database.reading():  # the reading part is over: take the write lock (SQLite) only now
            database.start_writing()
            if task.version != version:  # read again under the lock: someone saved in between
                raise StaleRecord("Bản ghi vừa được người khác lưu; vui lòng xem lại trước khi lưu.")
        action(task, form)
        # Every write through the API moves the task's version, a note that changes no column of the
        # task included: so the same POST sent again (same If-Match) is refused instead of applied twice.
        flag_modified(task, "progress")

    try:
        run(act, form=form, starts_writing=True)
    except StaleRecord:
        raise _stale(_load_task(task_id)) from None
    except Refused as refused:
        raise _refusal(refused.error, form) from None
    return _task_answer(_load_task(task_id))


def _refusal(error: DomainError, form: TaskForm) -> ApiProblem:
    message = error_message(error)
    if isinstance(error, InvalidState):
        return ApiProblem(409, message, kind="invalid-state")
    return ApiProblem(422, message, kind="validation", errors={"": [message]})


@bp.route("/tasks/<int:task_id>/progress", methods=["POST"])
@database.reads_first
def record_progress(task_id: int) -> Response:
    """Record a progress note; the lead unit may give the percentage too."""

    def action(task: Task, form: Any) -> None:
        progress = form.progress_value
        task_flow.record_progress(task, current_user, note=form.note.data, progress=progress)

    return _write(task_id, ProgressForm, {"note": (str,), "progress": (int, str)}, action)


@bp.route("/tasks/<int:task_id>/report", methods=["POST"])
@database.reads_first
def report_done(task_id: int) -> Response:
    """Report the task done; it waits for the inspecting side."""

    def action(task: Task, form: Any) -> None:
        task_flow.report_task_done(task, current_user, note=form.note.data)

    return _write(task_id, ReportForm, {"note": (str,)}, action)


@bp.route("/tasks/<int:task_id>/extension", methods=["POST"])
@database.reads_first
def request_extension(task_id: int) -> Response:
    """Ask the inspecting side to move the due date (``new_due_on``: yyyy-mm-dd), with a reason."""

    def action(task: Task, form: Any) -> None:
        task_flow.request_extension(
            task, current_user, new_due_on=form.new_due_value, reason=form.reason.data
        )

    return _write(task_id, ExtensionForm, {"new_due_on": (str,), "reason": (str,)}, action)


@bp.route("/tasks/<int:task_id>/verify", methods=["POST"])
@database.reads_first
def verify_task(task_id: int) -> Response:
    """Accept the reported task as done (inspecting side)."""

    def action(task: Task, form: Any) -> None:
        task_flow.verify_task(task, current_user, note=form.note.data or None)

    return _write(task_id, VerifyForm, {"note": (str,)}, action)


@bp.route("/tasks/<int:task_id>/return", methods=["POST"])
@database.reads_first
def return_task(task_id: int) -> Response:
    """Send the reported task back to the lead unit with the reason (inspecting side)."""

    def action(task: Task, form: Any) -> None:
        task_flow.return_task(task, current_user, note=form.note.data or "")

    return _write(task_id, VerifyForm, {"note": (str,)}, action)


# ------------------------------------------------------------------------------------- timeliness


@bp.route("/timeliness")
def timeliness() -> Response:
    """The counts and both rates of a subtree (``scope``, default the user's unit) for the tasks
    assigned in a period, as of a day: the dashboard's numbers, through the same count."""
    unknown = sorted(set(request.args) - {"scope", "as_of", "assigned_from", "assigned_to"})
    if unknown:
        raise _unprocessable({key: [_("Tham số «%(key)s» không có.", key=key)] for key in unknown})
    scope: Organization = current_user.organization
    raw_scope = request.args.get("scope")
    if raw_scope:
        chosen = organisation(whole_number(raw_scope))
        if chosen is None or not current_user.in_scope(chosen):
            raise ApiProblem(404)
        scope = chosen
    today = local_today()
    as_of = _day("as_of") or today
    period = Period(_day("assigned_from"), _day("assigned_to"))
    try:
        check_as_of(db.session, as_of, today)
    except ValidationFailed as error:
        raise _unprocessable({"as_of": [error_message(error)]}) from None
    try:
        check_period(period)
    except ValidationFailed as error:
        raise _unprocessable({"assigned_from": [error_message(error)]}) from None
    counts = count_tasks(db.session, scope, period, as_of, due_soon_days()).get((), TimelinessCounts())
    data = counts.as_dict()
    return answer(
        {
            "scope": shapes.org(scope),
            "as_of": as_of.isoformat(),
            "assigned_from": shapes.day(period.start),
            "assigned_to": shapes.day(period.end),
            "counts": {key: value for key, value in data.items() if isinstance(value, int)},
            "completion_rate": counts.completion_rate,
            "done_share": counts.share("done"),
            "shares": data["shares"],
        }
    )


# ----------------------------------------------------------------------------------------- visits


def _is_visit_cursor(values: list[Any]) -> bool:
    return (
        len(values) == 2
        and isinstance(values[0], str)
        and _iso_day(values[0]) is not None
        and isinstance(values[1], int)
    )


@bp.route("/visits")
def visit_list() -> Response:
    """The visits either side of which lies in the user's subtree, newest first."""
    unknown = sorted(set(request.args) - {"status", "visited_from", "visited_to", "limit", "cursor"})
    if unknown:
        raise _unprocessable({key: [_("Tham số «%(key)s» không có.", key=key)] for key in unknown})
    limit = _limit()
    cursor = _decode_cursor(_is_visit_cursor)
    query = select(Visit).where(visits_in_scope(current_user.organization))
    status = request.args.get("status")
    if status:
        if status not in {s.value for s in VisitStatus}:
            raise _unprocessable({"status": [_("Trạng thái «%(value)s» không có.", value=status)]})
        query = query.where(Visit.status == VisitStatus(status))
    start, end = _day("visited_from"), _day("visited_to")
    if start:
        query = query.where(Visit.visited_on >= start)
    if end:
        query = query.where(Visit.visited_on <= end)
    if cursor is not None:
        on, visit_id = date.fromisoformat(cursor[0]), cursor[1]
        query = query.where(or_(Visit.visited_on < on, and_(Visit.visited_on == on, Visit.id < visit_id)))
    visits = list(
        db.session.scalars(
            query.options(joinedload(Visit.inspecting_org), joinedload(Visit.inspected_org))
            .order_by(Visit.visited_on.desc(), Visit.id.desc())
            .limit(limit + 1)
        )
    )
    page = _page(visits, limit, lambda v: [v.visited_on.isoformat(), v.id])
    return answer({"items": [shapes.visit_row(v) for v in visits[:limit]], **page})


@bp.route("/visits/<int:visit_id>")
def visit_detail(visit_id: int) -> Response:
    """A visit as its dossier shows it: delegation, findings by kind, numbered directives, citations."""
    from app.workspace.visits import dossier_options

    visit = db.session.scalar(select(Visit).where(Visit.id == visit_id).options(*dossier_options()))
    if visit is None or not visit.can_view(current_user):
        raise ApiProblem(404)
    return answer(shapes.visit_detail(visit))


# --------------------------------------------------------------------------------- registry, news


def _is_offset_cursor(values: list[Any]) -> bool:
    return len(values) == 1 and isinstance(values[0], int) and 0 <= values[0] <= 10_000_000


@bp.route("/registry")
def registry() -> Response:
    """The registry of cited documents, with the page's search (``q``, ``type``, ``issuer``,
    ``system``, ``sort``), each with how many directives cite it."""
    from app.workspace.registry import registry_search

    limit = _limit()
    cursor = _decode_cursor(_is_offset_cursor)
    offset = cursor[0] if cursor else 0
    rows = list(db.session.execute(registry_search().query.limit(limit + 1).offset(offset)))
    page = _page(rows, limit, lambda _row: [offset + limit])
    return answer(
        {"items": [{**shapes.citation(doc), "cited": cited} for doc, cited in rows[:limit]], **page}
    )


@bp.route("/news")
def news() -> Response:
    """Published news posts, newest first."""
    limit = _limit()
    cursor = _decode_cursor(_is_offset_cursor)
    offset = cursor[0] if cursor else 0
    from app.news.views import _published

    posts = list(db.session.scalars(_published().limit(limit + 1).offset(offset)))
    page = _page(posts, limit, lambda _post: [offset + limit])
    return answer({"items": [shapes.news_post(p) for p in posts[:limit]], **page})


@bp.route("/<path:_rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
def not_found(_rest: str) -> Response:
    """Any other address under /api/v1: a problem, not the HTML page."""
    raise ApiProblem(404)
