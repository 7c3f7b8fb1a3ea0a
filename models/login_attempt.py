"""Sign-in records kept in the database, so that every worker process sees them: failed attempts
(for throttling) and open sessions (so that signing out really ends a session)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from models.base import Base, UTCDateTime, utcnow
from models.user import User


class LoginAttempt(Base):
    """One failed sign-in, by the name that was typed and the address it came from."""

    __tablename__ = "login_attempt"
    __table_args__ = (
        Index("ix_login_attempt_username_at", "username_key", "attempted_at"),
        Index("ix_login_attempt_address_at", "address", "attempted_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The typed name, folded like usernames are; it need not belong to an account.
    username_key: Mapped[str] = mapped_column(String(60))
    address: Mapped[str] = mapped_column(String(64))
    attempted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)


class LoginSession(Base):
    """A signed-in browser. The cookie holds a random token; only its hash is stored here, and a
    session whose row is ended (sign-out, password change, deactivated account) is refused."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    user: Mapped[User] = relationship()

    @property
    def is_open(self) -> bool:
        """Not yet ended by sign-out or by an administrator."""
        return self.ended_at is None
