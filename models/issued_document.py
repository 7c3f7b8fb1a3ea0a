"""Word documents given an official number."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.organization import Organization
from models.user import User
from models.visit import Visit


class DocumentCounter(Base):
    """The next number per issuer, document type and committee term (Party numbering does not
    restart each calendar year)."""

    __tablename__ = "document_counter"

    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), primary_key=True)
    type_code: Mapped[str] = mapped_column(String(8), primary_key=True)
    term: Mapped[str] = mapped_column(String(20), primary_key=True)  # "2020-2025"
    last_number: Mapped[int] = mapped_column(default=0)


class IssuedDocument(Base):
    """A numbered document ("Số 12-BC/BTGTU") with the hash of the file that was issued."""

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("issuer_org_id", "type_code", "term", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    type_code: Mapped[str] = mapped_column(String(8))
    term: Mapped[str] = mapped_column(String(20))
    number: Mapped[int]
    issued_on: Mapped[date]
    kind: Mapped[str] = mapped_column(String(40))  # visit_report, conclusion, summary, followup
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"), index=True)
    file_sha256: Mapped[str | None] = mapped_column(String(64))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    issuer: Mapped[Organization] = relationship()
    visit: Mapped[Visit | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def symbol(self) -> str:
        """The Party form of the number: ``12-BC/BTGTU``."""
        return f"{self.number}-{self.type_code}/{self.issuer.doc_code}"
