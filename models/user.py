"""Accounts that sign in to kiemtra."""

from __future__ import annotations

from datetime import datetime

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import Role
from models.organization import Organization
from models.person import Person
from models.vntext import nfc

# argon2id with argon2-cffi's RFC 9106 "low memory" profile defaults.
_hasher = PasswordHasher()


class User(Base):
    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    email: Mapped[str | None] = mapped_column(String(200))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(enum_column(Role, "role"))
    organization_id: Mapped[int] = mapped_column(ForeignKey("organization.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("person.id"), index=True)
    locale: Mapped[str] = mapped_column(String(8), default="vi")
    is_active: Mapped[bool] = mapped_column(default=True)
    calendar_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    organization: Mapped[Organization] = relationship()
    person: Mapped[Person | None] = relationship()

    @validates("username")
    def _normalise_username(self, _key: str, value: str) -> str:
        return (nfc(value) or "").casefold()

    @validates("display_name", "email")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)

    def set_password(self, password: str) -> None:
        """Store an argon2id hash of ``password``."""
        self.password_hash = _hasher.hash(password)

    def check_password(self, password: str) -> bool:
        """Tell whether ``password`` matches, without raising on a damaged hash."""
        try:
            return _hasher.verify(self.password_hash, password)
        except (VerificationError, InvalidHashError):
            return False

    # The four members Flask-Login expects, written out so models need no Flask import.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        return str(self.id)

    def in_scope(self, organization: Organization | None) -> bool:
        """Tell whether ``organization`` lies in this user's subtree."""
        return self.organization.contains(organization)

    def __repr__(self) -> str:
        return f"<User {self.username} {self.role}>"
