"""What the download routes and the ``kiemtra export`` commands share: which builder makes which
document, the file names, and the PDF conversion."""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from flask import current_app

from app import database
from exports.conclusion import build_conclusion
from exports.followup import build_followup
from exports.letterhead import Signature, signature_for
from exports.pdf import docx_to_pdf
from exports.signing import Credentials, SigningError, Verification, load_signer, sign_pdf, verify_pdf
from exports.summary import build_summary
from exports.visit_report import build_visit_report
from models import IssuedDocument, Organization, User, Visit
from models.labels import label
from workflows import documents as flow
from workflows import issuing
from workflows.documents import DocumentKind, SummaryFacts, check_can_issue
from workflows.followup import Followup
from workflows.report_back import REPORT_BACK_DAYS
from workflows.report_back import task_of as report_back_task_of

DOCX = "docx"
PDF = "pdf"
MIMETYPES = {
    DOCX: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    PDF: "application/pdf",
}
CONCLUSION_REPORT_DAYS = REPORT_BACK_DAYS  # the unit reports on its plan within a month of the notice
FOLLOWUP_REPORT_DAYS = 15
_UNSAFE_IN_NAMES = re.compile(r'[\\/:*?"<>|\x00-\x1f]+')


@dataclass(frozen=True)
class DocumentFile:
    """A file ready to send or write."""

    data: bytes
    filename: str
    mimetype: str


Builder = Callable[[str | None], bytes]  # symbol of an issued document, or None for a draft


def visit_builder(
    kind: DocumentKind, visit: Visit, issued_on: date, report_due_on: date | None = None
) -> Builder:
    """The builder of a visit's report or conclusion, dated ``issued_on``."""
    if kind is DocumentKind.VISIT_REPORT:
        return lambda number: build_visit_report(visit, issued_on=issued_on, number=number)
    due = report_due_on or recorded_report_due_on(visit) or issued_on + timedelta(days=CONCLUSION_REPORT_DAYS)
    return lambda number: build_conclusion(visit, issued_on=issued_on, report_due_on=due, number=number)


def recorded_report_due_on(visit: Visit) -> date | None:
    """The report-back date recorded when the visit was concluded (moved by approved extensions)."""
    task = report_back_task_of(visit)
    return task.due_on if task is not None else None


def summary_builder(
    facts: SummaryFacts, issuer: Organization, issued_on: date, signer: User | None = None
) -> Builder:
    """The builder of the leadership summary of ``facts``, issued by ``issuer``."""
    signature = signature_of(signer, issuer)
    return lambda number: build_summary(
        facts, issuer=issuer, issued_on=issued_on, number=number, signature=signature
    )


def followup_builder(
    letter: Followup,
    issued_on: date,
    report_due_on: date | None = None,
    signer: User | None = None,
) -> Builder:
    """The builder of the follow-up letter ``letter`` (from ``workflows.followup.prepare``); the
    signer signs it when the letter goes out in their own body's name."""
    due = report_due_on or issued_on + timedelta(days=FOLLOWUP_REPORT_DAYS)
    own = signer is not None and signer.organization_id == letter.issuer.id
    signature = signature_of(signer, letter.issuer) if own else None
    return lambda number: build_followup(
        letter.facts,
        issuer=letter.issuer,
        issued_on=issued_on,
        report_due_on=due,
        number=number,
        signature=signature,
        notices=letter.notices,
    )


def signature_of(user: User | None, issuer: Organization) -> Signature | None:
    """The signing block of the user's person when the account is linked to one, else in the
    body's name over the account's display name (the leader who makes the document signs it)."""
    if user is None:
        return None
    if user.person is None:
        return signature_for(issuer, user.display_name, None) if user.display_name else None
    return signature_for(issuer, user.person.full_name, user.person.position)


def file_name(kind: DocumentKind, subject: str, day: date, symbol: str | None = None) -> str:
    """A file name a person recognises, Vietnamese letters kept: "Báo cáo kết quả kiểm tra 12-BC-BTGTU
    - Huyện ủy Bù Đốp - 14-06-2023" (without the extension)."""
    # The files are Vietnamese documents: their names are too, whatever the interface language.
    title = label(kind, "vi") + (f" {symbol}" if symbol else " (dự thảo)")
    return file_stem(f"{title} - {subject} - {day:%d-%m-%Y}")


def file_stem(name: str) -> str:
    """``name`` made safe as a file name on every system, Vietnamese letters kept."""
    return " ".join(_UNSAFE_IN_NAMES.sub("-", name).split())[:180]


def to_pdf(docx: bytes) -> bytes:
    """The PDF of a Word file, through the configured LibreOffice."""
    return docx_to_pdf(
        docx,
        soffice=current_app.config.get("SOFFICE"),
        timeout=float(current_app.config.get("PDF_TIMEOUT", 120)),
    )


def render(data: bytes, fmt: str, stem: str) -> DocumentFile:
    """The Word file as it is, or converted to PDF."""
    if fmt == PDF:
        data = to_pdf(data)
    return DocumentFile(data=data, filename=f"{stem}.{fmt}", mimetype=MIMETYPES[fmt])


def issue(
    actor: User,
    kind: DocumentKind,
    build: Builder,
    *,
    issuer: Organization,
    issued_on: date,
    subject: str,
    visit: Visit | None = None,
    reason: str | None = None,
    cites: IssuedDocument | None = None,
) -> IssuedDocument:
    """Issue through the register: one number, the Word file and its PDF kept under it.

    The PDF is made while the number is held, so a failed conversion leaves the number unused
    (``ISSUED_PDF = False`` keeps the Word file alone, for a server without LibreOffice).
    """
    credentials = signing_credentials(issuer, issued_on)
    signed = {}

    def pdf_of(docx: bytes) -> bytes:
        pdf = to_pdf(docx)
        if credentials is None:
            return pdf
        signer_name = actor.person.full_name if actor.person else actor.display_name
        pdf = sign_pdf(
            pdf,
            credentials,
            signer_name=signer_name or credentials.subject,
            location=issuer.place_name or "",
            tsa_url=current_app.config.get("SIGNING_TSA_URL") or None,
        )
        signed["by"] = credentials.subject
        return pdf

    convert = pdf_of if current_app.config.get("ISSUED_PDF", True) else None
    prepared = None
    if database.reading():
        # A reads_first view: build and convert for the expected number before the write lock, which
        # is then held only to take the number and store the bytes (rebuilt if the number moved on).
        check_can_issue(kind, actor, issuer, visit)
        symbol = issuing.expected_symbol(issuer, kind, issued_on, terms())
        docx = build(symbol)
        prepared = issuing.Prepared(symbol, docx, convert(docx) if convert else None)
        database.start_writing()
    document = issuing.issue_document(
        actor,
        kind,
        issuer=issuer,
        issued_on=issued_on,
        build=build,
        to_pdf=convert,
        visit=visit,
        subject=subject,
        reason=reason,
        cites=cites,
        terms=terms(),
        prepared=prepared,
    )
    if signed:
        issuing.record_signature(document, actor, signer=signed["by"], valid=None, intact=True)
    return document


def signing_credentials(issuer: Organization, on: date) -> Credentials | None:
    """The issuing body's signing key, when ``SIGNING_KEYS_DIR`` holds ``<CODE>.p12`` for it (with
    its password in ``<CODE>.password``); None when the body signs by hand. A key that cannot sign
    for the body that day raises ``SigningError``, and nothing is issued."""
    folder = current_app.config.get("SIGNING_KEYS_DIR")
    if not folder:
        return None
    key_file = Path(folder) / f"{issuer.code}.p12"
    if not key_file.is_file():
        return None
    password_file = key_file.with_suffix(".password")
    password = password_file.read_text(encoding="utf-8").strip() if password_file.is_file() else None
    return load_signer(key_file.read_bytes(), password, body_names=(issuer.name, issuer.code), on=on)


def trust_roots() -> list[bytes]:
    """The certificates signatures must chain to (``SIGNING_TRUST_ROOTS``: PEM files, comma-separated)."""
    paths = [p.strip() for p in str(current_app.config.get("SIGNING_TRUST_ROOTS") or "").split(",")]
    return [Path(p).read_bytes() for p in paths if p]


def verify_upload(document: IssuedDocument, actor: User, data: bytes) -> Verification:
    """Check a signed PDF uploaded back for ``document`` and keep it when it is valid and unchanged.

    In a ``reads_first`` view the signature check and the hash (the slow part) run before the write
    transaction starts; the document is read again under the lock, so a cancellation or another signed
    copy saved meanwhile is seen."""
    verification = verify_pdf(data, trust_roots())
    if not verification.intact:
        raise SigningError(f"{verification.summary} Không ghi nhận bản đã ký này.")
    if not verification.valid:
        raise SigningError(f"{verification.summary} Không ghi nhận bản đã ký này.")
    digest = issuing.sha256_of(data)
    if database.reading():
        database.start_writing()
    issuing.keep_signed_copy(document, actor, data, verification, sha256=digest)
    return verification


def issued_copy(document: IssuedDocument, fmt: str) -> DocumentFile:
    """The file kept when ``document`` was issued, byte for byte."""
    kept = issuing.issued_file(document, fmt)
    stem = issued_stem(document, document.subject or document.issuer.name)
    if fmt == issuing.SIGNED:
        return DocumentFile(data=kept.data, filename=f"{stem} (ký số).pdf", mimetype=MIMETYPES[PDF])
    return DocumentFile(data=kept.data, filename=f"{stem}.{fmt}", mimetype=MIMETYPES[fmt])


def issued_stem(document: IssuedDocument, subject: str) -> str:
    """The file name of an issued document, with its number."""
    return file_name(
        DocumentKind(document.kind), subject, document.issued_on, document.symbol.replace("/", "-")
    )


def terms() -> tuple[tuple[date, str], ...]:
    """The committee terms numbering runs in (setting ``DOCUMENT_TERMS``, else the defaults)."""
    return tuple(current_app.config.get("DOCUMENT_TERMS") or flow.DEFAULT_TERMS)
