"""The inbox (``/inbox``), the calendar page and the calendar feed (``/calendar/<token>.ics``)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from werkzeug.wrappers import Response as BaseResponse

from app import database
from exports.calendar import build_calendar
from exports.digest import describe
from models import User, db
from models.base import utcnow
from models.vntext import whole_number
from workflows import reminders
from workflows.clock import LOCAL_ZONE, local_today
from workflows.errors import OutOfScope

bp = Blueprint("reminders", __name__)

PAGE_SIZE = 50
TASK_DETAIL = "board.task_detail"


def task_link(task_id: int, *, external: bool = False) -> str | None:
    """The task's page on the board, once the board provides one."""
    if TASK_DETAIL not in current_app.view_functions:
        return None
    return url_for(TASK_DETAIL, task_id=task_id, _external=external)


def _me() -> User:
    """The signed-in user itself, not Flask-Login's proxy (workflows record it in the audit log)."""
    return current_user._get_current_object()


def _page_number() -> int:
    raw = request.args.get("trang", "1")
    return whole_number(raw, largest=99_999) or 1


@bp.route("/inbox")
def inbox() -> str:
    """List the signed-in user's notifications, newest first, unread ones marked."""
    unread_only = request.args.get("chua-doc") == "1"
    page = _page_number()
    rows = reminders.inbox_page(
        _me(), unread_only=unread_only, limit=PAGE_SIZE + 1, offset=(page - 1) * PAGE_SIZE
    )
    return render_template(
        "reminders/inbox.html",
        notifications=rows[:PAGE_SIZE],
        has_next=len(rows) > PAGE_SIZE,
        page=page,
        unread_only=unread_only,
        unread=reminders.unread_count(_me()),
        describe=describe,
        task_link=task_link,
        zone=LOCAL_ZONE,
    )


def _back_to_inbox() -> BaseResponse:
    target: dict[str, Any] = {"chua-doc": "1"} if request.form.get("chua-doc") == "1" else {}
    return redirect(url_for("reminders.inbox", **target))


@bp.route("/inbox/<int:notification_id>")
def open_notification(notification_id: int) -> BaseResponse:
    """Mark a notification read and go to its task."""
    try:
        notification = reminders.notification_of(_me(), notification_id)
    except OutOfScope:
        abort(404)
    task_id = notification.task_id
    if notification.read_at is None:
        database.start_writing()
        reminders.mark_read(notification, _me())
        db.session.commit()
    return redirect(task_link(task_id) or url_for("reminders.inbox", _anchor=f"n{notification_id}"))


@bp.route("/inbox/<int:notification_id>/read", methods=["POST"])
def mark_read(notification_id: int) -> BaseResponse:
    """Mark one notification as read."""
    try:
        notification = reminders.notification_of(_me(), notification_id)
    except OutOfScope:
        abort(404)
    reminders.mark_read(notification, _me())
    db.session.commit()
    return _back_to_inbox()


@bp.route("/inbox/read-all", methods=["POST"])
def mark_all_read() -> BaseResponse:
    """Mark every notification of the signed-in user as read."""
    count = reminders.mark_all_read(_me())
    db.session.commit()
    if count:
        flash(_("Đã đánh dấu %(n)d thông báo là đã đọc.", n=count), "success")
    else:
        flash(_("Không có thông báo nào chưa đọc."), "info")
    return _back_to_inbox()


@bp.route("/calendar")
def calendar_page() -> str:
    """Show the personal calendar link with buttons to copy, renew and revoke it."""
    token = _me().calendar_token
    feed_url = url_for("reminders.calendar_feed", token=token, _external=True) if token else None
    return render_template(
        "reminders/calendar.html",
        feed_url=feed_url,
        task_count=reminders.calendar_task_count(_me(), local_today()) if token else None,
        max_events=reminders.CALENDAR_MAX_EVENTS,
        past_days=reminders.CALENDAR_PAST_DAYS,
    )


@bp.route("/calendar/renew", methods=["POST"])
def renew_calendar() -> BaseResponse:
    """Create the calendar link, or replace it so the old one stops working."""
    me = _me()
    had_token = me.calendar_token is not None
    reminders.renew_calendar_token(me, me)
    db.session.commit()
    if had_token:
        flash(_("Đã cấp liên kết mới; liên kết cũ không còn dùng được."), "success")
    else:
        flash(_("Đã tạo liên kết lịch."), "success")
    return redirect(url_for("reminders.calendar_page"))


@bp.route("/calendar/revoke", methods=["POST"])
def revoke_calendar() -> BaseResponse:
    """Turn the calendar link off."""
    me = _me()
    reminders.revoke_calendar_token(me, me)
    db.session.commit()
    flash(_("Đã thu hồi liên kết lịch; ứng dụng lịch sẽ không cập nhật được nữa."), "success")
    return redirect(url_for("reminders.calendar_page"))


@bp.route("/calendar/<token>.ics")
def calendar_feed(token: str) -> Response:
    """Serve the user's iCalendar feed to a calendar application (the token is the only key)."""
    user = reminders.user_by_calendar_token(token)
    if user is None:
        abort(404)
    today = local_today()
    tasks = reminders.calendar_tasks(user, today)
    with force_locale(user.locale):
        body = build_calendar(
            tasks,
            name=_("kiemtra – hạn nhiệm vụ (%(user)s)", user=user.display_name or user.username),
            today=today,
            now=utcnow(),
            task_url=lambda task_id: task_link(task_id, external=True),
        )
    response = Response(body, mimetype="text/calendar")
    response.headers["Content-Disposition"] = 'inline; filename="kiemtra.ics"'
    response.headers["Cache-Control"] = "private, max-age=900"
    response.headers["X-Robots-Tag"] = "noindex"
    return response
