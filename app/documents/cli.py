"""``kiemtra export visit-report|conclusion|summary|followup … -o FILE [--pdf]``.

A draft (blank number) unless ``--issue --user NAME`` asks for a numbered copy, which goes through the
same issuing workflow, with the same permission checks, as the web page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from app.acting import run_command
from app.documents import service
from app.documents.service import DOCX, PDF
from exports.signing import SigningError, verify_pdf
from models import Organization, User, Visit, db
from workflows import documents as flow
from workflows import followup as followups
from workflows.clock import local_today
from workflows.documents import DocumentKind
from workflows.errors import DomainError

ISO_DATE = click.DateTime(formats=["%Y-%m-%d"])
CommandFunction = TypeVar("CommandFunction", bound=Callable[..., Any])


def _day(value: object) -> date | None:
    return value.date() if value is not None else None  # type: ignore[attr-defined]


def _output_options(command: CommandFunction) -> CommandFunction:
    options = [
        click.option(
            "-o",
            "--output",
            type=click.Path(dir_okay=False, writable=True),
            required=True,
            help="Tệp cần ghi.",
        ),
        click.option("--pdf", "as_pdf", is_flag=True, help="Ghi PDF (qua LibreOffice) thay vì Word."),
        click.option("--issue", is_flag=True, help="Cấp số văn bản (mặc định: bản dự thảo, để trống số)."),
        click.option("--user", "username", help="Tài khoản cấp số (bắt buộc với --issue)."),
        click.option(
            "--reason", help="Lý do khi cấp số lùi ngày hoặc vào nhiệm kỳ đã kết thúc (ghi vào nhật ký)."
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def _visit(reference: str) -> Visit:
    visit_id = db.session.scalar(select(Visit.id).where(Visit.reference == reference.strip()))
    if visit_id is None and reference.strip().isdigit():
        visit_id = int(reference)
    visit = flow.load_visit(visit_id) if visit_id is not None else None
    if visit is None:
        raise click.ClickException(f"Không có đợt kiểm tra «{reference}».")
    return visit


def _organization(code: str) -> Organization:
    org_id = db.session.scalar(select(Organization.id).where(Organization.code == code.strip().upper()))
    org = flow.load_organization(org_id) if org_id is not None else None
    if org is None:
        raise click.ClickException(f"Không có cơ quan, đơn vị mã «{code}».")
    return org


def _issuing_user(issue: bool, username: str | None) -> User | None:
    if not issue:
        return None
    if not username:
        raise click.ClickException("Cần --user để cấp số văn bản.")
    user = db.session.scalar(select(User).where(User.username == username.casefold()))
    if user is None or not user.is_active:
        raise click.ClickException(f"Không có tài khoản «{username}».")
    return user


def _write(
    kind: DocumentKind,
    build: service.Builder,
    *,
    subject: str,
    issued_on: date,
    output: str,
    as_pdf: bool,
    user: User | None,
    issuer: Organization,
    visit: Visit | None = None,
    reason: str | None = None,
) -> None:
    fmt = PDF if as_pdf or output.lower().endswith(".pdf") else DOCX

    def write() -> tuple[int, str]:
        """Make the file and write it; a number is kept only when the file is on disk."""
        if user is None:
            result = service.render(build(None), fmt, service.file_name(kind, subject, issued_on))
            note = "bản dự thảo, chưa có số"
        else:
            document = service.issue(
                user,
                kind,
                build,
                issuer=issuer,
                issued_on=issued_on,
                subject=subject,
                visit=visit,
                reason=reason,
            )
            result = service.issued_copy(document, fmt)
            note = f"Số {document.symbol}, sha256 {document.file_sha256}"
        Path(output).write_bytes(result.data)
        return len(result.data), note

    size, note = run_command(write)
    click.echo(f"Đã ghi {output} ({size // 1024 + 1} KB; {note}).")


@click.group("export")
def export_group() -> None:
    """Xuất văn bản ra tệp."""


@export_group.command("visit-report")
@click.argument("reference")
@click.option("--date", "issued_on", type=ISO_DATE, help="Ngày ban hành (YYYY-MM-DD); mặc định hôm nay.")
@_output_options
@with_appcontext
def visit_report_command(
    reference: str,
    issued_on: object,
    output: str,
    as_pdf: bool,
    issue: bool,
    username: str | None,
    reason: str | None,
) -> None:
    """Báo cáo kết quả kiểm tra của một đợt kiểm tra (số hiệu hoặc id)."""
    visit = _visit(reference)
    day = _day(issued_on) or local_today()
    _write(
        DocumentKind.VISIT_REPORT,
        service.visit_builder(DocumentKind.VISIT_REPORT, visit, day),
        subject=visit.inspected_org.name,
        issued_on=day,
        output=output,
        as_pdf=as_pdf,
        user=_issuing_user(issue, username),
        issuer=visit.inspecting_org,
        visit=visit,
        reason=reason,
    )


@export_group.command("conclusion")
@click.argument("reference")
@click.option("--date", "issued_on", type=ISO_DATE, help="Ngày ban hành (YYYY-MM-DD); mặc định hôm nay.")
@click.option("--report-due", type=ISO_DATE, help="Hạn đơn vị báo cáo kết quả; mặc định sau 30 ngày.")
@_output_options
@with_appcontext
def conclusion_command(
    reference: str,
    issued_on: object,
    report_due: object,
    output: str,
    as_pdf: bool,
    issue: bool,
    username: str | None,
    reason: str | None,
) -> None:
    """Thông báo kết luận kiểm tra của một đợt kiểm tra (số hiệu hoặc id)."""
    visit = _visit(reference)
    day = _day(issued_on) or local_today()
    _write(
        DocumentKind.CONCLUSION,
        service.visit_builder(DocumentKind.CONCLUSION, visit, day, _day(report_due)),
        subject=visit.inspected_org.name,
        issued_on=day,
        output=output,
        as_pdf=as_pdf,
        user=_issuing_user(issue, username),
        issuer=visit.inspecting_org,
        visit=visit,
        reason=reason,
    )


@export_group.command("summary")
@click.option("--org", "org_code", required=True, help="Mã cơ quan, đơn vị được tổng hợp (cả cấp dưới).")
@click.option("--from", "start", type=ISO_DATE, required=True, help="Ngày bắt đầu kỳ (YYYY-MM-DD).")
@click.option("--to", "end", type=ISO_DATE, required=True, help="Ngày kết thúc kỳ (YYYY-MM-DD).")
@click.option("--today", type=ISO_DATE, help="Tính đến ngày này; mặc định hôm nay.")
@click.option("--issuer", "issuer_code", help="Mã cơ quan ban hành; mặc định cơ quan được tổng hợp.")
@_output_options
@with_appcontext
def summary_command(
    org_code: str,
    start: object,
    end: object,
    today: object,
    issuer_code: str | None,
    output: str,
    as_pdf: bool,
    issue: bool,
    username: str | None,
    reason: str | None,
) -> None:
    """Báo cáo tổng hợp tình hình kiểm tra và thực hiện kết luận của một cơ quan trong một kỳ."""
    scope = _organization(org_code)
    user = _issuing_user(issue, username)
    issuer = _organization(issuer_code) if issuer_code else (user.organization if user else scope)
    day = _day(today) or local_today()
    try:
        facts = flow.summary_facts(scope, _day(start), _day(end), day, current_app.config["DUE_SOON_DAYS"])  # type: ignore[arg-type]
    except DomainError as error:
        raise click.ClickException(error.message) from None
    _write(
        DocumentKind.SUMMARY,
        service.summary_builder(facts, issuer, day, user),
        subject=scope.name,
        issued_on=day,
        output=output,
        as_pdf=as_pdf,
        user=user,
        issuer=issuer,
        reason=reason,
    )


@export_group.command("followup")
@click.option("--org", "org_code", required=True, help="Mã đơn vị được đôn đốc.")
@click.option(
    "--issuer", "issuer_code", help="Mã cơ quan gửi công văn; mặc định cơ quan của --user hoặc cấp trên."
)
@click.option("--today", type=ISO_DATE, help="Tính đến ngày này; mặc định hôm nay.")
@click.option("--report-due", type=ISO_DATE, help="Hạn đơn vị báo cáo; mặc định sau 15 ngày.")
@_output_options
@with_appcontext
def followup_command(
    org_code: str,
    issuer_code: str | None,
    today: object,
    report_due: object,
    output: str,
    as_pdf: bool,
    issue: bool,
    username: str | None,
    reason: str | None,
) -> None:
    """Công văn đôn đốc một đơn vị thực hiện các nhiệm vụ đã quá hạn."""
    unit = _organization(org_code)
    user = _issuing_user(issue, username)
    day = _day(today) or local_today()
    try:
        if user is not None and not issuer_code:
            letter = followups.prepare(unit, user, day)
        else:
            if issuer_code:
                sender = _organization(issuer_code)
            elif unit.parent is not None:
                sender = unit.parent
            else:
                raise click.ClickException("Cần --issuer: đơn vị này không có cơ quan cấp trên.")
            letter = followups.gather(unit, sender, day)
    except DomainError as error:
        raise click.ClickException(error.message) from None
    _write(
        DocumentKind.FOLLOWUP,
        service.followup_builder(letter, day, _day(report_due), user),
        subject=unit.name,
        issued_on=day,
        output=output,
        as_pdf=as_pdf,
        user=user,
        issuer=letter.issuer,
        reason=reason,
    )


@click.command("verify-signature")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@with_appcontext
def verify_signature_command(path: str) -> None:
    """Kiểm tra chữ ký số của một tệp PDF: ai ký, chữ ký có hợp lệ, văn bản có bị sửa sau khi ký."""
    try:
        verification = verify_pdf(Path(path).read_bytes(), service.trust_roots())
    except SigningError as error:
        raise click.ClickException(error.message) from None
    click.echo(verification.summary)
    if not (verification.valid and verification.intact):
        raise SystemExit(1)


def init_app(app: object) -> None:
    """Add the export commands to the app's ``export`` group (creating it if no feature has yet)."""
    from flask import Flask

    assert isinstance(app, Flask)
    group = app.cli.commands.get("export")
    if not isinstance(group, click.Group):
        group = click.Group("export", help="Xuất văn bản ra tệp.")
        app.cli.add_command(group)
    for command in export_group.commands.values():
        group.add_command(command)
    app.cli.add_command(verify_signature_command)
