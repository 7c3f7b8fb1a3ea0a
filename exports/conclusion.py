"""The conclusion notice (thông báo kết luận kiểm tra) of the inspecting body, as a Word document.

Its requests repeat the directives in their order and wording ("Một là, …"), and it closes with the
day by which the inspected unit reports back. Load the visit eagerly before calling, as for the
visit report.
"""

from __future__ import annotations

from datetime import date

from exports.letterhead import (
    Signature,
    addressed,
    archive_line,
    body_date,
    leads_body,
    letterhead_for,
    signature_for,
    standing_committee_of,
)
from exports.official import OfficialDocument
from exports.visit_report import carrying_out, findings_of, member_line, write_directives
from models import Organization, Visit
from models.enums import FindingKind, OrgKind

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
        f"{carrying_out(visit)}, ngày {body_date(visit.visited_on)}, "
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
    write_directives(
        doc, visit.directives, lead_in=f"{issuer.name} {request_word(issuer, unit)} {addressed(unit)}"
    )
    doc.paragraph(
        f"{addressed(unit)} tổ chức quán triệt Thông báo kết luận này, xây dựng kế hoạch khắc phục hạn "
        f"chế, khuyết điểm và báo cáo kết quả thực hiện về {issuer.name} trước ngày "
        f"{body_date(report_due_on)}."
    )
    recipients = [f"{r} (để b/c)" for r in (standing_committee_of(issuer),) if r]
    recipients += [f"{addressed(unit)} (để thực hiện)", "Các thành viên Đoàn kiểm tra"]
    doc.closing(recipients, archive_line(issuer), signature or body_signature(visit))
    return doc.to_bytes()


def request_word(issuer: Organization, unit: Organization) -> str:
    """A committee "yêu cầu" the bodies under it; an advisory board or office "đề nghị": it advises
    a committee (its standing board) and does not direct it."""
    if issuer.kind is OrgKind.PARTY_COMMITTEE and issuer.contains(unit):
        return "yêu cầu"
    if (
        issuer.kind is OrgKind.PARTY_BOARD
        and unit.kind is not OrgKind.PARTY_COMMITTEE
        and issuer.contains(unit)
    ):
        return "yêu cầu"
    return "đề nghị"


def body_signature(visit: Visit) -> Signature:
    """The notice is the inspecting body's conclusion, in its voice: the head of delegation signs
    in the body's name when they lead it (``K/T TRƯỞNG BAN`` …), else the body's head signs."""
    head = visit.head
    issuer = visit.inspecting_org
    if head is not None:
        position = head.position_on_day or head.person.position
        if leads_body(issuer, position):
            return signature_for(issuer, head.person.full_name, position)
    return signature_for(issuer, "", None)
