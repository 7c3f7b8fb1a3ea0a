"""Bulk imports on the admin pages: upload a spreadsheet, see what it would do, then confirm.

The uploaded file waits in the instance folder between the preview and the confirmation (never in
a process, so any web process can confirm it); confirming reads it again against the database as
it is then, and saves all of it or nothing.
"""

from __future__ import annotations

import re
import secrets
import time
from io import BytesIO
from pathlib import Path

from flask import abort, current_app, flash, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from werkzeug.exceptions import RequestEntityTooLarge

from app.office.common import bp
from exports.import_template import import_template
from models import db
from workflows.imports.kinds import KINDS, ImportKind
from workflows.imports.plan import ImportResult
from workflows.imports.sheet import MAX_BYTES, Problem, SheetRefused, read_sheet

TOKEN_PATTERN = re.compile(r"^[0-9]+-[A-Za-z0-9_-]{20,64}\.(xlsx|csv)$")
TITLES = {
    "orgs": _l("Nhập cơ quan, đơn vị từ bảng tính"),
    "people": _l("Nhập người và tài khoản từ bảng tính"),
}
KEEP_SECONDS = 24 * 3600  # a preview not confirmed within a day is dropped


def _kind(name: str) -> ImportKind:
    kind = KINDS.get(name)
    if kind is None:
        abort(404)
    return kind


def problem_text(problem: Problem) -> str:
    """A problem in the user's language."""
    message = gettext(problem.template, **problem.params) if problem.params else gettext(problem.template)
    return message


def import_folder() -> Path:
    folder = Path(current_app.config["IMPORT_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def drop_stale(folder: Path) -> None:
    cutoff = time.time() - KEEP_SECONDS
    for path in folder.iterdir():
        if TOKEN_PATTERN.match(path.name) and path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)


def _run(kind: ImportKind, data: bytes, filename: str) -> ImportResult:
    """Run the import in the session without keeping anything."""
    result = kind.run(current_user, read_sheet(data, filename, kind.spec))
    db.session.rollback()
    return result


def _urls(kind: ImportKind) -> dict[str, str]:
    """Where the import's pages send the user: the shared templates serve every import."""
    lists = {"orgs": "workspace.organization_list", "people": "workspace.user_list"}
    return {
        "start": url_for("office.import_start", kind_name=kind.name),
        "preview": url_for("office.import_preview", kind_name=kind.name),
        "confirm": url_for("office.import_confirm", kind_name=kind.name),
        "template": url_for("office.import_template_download", kind_name=kind.name),
        "list": url_for(lists[kind.name]),
    }


def _start_page(kind: ImportKind, error: str | None = None, status: int = 200) -> ResponseReturnValue:
    return (
        render_template(
            "office/import_start.html",
            kind=kind,
            spec=kind.spec,
            urls=_urls(kind),
            title=TITLES[kind.name],
            error=error,
            limit_mb=MAX_BYTES // (1024 * 1024),
        ),
        status,
    )


@bp.route("/admin/import/<kind_name>")
def import_start(kind_name: str) -> ResponseReturnValue:
    """Show the upload form with the columns the sheet needs and the template to download."""
    return _start_page(_kind(kind_name))


@bp.route("/admin/import/<kind_name>/template.xlsx")
def import_template_download(kind_name: str) -> ResponseReturnValue:
    """Send an empty spreadsheet with the right headers and a help sheet."""
    kind = _kind(kind_name)
    data = import_template(kind.spec, gettext)
    name = {"orgs": "mau-co-quan-don-vi.xlsx", "people": "mau-nguoi-tai-khoan.xlsx"}[kind.name]
    return send_file(
        BytesIO(data),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        as_attachment=True,
        download_name=name,
    )


@bp.route("/admin/import/<kind_name>", methods=["POST"])
def import_preview(kind_name: str) -> ResponseReturnValue:
    """Read the uploaded sheet and show what it would create or change, row by row, or its errors."""
    kind = _kind(kind_name)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return _start_page(kind, gettext("Chưa chọn tệp."), 400)
    data = upload.stream.read(MAX_BYTES + 1)
    suffix = ".csv" if upload.filename.lower().endswith(".csv") else ".xlsx"
    try:
        result = _run(kind, data, upload.filename)
    except SheetRefused as error:
        return _start_page(kind, problem_text(Problem(error.template, error.params)), 400)
    token = None
    if result.ok:
        token = f"{current_user.id}-{secrets.token_urlsafe(24)}{suffix}"
        folder = import_folder()
        drop_stale(folder)
        (folder / token).write_bytes(data)
    return render_template(
        "office/import_preview.html",
        kind=kind,
        spec=kind.spec,
        urls=_urls(kind),
        title=TITLES[kind.name],
        result=result,
        token=token,
        filename=upload.filename,
        problem_text=problem_text,
    )


@bp.route("/admin/import/<kind_name>/confirm", methods=["POST"])
def import_confirm(kind_name: str) -> ResponseReturnValue:
    """Save what the preview showed, all or nothing, reading the kept file again."""
    kind = _kind(kind_name)
    token = request.form.get("token", "")
    if not TOKEN_PATTERN.match(token) or not token.startswith(f"{current_user.id}-"):
        abort(404)
    path = import_folder() / token
    if not path.is_file():
        flash(gettext("Bản xem trước đã hết hạn hoặc đã được nhập; hãy gửi lại tệp."), "warning")
        return _start_page(kind)
    data = path.read_bytes()
    try:
        result = kind.run(current_user, read_sheet(data, token, kind.spec))
    except SheetRefused as error:
        db.session.rollback()
        return _start_page(kind, problem_text(Problem(error.template, error.params)), 400)
    if not result.ok:
        db.session.rollback()
        return render_template(
            "office/import_preview.html",
            kind=kind,
            spec=kind.spec,
            urls=_urls(kind),
            title=TITLES[kind.name],
            result=result,
            token=None,
            filename=request.form.get("filename", ""),
            problem_text=problem_text,
        )
    db.session.commit()
    path.unlink(missing_ok=True)
    return render_template(
        "office/import_done.html", kind=kind, urls=_urls(kind), title=TITLES[kind.name], result=result
    )


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(_error: RequestEntityTooLarge) -> ResponseReturnValue:
    """A file far over the limit is refused with the limit named, before it is read."""
    kind = KINDS.get((request.view_args or {}).get("kind_name", ""), KINDS["orgs"])
    message = gettext("Tệp lớn quá giới hạn %(limit)s MB.", limit=MAX_BYTES // (1024 * 1024))
    return _start_page(kind, message, 413)
