"""Photos uploaded for a news post, kept outside the static folder under generated names."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from models.base import Base, UTCDateTime, utcnow
from models.news import NewsPost
from models.user import User
from models.vntext import nfc


class NewsImage(Base):
    """One photo of a post with its caption; the file is named ``stored_name`` on disk and is
    served only through the news blueprint, with the type found from its content."""

    __tablename__ = "news_image"
    __table_args__ = (CheckConstraint("size > 0", name="size_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    post_id: Mapped[int] = mapped_column(ForeignKey("news_post.id", ondelete="CASCADE"), index=True)
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    original_name: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    caption: Mapped[str | None] = mapped_column(String(500))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    post: Mapped[NewsPost] = relationship()
    uploaded_by: Mapped[User | None] = relationship()

    @validates("caption", "original_name")
    def _normalise(self, _key: str, value: str | None) -> str | None:
        return nfc(value)

    def __repr__(self) -> str:
        return f"<NewsImage {self.stored_name}>"
