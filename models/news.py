"""News posts written from a visit for the public site."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, UTCDateTime, enum_column, utcnow
from models.enums import NewsStatus
from models.user import User
from models.visit import Visit
from models.vntext import nfc


class NewsPost(Base):
    """An article about a visit; ``body_html`` is stored already sanitised."""

    __tablename__ = "news_post"
    __table_args__ = (
        CheckConstraint("(status = 'published') = (published_at IS NOT NULL)", name="published_at_state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    visit_id: Mapped[int | None] = mapped_column(ForeignKey("visit.id", ondelete="SET NULL"), index=True)
    title: Mapped[str] = mapped_column(String(300))
    slug: Mapped[str] = mapped_column(String(200), unique=True)
    lead: Mapped[str | None] = mapped_column(Text)
    body_html: Mapped[str] = mapped_column(Text, default="")
    author_line: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[NewsStatus] = mapped_column(
        enum_column(NewsStatus, "news_status"), default=NewsStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set on the first publication and kept: a post taken down and published again keeps its slug and date.
    first_published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    visit: Mapped[Visit | None] = relationship()
    created_by: Mapped[User | None] = relationship()

    @property
    def is_published(self) -> bool:
        """On the public site (templates ask this instead of comparing the status)."""
        return self.status is NewsStatus.PUBLISHED

    @validates("title", "lead", "author_line")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)
