"""Bulk progress on the task board: download the unit's open tasks as a sheet, fill it in, upload it,
see what each row would do (or its errors and conflicts), confirm: all of it is saved or none."""

from __future__ import annotations

import secrets

from flask import abort, flash, render_template, request
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.board.listing import urgency_order
from app.board.views import bp
from app.office.imports import TOKEN_PATTERN, drop_stale, import_folder, problem_text
from app.spreadsheets import as_of_note, send_xlsx
from exports.table_xlsx import Column, Table, table_xlsx
from models import Directive, Task, db
from models.enums import WORKING_TASK_STATUSES
from workflows.clock import local_today
from workflows.imports.plan import ImportResult
from workflows.imports.progress import SPEC, import_progress
from workflows.imports.sheet import MAX_BYTES, Problem, SheetRefused, read_sheet
from workflows.scope import tasks_visible_to


def _urls() -> dict[str, str]:
    from flask import url_for

    return {
        "start": url_for("board.progress_import_start"),
        "preview": url_for("board.progress_import_preview"),
        "confirm": url_for("board.progress_import_confirm"),
        "template": url_for("board.progress_sheet"),
        "list": url_for("board.task_list"),
    }


def _page(template: str, **context: object) -> str:
    return render_template(
        template,
        title=_("Cập nhật tiến độ hàng loạt từ bảng tính"),
        spec=SPEC,
        urls=_urls(),
        limit_mb=MAX_BYTES // (1024 * 1024),
        problem_text=problem_text,
        template_label=_("Tải danh sách nhiệm vụ đang thực hiện (.xlsx)"),
        **context,
    )


@bp.route("/tasks/progress-import")
def progress_import_start() -> ResponseReturnValue:
    """The upload form, with the sheet of the unit's open tasks to download."""
    return _page("office/import_start.html")


@bp.route("/tasks/progress.xlsx")
def progress_sheet() -> ResponseReturnValue:
    """The unit's tasks still being worked on, with their version, to fill in and upload."""
    today = local_today()
    tasks = list(
        db.session.scalars(
            select(Task)
            .where(tasks_visible_to(current_user.organization), Task.status.in_(WORKING_TASK_STATUSES))
            .options(selectinload(Task.directive).selectinload(Directive.visit))
            .order_by(*urgency_order())
        )
    )
    # The headers stay in Vietnamese whatever the interface language: the reader looks for them.
    columns = [
        Column("Mã nhiệm vụ", "int", 12),
        Column("Phiên bản", "int", 10),
        Column("Nhiệm vụ", "text", 60),
        Column("Tiến độ (%)", "int", 12),
        Column("Ghi chú", "text", 50),
        Column("Hoàn thành", "text", 12),
        Column("Đợt kiểm tra", "text", 40),
        Column("Hạn", "date"),
    ]
    rows = [
        [
            task.id,
            task.version,
            task.title,
            task.progress,
            None,
            None,
            task.directive.visit.title,
            task.due_on,
        ]
        for task in tasks
    ]
    notes = [
        current_user.organization.name,
        as_of_note(today),
        _(
            "Sửa cột «Tiến độ (%)», «Ghi chú», «Hoàn thành» (ghi x để báo cáo hoàn thành); "
            "giữ nguyên «Mã nhiệm vụ» và «Phiên bản»."
        ),
    ]
    data = table_xlsx(Table(SPEC.title, columns, rows, notes))
    return send_xlsx(data, f"tien-do-{today.isoformat()}.xlsx")


def _run(data: bytes, filename: str) -> ImportResult:
    return import_progress(current_user, read_sheet(data, filename, SPEC))


@bp.route("/tasks/progress-import", methods=["POST"])
def progress_import_preview() -> ResponseReturnValue:
    """Read the sheet and show what each row would save, its errors and conflicts; nothing is kept."""
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _page("office/import_start.html", error=_("Chưa chọn tệp.")), 400
    data = upload.stream.read(MAX_BYTES + 1)
    try:
        result = _run(data, upload.filename)
    except SheetRefused as error:
        return _page(
            "office/import_start.html", error=problem_text(Problem(error.template, error.params))
        ), 400
    finally:
        db.session.rollback()
    token = None
    if result.ok:
        token = f"{current_user.id}-{secrets.token_urlsafe(24)}.xlsx"
        folder = import_folder()
        drop_stale(folder)
        (folder / token).write_bytes(data)
    return _page("office/import_preview.html", result=result, token=token, filename=upload.filename)


@bp.route("/tasks/progress-import/confirm", methods=["POST"])
def progress_import_confirm() -> ResponseReturnValue:
    """Save what the preview showed, reading the kept file again against the tasks as they are now."""
    token = request.form.get("token", "")
    if not TOKEN_PATTERN.match(token) or not token.startswith(f"{current_user.id}-"):
        abort(404)
    path = import_folder() / token
    if not path.is_file():
        flash(_("Bản xem trước đã hết hạn hoặc đã được nhập; hãy gửi lại tệp."), "warning")
        return _page("office/import_start.html")
    try:
        result = _run(path.read_bytes(), token)
    except SheetRefused as error:
        db.session.rollback()
        return _page(
            "office/import_start.html", error=problem_text(Problem(error.template, error.params))
        ), 400
    if not result.ok:
        db.session.rollback()
        return _page(
            "office/import_preview.html", result=result, token=None, filename=request.form.get("filename", "")
        ), 409
    db.session.commit()
    path.unlink(missing_ok=True)
    return _page("office/import_done.html", result=result)


def too_large_sheet() -> tuple[str, int]:
    """A sheet far over the limit is refused with the limit named, before it is read."""
    message = _("Tệp lớn quá giới hạn %(limit)s MB.", limit=MAX_BYTES // (1024 * 1024))
    return _page("office/import_start.html", error=message), 413
