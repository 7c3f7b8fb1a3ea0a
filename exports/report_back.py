"""The inspected unit's report on carrying out a conclusion notice (báo cáo kết quả thực hiện Thông báo
kết luận), as a Word document in the Party layout.

The unit issues it itself: its letterhead, its number (left blank: the unit numbers it in its own
register), addressed to the inspecting body, and signed in the unit's name. Each numbered request of
the notice is repeated, then the unit's own words on it and a table of its tasks as kiemtra tracks
them. Takes the facts of ``workflows.report_back.report_facts`` (for type checking only; no query runs
here).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from exports.letterhead import archive_line, as_sentence, body_date, letterhead_for, signature_for
from exports.official import OfficialDocument
from exports.ooxml import Column

if TYPE_CHECKING:
    from workflows.report_back import DirectiveLine, ReportFacts

TYPE_CODE = "BC"

TASK_COLUMNS = [
    Column("STT", 11, centred=True),
    Column("Nhiệm vụ", 62),
    Column("Đơn vị chủ trì", 40),
    Column("Thời hạn", 22, centred=True),
    Column("Tình trạng", 30, centred=True),
]


def build_report_back(facts: ReportFacts, *, issued_on: date, number: str | None = None) -> bytes:
    """Write ``facts.unit``'s report to ``facts.addressee``; ``number`` is None for a draft."""
    doc = OfficialDocument(draft=number is None)
    unit = facts.unit
    visit = facts.visit
    period = f" {visit.period_label}" if visit.period_label else ""
    doc.letterhead(letterhead_for(unit, TYPE_CODE, number, issued_on))
    doc.title(
        "BÁO CÁO",
        [f"kết quả thực hiện {facts.notice}", f"của {facts.addressee.name} về {visit.subject}{period}"],
    )
    doc.addressee([facts.addressee.name])
    doc.paragraph(
        f"Thực hiện {facts.notice} của {facts.addressee.name} về kết quả kiểm tra {visit.subject}{period} "
        f"đối với {unit.name}, {unit.name} báo cáo kết quả thực hiện như sau:"
    )
    doc.heading("I. TÌNH HÌNH CHUNG")
    doc.paragraph(
        facts.general.strip()
        or f"{unit.name} đã tổ chức quán triệt Thông báo kết luận kiểm tra và xây dựng kế hoạch khắc "
        "phục hạn chế, khuyết điểm."
    )
    doc.heading("II. KẾT QUẢ THỰC HIỆN CÁC YÊU CẦU CỦA THÔNG BÁO KẾT LUẬN")
    if not facts.directives:
        doc.paragraph("Thông báo kết luận không nêu yêu cầu cụ thể.", italic=True)
    for index, line in enumerate(facts.directives, start=1):
        _write_directive(doc, index, line)
    doc.heading("III. ĐỀ XUẤT, KIẾN NGHỊ")
    doc.paragraph("Không.", italic=True)
    doc.paragraph(
        f"Trên đây là báo cáo kết quả thực hiện {facts.notice} của {unit.name}, kính gửi "
        f"{facts.addressee.name} theo dõi, tổng hợp."
    )
    doc.closing(
        [f"{facts.addressee.name} (để b/c)"],
        archive_line(unit),
        signature_for(unit, "", None),
    )
    return doc.to_bytes()


def _write_directive(doc: OfficialDocument, index: int, line: DirectiveLine) -> None:
    doc.subheading(f"{index}. {line.ordinal}" + (f": {line.title.rstrip('.')}" if line.title else ""))
    doc.runs([("Yêu cầu: ", "i"), (as_sentence(line.body), "i")])
    doc.runs([("Kết quả thực hiện: ", "b")])
    doc.paragraph(line.text.strip() or line.prefilled or "Chưa có kết quả.")
    if line.tasks:
        doc.table(
            TASK_COLUMNS,
            (
                [
                    str(i),
                    task.title,
                    task.unit,
                    body_date(task.due_on) if task.due_on else "Không thời hạn",
                    f"{task.status} ({task.progress}%)",
                ]
                for i, task in enumerate(line.tasks, start=1)
            ),
        )
        evidence = [name for task in line.tasks for name in task.evidence]
        if evidence:
            doc.paragraph("Tài liệu kèm theo: " + "; ".join(evidence) + ".", italic=True)
