"""The conclusion notice (thông báo kết luận kiểm tra) of the inspecting body, as a Word document.

Its requests repeat the directives in their order and wording ("Một là, …"), and it closes with the
day by which the inspected unit reports back. Load the visit eagerly before calling, as for the
visit report.
"""

from __future__ import annotations

from datetime import date

from exports.official import (
    OfficialDocument,
    Signature,
    addressed,
    archive_line,
    body_date,
    letterhead_for,
    standing_committee_of,
)
from exports.visit_report import findings_of, head_signature, member_line, write_directives
from models import Visit
from models.enums import FindingKind

TYPE_CODE = "TB"
NOTHING_RECORDED = "Không có nội dung."


def build_conclusion(
    visit: Visit,
    *,
    issued_on: date,
    report_due_on: date,
    number: str | None = None,
    signature: Signature | None = None,
) -> bytes:
    """Write the inspecting body's conclusion on ``visit``; ``number`` is None for a draft."""
    doc = OfficialDocument(draft=number is None)
    issuer = visit.inspecting_org
    unit = visit.inspected_org
    period = f" {visit.period_label}" if visit.period_label else ""
    doc.letterhead(letterhead_for(issuer, TYPE_CODE, number, issued_on))
    doc.title("THÔNG BÁO", [f"kết luận kiểm tra {visit.subject}{period}", f"đối với {unit.name}"])

    head = visit.head
    led_by = f" do đồng chí {member_line(head)} làm Trưởng Đoàn" if head else ""
    doc.paragraph(
        f"Thực hiện chương trình, kế hoạch kiểm tra của {issuer.name}, ngày {body_date(visit.visited_on)}, "
        f"Đoàn kiểm tra{led_by} đã làm việc với {unit.name} về {visit.subject}{period}. Sau khi nghe "
        f"Đoàn kiểm tra báo cáo kết quả kiểm tra, {issuer.name} kết luận như sau:"
    )
    doc.subheading("1. Ưu điểm")
    doc.dash_items(findings_of(visit, FindingKind.ACHIEVEMENT), empty=NOTHING_RECORDED)
    doc.subheading("2. Hạn chế, khuyết điểm")
    doc.dash_items(findings_of(visit, FindingKind.LIMITATION), empty=NOTHING_RECORDED)
    causes = findings_of(visit, FindingKind.CAUSE)
    if causes:
        doc.paragraph("Nguyên nhân của hạn chế, khuyết điểm:")
        doc.dash_items(causes)
    doc.subheading("3. Yêu cầu trong thời gian tới")
    write_directives(doc, visit.directives, lead_in=f"{issuer.name} yêu cầu {addressed(unit)}")
    doc.paragraph(
        f"{addressed(unit)} tổ chức quán triệt Thông báo kết luận này, xây dựng kế hoạch khắc phục hạn "
        f"chế, khuyết điểm và báo cáo kết quả thực hiện về {issuer.name} trước ngày "
        f"{body_date(report_due_on)}."
    )
    recipients = [f"{r} (để b/c)" for r in (standing_committee_of(issuer),) if r]
    recipients += [f"{unit.name} (để thực hiện)", "Các thành viên Đoàn kiểm tra"]
    doc.closing(recipients, archive_line(issuer), signature or head_signature(visit))
    return doc.to_bytes()
