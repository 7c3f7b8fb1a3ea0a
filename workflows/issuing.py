"""The register of issued documents: numbers, the files kept under them, cancellations.

Issuing gives a document the next number of its series (per issuer, document type and committee
term, HD36), builds the Word file with that number, converts that very file to PDF, and keeps both
sets of bytes with their sha256 under the one number. The counter row is incremented in the
database (``UPDATE … RETURNING``), never computed as ``max()+1``, so two issuers never share a
number. A number dated into a term that has closed, or before the last date already issued in its
series, needs a reason, which the record and the audit trail keep. A number is never deleted: a
cancelled one stays in the register with who cancelled it, when and why. Nothing here commits.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from sqlalchemy import Select, bindparam, func, or_, select, update
from sqlalchemy.orm import aliased, joinedload

from models import DocumentCounter, IssuedDocument, IssuedFile, Organization, User, Visit, db
from models.base import utcnow
from models.enums import Role
from workflows import audit
from workflows.clock import local_today
from workflows.documents import (
    DEFAULT_TERMS,
    TYPE_CODES,
    DocumentKind,
    check_can_issue,
    term_for,
)
from workflows.errors import DomainError, InvalidState, OutOfScope, PermissionDenied, ValidationFailed
from workflows.scope import in_subtree, visits_in_scope

DOCX = "docx"
PDF = "pdf"
SIGNED = "signed"
REASON_MAX = 1000

Build = Callable[[str], bytes]  # the symbol ("01-BC/BTGTU") → the Word file
Convert = Callable[[bytes], bytes]  # the Word file → its PDF


@dataclass(frozen=True)
class Prepared:
    """The files built, before the write transaction, for the number the series was expected to give
    (``expected_symbol``); ``issue_document`` keeps them when the number it takes is that one."""

    symbol: str
    docx: bytes
    pdf: bytes | None


def expected_symbol(
    issuer: Organization,
    kind: DocumentKind,
    issued_on: date,
    terms: Sequence[tuple[date, str]] = DEFAULT_TERMS,
) -> str:
    """The symbol the next number of the series would have if nobody else issued meanwhile (a read)."""
    type_code = TYPE_CODES[kind]
    term = term_for(issued_on, terms)
    last = db.session.scalar(
        select(DocumentCounter.last_number).where(
            DocumentCounter.issuer_org_id == issuer.id,
            DocumentCounter.type_code == type_code,
            DocumentCounter.term == term,
        )
    )
    return f"{(last or 0) + 1:02d}-{type_code}/{issuer.doc_code}"


def next_number(issuer: Organization, type_code: str, term: str) -> int:
    """Take the next number of the series (issuer, type, term) in the database.

    The counter row is created if missing (insert-or-nothing) and incremented with
    ``UPDATE … RETURNING``, so concurrent issuers wait on the row lock and each gets its own number.
    """
    db.session.flush()
    key = {"issuer_org_id": issuer.id, "type_code": type_code, "term": term}
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif dialect == "sqlite":
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]  # same on_conflict API
    else:  # pragma: no cover - kiemtra runs on SQLite and PostgreSQL only
        raise NotImplementedError(dialect)
    db.session.execute(insert(DocumentCounter).values(**key, last_number=0).on_conflict_do_nothing())
    return db.session.execute(
        update(DocumentCounter)
        .where(
            DocumentCounter.issuer_org_id == issuer.id,
            DocumentCounter.type_code == type_code,
            DocumentCounter.term == term,
        )
        .values(last_number=DocumentCounter.last_number + 1)
        .returning(DocumentCounter.last_number)
        .execution_options(synchronize_session=False)
    ).scalar_one()


def last_issued_on(issuer: Organization, type_code: str, term: str) -> date | None:
    """The latest date already given in the series, cancelled numbers included."""
    return db.session.scalar(
        select(func.max(IssuedDocument.issued_on)).where(
            IssuedDocument.issuer_org_id == issuer.id,
            IssuedDocument.type_code == type_code,
            IssuedDocument.term == term,
        )
    )


def exceptions_to_explain(
    issuer: Organization,
    type_code: str,
    issued_on: date,
    today: date,
    terms: Sequence[tuple[date, str]] = DEFAULT_TERMS,
) -> list[str]:
    """What is unusual about issuing into this series on ``issued_on``, each said as a sentence:
    a term that has closed, a date before the last one the series already carries. Call it after
    the series is locked (``next_number``) so the last date cannot change meanwhile."""
    term = term_for(issued_on, terms)
    found = []
    if issued_on < today and term != term_for(today, terms):
        found.append(f"Nhiệm kỳ {term} đã kết thúc; số này được cấp vào sổ của nhiệm kỳ đó.")
    last = last_issued_on(issuer, type_code, term)
    if last is not None and issued_on < last:
        found.append(
            f"Ngày ban hành {issued_on:%d/%m/%Y} trước ngày của văn bản đã cấp số gần nhất "
            f"cùng loại ({last:%d/%m/%Y})."
        )
    return found


def issue_document(
    actor: User,
    kind: DocumentKind,
    *,
    issuer: Organization,
    issued_on: date,
    build: Build,
    to_pdf: Convert | None = None,
    visit: Visit | None = None,
    subject: str | None = None,
    reason: str | None = None,
    cites: IssuedDocument | None = None,
    today: date | None = None,
    terms: Sequence[tuple[date, str]] = DEFAULT_TERMS,
    prepared: Prepared | None = None,
) -> IssuedDocument:
    """Give the document its number, build the Word file with it, convert that file to PDF
    (when ``to_pdf`` is given) and keep both files with their sha256 under the one number.

    Files ``prepared`` for the number taken are kept as they are, so the slow building and converting
    happen before the series is locked; another number (someone issued meanwhile) is built here.
    If building or converting fails the caller rolls back, and the number is not used.
    """
    check_can_issue(kind, actor, issuer, visit)
    today = today or local_today()
    reason = " ".join((reason or "").split())
    if len(reason) > REASON_MAX:
        raise ValidationFailed("Lý do dài quá %(count)s ký tự.", count=REASON_MAX)
    type_code = TYPE_CODES[kind]
    term = term_for(issued_on, terms)
    number = next_number(issuer, type_code, term)
    unusual = exceptions_to_explain(issuer, type_code, issued_on, today, terms)
    if unusual and not reason:
        raise ValidationFailed(
            "%(problems)s Muốn cấp số như vậy, hãy ghi lý do (sẽ lưu vào nhật ký).",
            problems=" ".join(unusual),
        )
    document = IssuedDocument(
        issuer=issuer,
        type_code=type_code,
        term=term,
        number=number,
        issued_on=issued_on,
        kind=kind.value,
        subject=(subject or "")[:300] or None,
        visit=visit,
        cites=cites,
        created_by=actor,
        exception_reason=reason if unusual else None,
    )
    if prepared is not None and prepared.symbol == document.symbol:
        docx, pdf = prepared.docx, prepared.pdf
    else:
        docx = build(document.symbol)
        pdf = to_pdf(docx) if to_pdf is not None else None
    document.file_sha256 = sha256_of(docx)
    document.pdf_sha256 = sha256_of(pdf) if pdf is not None else None
    db.session.add(document)
    for fmt, data in ((DOCX, docx), (PDF, pdf)):
        if data is not None:
            document.files.append(IssuedFile(format=fmt, data=data, size=len(data), sha256=sha256_of(data)))
    audit.record(
        actor,
        "document.issued",
        document,
        symbol=document.symbol,
        kind=kind.value,
        issued_on=issued_on.isoformat(),
        sha256=document.file_sha256,
        pdf_sha256=document.pdf_sha256,
        **({"reason": reason, "unusual": unusual} if unusual else {}),
    )
    return document


def cancel_document(document: IssuedDocument, actor: User, reason: str) -> None:
    """Cancel an issued number: it stays in the register, with who cancelled it, when and why."""
    check_can_manage(document, actor)
    if document.is_cancelled:
        raise InvalidState("Số %(symbol)s đã bị hủy trước đó.", symbol=document.symbol)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationFailed("Hãy ghi lý do hủy số văn bản.")
    if len(reason) > REASON_MAX:
        raise ValidationFailed("Lý do dài quá %(count)s ký tự.", count=REASON_MAX)
    document.cancelled_at = utcnow()
    document.cancelled_by = actor
    document.cancel_reason = reason
    audit.record(actor, "document.cancelled", document, symbol=document.symbol, reason=reason)


def record_signature(
    document: IssuedDocument, actor: User, *, signer: str, valid: bool | None, intact: bool | None
) -> None:
    """Note on the record who signed its PDF and what the check found."""
    document.signer = signer[:300]
    document.signed_at = utcnow()
    document.signature_valid = valid
    document.signature_intact = intact
    audit.record(actor, "document.signed", document, symbol=document.symbol, signer=signer)


def keep_signed_copy(
    document: IssuedDocument, actor: User, data: bytes, verification: Any, *, sha256: str | None = None
) -> None:
    """Keep a signed PDF uploaded back (valid and unchanged, as checked by the caller) beside the
    issued files; a document keeps one signed copy. ``sha256`` is the bytes' hash when the caller
    already took it (outside the write transaction)."""
    check_can_manage(document, actor)
    if document.is_cancelled:
        raise InvalidState("Số %(symbol)s đã bị hủy; không ghi nhận bản đã ký.", symbol=document.symbol)
    if document.file("signed") is not None:
        raise InvalidState("Văn bản %(symbol)s đã có bản ký số được lưu.", symbol=document.symbol)
    digest = sha256 or sha256_of(data)
    document.files.append(IssuedFile(format=SIGNED, data=data, size=len(data), sha256=digest))
    record_signature(
        document, actor, signer=verification.signer, valid=verification.valid, intact=verification.intact
    )


def check_can_read(document: IssuedDocument, actor: User) -> None:
    """Anyone whose subtree holds the issuer, or who sees the document's visit, may read it."""
    if actor.in_scope(document.issuer):
        return
    if document.visit is not None and document.visit.can_view(actor):
        return
    raise OutOfScope("Không tìm thấy văn bản.")


def can_manage(document: IssuedDocument, actor: User) -> bool:
    """Whether ``actor`` may cancel ``document`` or attach its signed copy (``check_can_manage``)."""
    try:
        check_can_manage(document, actor)
    except DomainError:
        return False
    return True


def check_can_manage(document: IssuedDocument, actor: User) -> None:
    """Who issues a kind of document for its issuer may cancel it or attach its signed copy."""
    check_can_read(document, actor)
    if not actor.in_scope(document.issuer):
        raise PermissionDenied("Chỉ cơ quan ban hành được hủy số hoặc cập nhật văn bản này.")
    if actor.role not in (Role.INSPECTOR, Role.LEADER):
        raise PermissionDenied("Chỉ cán bộ kiểm tra và lãnh đạo của cơ quan ban hành được làm việc này.")


def issued_file(document: IssuedDocument, fmt: str) -> IssuedFile:
    """The kept file of ``document`` in ``fmt``, with its bytes loaded."""
    found = db.session.scalar(
        select(IssuedFile).where(IssuedFile.document_id == document.id, IssuedFile.format == fmt)
    )
    if found is None:
        raise InvalidState("Văn bản này không có bản %(fmt)s được lưu.", fmt=fmt.upper())
    return found


def load_issued(document_id: int) -> IssuedDocument | None:
    """An issued document with its issuer, visit and files' descriptions."""
    return db.session.scalar(
        select(IssuedDocument)
        .where(IssuedDocument.id == document_id)
        .options(
            joinedload(IssuedDocument.issuer),
            joinedload(IssuedDocument.visit),
            joinedload(IssuedDocument.cites).joinedload(IssuedDocument.issuer),
        )
    )


def issued_for_visit(visit: Visit) -> list[IssuedDocument]:
    """The numbered documents of a visit, newest first."""
    return list(db.session.scalars(_issued_for_visit_statement(), {"visit_id": visit.id}))


@lru_cache(maxsize=1)
def _issued_for_visit_statement() -> Select[IssuedDocument]:
    """``issued_for_visit``'s query, built once (every dossier of an inspector or a leader asks it)."""
    return (
        select(IssuedDocument)
        .where(IssuedDocument.visit_id == bindparam("visit_id"))
        .options(joinedload(IssuedDocument.issuer))
        .order_by(IssuedDocument.issued_on.desc(), IssuedDocument.id.desc())
    )


def issued_in_scope(scope: Organization, limit: int = 200) -> list[IssuedDocument]:
    """The register as ``scope`` sees it: documents issued by bodies of the subtree, and those of
    visits the subtree takes part in; newest first."""
    issuer = aliased(Organization)
    visible_visits = select(Visit.id).where(visits_in_scope(scope))
    return list(
        db.session.scalars(
            select(IssuedDocument)
            .join(issuer, issuer.id == IssuedDocument.issuer_org_id)
            .where(or_(in_subtree(issuer.path, scope), IssuedDocument.visit_id.in_(visible_visits)))
            .options(
                joinedload(IssuedDocument.issuer),
                joinedload(IssuedDocument.visit),
                joinedload(IssuedDocument.cancelled_by),
                joinedload(IssuedDocument.cites).joinedload(IssuedDocument.issuer),
            )
            .order_by(IssuedDocument.created_at.desc(), IssuedDocument.id.desc())
            .limit(limit)
        )
    )


def sha256_of(data: bytes) -> str:
    """The hex SHA-256 kept beside every stored file."""
    return hashlib.sha256(data).hexdigest()
