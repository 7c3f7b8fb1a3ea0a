"""Past visits back-filled from a spreadsheet, with their tasks and the days things really happened.

An inspector who starts using kiemtra in 2025 has the visits of 2023 and 2024 in Excel. One row per
task; the rows of one visit share its reference (or its title, day and inspected unit), and the rows
of one directive its number. Each task keeps its real days: assigned, reported done, and verified, so
the timeliness counts of past years read "on time" or "late" by those days, not by the day the sheet
was typed in. Every visit, directive and task is made by the ordinary workflows; the days are written
by ``workflows.backfill``, which marks each as back-filled in the task's history and the audit log.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select

from models import Organization, User, Visit, db
from models.vntext import format_date, search_key
from workflows import backfill
from workflows import visits as visit_flow
from workflows.errors import DomainError
from workflows.imports.directives import (
    BODY,
    CITATIONS,
    COORDINATING,
    LEAD,
    NUMBER,
    TASK_TITLE,
    citations_of,
    codes_of,
    load_units,
    units_of,
    whole_number,
)
from workflows.imports.plan import CREATE, Change, FieldChange, ImportResult, RowFailed, on_row
from workflows.imports.sheet import Column, SheetData, SheetRow, SheetSpec

SPEC = SheetSpec(
    title="Lịch sử kiểm tra",
    columns=(
        Column(
            "reference",
            "Số hiệu đợt kiểm tra",
            ("số hiệu đợt", "số hiệu", "mã đợt kiểm tra", "visit reference"),
            max_length=60,
            hint="Số hiệu để gom các dòng của một đợt; bỏ trống: gom theo tên, ngày và đơn vị được kiểm tra.",
        ),
        Column(
            "visit_title",
            "Tên đợt kiểm tra",
            ("đợt kiểm tra", "tiêu đề đợt kiểm tra", "visit title", "visit"),
            required=True,
            max_length=300,
        ),
        Column(
            "visited_on",
            "Ngày kiểm tra",
            ("ngày làm việc với đơn vị", "visit date"),
            kind="date",
            required=True,
            hint="dd/mm/yyyy; một ngày đã qua.",
        ),
        Column(
            "inspected",
            "Mã đơn vị được kiểm tra",
            ("đơn vị được kiểm tra", "inspected unit code"),
            required=True,
            max_length=40,
        ),
        NUMBER,
        BODY,
        CITATIONS,
        TASK_TITLE,
        Column(LEAD.key, LEAD.header, LEAD.aliases, required=True, max_length=40, hint=LEAD.hint),
        COORDINATING,
        Column("due", "Hạn", ("hạn hoàn thành", "hạn thực hiện", "due date", "due"), kind="date"),
        Column(
            "assigned_on",
            "Ngày giao",
            ("ngày giao nhiệm vụ", "assigned", "assigned on"),
            kind="date",
            required=True,
            hint="Ngày nhiệm vụ được giao (thường là ngày ban hành thông báo kết luận).",
        ),
        Column(
            "reported_on",
            "Ngày báo cáo hoàn thành",
            ("ngày báo cáo", "reported", "reported on"),
            kind="date",
            hint="Ngày đơn vị báo cáo đã hoàn thành; là ngày tính đúng hạn hay quá hạn.",
        ),
        Column(
            "verified_on",
            "Ngày xác nhận hoàn thành",
            ("ngày xác nhận", "ngày hoàn thành", "verified", "completed on"),
            kind="date",
            hint="Ngày cơ quan kiểm tra xác nhận; bỏ trống: nhiệm vụ còn chờ xác nhận hoặc đang thực hiện.",
        ),
        Column(
            "progress",
            "Tiến độ (%)",
            ("tiến độ", "progress"),
            max_length=20,
            hint="Với nhiệm vụ chưa báo cáo: số nguyên từ 0 đến 100.",
        ),
    ),
    example=(
        (
            "KT-2023-01",
            "Kiểm tra công tác tuyên giáo năm 2023",
            "14/06/2023",
            "HU-BUDOP",
            1,
            "Tổ chức quán triệt Quy định số 85-QĐ/TW.",
            "85-QĐ/TW",
            "Hội nghị quán triệt",
            "BTGHU-BUDOP",
            "",
            "30/09/2023",
            "20/06/2023",
            "25/09/2023",
            "02/10/2023",
            "",
        ),
    ),
)


@dataclass
class _Visit:
    key: str
    first: SheetRow
    rows: list[SheetRow] = field(default_factory=list)


@dataclass
class _Task:
    row: SheetRow
    lead: Organization
    coordinating: list[Organization]
    days: backfill.PastDays


def _visit_key(row: SheetRow) -> str:
    reference = row.get("reference")
    if reference:
        return f"ref:{search_key(reference)}"
    day = row.get("visited_on")
    return f"{search_key(row.get('visit_title'))}|{day}|{(row.get('inspected') or '').upper()}"


def _progress(sheet: SheetData, row: SheetRow) -> int | None:
    raw = row.get("progress")
    if raw in (None, ""):
        return None
    text = str(raw).strip().removesuffix("%").strip()
    if not text.isdigit():
        sheet.problem(row, "progress", "«%(value)s» không phải số nguyên.", value=str(raw))
        return None
    if int(text) > 100:
        sheet.problem(
            row, "progress", "Tiến độ %(value)d%% không hợp lệ: phải từ 0 đến 100.", value=int(text)
        )
        return None
    return int(text)


def _days(sheet: SheetData, row: SheetRow, today: date) -> backfill.PastDays | None:
    """The row's days, in an order that can have happened (None, with the problem, when not)."""
    visited = row.get("visited_on")
    assigned = row.get("assigned_on")
    reported = row.get("reported_on")
    verified = row.get("verified_on")
    due = row.get("due")
    if visited is None or assigned is None:
        return None
    before = len(sheet.problems)
    if visited >= today:
        sheet.problem(
            row,
            "visited_on",
            "Ngày kiểm tra %(day)s chưa qua: chỉ nhập bù đợt đã diễn ra.",
            day=format_date(visited),
        )
    if due is not None and due < visited:
        sheet.problem(
            row,
            "due",
            "Hạn %(due)s trước ngày kiểm tra %(visit)s.",
            due=format_date(due),
            visit=format_date(visited),
        )
    if assigned < visited:
        sheet.problem(
            row,
            "assigned_on",
            "Ngày giao %(day)s trước ngày kiểm tra %(visit)s.",
            day=format_date(assigned),
            visit=format_date(visited),
        )
    for key, day in (("assigned_on", assigned), ("reported_on", reported), ("verified_on", verified)):
        if day is not None and day > today:
            sheet.problem(row, key, "Ngày %(day)s là ngày trong tương lai.", day=format_date(day))
    if reported is not None and reported < assigned:
        sheet.problem(
            row,
            "reported_on",
            "Ngày báo cáo %(day)s trước ngày giao %(assigned)s.",
            day=format_date(reported),
            assigned=format_date(assigned),
        )
    if verified is not None and reported is not None and verified < reported:
        sheet.problem(
            row,
            "verified_on",
            "Ngày xác nhận %(day)s trước ngày báo cáo %(reported)s.",
            day=format_date(verified),
            reported=format_date(reported),
        )
    if verified is not None and reported is None:
        sheet.problem(
            row, "reported_on", "Nhiệm vụ đã xác nhận hoàn thành cần ngày đơn vị báo cáo hoàn thành."
        )
    progress = _progress(sheet, row)
    if len(sheet.problems) > before:
        return None
    return backfill.PastDays(assigned, due, reported, verified, progress)


def import_history(actor: User, sheet: SheetData, today: date) -> ImportResult:
    """Back-fill the file's past visits, directives and tasks; see :mod:`workflows.imports.plan`."""
    backfill.check_inspector(actor)
    result = ImportResult(sheet)
    units = load_units(sheet, ("inspected", "lead", "coordinating"))
    visits: dict[str, _Visit] = {}
    for row in sheet.rows:
        key = _visit_key(row)
        entry = visits.setdefault(key, _Visit(key, row))
        entry.rows.append(row)
        first = entry.first
        for column in ("visit_title", "visited_on", "inspected"):
            if row is not first and row.get(column) != first.get(column):
                sheet.problem(
                    row,
                    column,
                    "Khác với dòng %(first)d của cùng đợt kiểm tra.",
                    first=first.number,
                )
    references = [r for r in (e.first.get("reference") for e in visits.values()) if r]
    taken = set(db.session.scalars(select(Visit.reference).where(Visit.reference.in_(references))))
    tasks: dict[int, _Task] = {}
    for entry in visits.values():
        first = entry.first
        if first.get("reference") in taken:
            sheet.problem(
                first, "reference", "Số hiệu đợt kiểm tra %(ref)s đã có.", ref=first.get("reference")
            )
        if first.get("visited_on"):
            inspected = units_of(sheet, first, "inspected", units, first.get("visited_on"))
            if inspected is not None and len(inspected) != 1:
                sheet.problem(first, "inspected", "Ghi một mã đơn vị được kiểm tra.")
        numbers: dict[int, SheetRow] = {}
        for row in entry.rows:
            number = whole_number(sheet, row, "number")
            citations_of(sheet, row, "citations")
            if number is not None and number not in numbers:
                numbers[number] = row
                if not row.get("body"):
                    sheet.problem(
                        row, "body", "Yêu cầu số %(n)d chưa có nội dung ở dòng đầu của nó.", n=number
                    )
            if len(codes_of(row.get("lead"))) > 1:
                sheet.problem(row, "lead", "Mỗi nhiệm vụ có một đơn vị chủ trì; hãy tách thành nhiều dòng.")
                continue
            days = _days(sheet, row, today)
            if days is None:
                continue
            lead = units_of(sheet, row, "lead", units, days.assigned_on)
            coordinating = units_of(sheet, row, "coordinating", units, days.assigned_on)
            if lead and coordinating is not None:
                tasks[row.number] = _Task(row, lead[0], coordinating, days)
        expected = sorted(numbers)
        if expected and expected != list(range(1, len(expected) + 1)):
            missing = next(n for n in range(1, len(expected) + 2) if n not in numbers)
            row = numbers[expected[-1]]
            sheet.problem(
                row, "number", "Các yêu cầu của một đợt đánh số liên tiếp từ 1: thiếu số %(n)d.", n=missing
            )
    if result.problems:
        return result
    for entry in visits.values():
        _save(result, actor, entry, units, tasks)
    return result


def _column_of(error: DomainError) -> str:
    template = error.template
    if "Số hiệu" in template:
        return "reference"
    if "hoạt động" in template or "kiểm tra phải khác" in template:
        return "inspected"
    if "Hạn" in template or "hạn" in template:
        return "due"
    if "tiêu đề" in template:
        return "visit_title"
    return "lead"


def _save(
    result: ImportResult,
    actor: User,
    entry: _Visit,
    units: dict[str, Organization | None],
    tasks: dict[int, _Task],
) -> None:
    sheet = result.sheet
    first = entry.first
    inspected = units[codes_of(first.get("inspected"))[0]]
    assert inspected is not None  # checked before anything is made
    directives: dict[int, object] = {}
    try:
        with on_row(sheet, first, _column_of):
            visit = backfill.backfill_visit(
                actor,
                title=first.get("visit_title") or "",
                visited_on=first.get("visited_on"),
                inspected_org=inspected,
                reference=first.get("reference"),
            )
            db.session.flush()
    except RowFailed:
        return
    result.changes.append(
        Change(
            first.number,
            CREATE,
            f"{visit.reference} – {visit.title}",
            [
                FieldChange("Ngày kiểm tra", "", format_date(visit.visited_on)),
                FieldChange("Đơn vị được kiểm tra", "", f"{inspected.code} – {inspected.name}"),
            ],
        )
    )
    for row in sorted(entry.rows, key=lambda r: (int(r.get("number")), r.number)):
        number = int(row.get("number"))
        planned = tasks.get(row.number)
        try:
            with on_row(sheet, row, _column_of):
                if number not in directives:
                    citations = citations_of(sheet, row, "citations") or []
                    directives[number] = visit_flow.issue_directive(
                        visit, actor, body=row.get("body") or "", citations=citations
                    )
                if planned is None:
                    continue
                task = backfill.backfill_task(
                    directives[number],  # type: ignore[arg-type]
                    actor,
                    lead_org=planned.lead,
                    coordinating=planned.coordinating,
                    title=row.get("title"),
                    days=planned.days,
                )
                db.session.flush()
        except RowFailed:
            continue
        if planned is None:
            continue
        fields = [
            FieldChange(LEAD.header, "", f"{task.lead_org.code} – {task.lead_org.name}"),
            FieldChange("Ngày giao", "", format_date(planned.days.assigned_on)),
        ]
        if task.due_on:
            fields.append(FieldChange("Hạn", "", format_date(task.due_on)))
        if planned.days.reported_on:
            fields.append(FieldChange("Ngày báo cáo hoàn thành", "", format_date(planned.days.reported_on)))
        if planned.days.verified_on:
            fields.append(FieldChange("Ngày xác nhận hoàn thành", "", format_date(planned.days.verified_on)))
        elif task.progress:
            fields.append(FieldChange("Tiến độ (%)", "", str(task.progress)))
        result.changes.append(Change(row.number, CREATE, f"{number}. {task.title}", fields))
