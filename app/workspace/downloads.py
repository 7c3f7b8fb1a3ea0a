"""A visit's directives with their tasks, and the registry of cited documents, as spreadsheets."""

from __future__ import annotations

from typing import Any

from flask import current_app
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from app.spreadsheets import as_of_note, send_xlsx
from app.workspace.common import bp
from app.workspace.registry import registry_search
from app.workspace.visits import _visible_visit, dossier_options
from exports.table_xlsx import Column, Table, table_xlsx
from models import db
from models.labels import label
from models.vntext import format_date
from workflows.clock import local_today
from workflows.timeliness import timeliness_of


def visit_table(visit: Any, today: Any, due_soon_days: int) -> Table:
    """One row per task under its directive (a directive without tasks has a row of its own)."""
    columns = [
        Column(_("Chỉ đạo số"), "int", 9),
        Column(_("Nội dung chỉ đạo"), "text", 60),
        Column(_("Hạn của chỉ đạo"), "text", 16),
        Column(_("Văn bản trích dẫn"), "text", 30),
        Column(_("Mã nhiệm vụ"), "int", 10),
        Column(_("Nhiệm vụ"), "text", 50),
        Column(_("Đơn vị chủ trì"), "text", 32),
        Column(_("Đơn vị phối hợp"), "text", 32),
        Column(_("Hạn"), "date"),
        Column(_("Hạn ban đầu"), "date"),
        Column(_("Trạng thái"), "text", 20),
        Column(_("Thời hạn"), "text", 24),
        Column(_("Tiến độ"), "percent"),
    ]
    rows: list[list[Any]] = []
    for directive in visit.directives:
        text = f"{directive.title}. {directive.body}" if directive.title else directive.body
        due = format_date(directive.due_on) if directive.due_on else (directive.due_period_label or "")
        head = [directive.number, text, due, ", ".join(doc.code for doc in directive.citations)]
        if not directive.tasks:
            rows.append(head + [None] * 9)
        for task in directive.tasks:
            timeliness = timeliness_of(task, today, due_soon_days)
            rows.append(
                [
                    *head,
                    task.id,
                    task.title,
                    task.lead_org.name,
                    "; ".join(org.name for org in task.coordinating_orgs),
                    task.due_on,
                    task.original_due_on,
                    label(task.status),
                    label(timeliness) if timeliness is not None else "",
                    task.progress / 100,
                ]
            )
    notes = [
        _("Đợt kiểm tra: %(title)s (%(reference)s)", title=visit.title, reference=visit.reference),
        _(
            "Đơn vị được kiểm tra: %(org)s · ngày kiểm tra %(day)s · %(status)s",
            org=visit.inspected_org.name,
            day=format_date(visit.visited_on),
            status=label(visit.status),
        ),
        as_of_note(today),
    ]
    return Table(_("Chỉ đạo và nhiệm vụ"), columns, rows, notes)


@bp.route("/visits/<int:visit_id>/tasks.xlsx")
def visit_xlsx(visit_id: int) -> Response:
    """Download a visit's numbered directives with their tasks as .xlsx."""
    visit = _visible_visit(visit_id, *dossier_options())
    today = local_today()
    data = table_xlsx(visit_table(visit, today, int(current_app.config["DUE_SOON_DAYS"])))
    return send_xlsx(data, f"chi-dao-{visit.reference}.xlsx".replace("/", "-"))


@bp.route("/registry.xlsx")
def registry_xlsx() -> Response:
    """Download every document of the registry the search selects (all pages) as .xlsx."""
    search = registry_search()
    columns = [
        Column(_("Số hiệu"), "text", 24),
        Column(_("Loại"), "text", 18),
        Column(_("Cơ quan ban hành"), "text", 30),
        Column(_("Ngày ban hành"), "date"),
        Column(_("Năm"), "int", 8),
        Column(_("Trích yếu"), "text", 60),
        Column(_("Hệ thống"), "text", 18),
        Column(_("Số chỉ đạo trích dẫn"), "int", 12),
    ]
    rows = (
        [
            document.code,
            document.type_name or document.type_code,
            document.issuer_name or document.issuer_code,
            document.issued_on,
            document.year,
            document.title or "",
            label(document.system),
            int(cited),
        ]
        for document, cited in db.session.execute(search.query)
    )
    today = local_today()
    table = Table(_("Danh mục văn bản"), columns, rows, [*search.notes(), as_of_note(today)])
    return send_xlsx(table_xlsx(table), f"danh-muc-van-ban-{today.isoformat()}.xlsx")
