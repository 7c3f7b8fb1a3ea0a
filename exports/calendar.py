"""A personal iCalendar feed: one all-day event on the due date of each task."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, datetime, timedelta

from flask_babel import gettext

from models import Task
from models.enums import WORKING_TASK_STATUSES, TaskStatus
from models.labels import label
from models.vntext import format_date

PRODID = "-//kiemtra//Lich han nhiem vu//VI"


def _summary(task: Task, today: date) -> str:
    assert task.due_on is not None
    if task.status is TaskStatus.DONE:
        return gettext("[Đã hoàn thành] %(title)s", title=task.title)
    if task.status is TaskStatus.PAUSED:
        return gettext("[Tạm dừng] %(title)s", title=task.title)
    if task.status is TaskStatus.REPORTED:  # the unit has answered: never "overdue" while it waits
        return gettext("[Chờ xác nhận] %(title)s", title=task.title)
    if task.status in WORKING_TASK_STATUSES and task.due_on < today:
        return gettext("[Quá hạn] Hạn: %(title)s", title=task.title)
    return gettext("Hạn: %(title)s", title=task.title)


def _description(task: Task, link: str | None) -> str:
    visit = task.directive.visit
    lines = [gettext("Đơn vị chủ trì: %(unit)s", unit=task.lead_org.name)]
    if task.coordinating_orgs:
        lines.append(
            gettext("Đơn vị phối hợp: %(units)s", units=", ".join(o.name for o in task.coordinating_orgs))
        )
    lines.append(
        gettext(
            "Trạng thái: %(status)s, tiến độ %(progress)d%%",
            status=label(task.status),
            progress=task.progress,
        )
    )
    if task.original_due_on and task.original_due_on != task.due_on:
        lines.append(gettext("Hạn ban đầu: %(due)s (đã gia hạn)", due=format_date(task.original_due_on)))
    lines.append(
        gettext("Đợt kiểm tra: %(title)s, ngày %(day)s", title=visit.title, day=format_date(visit.visited_on))
    )
    if link:
        lines.append(link)
    return "\n".join(lines)


def build_calendar(
    tasks: Iterable[Task],
    *,
    name: str,
    today: date,
    now: datetime,
    task_url: Callable[[int], str | None],
) -> bytes:
    """Return the feed as iCalendar bytes; each event's UID follows its task, so a moved due date
    moves the event in the subscriber's calendar instead of adding a second one."""
    from icalendar import Calendar, Event  # imported on use: commands and workers start without it

    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    calendar.add("x-wr-timezone", "Asia/Ho_Chi_Minh")
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", "PT1H")
    for task in tasks:
        if task.due_on is None:
            continue
        link = task_url(task.id)
        event = Event()
        event.add("uid", f"task-{task.id}@kiemtra")
        event.add("dtstamp", now)
        event.add("dtstart", task.due_on)
        event.add("dtend", task.due_on + timedelta(days=1))
        event.add("summary", _summary(task, today))
        event.add("description", _description(task, link))
        event.add("transp", "TRANSPARENT")  # a deadline does not make anyone busy
        event.add("sequence", task.version)
        event.add("categories", ["kiemtra"])
        if link:
            event.add("url", link)
        calendar.add_component(event)
    return calendar.to_ical()
