"""The inspected unit's report on carrying out a conclusion notice: the office drafts it per directive
(kept as a draft), downloads it as a Word report issued by the unit, and submits it, which reports the
report-back task done; the inspecting side reads it here and verifies the task on its page."""

from __future__ import annotations

from io import BytesIO

from flask import abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm

from app.acting import Refused, run
from app.board.views import bp
from models import Task, db
from workflows import report_back
from workflows.clock import local_today

DOCX_MIMETYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


class DraftForm(FlaskForm):
    """The CSRF token of the draft form; its texts are named per directive and parsed by the view."""


def _load(task_id: int) -> Task:
    task = db.session.get(Task, task_id)
    if task is None or not task.can_view(current_user) or not report_back.is_report_back(task):
        abort(404)
    return task


def _writable(task: Task) -> bool:
    return report_back.can_write(task, current_user)


def _posted_texts(facts: report_back.ReportFacts) -> tuple[str, dict[int, str]]:
    general = request.form.get("general", "")
    texts = {
        line.directive_id: request.form.get(f"text-{line.directive_id}", "") for line in facts.directives
    }
    return general, texts


def _page(
    task: Task, *, posted: tuple[str, dict[int, str]] | None = None, status: int = 200
) -> tuple[str, int]:
    facts = report_back.report_facts(task, current_user)
    general, texts = posted or (facts.general, {line.directive_id: line.text for line in facts.directives})
    return (
        render_template(
            "board/report_back.html",
            task=task,
            facts=facts,
            general=general,
            texts=texts,
            form=DraftForm(),
            writable=_writable(task),
            can_verify=task.can_verify(current_user),
        ),
        status,
    )


@bp.route("/tasks/<int:task_id>/bao-cao-ket-qua", endpoint="report_back")
def report_back_page(task_id: int) -> tuple[str, int]:
    """The unit's report: each directive with its tasks, progress and evidence, and the unit's words."""
    return _page(_load(task_id))


@bp.route("/tasks/<int:task_id>/bao-cao-ket-qua", methods=["POST"])
def report_back_save(task_id: int) -> ResponseReturnValue:
    """Keep the draft; with ``action=download`` then download it, with ``action=submit`` send it."""
    task = _load(task_id)
    form = DraftForm()
    facts = report_back.report_facts(task, current_user)
    posted = _posted_texts(facts)
    if not form.validate_on_submit():
        flash(_("Biểu mẫu đã cũ; hãy tải lại trang rồi lưu lại."), "error")
        return _page(task, posted=posted, status=400)
    action = request.form.get("action", "save")

    def save() -> None:
        report_back.save_draft(task, current_user, general=posted[0], texts=posted[1])
        if action == "submit":
            report_back.submit_report(task, current_user)

    try:
        run(save)
    except Refused:
        return _page(_load(task_id), posted=posted, status=400)
    if action == "submit":
        flash(_("Đã gửi báo cáo; chờ cơ quan kiểm tra xác nhận."), "success")
        return redirect(url_for("board.task_detail", task_id=task_id))
    if action == "download":
        return redirect(url_for("board.report_back_download", task_id=task_id))
    flash(_("Đã lưu bản nháp báo cáo."), "success")
    return redirect(url_for("board.report_back", task_id=task_id))


@bp.route("/tasks/<int:task_id>/bao-cao-ket-qua.docx")
def report_back_download(task_id: int) -> ResponseReturnValue:
    """The report as a Word document in the Party layout, issued by the unit (number left blank)."""
    # Imported here: python-docx and the document service cost every command that builds the board
    # (``kiemtra scan-deadlines``) about 0.1 s of start-up, for a download few requests make.
    from app.documents import service
    from exports.report_back import build_report_back

    task = _load(task_id)
    facts = report_back.report_facts(task, current_user)
    today = local_today()
    data = build_report_back(facts, issued_on=today)
    db.session.rollback()  # a read
    stem = service.file_stem(
        f"Báo cáo kết quả thực hiện Thông báo kết luận - {facts.unit.name} - {today:%d-%m-%Y}"
    )
    return send_file(BytesIO(data), mimetype=DOCX_MIMETYPE, as_attachment=True, download_name=f"{stem}.docx")
