"""One-time form tokens that were used, kept in the database so that every worker process and a restart
agree that a form was already sent."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class SpentFormToken(Base):
    """A form token consumed by its first submission; a second insert of the same hash finds it here."""

    __tablename__ = "spent_form_token"

    # sha256 of the token: the page still holds the token itself, the database only recognises it.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    spent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
