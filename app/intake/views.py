"""Article intake pages: paste or upload an article, review what was read, save a planned visit."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.routing import BuildError

from app import database
from app.acting import Refused, error_message, run
from app.intake.forms import ArticleForm, ReviewForm, entry_span, review_data
from models import Visit
from models.vntext import format_date
from workflows import intake
from workflows.clock import parse_date
from workflows.errors import ValidationFailed
from workflows.intake import LOW_CONFIDENCE, DraftVisit, Span, parse_article
from workflows.intake_save import match_organisations, save_visit, visit_between

bp = Blueprint(
    "intake",
    __name__,
    url_prefix="/nhap-bai",
    static_folder="static",
    static_url_path="/tep",
)


def excerpt(text: str, span: Span | None, limit: int = 160) -> str:
    """The words of the article under ``span``, shortened for a hint under a field."""
    if not span or not text or not 0 <= span[0] <= span[1] <= len(text):
        return ""
    words = " ".join(text[span[0] : span[1]].split())
    return words if len(words) <= limit else words[: limit - 1].rstrip() + "…"


@bp.route("/", methods=["GET", "POST"])
@login_required
@database.reads_first
def start() -> ResponseReturnValue:
    """Take an article, pasted or as a file, and show the draft visit read from it."""
    form = ArticleForm()
    if not form.validate_on_submit():
        return render_template("intake/start.html", form=form, max_mb=intake.MAX_BYTES // 1_048_576), (
            400 if form.errors else 200
        )
    upload = form.file.data
    try:
        if upload and upload.filename:
            try:
                data = upload.stream.read(intake.MAX_BYTES + 1)  # never more than the limit into memory
            finally:
                upload.close()
            draft = parse_article(data, upload.filename)
        else:
            draft = parse_article(form.text.data or "")
    except ValidationFailed as error:
        field = form.file if upload and upload.filename else form.text
        field.errors = [error_message(error)]
        return render_template("intake/start.html", form=form, max_mb=intake.MAX_BYTES // 1_048_576), 400
    return _review_page(_first_review(draft), _warnings(draft), _checks(draft))


def _warnings(draft: DraftVisit) -> list[str]:
    """The parser's warnings in the user's language (each Vietnamese message is its own msgid)."""
    return [_(message, **params) if params else _(message) for message, params in draft.messages]


def _checks(draft: DraftVisit) -> list[dict[str, Any]]:
    """How each field was read and how sure it is, the least sure first, with the other candidates."""
    labels = {
        "visited_on": _("Ngày kiểm tra"),
        "inspecting_org": _("Cơ quan kiểm tra"),
        "inspected_org": _("Đơn vị được kiểm tra"),
        "subject": _("Nội dung kiểm tra"),
        "title": _("Tiêu đề"),
        "day_part": _("Buổi"),
        "place": _("Địa điểm"),
        "head": _("Trưởng Đoàn"),
    }
    values = {
        "visited_on": draft.visited_on,
        "inspecting_org": draft.inspecting_body,
        "inspected_org": draft.inspected_unit,
        "subject": draft.subject,
        "title": draft.title,
        "day_part": draft.day_part,
        "place": draft.place,
    }
    rows = []
    for name, how, confidence, others in draft.checks():
        found = values.get(name)
        value = draft.head.name if name == "head" and draft.head else found.value if found else ""
        rows.append(
            {
                "field": name,
                "label": labels[name],
                "value": format_date(value) if isinstance(value, date) else str(value),
                "how": how,
                "confidence": round(confidence * 100),
                "is_low": confidence < LOW_CONFIDENCE,
                "others": list(others),
            }
        )
    return rows


def _first_review(draft: DraftVisit) -> ReviewForm:
    inspecting, inspected = match_organisations(draft, current_user)
    form = ReviewForm(formdata=None, data=review_data(draft, inspecting, inspected))
    form.set_choices(current_user)
    # An organisation the registry does not know is a question for the user, shown on the field.
    if inspecting.problem and draft.inspecting_body:
        form.inspecting_org.errors = [inspecting.problem]
    if inspected.problem and draft.inspected_unit:
        form.inspected_org.errors = [inspected.problem]
    return form


def _review_page(
    form: ReviewForm, warnings: list[str], checks: list[dict[str, Any]] | None = None, status: int = 200
) -> ResponseReturnValue:
    text = form.source.data or ""

    def hint(span: Span | None) -> dict[str, Any]:
        return {"span": f"{span[0]},{span[1]}" if span else "", "excerpt": excerpt(text, span)}

    hints = {name: hint(form.span_of(name)) for name in _SPANNED_FIELDS}
    entry_hints = {
        name: [hint(entry_span(entry)) for entry in getattr(form, name)]
        for name in ("people", "findings", "directives")
    }
    return (
        render_template(
            "intake/review.html",
            form=form,
            duplicate=_duplicate_of(form),
            text=text,
            warnings=warnings,
            hints=hints,
            entry_hints=entry_hints,
            checks=checks or [],
        ),
        status,
    )


def _duplicate_of(form: ReviewForm) -> Visit | None:
    """A visit already recorded between the chosen bodies on the chosen day, that the user may open:
    shown on the review page before saving, with a link."""
    try:
        day = parse_date(form.visited_on.data)
    except ValidationFailed:  # shown under its field already
        return None
    inspecting, inspected = form.inspecting_org.data, form.inspected_org.data
    if day is None or not isinstance(inspecting, int) or not isinstance(inspected, int):
        return None
    found = visit_between(inspecting, inspected, day)
    return found if found is not None and found.can_view(current_user) else None


_SPANNED_FIELDS = (
    "title",
    "visited_on",
    "day_part",
    "inspecting_org",
    "inspected_org",
    "subject",
    "period_label",
    "place",
    "summary",
)


@bp.route("/luu", methods=["POST"])
@login_required
def save() -> ResponseReturnValue:
    """Save the reviewed draft as a planned visit and go to it."""
    form = ReviewForm()
    form.set_choices(current_user)
    if not form.validate_on_submit():
        return _review_page(form, [], status=400)
    try:
        visit = run(
            lambda: save_visit(current_user, form.reviewed(), allow_duplicate=form.allow_duplicate.data),
            form=form,
        )
    except Refused:
        return _review_page(form, [], status=400)
    flash(_("Đã lưu đợt kiểm tra %(reference)s từ bài viết.", reference=visit.reference), "success")
    return redirect(_visit_url(visit))


def _visit_url(visit: Visit) -> str:
    """The visit's page in the workspace when there is one, else the home page."""
    if "workspace.visit_detail" in current_app.view_functions:
        try:
            return url_for("workspace.visit_detail", visit_id=visit.id)
        except BuildError:
            pass
    return url_for("main.home")
