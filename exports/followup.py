"""The follow-up letter (công văn đôn đốc) to one unit about its overdue tasks, as a Word document.

A Party công văn has no type name as title: its trích yếu stands in italics under the number, and the
letter opens with "Kính gửi". Takes the facts of ``workflows.documents.followup_facts`` (for type
checking only; no query runs here).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import TYPE_CHECKING, Protocol

from exports.letterhead import Signature, addressed, archive_line, body_date, letterhead_for, signature_for
from exports.official import OfficialDocument
from exports.ooxml import Column
from models import Organization

if TYPE_CHECKING:
    from workflows.documents import FollowupFacts, OverdueLine

TYPE_CODE = "CV"
SUMMARY_LINE = "đôn đốc thực hiện các nhiệm vụ sau kiểm tra đã quá hạn"

TASK_COLUMNS = [
    Column("STT", 11, centred=True),
    Column("Nhiệm vụ", 47),
    Column("Theo văn bản", 45),
    Column("Hạn ban đầu", 22, centred=True),
    Column("Hạn hiện hành", 22, centred=True),
    Column("Số ngày quá hạn", 18, centred=True),
]


class CitedNotice(Protocol):
    """A conclusion notice the letter cites (``workflows.followup.NoticeRef``)."""

    @property
    def text(self) -> str: ...


def build_followup(
    facts: FollowupFacts,
    *,
    issuer: Organization,
    issued_on: date,
    report_due_on: date,
    number: str | None = None,
    signature: Signature | None = None,
    notices: Mapping[int, CitedNotice] | None = None,
) -> bytes:
    """Write the letter asking ``facts.unit`` to finish its overdue tasks; ``number`` is None for a
    draft. ``notices`` (by visit id) are the conclusion notices the tasks come from, cited by number
    and date instead of the visit."""
    notices = notices or {}
    doc = OfficialDocument(draft=number is None)
    unit = facts.unit
    doc.letterhead(letterhead_for(issuer, TYPE_CODE, number, issued_on, summary_line=SUMMARY_LINE))
    doc.addressee([addressed(unit)])
    cited = list(dict.fromkeys(n.text for line in facts.tasks if (n := notices.get(line.visit_id or 0))))
    if facts.tasks:
        basis = f"Thực hiện {_joined(cited)}, q" if cited else "Q"
        doc.paragraph(
            f"{basis}ua theo dõi việc thực hiện kết luận kiểm tra, tính đến ngày {body_date(facts.as_of)}, "
            f"{unit.name} còn {len(facts.tasks)} nhiệm vụ đã quá hạn nhưng chưa hoàn thành, cụ thể như sau:"
        )
        doc.table(
            TASK_COLUMNS,
            (
                [
                    str(i),
                    line.title + ("" if line.unit == unit.name else f" ({line.unit} chủ trì)"),
                    _source(line, notices),
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


def _source(line: OverdueLine, notices: Mapping[int, CitedNotice]) -> str:
    """ "Một là – Thông báo kết luận số 01-TB/BTGTU ngày 20/06/2023", else the visit it came from."""
    notice = notices.get(line.visit_id or 0)
    if notice is None:
        return line.directive
    ordinal = line.directive.split(" – ", 1)[0]
    return f"{ordinal} – {notice.text}"


def _joined(texts: list[str]) -> str:
    return texts[0] if len(texts) == 1 else ", ".join(texts[:-1]) + " và " + texts[-1]
