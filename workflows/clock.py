"""Calendar dates are taken in Asia/Ho_Chi_Minh, whatever zone the server runs in."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from workflows.errors import ValidationFailed

LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")
# Dates typed by users stay in a range every calendar computation (due date + 1 day …) can handle.
MIN_YEAR, MAX_YEAR = 1900, 2100


def local_today(now: datetime | None = None) -> date:
    """Return today's date in Vietnam (a task due 07/03 is overdue from 00:00 on 08/03 there)."""
    instant = now or datetime.now(UTC)
    if instant.tzinfo is None:
        raise ValueError("naive datetime")
    return instant.astimezone(LOCAL_ZONE).date()


def local_date_of(instant: datetime) -> date:
    """Return the Vietnamese calendar date of an aware instant."""
    return local_today(instant)


def parse_date(text: str | date | None, *, field: str = "Ngày") -> date | None:
    """Read a dd/mm/yyyy (or ISO yyyy-mm-dd) date typed by a user; a day that does not exist
    on the calendar, such as 31/02/2023, gets a clear message."""
    if text is None or isinstance(text, date):
        return text
    raw = text.strip()
    if not raw:
        return None
    # ASCII digits only: \d alone also takes fullwidth and Arabic-Indic ones.
    match = re.fullmatch(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})", raw, re.ASCII)
    if match:
        day, month, year = (int(g) for g in match.groups())
    else:
        match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", raw, re.ASCII)
        if not match:
            raise ValidationFailed(
                "%(field)s «%(value)s» không đúng dạng ngày/tháng/năm (ví dụ 14/06/2023).",
                field=field,
                value=raw,
            )
        year, month, day = (int(g) for g in match.groups())
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationFailed(
            "%(field)s «%(value)s» có năm ngoài khoảng %(low)d–%(high)d.",
            field=field,
            value=raw,
            low=MIN_YEAR,
            high=MAX_YEAR,
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationFailed("%(field)s «%(value)s» không có trên lịch.", field=field, value=raw) from None


def as_if_on(day: date, now: datetime) -> datetime:
    """The instant at ``now``'s local clock time on ``day`` (``now`` itself when it is that day)."""
    local = now.astimezone(LOCAL_ZONE)
    if local.date() == day:
        return now
    return datetime.combine(day, local.timetz()).astimezone(UTC)
