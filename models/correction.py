"""A correction of a concluded visit: who amended which text, when, why, and the words it replaced."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.issued_document import IssuedDocument
from models.user import User
from models.visit import Visit


class VisitCorrection(Base):
    """One recorded amendment of a concluded visit's texts; its changes keep the original words."""

    __tablename__ = "visit_correction"
    __table_args__ = (CheckConstraint("length(reason) > 0", name="reason_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    made_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    made_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    reason: Mapped[str] = mapped_column(Text)

    visit: Mapped[Visit] = relationship()
    made_by: Mapped[User | None] = relationship()
    changes: Mapped[list[CorrectionChange]] = relationship(
        back_populates="correction", order_by="CorrectionChange.order", cascade="all, delete-orphan"
    )
    notices: Mapped[list[IssuedDocument]] = relationship(
        secondary="correction_notice", order_by="IssuedDocument.id", viewonly=False
    )


class CorrectionChange(Base):
    """One text changed by a correction: where it stands, the old words and the new."""

    __tablename__ = "correction_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    correction_id: Mapped[int] = mapped_column(
        ForeignKey("visit_correction.id", ondelete="CASCADE"), index=True
    )
    order: Mapped[int] = mapped_column(default=0)
    target: Mapped[str] = mapped_column(String(20))  # visit, finding or directive
    target_id: Mapped[int]
    field: Mapped[str] = mapped_column(String(40))  # title, place, decision_ref, summary, text, body
    location: Mapped[str] = mapped_column(String(200))  # "Ưu điểm, ý thứ 2", "Hai là (nội dung)"
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)

    correction: Mapped[VisitCorrection] = relationship(back_populates="changes")


class CorrectionNotice(Base):
    """The đính chính issued for a correction, one per original document it corrects."""

    __tablename__ = "correction_notice"

    correction_id: Mapped[int] = mapped_column(
        ForeignKey("visit_correction.id", ondelete="CASCADE"), primary_key=True
    )
    document_id: Mapped[int] = mapped_column(ForeignKey("issued_document.id"), primary_key=True)
