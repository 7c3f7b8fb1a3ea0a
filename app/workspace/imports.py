"""Spreadsheet imports of the inspection team: a visit's directives and tasks, and past visits
back-filled with their real days. The same three steps as the admin imports (template, preview with
each row's errors and warnings, confirm: all of it or nothing), on the same shared pages."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from io import BytesIO

from flask import abort, flash, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user

from app.office.imports import TOKEN_PATTERN, drop_stale, import_folder, problem_text
from app.workspace.common import bp
from app.workspace.visits import _visible_visit
from exports.import_template import import_template
from exports.table_xlsx import XLSX_MIMETYPE
from models import Visit, db
from workflows.clock import local_today
from workflows.errors import DomainError
from workflows.imports import directives, history
from workflows.imports.plan import ImportResult
from workflows.imports.sheet import MAX_BYTES, Problem, SheetRefused, SheetSpec, read_sheet

UPLOAD_SLACK = 256 * 1024  # the form around the file


class _Import:
    """One of the two imports: its sheet, its title, its URLs and how it runs."""

    def __init__(
        self, spec: SheetSpec, title: str, urls: dict[str, str], run: Callable[[bytes, str], ImportResult]
    ) -> None:
        self.spec, self.title, self.urls, self.run = spec, title, urls, run

    def page(self, template: str, status: int = 200, **context: object) -> ResponseReturnValue:
        return (
            render_template(
                template,
                title=self.title,
                spec=self.spec,
                urls=self.urls,
                limit_mb=MAX_BYTES // (1024 * 1024),
                problem_text=problem_text,
                **context,
            ),
            status,
        )

    def preview(self) -> ResponseReturnValue:
        """Read the upload and show what it would create, its errors and its warnings; keep nothing."""
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            return self.page("office/import_start.html", 400, error=_("Chưa chọn tệp."))
        data = upload.stream.read(MAX_BYTES + 1)
        try:
            result = self.run(data, upload.filename)
        except SheetRefused as error:
            return self.page(
                "office/import_start.html", 400, error=problem_text(Problem(error.template, error.params))
            )
        except DomainError as error:
            return self.page(
                "office/import_start.html", 409, error=problem_text(Problem(error.template, error.params))
            )
        finally:
            db.session.rollback()
        token = None
        if result.ok:
            suffix = ".csv" if upload.filename.lower().endswith(".csv") else ".xlsx"
            token = f"{current_user.id}-{secrets.token_urlsafe(24)}{suffix}"
            folder = import_folder()
            drop_stale(folder)
            (folder / token).write_bytes(data)
        return self.page("office/import_preview.html", result=result, token=token, filename=upload.filename)

    def confirm(self) -> ResponseReturnValue:
        """Save what the preview showed, reading the kept file again against the database as it is now."""
        token = request.form.get("token", "")
        if not TOKEN_PATTERN.match(token) or not token.startswith(f"{current_user.id}-"):
            abort(404)
        path = import_folder() / token
        if not path.is_file():
            flash(_("Bản xem trước đã hết hạn hoặc đã được nhập; hãy gửi lại tệp."), "warning")
            return self.page("office/import_start.html")
        try:
            result = self.run(path.read_bytes(), token)
        except DomainError as error:
            db.session.rollback()
            return self.page(
                "office/import_start.html", 409, error=problem_text(Problem(error.template, error.params))
            )
        if not result.ok:
            db.session.rollback()
            return self.page(
                "office/import_preview.html",
                409,
                result=result,
                token=None,
                filename=request.form.get("filename", ""),
            )
        db.session.commit()
        path.unlink(missing_ok=True)
        return self.page("office/import_done.html", result=result)

    def template_file(self, name: str) -> ResponseReturnValue:
        return send_file(
            BytesIO(import_template(self.spec, _)),
            mimetype=XLSX_MIMETYPE,
            as_attachment=True,
            download_name=name,
        )


def _directives_import(visit_id: int) -> _Import:
    visit: Visit = _visible_visit(visit_id)
    if not visit.can_edit(current_user):
        abort(403)
    urls = {
        "start": url_for("workspace.directive_import_start", visit_id=visit.id),
        "preview": url_for("workspace.directive_import_preview", visit_id=visit.id),
        "confirm": url_for("workspace.directive_import_confirm", visit_id=visit.id),
        "template": url_for("workspace.directive_import_template", visit_id=visit.id),
        "list": url_for("workspace.visit_detail", visit_id=visit.id) + "#directives",
    }

    def run(data: bytes, filename: str) -> ImportResult:
        sheet = read_sheet(data, filename, directives.SPEC)
        return directives.import_directives(current_user, sheet, visit, local_today())

    title = _("Nhập yêu cầu và nhiệm vụ từ bảng tính: %(visit)s", visit=visit.title)
    return _Import(directives.SPEC, title, urls, run)


def _history_import() -> _Import:
    urls = {
        "start": url_for("workspace.history_import_start"),
        "preview": url_for("workspace.history_import_preview"),
        "confirm": url_for("workspace.history_import_confirm"),
        "template": url_for("workspace.history_import_template"),
        "list": url_for("workspace.visit_list"),
    }

    def run(data: bytes, filename: str) -> ImportResult:
        sheet = read_sheet(data, filename, history.SPEC)
        return history.import_history(current_user, sheet, local_today())

    return _Import(history.SPEC, _("Nhập bù lịch sử kiểm tra từ bảng tính"), urls, run)


def _open_visit(visit_id: int) -> _Import:
    """The visit's import, or its dossier's refusal when the visit takes no more directives."""
    return _directives_import(visit_id)


@bp.route("/visits/<int:visit_id>/import")
def directive_import_start(visit_id: int) -> ResponseReturnValue:
    """The upload form of a visit's directives and tasks, with the template to download."""
    found = _open_visit(visit_id)
    visit = _visible_visit(visit_id)
    if not visit.is_editable:
        message = _("Đợt kiểm tra đã kết luận; không thể sửa đoàn, nhận xét hay yêu cầu.")
        return found.page("office/import_start.html", 409, error=message)
    return found.page("office/import_start.html")


@bp.route("/visits/<int:visit_id>/import/template.xlsx")
def directive_import_template(visit_id: int) -> ResponseReturnValue:
    """An empty sheet with the columns the directives import reads, and a help sheet."""
    return _open_visit(visit_id).template_file("mau-yeu-cau-nhiem-vu.xlsx")


@bp.route("/visits/<int:visit_id>/import", methods=["POST"])
def directive_import_preview(visit_id: int) -> ResponseReturnValue:
    """What the uploaded sheet would add to the visit, row by row, or its errors."""
    return _open_visit(visit_id).preview()


@bp.route("/visits/<int:visit_id>/import/confirm", methods=["POST"])
def directive_import_confirm(visit_id: int) -> ResponseReturnValue:
    """Add the previewed directives and tasks, all or nothing."""
    return _open_visit(visit_id).confirm()


@bp.route("/visits/import-history")
def history_import_start() -> ResponseReturnValue:
    """The upload form of past visits with their tasks and real days."""
    return _history_import().page("office/import_start.html")


@bp.route("/visits/import-history/template.xlsx")
def history_import_template() -> ResponseReturnValue:
    """An empty history sheet with a help sheet."""
    return _history_import().template_file("mau-lich-su-kiem-tra.xlsx")


@bp.route("/visits/import-history", methods=["POST"])
def history_import_preview() -> ResponseReturnValue:
    """What the uploaded history would create, row by row, or its errors."""
    return _history_import().preview()


@bp.route("/visits/import-history/confirm", methods=["POST"])
def history_import_confirm() -> ResponseReturnValue:
    """Back-fill the previewed visits and tasks, all or nothing."""
    return _history_import().confirm()


@bp.before_request
def _limit_import_uploads() -> ResponseReturnValue | None:
    """Refuse a sheet far over the import limit before it is read, naming the limit."""
    if request.endpoint not in ("workspace.directive_import_preview", "workspace.history_import_preview"):
        return None
    cap = MAX_BYTES + UPLOAD_SLACK
    request.max_content_length = cap  # a body of unknown length stops at the same size
    if (request.content_length or 0) <= cap:
        return None
    found = _history_import() if request.endpoint == "workspace.history_import_preview" else None
    if found is None:
        found = _open_visit(int((request.view_args or {})["visit_id"]))
    message = _("Tệp lớn quá giới hạn %(limit)s MB.", limit=MAX_BYTES // (1024 * 1024))
    return found.page("office/import_start.html", 413, error=message)
