"""People who sit in delegations or receive them."""

from __future__ import annotations

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base
from models.organization import Organization
from models.vntext import nfc, search_key


class Person(Base):
    """A named official with their current position; the position on the day of a visit is
    kept on the delegation member."""

    __tablename__ = "person"

    id: Mapped[int] = mapped_column(primary_key=True)
    full_name: Mapped[str] = mapped_column(String(120))
    position: Mapped[str | None] = mapped_column(String(200))
    party_titles: Mapped[str | None] = mapped_column(String(80))  # "TUV", "HUV"
    organization_id: Mapped[int | None] = mapped_column(ForeignKey("organization.id"), index=True)
    search_key: Mapped[str] = mapped_column(String(120), default="", index=True)

    organization: Mapped[Organization | None] = relationship(back_populates="people")

    @validates("full_name", "position", "party_titles")
    def _normalise(self, key: str, value: str | None) -> str | None:
        value = nfc(value)
        if key == "full_name":
            self.search_key = search_key(value)
        return value

    @property
    def given_name(self) -> str:
        """The last word of the name, by which Vietnamese lists are sorted first."""
        return self.full_name.split()[-1] if self.full_name else ""

    def __repr__(self) -> str:
        return f"<Person {self.full_name}>"
