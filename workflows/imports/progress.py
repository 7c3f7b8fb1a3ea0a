"""Bulk progress from a spreadsheet: an office downloads its open tasks, fills in progress, notes and
"done", and uploads the sheet.

Each row carries the task's version as it was downloaded. A task saved since then (by anyone, or by
an earlier row of the same file) is a conflict of that row: nothing of the row is written, and since
the caller keeps nothing unless every row passes, nothing of the file either. Every change goes through
the task workflows (``record_progress``, ``report_task_done``), with their permission and state rules.
"""

from __future__ import annotations

import re
from contextlib import nullcontext
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from models import Directive, Task, User, db
from models.labels import label
from models.vntext import search_key
from workflows import tasks as task_flow
from workflows.errors import DomainError, ValidationFailed
from workflows.imports.plan import UNCHANGED, UPDATE, Change, FieldChange, ImportResult, RowFailed, on_row
from workflows.imports.sheet import Column, SheetData, SheetRow, SheetSpec

SPEC = SheetSpec(
    title="Tiến độ nhiệm vụ",
    columns=(
        Column(
            "task_id",
            "Mã nhiệm vụ",
            ("mã", "task id", "id"),
            required=True,
            max_length=20,
            hint="Giữ nguyên như khi tải về.",
        ),
        Column(
            "version",
            "Phiên bản",
            ("version",),
            required=True,
            max_length=20,
            hint="Giữ nguyên như khi tải về: nhiệm vụ đã được cập nhật sau đó thì dòng bị báo xung đột.",
        ),
        Column(
            "title", "Nhiệm vụ", ("tên nhiệm vụ", "task"), max_length=300, hint="Chỉ để đọc; không được sửa."
        ),
        Column(
            "progress",
            "Tiến độ (%)",
            ("tiến độ", "tỷ lệ hoàn thành", "progress"),
            max_length=20,
            hint="Số nguyên từ 0 đến 100; bỏ trống: giữ nguyên.",
        ),
        Column(
            "note",
            "Ghi chú",
            ("nội dung", "kết quả", "note"),
            max_length=5000,
            hint="Nội dung tiến độ, hoặc kết quả thực hiện khi báo cáo hoàn thành.",
        ),
        Column(
            "done",
            "Hoàn thành",
            ("đã hoàn thành", "báo cáo hoàn thành", "done"),
            max_length=20,
            hint="Ghi «x» hoặc «có» để báo cáo hoàn thành (chờ cơ quan kiểm tra xác nhận).",
        ),
    ),
    example=((123, 2, "Tổ chức hội nghị quán triệt", 60, "Đã xây dựng kế hoạch", ""),),
)

YES = frozenset({"x", "co", "yes", "1", "hoan thanh", "da hoan thanh", "done"})
NO = frozenset({"", "khong", "no", "0", "chua"})
_INTEGER = re.compile(r"^[0-9]{1,9}$")
DEFAULT_PROGRESS_NOTE = "Cập nhật tiến độ qua bảng tính."


def _whole(sheet: SheetData, row: SheetRow, key: str) -> int | None:
    raw = row.get(key)
    if raw in (None, ""):
        return None
    text = str(raw).strip().removesuffix("%").strip()
    if not _INTEGER.match(text):
        sheet.problem(row, key, "«%(value)s» không phải số nguyên.", value=str(raw))
        return None
    return int(text)


def _column_of(error: DomainError) -> str | None:
    if "Tỷ lệ" in error.template or "tỷ lệ" in error.template:
        return "progress"
    if "kết quả" in error.template or "nội dung" in error.template:
        return "note"
    return "done" if "báo cáo" in error.template.lower() else "task_id"


def _tasks(ids: list[int]) -> dict[int, Task]:
    if not ids:
        return {}
    found = db.session.scalars(
        select(Task)
        .where(Task.id.in_(ids))
        .options(
            selectinload(Task.directive).selectinload(Directive.visit), selectinload(Task.coordinating_orgs)
        )
    )
    return {task.id: task for task in found}


def import_progress(actor: User, sheet: SheetData) -> ImportResult:
    """Apply each row's progress, note and "done" to its task; every problem is one row's and column's.

    A clean file is applied in one savepoint with one flush at the end (the same workflows, checks and
    events as row by row, without a savepoint and a flush per row: about ten times faster at 5,000
    rows). If any row is refused there, everything is rolled back and the rows are applied again one
    by one, each in its own savepoint, so the preview lists every refused row with its column.
    """
    result = ImportResult(sheet)
    ids = {}
    for row in sheet.rows:
        ids[row.number] = _whole(sheet, row, "task_id")
    tasks = _tasks([i for i in ids.values() if i is not None])
    work: list[_Row] = []
    changed_by: dict[int, int] = {}  # task id -> its version after an earlier row of the file changes it
    for row in sheet.rows:
        task_id = ids[row.number]
        version = _whole(sheet, row, "version")
        progress = _whole(sheet, row, "progress")
        if progress is not None and not 0 <= progress <= 100:
            sheet.problem(
                row, "progress", "Tiến độ %(value)d%% không hợp lệ: phải từ 0 đến 100.", value=progress
            )
            progress = None
        done_text = search_key(str(row.get("done") or ""))
        if done_text not in YES | NO:
            sheet.problem(row, "done", "Ghi «x» hoặc «có» để báo cáo hoàn thành, bỏ trống nếu chưa.")
        done = done_text in YES
        note = (row.get("note") or "").strip()
        task = tasks.get(task_id) if task_id is not None else None
        if task_id is None or version is None:
            continue
        if task is None or not task.can_view(actor):
            sheet.problem(row, "task_id", "Không có nhiệm vụ mã %(id)d trong phạm vi của bạn.", id=task_id)
            continue
        current = changed_by.get(task.id, task.version)
        if version != current:
            sheet.problem(
                row,
                "version",
                "Xung đột: nhiệm vụ «%(title)s» đã được cập nhật sau khi tải về "
                "(phiên bản trong tệp %(mine)d, hiện nay %(now)d); dòng này không được ghi. "
                "Hãy tải lại danh sách và nhập lại.",
                title=task.title,
                mine=version,
                now=current,
            )
            continue
        item = _Row(row, task, progress, note, done)
        if item.changes_anything:
            changed_by[task.id] = current + 1  # the row's single save moves the version by one
        work.append(item)
    if not sheet.problems:
        applied = _apply_together(sheet, actor, work)
        if applied is not None:
            result.changes.extend(applied)
            return result
    for item in work:
        result.changes.append(_apply(sheet, actor, item, one_by_one=True))
    return result


@dataclass
class _Row:
    """One row read and checked, waiting to be applied."""

    row: SheetRow
    task: Task
    progress: int | None
    note: str
    done: bool

    @property
    def changes_progress(self) -> bool:
        return self.progress is not None and self.progress != self.task.progress

    @property
    def changes_anything(self) -> bool:
        return self.changes_progress or bool(self.note) or self.done


def _apply_together(sheet: SheetData, actor: User, work: list[_Row]) -> list[Change] | None:
    """Apply every row in one savepoint with one flush; None (nothing kept) when any row is refused."""
    before = len(sheet.problems)
    together = db.session.begin_nested()
    try:
        changes = [_apply(sheet, actor, item, one_by_one=False) for item in work]
        db.session.flush()
    except DomainError:
        together.rollback()
        del sheet.problems[before:]
        return None
    except StaleDataError:  # saved by someone else between the version check and the flush
        together.rollback()
        sheet.problem(
            None,
            "version",
            "Có nhiệm vụ vừa được người khác cập nhật trong lúc nhập; không ghi gì. Hãy gửi lại tệp.",
        )
        return []
    if len(sheet.problems) > before:
        together.rollback()
        del sheet.problems[before:]
        return None
    together.commit()
    return changes


def _apply(sheet: SheetData, actor: User, item: _Row, *, one_by_one: bool) -> Change:
    """Run one row's workflows: ``one_by_one`` in its own savepoint, a refusal being the row's
    problem; else in the caller's savepoint, a refusal raised to it."""
    task, row, progress, note, done = item.task, item.row, item.progress, item.note, item.done
    record = f"{task.id} – {task.title}"
    is_lead = task.can_report(actor, check_state=False)
    fields: list[FieldChange] = []
    if progress is not None and progress != task.progress and not is_lead:
        sheet.problem(row, "progress", "Đơn vị phối hợp chỉ ghi ý kiến, không cập nhật tỷ lệ hoàn thành.")
        return Change(row.number, UNCHANGED, record)
    changes_progress = item.changes_progress
    if not item.changes_anything:
        return Change(row.number, UNCHANGED, record, obj=task)
    try:
        with on_row(sheet, row, _column_of) if one_by_one else nullcontext():
            if changes_progress or (note and not done):
                before = task.progress
                task_flow.record_progress(
                    task,
                    actor,
                    note=note or DEFAULT_PROGRESS_NOTE,
                    progress=progress if changes_progress else None,
                )
                if changes_progress:
                    fields.append(FieldChange("Tiến độ (%)", str(before), str(progress)))
                if note:
                    fields.append(FieldChange("Ghi chú", "", note))
            if done:
                if not note:
                    raise ValidationFailed("Cần ghi kết quả thực hiện khi báo cáo hoàn thành.")
                before_status = label(task.status)
                task_flow.report_task_done(task, actor, note=note)
                fields.append(FieldChange("Trạng thái", before_status, label(task.status)))
            if one_by_one:
                db.session.flush()
    except RowFailed:
        return Change(row.number, UNCHANGED, record)
    return Change(row.number, UPDATE, record, fields, obj=task)


def download_rows(tasks: list[Task]) -> list[list[Any]]:
    """The rows of the sheet an office downloads: its tasks with their version, progress blank to fill."""
    return [[task.id, task.version, task.title, task.progress, "", ""] for task in tasks]
