"""The follow-up letter (công văn đôn đốc) to one unit about its overdue tasks, as a Word document.

A Party công văn has no type name as title: its trích yếu stands in italics under the number, and the
letter opens with "Kính gửi". Takes the facts of ``workflows.documents.followup_facts`` (for type
checking only; no query runs here).
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from exports.official import (
    Column,
    OfficialDocument,
    Signature,
    addressed,
    archive_line,
    body_date,
    letterhead_for,
    signature_for,
)
from models import Organization

if TYPE_CHECKING:
    from workflows.documents import FollowupFacts

TYPE_CODE = "CV"
SUMMARY_LINE = "đôn đốc thực hiện các nhiệm vụ sau kiểm tra đã quá hạn"

TASK_COLUMNS = [
    Column("STT", 11, centred=True),
    Column("Nhiệm vụ", 47),
    Column("Yêu cầu của Đoàn kiểm tra", 45),
    Column("Hạn ban đầu", 22, centred=True),
    Column("Hạn hiện hành", 22, centred=True),
    Column("Số ngày quá hạn", 18, centred=True),
]


def build_followup(
    facts: FollowupFacts,
    *,
    issuer: Organization,
    issued_on: date,
    report_due_on: date,
    number: str | None = None,
    signature: Signature | None = None,
) -> bytes:
    """Write the letter asking ``facts.unit`` to finish its overdue tasks; ``number`` is None for a draft."""
    doc = OfficialDocument(draft=number is None)
    unit = facts.unit
    doc.letterhead(letterhead_for(issuer, TYPE_CODE, number, issued_on, summary_line=SUMMARY_LINE))
    doc.addressee([addressed(unit)])
    if facts.tasks:
        doc.paragraph(
            f"Qua theo dõi việc thực hiện kết luận kiểm tra, tính đến ngày {body_date(facts.as_of)}, "
            f"{unit.name} còn {len(facts.tasks)} nhiệm vụ đã quá hạn nhưng chưa hoàn thành, cụ thể như sau:"
        )
        doc.table(
            TASK_COLUMNS,
            (
                [
                    str(i),
                    line.title + ("" if line.unit == unit.name else f" ({line.unit} chủ trì)"),
                    line.directive,
                    body_date(line.original_due_on or line.due_on),
                    body_date(line.due_on),
                    str(line.days_overdue),
                ]
                for i, line in enumerate(facts.tasks, start=1)
            ),
        )
        doc.paragraph(
            f"{issuer.name} đề nghị {addressed(unit)} khẩn trương chỉ đạo hoàn thành các nhiệm vụ trên; "
            "báo cáo kết quả thực hiện, nêu rõ nguyên nhân chậm trễ và thời gian hoàn thành, về "
            f"{issuer.name} trước ngày {body_date(report_due_on)}."
        )
    else:
        doc.paragraph(
            f"Qua theo dõi việc thực hiện kết luận kiểm tra, tính đến ngày {body_date(facts.as_of)}, "
            f"{unit.name} không còn nhiệm vụ nào quá hạn chưa hoàn thành. {issuer.name} đề nghị "
            f"{addressed(unit)} tiếp tục theo dõi, thực hiện các nhiệm vụ còn lại đúng thời hạn."
        )
    doc.paragraph(f"Đề nghị {addressed(unit)} quan tâm thực hiện.")
    doc.closing(["Như trên"], archive_line(issuer), signature or signature_for(issuer, "", None))
    return doc.to_bytes()
