"""A visit's directives and their tasks from a spreadsheet, into a visit not yet concluded.

One row per task; the rows of one directive share its number, and its text and cited documents are
written on its first row (later rows leave them blank or repeat them). A number the visit already has
adds tasks to that directive; new numbers continue the visit's numbering. Every record is made by the
ordinary workflows (``issue_directive``, ``cite_document``, ``assign_task``) with their rules; a unit
that will not act on a task (ending before its due date, no office account) is a warning shown before
saving, as on the task form (``workflows.reach``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import or_, select

from models import Directive, Organization, User, Visit, db
from models.vntext import format_date, search_key
from workflows import reach
from workflows import tasks as task_flow
from workflows import visits as visit_flow
from workflows.citations import parse_citation
from workflows.errors import DomainError, InvalidState, OutOfScope, PermissionDenied
from workflows.imports.plan import CREATE, Change, FieldChange, ImportResult, RowFailed, on_row
from workflows.imports.sheet import Column, Problem, SheetData, SheetRow, SheetSpec, day_of

NUMBER = Column(
    "number",
    "Số yêu cầu",
    ("chỉ đạo số", "yêu cầu số", "số chỉ đạo", "số", "directive number", "number"),
    required=True,
    max_length=10,
    hint="Số thứ tự của yêu cầu (1 là «Một là»); các dòng cùng số là các nhiệm vụ của một yêu cầu. "
    "Số mới phải tiếp theo số đã có của đợt kiểm tra.",
)
BODY = Column(
    "body",
    "Nội dung yêu cầu",
    ("nội dung chỉ đạo", "yêu cầu", "chỉ đạo", "directive text", "directive"),
    max_length=20_000,
    hint="Ghi ở dòng đầu của mỗi yêu cầu; các dòng sau cùng số để trống hoặc ghi giống hệt.",
)
CITATIONS = Column(
    "citations",
    "Văn bản trích dẫn",
    ("văn bản", "trích dẫn", "văn bản liên quan", "cited documents"),
    max_length=2000,
    hint="Số hiệu các văn bản, cách nhau bởi dấu chấm phẩy; ví dụ 85-QĐ/TW; 21-KL/TW.",
)
TASK_TITLE = Column(
    "title",
    "Nhiệm vụ",
    ("tên nhiệm vụ", "task"),
    max_length=300,
    hint="Tên ngắn của nhiệm vụ; bỏ trống: lấy câu đầu của yêu cầu.",
)
LEAD = Column(
    "lead",
    "Mã đơn vị chủ trì",
    ("đơn vị chủ trì", "chủ trì", "lead unit code", "lead unit"),
    max_length=40,
    hint="Mã đơn vị (ví dụ BTGHU-BUDOP) hoặc tên đầy đủ như trong danh mục cơ quan, đơn vị. "
    "Bỏ trống: yêu cầu chưa giao.",
)
COORDINATING = Column(
    "coordinating",
    "Mã đơn vị phối hợp",
    ("đơn vị phối hợp", "phối hợp", "coordinating unit codes", "coordinating units"),
    max_length=1000,
    hint="Các mã đơn vị, cách nhau bởi dấu phẩy hoặc chấm phẩy; "
    "hoặc các tên đầy đủ, cách nhau bởi dấu chấm phẩy.",
)

SPEC = SheetSpec(
    title="Yêu cầu và nhiệm vụ",
    columns=(
        NUMBER,
        BODY,
        CITATIONS,
        TASK_TITLE,
        LEAD,
        COORDINATING,
        Column(
            "due",
            "Hạn",
            ("hạn hoàn thành", "hạn thực hiện", "thời hạn", "due date", "due"),
            max_length=40,
            hint="Ngày dd/mm/yyyy (ô ngày của Excel cũng được), hoặc số ngày làm việc tính từ ngày nhập, "
            "ví dụ «15 ngày làm việc»; không trước ngày kiểm tra.",
        ),
    ),
    example=(
        (
            1,
            "Tổ chức quán triệt Quy định số 85-QĐ/TW đến toàn thể cán bộ, đảng viên.",
            "85-QĐ/TW",
            "Hội nghị quán triệt",
            "BTGHU-BUDOP",
            "VHTT-BUDOP",
            "30/09/2023",
        ),
        (1, "", "", "Báo cáo kết quả quán triệt", "HU-BUDOP", "", "15 ngày làm việc"),
    ),
)

MAX_WORKING_DAYS = 365
_WORKING_DAYS = re.compile(r"^(\d{1,3})(?: ngay lam viec| ngay| working days?| days?)?$")
_PART_SPLIT = re.compile(r"[;\n]+")
_CITATION_SPLIT = re.compile(r"[;\n]+")


# --- Reading cells shared with the history import ------------------------------------------------


def whole_number(sheet: SheetData, row: SheetRow, key: str) -> int | None:
    """A positive whole number written in a cell (None, with the row's problem, when it is not)."""
    raw = row.get(key)
    if raw in (None, ""):
        return None
    text = str(raw).strip()
    if not text.isdigit() or int(text) < 1:
        sheet.problem(row, key, "«%(value)s» không phải số nguyên dương.", value=text)
        return None
    return int(text)


def codes_of(text: str | None) -> list[str]:
    """The units a cell names, once each, in order: codes ("BTGHU-BUDOP, VHTT-BUDOP"), upper case, or
    names as the visit's download writes them ("Ban Tuyên giáo Huyện ủy Bù Đốp; Phòng Văn hóa …").

    Codes hold no space, so a part with a space is a name; names are separated by semicolons or lines
    only, since a name may hold a comma.
    """
    found: list[str] = []
    for part in _PART_SPLIT.split(text or ""):
        pieces = [p.strip() for p in part.split(",") if p.strip()]
        if pieces and all(" " not in p for p in pieces):
            found.extend(p.upper() for p in pieces)
        elif part.strip():
            found.append(" ".join(part.split()))
    return list(dict.fromkeys(found))


def _is_name(reference: str) -> bool:
    return " " in reference


def load_units(sheet: SheetData, keys: tuple[str, ...]) -> dict[str, Organization | None]:
    """Every unit the ``keys`` columns name, by code or by name, in one query; a name that two units
    bear maps to None (the sheet must give the code)."""
    wanted = {ref for row in sheet.rows for key in keys for ref in codes_of(row.get(key))}
    if not wanted:
        return {}
    codes = {ref for ref in wanted if not _is_name(ref)}
    names = {search_key(ref): ref for ref in wanted if _is_name(ref)}
    found = db.session.scalars(
        select(Organization).where(
            or_(Organization.code.in_(codes), Organization.search_key.in_(list(names)))
        )
    )
    units: dict[str, Organization | None] = {}
    for org in found:
        if org.code.upper() in codes:
            units[org.code.upper()] = org
        ref = names.get(org.search_key)
        if ref is not None:
            units[ref] = None if ref in units else org
    return units


def units_of(
    sheet: SheetData, row: SheetRow, key: str, units: dict[str, Organization | None], on_day: date
) -> list[Organization] | None:
    """The units a cell names, each existing and not ended before ``on_day`` (the day the task is
    given); None, with a problem of the row and column per bad code or name, when one is not."""
    found: list[Organization] = []
    fine = True
    for code in codes_of(row.get(key)):
        org = units.get(code)
        if org is None:
            if code in units:
                sheet.problem(row, key, "Có nhiều đơn vị tên «%(name)s»; hãy ghi mã đơn vị.", name=code)
            elif _is_name(code):
                sheet.problem(row, key, "Không có đơn vị tên «%(name)s»; hãy ghi mã đơn vị.", name=code)
            else:
                sheet.problem(
                    row, key, "Không có đơn vị mã %(code)s trong danh mục cơ quan, đơn vị.", code=code
                )
            fine = False
        elif not org.is_valid_on(on_day):
            sheet.problem(
                row,
                key,
                "Đơn vị %(code)s (%(name)s) không hoạt động vào ngày %(day)s.",
                code=org.code,
                name=org.name,
                day=format_date(on_day),
            )
            fine = False
        else:
            found.append(org)
    return found if fine else None


def citations_of(sheet: SheetData, row: SheetRow, key: str) -> list[str] | None:
    """The document codes of a cell, each parsed (None, with the parser's message, when one fails)."""
    codes: list[str] = []
    for part in _CITATION_SPLIT.split(row.get(key) or ""):
        if not part.strip():
            continue
        try:
            codes.append(parse_citation(part.strip()).code)
        except DomainError as error:
            sheet.problem(row, key, error.template, **error.params)
            return None
    return list(dict.fromkeys(codes))


def reach_warnings(
    result: ImportResult, row: SheetRow, orgs: list[Organization], due_on: date | None, today: date
) -> None:
    """The task form's warnings (``workflows.reach``) as warnings of the row, under the lead unit."""
    for found in reach.reach_problems(orgs, due_on, today):
        result.warnings.append(Problem(found.message, found.params, row.number, result.sheet.where("lead")))


# --- The directives import -----------------------------------------------------------------------


@dataclass
class _Planned:
    """One directive of the file: the number, its rows, and the directive once made."""

    number: int
    rows: list[SheetRow] = field(default_factory=list)
    body: str = ""
    citations: list[str] = field(default_factory=list)
    existing: Directive | None = None


def check_visit_open(visit: Visit, actor: User) -> None:
    """Refuse the whole file when the visit takes no more directives from ``actor``."""
    if not visit.can_view(actor):
        raise OutOfScope("Không tìm thấy đợt kiểm tra.")
    if not visit.can_edit(actor):
        raise PermissionDenied("Chỉ cán bộ của cơ quan kiểm tra được sửa đợt kiểm tra này.")
    if not visit.is_editable:
        raise InvalidState("Đợt kiểm tra đã kết luận; không thể sửa đoàn, nhận xét hay yêu cầu.")


def _due(sheet: SheetData, row: SheetRow, visit: Visit) -> tuple[date | None, int | None] | None:
    """The due date or the count of working days a row gives (None, with its problem, when bad)."""
    raw = row.get("due")
    if raw in (None, ""):
        return None, None
    day = day_of(raw)
    if day is not None:
        if visit.visited_on and day < visit.visited_on:
            sheet.problem(
                row,
                "due",
                "Hạn %(due)s trước ngày kiểm tra %(visit)s.",
                due=format_date(day),
                visit=format_date(visit.visited_on),
            )
            return None
        return day, None
    count = _WORKING_DAYS.match(search_key(str(raw)))
    if count and 1 <= int(count[1]) <= MAX_WORKING_DAYS:
        return None, int(count[1])
    sheet.problem(
        row,
        "due",
        "Hạn «%(value)s» không đọc được: ghi một ngày dd/mm/yyyy có thật, "
        "hoặc số ngày làm việc từ 1 đến %(max)d.",
        value=str(raw),
        max=MAX_WORKING_DAYS,
    )
    return None


def _column_of(error: DomainError) -> str:
    template = error.template
    if "Hạn" in template or "hạn" in template or "ngày làm việc" in template:
        return "due"
    if "Nội dung" in template or "yêu cầu" in template:
        return "number"
    return "lead"


def _plan(sheet: SheetData, visit: Visit) -> list[_Planned]:
    """Group the rows by directive number, checking the numbers continue the visit's numbering."""
    existing = {d.number: d for d in visit.directives}
    planned: dict[int, _Planned] = {}
    for row in sheet.rows:
        number = whole_number(sheet, row, "number")
        if number is None:
            continue
        entry = planned.setdefault(number, _Planned(number, existing=existing.get(number)))
        entry.rows.append(row)
        body = row.get("body") or ""
        if body and entry.body and search_key(body) != search_key(entry.body):
            sheet.problem(
                row,
                "body",
                "Yêu cầu số %(n)d đã có nội dung khác ở dòng %(first)d; để trống ô này ở các dòng sau.",
                n=number,
                first=entry.rows[0].number,
            )
        elif body and not entry.body:
            entry.body = body
    expected = visit.directive_counter + 1
    for number in sorted(planned):
        entry = planned[number]
        first = entry.rows[0]
        if entry.existing is not None:
            if entry.body and search_key(entry.body) != search_key(entry.existing.body):
                sheet.problem(
                    first,
                    "body",
                    "Yêu cầu số %(n)d đã có trong đợt kiểm tra với nội dung khác; "
                    "để trống ô này để giao thêm nhiệm vụ cho yêu cầu đó.",
                    n=number,
                )
            continue
        if number != expected:
            sheet.problem(
                first,
                "number",
                "Yêu cầu mới phải đánh số tiếp theo: số %(expected)d, không phải %(n)d.",
                expected=expected,
                n=number,
            )
        elif not entry.body:
            sheet.problem(first, "body", "Yêu cầu số %(n)d chưa có nội dung ở dòng đầu của nó.", n=number)
        expected = max(expected, number) + 1
    return [planned[n] for n in sorted(planned)]


def import_directives(actor: User, sheet: SheetData, visit: Visit, today: date) -> ImportResult:
    """Add the file's directives and tasks to ``visit``; see :mod:`workflows.imports.plan`."""
    check_visit_open(visit, actor)
    result = ImportResult(sheet)
    units = load_units(sheet, ("lead", "coordinating"))
    plans = _plan(sheet, visit)
    for entry in plans:
        entry.citations = []
        for row in entry.rows:
            codes = citations_of(sheet, row, "citations")
            entry.citations.extend(c for c in codes or () if c not in entry.citations)
    # Every row is read before anything is made, so the preview lists all of the file's problems.
    tasks: dict[int, tuple[Organization, list[Organization], date | None, int | None]] = {}
    for entry in plans:
        for row in entry.rows:
            due = _due(sheet, row, visit)
            lead_codes = codes_of(row.get("lead"))
            if len(lead_codes) > 1:
                sheet.problem(row, "lead", "Mỗi nhiệm vụ có một đơn vị chủ trì; hãy tách thành nhiều dòng.")
                continue
            lead = units_of(sheet, row, "lead", units, today)
            coordinating = units_of(sheet, row, "coordinating", units, today)
            if not lead_codes:
                if row.get("coordinating") or row.get("due") or row.get("title"):
                    sheet.problem(row, "lead", "Chưa có giá trị.")
                continue
            if due is None or lead is None or coordinating is None:
                continue
            tasks[row.number] = (lead[0], coordinating, *due)
    if result.problems:
        return result
    for entry in plans:
        _save(result, actor, visit, entry, tasks, today)
    return result


def _save(
    result: ImportResult,
    actor: User,
    visit: Visit,
    entry: _Planned,
    tasks: dict[int, tuple[Organization, list[Organization], date | None, int | None]],
    today: date,
) -> None:
    sheet = result.sheet
    directive = entry.existing
    first = entry.rows[0]
    try:
        with on_row(sheet, first, _column_of):
            if directive is None:
                directive = visit_flow.issue_directive(
                    visit, actor, body=entry.body, citations=entry.citations
                )
                db.session.flush()
                fields = [FieldChange(NUMBER.header, "", str(directive.number))]
                if entry.citations:
                    fields.append(FieldChange(CITATIONS.header, "", "; ".join(entry.citations)))
                result.changes.append(
                    Change(first.number, CREATE, f"Yêu cầu số {directive.number}: {entry.body}", fields)
                )
            else:
                for code in entry.citations:
                    visit_flow.cite_document(directive, actor, code)
    except RowFailed:
        return
    for row in entry.rows:
        planned = tasks.get(row.number)
        if planned is None:
            continue
        lead, coordinating, due_on, working_days = planned
        try:
            with on_row(sheet, row, _column_of):
                task = task_flow.assign_task(
                    directive,
                    actor,
                    lead_org=lead,
                    coordinating=coordinating,
                    due_on=due_on,
                    due_working_days=working_days,
                    title=row.get("title"),
                )
                db.session.flush()
        except RowFailed:
            continue
        reach_warnings(result, row, [lead, *coordinating], task.due_on, today)
        result.changes.append(
            Change(row.number, CREATE, f"{directive.number}. {task.title}", _task_fields(task))
        )


def _task_fields(task: Any) -> list[FieldChange]:
    fields = [FieldChange(LEAD.header, "", f"{task.lead_org.code} – {task.lead_org.name}")]
    if task.coordinating_orgs:
        fields.append(FieldChange(COORDINATING.header, "", ", ".join(o.code for o in task.coordinating_orgs)))
    if task.due_on:
        due = format_date(task.due_on)
        if task.due_working_days:
            due = f"{due} ({task.due_working_days} ngày làm việc)"
        fields.append(FieldChange("Hạn", "", due))
    return fields
