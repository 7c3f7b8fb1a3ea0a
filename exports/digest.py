"""The daily digest e-mail: one recipient, their notifications grouped by timeliness, in their language.

Pure: given the records, it returns the subject and both bodies; sending is the caller's business.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Protocol
from zoneinfo import ZoneInfo

from flask import render_template
from flask_babel import force_locale, gettext

from models import Notification, Task, User
from models.enums import NotificationKind, TaskStatus, Timeliness
from models.labels import label
from models.vntext import format_date

# The zone of workflows.clock; exporters depend on models only.
LOCAL_ZONE = ZoneInfo("Asia/Ho_Chi_Minh")


class DigestItem(Protocol):
    """A task and the recipient's notifications about it."""

    task: Task
    notifications: list[Notification]


class DigestSection(Protocol):
    """The items of one timeliness category (None: cancelled since); read-only, so any item type fits."""

    @property
    def timeliness(self) -> Timeliness | None: ...

    @property
    def items(self) -> Sequence[DigestItem]: ...


def section_title(timeliness: Timeliness | None) -> str:
    """The heading of a digest section: the category's word, or "cancelled" for tasks cancelled since."""
    return label(timeliness) if timeliness is not None else label(TaskStatus.CANCELLED)


# Tasks listed in one digest at most; the rest are counted and left to the inbox.
MAX_ITEMS = 50


@dataclass(frozen=True)
class Digest:
    """A composed e-mail: subject, plain text and HTML (UTF-8)."""

    subject: str
    text: str
    html: bytes
    language: str


def describe(notification: Notification) -> str:
    """Say in one line what a notification tells its recipient (in the current locale)."""
    kind = notification.kind
    due = format_date(notification.key_on)
    sent_on = notification.created_at.astimezone(LOCAL_ZONE).date()
    if kind in (NotificationKind.DUE_IN_7, NotificationKind.DUE_IN_3, NotificationKind.DUE_IN_1):
        left = (notification.key_on - sent_on).days
        if left <= 0:
            text = gettext("Hôm nay là hạn (%(due)s)", due=due)
        else:
            text = gettext("Còn %(days)d ngày đến hạn %(due)s", days=left, due=due)
    elif kind is NotificationKind.OVERDUE:
        text = gettext("Đã quá hạn %(due)s", due=due)
    elif kind is NotificationKind.ESCALATED:
        text = gettext(
            "Quá hạn %(days)d ngày (hạn %(due)s); đã báo cáo lãnh đạo",
            days=(sent_on - notification.key_on).days,
            due=due,
        )
    elif kind is NotificationKind.ASSIGNED:
        text = gettext("Được giao nhiệm vụ mới")
    elif kind is NotificationKind.RETURNED:
        text = gettext("Báo cáo bị trả lại, cần thực hiện tiếp")
    elif kind is NotificationKind.REPORTED:
        text = gettext("Đơn vị đã báo cáo hoàn thành, chờ xác nhận")
    elif kind is NotificationKind.EXTENSION_REQUESTED:
        text = gettext("Có đề nghị gia hạn chờ quyết định")
    elif kind is NotificationKind.EXTENSION_DECIDED:
        text = gettext("Đề nghị gia hạn đã có quyết định")
    else:  # pragma: no cover - every kind is listed above
        text = kind.value
    if notification.is_coordinating:
        text += " " + gettext("(đơn vị phối hợp)")
    return text


def _subject(sections: Sequence[DigestSection], today: date) -> str:
    counts = {section.timeliness: len(section.items) for section in sections}
    overdue, due_soon = counts.get(Timeliness.OVERDUE, 0), counts.get(Timeliness.DUE_SOON, 0)
    total = sum(counts.values())
    parts = []
    if overdue:
        parts.append(gettext("%(n)d quá hạn", n=overdue))
    if due_soon:
        parts.append(gettext("%(n)d sắp đến hạn", n=due_soon))
    if not parts:
        parts.append(gettext("%(n)d nhiệm vụ", n=total))
    return gettext(
        "[kiemtra] Nhắc việc ngày %(day)s: %(what)s", day=format_date(today), what=", ".join(parts)
    )


@dataclass(frozen=True)
class _Shown:
    """A section as the e-mail shows it: its first items, and how many it has in all."""

    timeliness: Timeliness | None
    items: list[DigestItem]
    total: int


def _first_items(sections: Sequence[DigestSection], limit: int) -> tuple[list[_Shown], int]:
    shown, left = [], limit
    for section in sections:
        if left > 0:
            shown.append(_Shown(section.timeliness, list(section.items[:left]), len(section.items)))
        left -= len(section.items)
    return shown, max(0, -left)


def compose_digest(
    recipient: User,
    sections: Sequence[DigestSection],
    *,
    today: date,
    language: str,
    task_url: Callable[[int], str],
    inbox_url: str,
    max_items: int = MAX_ITEMS,
) -> Digest:
    """Write the recipient's digest for ``today`` in ``language``, with a link to each task.

    A digest lists at most ``max_items`` tasks, the most urgent first, and says how many more the
    inbox holds: a mail of hundreds of lines (the first day of a province with old overdue tasks)
    is read by nobody.
    """
    shown, omitted = _first_items(sections, max_items)
    with force_locale(language):
        context = {
            "recipient": recipient,
            "sections": shown,
            "omitted": omitted,
            "today": today,
            "section_title": section_title,
            "describe": describe,
            "task_url": task_url,
            "inbox_url": inbox_url,
            "language": language,
        }
        subject = _subject(sections, today)
        text = render_template("reminders/email/digest.txt", subject=subject, **context)
        html = render_template("reminders/email/digest.html", subject=subject, **context)
    return Digest(subject=subject, text=text, html=html.encode("utf-8"), language=language)
