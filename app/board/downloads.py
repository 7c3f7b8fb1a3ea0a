"""The task list and the dashboard as spreadsheets: the same selection and numbers as the pages."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date
from typing import Any

from flask_babel import gettext as _
from sqlalchemy import select
from werkzeug.wrappers import Response

from app.board.dashboard import DashboardFacts, dashboard_facts, overdue_heading
from app.board.listing import urgency_order
from app.board.views import ListSelection, bp, list_selection
from app.spreadsheets import as_of_note, send_xlsx
from exports.table_xlsx import Column, Table, tables_xlsx
from models import Directive, Organization, Task, Visit, db
from models.enums import TaskStatus, Timeliness, TimelinessGroup
from models.labels import label
from models.vntext import format_date
from workflows.clock import local_date_of
from workflows.timeliness import TIMELINESS_OF_KEY, TimelinessCounts, category_on

# ---------------------------------------------------------------------------------------- task list


def _filter_notes(chosen: ListSelection) -> list[str]:
    """The filters of the list, in words, one line."""
    filters = chosen.filters
    parts: list[str] = []
    if chosen.scope is not None:
        parts.append(_("Phạm vi: %(org)s", org=chosen.scope.name))
    if chosen.lead is not None:
        parts.append(_("Đơn vị chủ trì: %(org)s", org=chosen.lead.name))
    if filters.visit is not None:
        # Named only if it has a task the user may see: a typed id must not reveal another unit's visit.
        title = db.session.scalar(
            select(Visit.title)
            .join(Directive, Directive.visit_id == Visit.id)
            .join(Task, Task.directive_id == Directive.id)
            .where(Visit.id == filters.visit, chosen.base)
            .limit(1)
        )
        if title is not None:
            parts.append(_("Đợt kiểm tra: %(title)s", title=title))
    if filters.status:
        word = (
            _("Chưa hoàn thành (mọi trạng thái)")
            if filters.status == "open"
            else label(TaskStatus(filters.status))
        )
        parts.append(_("Trạng thái: %(value)s", value=word))
    if filters.timeliness:
        parts.append(_("Thời hạn: %(value)s", value=_timeliness_word(filters.timeliness)))
    if filters.assigned_from or filters.assigned_to:
        parts.append(
            _(
                "Giao từ %(start)s đến %(end)s",
                start=format_date(filters.assigned_from) if filters.assigned_from else "…",
                end=format_date(filters.assigned_to) if filters.assigned_to else "…",
            )
        )
    if filters.completed_from or filters.completed_to:
        parts.append(
            _(
                "Hoàn thành từ %(start)s đến %(end)s",
                start=format_date(filters.completed_from) if filters.completed_from else "…",
                end=format_date(filters.completed_to) if filters.completed_to else "…",
            )
        )
    if filters.open_on:
        parts.append(_("Chưa hoàn thành vào cuối ngày %(day)s", day=format_date(filters.open_on)))
    notes = [_("Bộ lọc: %(filters)s", filters="; ".join(parts)) if parts else _("Bộ lọc: không")]
    notes.append(as_of_note(chosen.today))
    notes.append(_("Số nhiệm vụ: %(n)d", n=chosen.total))
    return notes


def _timeliness_word(key: str) -> str:
    if key == "done":
        return label(TaskStatus.DONE)
    if key in TimelinessGroup.__members__.values():
        return label(TimelinessGroup(key))
    if key in Timeliness.__members__.values():
        return label(Timeliness(key))
    return key


def task_columns() -> list[Column]:
    """The columns of an exported task list."""
    return [
        Column(_("STT"), "int", 6),
        Column(_("Mã nhiệm vụ"), "int", 10),
        Column(_("Nhiệm vụ"), "text", 60),
        Column(_("Đợt kiểm tra"), "text", 40),
        Column(_("Chỉ đạo số"), "int", 9),
        Column(_("Đơn vị chủ trì"), "text", 32),
        Column(_("Ngày giao"), "date"),
        Column(_("Hạn"), "date"),
        Column(_("Tiến độ"), "percent"),
        Column(_("Trạng thái"), "text", 20),
        Column(_("Thời hạn"), "text", 24),
        Column(_("Số ngày quá hạn"), "int", 12),
        Column(_("Ngày hoàn thành"), "date"),
    ]


def task_rows(conditions: Sequence[Any], today: date, soon: int, order: Sequence[Any]) -> Iterator[list[Any]]:
    """One row per task matching ``conditions``, its category on ``today`` by ``category_on``."""
    query = (
        select(
            Task.id,
            Task.title,
            Visit.title.label("visit_title"),
            Directive.number,
            Organization.name,
            Task.created_at,
            Task.due_on,
            Task.progress,
            Task.status,
            category_on(today, soon).label("category"),
            Task.completed_on,
        )
        .join(Directive, Directive.id == Task.directive_id)
        .join(Visit, Visit.id == Directive.visit_id)
        .join(Organization, Organization.id == Task.lead_org_id)
        .where(*conditions)
        .order_by(*order)
    )
    status_words = {status: label(status) for status in TaskStatus}
    category_words = {t: label(t) for t in Timeliness}
    for index, row in enumerate(db.session.execute(query.execution_options(yield_per=2000)), start=1):
        timeliness = TIMELINESS_OF_KEY.get(row.category)
        overdue = (today - row.due_on).days if timeliness is Timeliness.OVERDUE and row.due_on else 0
        yield [
            index,
            row.id,
            row.title,
            row.visit_title,
            row.number,
            row.name,
            local_date_of(row.created_at),
            row.due_on,
            row.progress / 100,
            status_words[row.status],
            category_words[timeliness] if timeliness is not None else "",
            overdue,
            row.completed_on,
        ]


def task_list_table(chosen: ListSelection) -> Table:
    """The task list of the chosen filters as one table, most urgent first like the page."""
    return Table(
        title=_("Danh sách nhiệm vụ"),
        columns=task_columns(),
        rows=task_rows(chosen.conditions(), chosen.today, chosen.soon, urgency_order()),
        notes=_filter_notes(chosen),
    )


@bp.route("/tasks.xlsx")
def task_list_xlsx() -> Response:
    """Download every task the list's filters select (all pages) as .xlsx."""
    chosen = list_selection()
    data = tables_xlsx([task_list_table(chosen)])
    return send_xlsx(data, f"nhiem-vu-{chosen.today.isoformat()}.xlsx")


# ---------------------------------------------------------------------------------------- dashboard


def count_columns(first: str) -> list[Column]:
    """The Government Office's columns of counts, as on the dashboard's table."""
    return [
        Column(first, "text", 36),
        Column(_("Tổng số"), "int"),
        Column(_("Đã hoàn thành – đúng hạn"), "int", 14),
        Column(_("Đã hoàn thành – quá hạn"), "int", 14),
        Column(_("Chưa hoàn thành – trong hạn"), "int", 14),
        Column(_("Chưa hoàn thành – quá hạn"), "int", 14),
        Column(label(TimelinessGroup.NO_DEADLINE), "int", 14),
        Column(_("Tỷ lệ hoàn thành trên số đến hạn"), "percent", 16),
        Column(_("Tỷ lệ hoàn thành trên tổng số"), "percent", 16),
    ]


def count_cells(name: str, counts: TimelinessCounts) -> list[Any]:
    """One line of counts, the rates as numbers (empty when there is nothing to divide by)."""
    return [
        name,
        counts.total,
        counts.on_time,
        counts.late,
        counts.open_within,
        counts.overdue,
        counts.no_deadline,
        counts.completion_rate,
        counts.share("done"),
    ]


def dashboard_tables(facts: DashboardFacts) -> list[Table]:
    """The dashboard's per-unit table with its total, its monthly trend and its most overdue tasks."""
    if facts.start is not None:
        period = _(
            "nhiệm vụ giao từ %(start)s đến %(end)s",
            start=format_date(facts.start),
            end=format_date(facts.end),
        )
    else:
        period = _("mọi nhiệm vụ giao đến %(end)s", end=format_date(facts.end))
    notes = [f"{facts.scope.name} — {period}", as_of_note(facts.today)]
    units = [count_cells(unit.name, unit.counts) for unit in facts.units]
    if facts.units:
        units.append(count_cells(_("Tổng cộng"), facts.total))
    trend_columns = [Column(_("Tháng"), "text", 10), Column(_("Tính đến ngày"), "date")]
    trend_columns += [Column(_("Hoàn thành đúng hạn"), "int", 14), Column(_("Hoàn thành quá hạn"), "int", 14)]
    trend_columns += [Column(_("Chưa hoàn thành – trong hạn"), "int", 14)]
    trend_columns += [Column(_("Chưa hoàn thành – quá hạn"), "int", 14)]
    trend = [
        [
            f"{m.month.month:02d}/{m.month.year}",
            m.as_of,
            m.done_on_time,
            m.done_late,
            m.open_within,
            m.overdue,
        ]
        for m in facts.trend
    ]
    overdue_columns = [
        Column(_("STT"), "int", 6),
        Column(_("Mã nhiệm vụ"), "int", 10),
        Column(_("Nhiệm vụ"), "text", 60),
        Column(_("Đơn vị chủ trì"), "text", 32),
        Column(_("Hạn"), "date"),
        Column(_("Số ngày quá hạn"), "int", 12),
    ]
    overdue = [
        [index, task.id, task.title, task.lead_org.name, task.due_on, days]
        for index, (task, days) in enumerate(facts.most_overdue(), start=1)
    ]
    return [
        Table(
            _("Tình hình thực hiện theo đơn vị chủ trì"),
            count_columns(_("Đơn vị chủ trì")),
            units,
            notes,
            sheet_name=_("Theo đơn vị"),
        ),
        Table(_("Diễn biến theo tháng"), trend_columns, trend, notes, sheet_name=_("Theo tháng")),
        Table(
            overdue_heading(len(overdue), facts.total.overdue),
            overdue_columns,
            overdue,
            notes,
            sheet_name=_("Quá hạn lâu nhất"),
        ),
    ]


@bp.route("/dashboard.xlsx")
def dashboard_xlsx() -> Response:
    """Download the dashboard's tables for the chosen subtree and period as .xlsx."""
    facts = dashboard_facts()
    return send_xlsx(tables_xlsx(dashboard_tables(facts)), f"bang-dieu-hanh-{facts.today.isoformat()}.xlsx")
