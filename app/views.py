"""A first page per role: what each user needs to see when they sign in."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, render_template
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from app import policy
from models import Directive, Organization, Task, User, Visit, db
from models.enums import OPEN_TASK_STATUSES, Role, TaskStatus
from workflows.clock import local_today
from workflows.scope import tasks_visible_to, visits_in_scope
from workflows.timeliness import count_timeliness, timeliness_of

bp = Blueprint("main", __name__)


FINISHED_SHOWN = 20


def _repeated_titles(tasks: list[Task]) -> set[str]:
    """The titles that more than one listed task bears (their rows name the visit and unit plainly)."""
    seen: set[str] = set()
    repeated: set[str] = set()
    for task in tasks:
        key = " ".join(task.title.casefold().split())
        (repeated if key in seen else seen).add(key)
    return repeated


@bp.route("/")
@login_required
def home() -> str:
    """Show the signed-in user's first page for their role."""
    today = local_today()
    org = current_user.organization
    due_soon = current_app.config["DUE_SOON_DAYS"]
    context: dict[str, object] = {"today": today}
    if current_user.role is Role.ADMIN:
        context["org_count"] = db.session.scalar(select(func.count(Organization.id)))
        context["user_count"] = db.session.scalar(select(func.count(User.id)))
    if current_user.role in (Role.INSPECTOR, Role.LEADER, Role.ADMIN):
        context["visits"] = db.session.scalars(
            select(Visit)
            .where(visits_in_scope(org))
            .options(joinedload(Visit.inspected_org), joinedload(Visit.inspecting_org))
            .order_by(Visit.visited_on.desc())
            .limit(20)
        ).all()
    if current_user.role in (Role.LEADER, Role.INSPECTOR):
        context["counts"] = count_timeliness(db.session, today, org, due_soon)
    if current_user.role is Role.INSPECTOR:
        from app.workspace.verification import waiting_count

        context["waiting"] = waiting_count(current_user)
    if current_user.role is Role.OFFICE:
        loaded = (
            joinedload(Task.lead_org),
            joinedload(Task.directive).joinedload(Directive.visit).joinedload(Visit.inspected_org),
        )
        visible = select(Task).where(tasks_visible_to(org)).options(*loaded)
        # Open first (overdue and soonest due on top), then the last finished ones, apart.
        open_tasks = db.session.scalars(
            visible.where(Task.status.in_(OPEN_TASK_STATUSES | {TaskStatus.PAUSED}))
            .order_by(Task.due_on.is_(None), Task.due_on, Task.id)
            .limit(100)
        ).all()
        finished = db.session.scalars(
            visible.where(Task.status == TaskStatus.DONE)
            .order_by(Task.verified_at.desc(), Task.id.desc())
            .limit(FINISHED_SHOWN)
        ).all()
        context["tasks"] = [(task, timeliness_of(task, today, due_soon)) for task in open_tasks]
        context["finished"] = [(task, timeliness_of(task, today, due_soon)) for task in finished]
        context["same_titles"] = _repeated_titles([*open_tasks, *finished])
    return render_template("home.html", **context)


def init_app(app: Flask) -> None:
    """Register the pages."""
    policy.register({"main.home": policy.SIGNED_IN})
    app.register_blueprint(bp)
