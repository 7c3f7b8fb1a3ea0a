"""Organisations form a tree; a user's scope is their organisation's subtree."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, enum_column
from models.enums import OrgKind
from models.vntext import nfc, search_key

if TYPE_CHECKING:
    from models.person import Person


class Organization(Base):
    """A Party or State body. Bodies that were merged or abolished keep their history through
    ``valid_from``/``valid_to`` instead of being rewritten."""

    __tablename__ = "organization"
    __table_args__ = (
        CheckConstraint("valid_to IS NULL OR valid_from IS NULL OR valid_to >= valid_from", name="validity"),
        CheckConstraint("parent_id IS NULL OR parent_id <> id", name="not_own_parent"),
        CheckConstraint("successor_id IS NULL OR successor_id <> id", name="not_own_successor"),
        Index("ix_organization_path", "path"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # A unique key for people and the command line ("HU-BUDOP"); ``doc_code`` is the symbol used
    # after the slash in document numbers ("HU"), which many bodies share.
    code: Mapped[str] = mapped_column(String(40), unique=True)
    doc_code: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    short_name: Mapped[str | None] = mapped_column(String(80))
    kind: Mapped[OrgKind] = mapped_column(enum_column(OrgKind, "org_kind"))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))
    # Materialised path of codes ("/TU-BP/HU-BUDOP/"), so a subtree is one indexed prefix match.
    path: Mapped[str] = mapped_column(String(400))
    place_name: Mapped[str | None] = mapped_column(String(80))
    valid_from: Mapped[date | None]
    valid_to: Mapped[date | None]
    search_key: Mapped[str] = mapped_column(String(200), default="")
    # The body that took over this one's work (the 2025 reorganisation merged districts into
    # communes); its open tasks can be moved there (``workflows.admin.record_successor``).
    successor_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="RESTRICT"))

    parent: Mapped[Organization | None] = relationship(
        remote_side=[id], back_populates="children", foreign_keys=[parent_id]
    )
    children: Mapped[list[Organization]] = relationship(back_populates="parent", foreign_keys=[parent_id])
    successor: Mapped[Organization | None] = relationship(remote_side=[id], foreign_keys=[successor_id])
    people: Mapped[list[Person]] = relationship(back_populates="organization")

    @validates("name", "short_name", "place_name", "code", "doc_code")
    def _normalise(self, key: str, value: str | None) -> str | None:
        value = nfc(value)
        if key == "code" and value:
            value = value.upper()
        if key == "name":
            self.search_key = search_key(value)
        return value

    def place_path(self, parent: Organization | None) -> None:
        """Attach to ``parent`` (or make a root) and compute the materialised path."""
        # Read the parent's path before linking, so a reload of the parent cannot flush a half-built child.
        self.path = f"{parent.path if parent else '/'}{self.code}/"
        self.parent = parent

    def contains(self, other: Organization | None) -> bool:
        """Tell whether ``other`` is this organisation or one of its descendants."""
        return other is not None and other.path.startswith(self.path)

    def is_valid_on(self, day: date) -> bool:
        """Tell whether the body existed on ``day``."""
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_to is None or day <= self.valid_to
        )

    def __repr__(self) -> str:
        return f"<Organization {self.code}>"
