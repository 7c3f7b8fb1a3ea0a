"""The registry of Party and State documents that directives cite."""

from __future__ import annotations

from datetime import date

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, validates

from models.base import Base, enum_column
from models.enums import LegalSystem
from models.vntext import nfc, search_key


class LegalDocument(Base):
    """A document known by its canonical code: ``05-CT/TW`` (Party) or ``30/2020/NĐ-CP`` (State)."""

    __tablename__ = "legal_document"
    __table_args__ = (CheckConstraint("year IS NULL OR (year >= 1930 AND year <= 2100)", name="year_range"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    system: Mapped[LegalSystem] = mapped_column(enum_column(LegalSystem, "legal_system"))
    number: Mapped[str] = mapped_column(String(12))
    type_code: Mapped[str] = mapped_column(String(8), index=True)
    issuer_code: Mapped[str] = mapped_column(String(16), index=True)
    year: Mapped[int | None]
    issued_on: Mapped[date | None]
    type_name: Mapped[str | None] = mapped_column(String(60))
    issuer_name: Mapped[str | None] = mapped_column(String(200))
    title: Mapped[str | None] = mapped_column(String(500))
    is_secret: Mapped[bool] = mapped_column(default=False)
    # The root organisation of the tree whose editors may correct the entry (the registry is shared by
    # every tree of a database, for reading and citing); None until an editor of some tree claims it.
    owner_root_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id", ondelete="SET NULL"))
    search_key: Mapped[str] = mapped_column(String(700), default="")

    @validates("code", "title", "type_name", "issuer_name")
    def _normalise(self, key: str, value: str | None) -> str | None:
        value = nfc(value)
        parts = [value if key == k else getattr(self, k) for k in ("code", "type_name", "title")]
        self.search_key = search_key(" ".join(p for p in parts if p))
        return value

    def __repr__(self) -> str:
        return f"<LegalDocument {self.code}>"
