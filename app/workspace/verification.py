"""The verification queue: tasks reported done to accept or return, extension requests to decide."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import lru_cache
from typing import Any

from flask import abort, current_app, flash, g, make_response, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.acting import Refused, error_message, run, safe_path
from app.board.forms import VerifyForm
from app.guards import POLICY
from app.workspace.common import bp
from app.workspace.forms import ExtensionDecisionForm, TaskHoldForm
from models import Attachment, DeadlineExtension, Directive, Organization, Task, TaskEvent, User, Visit, db
from models.enums import ExtensionStatus, Role, TaskEventKind, TaskStatus
from workflows import counts, revisions
from workflows import tasks as task_flow
from workflows.attachments import PREVIEWABLE
from workflows.clock import local_today
from workflows.errors import StaleRecord, ValidationFailed
from workflows.scope import column_in, in_subtree
from workflows.timeliness import timeliness_of


def _issued_by(user: User) -> ColumnElement[bool]:
    """Tasks of visits whose inspecting body lies in the user's subtree (those they may verify).

    Written as a per-task lookup by primary keys against the subtree's ids: the queue and its badge
    start from the few tasks waiting (by the status index), not from every directive in scope.
    """
    scope = list(
        db.session.scalars(select(Organization.id).where(in_subtree(Organization.path, user.organization)))
    )
    return exists(
        select(Directive.id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(Directive.id == Task.directive_id, Visit.inspecting_org_id.in_(scope))
    )


def waiting_count(user: User) -> int:
    """How many reports and extension requests wait for this inspector."""
    expression = waiting_count_sql(user)
    return 0 if expression is None else int(db.session.scalar(select(expression)) or 0)


def waiting_count_sql(user: User) -> ColumnElement[int] | None:
    """The same count as SQL, for the navigation badge (read with the others in one statement)."""
    if not user.is_authenticated or user.role is not Role.INSPECTOR:
        return None
    return _waiting_sql(user.organization.path, local_today())


@lru_cache(maxsize=1024)
def _waiting_sql(path: str, today: date) -> ColumnElement[int]:
    """Built once per subtree and day (SQL constructs are immutable): reports waiting plus pending
    requests of tasks whose visit's inspecting body lies in the subtree. The reports are read from
    the kept counts (``workflows.counts``: their "awaiting verification" categories) when those are
    today's, else looked up per waiting task by primary keys; the requests per pending request."""
    scope = select(Organization.id).where(in_subtree(Organization.path, path))
    issued = exists(
        select(Directive.id)
        .join(Visit, Visit.id == Directive.visit_id)
        .where(Directive.id == Task.directive_id, column_in(Visit.inspecting_org_id, scope))
    )
    counted = select(func.count(Task.id)).where(Task.status == TaskStatus.REPORTED, issued)
    reported = counts.awaiting_of_bodies_sql(scope, today, otherwise=counted.scalar_subquery())
    pending = (
        select(func.count(DeadlineExtension.id))
        .join(Task, Task.id == DeadlineExtension.task_id)
        .where(DeadlineExtension.status == ExtensionStatus.PENDING, issued)
    )
    return reported + pending.scalar_subquery()


def _task_options() -> tuple[Any, ...]:
    """How a task on the verification pages is loaded (built per call: no mapper set-up at import)."""
    return (
        joinedload(Task.lead_org),
        selectinload(Task.coordinating_orgs),
        joinedload(Task.directive).joinedload(Directive.visit).joinedload(Visit.inspected_org),
    )


def _reports(tasks: Sequence[Task]) -> dict[int, TaskEvent]:
    """The event in which each task was last reported done, with its note and author."""
    if not tasks:
        return {}
    latest = (
        select(func.max(TaskEvent.id))
        .where(
            TaskEvent.task_id.in_([t.id for t in tasks]),
            TaskEvent.kind == TaskEventKind.STATUS_CHANGED,
            TaskEvent.to_status == TaskStatus.REPORTED,
        )
        .group_by(TaskEvent.task_id)
    )
    events = db.session.scalars(
        select(TaskEvent).where(TaskEvent.id.in_(latest)).options(joinedload(TaskEvent.actor))
    )
    return {event.task_id: event for event in events}


def _files(tasks: Sequence[Task]) -> dict[int, list[Attachment]]:
    """Each task's evidence files, newest first (one query for the whole queue)."""
    files: dict[int, list[Attachment]] = {task.id: [] for task in tasks}
    if tasks:
        for attachment in db.session.scalars(
            select(Attachment).where(Attachment.task_id.in_(list(files))).order_by(Attachment.id.desc())
        ):
            files[attachment.task_id].append(attachment)
    return files


# The queue shows PDFs in a frame of its own files (the attachment answers inline to its own site).
FRAMES = "; frame-src 'self'"


@bp.route("/verification")
def verification_queue() -> ResponseReturnValue:
    """List the reports and extension requests waiting for the inspecting side."""
    reported = db.session.scalars(
        select(Task)
        .where(Task.status == TaskStatus.REPORTED, _issued_by(current_user))
        .options(*_task_options())
        .order_by(Task.reported_at, Task.id)
        .limit(200)
    ).all()
    extensions = db.session.scalars(
        select(DeadlineExtension)
        .join(Task, Task.id == DeadlineExtension.task_id)
        .where(DeadlineExtension.status == ExtensionStatus.PENDING, _issued_by(current_user))
        .options(
            joinedload(DeadlineExtension.requested_by),
            joinedload(DeadlineExtension.task).options(*_task_options()),
        )
        .order_by(DeadlineExtension.requested_at, DeadlineExtension.id)
        .limit(200)
    ).all()
    today = local_today()
    due_soon = current_app.config["DUE_SOON_DAYS"]
    tasks = [*reported, *(e.task for e in extensions)]
    page = render_template(
        "workspace/verification.html",
        files=_files(reported),
        previewable=PREVIEWABLE,
        reported=reported,
        extensions=extensions,
        reports=_reports(reported),
        timeliness={t.id: timeliness_of(t, today, due_soon) for t in tasks},
        form_for=lambda task: VerifyForm(prefix=VerifyForm.key, formdata=None, version=str(task.version)),
        decision_form_for=lambda task: ExtensionDecisionForm(formdata=None, version=str(task.version)),
        today=today,
    )
    response = make_response(page)
    nonce = g.get("csp_nonce")
    scripts = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    response.headers["Content-Security-Policy"] = POLICY.format(scripts=scripts) + FRAMES
    return response


def _task_in_reach(task_id: int) -> Task:
    """The task, or 404 when it is missing or lies outside the user's scope (both read the same)."""
    task = db.session.scalar(select(Task).where(Task.id == task_id).options(*_task_options()))
    if task is None or not task.can_view(current_user):
        abort(404)
    return task


def _act(task: Task, form: Any, action: Any, done: str, back: str | None = None) -> ResponseReturnValue:
    """Check the version the user saw, run the workflow (``app.acting.run``), and go back to the queue.

    A refusal or a stale page is a message on the page the user comes back to; nothing is saved.
    """
    back = safe_path(request.form.get("next"), back or url_for("workspace.verification_queue"))

    def checked() -> None:
        revisions.expect_version(task, form.version.data)
        action()

    try:
        run(checked)
    except StaleRecord as error:
        flash(error_message(error), "error")
    except Refused:
        pass  # run() has put the message in a flash
    else:
        flash(done, "success")
    return redirect(back)


@bp.route("/verification/extensions/<int:extension_id>", methods=["POST"])
def extension_decide(extension_id: int) -> ResponseReturnValue:
    """Approve or refuse a request to move a due date."""
    extension = db.session.get(DeadlineExtension, extension_id)
    if extension is None:
        abort(404)
    task = _task_in_reach(extension.task_id)
    form = ExtensionDecisionForm()
    decision = request.form.get("decision")
    if decision not in ("approve", "refuse"):
        abort(400)
    approve = decision == "approve"

    def decide() -> None:
        if not approve and not form.note.data:
            raise ValidationFailed("Cần ghi lý do không đồng ý gia hạn.")
        task_flow.decide_extension(extension, current_user, approve=approve, note=form.note.data or None)

    done = _("Đã đồng ý gia hạn.") if approve else _("Đã từ chối gia hạn.")
    return _act(task, form, decide, done)


# --- Holding a task: pause, resume, cancel (from the visit dossier) -----------------------------


def _dossier_of(task: Task) -> str:
    return url_for("workspace.visit_detail", visit_id=task.directive.visit_id) + f"#task-{task.id}"


@bp.route("/tasks/<int:task_id>/pause", methods=["POST"])
def task_pause(task_id: int) -> ResponseReturnValue:
    """Pause an open task with a reason; it gets no reminders until resumed."""
    task = _task_in_reach(task_id)
    form = TaskHoldForm()
    return _act(
        task,
        form,
        lambda: task_flow.pause_task(task, current_user, reason=form.reason.data or ""),
        _("Đã tạm dừng nhiệm vụ: %(title)s", title=task.title),
        back=_dossier_of(task),
    )


@bp.route("/tasks/<int:task_id>/resume", methods=["POST"])
def task_resume(task_id: int) -> ResponseReturnValue:
    """Resume a paused task where work left off."""
    task = _task_in_reach(task_id)
    form = TaskHoldForm()
    return _act(
        task,
        form,
        lambda: task_flow.resume_task(task, current_user),
        _("Đã cho tiếp tục nhiệm vụ: %(title)s", title=task.title),
        back=_dossier_of(task),
    )


@bp.route("/tasks/<int:task_id>/cancel", methods=["POST"])
def task_cancel(task_id: int) -> ResponseReturnValue:
    """Cancel a task no longer needed, with a reason; it leaves every count."""
    task = _task_in_reach(task_id)
    form = TaskHoldForm()
    return _act(
        task,
        form,
        lambda: task_flow.cancel_task(task, current_user, reason=form.reason.data or ""),
        _("Đã hủy nhiệm vụ: %(title)s", title=task.title),
        back=_dossier_of(task),
    )
