"""Correcting a concluded visit: the form of its texts with a reason, and the đính chính it issues
where the visit report or the conclusion notice already went out."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField, TextAreaField
from wtforms.validators import InputRequired

from app.acting import Refused, error_message, run
from app.documents import service
from app.workspace.common import bp
from app.workspace.forms import MaxLength
from app.workspace.visits import _visible_visit, dossier_options
from models import IssuedDocument, Visit, VisitCorrection
from models.vntext import nfc
from workflows import corrections as flow
from workflows import revisions
from workflows.clock import local_today
from workflows.documents import DocumentKind
from workflows.errors import StaleRecord


class CorrectionForm(FlaskForm):
    """The visit's own texts and the reason; findings and directives come as ``finding-<id>``,
    ``directive-<id>-title`` and ``directive-<id>-body``."""

    version = HiddenField()
    reason = TextAreaField(
        _l("Lý do đính chính"),
        filters=[nfc],
        validators=[InputRequired(_l("Hãy ghi lý do đính chính.")), MaxLength(flow.REASON_MAX)],
    )
    title = StringField(
        _l("Tiêu đề"), filters=[nfc], validators=[InputRequired(_l("Chưa nhập tiêu đề.")), MaxLength(300)]
    )
    place = StringField(_l("Địa điểm"), filters=[nfc], validators=[MaxLength(200)])
    decision_ref = StringField(
        _l("Căn cứ (quyết định, kế hoạch kiểm tra)"), filters=[nfc], validators=[MaxLength(300)]
    )
    summary = TextAreaField(_l("Tóm tắt"), filters=[nfc], validators=[MaxLength(20_000)])


def _typed(visit: Visit) -> dict[str, str]:
    """The texts of findings and directives as shown on the form: typed ones after a refusal."""
    values: dict[str, str] = {}
    for finding in visit.findings:
        values[f"finding-{finding.id}"] = finding.text
    for directive in visit.directives:
        values[f"directive-{directive.id}-title"] = directive.title or ""
        values[f"directive-{directive.id}-body"] = directive.body
    if request.method == "POST":
        values.update({key: request.form[key] for key in values if key in request.form})
    return values


def _page(
    form: CorrectionForm, visit: Visit, values: dict[str, str], status: int = 200
) -> ResponseReturnValue:
    return render_template("workspace/visit_correct.html", form=form, visit=visit, values=values), status


def _issue_notices(correction: VisitCorrection) -> list[IssuedDocument]:
    """A đính chính for every issued report or notice that prints some of the changes."""
    from exports.correction import build_correction  # python-docx: imported when a notice is made

    visit = correction.visit
    issued_on = local_today()
    notices = []
    for original, changes in flow.originals_to_correct(correction):

        def build(number: str | None, original: IssuedDocument = original, changes: list = changes) -> bytes:
            return build_correction(
                visit, original, changes, reason=correction.reason, issued_on=issued_on, number=number
            )

        notice = service.issue(
            current_user,
            DocumentKind.CORRECTION,
            build,
            issuer=original.issuer,
            issued_on=issued_on,
            subject=visit.inspected_org.name,
            visit=visit,
            cites=original,
        )
        correction.notices.append(notice)
        notices.append(notice)
    return notices


@bp.route("/visits/<int:visit_id>/correct", methods=["GET", "POST"])
def visit_correct(visit_id: int) -> ResponseReturnValue:
    """Amend the texts of a concluded visit through a recorded correction."""
    visit = _visible_visit(visit_id, *dossier_options())
    if not flow.can_correct(visit, current_user):
        abort(403)
    back = url_for("workspace.visit_detail", visit_id=visit.id)
    if visit.status not in flow.CORRECTED_STATES:
        flash(_("Đợt kiểm tra chưa kết luận; hãy sửa trực tiếp trên biểu mẫu đợt kiểm tra."), "warning")
        return redirect(back)
    if request.method == "GET":
        form = CorrectionForm(
            data={
                "version": str(visit.version),
                "title": visit.title,
                "place": visit.place or "",
                "decision_ref": visit.decision_ref or "",
                "summary": visit.summary or "",
            }
        )
        return _page(form, visit, _typed(visit))
    form = CorrectionForm()
    values = _typed(visit)
    if not form.validate():
        flash(_("Chưa lưu: hãy sửa các chỗ được đánh dấu bên dưới."), "error")
        return _page(form, visit, values)

    def correct() -> tuple[VisitCorrection, list[IssuedDocument]]:
        correction = flow.correct_visit(
            visit,
            current_user,
            reason=form.reason.data,
            version=form.version.data,
            fields={
                "title": form.title.data,
                "place": form.place.data,
                "decision_ref": form.decision_ref.data,
                "summary": form.summary.data,
            },
            findings={f.id: values[f"finding-{f.id}"] for f in visit.findings},
            directives={
                d.id: flow.DirectiveText(
                    title=values[f"directive-{d.id}-title"], body=values[f"directive-{d.id}-body"]
                )
                for d in visit.directives
            },
        )
        return correction, _issue_notices(correction)

    try:
        correction, notices = run(correct)
    except StaleRecord:
        visit = _visible_visit(visit_id, *dossier_options())
        flash(error_message(revisions.stale(visit)), "error")
        return _page(form, visit, values, 409)
    except Refused:  # the message is in a flash; a document that could not be made took no number
        return _page(form, _visible_visit(visit_id, *dossier_options()), values)
    message = _("Đã ghi đính chính (%(count)d nội dung).", count=len(correction.changes))
    if notices:
        message += " " + _(
            "Đã ban hành văn bản đính chính số %(symbols)s.", symbols=", ".join(n.symbol for n in notices)
        )
    flash(message, "success")
    return redirect(back + "#history")


def dossier_context(visit: Visit, *, look: bool = True) -> dict[str, Any]:
    """What the dossier shows of corrections: the history and whether the user may correct; ``look``
    False when the caller already knows the visit was never corrected."""
    can_correct = flow.can_correct(visit, current_user) and visit.status in flow.CORRECTED_STATES
    return {"corrections": flow.corrections_of(visit) if look else [], "can_correct": can_correct}
