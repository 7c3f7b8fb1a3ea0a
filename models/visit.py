"""An inspection visit with its delegation and findings (one aggregate)."""

from __future__ import annotations

from datetime import date, datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import (
    DayPart,
    DelegationRole,
    DelegationSide,
    FindingKind,
    Role,
    VisitStatus,
)
from models.organization import Organization
from models.person import Person
from models.vntext import nfc, search_key

if TYPE_CHECKING:
    from models.directive import Directive
    from models.user import User


class Visit(Base):
    """A delegation of the inspecting body visits the inspected unit on one day."""

    __tablename__ = "visit"
    __table_args__ = (
        CheckConstraint("inspecting_org_id <> inspected_org_id", name="distinct_bodies"),
        CheckConstraint(
            "period_end_on IS NULL OR period_start_on IS NULL OR period_end_on >= period_start_on",
            name="period_order",
        ),
        CheckConstraint("directive_counter >= 0", name="counter_not_negative"),
        CheckConstraint(
            "(status IN ('concluded', 'closed')) = (concluded_at IS NOT NULL)", name="concluded_at_state"
        ),
        CheckConstraint("(status = 'closed') = (closed_at IS NOT NULL)", name="closed_at_state"),
        CheckConstraint(
            "status <> 'closed' OR (closing_evaluation IS NOT NULL AND closing_evaluation <> '')",
            name="closed_has_evaluation",
        ),
        Index("ix_visit_inspected_date", "inspected_org_id", "visited_on"),
        Index("ix_visit_inspecting_date", "inspecting_org_id", "visited_on"),
        Index("ix_visit_visited_on", "visited_on", "id"),  # the visit list's order, newest first
        # The visits a subtree received from outside it, read from the index alone (scope.py).
        Index("ix_visit_received", "inspected_org_id", "inspecting_org_id", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(40), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    subject: Mapped[str] = mapped_column(String(200))  # "công tác tuyên giáo"
    period_label: Mapped[str | None] = mapped_column(String(120))  # "6 tháng đầu năm 2023"
    period_start_on: Mapped[date | None]
    period_end_on: Mapped[date | None]
    visited_on: Mapped[date]
    day_part: Mapped[DayPart | None] = mapped_column(enum_column(DayPart, "day_part"))
    place: Mapped[str | None] = mapped_column(String(200))
    # The decision or plan the visit carries out: "Quyết định số 123-QĐ/BTGTU ngày 02/6/2023 của …".
    decision_ref: Mapped[str | None] = mapped_column(String(300))
    inspecting_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    inspected_org_id: Mapped[int] = mapped_column(ForeignKey("organization.id"))
    status: Mapped[VisitStatus] = mapped_column(
        enum_column(VisitStatus, "visit_status"), default=VisitStatus.PLANNED, index=True
    )
    summary: Mapped[str | None] = mapped_column(Text)
    closing_evaluation: Mapped[str | None] = mapped_column(Text)
    # Directive numbers come from this counter, never from max()+1, so a number is never reused.
    directive_counter: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    concluded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    search_key: Mapped[str] = mapped_column(String(600), default="")
    version: Mapped[int] = mapped_column(default=1)

    inspecting_org: Mapped[Organization] = relationship(foreign_keys=[inspecting_org_id])
    inspected_org: Mapped[Organization] = relationship(foreign_keys=[inspected_org_id])
    created_by: Mapped[User | None] = relationship()
    members: Mapped[list[DelegationMember]] = relationship(
        back_populates="visit",
        order_by="(DelegationMember.side, DelegationMember.order)",
        cascade="all, delete-orphan",
    )
    findings: Mapped[list[Finding]] = relationship(
        back_populates="visit", order_by="(Finding.kind, Finding.order)", cascade="all, delete-orphan"
    )
    # The numbered requests; the report-back obligation's directive stays out (``report_back_directive``).
    directives: Mapped[list[Directive]] = relationship(
        back_populates="visit",
        order_by="Directive.number",
        cascade="all, delete-orphan",
        primaryjoin="and_(Visit.id == Directive.visit_id, Directive.is_report_back.is_(False))",
    )
    report_back_directive: Mapped[Directive | None] = relationship(
        primaryjoin="and_(Visit.id == Directive.visit_id, Directive.is_report_back.is_(True))",
        viewonly=True,
        uselist=False,
    )

    __mapper_args__ = {"version_id_col": version}

    @validates(
        "title",
        "subject",
        "period_label",
        "place",
        "decision_ref",
        "summary",
        "closing_evaluation",
        "reference",
    )
    def _normalise(self, key: str, value: str | None) -> str | None:
        value = nfc(value)
        if key in ("title", "subject", "place"):
            parts = [value if key == k else getattr(self, k) for k in ("title", "subject", "place")]
            self.search_key = search_key(" ".join(p for p in parts if p))
        return value

    @property
    def is_editable(self) -> bool:
        """Directives, findings and the delegation change only before the conclusion."""
        return self.status in (VisitStatus.PLANNED, VisitStatus.CONDUCTED)

    def can_view(self, user: User) -> bool:
        """Tell whether ``user`` sees this visit: either side lies in their subtree."""
        return user.in_scope(self.inspecting_org) or user.in_scope(self.inspected_org)

    def can_edit(self, user: User) -> bool:
        """Inspectors of the inspecting body (or above it) edit the visit."""
        return user.role is Role.INSPECTOR and user.in_scope(self.inspecting_org)

    def can_change_content(self, user: User) -> bool:
        """The delegation, findings and directives change only before the conclusion."""
        return self.can_edit(user) and self.is_editable

    def can_mark_conducted(self, user: User) -> bool:
        """A planned visit is marked as conducted."""
        return self.can_edit(user) and self.status is VisitStatus.PLANNED

    def can_close(self, user: User) -> bool:
        """A concluded visit is closed (once its tasks are finished, which the workflow checks)."""
        return self.can_edit(user) and self.status is VisitStatus.CONCLUDED

    def can_assign(self, user: User) -> bool:
        """Tasks are assigned until the visit is closed."""
        return self.can_edit(user) and self.status is not VisitStatus.CLOSED

    @property
    def head(self) -> DelegationMember | None:
        """The head of the delegation, if recorded."""
        return next((m for m in self.members if m.role is DelegationRole.HEAD), None)

    def __repr__(self) -> str:
        return f"<Visit {self.reference}>"


class DelegationMember(Base):
    """A person on one side of the meeting, with the position they held that day."""

    __tablename__ = "delegation_member"
    __table_args__ = (
        UniqueConstraint("visit_id", "person_id"),
        CheckConstraint(
            "(side = 'inspecting' AND role IN ('head', 'deputy_head', 'member', 'secretary'))"
            " OR (side = 'host' AND role IN ('host_chair', 'host_participant'))",
            name="role_matches_side",
        ),
        # One head per delegation.
        Index(
            "uq_delegation_member_one_head",
            "visit_id",
            unique=True,
            sqlite_where=text("role = 'head'"),
            postgresql_where=text("role = 'head'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    side: Mapped[DelegationSide] = mapped_column(enum_column(DelegationSide, "delegation_side"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id"), index=True)
    role: Mapped[DelegationRole] = mapped_column(enum_column(DelegationRole, "delegation_role"))
    position_on_day: Mapped[str | None] = mapped_column(String(200))
    order: Mapped[int] = mapped_column(default=0)

    visit: Mapped[Visit] = relationship(back_populates="members")
    person: Mapped[Person] = relationship()

    @validates("position_on_day")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)


class Finding(Base):
    """What the delegation found: an achievement, a limitation, a difficulty, a cause or a request."""

    __tablename__ = "finding"
    __table_args__ = (CheckConstraint("length(text) > 0", name="text_not_empty"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int] = mapped_column(ForeignKey("visit.id", ondelete="CASCADE"), index=True)
    kind: Mapped[FindingKind] = mapped_column(enum_column(FindingKind, "finding_kind"))
    text: Mapped[str] = mapped_column(Text)
    order: Mapped[int] = mapped_column(default=0)
    # Internal limitations stay out of news posts unless marked public.
    is_public: Mapped[bool] = mapped_column(default=False)

    visit: Mapped[Visit] = relationship(back_populates="findings")

    @validates("text")
    def _normalise(self, _key: str, value: str) -> str:
        return nfc(value) or ""
