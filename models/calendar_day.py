"""Days the Government announces each year beyond the statutory holidays: extra days off and the
Saturdays worked to make up for them (one row per date)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, UTCDateTime, utcnow


class CalendarDay(Base):
    """An announced day off (``is_working`` false) or a make-up working day (``is_working`` true)."""

    __tablename__ = "calendar_day"

    id: Mapped[int] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(unique=True)
    is_working: Mapped[bool]
    note: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def __repr__(self) -> str:
        return f"<CalendarDay {self.day} {'working' if self.is_working else 'off'}>"
