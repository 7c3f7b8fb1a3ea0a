"""Download and issue the official documents: drafts on GET, numbered copies on POST.

Inspectors and leaders who see a visit download its report and conclusion; inspectors of the
inspecting body issue them. Leaders download and issue summaries of their subtree and follow-up
letters to its units. A record outside the user's subtree answers 404; a role that may not have the
document answers 403.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask.typing import ResponseReturnValue
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app import database, once
from app.acting import Refused, error_message, run, safe_back
from app.documents import service
from app.documents.service import DOCX, PDF, DocumentFile
from exports.signing import Verification
from models import IssuedDocument, Organization, Visit, db
from models.enums import Role, VisitStatus
from models.vntext import whole_number
from workflows import documents as flow
from workflows import followup as followups
from workflows import issuing
from workflows.clock import local_today, parse_date
from workflows.documents import DocumentKind
from workflows.errors import DomainError, ValidationFailed
from workflows.scope import in_subtree, visits_in_scope

bp = Blueprint("documents", __name__, url_prefix="/van-ban")

VISIT_KINDS = {"bao-cao": DocumentKind.VISIT_REPORT, "thong-bao-ket-luan": DocumentKind.CONCLUSION}
FORMATS = (DOCX, PDF)


# -- Pages -----------------------------------------------------------------------------------------


@bp.route("/")
def index() -> ResponseReturnValue:
    """Show the documents a user can make: summaries and follow-up letters, visits, issued numbers."""
    today = local_today()
    org = current_user.organization
    context: dict[str, Any] = {"today": today, "issued": issuing.issued_in_scope(org, limit=20)}
    if current_user.role is Role.LEADER:
        scope = _organization_in_scope(whole_number(request.args.get("don_vi")) or org.id)
        try:
            _, start, end = _summary_arguments(request.args)
        except DomainError as error:
            flash(error_message(error), "error")
            start, end = date(today.year, 1, 1), today
        if end < start:
            flash(_("Ngày kết thúc kỳ báo cáo không được trước ngày bắt đầu."), "error")
            start, end = date(today.year, 1, 1), today
        context.update(
            scope=scope,
            scopes=db.session.scalars(
                select(Organization).where(in_subtree(Organization.path, org)).order_by(Organization.path)
            ).all(),
            period_start=start,
            period_end=end,
            overdue_units=(
                followups.units_to_follow_up(current_user, today)
                if scope.id == org.id
                else flow.units_with_overdue_tasks(scope, today)
            ),
        )
    context["visits"] = db.session.scalars(
        select(Visit)
        .where(visits_in_scope(org), Visit.status != VisitStatus.PLANNED)
        .options(joinedload(Visit.inspected_org), joinedload(Visit.inspecting_org))
        .order_by(Visit.visited_on.desc(), Visit.id.desc())
        .limit(20)
    ).all()
    return render_template("documents/index.html", **context)


# -- A visit's report and conclusion -----------------------------------------------------------------


@bp.route("/dot-kiem-tra/<int:visit_id>/<kind>.<fmt>")
def visit_draft(visit_id: int, kind: str, fmt: str) -> ResponseReturnValue:
    """Download a draft (blank number) of a visit's report or conclusion notice."""
    document_kind, visit = _visit_and_kind(visit_id, kind, fmt)

    def make() -> DocumentFile:
        flow.check_can_read_visit_documents(visit, current_user)
        issued_on = _date_arg("ngay", _("Ngày ban hành")) or local_today()
        due = _date_arg("han", _("Hạn báo cáo"))
        data = service.visit_builder(document_kind, visit, issued_on, due)(None)
        stem = service.file_name(document_kind, visit.inspected_org.name, issued_on)
        db.session.rollback()  # a read: end it before a conversion that may take seconds
        return service.render(data, fmt, stem)

    return _draft(make)


@bp.route("/dot-kiem-tra/<int:visit_id>/<kind>/cap-so", methods=["POST"])
@database.reads_first
def issue_visit_document(visit_id: int, kind: str) -> ResponseReturnValue:
    """Give a visit's report or conclusion its number and download the issued copy."""

    def make(fmt: str) -> IssuedDocument:
        document_kind, visit = _visit_and_kind(visit_id, kind, fmt)
        issued_on = _date_form("ngay", _("Ngày ban hành")) or local_today()
        due = _date_form("han", _("Hạn báo cáo"))
        return service.issue(
            current_user,
            document_kind,
            service.visit_builder(document_kind, visit, issued_on, due),
            issuer=visit.inspecting_org,
            issued_on=issued_on,
            subject=visit.inspected_org.name,
            visit=visit,
            reason=request.form.get("ly_do"),
        )

    return _issue(make)


# -- Leadership summary ------------------------------------------------------------------------------


@bp.route("/tong-hop.<fmt>")
def summary_draft(fmt: str) -> ResponseReturnValue:
    """Download a draft of the leadership summary of a subtree over a period."""
    _check_format(fmt)

    def make() -> DocumentFile:
        scope, start, end = _summary_arguments(request.args)
        today = local_today()
        facts = flow.summary_facts(scope, start, end, today, _due_soon_days())
        data = service.summary_builder(facts, _own_organization(), today, current_user)(None)
        db.session.rollback()  # a read: end it before a conversion that may take seconds
        return service.render(data, fmt, service.file_name(DocumentKind.SUMMARY, scope.name, today))

    return _draft(make)


@bp.route("/tong-hop/cap-so", methods=["POST"])
@database.reads_first
def issue_summary() -> ResponseReturnValue:
    """Give the leadership summary its number and download the issued copy."""

    def make(fmt: str) -> IssuedDocument:
        _check_format(fmt)
        scope, start, end = _summary_arguments(request.form)
        today = local_today()
        issuer = _own_organization()
        facts = flow.summary_facts(scope, start, end, today, _due_soon_days())
        return service.issue(
            current_user,
            DocumentKind.SUMMARY,
            service.summary_builder(facts, issuer, today, current_user),
            issuer=issuer,
            issued_on=today,
            subject=scope.name,
            reason=request.form.get("ly_do"),
        )

    return _issue(make)


# -- Follow-up letter --------------------------------------------------------------------------------


@bp.route("/don-doc/<int:org_id>.<fmt>")
def followup_draft(org_id: int, fmt: str) -> ResponseReturnValue:
    """Download a draft of the follow-up letter to a unit about its overdue tasks."""
    _check_format(fmt)
    unit = _followup_unit(org_id)

    def make() -> DocumentFile:
        today = local_today()
        letter = followups.prepare(unit, current_user, today)
        due = _date_arg("han", _("Hạn báo cáo"))
        data = service.followup_builder(letter, today, due, current_user)(None)
        db.session.rollback()  # a read: end it before a conversion that may take seconds
        return service.render(data, fmt, service.file_name(DocumentKind.FOLLOWUP, unit.name, today))

    return _draft(make)


@bp.route("/don-doc/<int:org_id>/cap-so", methods=["POST"])
@database.reads_first
def issue_followup(org_id: int) -> ResponseReturnValue:
    """Give the follow-up letter its number and download the issued copy."""

    def make(fmt: str) -> IssuedDocument:
        _check_format(fmt)
        unit = _followup_unit(org_id)
        today = local_today()
        letter = followups.prepare(unit, current_user, today)
        due = _date_form("han", _("Hạn báo cáo"))
        return service.issue(
            current_user,
            DocumentKind.FOLLOWUP,
            service.followup_builder(letter, today, due, current_user),
            issuer=letter.issuer,
            issued_on=today,
            subject=unit.name,
            reason=request.form.get("ly_do"),
        )

    return _issue(make)


# -- The register ------------------------------------------------------------------------------------


@bp.route("/so-van-ban")
def register() -> ResponseReturnValue:
    """List the issued documents the user's subtree issued or takes part in, with their files."""
    documents = issuing.issued_in_scope(current_user.organization)
    manageable = {document.id for document in documents if issuing.can_manage(document, current_user)}
    return render_template("documents/register.html", documents=documents, manageable=manageable)


@bp.route("/so-van-ban.xlsx")
def register_xlsx() -> ResponseReturnValue:
    """Download the register as the page lists it, as .xlsx."""
    from app.spreadsheets import as_of_note, send_xlsx
    from exports.table_xlsx import Column, Table, table_xlsx
    from models.labels import label
    from workflows.clock import local_date_of

    columns = [
        Column(_("Số, ký hiệu"), "text", 18),
        Column(_("Ngày"), "date"),
        Column(_("Loại"), "text", 24),
        Column(_("Về"), "text", 40),
        Column(_("Đợt kiểm tra"), "text", 40),
        Column(_("Cơ quan ban hành"), "text", 30),
        Column(_("Tình trạng"), "text", 14),
        Column(_("Ngày hủy"), "date"),
        Column(_("Lý do hủy"), "text", 30),
        Column(_("Ký số"), "text", 30),
        Column(_("SHA-256 bản Word"), "text", 20),
        Column(_("SHA-256 bản PDF"), "text", 20),
    ]
    rows = [
        [
            document.symbol,
            document.issued_on,
            label(DocumentKind(document.kind)),
            document.subject or "",
            document.visit.title if document.visit else "",
            document.issuer.name,
            _("Đã hủy") if document.is_cancelled else _("Có hiệu lực"),
            local_date_of(document.cancelled_at) if document.cancelled_at else None,
            document.cancel_reason or "",
            document.signer or "",
            document.file_sha256 or "",
            document.pdf_sha256 or "",
        ]
        for document in issuing.issued_in_scope(current_user.organization)
    ]
    today = local_today()
    notes = [_("Phạm vi: %(org)s", org=current_user.organization.name), as_of_note(today)]
    data = table_xlsx(Table(_("Sổ văn bản đã ban hành"), columns, rows, notes))
    return send_xlsx(data, f"so-van-ban-{today.isoformat()}.xlsx")


@bp.route("/so-van-ban/<int:document_id>.<fmt>")
def issued_download(document_id: int, fmt: str) -> ResponseReturnValue:
    """Download the Word or PDF file of an issued document, exactly as it was issued, or the
    signed copy uploaded back (``signed``)."""
    if fmt not in (*FORMATS, issuing.SIGNED):
        abort(404)
    document = _issued_or_404(document_id)

    def make() -> DocumentFile:
        issuing.check_can_read(document, current_user)
        result = service.issued_copy(document, fmt)
        db.session.rollback()  # a read
        return result

    return _draft(make)


@bp.route("/so-van-ban/<int:document_id>/huy", methods=["POST"])
def cancel_issued(document_id: int) -> ResponseReturnValue:
    """Cancel an issued number, with the reason; it stays in the register."""
    back = url_for("documents.register")
    if (replay := once.replayed(back)) is not None:
        return replay
    document = _issued_or_404(document_id)
    try:
        run(lambda: issuing.cancel_document(document, current_user, request.form.get("ly_do", "")))
    except Refused:
        return redirect(back)
    flash(_("Đã hủy số %(symbol)s.", symbol=document.symbol), "success")
    return redirect(back)


@bp.route("/so-van-ban/<int:document_id>/ky-so", methods=["POST"])
@database.reads_first
def upload_signed(document_id: int) -> ResponseReturnValue:
    """Check a signed PDF uploaded back for an issued document; keep it when valid and unchanged.

    The signature is checked and the file hashed before the write transaction (``reads_first``), so
    the write lock is held only to store the bytes."""
    back = url_for("documents.register")
    if (replay := once.replayed(back)) is not None:
        return replay
    document = _issued_or_404(document_id)
    upload = request.files.get("tep")

    def check() -> Verification:
        issuing.check_can_manage(document, current_user)
        if upload is None or not upload.filename:
            raise ValidationFailed("Hãy chọn tệp PDF đã ký.")
        return service.verify_upload(document, current_user, upload.read())

    try:
        verification = run(check, starts_writing=True)
    except Refused:
        return redirect(back)
    flash(verification.summary, "success")
    return redirect(back)


# -- Helpers for templates ---------------------------------------------------------------------------


def visit_document_actions(visit: Visit, *, look: bool = True) -> dict[str, Any]:
    """What the signed-in user may do with a visit's documents (for ``_visit_buttons.html``); ``look``
    False when the caller already knows the visit has no issued document (the dossier checks at once)."""
    user = current_user
    may_read = user.is_authenticated and user.role in (Role.INSPECTOR, Role.LEADER) and visit.can_view(user)
    may_issue = bool(may_read and visit.can_edit(user))
    return {
        "may_read": may_read,
        "may_issue_report": may_issue and visit.status is not VisitStatus.PLANNED,
        "may_issue_conclusion": may_issue and visit.status in (VisitStatus.CONCLUDED, VisitStatus.CLOSED),
        "issued": issuing.issued_for_visit(visit) if may_read and look else [],
        "today": local_today(),
    }


def leadership_document_actions(
    scope_org: Organization | None, period_start: date | None, period_end: date | None
) -> dict[str, Any]:
    """Whether the signed-in user may make the summary of the dashboard's scope, and its period
    (for ``_dashboard_buttons.html``); without a start, the period opens on 1 January."""
    user = current_user
    end = period_end or local_today()
    return {
        "may_read": bool(
            user.is_authenticated and user.role is Role.LEADER and scope_org and user.in_scope(scope_org)
        ),
        "start": period_start or date(end.year, 1, 1),
        "end": end,
    }


# -- Internals ---------------------------------------------------------------------------------------


def _visit_and_kind(visit_id: int, kind: str, fmt: str) -> tuple[DocumentKind, Visit]:
    _check_format(fmt)
    document_kind = VISIT_KINDS.get(kind)
    if document_kind is None:
        abort(404)
    visit = flow.load_visit(visit_id)
    if visit is None or not visit.can_view(current_user):
        abort(404)
    return document_kind, visit


def _organization_in_scope(org_id: int) -> Organization:
    org = flow.load_organization(org_id)
    if org is None or not current_user.in_scope(org):
        abort(404)
    return org


def _followup_unit(org_id: int) -> Organization:
    org = flow.load_organization(org_id)
    if org is None:
        abort(404)
    return org


def _summary_arguments(values: Any) -> tuple[Organization, date, date]:
    scope = _organization_in_scope(whole_number(values.get("don_vi")) or current_user.organization_id)
    flow.check_can_read_leadership_documents(scope, current_user)
    today = local_today()
    start = parse_date(values.get("tu"), field=_("Ngày bắt đầu")) or date(today.year, 1, 1)
    end = parse_date(values.get("den"), field=_("Ngày kết thúc")) or today
    return scope, start, end


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        abort(404)


def _date_arg(name: str, label: str) -> date | None:
    return parse_date(request.args.get(name), field=label)


def _date_form(name: str, label: str) -> date | None:
    return parse_date(request.form.get(name), field=label)


def _due_soon_days() -> int:
    from flask import current_app

    return int(current_app.config["DUE_SOON_DAYS"])


def _send(document: DocumentFile) -> ResponseReturnValue:
    # Werkzeug writes the name twice: an ASCII fallback and RFC 5987 ``filename*`` in UTF-8.
    from io import BytesIO

    return send_file(
        BytesIO(document.data),
        mimetype=document.mimetype,
        as_attachment=True,
        download_name=document.filename,
        max_age=0,
    )


def _draft(make: Callable[[], DocumentFile], *, starts_writing: bool = False) -> ResponseReturnValue:
    """Send the file ``make`` builds; a refusal goes back where the user came from, with its message."""
    try:
        return _send(run(make, starts_writing=starts_writing))
    except Refused:
        return redirect(safe_back(url_for("documents.index")))


def _issue(make: Callable[[str], IssuedDocument]) -> ResponseReturnValue:
    """Issue one numbered document in the format the form asks for and send its kept copy.

    A second click of the same form gets the first answer's page back (``app.once``) and takes no
    second number; a refusal takes no number and goes back with its message.
    """
    if (replay := once.replayed(safe_back(url_for("documents.index")))) is not None:
        return replay
    fmt = request.form.get("dinh_dang", DOCX)
    # service.issue builds and converts before it takes the write lock (the views are reads_first).
    return _draft(lambda: service.issued_copy(make(fmt), fmt), starts_writing=True)


def _issued_or_404(document_id: int) -> IssuedDocument:
    document = issuing.load_issued(document_id)
    if document is None:
        abort(404)
    return document


def _own_organization() -> Organization:
    issuer = flow.load_organization(current_user.organization_id)
    assert issuer is not None
    return issuer
