"""Documents given an official number, and the exact files that were issued under it."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.organization import Organization
from models.user import User
from models.visit import Visit

# Issued copies live in the database (table ``issued_file``), not in a folder: a backup of the
# database carries them, with their hashes in the same rows. Backup and restore read this tuple to
# know which tables hold issued copies and to check each file against its recorded sha256.
ISSUED_COPY_TABLES = ("issued_document", "issued_file")
ISSUED_COPY_FOLDERS: tuple[str, ...] = ()  # no folder under the instance path holds issued copies


class DocumentCounter(Base):
    """The next number per issuer, document type and committee term (Party numbering does not
    restart each calendar year)."""

    __tablename__ = "document_counter"

    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    term: Mapped[str] = mapped_column(String(20), primary_key=True)  # "2020-2025"
    last_number: Mapped[int] = mapped_column(default=0)


class IssuedDocument(Base):
    """A numbered document ("Số 12-BC/BTGTU"): its Word and PDF files are kept as issued.

    A number is never deleted: a cancelled one stays in the register with who cancelled it and why.
    """

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("issuer_org_id", "type_code", "term", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint(
            "(cancelled_at IS NULL) = (cancel_reason IS NULL)", name="cancel_reason_iff_cancelled"
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    type_code: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]
    issued_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(40))  # visit_report, conclusion, summary, followup, correction
    subject: Mapped[str | None] = mapped_column(String(300))  # whom or what it is about, for file names
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"), index=True)
    cites_id: Mapped[int | None] = mapped_column(ForeignKey("issued_document.id"))  # a correction's original
    file_sha256: Mapped[str | None] = mapped_column(String(64))  # the Word file's
    pdf_sha256: Mapped[str | None] = mapped_column(String(64))
    exception_reason: Mapped[str | None] = mapped_column(Text)  # why a closed term or an earlier date
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # The digital signature of the kept PDF (signed at issue, or a signed copy uploaded back).
    signer: Mapped[str | None] = mapped_column(String(300))
    signed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    signature_valid: Mapped[bool | None]  # the certificate chains to a trusted root and was valid
    signature_intact: Mapped[bool | None]  # the document is unchanged since it was signed

    issuer: Mapped[Organization] = relationship()
    visit: Mapped[Visit | None] = relationship()
    cites: Mapped[IssuedDocument | None] = relationship(remote_side=[id])
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    cancelled_by: Mapped[User | None] = relationship(foreign_keys=[cancelled_by_id])
    files: Mapped[list[IssuedFile]] = relationship(
        back_populates="document", order_by="IssuedFile.format", lazy="selectin"
    )

    @property
    def symbol(self) -> str:
        """The Party form of the number, from 01 (HD36): ``01-BC/BTGTU``, ``12-BC/BTGTU``."""
        return f"{self.number:02d}-{self.type_code}/{self.issuer.doc_code}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None

    def file(self, fmt: str) -> IssuedFile | None:
        """The issued file in ``fmt`` ("docx" or "pdf"), if one was kept."""
        return next((f for f in self.files if f.format == fmt), None)


class IssuedFile(Base):
    """The exact bytes of one form (Word or PDF) of an issued document; written once, never changed."""

    __tablename__ = "issued_file"
    __table_args__ = (
        UniqueConstraint("document_id", "format"),
        CheckConstraint("format IN ('docx', 'pdf', 'signed')", name="format_known"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_document.id"))
    format: Mapped[str] = mapped_column(String(8))  # docx, pdf, or signed: a signed PDF uploaded back
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    document: Mapped[IssuedDocument] = relationship(back_populates="files")


class ImmutableRecord(Exception):
    """An issued file was about to be changed or deleted."""


@event.listens_for(IssuedFile, "before_update")
@event.listens_for(IssuedFile, "before_delete")
def _refuse_change(_mapper: object, _connection: object, target: IssuedFile) -> None:
    raise ImmutableRecord(f"issued file {target.id} is kept as issued")
