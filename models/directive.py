"""The numbered follow-up directives a delegation's head issues, with what they cite."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, Column, ForeignKey, String, Table, Text, UniqueConstraint, false
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, UTCDateTime, utcnow
from models.legal_document import LegalDocument
from models.visit import Finding, Visit
from models.vntext import nfc, ordinal_la

if TYPE_CHECKING:
    from models.recurrence import Recurrence
    from models.task import Task

directive_citation = Table(
    "directive_citation",
    Base.metadata,
    Column("directive_id", ForeignKey("directive.id", ondelete="CASCADE"), primary_key=True),
    Column("legal_document_id", ForeignKey("legal_document.id"), primary_key=True, index=True),
)

directive_finding = Table(
    "directive_finding",
    Base.metadata,
    Column("directive_id", ForeignKey("directive.id", ondelete="CASCADE"), primary_key=True),
    Column("finding_id", ForeignKey("finding.id", ondelete="CASCADE"), primary_key=True),
)


class Directive(Base):
    """One of the head's numbered requests ("Một là, …"); numbers are scoped to the visit."""

    __tablename__ = "directive"
    __table_args__ = (
        UniqueConstraint("visit_id", "number"),
        CheckConstraint("number >= 1", name="number_positive"),
        CheckConstraint("length(body) > 0", name="body_not_empty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"))
    number: Mapped[int]
    title: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    due_on: Mapped[date | None]
    due_period_label: Mapped[str | None] = mapped_column(String(120))  # "6 tháng cuối năm 2023"
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The report-back obligation of a concluded visit ("báo cáo kết quả thực hiện Thông báo kết luận …
    # trước ngày …") is a directive of its own, kept out of ``Visit.directives`` (so out of the
    # numbered requests the documents print): its one task, led by the inspected unit, is tracked and
    # counted like any task. See ``workflows.report_back``.
    is_report_back: Mapped[bool] = mapped_column(default=False, server_default=false())

    visit: Mapped[Visit] = relationship(back_populates="directives")
    citations: Mapped[list[LegalDocument]] = relationship(
        secondary=directive_citation, order_by=LegalDocument.code
    )
    findings: Mapped[list[Finding]] = relationship(secondary=directive_finding)
    tasks: Mapped[list[Task]] = relationship(back_populates="directive", order_by="Task.id")
    recurrences: Mapped[list[Recurrence]] = relationship(back_populates="directive", order_by="Recurrence.id")

    @property
    def running_recurrence(self) -> Recurrence | None:
        """The report duty that still creates tasks, if any."""
        return next((r for r in self.recurrences if r.stopped_at is None), None)

    @validates("title", "body", "due_period_label")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)

    @property
    def ordinal(self) -> str:
        """The spoken ordinal of the directive: "Một là", "Hai là" …"""
        return ordinal_la(self.number)

    def __repr__(self) -> str:
        return f"<Directive {self.visit_id}#{self.number}>"


class ReportBackText(Base):
    """The inspected unit's own words on one directive (or, on the report-back directive itself, the
    general part) in its draft report on the conclusion notice; kept until it is submitted and after."""

    __tablename__ = "report_back_text"

    directive_id: Mapped[int] = mapped_column(
        ForeignKey("directive.id", ondelete="CASCADE"), primary_key=True
    )
    body: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))

    @validates("body")
    def _normalise(self, _key: str, value: str | None) -> str:
        return nfc(value) or ""
